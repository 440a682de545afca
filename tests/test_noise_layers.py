"""GaussianNoise and GaussianDropout on both devices: the identity in inference; while training (``fit`` and
``model(x, training=True)``) normal draws with Keras's mean and deviation, fresh each step, fixed by the seed;
gradients through them (additive noise passes the gradient, multiplicative noise scales it); configs, ``.keras``
files, ONNX and the errors Keras raises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

X = np.full((400, 50), 2.0, np.float32)


@pytest.mark.parametrize("device", DEVICES)
def test_identity_in_inference_and_draws_while_training(device: str) -> None:
    for layer, sd in (
        (layers.GaussianNoise(0.3, seed=4), 0.3),
        (layers.GaussianDropout(0.2, seed=4), 2.0 * 0.5),
    ):
        model = keras.Sequential([keras.Input((50,)), layer], device=device)
        np.testing.assert_array_equal(model.predict(X, verbose=0), X)
        np.testing.assert_array_equal(np.asarray(layer(X)), X)
        first, second = np.asarray(model(X, training=True)), np.asarray(model(X, training=True))
        assert not np.array_equal(first, second), "each call draws again"
        for y in (first, second):
            assert abs(float(y.mean()) - 2.0) < 0.03 and abs(float(y.std()) - sd) < 0.03, (
                type(layer),
                y.std(),
            )


def test_the_seed_fixes_the_draws() -> None:
    def draws(seed: int) -> np.ndarray:
        model = keras.Sequential([keras.Input((50,)), layers.GaussianNoise(0.5, seed=seed)])
        return np.asarray(model(X[:8], training=True))

    np.testing.assert_array_equal(draws(1), draws(1))
    assert not np.array_equal(draws(1), draws(2))


GPU = DEVICES[1]


@pytest.mark.parametrize(
    "noise, seeded",
    [
        (lambda: layers.Dropout(0.4, seed=5), True),
        (lambda: layers.Dropout(0.4), False),
        (lambda: layers.GaussianNoise(0.3), False),
        (lambda: layers.GaussianDropout(0.3, seed=5), True),
    ],
    ids=["dropout_seeded", "dropout", "gaussian_noise", "gaussian_dropout_seeded"],
)
@pytest.mark.parametrize("device", [GPU])
def test_a_fit_draws_the_same_masks_on_both_devices_and_follows_the_global_seed(
    noise: Any, seeded: bool, device: str
) -> None:
    x = np.random.default_rng(0).normal(size=(32, 4)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)

    def fit(device: str, seed: int) -> list[float]:
        keras.utils.set_random_seed(seed)
        dense = dict(kernel_initializer="ones")
        model = keras.Sequential(
            [keras.Input((4,)), layers.Dense(6, **dense), noise(), layers.Dense(1, **dense)], device=device
        )
        model.compile(keras.optimizers.SGD(0.01), "mse")
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
        return list(history["loss"])

    # The same weights (all ones) each time: only the masks differ between fits.
    cpu = fit("cpu", 3)
    np.testing.assert_allclose(fit(device, 3), cpu, rtol=1e-5)
    # An unseeded layer's masks come from the global seed on either device (a seeded one's from its own).
    assert np.allclose(fit(device, 4), cpu, rtol=1e-5) == seeded


def _fit(extra: list[Any], device: str) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = rng.normal(size=(64, 1)).astype(np.float32)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(8), *extra, layers.Dense(1)], device=device)
    model.set_weights(
        [np.random.default_rng(1).normal(0, 0.5, w.shape).astype(np.float32) for w in model.get_weights()]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    assert all(np.isfinite(history["loss"]))
    return model.get_weights()


@pytest.mark.parametrize("device", DEVICES)
def test_gradients_pass_through(device: str) -> None:
    # No noise at all: the same training as without the layer, to the bit.
    plain = _fit([], device)
    for layer in (layers.GaussianNoise(0.0), layers.GaussianDropout(0.0)):
        for a, b in zip(_fit([layer], device), plain):
            np.testing.assert_array_equal(a, b)
    # With noise the weights move differently, and training still works.
    noisy = _fit([layers.GaussianNoise(0.5, seed=3), layers.GaussianDropout(0.3, seed=3)], device)
    assert not np.allclose(noisy[0], plain[0])


# Keras 3.15.1's "dtype" in a layer's config: its serialized dtype policy.
POLICY = {
    "module": "keras",
    "class_name": "DTypePolicy",
    "config": {"name": "float32"},
    "registered_name": None,
}


def test_configs_files_and_onnx(tmp_path: Path) -> None:
    noise, drop = layers.GaussianNoise(0.25, seed=7, name="jitter"), layers.GaussianDropout(0.1, name="gd")
    assert noise.get_config() == {
        "name": "jitter",
        "trainable": True,
        "dtype": POLICY,
        "stddev": 0.25,
        "seed": 7,
    }
    assert drop.get_config() == {
        "name": "gd",
        "trainable": True,
        "dtype": POLICY,
        "rate": 0.1,
        "seed": None,
    }
    assert layers.GaussianNoise(0.1).name.startswith("gaussian_noise")
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4), noise, drop, layers.Dense(1)])
    model.save(tmp_path / "noise.keras")
    again = keras.models.load_model(tmp_path / "noise.keras")
    assert [type(layer).__name__ for layer in again.layers] == [
        "Dense",
        "GaussianNoise",
        "GaussianDropout",
        "Dense",
    ]
    assert again.layers[1].stddev == 0.25 and again.layers[1].seed == 7 and again.layers[2].rate == 0.1
    x = np.random.default_rng(2).normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    model.export(tmp_path / "noise.onnx", format="onnx", verbose=False)
    onnx.checker.check_model(onnx.load(str(tmp_path / "noise.onnx")), full_check=True)
    session = ort.InferenceSession(str(tmp_path / "noise.onnx"), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {session.get_inputs()[0].name: x})
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    ("make", "arg"),
    [
        (lambda: layers.GaussianNoise(1.5), "stddev"),
        (lambda: layers.GaussianNoise(-0.1), "stddev"),
        (lambda: layers.GaussianNoise("0.1"), "stddev"),
        (lambda: layers.GaussianDropout(1.0), "rate"),
        (lambda: layers.GaussianDropout(-0.5), "rate"),
        (lambda: layers.GaussianNoise(0.1, seed=-1), "seed"),
    ],
)
def test_bad_arguments_raise_value_errors_naming_them(make: Any, arg: str) -> None:
    with pytest.raises(ValueError, match=f"{arg}="):
        make()
    with pytest.raises(keras.NotSupportedError, match="training=True in a call on tensors"):
        layers.GaussianNoise(0.1)(keras.Input((X.shape[1],)), training=True)
