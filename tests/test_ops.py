"""Core ops against a float64 NumPy reference: activations, losses, the Dense forward pass, the
glorot_uniform initializer and the optimizers' update rules, as Keras 3 defines them.

Inputs are float32 (what keras_lite computes in); the reference recomputes in float64 from the same
float32 values, and tolerances are those float32 arithmetic allows. Gradients of activations and losses
are checked through training, in test_gradients.py.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import keras_lite as keras
from keras_lite import _core, layers
from reference64 import (
    ACTIVATION_NAMES,
    ref_activation,
    ref_loss_per_sample,
    softmax64,
)

F32_EPS = float(np.finfo(np.float32).eps)

# --- strategies ---------------------------------------------------------------------------------------


def f32(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, width=32, allow_nan=False, allow_infinity=False)


vectors = hnp.arrays(np.float32, st.integers(1, 24), elements=f32(-20, 20))
matrices = hnp.arrays(
    np.float32, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=8), elements=f32(-20, 20)
)


@st.composite
def loss_pairs(
    draw: Any, true_elems: st.SearchStrategy[float], pred_elems: st.SearchStrategy[float]
) -> tuple[np.ndarray, np.ndarray]:
    shape = draw(st.tuples(st.integers(1, 12), st.integers(1, 4)))
    return (
        draw(hnp.arrays(np.float32, shape, elements=true_elems)),
        draw(hnp.arrays(np.float32, shape, elements=pred_elems)),
    )


regression_pairs = loss_pairs(f32(-10, 10), f32(-10, 10))
labels = st.one_of(st.sampled_from([0.0, 1.0]), f32(0, 1))
probability_pairs = loss_pairs(labels, st.one_of(st.sampled_from([0.0, 1.0, 1e-8, 1 - 1e-8]), f32(0, 1)))
logit_pairs = loss_pairs(labels, f32(-30, 30))


def single_dense_model(kernel: np.ndarray, bias: np.ndarray | None, activation: str) -> keras.Sequential:
    d, units = kernel.shape
    model = keras.Sequential(
        [keras.Input(shape=(d,)), layers.Dense(units, activation=activation, use_bias=bias is not None)]
    )
    model.set_weights([kernel] if bias is None else [kernel, bias])
    return model


# --- activations --------------------------------------------------------------------------------------


def test_every_activation_has_a_reference() -> None:
    assert sorted(_core.activation_names()) == ACTIVATION_NAMES
    for name in ACTIVATION_NAMES:
        fn = getattr(keras.activations, name)
        assert keras.activations.get(name) is fn
    assert keras.activations.get(None) is keras.activations.linear
    # Keras 3 names swish by the function it is: silu.
    assert keras.activations.get("swish").__name__ == "silu"
    assert layers.Dense(1, activation="swish").activation.__name__ == "silu"
    assert layers.Dense(1).activation.__name__ == "linear"


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
@given(x=st.one_of(vectors, matrices))
def test_activation_function_matches_reference(name: str, x: np.ndarray) -> None:
    got = getattr(keras.activations, name)(x)
    assert isinstance(got, np.ndarray) and got.dtype == np.float32 and got.shape == x.shape
    np.testing.assert_allclose(got, ref_activation(name, x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
@given(x=st.one_of(vectors, matrices))
def test_activation_layer_matches_reference(name: str, x: np.ndarray) -> None:
    layer = layers.Activation(name)
    assert layer.weights == []
    got = layer(x)
    assert got.dtype == np.float32 and got.shape == x.shape
    np.testing.assert_allclose(got, ref_activation(name, x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activation_accepts_float64_lists_and_non_contiguous_arrays(name: str) -> None:
    x64 = np.linspace(-3.0, 3.0, 12).reshape(3, 4)
    want = ref_activation(name, x64.astype(np.float32))
    fn = getattr(keras.activations, name)
    np.testing.assert_allclose(fn(x64), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fn(x64.tolist()), want, rtol=1e-5, atol=1e-6)
    xt = np.ascontiguousarray(x64.T).T  # Fortran order: same values, different memory layout
    np.testing.assert_allclose(fn(xt), want, rtol=1e-5, atol=1e-6)
    x3 = np.stack([x64, -x64])  # rank 3: softmax still runs over the last axis
    np.testing.assert_allclose(fn(x3), ref_activation(name, x3.astype(np.float32)), rtol=1e-5, atol=1e-6)


def test_relu_exact_values() -> None:
    # Course exercise 2: layers.Activation('relu')(tf.linspace(-3., 3., 100)).
    x = np.linspace(-3.0, 3.0, 100)
    out = layers.Activation("relu")(x)
    assert out.shape == (100,) and out.dtype == np.float32
    np.testing.assert_array_equal(out, np.maximum(x.astype(np.float32), 0))
    v = np.array([-2.0, -0.0, 0.0, 1e-30, 5.0], dtype=np.float32)
    np.testing.assert_array_equal(keras.activations.relu(v), np.maximum(v, 0))


def test_activation_goldens() -> None:
    # selu(-1) = scale * alpha * (e^-1 - 1); hard_sigmoid's corners; sigmoid(0) = 0.5; softmax of equal logits.
    np.testing.assert_allclose(keras.activations.selu([-1.0, 1.0]), [-1.1113307, 1.050701], rtol=1e-6)
    np.testing.assert_array_equal(keras.activations.hard_sigmoid([-3.0, 0.0, 3.0, 9.0]), [0.0, 0.5, 1.0, 1.0])
    np.testing.assert_array_equal(keras.activations.sigmoid([0.0]), [0.5])
    np.testing.assert_allclose(keras.activations.softmax(np.zeros((2, 4))), np.full((2, 4), 0.25))
    # Large inputs saturate without overflow.
    np.testing.assert_allclose(keras.activations.softmax([[1000.0, 0.0]]), [[1.0, 0.0]])
    np.testing.assert_allclose(keras.activations.sigmoid([-100.0, 100.0]), [0.0, 1.0], atol=1e-30)
    np.testing.assert_allclose(keras.activations.softplus([100.0, -100.0]), [100.0, 0.0], atol=1e-30)


def test_activation_of_a_scalar_is_a_scalar() -> None:
    assert np.shape(keras.activations.relu(3.0)) == ()


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activations_propagate_nan(name: str) -> None:
    # As TensorFlow and NumPy do: relu(NaN) is NaN, not max(NaN, 0) = 0. Keras 3.15's hard_shrink and soft_shrink
    # are `where(|x| > t, x, 0)` and the like, whose comparison is false for NaN: 0, there as here.
    out = getattr(keras.activations, name)(np.array([[np.nan, 1.0]], dtype=np.float32))
    if name in ("hard_shrink", "soft_shrink"):
        assert out[0, 0] == 0.0
    else:
        assert np.isnan(out[0, 0])


# --- the Dense forward pass ----------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@given(data=st.data())
def test_dense_predict_matches_matmul(activation: str, data: Any) -> None:
    n = data.draw(st.sampled_from([1, 2, 3, 4, 5, 17, 64]), label="n")
    d = data.draw(st.integers(1, 8), label="d")
    units = data.draw(st.integers(1, 6), label="units")
    use_bias = data.draw(st.booleans(), label="use_bias")
    x = data.draw(hnp.arrays(np.float32, (n, d), elements=f32(-2, 2)), label="x")
    kernel = data.draw(hnp.arrays(np.float32, (d, units), elements=f32(-1, 1)), label="kernel")
    bias = (
        data.draw(hnp.arrays(np.float32, (units,), elements=f32(-1, 1)), label="bias") if use_bias else None
    )
    model = single_dense_model(kernel, bias, activation)
    z = x.astype(np.float64) @ kernel.astype(np.float64)
    if bias is not None:
        z = z + bias
    want = ref_activation(activation, z)
    got = model.predict(x, verbose=0)
    if activation == "hard_shrink":  # its jump at |z| = 0.5, which float32's z may reach from the other side
        want = np.where(np.abs(np.abs(z) - 0.5) < 1e-5, got, want)
    assert isinstance(got, np.ndarray) and got.dtype == np.float32 and got.shape == (n, units)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=3e-5)
    # model(x) and the float64 / list input paths give the same numbers.
    np.testing.assert_array_equal(model(x), got)
    np.testing.assert_array_equal(model.predict(x.astype(np.float64), verbose=0), got)
    np.testing.assert_array_equal(model.predict(x.tolist(), verbose=0, batch_size=7), got)


@pytest.mark.parametrize("rows", [1, 4, 5, 511, 512, 513, 3000])
def test_dense_predict_large_batches_and_chunking(rows: int) -> None:
    rng = np.random.default_rng(rows)
    kernel = rng.uniform(-1, 1, size=(9, 7)).astype(np.float32)
    bias = rng.uniform(-1, 1, size=7).astype(np.float32)
    x = rng.uniform(-2, 2, size=(rows, 9)).astype(np.float32)
    model = single_dense_model(kernel, bias, "tanh")
    want = np.tanh(x.astype(np.float64) @ kernel + bias)
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-5)
    # Any batch_size gives the same rows (predict batches only for the progress bar).
    np.testing.assert_allclose(model.predict(x, batch_size=3, verbose=0), want, rtol=1e-5, atol=1e-5)
    # Row i of a batch equals predicting row i alone.
    i = rows // 2
    np.testing.assert_allclose(model.predict(x[i : i + 1], verbose=0)[0], want[i], rtol=1e-5, atol=1e-5)


def test_two_layer_forward_matches_numpy() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(33, 5)).astype(np.float32)
    model = keras.Sequential(
        [keras.Input(shape=(5,)), layers.Dense(8, activation="relu"), layers.Dense(3, activation="softmax")]
    )
    w = [rng.normal(size=v.shape).astype(np.float32) for v in model.weights]
    model.set_weights(w)
    h = np.maximum(x.astype(np.float64) @ w[0] + w[1], 0)
    np.testing.assert_allclose(model.predict(x, verbose=0), softmax64(h @ w[2] + w[3]), rtol=1e-5, atol=1e-6)


# --- losses: per-sample values and the class forms ---------------------------------------------------


def _check_loss(
    fn: Callable[..., np.ndarray],
    obj_factory: Callable[..., Any],
    t: np.ndarray,
    p: np.ndarray,
    want: np.ndarray,
    rtol: float = 1e-5,
    atol: float = 1e-5,
) -> None:
    got = fn(t, p)
    assert got.shape == (t.shape[0],) and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
    # sum_over_batch_size (default): sum / number of samples.
    np.testing.assert_allclose(float(obj_factory()(t, p)), want.mean(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(
        float(obj_factory(reduction="sum")(t, p)), want.sum(), rtol=rtol, atol=atol * len(t)
    )
    np.testing.assert_allclose(obj_factory(reduction="none")(t, p), want, rtol=rtol, atol=atol)
    # A per-sample weight scales each sample; the mean still divides by the number of samples.
    w = np.linspace(0.0, 2.0, len(t)).astype(np.float32)
    np.testing.assert_allclose(
        float(obj_factory()(t, p, sample_weight=w)), (want * w).mean(), rtol=rtol, atol=atol
    )


@given(pair=regression_pairs)
def test_mean_absolute_error(pair: tuple[np.ndarray, np.ndarray]) -> None:
    t, p = pair
    want = ref_loss_per_sample("mae", t, p)
    _check_loss(keras.losses.mean_absolute_error, keras.losses.MeanAbsoluteError, t, p, want)
    np.testing.assert_allclose(keras.losses.mae(t, p), want, rtol=1e-5, atol=1e-5)
    # keras.losses.get of a function name gives the function (each sample's loss), as in Keras.
    np.testing.assert_allclose(keras.losses.get("mae")(t, p), want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(keras.losses.get("MeanAbsoluteError")(t, p), want.mean(), rtol=1e-5, atol=1e-5)


@given(pair=regression_pairs)
def test_mean_squared_error(pair: tuple[np.ndarray, np.ndarray]) -> None:
    t, p = pair
    want = ref_loss_per_sample("mse", t, p)
    _check_loss(keras.losses.mean_squared_error, keras.losses.MeanSquaredError, t, p, want, atol=1e-4)
    np.testing.assert_allclose(keras.losses.get("mse")(t, p), want, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(keras.losses.get("MeanSquaredError")(t, p), want.mean(), rtol=1e-5, atol=1e-4)


@given(pair=regression_pairs, delta=st.sampled_from([1.0, 0.1, 0.5, 2.5, 100.0]))
def test_huber(pair: tuple[np.ndarray, np.ndarray], delta: float) -> None:
    t, p = pair
    want = ref_loss_per_sample("huber", t, p, delta=delta)

    def fn(a: Any, b: Any) -> np.ndarray:
        return keras.losses.huber(a, b, delta=delta)

    def obj(**kw: Any) -> Any:
        return keras.losses.Huber(delta=delta, **kw)

    _check_loss(fn, obj, t, p, want, atol=1e-4)


@given(pair=probability_pairs, label_smoothing=st.sampled_from([0.0, 0.1, 0.5, 1.0]))
def test_binary_crossentropy_probabilities(
    pair: tuple[np.ndarray, np.ndarray], label_smoothing: float
) -> None:
    t, p = pair
    want = ref_loss_per_sample("bce", t, p, label_smoothing=label_smoothing)

    def fn(a: Any, b: Any) -> np.ndarray:
        return keras.losses.binary_crossentropy(a, b, label_smoothing=label_smoothing)

    def obj(**kw: Any) -> Any:
        return keras.losses.BinaryCrossentropy(label_smoothing=label_smoothing, **kw)

    _check_loss(fn, obj, t, p, want, atol=2e-5)
    assert np.all(np.isfinite(fn(t, p)))  # clipping keeps p = 0 and p = 1 finite


@given(pair=logit_pairs, label_smoothing=st.sampled_from([0.0, 0.2]))
def test_binary_crossentropy_from_logits(pair: tuple[np.ndarray, np.ndarray], label_smoothing: float) -> None:
    t, p = pair
    want = ref_loss_per_sample("bce", t, p, from_logits=True, label_smoothing=label_smoothing)

    def fn(a: Any, b: Any) -> np.ndarray:
        return keras.losses.binary_crossentropy(a, b, from_logits=True, label_smoothing=label_smoothing)

    def obj(**kw: Any) -> Any:
        return keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=label_smoothing, **kw)

    _check_loss(fn, obj, t, p, want, atol=2e-5)


@pytest.mark.parametrize("name", ["mae", "mse", "huber", "binary_crossentropy"])
def test_rank_one_y_true_is_expanded(name: str) -> None:
    # Keras's squeeze_or_expand_to_same_rank: y_true (n,) next to y_pred (n, 1) becomes (n, 1), not (n, n).
    t = np.array([0.0, 1.0, 1.0], dtype=np.float32)
    p = np.array([[0.2], [0.9], [0.4]], dtype=np.float32)
    loss = keras.losses.get(name)
    np.testing.assert_allclose(loss(t, p), loss(t[:, None], p), rtol=1e-7)
    np.testing.assert_allclose(loss(p, t), loss(p, t[:, None]), rtol=1e-7)
    if name == "mae":
        np.testing.assert_allclose(keras.losses.mean_absolute_error([1, 2, 3], [[1], [2], [4]]), [0, 0, 1])


# Golden values from Keras's own docstrings and tests. No MAE example of 0.5666667 exists in keras-team/keras
# or tf-keras; the nearest is 81.4 / 6 = 13.5666667 below.
def test_mae_goldens_tf_keras_docstring() -> None:
    # tf_keras/losses.py MeanAbsoluteError docstring.
    y_true = [[0.0, 1.0], [0.0, 0.0]]
    y_pred = [[1.0, 1.0], [1.0, 0.0]]
    assert float(keras.losses.MeanAbsoluteError()(y_true, y_pred)) == pytest.approx(0.5)
    assert float(keras.losses.MeanAbsoluteError()(y_true, y_pred, sample_weight=[0.7, 0.3])) == pytest.approx(
        0.25
    )
    assert float(keras.losses.MeanAbsoluteError(reduction="sum")(y_true, y_pred)) == pytest.approx(1.0)
    np.testing.assert_allclose(keras.losses.MeanAbsoluteError(reduction="none")(y_true, y_pred), [0.5, 0.5])


K3_Y_TRUE = np.array([[1, 9, 2], [-5, -2, 6]])
K3_Y_PRED = np.array([[4, 8, 12], [8, 1, 3]], dtype="float32")


def test_mae_mse_goldens_keras3_tests() -> None:
    # keras/src/losses/losses_test.py MeanAbsoluteErrorTest / MeanSquaredErrorTest.
    mae = keras.losses.MeanAbsoluteError()
    assert float(mae(K3_Y_TRUE, K3_Y_PRED)) == pytest.approx(5.5)
    # per-sample errors 14/3 and 19/3 weighted 1.2 and 3.4: (14*1.2 + 19*3.4) / 3 / 2 = 81.4 / 6
    assert float(mae(K3_Y_TRUE, K3_Y_PRED, sample_weight=np.array([[1.2], [3.4]]))) == pytest.approx(
        81.4 / 6, rel=1e-6
    )
    mse = keras.losses.MeanSquaredError()
    assert float(mse(K3_Y_TRUE, K3_Y_PRED)) == pytest.approx(49.5)
    assert float(mse(K3_Y_TRUE, K3_Y_PRED, sample_weight=np.array([[1.2], [3.4]]))) == pytest.approx(
        767.8 / 6, rel=1e-6
    )


def test_mae_scalar_sample_weight_keras3_tests() -> None:
    # keras/src/losses/losses_test.py: scalar weight 2.3 -> 12.65; sum -> 25.3; none -> [10.7333, 14.5666].
    assert float(keras.losses.MeanAbsoluteError()(K3_Y_TRUE, K3_Y_PRED, sample_weight=2.3)) == pytest.approx(
        12.65
    )
    mae_sum = keras.losses.MeanAbsoluteError(reduction="sum")
    assert float(mae_sum(K3_Y_TRUE, K3_Y_PRED, sample_weight=2.3)) == pytest.approx(25.3, rel=1e-6)
    mae_none = keras.losses.MeanAbsoluteError(reduction="none")
    np.testing.assert_allclose(
        mae_none(K3_Y_TRUE, K3_Y_PRED, sample_weight=2.3), [10.7333, 14.5666], rtol=1e-4
    )


def test_loss_function_on_vectors_is_scalar() -> None:
    assert np.shape(keras.losses.mean_absolute_error([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])) == ()


def test_huber_golden_tf_keras_docstring() -> None:
    # tf_keras Huber docstring: errors 0.6, 0.6 | 0.4, 0.6 -> per sample [0.18, 0.13], mean 0.155.
    y_true = [[0.0, 1.0], [0.0, 0.0]]
    y_pred = [[0.6, 0.4], [0.4, 0.6]]
    assert float(keras.losses.Huber()(y_true, y_pred)) == pytest.approx(0.155, rel=1e-6)
    assert float(keras.losses.Huber()(y_true, y_pred, sample_weight=[1, 0])) == pytest.approx(0.09, rel=1e-6)
    assert float(keras.losses.Huber(reduction="sum")(y_true, y_pred)) == pytest.approx(0.31, rel=1e-6)
    np.testing.assert_allclose(keras.losses.Huber(reduction="none")(y_true, y_pred), [0.18, 0.13], rtol=1e-6)
    # delta: |e| = 2 with delta 0.5 is linear: 0.5 * 2 - 0.5 * 0.25 = 0.875.
    assert float(keras.losses.Huber(delta=0.5)([[0.0]], [[2.0]])) == pytest.approx(0.875)


def test_binary_crossentropy_goldens() -> None:
    # Measured with Keras 3: p clipped to [1e-7, 1 - 1e-7] in float32.
    bce = keras.losses.BinaryCrossentropy()
    assert float(bce([[0.0]], [[1.0]])) == pytest.approx(15.942385, abs=1e-5)
    assert float(bce([[1.0]], [[0.0]])) == pytest.approx(16.118095, abs=1e-5)
    # tf_keras binary_crossentropy docstring: [0.916, 0.714].
    np.testing.assert_allclose(
        keras.losses.binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]),
        [0.916, 0.714],
        atol=1e-3,
    )
    # tf_keras BinaryCrossentropy(from_logits=True) docstring.
    logits_bce = keras.losses.BinaryCrossentropy(from_logits=True)
    y_true, y_pred = [[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]]
    assert float(logits_bce(y_true, y_pred)) == pytest.approx(0.865, abs=1e-3)
    assert float(logits_bce([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])) == pytest.approx(0.865, abs=1e-3)
    assert float(logits_bce(y_true, y_pred, sample_weight=[0.8, 0.2])) == pytest.approx(0.243, abs=1e-3)
    summed = keras.losses.BinaryCrossentropy(from_logits=True, reduction="sum")(y_true, y_pred)
    assert float(summed) == pytest.approx(1.730, abs=1e-3)
    per_sample = keras.losses.BinaryCrossentropy(from_logits=True, reduction="none")(y_true, y_pred)
    np.testing.assert_allclose(per_sample, [0.235, 1.496], atol=1e-3)
    # label_smoothing=1 turns every label into 0.5: log(2) for a logit of 0 whatever the label.
    smooth = keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=1.0)
    assert float(smooth([[0.0, 1.0]], [[0.0, 0.0]])) == pytest.approx(math.log(2), rel=1e-6)


def _one_unit_model(activation: str, logit: float) -> keras.Sequential:
    model = keras.Sequential([keras.Input(shape=(1,)), layers.Dense(1, activation=activation)])
    model.set_weights([np.array([[logit]], dtype=np.float32), np.zeros(1, dtype=np.float32)])
    return model


@pytest.mark.parametrize("loss", ["binary_crossentropy", "bce", "BinaryCrossentropy", "instance"])
@pytest.mark.parametrize(("logit", "label"), [(50.0, 0.0), (-50.0, 1.0)])
def test_binary_crossentropy_after_sigmoid_uses_the_logits(loss: str, logit: float, label: float) -> None:
    # Measured with Keras 3: after a final sigmoid, TF Keras computes BCE from the logits: loss 50.0, not ~16.
    model = _one_unit_model("sigmoid", logit)
    model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy() if loss == "instance" else loss)
    value = model.evaluate(np.array([[1.0]]), np.array([label]), verbose=0)
    assert isinstance(value, float)
    assert value == pytest.approx(50.0, abs=1e-5)
    # predict still returns the probability.
    assert model.predict(np.array([[1.0]]), verbose=0)[0, 0] == pytest.approx(
        1.0 if logit > 0 else 0.0, abs=1e-6
    )


def test_binary_crossentropy_without_a_final_sigmoid_is_clipped() -> None:
    # hard_sigmoid(50) = 1 exactly: no logits to recover, so the clipped value applies.
    model = _one_unit_model("hard_sigmoid", 50.0)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    assert model.evaluate(np.array([[1.0]]), np.array([0.0]), verbose=0) == pytest.approx(15.942385, abs=1e-5)
    # from_logits=True on a linear output: max(z,0) - z*y + log(1 + e^-|z|) = 50 for z = 50, y = 0.
    model = _one_unit_model("linear", 50.0)
    model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    assert model.evaluate(np.array([[1.0]]), np.array([0.0]), verbose=0) == pytest.approx(50.0, abs=1e-5)


@pytest.mark.parametrize("loss", ["mae", "mse", "huber", "binary_crossentropy"])
def test_evaluate_equals_the_loss_class_on_predictions(loss: str) -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(70, 3)).astype(np.float32)
    y = (rng.uniform(size=(70, 2)) > 0.5).astype(np.float32)
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2, activation="softsign")])
    model.compile(optimizer="sgd", loss=loss)
    want = float(np.mean(keras.losses.get(loss)(y, model.predict(x, verbose=0))))  # the function: per sample
    for batch_size in (None, 1, 16, 1000):
        assert model.evaluate(x, y, batch_size=batch_size, verbose=0) == pytest.approx(want, rel=1e-5)


# --- glorot_uniform ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fan_in", "fan_out"), [(11, 512), (3, 4), (512, 1), (1, 1)])
def test_glorot_uniform_limit(fan_in: int, fan_out: int) -> None:
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    kernels = []
    for seed in range(3):
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input(shape=(fan_in,)), layers.Dense(fan_out)])
        kernel, bias = model.get_weights()
        assert kernel.shape == (fan_in, fan_out) and kernel.dtype == np.float32
        np.testing.assert_array_equal(bias, np.zeros(fan_out, dtype=np.float32))
        assert np.abs(kernel).max() <= limit * (1 + F32_EPS)
        kernels.append(kernel)
    assert not np.array_equal(kernels[0], kernels[1])
    if fan_in * fan_out >= 1000:
        # Measured with Keras 3: (11, 512) gives max|w| = 0.107087 against limit 0.1071087. For n uniform draws the chance of
        # max|w| < 0.99 limit is 0.99^n; under 1e-24 here. Mean and variance of U[-limit, limit]: 0, limit^2/3.
        k = np.concatenate([k.ravel() for k in kernels]).astype(np.float64)
        assert k.max() > 0.99 * limit and k.min() < -0.99 * limit
        n = k.size
        assert abs(k.mean()) < 5 * limit / math.sqrt(3 * n)
        assert k.var() == pytest.approx(limit**2 / 3, rel=0.05)


def test_batch_normalization_initial_weights() -> None:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.BatchNormalization()])
    gamma, beta, mean, var = model.get_weights()
    np.testing.assert_array_equal(gamma, np.ones(3))
    np.testing.assert_array_equal(beta, np.zeros(3))
    np.testing.assert_array_equal(mean, np.zeros(3))
    np.testing.assert_array_equal(var, np.ones(3))


# --- optimizers: updates through a model, against NumPy ----------------------------------------------


class RefOptimizer:
    """Keras 3's update rules in float64, for a list of parameters."""

    def __init__(self, kind: str, **hp: Any) -> None:
        self.kind = kind
        self.hp = hp
        self.t = 0
        self.slots: dict[str, list[np.ndarray]] = {}

    def _slot(self, name: str, params: list[np.ndarray]) -> list[np.ndarray]:
        return self.slots.setdefault(name, [np.zeros_like(p) for p in params])

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        hp, self.t = self.hp, self.t + 1
        lr = hp["learning_rate"]
        for i, (p, g) in enumerate(zip(params, grads)):
            if self.kind == "sgd":
                mom = hp.get("momentum", 0.0)
                if mom:
                    m = self._slot("m", params)[i]
                    m[...] = mom * m - lr * g
                    p += mom * m - lr * g if hp.get("nesterov") else m
                else:
                    p -= lr * g
            elif self.kind == "rmsprop":
                rho, eps, mom = hp.get("rho", 0.9), hp.get("epsilon", 1e-7), hp.get("momentum", 0.0)
                v = self._slot("v", params)[i]
                v[...] = rho * v + (1 - rho) * g * g
                denom = v + eps
                if hp.get("centered"):
                    a = self._slot("a", params)[i]
                    a[...] = rho * a + (1 - rho) * g
                    denom = v - a * a + eps
                inc = lr * g / np.sqrt(denom)
                if mom > 0:
                    mm = self._slot("mom", params)[i]
                    mm[...] = mom * mm + inc
                    p -= mm
                else:
                    p -= inc
            elif self.kind in ("adam", "adamw"):
                b1, b2, eps = hp.get("beta_1", 0.9), hp.get("beta_2", 0.999), hp.get("epsilon", 1e-7)
                if self.kind == "adamw":
                    p -= p * hp.get("weight_decay", 0.004) * lr
                m, v = self._slot("m", params)[i], self._slot("v", params)[i]
                m += (g - m) * (1 - b1)
                v += (g * g - v) * (1 - b2)
                alpha = lr * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
                if hp.get("amsgrad"):
                    vh = self._slot("vhat", params)[i]
                    vh[...] = np.maximum(vh, v)
                    p -= alpha * m / (np.sqrt(vh) + eps)
                else:
                    p -= alpha * m / (np.sqrt(v) + eps)
            else:
                raise ValueError(self.kind)


