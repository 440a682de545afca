"""BinaryFocalCrossentropy and CategoricalFocalCrossentropy on both devices: Keras 3.15.1's values
(tests/fixtures/focal_golden.json, from make_focal_fixtures.py) for each argument set on probabilities (0 and 1
among them) and logits, and three epochs of SGD through each kind of head (for the binary loss: the
crossentropy from a sigmoid's logits, from_logits, the clipped probabilities of another head, a sigmoid taken
as logits; for the categorical one: a softmax's probabilities, from_logits, sigmoids renormalised); NumPy
references of the formulas; names, configs and files; the arguments and heads refused."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from fixtures.focal_data import CATEGORICAL_CONFIGS, CATEGORICAL_HEADS, CONFIGS, HEADS, categorical_data, data
from keras_lite import layers

GOLDEN = json.load(open(os.path.join(os.path.dirname(__file__), "fixtures", "focal_golden.json")))
D = data()
C = categorical_data()


def _numpy_focal(y, p, gamma=2.0, alpha=0.25, apply_class_balancing=False, label_smoothing=0.0):
    """Keras's formula in float64 on probabilities: the crossentropy of p clipped to float32's [1e-7, 1 - 1e-7]
    times (1 - p_t) ** gamma."""
    y = y * (1 - label_smoothing) + 0.5 * label_smoothing
    eps = np.float32(1e-7)
    q = np.clip(p, float(eps), float(np.float32(1) - eps))
    bce = -(y * np.log(q) + (1 - y) * np.log(1 - q))
    p_t = y * p + (1 - y) * (1 - p)
    out = (1 - p_t) ** gamma * bce
    if apply_class_balancing:
        out = (y * alpha + (1 - y) * (1 - alpha)) * out
    return out.mean(axis=-1)


@pytest.mark.parametrize("i", range(len(CONFIGS)))
def test_values_equal_keras_and_numpy(i: int) -> None:
    cfg = CONFIGS[i]
    loss = keras.losses.BinaryFocalCrossentropy(**cfg)
    on_p = float(loss(D["y"], D["p"]))
    on_z = float(keras.losses.BinaryFocalCrossentropy(from_logits=True, **cfg)(D["y"], D["z"]))
    np.testing.assert_allclose([on_p, on_z], GOLDEN["values"][i], rtol=2e-6)
    per_sample = keras.losses.binary_focal_crossentropy(D["y"], D["p"], **cfg)
    want = _numpy_focal(D["y"].astype(np.float64), D["p"].astype(np.float64), **cfg)
    np.testing.assert_allclose(np.asarray(per_sample), want, rtol=2e-5, atol=1e-7)


def _numpy_categorical_focal(y, p, gamma=2.0, alpha=0.25, label_smoothing=0.0):
    """Keras's formula in float64: the probabilities renormalised and clipped to float32's [1e-7, 1 - 1e-7]."""
    y = y * (1 - label_smoothing) + label_smoothing / y.shape[-1]
    eps = np.float32(1e-7)
    o = np.clip(p / p.sum(axis=-1, keepdims=True), float(eps), float(np.float32(1) - eps))
    return (alpha * (1 - o) ** gamma * -y * np.log(o)).sum(axis=-1)


@pytest.mark.parametrize("i", range(len(CATEGORICAL_CONFIGS)))
def test_categorical_values_equal_keras_and_numpy(i: int) -> None:
    cfg = CATEGORICAL_CONFIGS[i]
    loss = keras.losses.CategoricalFocalCrossentropy
    got = [float(loss(**cfg)(C["y"], C["p"])), float(loss(from_logits=True, **cfg)(C["y"], C["z"]))]
    np.testing.assert_allclose(got, GOLDEN["categorical"]["values"][i], rtol=2e-6)
    per_sample = keras.losses.categorical_focal_crossentropy(C["y"], C["p"], **cfg)
    want = _numpy_categorical_focal(C["y"].astype(np.float64), C["p"].astype(np.float64), **cfg)
    np.testing.assert_allclose(np.asarray(per_sample), want, rtol=2e-5, atol=1e-7)


def _fits(device: str, loss: type, configs: list, heads: list, d: dict, golden: dict, i: int) -> None:
    """Three epochs of SGD from the goldens' start through each head, against Keras's losses and weights."""
    hidden, width = d["weights"][0].shape[1], d["y"].shape[1]
    for k, (activation, from_logits) in enumerate(heads):
        stack = [
            keras.Input(shape=(4,)),
            layers.Dense(hidden, "tanh"),
            layers.Dense(width, activation=activation),
        ]
        model = keras.Sequential(stack, device=device)
        model.set_weights(d["weights"])
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss=loss(from_logits=from_logits, **configs[i]))
        history = model.fit(d["x"], d["y"], batch_size=8, epochs=3, shuffle=False, verbose=0)
        want = golden["fits"][i * len(heads) + k]
        where = f"{loss.__name__}{configs[i]}, head {activation}, from_logits={from_logits}"
        np.testing.assert_allclose(history.history["loss"], want["loss"], rtol=1e-5, err_msg=where)
        for got, w in zip(model.get_weights(), want["weights"]):
            np.testing.assert_allclose(got, np.array(w, np.float32), rtol=1e-5, atol=1e-6, err_msg=where)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("i", range(len(CONFIGS)))
def test_training_equals_keras_through_every_head(device: str, i: int) -> None:
    _fits(device, keras.losses.BinaryFocalCrossentropy, CONFIGS, HEADS, D, GOLDEN, i)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("i", range(len(CATEGORICAL_CONFIGS)))
def test_categorical_training_equals_keras_through_every_head(device: str, i: int) -> None:
    loss = keras.losses.CategoricalFocalCrossentropy
    _fits(device, loss, CATEGORICAL_CONFIGS, CATEGORICAL_HEADS, C, GOLDEN["categorical"], i)


def test_gamma_zero_is_the_binary_crossentropy() -> None:
    focal = keras.losses.BinaryFocalCrossentropy(gamma=0.0)(D["y"], D["p"])
    plain = keras.losses.BinaryCrossentropy()(D["y"], D["p"])
    np.testing.assert_allclose(float(focal), float(plain), rtol=1e-6)


def test_names_configs_and_files(tmp_path: Path) -> None:
    assert keras.losses.get("binary_focal_crossentropy") is keras.losses.binary_focal_crossentropy
    assert keras.losses.get("categorical_focal_crossentropy") is keras.losses.categorical_focal_crossentropy
    assert keras.losses.CategoricalFocalCrossentropy(alpha=0.5).get_config() == {
        "name": "categorical_focal_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": False,
        "label_smoothing": 0.0,
        "axis": -1,
        "alpha": 0.5,
        "gamma": 2.0,
    }
    loss = keras.losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, alpha=0.3, gamma=1.0, label_smoothing=0.1
    )
    # Keras 3.15.1's get_config() keys and values for the same arguments.
    assert loss.get_config() == {
        "name": "binary_focal_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": False,
        "label_smoothing": 0.1,
        "axis": -1,
        "apply_class_balancing": True,
        "alpha": 0.3,
        "gamma": 1.0,
    }
    again = keras.losses.get({"class_name": "BinaryFocalCrossentropy", "config": loss.get_config()})
    assert again.get_config() == loss.get_config()
    for given in (loss, "binary_focal_crossentropy"):
        model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2, activation="sigmoid")])
        model.compile(optimizer="adam", loss=given, metrics=["accuracy"])
        model.fit(D["x"], D["y"], epochs=1, verbose=0)
        model.save(tmp_path / "m.keras")
        loaded = keras.models.load_model(tmp_path / "m.keras")
        assert loaded.evaluate(D["x"], D["y"], verbose=0) == model.evaluate(D["x"], D["y"], verbose=0)


def test_what_is_refused() -> None:
    with pytest.raises(ValueError, match="label_smoothing"):
        keras.losses.BinaryFocalCrossentropy(label_smoothing=1.5)
    with pytest.raises(ValueError, match="gamma"):
        keras.losses.BinaryFocalCrossentropy(gamma=float("nan"))
    with pytest.raises(ValueError, match="axis"):
        keras.losses.BinaryFocalCrossentropy(axis=0)
    # After a softmax Keras would take the logits for the crossentropy and the probabilities for p_t.
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match="softmax"):
        model.compile(optimizer="adam", loss=keras.losses.BinaryFocalCrossentropy())
    model.compile(optimizer="adam", loss=keras.losses.BinaryFocalCrossentropy(from_logits=True))
    model.compile(optimizer="adam", loss=keras.losses.CategoricalFocalCrossentropy())  # its probabilities
    with pytest.raises(ValueError, match="alpha"):
        keras.losses.CategoricalFocalCrossentropy(alpha=float("inf"))


@pytest.mark.parametrize("device", DEVICES)
def test_a_linear_head_read_as_probabilities_as_keras_on_both_devices(device: str) -> None:
    """Outputs outside [0, 1] without from_logits: the crossentropy clips them, the focal factor's base
    1 - p_t does not (it goes negative), and gamma 2 squares it, as Keras (and Rust's powf) take x ** 2."""
    x, y = D["x"][:16], D["y"][:16]
    model = keras.Sequential([keras.Input((4,)), layers.Dense(2)], device=device)
    model.set_weights([np.full((4, 2), 0.9, np.float32), np.array([0.5, -0.5], np.float32)])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=keras.losses.BinaryFocalCrossentropy())
    p = model.predict(x, verbose=0)
    assert p.min() < 0 and p.max() > 1
    want = _numpy_focal(y.astype(np.float64), p.astype(np.float64)).mean()
    assert model.evaluate(x, y, verbose=0) == pytest.approx(want, rel=1e-5)
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    assert np.isfinite(history).all()
    if device != "cpu":
        cpu = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
        cpu.set_weights([np.full((4, 2), 0.9, np.float32), np.array([0.5, -0.5], np.float32)])
        cpu.compile(optimizer=keras.optimizers.SGD(0.01), loss=keras.losses.BinaryFocalCrossentropy())
        want_history = cpu.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
        np.testing.assert_allclose(history, want_history, rtol=1e-5)
        np.testing.assert_allclose(model.get_weights()[0], cpu.get_weights()[0], rtol=1e-5, atol=1e-6)
