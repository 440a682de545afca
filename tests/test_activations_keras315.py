"""Keras 3.15.1's hard_tanh, hard_shrink, soft_shrink, tanh_shrink, log_sigmoid, sparse_plus, squareplus,
sparse_sigmoid, threshold and log_softmax, on both devices: values and derivatives at their kinks, signed zeros,
large magnitudes and NaN against what Keras 3.15.1 (TensorFlow 2.21 backend) computed, training against Keras's
fits from the same weights, NumPy references over random inputs (hypothesis), the API (names, parameters, configs,
``.keras`` files) and the ONNX export.

The goldens were printed by Keras 3.15.1 itself:

- FORWARD: ``keras.activations.<name>(z)`` (``threshold(z, 0.5, -3.0)``, ``hard_shrink(z, threshold=1.0)`` ...) of
  float32 ``Z``; LOG_SOFTMAX ``keras.activations.log_softmax(ROWS)``.
- DERIVATIVE: ``tf.GradientTape`` of the same calls, ``tape.gradient(f(z), z)`` at ``GZ``.
- fixtures/keras315/golden.json: ``fits``, for each name, as ``Dense(6, name)`` and as ``Dense(6)`` +
  ``Activation(name)``, then ``Dense(2)``, from ``start()``'s weights, ``compile(SGD(0.05) or Adam(0.01), "mse")``,
  ``fit(x, y, batch_size=8, epochs=2, shuffle=False)``: the losses and final weights; ``crossentropy``, the same
  fit of ``Dense(3, "log_softmax")`` (the first 3 columns of the first two weights) with SGD(0.05) and
  categorical_crossentropy, sparse_categorical_crossentropy (class ids) or CategoricalCrossentropy(from_logits=True).
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import keras_lite as keras
from _keras_side import run_jobs
from devices import DEVICES, GPU_SKIP
from keras_lite import NotSupportedError, layers

NAN, INF = math.nan, math.inf
# fmt: off
# The element-wise ones a layer can name (Keras's threshold has no defaults), and log_softmax.
NAMES = ("hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink", "log_sigmoid", "sparse_plus", "squareplus",
         "sparse_sigmoid")
ALL = (*NAMES, "log_softmax")
Z = [-INF, -1e30, -20.0, -2.0, -1.0000001, -1.0, -0.9999999, -0.5000001, -0.5, -0.4999999, -0.25, -0.0, 0.0, 1e-8,
     0.25, 0.4999999, 0.5, 0.5000001, 0.9999999, 1.0, 1.0000001, 2.0, 20.0, 1e30, INF, NAN]
GZ = [z for z in Z if abs(z) <= 2]  # (NaN drops out: abs(nan) <= 2 is false)
ROWS = [[1, 2, 3], [-INF, 0, 1], [INF, 0, 1], [NAN, 0, 1], [1e30, -1e30, 0], [-20, 20, 0.5]]

# Keras 3.15.1 (TensorFlow 2.21): keras.activations.<key>(np.array(Z, "float32")).
FORWARD: dict[str, list[float]] = {
    "hard_tanh": [-1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -0.9999999, -0.5000001, -0.5, -0.4999999, -0.25, -0.0, 0.0, 1e-08, 0.25, 0.4999999, 0.5, 0.5000001, 0.9999999, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, NAN],
    "hard_shrink": [-INF, -1e+30, -20.0, -2.0, -1.0000001, -1.0, -0.9999999, -0.5000001, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5000001, 0.9999999, 1.0, 1.0000001, 2.0, 20.0, 1e+30, INF, 0.0],
    "soft_shrink": [-INF, -1e+30, -19.5, -1.5, -0.5000001, -0.5, -0.49999988, -1.1920929e-07, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.1920929e-07, 0.49999988, 0.5, 0.5000001, 1.5, 19.5, 1e+30, INF, 0.0],
    "tanh_shrink": [-INF, -1e+30, -19.0, -1.0359724, -0.23840588, -0.23840582, -0.23840576, -0.037882805, -0.037882864, -0.037882775, -0.0050813407, 0.0, 0.0, 0.0, 0.0050813407, 0.037882775, 0.037882864, 0.037882805, 0.23840576, 0.23840582, 0.23840588, 1.0359724, 19.0, 1e+30, INF, NAN],
    "log_sigmoid": [-INF, -1e+30, -20.0, -2.126928, -1.3132617, -1.3132616, -1.3132616, -0.974077, -0.9740769, -0.97407687, -0.8259394, -0.6931472, -0.6931472, -0.6931472, -0.5759395, -0.47407705, -0.474077, -0.47407693, -0.31326172, -0.3132617, -0.31326163, -0.126928, -2.0611537e-09, -0.0, -0.0, NAN],
    "sparse_plus": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.5527137e-15, 0.06249997, 0.0625, 0.06250003, 0.140625, 0.25, 0.25, 0.25, 0.390625, 0.5624999, 0.5625, 0.56250006, 0.9999999, 1.0, 1.0000001, 2.0, 20.0, 1e+30, INF, NAN],
    "squareplus": [NAN, INF, 0.04987526, 0.41421354, 0.61803395, 0.618034, 0.61803406, 0.7807763, 0.7807764, 0.78077644, 0.8827822, 1.0, 1.0, 1.0, 1.1327822, 1.2807764, 1.2807764, 1.2807765, 1.6180339, 1.618034, 1.6180341, 2.4142137, 20.049875, INF, INF, NAN],
    "sparse_sigmoid": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 5.9604645e-08, 0.24999994, 0.25, 0.25000006, 0.375, 0.5, 0.5, 0.5, 0.625, 0.74999994, 0.75, 0.75000006, 0.99999994, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, NAN],
    "hard_shrink(threshold=1)": [-INF, -1e+30, -20.0, -2.0, -1.0000001, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0000001, 2.0, 20.0, 1e+30, INF, 0.0],
    "soft_shrink(threshold=1)": [-INF, -1e+30, -19.0, -1.0, -1.1920929e-07, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.1920929e-07, 1.0, 19.0, 1e+30, INF, 0.0],
    "squareplus(b=0.5)": [NAN, INF, 0.006248474, 0.060660124, 0.1123724, 0.11237246, 0.11237246, 0.18301266, 0.1830127, 0.18301271, 0.25, 0.35355338, 0.35355338, 0.35355338, 0.5, 0.6830126, 0.6830127, 0.6830128, 1.1123724, 1.1123724, 1.1123725, 2.0606601, 20.006248, INF, INF, NAN],
    "threshold(0.5, -3)": [-3.0, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0, 0.5000001, 0.9999999, 1.0, 1.0000001, 2.0, 20.0, 1e+30, INF, -3.0],
    "threshold(-1, 7)": [7.0, 7.0, 7.0, 7.0, 7.0, 7.0, -0.9999999, -0.5000001, -0.5, -0.4999999, -0.25, -0.0, 0.0, 1e-08, 0.25, 0.4999999, 0.5, 0.5000001, 0.9999999, 1.0, 1.0000001, 2.0, 20.0, 1e+30, INF, 7.0],
}
# Keras 3.15.1: keras.activations.log_softmax(np.array(ROWS, "float32")).
LOG_SOFTMAX = [[-2.407606, -1.4076059, -0.40760595], [-INF, -1.3132616, -0.31326166], [NAN] * 3, [NAN] * 3,
               [0.0, -2e30, -1e30], [-40.0, 0.0, -19.5]]
# Keras 3.15.1 (TensorFlow 2.21): tf.GradientTape's gradient of keras.activations.<key>(z) at z = GZ.
DERIVATIVE: dict[str, list[float]] = {
    "hard_tanh": [0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0],
    "hard_shrink": [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    "soft_shrink": [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    "tanh_shrink": [0.9293492, 0.5800258, 0.5800257, 0.5800256, 0.21355242, 0.21355224, 0.21355224, 0.05998516, 0.0, 0.0, 0.0, 0.05998516, 0.21355224, 0.21355224, 0.21355242, 0.5800256, 0.5800257, 0.5800258, 0.9293492],
    "log_sigmoid": [0.8807971, 0.7310586, 0.73105854, 0.7310585, 0.62245935, 0.62245935, 0.62245935, 0.5621765, 0.5, 0.5, 0.5, 0.43782344, 0.3775407, 0.37754068, 0.37754062, 0.26894143, 0.26894143, 0.2689414, 0.11920292],
    "sparse_plus": [0.0, 0.0, 0.0, 5.9604645e-08, 0.24999994, 0.25, 0.25000006, 0.375, 0.5, 0.5, 0.5, 0.625, 0.74999994, 0.75, 0.75000006, 0.99999994, 1.0, 1.0, 1.0],
    "squareplus": [0.14644662, 0.27639318, 0.2763932, 0.27639323, 0.37873214, 0.37873217, 0.3787322, 0.43798262, 0.5, 0.5, 0.5, 0.5620174, 0.6212678, 0.6212678, 0.62126786, 0.72360677, 0.7236068, 0.7236068, 0.8535534],
    "sparse_sigmoid": [0.0, 0.0, 0.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.0, 0.0, 0.0],
    "hard_shrink(threshold=1)": [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0],
    "soft_shrink(threshold=1)": [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0],
    "squareplus(b=0.5)": [0.028595448, 0.091751665, 0.091751724, 0.091751754, 0.21132481, 0.21132487, 0.2113249, 0.3333333, 0.5, 0.5, 0.5, 0.6666667, 0.78867507, 0.7886751, 0.7886752, 0.90824825, 0.9082483, 0.9082483, 0.97140455],
    "threshold(0.5, -3)": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    "threshold(-1, 7)": [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
}
# fmt: on
GOLDEN = json.loads(Path(__file__).with_name("fixtures").joinpath("keras315", "golden.json").read_text())
HAVE_KERAS = (
    importlib.util.find_spec("keras") is not None and importlib.util.find_spec("tensorflow") is not None
)
PARAMETERISED = {
    "hard_shrink(threshold=1)": lambda z: keras.activations.hard_shrink(z, threshold=1.0),
    "soft_shrink(threshold=1)": lambda z: keras.activations.soft_shrink(z, threshold=1),
    "squareplus(b=0.5)": lambda z: keras.activations.squareplus(z, b=0.5),
    "threshold(0.5, -3)": lambda z: keras.activations.threshold(z, 0.5, -3.0),
    "threshold(-1, 7)": lambda z: keras.activations.threshold(z, threshold=-1, default_value=7),
}


def _function(key: str) -> Any:
    return PARAMETERISED.get(key) or getattr(keras.activations, key)


def _tolerance(key: str, device: str = "cpu") -> dict[str, float]:
    """Exact to float32 rounding where Keras's formula is arithmetic; where it calls tanh, exp or log, whose float32
    approximations differ by an ulp or so between TensorFlow (Eigen's), Rust's libm and a GPU's builtins, to that."""
    if device == "gpu":
        return {"rtol": 1e-5, "atol": 1e-6}
    smooth = key.startswith(("tanh_shrink", "log_sigmoid", "squareplus"))
    return {"rtol": 1e-6, "atol": 1e-7} if smooth else {"rtol": 2e-7, "atol": 1e-30}


def _f32(values: Any) -> np.ndarray:
    return np.array(values, np.float32)


# ---- values and derivatives against Keras ----------------------------------------------------------------------
@pytest.mark.parametrize("key", sorted(FORWARD))
def test_values_are_kerass_at_kinks_zeros_extremes_and_nan(key: str) -> None:
    got = np.asarray(_function(key)(_f32(Z)))
    assert got.dtype == np.float32 and got.shape == (len(Z),)
    # NaN where Keras has NaN (and only there), infinities exactly, the rest to float32 rounding.
    np.testing.assert_allclose(got, _f32(FORWARD[key]), err_msg=key, **_tolerance(key))


def test_log_softmax_rows_are_kerass() -> None:
    got = np.asarray(keras.activations.log_softmax(_f32(ROWS)))
    np.testing.assert_allclose(got, _f32(LOG_SOFTMAX), rtol=5e-7, err_msg="log_softmax")
    # One row, and the axis Keras names the last one by.
    np.testing.assert_array_equal(keras.activations.log_softmax(_f32([5.0])), [0.0])
    np.testing.assert_array_equal(
        keras.activations.log_softmax(_f32(ROWS[:2]), axis=1)[1], _f32(LOG_SOFTMAX[1])
    )


def _at(layers_: list[Any], width: int, device: str) -> Any:
    return keras.Sequential([keras.Input((width,)), *layers_], device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", NAMES)
def test_layers_give_kerass_values_on_each_device(device: str, name: str) -> None:
    # The Activation layer, and a Dense layer whose pre-activation is its bias (zero kernel, zero input): its
    # activation in the product's epilogue on the GPU.
    z, want = _f32(Z), _f32(FORWARD[name])
    n = len(Z)
    got = _at([layers.Activation(name)], n, device).predict(z[None], verbose=0)[0]
    np.testing.assert_allclose(got, want, err_msg=f"Activation({name!r})", **_tolerance(name, device))
    dense = _at([layers.Dense(n, activation=name)], n, device)
    dense.set_weights([np.zeros((n, n), np.float32), z])
    got = dense.predict(np.zeros((1, n), np.float32), verbose=0)[0]
    np.testing.assert_allclose(got, want, err_msg=f"Dense(activation={name!r})", **_tolerance(name, device))


@pytest.mark.parametrize("device", DEVICES)
def test_log_softmax_layers_give_kerass_rows_on_each_device(device: str) -> None:
    for make in (lambda: layers.Activation("log_softmax"), lambda: layers.Dense(3, activation="log_softmax")):
        model = _at([make()], 3, device)
        if model.weights:  # z = the row itself: identity kernel, zero bias (finite rows: 0·∞ would be NaN)
            model.set_weights([np.eye(3, dtype=np.float32), np.zeros(3, np.float32)])
        rows = [0, 4, 5] if model.weights else range(len(ROWS))
        got = model.predict(_f32(ROWS)[list(rows)], verbose=0)
        np.testing.assert_allclose(got, _f32(LOG_SOFTMAX)[list(rows)], rtol=1e-6, atol=1e-6, err_msg=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("as_layer", [False, True], ids=["dense", "activation_layer"])
@pytest.mark.parametrize("name", NAMES)
def test_derivatives_are_kerass_at_the_kinks(device: str, as_layer: bool, name: str) -> None:
    # One SGD step recovers f'(z): z is the first layer's bias (zero kernel and input), an identity Dense follows
    # (so on the GPU a Dense's f' is applied in the next product's epilogue), and with mean absolute error against
    # y - 1 every output's gradient is 1/n, so the bias moves by lr/n·f'(z) = f'(z).
    n, z = len(GZ), _f32(GZ)
    first = [layers.Dense(n), layers.Activation(name)] if as_layer else [layers.Dense(n, activation=name)]
    model = _at([*first, layers.Dense(n)], n, device)
    eye, zeros = np.eye(n, dtype=np.float32), np.zeros((n, n), np.float32)
    model.set_weights([zeros, z, eye, np.zeros(n, np.float32)])
    x = np.zeros((1, n), np.float32)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=float(n)), loss="mae")
    model.fit(x, model.predict(x, verbose=0) - 1, batch_size=1, epochs=1, shuffle=False, verbose=0)
    got = z.astype(np.float64) - model.get_weights()[1]
    # (The step's own rounding, bias − lr·g, is below 4e-7; a GPU's tanh, exp and log add an ulp or so.)
    np.testing.assert_allclose(
        got, DERIVATIVE[name], rtol=0, atol=5e-7 if device == "cpu" else 1e-6, err_msg=name
    )


def start() -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """The fits' data (x, regression targets, class ids) and starting weights, as the goldens were made."""
    rng = np.random.default_rng(315)
    x, y = rng.normal(size=(40, 4)).astype("f"), rng.normal(size=(40, 2)).astype("f")
    labels = rng.integers(0, 3, size=40)
    wr = np.random.default_rng(316)
    weights = [
        wr.normal(size=(4, 6)).astype("f"),
        (wr.normal(size=6) * 0.5).astype("f"),
        (wr.normal(size=(6, 2)) * 0.3).astype("f"),
        (wr.normal(size=2) * 0.1).astype("f"),
    ]
    return x, y, labels, weights


def _assert_fit(history: Any, model: Any, want: dict[str, Any], what: str) -> None:
    np.testing.assert_allclose(
        history.history["loss"],
        want["history"] if "history" in want else want["loss"],
        rtol=1e-5,
        err_msg=what,
    )
    for got, w in zip(model.get_weights(), want["weights"]):
        np.testing.assert_allclose(got, _f32(w), rtol=1e-5, atol=1e-5, err_msg=what)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ALL)