def _linear_mse_grads(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """Gradient of Keras's mse (mean over outputs, then over the batch) for a linear Dense layer."""
    kernel, bias = params
    d = 2.0 * (x @ kernel + bias - y) / y.size
    return [x.T @ d, d.sum(axis=0)]


def _check_optimizer_through_model(
    optimizer: Any, ref: RefOptimizer, steps: int = 3, epochs: int = 2, seed: int = 0
) -> None:
    rng = np.random.default_rng(seed)
    batch, d, units = 5, 3, 2
    x = rng.uniform(-1, 1, size=(batch * steps, d)).astype(np.float32)
    y = rng.uniform(-1, 1, size=(batch * steps, units)).astype(np.float32)
    model = keras.Sequential([keras.Input(shape=(d,)), layers.Dense(units)])
    start = [rng.uniform(-1, 1, size=v.shape).astype(np.float32) for v in model.weights]
    model.set_weights(start)
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=False, verbose=0)
    params = [w.astype(np.float64) for w in start]
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    for _ in range(epochs):
        for s in range(steps):
            sl = slice(s * batch, (s + 1) * batch)
            ref.apply(params, _linear_mse_grads(params, x64[sl], y64[sl]))
    assert model.optimizer.iterations == steps * epochs
    for got, want in zip(model.get_weights(), params):
        np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-5)


