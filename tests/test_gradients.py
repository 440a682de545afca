"""Gradients through training: one SGD step recovers the gradient keras_lite applied, and it must equal
a float64 finite-difference gradient of the same loss at the same weights.

With ``SGD(learning_rate=lr)``, ``batch_size=n`` and ``shuffle=False`` one ``fit`` epoch is exactly one
update ``w <- w - lr * grad`` (Keras 3's SGD rule, applied once per batch), so ``(w_before - w_after) / lr``
is the gradient of the batch loss. The reference differentiates ``reference64.loss64``: the model's
forward pass in training mode (BatchNormalization on batch statistics) and the Keras loss, including
binary crossentropy computed from the logits of a final sigmoid, as Keras on TensorFlow does.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers
from reference64 import ACTIVATION_NAMES, forward64, loss64, numeric_gradients

LOSSES = ["mae", "mse", "huber", "binary_crossentropy"]
LR = 0.5
N = 8


def _data(d: int, units: int, loss: Any, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.5, 1.5, size=(N, d)).astype(np.float32)
    kind = loss if isinstance(loss, str) else loss._kind
    if kind == "binary_crossentropy":
        y = rng.integers(0, 2, size=(N, units)).astype(np.float32)
    else:
        y = rng.normal(size=(N, units)).astype(np.float32)
    return x, y


def _random_weights(model: keras.Sequential, seed: int) -> list[np.ndarray]:
    """Random values for every weight (BatchNormalization's gamma and variance stay positive)."""
    rng = np.random.default_rng(seed + 1000)
    weights = []
    for v in model.weights:
        if v.name in ("gamma", "moving_variance"):
            w = rng.uniform(0.5, 1.5, size=v.shape)
        else:
            w = rng.normal(scale=0.6, size=v.shape)
        weights.append(w.astype(np.float32))
    return weights


def _randomize(model: keras.Sequential, seed: int) -> list[np.ndarray]:
    weights = _random_weights(model, seed)
    model.set_weights(weights)
    return weights


def check_one_step(
    model: keras.Sequential, loss: Any, x: np.ndarray, y: Any, seed: int = 0
) -> list[np.ndarray]:
    """Fit one SGD step and compare the applied gradient and the reported loss with float64 references.

    Returns the gradients keras_lite applied, one per trainable weight.
    """
    before = _randomize(model, seed)
    trainable = [i for i, v in enumerate(model.weights) if v.trainable]
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=LR), loss=loss)
    history = model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    after = model.get_weights()
    assert model.optimizer.iterations == 1

    def f(params: list[np.ndarray]) -> float:
        return loss64(loss, model, params, x, y)

    params64 = [w.astype(np.float64) for w in before]
    # The reported loss is the training-mode loss at the weights before the step.
    assert history.history["loss"][0] == pytest.approx(f(params64), rel=1e-5, abs=1e-6)
    want = numeric_gradients(f, params64, trainable)
    got = [(before[i].astype(np.float64) - after[i]) / LR for i in trainable]
    scale = max(1.0, max(float(np.abs(g).max()) for g in want))
    for i, g_got, g_want in zip(trainable, got, want):
        np.testing.assert_allclose(
            g_got, g_want, rtol=1e-3, atol=1e-5 * scale, err_msg=f"weight {model.weights[i].path}"
        )
    for i, v in enumerate(model.weights):
        if not v.trainable and v.name not in ("moving_mean", "moving_variance"):
            np.testing.assert_array_equal(after[i], before[i], err_msg=f"frozen weight {v.path} changed")
    return got


def _out_activation(loss: str) -> str:
    return "sigmoid" if loss == "binary_crossentropy" else "linear"


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_dense_stack_hidden_activation(activation: str, loss: str) -> None:
    model = keras.Sequential(
        [
            keras.Input(shape=(3,)),
            layers.Dense(4, activation=activation),
            layers.Dense(3, activation=activation),
            layers.Dense(1, activation=_out_activation(loss)),
        ]
    )
    x, y = _data(3, 1, loss, seed=1)
    check_one_step(model, loss, x, y, seed=2)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_output_activation_with_two_units(activation: str) -> None:
    model = keras.Sequential(
        [keras.Input(shape=(3,)), layers.Dense(4, activation="tanh"), layers.Dense(2, activation=activation)]
    )
    x, y = _data(3, 2, "mse", seed=3)
    check_one_step(model, "mse", x, y, seed=4)


@pytest.mark.parametrize("activation", ["linear", "sigmoid", "hard_sigmoid", "softmax", "relu"])
def test_binary_crossentropy_on_probability_outputs(activation: str) -> None:
    # Outputs other than a sigmoid's or softmax's take the clipped formula: hard_sigmoid saturates to exactly
    # 0 or 1 (gradient 0), linear outputs outside (0, 1) are clipped (gradient 0). A softmax's logits are read
    # as a sigmoid's are (Keras on TensorFlow reads whichever logits the final activation left).
    model = keras.Sequential(
        [keras.Input(shape=(3,)), layers.Dense(4, activation="tanh"), layers.Dense(2, activation=activation)]
    )
    x, y = _data(3, 2, "binary_crossentropy", seed=5)
    check_one_step(model, "binary_crossentropy", x, y, seed=6)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