def test_training_through_each_is_kerass_with_sgd_and_adam(device: str, name: str) -> None:
    x, y, _, weights = start()
    fits = [f for f in GOLDEN["fits"] if f["name"] == name]
    assert len(fits) == 4
    for want in fits:
        inner = [layers.Dense(6), layers.Activation(name)] if want["as_layer"] else [layers.Dense(6, name)]
        model = _at([*inner, layers.Dense(2)], 4, device)
        model.set_weights(weights)
        sgd = want["optimizer"] == "sgd"
        model.compile(
            optimizer=keras.optimizers.SGD(0.05) if sgd else keras.optimizers.Adam(0.01), loss="mse"
        )
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        _assert_fit(history, model, want, f"{name} {want['optimizer']} as_layer={want['as_layer']}")


@pytest.mark.parametrize("device", DEVICES)
def test_a_crossentropy_reads_log_softmax_as_probabilities_not_logits(device: str) -> None:
    # Keras's crossentropies take the logits of a final softmax; a log_softmax's outputs are read as they are
    # (negative "probabilities": renormalised and clipped, or clipped to ε for the sparse one, whose loss is then
    # ln 3 and its gradient 0), and from_logits=True takes them as logits.
    x, _, labels, weights = start()
    onehot = np.eye(3, dtype=np.float32)[labels]
    for want in GOLDEN["crossentropy"]:
        model = _at([layers.Dense(3, "log_softmax")], 4, device)
        model.set_weights([weights[0][:, :3], weights[1][:3]])
        kind = want["loss"]
        loss = keras.losses.CategoricalCrossentropy(from_logits=True) if kind == "cce_from_logits" else kind
        model.compile(optimizer=keras.optimizers.SGD(0.05), loss=loss)
        target = labels.astype(np.float32) if kind.startswith("sparse") else onehot
        history = model.fit(x, target, batch_size=8, epochs=2, shuffle=False, verbose=0)
        _assert_fit(history, model, want, kind)
        np.testing.assert_allclose(model.predict(x[:4], verbose=0), _f32(want["pred"]), rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(GPU_SKIP is not None, reason=f"{GPU_SKIP}")
@pytest.mark.parametrize("name", ALL)
def test_cpu_and_gpu_agree(name: str) -> None:
    # Both devices from the same weights through a fit and a prediction (the GPU's transcendental functions are
    # its own: agreement to float32 rounding of their results).
    x = (np.random.default_rng(1).normal(size=(64, 4)) * 2).astype(np.float32)
    weights = start()[3]
    outs = []
    for device in ("cpu", "gpu"):
        model = _at([layers.Dense(6, name), layers.Activation(name), layers.Dense(2)], 4, device)
        model.set_weights(weights)
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, x[:, :2], batch_size=16, epochs=2, shuffle=False, verbose=0)
        outs.append([model.predict(x, verbose=0), *model.get_weights()])
    for gpu, cpu in zip(*outs):
        np.testing.assert_allclose(gpu, cpu, rtol=1e-5, atol=1e-6, err_msg=name)


