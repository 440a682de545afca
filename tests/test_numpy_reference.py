"""Self-checks for tests/numpy_reference.py: finite differences, Keras golden values, and (when
TensorFlow-Keras happens to be installed) a comparison against real Keras training."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy_reference as ref  # noqa: E402


def _data(n: int, n_in: int, n_out: int, seed: int, dtype=np.float32):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_in)).astype(dtype)
    y = rng.normal(size=(n, n_out)).astype(dtype)
    return x, y


def _numeric_grads(weights, x, y, loss, activations, eps=1e-6):
    grads = []
    for w in weights:
        g = np.zeros_like(w)
        it = np.nditer(w, flags=["multi_index"])
        for _ in it:
            idx = it.multi_index
            old = w[idx]
            w[idx] = old + eps
            up = ref.loss_value(weights, x, y, loss, activations)
            w[idx] = old - eps
            down = ref.loss_value(weights, x, y, loss, activations)
            w[idx] = old
            g[idx] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


@pytest.mark.parametrize(
    "loss,activations,n_out",
    [
        ("mae", ["relu", "relu", "linear"], 1),
        ("mse", ["relu", "relu", "linear"], 1),
        ("mse", ["tanh", "sigmoid", None], 2),
        ("mae", ["sigmoid", "tanh", "linear"], 3),
    ],
)
def test_gradient_matches_finite_differences(loss, activations, n_out):
    sizes = [4, 5, 3, n_out]
    weights = ref.glorot_uniform_weights(sizes, seed=1, dtype=np.float64)
    rng = np.random.default_rng(2)
    for i in range(1, len(weights), 2):  # non-zero biases so their gradients are exercised too
        weights[i] = rng.normal(scale=0.1, size=weights[i].shape)
    x, y = _data(7, sizes[0], n_out, seed=3, dtype=np.float64)
    _, analytic = ref.loss_and_grad(weights, x, y, loss, activations)
    numeric = _numeric_grads(weights, x, y, loss, activations)
    for a, n in zip(analytic, numeric):
        assert a.dtype == np.float64
        np.testing.assert_allclose(a, n, rtol=1e-5, atol=1e-8)


def test_rank1_targets_are_expanded_like_keras():
    y_pred = np.array([[1.0], [2.0], [4.0]], dtype=np.float32)
    assert ref.mae(np.array([1.0, 2.0, 3.0]), y_pred) == pytest.approx(1 / 3)
    assert ref.mse(np.array([1.0, 2.0, 3.0]), y_pred) == pytest.approx(1 / 3)
    np.testing.assert_allclose(ref.mae_grad(np.array([1.0, 2.0, 3.0]), y_pred), [[0], [0], [1 / 3]])


def test_loss_is_mean_over_last_axis_then_batch():
    y_true = np.array([[0.0, 0.0], [1.0, 1.0]], dtype=np.float32)
    y_pred = np.array([[1.0, 3.0], [1.0, 2.0]], dtype=np.float32)
    # per-sample MAE: [2.0, 0.5] -> 1.25; MSE: [5.0, 0.5] -> 2.75
    assert ref.mae(y_true, y_pred) == pytest.approx(1.25)
    assert ref.mse(y_true, y_pred) == pytest.approx(2.75)
    assert ref.mae(y_true, y_pred).dtype == np.float32


def test_adam_keras_golden_value():
    # keras/src/optimizers/adam_test.py: lr 0.5, one step.
    var = [np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)]
    grads = [np.array([1.0, 6.0, 7.0, 2.0], dtype=np.float32)]
    opt = ref.Adam(learning_rate=0.5)
    opt.apply(var, grads)
    np.testing.assert_allclose(var[0], [0.5, 1.5, 2.5, 3.5], rtol=1e-4, atol=1e-4)
    assert var[0].dtype == np.float32
    assert opt.iterations == 1


def test_adam_bit_exact_with_keras_float32_beta_powers():
    # Golden values from keras 3.15.1 (TensorFlow backend), float32:
    #   v = keras.Variable([1.0, -2.0, 0.5]); opt = keras.optimizers.Adam(0.001)
    #   opt.apply_gradients([(g, v)]) for g in the list below, printed with 9 significant digits.
    # After one step w[0] moves by 0.000999987, not 0.001: Keras takes 1 - float32(0.999)**t in float32,
    # and float32(0.999) = 0.99900001 shifts that by 1.3e-5 relative. A float64 alpha misses this.
    grads = [[3.0, -0.25, 1e-3], [-1.0, 0.5, 2e-3], [0.1, 0.2, -3e-3]]
    expected = {
        1: ["0.999000013", "-1.99900007", "0.499003172"],
        3: ["0.998270392", "-1.99984789", "0.498105913"],
    }
    var = [np.array([1.0, -2.0, 0.5], dtype=np.float32)]
    opt = ref.Adam(learning_rate=0.001)
    for step, g in enumerate(grads, start=1):
        opt.apply(var, [np.array(g, dtype=np.float32)])
        if step in expected:
            np.testing.assert_array_equal(var[0], np.array(expected[step], dtype=np.float32))


def test_adam_matches_formula_over_several_steps():
    rng = np.random.default_rng(0)
    w = rng.normal(size=5)
    p = [w.astype(np.float32)]
    opt = ref.Adam(learning_rate=0.01)
    m = np.zeros(5)
    v = np.zeros(5)
    for t in range(1, 6):
        g = rng.normal(size=5)
        opt.apply(p, [g.astype(np.float32)])
        m = m + (g - m) * 0.1
        v = v + (g * g - v) * 0.001
        alpha = 0.01 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        w = w - alpha * m / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(p[0], w, rtol=1e-5, atol=1e-6)


def test_fit_epoch_loss_is_batch_size_weighted_and_keeps_partial_batch():
    weights = ref.glorot_uniform_weights([3, 4, 1], seed=5)
    x, y = _data(10, 3, 1, seed=6)
    xv, yv = _data(5, 3, 1, seed=7)
    history, final = ref.fit_reference(weights, x, y, xv, yv, batch_size=4, epochs=2, lr=0.01)
    assert sorted(history) == ["loss", "val_loss"]
    assert len(history["loss"]) == len(history["val_loss"]) == 2
    assert all(isinstance(v, float) for v in history["loss"] + history["val_loss"])

    # Replay by hand: batches of 4, 4 and 2 rows; loss taken before each update.
    params = [w.copy() for w in weights]
    opt = ref.Adam(0.01)
    for epoch in range(2):
        total, count = 0.0, 0
        for lo, hi in [(0, 4), (4, 8), (8, 10)]:
            value, grads = ref.loss_and_grad(params, x[lo:hi], y[lo:hi])
            total += float(value) * (hi - lo)
            count += hi - lo
            opt.apply(params, grads)
        assert history["loss"][epoch] == pytest.approx(total / count, rel=1e-6)
        # validation after the epoch, with the final weights, batch-size weighted (4 + 1 rows)
        val = (
            4 * float(ref.mae(yv[:4], ref.forward(params, xv[:4])))
            + float(ref.mae(yv[4:], ref.forward(params, xv[4:])))
        ) / 5
        assert history["val_loss"][epoch] == pytest.approx(val, rel=1e-6)
    assert opt.iterations == 6
    for a, b in zip(final, params):
        np.testing.assert_array_equal(a, b)
    # the caller's weights are untouched
    np.testing.assert_array_equal(weights[0], ref.glorot_uniform_weights([3, 4, 1], seed=5)[0])


def test_fit_without_validation_and_batch_larger_than_data():
    weights = ref.glorot_uniform_weights([2, 3, 1], seed=0)
    x, y = _data(6, 2, 1, seed=1)
    history, _ = ref.fit_reference(weights, x, y[:, 0], batch_size=32, epochs=3)
    assert list(history) == ["loss"]
    assert len(history["loss"]) == 3
    first = float(ref.mae(y, ref.forward(weights, x)))
    assert history["loss"][0] == pytest.approx(first, rel=1e-6)


def test_unknown_names_raise():
    weights = ref.glorot_uniform_weights([2, 1], seed=0)
    with pytest.raises(ValueError, match="activation"):
        ref.forward(weights, np.zeros((1, 2), np.float32), ["swishy"])
    with pytest.raises(ValueError, match="loss"):
        ref.loss_value(weights, np.zeros((1, 2), np.float32), np.zeros((1, 1)), "hinge-ish")


def test_matches_real_keras_when_installed():
    """Only runs where TensorFlow-Keras is installed (not a project dependency)."""
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("compared against the TensorFlow backend only")
    sizes = [5, 16, 8, 1]
    weights = ref.glorot_uniform_weights(sizes, seed=11)
    x, y = _data(50, 5, 1, seed=12)
    xv, yv = _data(13, 5, 1, seed=13)
    model = keras.Sequential(
        [
            keras.Input((5,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mae")
    h = model.fit(x, y, validation_data=(xv, yv), batch_size=16, epochs=4, shuffle=False, verbose=0)
    history, final = ref.fit_reference(weights, x, y, xv, yv, batch_size=16, epochs=4, lr=0.01)
    np.testing.assert_allclose(h.history["loss"], history["loss"], rtol=1e-5)
    np.testing.assert_allclose(h.history["val_loss"], history["val_loss"], rtol=1e-5)
    for a, b in zip(model.get_weights(), final):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
