"""Metrics as Keras computes them, Dropout's inverted scaling, and compile()'s resolution of names."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers


def _frozen_fit(model: keras.Sequential, x: np.ndarray, y: np.ndarray, metrics: list[str], loss: str = "mse"):
    """One epoch with learning rate 0: the metrics describe the fixed weights' training-mode predictions."""
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss=loss, metrics=metrics)
    return model.fit(x, y, batch_size=7, epochs=1, shuffle=False, validation_data=(x, y), verbose=0).history


def test_regression_metrics_match_numpy() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 4)).astype(np.float32)
    y = rng.normal(size=(50, 2)).astype(np.float32)
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    hist = _frozen_fit(model, x, y, ["mae", "mse"])
    pred = model.predict(x, verbose=0).astype(np.float64)
    assert sorted(hist) == ["loss", "mae", "mse", "val_loss", "val_mae", "val_mse"]
    np.testing.assert_allclose(hist["mae"][0], np.abs(pred - y).mean(), rtol=1e-5)
    np.testing.assert_allclose(hist["mse"][0], ((pred - y) ** 2).mean(), rtol=1e-5)
    assert hist["mse"][0] == pytest.approx(hist["loss"][0], rel=1e-6)
    np.testing.assert_allclose(hist["val_mae"][0], hist["mae"][0], rtol=1e-5)


def test_binary_accuracy_and_accuracy_on_one_unit() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 3)).astype(np.float32)
    y = (rng.random(60) > 0.5).astype(np.float32)
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1, activation="sigmoid")])
    hist = _frozen_fit(model, x, y, ["binary_accuracy", "accuracy"], loss="binary_crossentropy")
    pred = model.predict(x, verbose=0)[:, 0]
    want = np.mean((pred > 0.5) == (y == 1))
    assert hist["binary_accuracy"][0] == pytest.approx(want)
    assert hist["accuracy"][0] == pytest.approx(want)  # 'accuracy' on one unit is binary accuracy
    assert sorted(hist) == [
        "accuracy",
        "binary_accuracy",
        "loss",
        "val_accuracy",
        "val_binary_accuracy",
        "val_loss",
    ]


def test_accuracy_on_several_units_is_categorical() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(40, 5)).astype(np.float32)
    labels = rng.integers(0, 3, size=40)
    y = np.eye(3, dtype=np.float32)[labels]
    model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(3, activation="softmax")])
    hist = _frozen_fit(model, x, y, ["accuracy"])
    pred = model.predict(x, verbose=0)
    assert hist["accuracy"][0] == pytest.approx(np.mean(pred.argmax(axis=1) == labels))


def test_dropout_is_inverted_and_only_active_while_training() -> None:
    width, rate = 4000, 0.3
    model = keras.Sequential(
        [keras.Input(shape=(width,)), layers.Dropout(rate, seed=1), layers.Dense(1, use_bias=False)]
    )
    model.set_weights([np.full((width, 1), 1.0 / width, dtype=np.float32)])
    x = np.ones((8, width), dtype=np.float32)
    y = np.zeros((8, 1), dtype=np.float32)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mae")
    # Inference: the identity, so each output is exactly the mean of ones.
    np.testing.assert_allclose(model.predict(x, verbose=0), 1.0, rtol=1e-4)  # 4,000 float32 terms
    assert model.evaluate(x, y, verbose=0) == pytest.approx(1.0, rel=1e-4)
    # Training: kept units are scaled by 1/(1-rate), so the mean output stays near 1, but it varies.
    loss = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0).history["loss"][0]
    assert loss != pytest.approx(1.0, abs=1e-3)
    assert loss == pytest.approx(1.0, abs=0.05)


def test_compile_resolves_names_like_keras() -> None:
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)])
    model.compile(loss="mae")
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)  # Keras's default optimizer
    for name, cls in [
        ("ADAM", keras.optimizers.Adam),
        ("Sgd", keras.optimizers.SGD),
        ("AdamW", keras.optimizers.AdamW),
    ]:
        model.compile(optimizer=name, loss="mae")
        assert type(model.optimizer) is cls
    model.compile(optimizer="adam", loss="mae", metrics=["binary_accuracy"])
    assert model.compiled_loss._losses == "mae"  # learntools' tf.keras 2 check
    assert model.compiled_metrics._metrics == ["binary_accuracy"]
    assert model.loss == "mae"
    defaults = keras.optimizers.Adam()
    assert (defaults.learning_rate, defaults.beta_1, defaults.beta_2, defaults.epsilon) == (
        0.001,
        0.9,
        0.999,
        1e-7,
    )
    sgd = keras.optimizers.SGD()
    assert (sgd.learning_rate, sgd.momentum, sgd.nesterov) == (0.01, 0.0, False)
    rms = keras.optimizers.RMSprop()
    assert (rms.learning_rate, rms.rho, rms.momentum, rms.epsilon, rms.centered) == (
        0.001,
        0.9,
        0.0,
        1e-7,
        False,
    )
    with pytest.raises(ValueError, match="learning_rate"):
        keras.optimizers.Adam(learning_rate=1)