# ---- NumPy references over random inputs ---------------------------------------------------------------------
def _reference(name: str, x: np.ndarray, p: tuple[float, ...] = ()) -> np.ndarray:
    """Keras 3.15's formula in float64 (keras/src/backend/tensorflow/nn.py), parameters as float32 reads them."""
    x = x.astype(np.float64)
    p = tuple(float(np.float32(v)) for v in p)
    if name == "hard_tanh":
        return np.clip(x, -1.0, 1.0)
    if name == "hard_shrink":
        return np.where(np.abs(x) > p[0], x, 0.0)
    if name == "soft_shrink":
        return np.where(x > p[0], x - p[0], np.where(x < -p[0], x + p[0], 0.0))
    if name == "tanh_shrink":
        return x - np.tanh(x)
    if name == "log_sigmoid":
        return -np.logaddexp(0.0, -x)
    if name == "sparse_plus":
        return np.where(x <= -1, 0.0, np.where(x < 1, 0.25 * (x + 1) ** 2, x))
    if name == "squareplus":
        return (x + np.sqrt(x * x + p[0])) / 2
    if name == "sparse_sigmoid":
        return np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, 0.5 * (x + 1)))
    if name == "threshold":
        return np.where(x > p[0], x, p[1])
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _close(got: Any, want: np.ndarray, x: np.ndarray, what: str) -> None:
    # float32 rounding of the result, and of the inputs' size where Keras's formula subtracts (z − tanh z,
    # z + √(z² + b) for negative z, z − max for log_softmax).
    size = np.abs(x).max(axis=-1, keepdims=True) if what.startswith("log_softmax") else np.abs(x)
    bound = 2e-6 * np.abs(want) + 2.5e-7 * (size + 1)
    assert np.all(np.abs(np.asarray(got, np.float64) - want) <= bound), what