@pytest.mark.parametrize("from_logits", [False, True])
def test_binary_crossentropy_options(from_logits: bool, label_smoothing: float) -> None:
    loss = keras.losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing)
    out = "linear" if from_logits else "sigmoid"
    model = keras.Sequential(
        [keras.Input(shape=(3,)), layers.Dense(4, activation="relu"), layers.Dense(1, activation=out)]
    )
    x, y = _data(3, 1, "binary_crossentropy", seed=7)
    check_one_step(model, loss, x, y, seed=8)


@pytest.mark.parametrize(("activation", "moves"), [("sigmoid", True), ("hard_sigmoid", False)])
def test_saturated_sigmoid_still_learns(activation: str, moves: bool) -> None:
    # From the logits (as Keras on TensorFlow computes it after a final sigmoid) the gradient at logit 50, label 0 is sigmoid(50) - 0 = 1; the
    # clipped formula (any other output) has gradient 0 there. One SGD step of 0.1: kernel 50 -> 49.9.
    model = keras.Sequential([keras.Input(shape=(1,)), layers.Dense(1, activation=activation)])
    model.set_weights([np.array([[50.0]], dtype=np.float32), np.zeros(1, dtype=np.float32)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
    model.fit(np.ones((1, 1)), np.zeros(1), batch_size=1, epochs=1, shuffle=False, verbose=0)
    kernel, bias = model.get_weights()
    if moves:
        np.testing.assert_allclose(kernel, [[49.9]], rtol=1e-6)
        np.testing.assert_allclose(bias, [-0.1], rtol=1e-6)
    else:
        np.testing.assert_array_equal(kernel, [[50.0]])
        np.testing.assert_array_equal(bias, [0.0])


def test_sigmoid_activation_layer_gives_logits_too() -> None:
    model = keras.Sequential(
        [
            keras.Input(shape=(3,)),
            layers.Dense(4, use_bias=False),
            layers.Activation("tanh"),
            layers.Dense(1, use_bias=False),
            layers.Activation("sigmoid"),
        ]
    )
    x, y = _data(3, 1, "binary_crossentropy", seed=9)
    check_one_step(model, "binary_crossentropy", x, y, seed=10)


@pytest.mark.parametrize("delta", [0.1, 1.0, 3.0])
def test_huber_delta(delta: float) -> None:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4, activation="elu"), layers.Dense(2)])
    x, y = _data(3, 2, "huber", seed=11)
    check_one_step(model, keras.losses.Huber(delta=delta), x, y, seed=12)


@pytest.mark.parametrize("loss", LOSSES)
def test_dropout_zero_and_batch_normalization(loss: str) -> None:
    model = keras.Sequential(
        [
            keras.Input(shape=(3,)),
            layers.Dense(5, activation="relu"),
            layers.Dropout(rate=0.0),
            layers.BatchNormalization(),
            layers.Dense(1, activation=_out_activation(loss)),
        ]
    )
    x, y = _data(3, 1, loss, seed=13)
    check_one_step(model, loss, x, y, seed=14)


