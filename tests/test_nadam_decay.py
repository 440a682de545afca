"""Nadam and weight decay (every optimizer, exclude_from_weight_decay) as Keras 3 applies them: live-Keras
goldens and NumPy references on each device, schedules, clipping and learning-rate callbacks, configs, bad
arguments, and `.keras` files both ways (Nadam's ``u_product`` after the slots), Keras's own included."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

OPT = keras.optimizers
X = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [1.0, 1.0]], np.float32)
Y = np.array([[1.0], [-0.5], [2.0], [0.25]], np.float32)
W0 = np.array([[0.3], [-0.2]], np.float32)
B0 = np.array([0.1], np.float32)
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "nadam")


def _exp(lr0: float, steps: int, rate: float) -> Callable[[int], float]:
    return lambda t: lr0 * rate ** (t / steps)


# Keras 3.15.1 (TensorFlow), printed by fitting these from (W0, B0) on (X, Y): batch_size=4, 5 epochs, unshuffled.
KERAS: dict[str, tuple[Callable[[], Any], list[float], list[float]]] = {
    "nadam": (lambda: OPT.Nadam(), [0.2960420548915863, -0.1960449367761612], [0.10395553708076477]),
    "nadam_custom": (
        lambda: OPT.Nadam(learning_rate=0.05, beta_1=0.5, beta_2=0.9, epsilon=1e-3),
        [0.05253971740603447, 0.03115032985806465],
        [0.3345250189304352],
    ),
    "nadam_schedule": (
        lambda: OPT.Nadam(learning_rate=OPT.schedules.ExponentialDecay(0.05, 2, 0.5)),
        [0.18194204568862915, -0.08463003486394882],
        [0.21584734320640564],
    ),
    "nadam_decay": (
        lambda: OPT.Nadam(learning_rate=0.05, weight_decay=0.1),
        [0.10184977948665619, -0.012787498533725739],
        [0.28198593854904175],
    ),
    "sgd_decay": (
        lambda: OPT.SGD(learning_rate=0.05, momentum=0.9, weight_decay=0.2),
        [-0.5188333988189697, 0.6576250195503235],
        [0.6056764721870422],
    ),
    "rmsprop_decay": (
        lambda: OPT.RMSprop(learning_rate=0.01, weight_decay=0.2),
        [0.19269628822803497, -0.09633346647024155],
        [0.20126187801361084],
    ),
    "adam_decay": (
        lambda: OPT.Adam(learning_rate=0.01, weight_decay=0.2),
        [0.24725303053855896, -0.14831332862377167],
        [0.14871565997600555],
    ),
    "adagrad_decay": (
        lambda: OPT.Adagrad(learning_rate=0.1, weight_decay=0.2),
        [-0.014436164870858192, 0.07822035253047943],
        [0.3558484613895416],
    ),
    "adamax_decay": (
        lambda: OPT.Adamax(learning_rate=0.01, weight_decay=0.2),
        [0.24759866297245026, -0.1492595076560974],
        [0.14792214334011078],
    ),
    "lion_decay": (
        lambda: OPT.Lion(learning_rate=0.01, weight_decay=0.2),
        [0.24721162021160126, -0.14820754528045654],
        [0.14880439639091492],
    ),
    "adamw_schedule": (
        lambda: OPT.AdamW(learning_rate=OPT.schedules.ExponentialDecay(0.05, 2, 0.5), weight_decay=0.3),
        [0.14957214891910553, -0.05438551679253578],
        [0.23340147733688354],
    ),
}


def _model(optimizer: Any, device: str = "cpu") -> keras.Sequential:
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)], device=device)
    model.compile(optimizer=optimizer, loss="mse")
    model.set_weights([W0, B0])
    return model


@pytest.mark.parametrize("case", sorted(KERAS))
@pytest.mark.parametrize("device", DEVICES)
def test_fit_matches_live_keras(device: str, case: str) -> None:
    make, kernel, bias = KERAS[case]
    model = _model(make(), device)
    model.fit(X, Y, batch_size=4, epochs=5, shuffle=False, verbose=0)
    got_k, got_b = model.get_weights()
    np.testing.assert_allclose(got_k.ravel(), kernel, rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(got_b, bias, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_exclude_bias_by_name_matches_live_keras(device: str) -> None:
    opt = OPT.SGD(learning_rate=0.05, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    model = _model(opt, device)
    model.fit(X, Y, batch_size=4, epochs=5, shuffle=False, verbose=0)
    k, b = model.get_weights()
    np.testing.assert_allclose(k.ravel(), [-0.03795129433274269, 0.1642828732728958], rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(b, [0.31008923053741455], rtol=2e-5, atol=2e-6)


# ---- NumPy references ----------------------------------------------------------------------------------------
def _nadam(beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7) -> Any:
    def u(t: int) -> float:
        return beta_1 * (1 - 0.5 * 0.96**t)

    def step(p: np.ndarray, g: np.ndarray, s: dict[str, Any], t: int, lr: float) -> np.ndarray:
        m, v = s.setdefault("m", np.zeros_like(p)), s.setdefault("v", np.zeros_like(p))
        m += (g - m) * (1 - beta_1)
        v += (g * g - v) * (1 - beta_2)
        prod = float(np.prod([u(i) for i in range(1, t + 1)]))
        m_hat = u(t + 1) * m / (1 - prod * u(t + 1)) + (1 - u(t)) * g / (1 - prod)
        return p - lr * m_hat / (np.sqrt(v / (1 - beta_2**t)) + epsilon)

    return step


def _sgd(momentum: float) -> Any:
    def step(p: np.ndarray, g: np.ndarray, s: dict[str, Any], t: int, lr: float) -> np.ndarray:
        m = s.setdefault("m", np.zeros_like(p))
        m[...] = momentum * m - lr * g
        return p + m

    return step


def _adagrad(p: np.ndarray, g: np.ndarray, s: dict[str, Any], t: int, lr: float) -> np.ndarray:
    a = s.setdefault("a", np.full_like(p, 0.1))
    a += g * g
    return p - lr * g / np.sqrt(a + 1e-7)


def _reference(
    rule: Any,
    steps: int,
    lr: Callable[[int], float],
    decay: float = 0.0,
    decay_bias: bool = True,
    clipnorm: float | None = None,
) -> list[np.ndarray]:
    """Full-batch mse steps on (X, Y): Keras's clipping, then `w -= w * decay * lr`, then the update."""
    w, b = W0.astype(np.float64), B0.astype(np.float64)
    sw: dict[str, Any] = {}
    sb: dict[str, Any] = {}
    x, y = X.astype(np.float64), Y.astype(np.float64)
    for t in range(1, steps + 1):
        err = x @ w + b - y
        gw, gb = 2 * x.T @ err / len(x), 2 * err.sum(0) / len(x)
        if clipnorm is not None:
            gw = gw * clipnorm / max(np.linalg.norm(gw), clipnorm)
            gb = gb * clipnorm / max(np.linalg.norm(gb), clipnorm)
        rate = lr(t - 1)
        w = w - w * decay * rate
        b = b - b * decay * rate if decay_bias else b
        w, b = rule(w, gw, sw, t, rate), rule(b, gb, sb, t, rate)
    return [w, b]


