"""Cases from a randomized differential sweep of training against Keras 3.15.1 (TensorFlow backend), pinned.

A throwaway driver trained a few hundred small random models in both libraries from the same initial weights
(`shuffle=False`) and compared the History, evaluate(), predict() and the final weights; keras_lite matched
Keras to float32 rounding wherever the result is not decided by rounding noise. These cases, one per family
the sweep covered (sparse targets with an ignored class and class weights, a Functional merge with
regularizers, constraints and BatchNormalization under sample weights, a binary loss from logits with
threshold metrics and initial_epoch), keep that agreement: each golden is what Keras 3.15.1 printed for the
same code with the same weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import keras_lite as keras


def _data(seed: int, rows: int, features: int) -> tuple[np.ndarray, np.random.Generator]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, features)).astype("float32"), rng


def _set_weights(model: Any, seed: int, variance: int | None = None) -> None:
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-0.6, 0.6, size=w.shape).astype("float32") for w in model.get_weights()]
    if variance is not None:  # a BatchNormalization's moving variance must stay positive
        weights[variance] = np.abs(weights[variance]) + 0.5
    model.set_weights(weights)


def sparse_ignore_class(keras: Any) -> tuple[dict[str, list[float]], np.ndarray]:
    x, rng = _data(1, 23, 3)
    y = rng.integers(0, 3, 23)
    model = keras.Sequential(
        [
            keras.Input(shape=(3,)),
            keras.layers.Dense(4, activation="gelu", kernel_regularizer=keras.regularizers.L2(0.01)),
            keras.layers.LayerNormalization(epsilon=0.01),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    _set_weights(model, 11)
    schedule = keras.optimizers.schedules.CosineDecay(0.02, 8, alpha=0.1, warmup_target=0.04, warmup_steps=3)
    model.compile(
        optimizer=keras.optimizers.AdamW(
            learning_rate=schedule, weight_decay=0.05, amsgrad=True, clipvalue=0.5
        ),
        loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=2),
        metrics=["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=2)],
    )
    history = model.fit(
        x,
        y,
        batch_size=5,
        epochs=3,
        shuffle=False,
        verbose=0,
        validation_split=0.25,
        class_weight={0: 0.5, 1: 2.0, 2: 1.5},
    )
    return history.history, model.predict(x[:4], verbose=0)


def merged_regression(keras: Any) -> tuple[dict[str, list[float]], np.ndarray]:
    x, rng = _data(2, 30, 2)
    y = rng.normal(size=(30, 2)).astype("float32")
    inputs = keras.Input(shape=(2,))
    a = keras.layers.Dense(3, activation="elu", bias_regularizer=keras.regularizers.L1(0.01))(inputs)
    b = keras.layers.Dense(3, activation="softsign", kernel_constraint=keras.constraints.MaxNorm(0.5))(inputs)
    h = keras.layers.Average()([a, b])
    h = keras.layers.Dense(
        4, activation="swish", use_bias=False, activity_regularizer=keras.regularizers.L2(0.02)
    )(h)
    h = keras.layers.BatchNormalization(momentum=0.5)(h)
    outputs = keras.layers.Dense(2)(h)
    model = keras.Model(inputs, outputs)
    _set_weights(model, 12, variance=-3)
    model.compile(
        optimizer=keras.optimizers.Nadam(learning_rate=0.01, beta_1=0.8, global_clipnorm=1.0),
        loss=keras.losses.Huber(delta=0.5, reduction="sum"),
        metrics=[keras.metrics.R2Score(), "mae"],
        weighted_metrics=["mse"],
    )
    history = model.fit(
        x,
        y,
        batch_size=7,
        epochs=2,
        shuffle=False,
        verbose=0,
        sample_weight=np.linspace(0.5, 1.5, 30).astype("float32"),
        validation_data=(x[:9], y[:9]),
    )
    return history.history, model.predict(x[:4], verbose=0)


def binary_thresholds(keras: Any) -> tuple[dict[str, list[float]], np.ndarray]:
    x, rng = _data(3, 40, 5)
    y = (rng.random(40) < 0.45).astype("float32")
    model = keras.Sequential(
        [
            keras.Input(shape=(5,)),
            keras.layers.Dense(6, activation="hard_silu", kernel_constraint=keras.constraints.NonNeg()),
            keras.layers.Dropout(0.0),
            keras.layers.Dense(1),
        ]
    )
    _set_weights(model, 13)
    model.compile(
        optimizer=keras.optimizers.RMSprop(
            learning_rate=0.01, rho=0.8, momentum=0.5, centered=True, clipnorm=0.1
        ),
        loss=keras.losses.BinaryFocalCrossentropy(
            gamma=1.5, apply_class_balancing=True, from_logits=True, label_smoothing=0.1
        ),
        metrics=[keras.metrics.AUC(from_logits=True), keras.metrics.Precision(thresholds=0.3)],
    )
    history = model.fit(x, y, batch_size=16, epochs=3, initial_epoch=1, shuffle=False, verbose=0)
    return history.history, model.predict(x[:4], verbose=0)


# What Keras 3.15.1 printed for each case (history in its key order; predict of the first four rows).
KERAS_GOLDENS: dict[str, tuple[dict[str, list[float]], list[list[float]]]] = {
    "sparse_ignore_class": (
        {
            "accuracy": [0.41176471, 0.41176471, 0.41176471],
            "loss": [2.0450637, 1.2883739, 0.86740267],
            "sparse_top_k_categorical_accuracy": [0.58823532, 0.64705884, 0.64705884],
            "val_accuracy": [0.33333334, 0.33333334, 0.33333334],
            "val_loss": [1.0916177, 0.87601727, 0.84409475],
            "val_sparse_top_k_categorical_accuracy": [1.0, 0.5, 0.66666669],
        },
        [
            [0.22298226, 0.55791742, 0.21910031],
            [0.20533705, 0.62595552, 0.16870749],
            [0.20604227, 0.62134445, 0.17261328],
            [0.20739968, 0.6145891, 0.17801122],
        ],
    ),
    "merged_regression": (
        {
            "loss": [2.0438981, 1.9248582],
            "mae": [0.84114009, 0.79918033],
            "mse": [1.0696831, 1.010726],
            "r2_score": [-0.16460174, -0.095535815],
            "val_loss": [1.829177, 1.7451825],
            "val_mae": [0.86833394, 0.83656323],
            "val_mse": [1.2129029, 1.1442041],
            "val_r2_score": [-0.10600182, -0.051785916],
        },
        [
            [0.14036912, 0.0076456442],
            [0.20924065, 0.024518378],
            [0.076078624, 0.00022629648],
            [0.083681852, 0.074039035],
        ],
    ),
    "binary_thresholds": (
        {
            "auc": [0.4671717, 0.50757575],
            "loss": [0.14633809, 0.12056442],
            "precision": [0.41666666, 1.0],
        },
        [[-0.46922338], [-0.52712035], [-0.2522307], [-0.1367041]],
    ),
}


@pytest.mark.parametrize(
    "case", [sparse_ignore_class, merged_regression, binary_thresholds], ids=lambda f: f.__name__
)
def test_training_matches_keras(case: Any) -> None:
    history, predicted = case(keras)
    expected_history, expected_predicted = KERAS_GOLDENS[case.__name__]
    assert list(history) == list(expected_history)
    for key, values in expected_history.items():
        np.testing.assert_allclose(history[key], values, rtol=1e-5, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(predicted, expected_predicted, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "arguments",
    [{"use_ema": True}, {"ema_overwrite_frequency": 3}, {"gradient_accumulation_steps": 2}],
    ids=lambda a: next(iter(a)),
)
def test_optimizer_arguments_keras_takes_are_refused_by_name(arguments: dict[str, Any]) -> None:
    # Keras 3.15.1 makes Adam(**arguments) without a word; keras_lite has no moving average or accumulation.
    name, value = next(iter(arguments.items()))
    with pytest.raises(keras.NotSupportedError, match=f"{name}={value}"):
        keras.optimizers.Adam(**arguments)


def test_adjusted_r2_in_evaluate_is_the_metric_on_its_own() -> None:
    # Keras 3.15.1's R2Score(num_regressors=2) fails inside its compiled fit and evaluate; on its own, updated with
    # these predictions, it printed -0.6004533767700195 (and -0.5223824381828308 with num_regressors=0).
    rng = np.random.default_rng(5)
    x = rng.normal(size=(21, 3)).astype("float32")
    y = rng.normal(size=(21, 2)).astype("float32")
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(2, kernel_initializer=keras.initializers.Constant(0.3))]
    )
    model.compile(
        optimizer="sgd",
        loss="mse",
        metrics=[keras.metrics.R2Score(num_regressors=2), keras.metrics.R2Score(name="plain")],
    )
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    np.testing.assert_allclose(result["r2_score"], -0.6004533767700195, rtol=1e-6)
    np.testing.assert_allclose(result["plain"], -0.5223824381828308, rtol=1e-6)
