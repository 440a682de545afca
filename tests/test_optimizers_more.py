"""Adagrad, Adamax, Lion and Adadelta: several fit steps against NumPy re-implementations of Keras 3's update rules (on
the CPU and, where an adapter exists, the GPU), configs, names, and `.keras` round trips with optimizer state."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers
from keras_lite._unsupported import NotSupportedError


def _gpu_reason() -> str | None:
    try:
        return None if keras.config.resolve_device("gpu") == "gpu" else "no GPU adapter"
    except RuntimeError as e:
        return str(e)


GPU_SKIP = _gpu_reason()
DEVICES = ["cpu", pytest.param("gpu", marks=pytest.mark.skipif(GPU_SKIP is not None, reason=f"{GPU_SKIP}"))]

X = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [1.0, 1.0]], np.float32)
Y = np.array([[1.0], [-0.5], [2.0], [0.25]], np.float32)
W0 = np.array([[0.3], [-0.2]], np.float32)
B0 = np.array([0.1], np.float32)


def _adagrad(lr: float = 0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7) -> Any:
    def init(p: np.ndarray) -> list[np.ndarray]:
        return [np.full_like(p, initial_accumulator_value)]

    def step(p: np.ndarray, g: np.ndarray, s: list[np.ndarray], t: int) -> np.ndarray:
        s[0] += g * g
        return p - lr * g / np.sqrt(s[0] + epsilon)

    return init, step


def _adamax(lr: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7) -> Any:
    def init(p: np.ndarray) -> list[np.ndarray]:
        return [np.zeros_like(p), np.zeros_like(p)]

    def step(p: np.ndarray, g: np.ndarray, s: list[np.ndarray], t: int) -> np.ndarray:
        s[0] += (g - s[0]) * (1 - beta_1)
        s[1] = np.maximum(beta_2 * s[1], np.abs(g))
        return p - lr * s[0] / ((1 - beta_1**t) * (s[1] + epsilon))

    return init, step


def _lion(lr: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.99) -> Any:
    def init(p: np.ndarray) -> list[np.ndarray]:
        return [np.zeros_like(p)]

    def step(p: np.ndarray, g: np.ndarray, s: list[np.ndarray], t: int) -> np.ndarray:
        new = p - lr * np.sign(s[0] * beta_1 + g * (1 - beta_1))
        s[0] = s[0] * beta_2 + g * (1 - beta_2)
        return new

    return init, step


def _adadelta(lr: float = 0.001, rho: float = 0.95, epsilon: float = 1e-7) -> Any:
    def init(p: np.ndarray) -> list[np.ndarray]:
        return [np.zeros_like(p), np.zeros_like(p)]

    def step(p: np.ndarray, g: np.ndarray, s: list[np.ndarray], t: int) -> np.ndarray:
        s[0] = rho * s[0] + (1 - rho) * g * g
        delta = -np.sqrt(s[1] + epsilon) * g / np.sqrt(s[0] + epsilon)
        s[1] = rho * s[1] + (1 - rho) * delta * delta
        return p + lr * delta

    return init, step


CASES: dict[str, tuple[Callable[[], Any], Any]] = {
    "adagrad": (lambda: keras.optimizers.Adagrad(), _adagrad()),
    "adagrad_custom": (
        lambda: keras.optimizers.Adagrad(learning_rate=0.1, initial_accumulator_value=0.5, epsilon=1e-3),
        _adagrad(0.1, 0.5, 1e-3),
    ),
    "adamax": (lambda: keras.optimizers.Adamax(), _adamax()),
    "adamax_custom": (
        lambda: keras.optimizers.Adamax(learning_rate=0.05, beta_1=0.5, beta_2=0.9, epsilon=1e-3),
        _adamax(0.05, 0.5, 0.9, 1e-3),
    ),
    "lion": (lambda: keras.optimizers.Lion(), _lion()),
    "adadelta": (lambda: keras.optimizers.Adadelta(), _adadelta()),
    "adadelta_custom": (
        lambda: keras.optimizers.Adadelta(learning_rate=1.0, rho=0.9, epsilon=1e-6),
        _adadelta(1.0, 0.9, 1e-6),
    ),
    "lion_custom": (
        lambda: keras.optimizers.Lion(learning_rate=0.01, beta_1=0.5, beta_2=0.9),
        _lion(0.01, 0.5, 0.9),
    ),
}


def _reference(rule: Any, steps: int) -> list[np.ndarray]:
    init, step = rule
    w, b = W0.astype(np.float64), B0.astype(np.float64)
    sw, sb = init(w), init(b)
    x, y = X.astype(np.float64), Y.astype(np.float64)
    for t in range(1, steps + 1):
        err = x @ w + b - y
        gw, gb = 2 * x.T @ err / len(x), 2 * err.sum(0) / len(x)
        w, b = step(w, gw, sw, t), step(b, gb, sb, t)
    return [w, b]


def _model(optimizer: Any, device: str = "cpu") -> keras.Sequential:
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)], device=device)
    model.compile(optimizer=optimizer, loss="mse")
    model.set_weights([W0, B0])
    return model


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("device", DEVICES)
def test_fit_matches_keras_rule(device: str, case: str) -> None:
    make, rule = CASES[case]
    model = _model(make(), device)
    model.fit(X, Y, batch_size=4, epochs=5, shuffle=False, verbose=0)
    assert model.optimizer.iterations == 5
    for got, want in zip(model.get_weights(), _reference(rule, 5)):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


def test_defaults_configs_and_names() -> None:
    ada = keras.optimizers.Adagrad()
    assert (ada.learning_rate, ada.initial_accumulator_value, ada.epsilon, ada.name) == (
        0.001,
        0.1,
        1e-7,
        "adagrad",
    )
    amax = keras.optimizers.Adamax()
    assert (amax.learning_rate, amax.beta_1, amax.beta_2, amax.epsilon, amax.name) == (
        0.001,
        0.9,
        0.999,
        1e-7,
        "adamax",
    )
    lion = keras.optimizers.Lion()
    assert (lion.learning_rate, lion.beta_1, lion.beta_2, lion.name) == (0.001, 0.9, 0.99, "lion")
    for name, cls in [("adagrad", "Adagrad"), ("Adamax", "Adamax"), ("LION", "Lion")]:
        assert type(keras.optimizers.get(name)).__name__ == cls
    cfg = keras.optimizers.Adagrad(learning_rate=0.1, initial_accumulator_value=0.5).get_config()
    assert cfg == {  # Keras 3.15.1's keys and values
        "name": "adagrad_2",  # the third Adagrad of the session (Keras numbers them)
        "learning_rate": float(np.float32(0.1)),  # held in float32, as Keras 3 saves it
        "weight_decay": None,
        "clipnorm": None,
        "global_clipnorm": None,
        "clipvalue": None,
        "use_ema": False,
        "ema_momentum": 0.99,
        "ema_overwrite_frequency": None,
        "loss_scale_factor": None,
        "gradient_accumulation_steps": None,
        "initial_accumulator_value": 0.5,
        "epsilon": 1e-7,
    }
    clipped = keras.optimizers.Adamax(clipnorm=0.5)
    again = keras.optimizers.Adamax.from_config(clipped.get_config())
    assert again.clipnorm == 0.5 and again.get_config() == {**clipped.get_config(), "name": again.name}
    assert keras.optimizers.Lion(beta_2=0.5).get_config()["beta_2"] == 0.5
    with pytest.raises(
        ValueError, match=r"Argument `beta_1` must be in the \[0, 1\] range.*Received: beta_1=0.0"
    ):
        keras.optimizers.Lion(beta_1=0.0)
    with pytest.raises(NotSupportedError, match="use_ema"):
        keras.optimizers.Adamax(use_ema=True)
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        keras.optimizers.Adagrad(rho=0.5)


def _opt_vars(path: Path) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(path) as z, h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as h5:
        return {k: v[()] for k, v in h5["optimizer/vars"].items()}


@pytest.mark.parametrize(
    ("case", "groups"),
    [
        ("adagrad_custom", ["accumulator"]),
        ("adamax_custom", ["momentum", "norm"]),
        ("lion_custom", ["momentum"]),
        ("adadelta_custom", ["accumulated_grad", "accumulated_delta_var"]),
    ],
)
def test_keras_file_round_trip_resumes_exactly(tmp_path: Path, case: str, groups: list[str]) -> None:
    make, _ = CASES[case]
    whole = _model(make())
    whole.fit(X, Y, batch_size=2, epochs=4, shuffle=False, verbose=0)
    half = _model(make())
    half.fit(X, Y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    path = tmp_path / "m.keras"
    half.save(path)
    # Keras's layout: iterations, learning_rate, then per weight (kernel, bias) each slot of the group.
    stored = _opt_vars(path)
    assert len(stored) == 2 + 2 * len(groups) and int(stored["0"]) == 4
    _, rows = half._net.optimizer_state()
    by_key = {(w, s): v for w, s, v in rows}
    weights = list(dict.fromkeys(w for w, _, _ in rows))
    for i, (w, s) in enumerate(((w, s) for w in weights for s in groups), start=2):
        np.testing.assert_array_equal(stored[str(i)].reshape(-1), np.asarray(by_key[(w, s)]).reshape(-1))
    loaded = keras.models.load_model(path)
    assert type(loaded.optimizer) is type(half.optimizer)
    assert loaded.optimizer.get_config() == half.optimizer.get_config()
    assert loaded.optimizer.iterations == 4
    loaded.fit(X, Y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), whole.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_compile_config_class_names(tmp_path: Path) -> None:
    for make in (
        keras.optimizers.Adagrad,
        keras.optimizers.Adamax,
        keras.optimizers.Lion,
        keras.optimizers.Adadelta,
    ):
        model = _model(make())
        path = tmp_path / f"{make.__name__}.keras"
        model.save(path)
        with zipfile.ZipFile(path) as z:
            opt = json.loads(z.read("config.json"))["compile_config"]["optimizer"]
        assert opt["class_name"] == make.__name__ and opt["module"] == "keras.optimizers"
        assert keras.models.load_model(path).optimizer.get_config() == model.optimizer.get_config()


@pytest.mark.parametrize(
    "name", ["Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adamax", "Lion", "Nadam", "Adadelta"]
)
def test_serialize_and_from_config_keep_every_setting(name: str) -> None:
    cls = getattr(keras.optimizers, name)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=10, decay_rate=0.5)
    for opt in (cls(learning_rate=0.02, global_clipnorm=1.5), cls(learning_rate=schedule, clipvalue=0.25)):
        cfg = opt.get_config()
        for again in (cls.from_config(cfg), keras.optimizers.deserialize(keras.optimizers.serialize(opt))):
            assert type(again) is cls and again.get_config() == cfg
        assert keras.optimizers.get(keras.optimizers.serialize(opt)).get_config() == cfg
        assert keras.optimizers.serialize(opt)["class_name"] == name
    with pytest.raises(TypeError, match="dict"):
        keras.optimizers.deserialize(name.lower())