REFERENCES: dict[str, tuple[Callable[[], Any], Any, dict[str, Any]]] = {
    "nadam": (lambda: OPT.Nadam(learning_rate=0.02), _nadam(), {"lr": lambda t: 0.02}),
    "nadam_schedule_decay": (
        lambda: OPT.Nadam(
            OPT.schedules.ExponentialDecay(0.05, 3, 0.7), beta_1=0.8, beta_2=0.95, weight_decay=0.15
        ),
        _nadam(0.8, 0.95),
        {"lr": _exp(0.05, 3, 0.7), "decay": 0.15},
    ),
    "nadam_clipnorm_decay": (
        lambda: OPT.Nadam(learning_rate=0.03, epsilon=1e-4, weight_decay=0.3, clipnorm=0.5),
        _nadam(epsilon=1e-4),
        {"lr": lambda t: 0.03, "decay": 0.3, "clipnorm": 0.5},
    ),
    "sgd_schedule_decay": (
        lambda: OPT.SGD(OPT.schedules.ExponentialDecay(0.1, 2, 0.5), momentum=0.5, weight_decay=0.4),
        _sgd(0.5),
        {"lr": _exp(0.1, 2, 0.5), "decay": 0.4},
    ),
    "adagrad_decay_int": (
        lambda: OPT.Adagrad(learning_rate=0.1, weight_decay=1),
        _adagrad,
        {"lr": lambda t: 0.1, "decay": 1.0},
    ),
}