@pytest.mark.parametrize("loss", LOSSES)
def test_batch_normalization_first_and_between(loss: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the legacy input_shape= warning
        first = layers.BatchNormalization(input_shape=[3])
    model = keras.Sequential(
        [
            first,
            layers.Dense(4, activation="selu"),
            layers.BatchNormalization(),
            layers.Dense(2, activation=_out_activation(loss)),
        ]
    )
    x, y = _data(3, 2, loss, seed=15)
    check_one_step(model, loss, x, y, seed=16)


def test_batch_normalization_moving_statistics_after_one_step() -> None:
    model = keras.Sequential(
        [keras.Input(shape=(3,)), layers.Dense(4), layers.BatchNormalization(), layers.Dense(1)]
    )
    x, y = _data(3, 1, "mse", seed=17)
    before = _randomize(model, seed=18)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    model.fit(x, y, batch_size=N, epochs=1, shuffle=False, verbose=0)
    h = x.astype(np.float64) @ before[0] + before[1]
    after = model.get_weights()
    # moving = moving * 0.99 + batch * 0.01, with the biased batch variance.
    np.testing.assert_allclose(after[4], before[4] * 0.99 + h.mean(axis=0) * 0.01, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(after[5], before[5] * 0.99 + h.var(axis=0) * 0.01, rtol=1e-5, atol=1e-6)
    # With learning_rate 0 the trainable weights stay where they were.
    for i in (0, 1, 2, 3, 6, 7):
        np.testing.assert_array_equal(after[i], before[i])
    # Inference uses the moving statistics.
    want, _ = forward64(model, [w.astype(np.float64) for w in after], x, training=False)
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-5)


def test_batch_normalization_keras_golden() -> None:
    # Measured with Keras 3: x = [[1, 2], [3, 6]] in training mode gives
    # [[-0.9995, -0.9999], [0.9995, 0.9999]], moving_mean [0.02, 0.04], moving_variance [1.0, 1.03], and the
    # following inference call gives [[0.9795, 1.9303], [2.9785, 5.8697]].
    # Exactly: batch mean [2, 4], biased variance [1, 4]; training output (x - mean) / sqrt(var + 1e-3).
    x = np.array([[1.0, 2.0], [3.0, 6.0]], dtype=np.float32)
    train_out = (x - [2.0, 4.0]) / np.sqrt(np.array([1.0, 4.0]) + 1e-3)
    np.testing.assert_allclose(train_out, [[-0.9995, -0.9999], [0.9995, 0.9999]], atol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = keras.Sequential([layers.BatchNormalization(input_shape=[2])])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    # The training-mode output is seen through the loss: mse against the expected output is ~0, and
    # against zeros it is the mean square of that output.
    hist = model.fit(x, train_out.astype(np.float32), batch_size=2, epochs=1, shuffle=False, verbose=0)
    assert hist.history["loss"][0] == pytest.approx(0.0, abs=1e-10)
    gamma, beta, moving_mean, moving_var = model.get_weights()
    np.testing.assert_allclose(moving_mean, [0.02, 0.04], rtol=1e-6)
    np.testing.assert_allclose(moving_var, [1.0, 1.03], rtol=1e-6)
    np.testing.assert_array_equal(gamma, [1.0, 1.0])
    np.testing.assert_array_equal(beta, [0.0, 0.0])

    fresh = keras.Sequential([keras.Input(shape=(2,)), layers.BatchNormalization()])
    fresh.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    hist = fresh.fit(x, np.zeros((2, 2)), batch_size=2, epochs=1, shuffle=False, verbose=0)
    assert hist.history["loss"][0] == pytest.approx(float(np.mean(train_out**2)), rel=1e-6)

    infer = (x - [0.02, 0.04]) / np.sqrt(np.array([1.0, 1.03]) + 1e-3)
    np.testing.assert_allclose(infer, [[0.9795, 1.9303], [2.9785, 5.8697]], atol=1e-4)
    np.testing.assert_allclose(model.predict(x, verbose=0), infer, rtol=1e-6)
    np.testing.assert_allclose(model(x), infer, rtol=1e-6)


def test_frozen_layers_are_not_updated() -> None:
    model = keras.Sequential(
        [
            keras.Input(shape=(3,)),
            layers.Dense(4, activation="tanh"),
            layers.BatchNormalization(),
            layers.Dense(1),
        ]
    )
    model.layers[0].trainable = False
    model.layers[1].trainable = False  # frozen BatchNormalization runs in inference mode, even in fit
    assert [v.trainable for v in model.weights] == [False, False, False, False, False, False, True, True]
    x, y = _data(3, 1, "mse", seed=19)
    check_one_step(model, "mse", x, y, seed=20)
    # Nothing frozen moved, the BatchNormalization moving statistics included.
    start, after = _random_weights(model, seed=20), model.get_weights()
    for i in range(6):
        np.testing.assert_array_equal(after[i], start[i])


def test_dropout_rate_one_blocks_the_gradient() -> None:
    # Dropout(1.0) zeroes its input while training (as in Keras 3), so nothing before it learns.
    model = keras.Sequential(
        [keras.Input(shape=(3,)), layers.Dense(4, activation="tanh"), layers.Dropout(1.0), layers.Dense(1)]
    )
    x, y = _data(3, 1, "mse", seed=21)
    got = check_one_step(model, "mse", x, y, seed=22)
    np.testing.assert_array_equal(got[0], 0)
    np.testing.assert_array_equal(got[1], 0)
    np.testing.assert_array_equal(got[2], 0)  # the last kernel sees only zeros
    assert np.all(got[3] != 0)


@pytest.mark.parametrize("loss", LOSSES)
def test_targets_of_shape_n_and_n_1_give_the_same_step(loss: str) -> None:
    def run(y: np.ndarray) -> list[np.ndarray]:
        keras.utils.set_random_seed(3)
        model = keras.Sequential(
            [
                keras.Input(shape=(3,)),
                layers.Dense(3, activation="relu"),
                layers.Dense(1, activation=_out_activation(loss)),
            ]
        )
        return check_one_step(model, loss, x, y, seed=24)

    x, y = _data(3, 1, loss, seed=23)
    for a, b in zip(run(y), run(y[:, 0])):
        np.testing.assert_array_equal(a, b)


def test_use_bias_false_and_wide_outputs() -> None:
    model = keras.Sequential(
        [
            keras.Input(shape=(5,)),
            layers.Dense(6, activation="gelu", use_bias=False),
            layers.Dense(3, activation="softplus", use_bias=False),
        ]
    )
    x, y = _data(5, 3, "mae", seed=25)
    check_one_step(model, "mae", x, y, seed=26)
