"""Loss reductions and ``ignore_class`` in ``fit`` and ``evaluate`` (Keras 3's ``reduce_weighted_values`` with
``apply_mask``, and a loss tracker that weights each batch's value by its rows): Keras-run goldens, a NumPy
reference of several SGD steps, save/load round trips, and the refusals, on every device."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import _core

REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None, "none"]
X5 = np.array([[1.0], [2.0], [3.0], [4.0], [5.0]], np.float32)
SW5 = np.array([1, 0, 2, 0, 3], np.float32)

# Keras 3.15.1: Dense(1, kernel ones, bias zeros), SGD(0.01), MSE against y = 0 on X5, batch_size=2;
# evaluate first, then fit 2 epochs without shuffling: (evaluate, history, kernel, bias), unweighted and with SW5.
MSE_GOLDEN: dict[Any, tuple[tuple[float, list[float], float, float], ...]] = {
    "sum_over_batch_size": (
        (11.0, [7.851104736328125, 0.8222665786743164], 0.15806794, -0.21825936),
        (18.799999237060547, [13.270109176635742, 2.727570056915283], 0.22805321, -0.16901709),
    ),
    "sum": (
        (17.0, [10.689550399780273, 0.3737223744392395], 0.1008405, -0.2653677),
        (22.600000381469727, [12.661516189575195, 1.597145438194275], 0.14407723, -0.2069816),
    ),
    "mean_with_sample_weight": (
        (11.0, [7.851104736328125, 0.8222665786743164], 0.15806794, -0.21825936),
        (9.0, [6.924112796783447, 0.9353124499320984], 0.18933892, -0.21396446),
    ),
    None: (
        (11.0, [5.789309978485107, 0.2116190493106842], 0.1008405, -0.2653677),
        (18.799999237060547, [9.050956726074219, 1.0507261455059052], 0.14407723, -0.2069816),
    ),
}
MSE_GOLDEN["mean"] = MSE_GOLDEN["sum_over_batch_size"]
MSE_GOLDEN["none"] = MSE_GOLDEN[None]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_reductions_match_keras(device: str, reduction: Any) -> None:
    for weights, (evaluated, history, kernel, bias) in zip((None, SW5), MSE_GOLDEN[reduction]):
        init = {"kernel_initializer": "ones", "bias_initializer": "zeros"}
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, **init)], device=device)
        model.compile(keras.optimizers.SGD(0.01), loss=keras.losses.MeanSquaredError(reduction=reduction))
        y = np.zeros((5, 1), np.float32)
        got = model.evaluate(X5, y, sample_weight=weights, batch_size=2, verbose=0)
        assert got == pytest.approx(evaluated, rel=1e-6)
        h = model.fit(X5, y, sample_weight=weights, batch_size=2, epochs=2, shuffle=False, verbose=0)
        assert h.history["loss"] == pytest.approx(history, rel=1e-5)
        w, b = model.get_weights()
        assert (float(w[0, 0]), float(b[0])) == pytest.approx((kernel, bias), rel=1e-5)


# Keras 3.15.1: Dense(3, softmax) from kernel K0, bias 0; SGD(0.1); SparseCategoricalCrossentropy(ignore_class=-1)
# with labels [1, 2, -1, 0, -1]; metrics=["accuracy"]; batch_size=2; evaluate, then fit 2 epochs unshuffled.
X_CLS = np.array([[1, 0], [0, 1], [1, 1], [2, -1], [-1, 2]], np.float32)
Y_CLS = np.array([1, 2, -1, 0, -1], np.float32)
SW_CLS = np.array([1, 0.5, 2, 0, 3], np.float32)
K0 = np.array([[0.1, -0.2, 0.3], [0.4, 0.0, -0.1]], np.float32)
IGNORE_GOLDEN: dict[Any, tuple[tuple[float, list[float], list[float]], ...]] = {
    "sum_over_batch_size": (
        (1.1231720447540283, [1.1340224742889404, 0.9332858324050903], [0.34445375, -0.21495347, 0.07049972]),
        (0.4094671607017517, [0.4094671607017517, 0.3924444317817688], [0.06687277, -0.12597275, 0.25910002]),
    ),
    "sum": (
        (1.6649185419082642, [1.688631296157837, 1.447939157485962], [0.31622487, -0.15916584, 0.04294100]),
        (0.8189343214035034, [0.8189343214035034, 0.7518367171287537], [0.03502523, -0.05396206, 0.21893683]),
    ),
    "mean_with_sample_weight": (
        (1.1231720447540283, [1.1340224742889404, 0.9332858324050903], [0.34445375, -0.21495347, 0.07049972]),
        (0.5459562540054321, [0.5459562540054321, 0.5158396363258362], [0.05611356, -0.10173868, 0.24562514]),
    ),
    None: (
        (0.8324592709541321, [0.8443156480789185, 0.723969578742981], [0.31622487, -0.15916584, 0.04294100]),
        (
            0.4094671607017517,
            [0.4094671607017517, 0.37591835856437683],
            [0.03502523, -0.05396206, 0.21893683],
        ),
    ),
}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight", None])
def test_ignore_class_matches_keras(device: str, reduction: Any) -> None:
    for weights, (evaluated, history, kernel_row) in zip((None, SW_CLS), IGNORE_GOLDEN[reduction]):
        model = keras.Sequential(
            [keras.Input((2,)), keras.layers.Dense(3, activation="softmax")], device=device
        )
        model.set_weights([K0, np.zeros(3, np.float32)])
        loss = keras.losses.SparseCategoricalCrossentropy(ignore_class=-1, reduction=reduction)
        model.compile(keras.optimizers.SGD(0.1), loss=loss, metrics=["accuracy"])
        # Metrics see every sample, the ignored ones too (none is predicted right here).
        got = model.evaluate(X_CLS, Y_CLS, sample_weight=weights, batch_size=2, verbose=0)
        assert got == pytest.approx([evaluated, 0.0], rel=1e-6)
        h = model.fit(X_CLS, Y_CLS, sample_weight=weights, batch_size=2, epochs=2, shuffle=False, verbose=0)
        assert h.history["loss"] == pytest.approx(history, rel=1e-5)
        assert h.history["accuracy"] == [0.0, 0.0]
        assert model.get_weights()[0][0] == pytest.approx(kernel_row, rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("device", DEVICES)
def test_ignore_class_keras_docstring_goldens_through_evaluate(device: str) -> None:
    # §13.3: probabilities [[.05,.95,0],[.1,.8,.1]] with labels [1, 2] plus an ignored third sample give
    # 1.1769392 (the mean over the two valid samples), sum 2.3538785, none [.0513, 2.3026, 0] (mean 0.7846262).
    probs = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]], np.float32)
    for reduction, want in [("sum_over_batch_size", 1.1769392), ("sum", 2.3538785), (None, 2.3538785 / 3)]:
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, use_bias=False)], device=device)
        model.set_weights([probs])
        model.compile(
            "sgd", loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=-1, reduction=reduction)
        )
        got = model.evaluate(np.eye(3, dtype=np.float32), np.array([1, 2, -1], np.float32), verbose=0)
        assert got == pytest.approx(want, rel=1e-5)


def _numpy_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray | None, reduction: Any, ignore: int | None) -> Any:
    """SGD(0.05) on a linear layer (MSE) or a softmax layer (sparse crossentropy with ``ignore``), batches of 3,
    2 epochs in order: the history and the final weights, as Keras reduces and tracks the loss."""
    k, b = np.full((x.shape[1], 3), 0.1, np.float64), np.zeros(3)
    k[0, 1] = -0.2
    history = []
    for _ in range(2):
        total = 0.0
        for s in range(0, len(x), 3):
            xb, yb = x[s : s + 3].astype(np.float64), y[s : s + 3]
            n = len(xb)
            wb = np.ones(n) if w is None else w[s : s + 3].astype(np.float64)
            z = xb @ k + b
            if ignore is None:
                loss, dz = ((z - yb) ** 2).mean(axis=1), 2 * (z - yb) / 3
                mask = np.ones(n)
            else:
                p = np.exp(z - z.max(axis=1, keepdims=True))
                p /= p.sum(axis=1, keepdims=True)
                mask = (yb != ignore).astype(np.float64)
                cls = np.where(mask > 0, yb, 0).astype(int)
                loss = -np.log(p[np.arange(n), cls]) * mask
                dz = p - np.eye(3)[cls]
            v, sw = loss * wb * mask, wb * mask
            if reduction in ("sum_over_batch_size", "mean"):
                d = n if ignore is None else mask.sum()
            elif reduction == "mean_with_sample_weight":
                d = sw.sum() if (w is not None or ignore is not None) else n
            else:
                d = 1.0
            value = v.sum() / d if d else 0.0
            total += v.sum() if reduction is None else value * n
            g = dz * (sw / d if d else np.zeros(n))[:, None]
            k -= 0.05 * xb.T @ g
            b -= 0.05 * g.sum(axis=0)
        history.append(total / len(x))
    return history, k, b


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight", None])
@pytest.mark.parametrize("ignore", [None, 1])
def test_reductions_match_a_numpy_reference(device: str, reduction: Any, ignore: int | None) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    if ignore is None:
        y, loss = (
            rng.standard_normal((8, 3)).astype(np.float32),
            keras.losses.MeanSquaredError(reduction=reduction),
        )
        activation = "linear"
    else:
        # Labels include the ignored class 1, and a last batch (rows 6, 7) with only ignored labels.
        y = np.array([0, 1, 2, 1, 0, 2, 1, 1], np.float32)
        loss = keras.losses.SparseCategoricalCrossentropy(ignore_class=ignore, reduction=reduction)
        activation = "softmax"
    w = np.array([1, 0.5, 0, 2, 1, 1.5, 3, 1], np.float32)
    for weights in (None, w):
        model = keras.Sequential(
            [keras.Input((4,)), keras.layers.Dense(3, activation=activation)], device=device
        )
        k0 = np.full((4, 3), 0.1, np.float32)
        k0[0, 1] = -0.2
        model.set_weights([k0, np.zeros(3, np.float32)])
        model.compile(keras.optimizers.SGD(0.05), loss=loss)
        h = model.fit(x, y, sample_weight=weights, batch_size=3, epochs=2, shuffle=False, verbose=0)
        history, k, b = _numpy_fit(x, y, weights, reduction, ignore)
        assert h.history["loss"] == pytest.approx(history, rel=1e-5)
        np.testing.assert_allclose(model.get_weights()[0], k, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-5, atol=1e-6)


def test_reduction_and_ignore_class_survive_save_and_load(tmp_path: Any) -> None:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    model.set_weights([K0, np.zeros(3, np.float32)])
    model.compile("sgd", loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=-1, reduction="sum"))
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.loss.get_config() == model.loss.get_config()
    assert (loaded.loss.reduction, loaded.loss.ignore_class) == ("sum", -1)
    assert loaded.evaluate(X_CLS, Y_CLS, batch_size=2, verbose=0) == pytest.approx(
        IGNORE_GOLDEN["sum"][0][0], 1e-6
    )
    model.compile("sgd", loss=keras.losses.MeanSquaredError(reduction=None))
    model.save(tmp_path / "n.keras")
    assert keras.models.load_model(tmp_path / "n.keras").loss.reduction is None


def test_labels_other_than_the_ignored_class_are_still_checked() -> None:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=7))
    model.fit(X_CLS, np.array([0, 7, 2, 7, 1], np.float32), verbose=0)  # 7 is out of range but ignored
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"class ids in \[0, 3\).*y\[2\]=-1"):
        model.fit(X_CLS, Y_CLS, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_bad_reductions_are_refused() -> None:
    with pytest.raises(ValueError, match="reduction") as info:
        keras.losses.MeanSquaredError(reduction="average")
    assert "'average'" in str(info.value)
    core = _core.Model(1, [{"kind": "dense", "units": 1, "activation": "linear", "use_bias": True}], 0)
    with pytest.raises(ValueError, match='reduction="average"'):
        core.compile({"kind": "mse", "reduction": "average"}, [], {"kind": "sgd", "learning_rate": 0.01})
    # Keras cannot add a regularizer's penalty to an unreduced loss either.
    reg = keras.layers.Dense(1, kernel_regularizer="l2")
    model = keras.Sequential([keras.Input((1,)), reg])
    model.compile("sgd", loss=keras.losses.MeanSquaredError(reduction=None))
    for run in (model.fit, model.evaluate):
        with pytest.raises(ValueError, match=r"reduction=None.*\['dense"):
            run(X5, X5, verbose=0)
    reg.trainable = False  # a frozen layer's weights add no penalty
    model.fit(X5, X5, verbose=0)
