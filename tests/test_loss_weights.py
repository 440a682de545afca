"""compile's ``loss_weights`` for a model's one output, and the per-output dict keys Keras reads, with the values
Keras 3.15.1 (TensorFlow backend) gave for the same calls: the reduced loss and its gradient are multiplied by
the weight, the regularizers' penalty and the metrics are not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

X = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
Y = np.array([[1.0], [0.0], [1.0], [0.5]], np.float32)


def _model(device: str = "cpu", outputs: str = "tensor", penalty: float = 0.0) -> keras.Model:
    inputs = keras.Input((3,), name="a")
    regularizer = keras.regularizers.L2(penalty) if penalty else None
    out = keras.layers.Dense(1, name="out", kernel_regularizer=regularizer)(inputs)
    model = keras.Model(inputs, {"k": out} if outputs == "dict" else out)
    model.to(device)
    model.set_weights([np.full((3, 1), 0.5, np.float32), np.zeros(1, np.float32)])
    return model


@pytest.mark.parametrize("loss_weights", [0.5, [0.5], (0.5,), {"out": 0.5}, {"any": 0.5}, np.float32(0.5)])
def test_the_one_outputs_loss_weight_multiplies_the_loss(loss_weights: Any) -> None:
    # Keras 3.15.1, SGD(0.01), one batch: loss 0.260625 (0.52125 unweighted) and then evaluate 0.25759; it
    # reads no key of the dict (it refuses np.float32 as a bare number, which keras_lite takes).
    model = _model()
    model.compile("sgd", loss="mse", loss_weights=loss_weights)
    history = model.fit(X, Y, epochs=1, batch_size=4, verbose=0).history
    np.testing.assert_allclose(history["loss"], [0.260625], rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(X, Y, verbose=0), 0.25759, rtol=1e-5)
    given = loss_weights.item() if isinstance(loss_weights, np.floating) else loss_weights
    assert model.get_compile_config()["loss_weights"] == (list(given) if isinstance(given, tuple) else given)


def test_metrics_are_not_weighted() -> None:
    # Keras 3.15.1: loss_weights=2.0 with the mse metric: loss 1.0425, mse 0.52125; evaluate 0.995321, 0.49766.
    model = _model()
    model.compile("sgd", loss="mse", loss_weights=2.0, metrics=["mse"])
    history = model.fit(X, Y, epochs=1, batch_size=4, verbose=0).history
    np.testing.assert_allclose([history["loss"][0], history["mse"][0]], [1.0425, 0.52125], rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(X, Y, verbose=0), [0.995321, 0.49766], rtol=1e-5)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    ("loss_weights", "loss", "mse", "kernel"),
    [
        # Keras 3.15.1: L2(0.1) on the kernel, SGD(0.01), batches of 2, two epochs, shuffle=False.
        (None, [0.5932568, 0.5629938], [0.5186383, 0.4924345], [0.4747201, 0.47326007, 0.47180012]),
        ([0.5], [0.33431885, 0.32437605], [0.5191693, 0.5039746], [0.48519453, 0.48443612, 0.4836777]),
    ],
)
def test_training_with_a_loss_weight_and_a_penalty_as_keras(
    device: str, loss_weights: Any, loss: list[float], mse: list[float], kernel: list[float]
) -> None:
    model = _model(device, penalty=0.1)
    model.compile("sgd", loss="mse", loss_weights=loss_weights, metrics=["mse"])
    history = model.fit(X, Y, epochs=2, batch_size=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(history["loss"], loss, rtol=1e-5)
    np.testing.assert_allclose(history["mse"], mse, rtol=1e-5)
    np.testing.assert_allclose(model.get_weights()[0].ravel(), kernel, rtol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_the_penalty_is_not_weighted_and_a_recompile_without_a_loss_keeps_the_weight(device: str) -> None:
    # Keras 3.15.1: mse 0.52125 × 0.5 + the L2(0.1) penalty 0.075 = 0.335625, before and after compile()
    # without a loss (Keras keeps the compiled loss, weight included).
    model = _model(device, penalty=0.1)
    model.compile("sgd", loss="mse", loss_weights=0.5)
    np.testing.assert_allclose(model.evaluate(X, Y, verbose=0), 0.335625, rtol=1e-6)
    model.compile(optimizer="adam")
    np.testing.assert_allclose(model.evaluate(X, Y, verbose=0), 0.335625, rtol=1e-6)


def test_files_and_configs_keep_the_loss_weights(tmp_path: Path) -> None:
    model = _model()
    model.compile("sgd", loss="mse", loss_weights=[0.5])
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.get_compile_config()["loss_weights"] == [0.5]
    assert loaded.evaluate(X, Y, verbose=0) == model.evaluate(X, Y, verbose=0)
    # A compile config as Keras writes it (keras_lite refused its loss_weights, and so the file).
    other = _model()
    other.compile_from_config({"optimizer": "sgd", "loss": "mse", "loss_weights": {"out": 0.5}})
    assert other.evaluate(X, Y, verbose=0) == model.evaluate(X, Y, verbose=0)


@pytest.mark.parametrize(
    ("loss", "metrics"),
    [({"k": "mse"}, {"k": ["mae"]}), ({"out": "mse"}, {"out": ["mae"]}), ("mse", {"zzz": ["mae"]})],
)
def test_a_dict_output_is_keyed_by_its_key_or_its_layers_name(loss: Any, metrics: Any) -> None:
    # Keras 3.15.1, keras.Model(a, {"k": out}): loss 0.52125, mae 0.625 with either key (and any key for metrics).
    model = _model(outputs="dict")
    model.compile("sgd", loss=loss, metrics=metrics)
    history = model.fit(X, {"k": Y}, epochs=1, batch_size=4, verbose=0).history
    np.testing.assert_allclose([history["loss"][0], history["mae"][0]], [0.52125, 0.625], rtol=1e-6)


@pytest.mark.parametrize(
    "loss_weights", [[0.5, 0.5], {"a": 1.0, "b": 2.0}, "0.5", True, float("inf"), [None]]
)
def test_loss_weights_keras_lite_cannot_honour_are_refused(loss_weights: Any) -> None:
    model = _model()
    with pytest.raises(ValueError, match="loss_weights"):
        model.compile("sgd", loss="mse", loss_weights=loss_weights)
    assert not model.compiled
