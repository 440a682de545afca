"""Dense's kernel/bias regularizers and constraints, computed by the core (Keras 3.15 goldens)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import constraints, layers, regularizers

X = np.array([[1.0], [2.0], [3.0], [4.0]], dtype=np.float32)
ZEROS = np.zeros((4, 1), dtype=np.float32)


def _model(
    device: str = "cpu", lr: float = 0.0, width: int = 1, units: int = 1, **kw: Any
) -> keras.Sequential:
    model = keras.Sequential([keras.Input(shape=(width,)), layers.Dense(units, **kw)], device=device)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse", metrics=["mse"])
    return model


@pytest.mark.parametrize("device", DEVICES)
def test_l2_penalty_is_in_loss_val_loss_and_evaluate_not_in_metrics(device: str) -> None:
    model = _model(device, kernel_initializer="ones", kernel_regularizer=regularizers.L2(0.5))
    h = model.fit(X, ZEROS, validation_data=(X, ZEROS), batch_size=2, epochs=1, verbose=0).history
    assert h["loss"] == [pytest.approx(8.0)] and h["val_loss"] == [pytest.approx(8.0)]
    assert h["mse"] == [pytest.approx(7.5)] and h["val_mse"] == [pytest.approx(7.5)]
    assert model.evaluate(X, ZEROS, verbose=0) == pytest.approx([8.0, 7.5])
    assert model.losses == [pytest.approx(0.5)]


def test_frozen_layer_adds_no_penalty() -> None:
    model = _model(kernel_initializer="ones", kernel_regularizer=regularizers.L2(0.5))
    model.layers[0].trainable = False
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse", metrics=["mse"])
    assert model.evaluate(X, ZEROS, verbose=0) == pytest.approx([7.5, 7.5])
    assert model.losses == []


W = np.array([[3.0, 0.0], [4.0, 0.1]], np.float32)


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        (constraints.MaxNorm(2), [[1.2, 0.0], [1.6, 0.1]]),
        ("unit_norm", [[0.6, 0.0], [0.8, 0.999999]]),
        (constraints.MinMaxNorm(1.0, 2.0, rate=0.5), [[2.1, 0.0], [2.8, 0.55]]),
        ({"class_name": "NonNeg", "config": {}}, W),
    ],
)
@pytest.mark.parametrize("device", DEVICES)
def test_constraint_goldens_after_one_step(constraint: Any, expected: Any, device: str) -> None:
    model = _model(device, width=2, units=2, use_bias=False, kernel_constraint=constraint)
    model.set_weights([W])
    np.testing.assert_allclose(model.get_weights()[0], W)  # not on set_weights
    model.fit(np.zeros((1, 2), np.float32), np.zeros((1, 2), np.float32), verbose=0)
    np.testing.assert_allclose(model.get_weights()[0], expected, rtol=1e-5, atol=1e-6)
    obj = constraints.get(constraint)
    assert obj is not None
    np.testing.assert_allclose(obj(W), expected, rtol=1e-5, atol=1e-6)


def test_non_neg_applies_at_the_first_step_only() -> None:
    model = _model(kernel_initializer=keras.initializers.Constant(-1.0), kernel_constraint="non_neg")
    assert model.get_weights()[0][0, 0] == -1.0
    model.fit(X, ZEROS, epochs=1, batch_size=4, verbose=0)
    assert model.get_weights()[0][0, 0] == 0.0


def test_one_sgd_step_matches_numpy() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5, 3)).astype(np.float32), rng.normal(size=(5, 2)).astype(np.float32)
    k, b = rng.normal(size=(3, 2)).astype(np.float32), rng.normal(size=2).astype(np.float32)
    reg = regularizers.L1L2(l1=0.1, l2=0.2)
    model = _model(
        lr=0.1, width=3, units=2, kernel_regularizer=reg, bias_regularizer="l1", kernel_constraint="max_norm"
    )
    model.set_weights([k, b])
    loss = model.fit(x, y, batch_size=5, epochs=1, verbose=0).history["loss"][0]
    err = x @ k + b - y
    penalty = 0.1 * np.abs(k).sum() + 0.2 * np.square(k).sum() + 0.01 * np.abs(b).sum()
    assert loss == pytest.approx(np.mean(err**2) + penalty, rel=1e-5)
    dz = 2 * err / err.size
    k1 = k - 0.1 * (x.T @ dz + 0.1 * np.sign(k) + 0.4 * k)
    b1 = b - 0.1 * (dz.sum(0) + 0.01 * np.sign(b))
    n = np.sqrt((k1**2).sum(0, keepdims=True))
    k1 = k1 * np.clip(n, 0, 2) / (1e-7 + n)
    got = model.get_weights()
    np.testing.assert_allclose(got[0], k1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], b1, rtol=1e-5, atol=1e-6)


def test_identifiers_configs_and_errors() -> None:
    # Keras 3.15.1: L1 keeps a float32 tensor, L2 and L1L2 Python floats.
    assert regularizers.L1(0.01).get_config() == {"l1": 0.009999999776482582}
    assert regularizers.L2(0.01).get_config() == {"l2": 0.01}
    assert regularizers.L1L2(0.01, 0.03).get_config() == {"l1": 0.01, "l2": 0.03}
    assert regularizers.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert isinstance(regularizers.get("l1l2"), regularizers.L1L2)
    assert regularizers.l1_l2 is regularizers.L1L2
    for name in ("L1", "l1", "L2", "l2", "L1L2"):
        assert isinstance(regularizers.get(name), regularizers.Regularizer)
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: l1_l2"):
        regularizers.get("l1_l2")
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            regularizers.L2(bad)
    for name in (
        "max_norm",
        "MaxNorm",
        "min_max_norm",
        "MinMaxNorm",
        "non_neg",
        "NonNeg",
        "unit_norm",
        "UnitNorm",
    ):
        assert isinstance(constraints.get(name), constraints.Constraint)
    for bad in ("maxnorm", "nonneg"):
        with pytest.raises(ValueError, match="Could not interpret constraint identifier"):
            constraints.get(bad)
    assert constraints.MinMaxNorm().get_config() == {
        "min_value": 0.0,
        "max_value": 1.0,
        "rate": 1.0,
        "axis": 0,
    }
    with pytest.raises(keras.NotSupportedError):
        layers.Dense(2, kernel_regularizer=lambda w: 0.0)


def test_keras_file_round_trip(tmp_path: Any) -> None:
    model = _model(
        width=2,
        units=2,
        kernel_regularizer=regularizers.L1L2(0.1, 0.2),
        bias_regularizer="l2",
        kernel_constraint=constraints.MaxNorm(3.0, axis=0),
        bias_constraint="non_neg",
    )
    path = str(tmp_path / "m.keras")
    model.save(path)
    back = keras.models.load_model(path)
    cfg = back.layers[0].get_config()
    assert cfg["kernel_regularizer"]["config"] == pytest.approx({"l1": 0.1, "l2": 0.2})
    assert cfg["bias_regularizer"]["class_name"] == "L2"
    assert cfg["kernel_constraint"]["config"] == {"max_value": 3.0, "axis": 0}
    assert cfg["bias_constraint"]["class_name"] == "NonNeg"
    x = np.ones((2, 2), np.float32)
    assert back.evaluate(x, x, verbose=0) == pytest.approx(model.evaluate(x, x, verbose=0))