@pytest.mark.parametrize("case", sorted(REFERENCES))
@pytest.mark.parametrize("device", DEVICES)
def test_fit_matches_numpy_reference(device: str, case: str) -> None:
    make, rule, kw = REFERENCES[case]
    model = _model(make(), device)
    model.fit(X, Y, batch_size=4, epochs=7, shuffle=False, verbose=0)
    assert model.optimizer.iterations == 7
    for got, want in zip(model.get_weights(), _reference(rule, 7, **kw)):
        np.testing.assert_allclose(got, want, rtol=3e-5, atol=3e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_learning_rate_callback_reaches_nadam_and_its_decay(device: str) -> None:
    # One step an epoch: the callback's rate for epoch e is step e's.
    def rate(epoch: int, lr: float) -> float:
        return 0.04 / (1 + epoch)

    model = _model(OPT.Nadam(learning_rate=0.5, weight_decay=0.2), device)
    cb = keras.callbacks.LearningRateScheduler(rate)
    model.fit(X, Y, batch_size=4, epochs=6, shuffle=False, verbose=0, callbacks=[cb])
    want = _reference(_nadam(), 6, lambda t: 0.04 / (1 + t), decay=0.2)
    for got, w in zip(model.get_weights(), want):
        np.testing.assert_allclose(got, w, rtol=3e-5, atol=3e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_exclude_by_variable_and_several_batches(device: str) -> None:
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)], device=device)
    opt = OPT.Adagrad(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_list=[model.layers[0].kernel])
    model.compile(optimizer=opt, loss="mse")
    model.set_weights([W0, B0])
    model.fit(X, Y, batch_size=4, epochs=4, shuffle=False, verbose=0)
    # Only the bias decays; the excluded kernel takes the plain Adagrad step.
    w, b = W0.astype(np.float64), B0.astype(np.float64)
    sw: dict[str, Any] = {}
    sb: dict[str, Any] = {}
    for t in range(1, 5):
        err = X @ w + b - Y
        gw, gb = 2 * X.T @ err / 4, 2 * err.sum(0) / 4
        b = b - b * 0.5 * 0.1
        w, b = _adagrad(w, gw, sw, t, 0.1), _adagrad(b, gb, sb, t, 0.1)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=3e-5, atol=3e-6)
    np.testing.assert_allclose(model.get_weights()[1], b, rtol=3e-5, atol=3e-6)
    with pytest.raises(keras.NotSupportedError, match="before compile"):
        opt.exclude_from_weight_decay(var_names=["bias"])


# ---- arguments and configs -----------------------------------------------------------------------------------
def test_defaults_configs_and_names() -> None:
    n = OPT.Nadam()
    assert (n.learning_rate, n.beta_1, n.beta_2, n.epsilon, n.name, n.weight_decay) == (
        0.001,
        0.9,
        0.999,
        1e-7,
        "nadam",
        None,
    )
    assert type(OPT.get("nadam")).__name__ == "Nadam" and type(OPT.get("Nadam")) is OPT.Nadam
    cfg = OPT.Nadam(learning_rate=0.01, beta_1=0.8, weight_decay=0.05).get_config()
    assert cfg == {  # Keras 3.15.1's keys
        "name": "nadam_3",  # the fourth Nadam of the session (Keras numbers them)
        "learning_rate": float(np.float32(0.01)),  # held in float32, as Keras 3 saves it
        "weight_decay": 0.05,
        "clipnorm": None,
        "global_clipnorm": None,
        "clipvalue": None,
        "use_ema": False,
        "ema_momentum": 0.99,
        "ema_overwrite_frequency": None,
        "loss_scale_factor": None,
        "gradient_accumulation_steps": None,
        "beta_1": 0.8,
        "beta_2": 0.999,
        "epsilon": 1e-7,
    }
    assert OPT.Nadam(**cfg).get_config() == cfg
    for cls in (OPT.SGD, OPT.RMSprop, OPT.Adam, OPT.Adagrad, OPT.Adamax, OPT.Lion, OPT.Nadam):
        assert cls(weight_decay=0.25).get_config()["weight_decay"] == 0.25
        assert cls().weight_decay is None
    assert OPT.AdamW().weight_decay == 0.004