arrays = hnp.arrays(
    np.float32,
    hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=9),
    elements=st.floats(-30, 30, width=32, allow_nan=False),
)


@pytest.mark.parametrize("name", ALL)
@given(x=arrays)
def test_forward_matches_numpy(name: str, x: np.ndarray) -> None:
    got = getattr(keras.activations, name)(x)
    assert got.shape == x.shape and got.dtype == np.float32
    defaults = {"hard_shrink": (0.5,), "soft_shrink": (0.5,), "squareplus": (4.0,)}
    _close(got, _reference(name, x, defaults.get(name, ())), x, name)


@given(x=arrays, t=st.floats(-2, 4), d=st.floats(-5, 5), b=st.floats(0.001, 10))
def test_parameters_match_numpy(x: np.ndarray, t: float, d: float, b: float) -> None:
    a = keras.activations
    _close(a.hard_shrink(x, threshold=t), _reference("hard_shrink", x, (t,)), x, "hard_shrink")
    _close(a.soft_shrink(x, t), _reference("soft_shrink", x, (t,)), x, "soft_shrink")
    _close(a.squareplus(x, b=b), _reference("squareplus", x, (b,)), x, "squareplus")
    _close(a.threshold(x, t, d), _reference("threshold", x, (t, d)), x, "threshold")


