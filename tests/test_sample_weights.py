"""sample_weight, class_weight and weighted_metrics as Keras 3 applies them, on each device.

Golden values measured with Keras 3.15.1 on TensorFlow: x = [1, 2, 3, 4], a Dense(1) fixed at kernel 1 and bias 0
(so the predictions are x), SGD with learning rate 0 (the weights never move), mse against y = 0, batch 2.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

X = np.array([[1.0], [2.0], [3.0], [4.0]], dtype=np.float32)
ZEROS = np.zeros((4, 1), dtype=np.float32)


def _identity(device: str, metrics: Any = ("mae",), weighted: Any = ("mae",)) -> keras.Sequential:
    model = keras.Sequential([keras.Input(shape=(1,)), layers.Dense(1)], device=device)
    model.set_weights([np.ones((1, 1), np.float32), np.zeros(1, np.float32)])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.0),
        loss="mse",
        metrics=list(metrics),
        weighted_metrics=list(weighted) if weighted is not None else None,
    )
    return model


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("shape", [(4,), (4, 1)])
def test_sample_weight_keras_golden(device: str, shape: tuple[int, ...]) -> None:
    model = _identity(device)
    sw = np.array([1.0, 0.0, 2.0, 0.0], dtype=np.float32).reshape(shape)
    h = model.fit(
        X, ZEROS, batch_size=2, epochs=1, sample_weight=sw, validation_data=(X, ZEROS, sw), verbose=0
    )
    logs = {k: v[0] for k, v in h.history.items()}
    # loss = (1 + 18) / 4; mae ignores the weights; weighted_mae = (1 + 6) / 3.
    assert logs["loss"] == pytest.approx(4.75, rel=1e-6)
    assert logs["mae"] == pytest.approx(2.5, rel=1e-6)
    assert logs["weighted_mae"] == pytest.approx(2.3333333, rel=1e-6)
    assert logs["val_loss"] == pytest.approx(4.75, rel=1e-6)
    assert logs["val_weighted_mae"] == pytest.approx(2.3333333, rel=1e-6)
    assert model.evaluate(X, ZEROS, batch_size=2, verbose=0)[0] == pytest.approx(7.5)
    got = model.evaluate(X, ZEROS, batch_size=2, sample_weight=sw, verbose=0, return_dict=True)
    assert got["loss"] == pytest.approx(4.75) and got["weighted_mae"] == pytest.approx(2.3333333)


@pytest.mark.parametrize("device", DEVICES)
def test_class_weight_keras_golden(device: str) -> None:
    model = _identity(device, metrics=["mae"], weighted=["mse"])
    y = np.array([0.0, 1.0, 1.0, 0.0], dtype=np.float32)
    h = model.fit(X, y, batch_size=2, epochs=1, class_weight={1: 3.0}, verbose=0)
    assert h.history["loss"][0] == pytest.approx(8.0)
    assert h.history["mse"][0] == pytest.approx(4.0)
    assert h.history["mae"][0] == pytest.approx(2.0)


@pytest.mark.parametrize("device", DEVICES)
def test_weights_match_a_numpy_reference_while_training(device: str) -> None:
    """A weighted softmax classifier: the first epoch's loss is Σ w·CE / n, its accuracy Σ w·hit / Σ w."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(96, 5)).astype(np.float32)
    labels = rng.integers(0, 3, size=96)
    w = rng.uniform(0, 2, size=96).astype(np.float32)
    model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(3, activation="softmax")], device=device)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.0),
        loss="sparse_categorical_crossentropy",
        weighted_metrics=["accuracy"],
    )
    p = model.predict(x, verbose=0).astype(np.float64)
    ce = -np.log(np.clip(p[np.arange(96), labels], 1e-7, 1 - 1e-7))
    hits = (np.argmax(p, axis=1) == labels).astype(np.float64)
    h = model.fit(x, labels, batch_size=32, epochs=1, sample_weight=w, verbose=0)
    assert h.history["loss"][0] == pytest.approx(float((w * ce).sum() / 96), rel=1e-5)
    assert h.history["accuracy"][0] == pytest.approx(float((w * hits).sum() / w.sum()), rel=1e-6)


def test_class_weight_for_one_hot_and_sparse_targets_equals_the_sample_weights_it_implies() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(60, 4)).astype(np.float32)
    labels = rng.integers(0, 3, size=60)
    weights = {0: 0.5, 2: 4.0}
    implied = np.array([weights.get(int(c), 1.0) for c in labels], np.float32)
    for loss, y in (
        ("sparse_categorical_crossentropy", labels),
        ("categorical_crossentropy", np.eye(3)[labels]),
    ):
        runs = []
        for kw in ({"class_weight": weights}, {"sample_weight": implied}):
            keras.utils.set_random_seed(1)
            model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation="softmax")])
            model.compile(optimizer="adam", loss=loss)
            runs.append(
                model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, **kw).history["loss"]
            )
        np.testing.assert_allclose(runs[0], runs[1], rtol=1e-6)


def test_validation_split_splits_the_weights_too() -> None:
    model = _identity("cpu")
    x = np.tile(X, (2, 1))
    sw = np.array([1, 0, 2, 0, 1, 0, 2, 0], np.float32)
    h = model.fit(
        x, np.zeros((8, 1), np.float32), batch_size=2, sample_weight=sw, validation_split=0.5, verbose=0
    )
    assert h.history["val_loss"][0] == pytest.approx(4.75)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"sample_weight": np.ones(4), "class_weight": {0: 1.0}},
            "class_weight` and `sample_weight` at the same",
        ),
        ({"sample_weight": np.array([1.0, -1.0, 1.0, 1.0])}, r"sample_weight must be non-negative.*\[1\]=-1"),
        ({"sample_weight": np.array([1.0, np.nan, 1.0, 1.0])}, r"sample_weight contains a non-finite value"),
        ({"sample_weight": np.ones(3)}, r"one weight per sample.*\(4,\)"),
        ({"class_weight": {5: 1.0}}, r"class_weight keys must be class ids.*Received: class_weight key 5"),
        ({"class_weight": {"1": 2.0}}, r"class_weight keys must be class ids"),
        ({"class_weight": {1: -2.0}}, r"class_weight values must be finite non-negative"),
        ({"class_weight": [1.0, 2.0]}, r"class_weight must be a dict"),
    ],
)
def test_bad_weights_are_clear_errors_and_change_nothing(kwargs: dict[str, Any], match: str) -> None:
    model = _identity("cpu")
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=match):
        model.fit(X, np.array([0.0, 1.0, 1.0, 0.0], np.float32), batch_size=2, verbose=0, **kwargs)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.optimizer.iterations == 0


def test_weighted_metrics_round_trip_through_a_keras_file(tmp_path: Any) -> None:
    model = _identity("cpu", metrics=["mae"], weighted=["mae", "mse"])
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    sw = np.array([1.0, 0.0, 2.0, 0.0], np.float32)
    got = loaded.evaluate(X, ZEROS, batch_size=2, sample_weight=sw, verbose=0, return_dict=True)
    assert set(got) == {"loss", "mae", "weighted_mae", "mse"}
    assert got["weighted_mae"] == pytest.approx(2.3333333)