@pytest.mark.parametrize(
    ("make", "arg"),
    [
        (lambda: OPT.SGD(weight_decay=-0.1), "weight_decay=-0.1"),
        (lambda: OPT.Adam(weight_decay=float("nan")), "weight_decay=nan"),
        (lambda: OPT.Lion(weight_decay=float("inf")), "weight_decay=inf"),
        (lambda: OPT.RMSprop(weight_decay="0.1"), "weight_decay='0.1'"),
        (lambda: OPT.Adagrad(weight_decay=True), "weight_decay=True"),
        (lambda: OPT.AdamW(weight_decay=None), "weight_decay=None"),
        (lambda: OPT.Nadam(beta_1=1.5), "beta_1=1.5"),
        (lambda: OPT.Nadam(beta_2=-0.1), "beta_2=-0.1"),
        (lambda: OPT.Nadam(beta_1=float("nan")), "beta_1=nan"),
        (lambda: OPT.Nadam(epsilon=-1e-7), "epsilon=-1e-07"),
        (lambda: OPT.Nadam(beta_1="0.9"), "beta_1='0.9'"),
    ],
)
def test_bad_arguments_name_themselves(make: Callable[[], Any], arg: str) -> None:
    with pytest.raises(ValueError, match=f"Received: {arg}".replace("(", r"\(").replace(".", r"\.")):
        make()


def test_exclude_from_weight_decay_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match="var_names"):
        OPT.SGD(weight_decay=0.1).exclude_from_weight_decay(var_names=[1])
    with pytest.raises(TypeError, match="var_list"):
        OPT.SGD(weight_decay=0.1).exclude_from_weight_decay(var_list=[np.zeros(2)])


# ---- files -----------------------------------------------------------------------------------------------------
def _opt_vars(path: Path) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(path) as z, h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as h5:
        return {k: v[()] for k, v in h5["optimizer/vars"].items()}


@pytest.mark.parametrize("device", DEVICES)
def test_nadam_file_round_trip_resumes_exactly(tmp_path: Path, device: str) -> None:
    def make() -> Any:
        return OPT.Nadam(learning_rate=0.05, beta_1=0.8, weight_decay=0.1, clipvalue=1.0)

    whole = _model(make(), device)
    whole.fit(X, Y, batch_size=2, epochs=4, shuffle=False, verbose=0)
    half = _model(make(), device)
    half.fit(X, Y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    path = tmp_path / "m.keras"
    half.save(path)
    # Keras's layout: iterations, learning_rate, (momentum, velocity) per weight, then u_product.
    stored = _opt_vars(path)
    assert len(stored) == 7 and int(stored["0"]) == 4 and stored["6"].shape == ()
    u = np.prod([0.8 * (1 - 0.5 * 0.96**t) for t in range(1, 5)])
    np.testing.assert_allclose(stored["6"], u, rtol=1e-6)
    loaded = keras.models.load_model(path)
    assert loaded.optimizer.get_config() == half.optimizer.get_config()
    assert loaded.optimizer.iterations == 4
    loaded.to(device)
    loaded.fit(X, Y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), whole.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    # A pickle carries u_product too.
    twin = pickle.loads(pickle.dumps(half))
    twin.fit(X, Y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(twin.get_weights(), whole.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_a_file_with_a_damaged_u_product_is_refused(tmp_path: Path) -> None:
    model = _model(OPT.Nadam())
    model.fit(X, Y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "r+") as h5:
        del h5["optimizer/vars/6"]
        h5["optimizer/vars"].create_dataset("6", data=np.float32(np.nan))
    before = model.get_weights()
    with pytest.raises(ValueError, match="u_product"):
        model.load_weights(path)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["nadam", "nadam_decay_schedule", "rmsprop_decay"])
@pytest.mark.parametrize("device", DEVICES)
def test_keras_file_loads_compiled_and_trains_on_as_keras(name: str, device: str) -> None:
    # Written by Keras 3.15.1 (make_nadam_fixtures.py): the resumed weights are Keras's own after 2 more epochs.
    model = keras.models.load_model(os.path.join(FIXTURES, f"{name}.keras"))
    model.to(device)
    data = np.load(os.path.join(FIXTURES, f"{name}.resume.npz"))
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["pred"], rtol=1e-5, atol=1e-6)
    assert model.optimizer.iterations == 6
    model.fit(data["x"], data["y"], batch_size=16, epochs=2, shuffle=False, verbose=0)
    for i, got in enumerate(model.get_weights()):
        np.testing.assert_allclose(got, data[f"w{i}"], rtol=1e-4, atol=1e-5)
