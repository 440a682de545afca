"""More of Keras 3.15's semantics that side-by-side runs found keras_lite missing: a streamed epoch after a pass
that took the last batch, class_weight with batches that carry weights, callbacks reused across fits, the
float32 comparison of a monitored value with min_delta, and what a second compile() keeps. Expected values are
Keras 3.15.1's (TensorFlow backend) for the same calls."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

X = np.random.default_rng(0).normal(size=(20, 4)).astype(np.float32)
Y = X[:, :1] * 2


class _Four(keras.utils.PyDataset):
    def __init__(self, weighted=False):
        super().__init__()
        self.read, self.weighted = [], weighted

    def __len__(self):
        return 4

    def __getitem__(self, i):
        self.read.append(i)
        s = slice(i * 5, (i + 1) * 5)
        return (X[s], Y[s], np.ones(5, np.float32)) if self.weighted else (X[s], Y[s])


def _model():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    return model


def test_a_pass_that_took_the_last_batch_starts_the_data_again():
    # Keras 3.15: 4 batches, steps_per_epoch=2, 3 epochs: batches 0,1 | 2,3 | 0,1, six steps, no warning, and
    # the losses 3.0169, 1.4535, 0.6415.
    data, model = _Four(), _model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = model.fit(data, epochs=3, steps_per_epoch=2, shuffle=False, verbose=0)
    assert model.optimizer.iterations == 6
    np.testing.assert_allclose(history.history["loss"], [3.0169, 1.4535, 0.6415], atol=1e-4)
    assert data.read[-6:] == [0, 1, 2, 3, 0, 1]


def test_class_weight_with_batches_that_carry_weights_is_refused():
    with pytest.raises(
        ValueError, match=r"You cannot specify `class_weight` and `sample_weight` at the same time\."
    ):
        _model().fit(_Four(weighted=True), epochs=1, class_weight={0: 1.0, 1: 5.0}, verbose=0)


def test_reduce_lr_on_plateau_starts_afresh_each_fit():
    # Keras resets best, wait and cooldown at the start of each fit: the second fit's first epoch improves on
    # nothing and the rate stays 0.1.
    x = np.linspace(-1, 1, 24, dtype=np.float32)[:, None]
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    reduce = keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=0, min_delta=10.0, factor=0.5)
    for _ in range(2):
        model.fit(x, 3 * x, epochs=1, verbose=0, shuffle=False, callbacks=[reduce])
    assert np.float32(model.optimizer.learning_rate) == np.float32(0.1)


def test_min_delta_is_compared_in_float32():
    # 0.5 -> 0.6 with min_delta=0.1 (float32 values, as metrics give them): float32(0.6 - 0.1) is 0.5, not above
    # 0.5, so Keras counts no improvement: EarlyStopping(patience=0) stops after the second epoch and
    # ReduceLROnPlateau waits.
    scores = [0.5, 0.6, 0.7, 0.8, 0.9]
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    inject = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda e, logs: logs.__setitem__("score", float(np.float32(scores[e])))
    )
    stop = keras.callbacks.EarlyStopping(monitor="score", mode="max", min_delta=0.1, patience=0)
    history = model.fit(np.ones((4, 1)), np.ones((4, 1)), epochs=5, verbose=0, callbacks=[inject, stop])
    assert len(history.history["loss"]) == 2 and stop.stopped_epoch == 1
    reduce = keras.callbacks.ReduceLROnPlateau(monitor="accuracy", mode="max", min_delta=0.1, patience=5)
    reduce.set_model(model)
    reduce.on_train_begin()
    for epoch, value in enumerate((0.5, 0.6)):
        reduce.on_epoch_end(epoch, {"accuracy": float(np.float32(value))})
    assert reduce.wait == 1


def test_a_second_compile_keeps_what_keras_keeps():
    x = np.random.default_rng(1).normal(size=(32, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-1.0], [0.5]], np.float32)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    opt = keras.optimizers.Adam(0.01)
    model.compile(opt, "mse", metrics=["mae"], weighted_metrics=["mse"])
    model.fit(x, y, batch_size=8, verbose=0)
    _, slots = model._core_network().optimizer_state()
    # No loss and no metrics given: the previous ones stay; the same optimizer instance keeps its step count
    # and moments.
    model.compile(opt)
    assert model.loss == "mse" and opt.iterations == 4
    _, again = model._core_network().optimizer_state()
    for (_, _, a), (_, _, b) in zip(slots, again):
        np.testing.assert_array_equal(a, b)
    history = model.fit(x, y, batch_size=8, verbose=0, sample_weight=np.ones(32))
    assert list(history.history) == ["loss", "mae", "mse"] and opt.iterations == 8
    # A first compile needs a loss all the same.
    with pytest.raises(ValueError, match="needs a loss"):
        keras.Sequential([keras.Input((3,)), layers.Dense(1)]).compile("adam")
    # metrics=[] drops them; another optimizer starts afresh.
    model.compile(keras.optimizers.Adam(0.01), metrics=[])
    assert list(model.fit(x, y, verbose=0).history) == ["loss"]
    assert model.optimizer.iterations == 1


def test_evaluate_lists_values_in_keras_order():
    # Keras 3.15's _flatten_metrics_in_order: each metric's own name that is a log key (a name given twice
    # gives its value twice), then the other keys sorted: [loss, mae, mse, mae, mse, mae_1, weighted_mse].
    x = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, kernel_initializer="ones")])
    model.compile("sgd", "mse", metrics=["mae", "mse", "mae"], weighted_metrics=["mse"])
    y, w = x[:, :1] * 2, np.linspace(0.5, 1.5, 40).astype(np.float32)
    logs = model.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    assert sorted(logs) == ["loss", "mae", "mae_1", "mse", "weighted_mse"]
    order = ["loss", "mae", "mse", "mae", "mse", "mae_1", "weighted_mse"]
    assert model.evaluate(x, y, sample_weight=w, verbose=0) == [logs[k] for k in order]
    # Keras 3.15's list for metrics=["mae"], weighted_metrics=["mae"], before any training: mae three times.
    model.compile("sgd", "mse", metrics=["mae"], weighted_metrics=["mae"])
    np.testing.assert_allclose(
        model.evaluate(x, y, verbose=0), [2.275895118713379] + [1.1812384128570557] * 3, rtol=1e-6
    )


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    "target", [[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.5, 0.0, 0.0]], ids=["multi-hot", "zero", "half"]
)
def test_crossentropy_on_targets_not_summing_to_one_trains_as_keras(device, target):
    # Keras on TensorFlow computes a softmax output's crossentropy with the fused op, whose gradient is
    # softmax(z) - t whatever the targets sum to (Keras 3.15: bias gradient [-0.6185462, -0.7443039, 0.36285007]
    # for the multi-hot row). The loss is -sum(t * log_softmax(z)) all the same.
    x, y = np.array([[1.0, 0.5]], np.float32), np.array([target], np.float32)
    w = [np.array([[0.2, -0.1, 0.4], [0.3, 0.1, -0.2]], np.float32), np.zeros(3, np.float32)]
    model = keras.Sequential([keras.Input((2,)), layers.Dense(3, activation="softmax")], device=device)
    model.set_weights(w)
    model.compile(keras.optimizers.SGD(1.0), "categorical_crossentropy")
    z = x @ w[0]
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), -(y * np.log(p)).sum(), rtol=1e-5)
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_allclose(w[1] - model.get_weights()[1], (p - y).ravel(), rtol=1e-5, atol=1e-6)
    if target[1]:
        np.testing.assert_allclose((p - y).ravel(), [-0.6185462, -0.7443039, 0.36285007], rtol=1e-5)


@pytest.mark.parametrize("device", DEVICES)
def test_constrained_rates_count_no_prediction_at_or_below_zero(device):
    # Keras 3.15: evenly spaced thresholds from exactly 0 to 1, predictions clipped and bucketed, so one at or
    # below 0 is above no threshold: no threshold reaches recall 0.6 here, on its own or compiled.
    yt = np.array([[1.0], [0.0], [1.0]], np.float32)
    yp = np.array([[0.617], [1.564], [-0.193]], np.float32)
    metric = keras.metrics.PrecisionAtRecall(recall=0.6)
    metric.update_state(yt, yp)
    assert float(metric.result()) == 0.0
    recall = keras.metrics.RecallAtPrecision(precision=0.7)
    recall.update_state(
        np.array([[0.0], [1.0], [1.0], [1.0]]), np.array([[1.355], [0.141], [-1.115], [-1.383]])
    )
    assert float(recall.result()) == 0.0
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1, kernel_initializer="ones")], device=device)
    model.compile("sgd", "mse", metrics=[keras.metrics.PrecisionAtRecall(recall=0.6, name="par")])
    assert model.evaluate(yp, yt, verbose=0, return_dict=True)["par"] == 0.0


def test_predict_on_a_py_dataset_calls_its_hooks_as_keras():
    # Keras 3.15: predict reads the two peeked batches, then one pass; no on_epoch_end before it (fit and
    # evaluate reset their iterator first, predict does not).
    calls = []

    class Two(keras.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            calls.append(i)
            return (np.ones((3, 4), np.float32),)

        def on_epoch_begin(self):
            calls.append("begin")

        def on_epoch_end(self):
            calls.append("end")

    _model().predict(Two(), verbose=0)
    assert calls == [0, 1, "begin", 0, 1, "end"]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    "steps, epochs, loss",
    [(3, 3, [1.72159, 0.0, 0.14874]), (1, 4, [0.28819, 1.86675, 3.00983, 0.0])],
)
def test_an_epoch_with_no_batch_left_logs_zeros(
    device: str, steps: int, epochs: int, loss: list[float]
) -> None:
    # A finite generator of 3 batches: the epoch after the one that took the last batch trains none, and
    # Keras 3.15.1 logs its reset metrics, 0.0 (these losses are Keras's, rounded).
    x = np.arange(36, dtype=np.float32).reshape(12, 3) / 36
    y = x.sum(axis=1)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, kernel_initializer="zeros")], device=device)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    batches = ((x[i : i + 4], y[i : i + 4]) for i in range(0, 12, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Your input ran out of data"
        history = model.fit(batches, steps_per_epoch=steps, epochs=epochs, verbose=0).history
    np.testing.assert_allclose(history["loss"], loss, atol=1e-5)
    assert [v == 0.0 for v in history["mae"]] == [v == 0.0 for v in loss]


def test_a_pydataset_may_return_bare_inputs_lists_and_dicts_as_keras_reads_them() -> None:
    x, y = np.ones((8, 3), np.float32), np.ones(8, np.float32)

    class Batches(keras.utils.PyDataset):
        def __init__(self, make: object) -> None:
            super().__init__()
            self.make = make

        def __len__(self) -> int:
            return 2

        def __getitem__(self, i: int) -> object:
            return self.make(slice(4 * i, 4 * i + 4))  # type: ignore[operator]

    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss="mse")
    # Keras 3.15.1: a bare array is (x,), a list is a tuple (predictions 3, loss 4.0).
    np.testing.assert_array_equal(model.predict(Batches(lambda s: x[s]), verbose=0), np.full((8, 1), 3.0))
    assert model.evaluate(Batches(lambda s: [x[s], y[s]]), verbose=0) == 4.0
    a, b = keras.Input((2,), name="a"), keras.Input((1,), name="b")
    joined = keras.Model([a, b], layers.Dense(1, kernel_initializer="ones")(layers.Concatenate()([a, b])))
    out = joined.predict(Batches(lambda s: {"a": x[s, :2], "b": x[s, 2:]}), verbose=0)
    np.testing.assert_array_equal(out, np.full((8, 1), 3.0))


def test_an_empty_class_weight_weighs_nothing_as_in_keras() -> None:
    x = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    losses = []
    for class_weight in (None, {}):
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((3,)), layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="sgd", loss="binary_crossentropy")
        history = model.fit(x, y, epochs=2, shuffle=False, verbose=0, class_weight=class_weight)
        losses.append(history.history["loss"] + [model.train_on_batch(x, y, class_weight=class_weight)])
    assert losses[0] == losses[1]


def test_a_sequential_takes_its_one_input_in_a_list_as_keras_does() -> None:
    x, y = np.ones((4, 3), np.float32), np.ones(4, np.float32)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss="mse")
    np.testing.assert_array_equal(model.predict([x], verbose=0), model.predict(x, verbose=0))
    assert model.evaluate((x,), y, verbose=0) == model.evaluate(x, y, verbose=0) == 4.0
    assert model.predict([[1.0, 2.0, 3.0]], verbose=0).shape == (1, 1)  # a nested list is rows
