"""Dense's ``activity_regularizer`` in ``fit`` and ``evaluate`` (Keras 3.14+: each call adds
``regularizer(output) / batch_rows`` to the loss, in training and test steps alike, frozen layers included, and
never to a metric): Keras-run goldens, a NumPy reference of SGD steps, save/load round trips, and a file Keras
wrote, on every device."""

from __future__ import annotations

import os
from typing import Any, Callable

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

R = keras.regularizers
HERE = os.path.dirname(os.path.abspath(__file__))


def _golden_model(device: str) -> keras.Sequential:
    reg = R.L2(1.0)
    dense = keras.layers.Dense(1, use_bias=False, kernel_initializer="ones", activity_regularizer=reg)
    return keras.Sequential([keras.Input((1,)), dense], device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_compat_16_1_golden(device: str) -> None:
    # KERAS_COMPAT_2 §16.1: kernel 1, L2(1.0) on x [1,2,3,4], y 0: evaluate 15.0 = mse 7.5 + 30/4; mse stays 7.5.
    x = np.array([[1.0], [2.0], [3.0], [4.0]], np.float32)
    y = np.zeros((4, 1), np.float32)
    model = _golden_model(device)
    model.compile(keras.optimizers.SGD(0.01), loss="mse", metrics=["mse"])
    assert model.evaluate(x, y, verbose=0) == pytest.approx([15.0, 7.5], rel=1e-6)
    # Keras 3.15.1 gives 15.0 in batches of 3 as well: Σ_b p_b/rows_b, weighted by rows_b, is Σ_b p_b / rows.
    assert model.evaluate(x, y, batch_size=3, verbose=0) == pytest.approx([15.0, 7.5], rel=1e-6)
    h = model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert h.history["loss"] == pytest.approx([15.0], rel=1e-6)
    assert h.history["mse"] == pytest.approx([7.5], rel=1e-6)
    # d/dw [mean((w·x)²) + Σ(w·x)²/4] = 2·30/4 + 2·30/4 = 30 at w = 1: one SGD(0.01) step gives 0.7.
    assert float(model.get_weights()[0][0, 0]) == pytest.approx(0.7, rel=1e-6)


def _data(kind: str, out: int, n: int = 8) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    if kind == "reg":
        y = rng.normal(size=(n, out)).astype(np.float32)
    elif kind == "bin":
        y = (rng.random((n, 1)) > 0.5).astype(np.float32)
    else:
        y = np.eye(out, dtype=np.float32)[rng.integers(0, out, n)]
    return x, y


Reg = Callable[[], Any]
# name: (hidden activation, hidden regularizer, units, output activation, output regularizer, loss, data, frozen)
CASES: dict[str, tuple[str, Reg, int, str | None, Reg, Any, str, bool]] = {
    "relu_linear": ("relu", lambda: R.L1(0.1), 1, None, lambda: R.L2(0.05), "mse", "reg", False),
    "tanh_sigmoid": (
        "tanh",
        lambda: R.L1L2(0.02, 0.03),
        1,
        "sigmoid",
        lambda: R.L1(0.2),
        "binary_crossentropy",
        "bin",
        False,
    ),
    "relu_softmax": (
        "relu",
        lambda: R.L2(0.1),
        3,
        "softmax",
        lambda: R.L1L2(0.05, 0.1),
        "categorical_crossentropy",
        "cat",
        False,
    ),
    "relu_linear_sum_sw": ("relu", lambda: R.L1(0.1), 1, None, lambda: R.L2(0.05), "sum", "reg", False),
    "frozen_hidden": ("relu", lambda: R.L1(0.3), 1, None, lambda: None, "mse", "reg", True),
}
SW = np.array([1, 0, 2, 0.5, 3, 1, 1, 2], np.float32)

# Keras 3.15.1 (TensorFlow) on CASES: weights drawn by default_rng(1) (normal, scale 0.5, in get_weights order),
# SGD(0.1), metrics ["mse"]; evaluate (batch 3), fit 2 epochs (batch 3, no shuffling, validation on the first 5
# rows), evaluate (batch 5). ("sum_sw": MeanSquaredError(reduction="sum") with sample weights SW.)
GOLDEN: dict[str, tuple[list[float], dict[str, list[float]], list[float]]] = {
    "relu_linear": (
        [0.449979692697525, 0.3809646964073181],
        {
            "loss": [0.44799453020095825, 0.41656816005706787],
            "mse": [0.3798958659172058, 0.3487413823604584],
            "val_loss": [0.4547731876373291, 0.4494972229003906],
            "val_mse": [0.3799600601196289, 0.37553462386131287],
        },
        [0.39551156759262085, 0.32620322704315186],
    ),
    "tanh_sigmoid": (
        [0.8176007270812988, 0.23118840157985687],
        {
            "loss": [0.8172235488891602, 0.7936151027679443],
            "mse": [0.23083654046058655, 0.21742486953735352],
            "val_loss": [0.8001209497451782, 0.7806639075279236],
            "val_mse": [0.21760711073875427, 0.2064071148633957],
        },
        [0.772786557674408, 0.2057938277721405],
    ),
    "relu_softmax": (
        [1.1719245910644531, 0.21428526937961578],
        {
            "loss": [1.1764918565750122, 1.1269874572753906],
            "mse": [0.2153642475605011, 0.20379538834095],
            "val_loss": [1.3915565013885498, 1.3483631610870361],
            "val_mse": [0.2682247757911682, 0.2575147747993469],
        },
        [1.0983262062072754, 0.19711875915527344],
    ),
    "relu_linear_sum_sw": (
        [1.204778790473938, 0.3809646964073181],
        {
            "loss": [1.1034166812896729, 1.054369330406189],
            "mse": [0.3163957893848419, 0.3822614550590515],
            "val_loss": [1.345136046409607, 1.0633971691131592],
            "val_mse": [0.43340396881103516, 0.3497496247291565],
        },
        [1.3546737432479858, 0.2817375361919403],
    ),
    "frozen_hidden": (
        [0.5865598320960999, 0.3809646964073181],
        {
            "loss": [0.5842039585113525, 0.5551398992538452],
            "mse": [0.3786088228225708, 0.34954479336738586],
            "val_loss": [0.6012272834777832, 0.6037706732749939],
            "val_mse": [0.3823855221271515, 0.3849289119243622],
        },
        [0.5417120456695557, 0.3361169099807739],
    ),
}
# relu_linear's weights after the fit above.
RELU_LINEAR_WEIGHTS = [
    [
        [0.15845420956611633, 0.410304456949234, 0.15208671987056732, -0.6406259536743164],
        [0.43419283628463745, 0.26199057698249817, -0.262084037065506, 0.3271874785423279],
        [0.18900777399539948, 0.11687611043453217, 0.010833083651959896, 0.25500792264938354],
    ],
    [-0.3866511583328247, -0.09434931725263596, -0.2506697475910187, 0.27261272072792053],
    [[-0.01254200004041195], [-0.23724690079689026], [-0.3911589980125427], [-0.24134406447410583]],
    [-0.16809159517288208],
]


def _case_model(name: str, device: str) -> tuple[keras.Sequential, np.ndarray, np.ndarray, np.ndarray | None]:
    hidden_act, hidden_reg, units, out_act, out_reg, loss, kind, frozen = CASES[name]
    x, y = _data(kind, units)
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, activation=hidden_act, activity_regularizer=hidden_reg()),
            keras.layers.Dense(units, activation=out_act, activity_regularizer=out_reg()),
        ],
        device=device,
    )
    model.layers[0].trainable = not frozen
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in model.get_weights()])
    sw = SW if loss == "sum" else None
    loss_obj = keras.losses.MeanSquaredError(reduction="sum") if loss == "sum" else loss
    model.compile(keras.optimizers.SGD(0.1), loss=loss_obj, metrics=["mse"])
    return model, x, y, sw


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", list(CASES))
def test_fit_and_evaluate_match_keras(device: str, name: str) -> None:
    model, x, y, sw = _case_model(name, device)
    before, history, after = GOLDEN[name]
    assert model.evaluate(x, y, sample_weight=sw, batch_size=3, verbose=0) == pytest.approx(before, rel=1e-5)
    h = model.fit(
        x,
        y,
        sample_weight=sw,
        batch_size=3,
        epochs=2,
        shuffle=False,
        verbose=0,
        validation_data=(x[:5], y[:5]),
    )
    for key, want in history.items():
        assert h.history[key] == pytest.approx(want, rel=2e-5), key
    assert model.evaluate(x, y, batch_size=5, verbose=0) == pytest.approx(after, rel=2e-5)
    if name == "relu_linear":
        for got, want in zip(model.get_weights(), RELU_LINEAR_WEIGHTS):
            np.testing.assert_allclose(got, np.array(want, np.float32), rtol=1e-4, atol=1e-6)