# ---- the API: names, parameters, layers, configs, files --------------------------------------------------------
def test_names_resolve_serialize_and_are_no_longer_reported_missing() -> None:
    a = keras.activations
    for name in (*ALL, "threshold"):
        fn = getattr(a, name)
        assert a.get(name) is fn and fn.__name__ == name and name in a.__all__ and name in dir(a)
        assert a.serialize(fn) == name and a.deserialize(name) is fn
        assert a.deserialize({"class_name": "function", "config": name, "module": "keras.activations"}) is fn
    for lacking in ("glu", "sparsemax"):  # still refused, naming what keras_lite has
        with pytest.raises(NotSupportedError, match=lacking):
            layers.Dense(2, activation=lacking)


def test_bad_parameters_are_value_errors_naming_them() -> None:
    x, a = _f32([0.0, 1.0]), keras.activations
    for call, arg in (
        (lambda: a.hard_shrink(x, threshold="0.5"), "threshold"),
        (lambda: a.soft_shrink(x, threshold=NAN), "threshold"),
        (lambda: a.squareplus(x, b=None), "b"),
        (lambda: a.squareplus(x, b=True), "b"),
        (lambda: a.threshold(x, "a", 0.0), "threshold"),
        (lambda: a.threshold(x, 0.0, NAN), "default_value"),
    ):
        with pytest.raises(ValueError, match=f"`{arg}`.*Received: {arg}="):
            call()
    with pytest.raises(TypeError, match="threshold"):
        a.threshold(x)  # type: ignore[call-arg]  # no defaults, as in Keras
    with pytest.raises(NotSupportedError, match="axis"):
        a.log_softmax(_f32([[1, 2], [3, 4]]), axis=0)