@pytest.mark.parametrize("device", DEVICES)
def test_evenly_spaced_thresholds_clip_predictions_as_keras(device: str) -> None:
    # Keras 3.15.1 counts predictions against evenly spaced thresholds ([0, 0.5, 1]) in buckets, clipped to
    # [0, 1] first: a logit of 2 or 3 is not above 1.0, nor is -1 above 0. An identity model's predictions.
    x = np.array([[2.0], [3.0], [0.4], [-1.0]], np.float32)
    y = np.array([[1.0], [0.0], [1.0], [0.0]], np.float32)
    t = [0.0, 0.5, 1.0]
    metrics = [
        keras.metrics.TruePositives(thresholds=t, name="tp"),
        keras.metrics.FalsePositives(thresholds=t, name="fp"),
        keras.metrics.TrueNegatives(thresholds=t, name="tn"),
        keras.metrics.FalseNegatives(thresholds=t, name="fn"),
        keras.metrics.Precision(thresholds=t, name="prec"),
        keras.metrics.Recall(thresholds=t, name="rec"),
    ]
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.set_weights([np.ones((1, 1), np.float32), np.zeros(1, np.float32)])
    model.to(device)
    model.compile(optimizer="sgd", loss=keras.losses.BinaryCrossentropy(from_logits=True), metrics=metrics)
    got = model.evaluate(x, y, verbose=0, return_dict=True)
    want = {
        "tp": [2, 1, 0], "fp": [1, 1, 0], "tn": [1, 1, 2], "fn": [0, 1, 2],
        "prec": [0.6666667, 0.5, 0.0], "rec": [1.0, 0.5, 0.0],
    }  # fmt: skip
    for key, values in want.items():
        np.testing.assert_allclose(got[key], values, rtol=1e-6, err_msg=key)
    alone = keras.metrics.TruePositives(thresholds=t)
    alone.update_state(y, x)
    np.testing.assert_array_equal(alone.result(), [2, 1, 0])
    uneven = keras.metrics.TruePositives(thresholds=[0.1, 0.5, 0.9])  # compared as they are
    uneven.update_state(y, x)
    np.testing.assert_array_equal(uneven.result(), [2, 1, 1])


@pytest.mark.parametrize("device", DEVICES)
def test_top_k_accuracy_misses_rows_that_are_not_finite(device: str) -> None:
    # Keras 3.15.1 (TensorFlow's in_top_k): a row holding a NaN or infinite score is never a hit. Dense(3,
    # "softmax") with kernel [[inf, 0, 0], [0, 0, 0]] on these rows gives a NaN row (inf - inf), the finite row
    # [0, .5, .5] and a NaN row (0 * inf); Keras's evaluate gave 0.33333334 for both metrics with k=2.
    x = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]], np.float32)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    kernel = np.zeros((2, 3), np.float32)
    kernel[0, 0] = np.inf
    model.set_weights([kernel, np.zeros(3, np.float32)])
    model.to(device)
    for labels, metric in (
        (np.eye(3, dtype=np.float32), keras.metrics.TopKCategoricalAccuracy(k=2, name="top")),
        (np.arange(3), keras.metrics.SparseTopKCategoricalAccuracy(k=2, name="top")),
    ):
        model.compile(
            optimizer="sgd",
            loss="mse" if labels.ndim == 2 else "sparse_categorical_crossentropy",
            metrics=[metric],
        )
        got = model.evaluate(x, labels, verbose=0, return_dict=True)
        assert got["top"] == pytest.approx(1 / 3), (type(metric).__name__, got)
        alone = type(metric)(k=2)
        alone.update_state(labels, model.predict(x, verbose=0))
        assert float(alone.result()) == pytest.approx(1 / 3)