def test_adam_one_step_golden() -> None:
    # One Adam step moves every variable by ~lr against its gradient's sign: m = 0.1 g, v = 0.001 g^2,
    # alpha = lr sqrt(0.001) / 0.1, so the step is lr * |g| / (|g| + 1e-7/sqrt(0.001)) ~ lr.
    # vars [1, 2, 3, 4], grads [1, 6, 7, 2], lr 0.5 -> [0.5, 1.5, 2.5, 3.5] (Keras's adam_test.py).
    # Through a model: Dense(4, use_bias=False) on x = [[1]] makes the kernel the prediction, and with mse
    # (mean over 4 outputs) dL/dw_j = (w_j - y_j) / 2, so y = w - 2 g gives exactly those gradients.
    w0 = np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32)
    g = np.array([1.0, 6.0, 7.0, 2.0], dtype=np.float32)
    model = keras.Sequential([keras.Input(shape=(1,)), layers.Dense(4, use_bias=False)])
    model.set_weights([w0])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.5), loss="mse")
    model.fit(np.ones((1, 1)), w0 - 2 * g, batch_size=1, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(model.get_weights()[0], [[0.5, 1.5, 2.5, 3.5]], rtol=0, atol=1e-5)
    assert model.optimizer.iterations == 1


learning_rates = st.sampled_from([0.001, 0.01, 0.05, 0.1])


@settings(max_examples=15)
@given(lr=learning_rates, momentum=st.sampled_from([0.0, 0.5, 0.9]), nesterov=st.booleans())
def test_sgd_steps_match_numpy(lr: float, momentum: float, nesterov: bool) -> None:
    _check_optimizer_through_model(
        keras.optimizers.SGD(learning_rate=lr, momentum=momentum, nesterov=nesterov),
        RefOptimizer("sgd", learning_rate=lr, momentum=momentum, nesterov=nesterov),
    )


@settings(max_examples=15)
@given(
    lr=learning_rates,
    rho=st.sampled_from([0.9, 0.5, 0.99]),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    centered=st.booleans(),
)
def test_rmsprop_steps_match_numpy(lr: float, rho: float, momentum: float, centered: bool) -> None:
    _check_optimizer_through_model(
        keras.optimizers.RMSprop(learning_rate=lr, rho=rho, momentum=momentum, centered=centered),
        RefOptimizer("rmsprop", learning_rate=lr, rho=rho, momentum=momentum, centered=centered),
    )


@settings(max_examples=15)
@given(
    lr=learning_rates,
    beta_1=st.sampled_from([0.9, 0.5]),
    beta_2=st.sampled_from([0.999, 0.9]),
    amsgrad=st.booleans(),
)
def test_adam_steps_match_numpy(lr: float, beta_1: float, beta_2: float, amsgrad: bool) -> None:
    _check_optimizer_through_model(
        keras.optimizers.Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2, amsgrad=amsgrad),
        RefOptimizer("adam", learning_rate=lr, beta_1=beta_1, beta_2=beta_2, amsgrad=amsgrad),
    )


@pytest.mark.parametrize("weight_decay", [0.004, 0.1])
def test_adamw_steps_match_numpy(weight_decay: float) -> None:
    _check_optimizer_through_model(
        keras.optimizers.AdamW(learning_rate=0.05, weight_decay=weight_decay),
        RefOptimizer("adamw", learning_rate=0.05, weight_decay=weight_decay),
    )


@pytest.mark.parametrize(
    ("name", "kind", "hp"),
    [
        ("adam", "adam", {"learning_rate": 0.001}),
        ("Adam", "adam", {"learning_rate": 0.001}),
        ("sgd", "sgd", {"learning_rate": 0.01}),
        ("SGD", "sgd", {"learning_rate": 0.01}),
        ("rmsprop", "rmsprop", {"learning_rate": 0.001}),
        ("RMSprop", "rmsprop", {"learning_rate": 0.001}),
    ],
)
def test_optimizer_strings_use_keras_defaults(name: str, kind: str, hp: dict[str, float]) -> None:
    _check_optimizer_through_model(name, RefOptimizer(kind, **hp), steps=2, epochs=1)


def test_compile_default_optimizer_is_rmsprop() -> None:
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.compile(loss="mse")
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    assert model.optimizer.learning_rate == pytest.approx(0.001)