def _penalty(p: tuple[float, float], v: np.ndarray) -> tuple[float, np.ndarray]:
    """(l1·Σ|v| + l2·Σv², its gradient)."""
    l1, l2 = p
    return float(l1 * np.abs(v).sum() + l2 * (v * v).sum()), l1 * np.sign(v) + 2 * l2 * v


def _reference(
    x: np.ndarray, y: np.ndarray, weights: list[np.ndarray], out: str, regs: tuple, batch: int, epochs: int
) -> tuple[list[float], list[np.ndarray]]:
    """SGD(0.1) on relu Dense → Dense(`out`) with activity penalties `regs` (l1, l2) on both: per batch the
    mean loss plus each p(output)/rows; the epoch's loss weights each batch by its rows."""
    w1, b1, w2, b2 = (w.astype(np.float64) for w in weights)
    history = []
    for _ in range(epochs):
        total = 0.0
        for s in range(0, len(x), batch):
            xb, yb = x[s : s + batch].astype(np.float64), y[s : s + batch].astype(np.float64)
            n, k = yb.shape
            z1 = xb @ w1 + b1
            h = np.maximum(z1, 0)
            z2 = h @ w2 + b2
            if out == "linear":
                p = z2
                loss = ((p - yb) ** 2).mean()
                dz2 = 2 * (p - yb) / (n * k)
            elif out == "sigmoid":
                p = 1 / (1 + np.exp(-z2))
                loss = -(yb * np.log(p) + (1 - yb) * np.log(1 - p)).mean()
                dz2 = (p - yb) / (n * k)
            else:
                e = np.exp(z2 - z2.max(axis=1, keepdims=True))
                p = e / e.sum(axis=1, keepdims=True)
                loss = -(yb * np.log(p)).sum(axis=1).mean()
                dz2 = (p - yb) / n
            r1, g1 = _penalty(regs[0], h)
            r2, g2 = _penalty(regs[1], p)
            v = g2 / n
            if out == "sigmoid":
                v = v * p * (1 - p)
            elif out == "softmax":
                v = p * (v - (v * p).sum(axis=1, keepdims=True))
            dz2 = dz2 + v
            total += (loss + (r1 + r2) / n) * n
            dh = dz2 @ w2.T + g1 / n
            dz1 = dh * (z1 > 0)
            grads = (xb.T @ dz1, dz1.sum(0), h.T @ dz2, dz2.sum(0))
            w1, b1, w2, b2 = (w - 0.1 * g for w, g in zip((w1, b1, w2, b2), grads))
        history.append(total / len(x))
    return history, [w1, b1, w2, b2]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("out", ["linear", "sigmoid", "softmax"])