def test_a_layer_cannot_take_threshold_which_needs_its_arguments() -> None:
    for make in (lambda: layers.Dense(2, activation="threshold"), lambda: layers.Activation("threshold")):
        with pytest.raises(
            TypeError, match="missing 2 required positional arguments: 'threshold' and 'default_value'"
        ):
            make()


def _every_model() -> Any:
    return keras.Sequential(
        [
            keras.Input((4,)),
            *(layers.Dense(4, activation=n) for n in ALL),
            *(layers.Activation(n) for n in ALL),
        ]
    )


def test_configs_are_kerass_and_files_round_trip(tmp_path: Path) -> None:
    model = _every_model()
    # Keras 3.15.1's Dense(3, "squareplus").get_config()["activation"] and Activation("log_softmax").get_config().
    for layer, name in zip(model.layers, (*ALL, *ALL)):
        assert layer.get_config()["activation"] == name
    assert set(model.layers[-1].get_config()) == {"name", "trainable", "dtype", "activation"}
    x = (np.random.default_rng(2).normal(size=(5, 4)) * 2).astype(np.float32)
    model.save(tmp_path / "every.keras")
    again = keras.models.load_model(tmp_path / "every.keras")
    assert again.get_config() == model.get_config()
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    clone = keras.Sequential.from_config(model.get_config())
    assert [la.activation.__name__ for la in clone.layers] == [*ALL, *ALL]


