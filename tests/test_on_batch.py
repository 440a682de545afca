"""``train_on_batch`` and ``test_on_batch`` as Keras 3.15 has them, on both devices: one step on the arrays as
one batch, metrics afresh at each call; values from Keras 3.15.1 (TensorFlow backend) for the same weights."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

X = np.random.default_rng(0).standard_normal((8, 2)).astype(np.float32)
Y = np.arange(8, dtype=np.float32)
W0 = [np.array([[0.5], [-0.3]], np.float32), np.array([0.1], np.float32)]


def _model(device: str, metrics: list[Any] | None = None) -> keras.Sequential:
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)], device=device)
    model.set_weights(W0)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse", metrics=metrics)
    return model


@pytest.mark.parametrize("device", DEVICES)
def test_calls_return_their_own_batchs_values_as_keras(device: str) -> None:
    model = _model(device, ["mae"])
    np.testing.assert_allclose(
        model.train_on_batch(X[:4], Y[:4]), [3.001974582672119, 1.4055482149124146], 2e-6
    )
    # Not a running mean over the calls: Keras 3 resets the metrics at each call.
    np.testing.assert_allclose(
        model.train_on_batch(X[4:], Y[4:]), [36.12731170654297, 5.847017765045166], 2e-6
    )
    got = model.train_on_batch(X[4:], Y[4:], return_dict=True)
    assert got == pytest.approx({"loss": 32.09369659423828, "mae": 5.506653308868408}, rel=2e-6)
    for _ in range(2):
        np.testing.assert_allclose(model.test_on_batch(X, Y), [15.726312637329102, 3.298170804977417], 2e-6)
    assert model.test_on_batch(X, Y, return_dict=True) == pytest.approx(
        {"loss": 15.726312637329102, "mae": 3.298170804977417}, rel=2e-6
    )
    assert int(model.optimizer.iterations) == 3
    assert not hasattr(model, "history")  # no History: no callbacks run (Keras 3 sets it in fit only)
    weighted = model.train_on_batch(X, Y, sample_weight=np.linspace(0, 1, 8))
    # The loss weighted, the metric not (metrics=, not weighted_metrics=): the weights before this step give
    # the same mae as the test calls above.
    np.testing.assert_allclose(weighted, [12.753273010253906, 3.298170804977417], 2e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_a_model_without_metrics_returns_the_loss_alone(device: str) -> None:
    model = _model(device)
    # The training call's loss is that of the weights before its step; the test call sees the step's result.
    assert model.train_on_batch(X, Y) == pytest.approx(19.573352813720703, rel=2e-6)
    assert model.test_on_batch(X, Y) == pytest.approx(18.515012741088867, rel=2e-6)
    assert isinstance(model.test_on_batch(X, Y), float)


@pytest.mark.parametrize("device", DEVICES)
def test_one_call_is_one_step_of_fit_over_the_whole_batch(device: str) -> None:
    a, b = _model(device, ["mae"]), _model(device, ["mae"])
    logs = a.train_on_batch(X, Y, return_dict=True)
    hist = b.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0).history
    assert logs == {k: v[0] for k, v in hist.items()}
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_class_weight_weighs_the_batch_as_fit_does() -> None:
    x = np.random.default_rng(1).standard_normal((6, 2)).astype(np.float32)
    y = np.array([0, 1, 2, 0, 1, 2])
    weights = {0: 1.0, 1: 2.0, 2: 0.5}
    models = []
    for _ in range(2):
        model = keras.Sequential([keras.Input((2,)), layers.Dense(3, activation="softmax")])
        model.set_weights([np.ones((2, 3), np.float32), np.zeros(3, np.float32)])
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        models.append(model)
    logs = models[0].train_on_batch(x, y, class_weight=weights, return_dict=True)
    hist = models[1].fit(x, y, batch_size=6, shuffle=False, verbose=0, class_weight=weights).history
    assert logs == {k: v[0] for k, v in hist.items()}


def test_a_functional_model_takes_its_inputs_as_a_list() -> None:
    a, b = keras.Input((2,), name="a"), keras.Input((1,), name="b")
    out = layers.Dense(1)(layers.Concatenate()([a, b]))
    model = keras.Model([a, b], out)
    model.compile(optimizer="sgd", loss="mse")
    xa, xb = X, X[:, :1]
    before = model.test_on_batch([xa, xb], Y)
    assert model.train_on_batch({"a": xa, "b": xb}, Y) == pytest.approx(before, rel=1e-6)
    assert model.test_on_batch([xa, xb], Y) < before


def test_what_the_one_batch_calls_refuse() -> None:
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    with pytest.raises(RuntimeError, match="compile"):
        model.train_on_batch(X, Y)
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="class_weight"):
        model.train_on_batch(X, Y, sample_weight=np.ones(8), class_weight={0: 1.0})
    with pytest.raises(ValueError, match="y"):
        model.train_on_batch(X)
    with pytest.raises(ValueError, match="one batch of arrays"):
        model.train_on_batch((row for row in X), Y)
    with pytest.raises(ValueError):
        model.test_on_batch(X, Y[:3])
    with pytest.raises(ValueError):
        model.train_on_batch(np.full((2, 2), np.nan, np.float32), Y[:2])
    assert int(model.optimizer.iterations) == 0  # nothing refused took a step


def test_reset_metrics_resets_the_compiled_metric_objects() -> None:
    auc = keras.metrics.AUC()
    auc.update_state([0, 1], [0.2, 0.9])
    model = _model("cpu", [auc, "mae"])
    model.train_on_batch(X, Y)
    model.reset_metrics()
    assert float(auc.result()) == 0.0 and all(float(np.sum(v.numpy())) == 0.0 for v in auc.variables)
    np.testing.assert_allclose(model.test_on_batch(X, Y)[0], 18.515012741088867, 2e-6)