def test_sgd_steps_match_a_numpy_reference(device: str, out: str) -> None:
    rng = np.random.default_rng(3)
    units = 3 if out == "softmax" else 1
    x = rng.normal(size=(10, 4)).astype(np.float32)
    if out == "linear":
        y, loss = rng.normal(size=(10, 1)).astype(np.float32), "mse"
    elif out == "sigmoid":
        y, loss = (rng.random((10, 1)) > 0.5).astype(np.float32), "binary_crossentropy"
    else:
        y, loss = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 10)], "categorical_crossentropy"
    regs = ((0.05, 0.1), (0.1, 0.2))
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(6, activation="relu", activity_regularizer=R.L1L2(*regs[0])),
            keras.layers.Dense(units, activation=out, activity_regularizer=R.L1L2(*regs[1])),
        ],
        device=device,
    )
    weights = [rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in model.get_weights()]
    model.set_weights(weights)
    model.compile(keras.optimizers.SGD(0.1), loss=loss)
    h = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    want_history, want_weights = _reference(x, y, weights, out, regs, 4, 3)
    assert h.history["loss"] == pytest.approx(want_history, rel=1e-4)
    for got, want in zip(model.get_weights(), want_weights):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("device", DEVICES)
def test_penalty_is_in_the_loss_only(device: str) -> None:
    model, x, y, _ = _case_model("relu_linear", device)
    stack = [keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)]
    plain = keras.Sequential(stack, device=device)
    plain.set_weights(model.get_weights())
    plain.compile(keras.optimizers.SGD(0.1), loss="mse", metrics=["mse"])
    with_penalty, without = model.evaluate(x, y, verbose=0), plain.evaluate(x, y, verbose=0)
    assert with_penalty[1] == pytest.approx(without[1], rel=1e-6)
    assert with_penalty[0] > without[0] + 1e-3


@pytest.mark.parametrize("device", DEVICES)
def test_save_load_round_trip(device: str, tmp_path: Any) -> None:
    model, x, y, _ = _case_model("tanh_sigmoid", device)
    model.fit(x, y, batch_size=3, epochs=1, shuffle=False, verbose=0)
    config = model.layers[0].get_config()
    assert config["activity_regularizer"]["class_name"] == "L1L2"
    assert "activity_regularizer" not in keras.layers.Dense(2).get_config()
    again = keras.layers.Dense(4, activity_regularizer=config["activity_regularizer"])
    assert (again.activity_regularizer.l1, again.activity_regularizer.l2) == pytest.approx((0.02, 0.03))
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras").to(device)
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)
    h1 = model.fit(x, y, batch_size=3, epochs=1, shuffle=False, verbose=0)
    h2 = loaded.fit(x, y, batch_size=3, epochs=1, shuffle=False, verbose=0)
    assert h2.history["loss"] == pytest.approx(h1.history["loss"], rel=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_keras_written_file_loads_compiled_and_trains_on(device: str) -> None:
    # tests/fixtures/activity/make_activity_fixture.py (Keras 3.15.1, TensorFlow).
    ref = np.load(os.path.join(HERE, "fixtures", "activity", "activity.npz"))
    model = keras.models.load_model(os.path.join(HERE, "fixtures", "activity", "activity.keras")).to(device)
    assert isinstance(model.layers[1].activity_regularizer, R.L2)
    x, y = ref["x"], ref["y"]
    assert model.evaluate(x, y, batch_size=8, verbose=0) == pytest.approx(list(ref["evaluated"]), rel=1e-5)
    h = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert h.history["loss"] == pytest.approx(list(ref["loss"]), rel=1e-5)
    for i, got in enumerate(model.get_weights()):
        np.testing.assert_allclose(got, ref[f"w{i}"], rtol=1e-5, atol=1e-6)