@pytest.mark.parametrize("device", DEVICES)
def test_a_file_keras_wrote_loads_and_predicts_as_keras(device: str) -> None:
    # fixtures/keras315/activations.keras: Keras 3.15.1's keras.Model(inp, Concatenate()([Activation(n)(Dense(3)(inp))
    # for each name] + [Dense(3, activation=n)(inp) for each name])), weights normal(seed 6); .npz its x and predict(x).
    fixtures = Path(__file__).with_name("fixtures") / "keras315"
    model = keras.models.load_model(fixtures / "activations.keras")
    model.to(device)
    data = np.load(fixtures / "activations.npz")
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["pred"], rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(not HAVE_KERAS, reason="Keras 3 with TensorFlow is not installed")
def test_keras_loads_the_file_and_predicts_the_same(tmp_path: Path) -> None:
    model = _every_model()
    x = (np.random.default_rng(3).normal(size=(6, 4)) * 2).astype(np.float32)
    model.save(tmp_path / "lite.keras")
    np.save(tmp_path / "x.npy", x)
    job = {
        "model": str(tmp_path / "lite.keras"),
        "x": str(tmp_path / "x.npy"),
        "out": str(tmp_path / "o.npz"),
    }
    run_jobs(tmp_path, [{**job, "resume": None}])
    np.testing.assert_allclose(
        np.load(tmp_path / "o.npz")["pred"], model.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )


# ---- ONNX ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_onnx_export_computes_the_same(name: str, tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")

    def run(model: Any, x: np.ndarray) -> np.ndarray:
        model.export(tmp_path / "m.onnx", format="onnx", verbose=False)
        onnx.checker.check_model(onnx.load(str(tmp_path / "m.onnx")), full_check=True)
        session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
        return session.run(None, {session.get_inputs()[0].name: x})[0]

    model = _at(
        [layers.Dense(6, name), layers.Dense(6), layers.Activation(name), layers.Dense(3, name)], 4, "cpu"
    )
    x = (np.random.default_rng(4).normal(size=(50, 4)) * 3).astype(np.float32)
    np.testing.assert_allclose(run(model, x), model.predict(x, verbose=0), rtol=1e-5, atol=2e-6, err_msg=name)
    # The kinks, far out and NaN (a row of its own for log_softmax, where one NaN makes the row NaN).
    points = _f32([z for z in Z if not math.isinf(z)])
    alone = _at([layers.Activation(name)], len(points), "cpu")
    x = np.stack([points, np.nan_to_num(points)])
    np.testing.assert_allclose(run(alone, x), alone.predict(x, verbose=0), rtol=1e-6, atol=1e-7, err_msg=name)
