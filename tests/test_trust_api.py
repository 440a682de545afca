"""Keras API behaviours the "trust" issue found missing: call results with ``.numpy()``, loss reductions, ``fit(epochs=0)``, Keras 3's ``metrics_names``, and structure changes while ``fit`` runs."""

from __future__ import annotations

import copy
import pickle
import threading
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers

X = np.random.default_rng(0).standard_normal((64, 3)).astype(np.float32)
Y = (X @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)


def small_model(**compile_kwargs: Any) -> keras.Sequential:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4, activation="relu"), layers.Dense(1)])
    if compile_kwargs:
        model.compile(**compile_kwargs)
    return model


# ---- item 15: a call's result reads like a Keras tensor: .numpy() ------------------------------------------
def _reads_like_a_tensor(out: Any, want: np.ndarray) -> None:
    values = out.numpy()
    assert type(values) is np.ndarray and values.dtype == np.float32
    np.testing.assert_array_equal(values, want)
    assert isinstance(out, np.ndarray) and out.shape == want.shape and out.dtype == np.float32


@pytest.mark.parametrize("rows", [1, 5, 100])
def test_model_call_result_has_numpy(rows: int) -> None:
    model = small_model()
    x = X[:rows]
    want = model.predict(x, verbose=0)
    _reads_like_a_tensor(model(x), want)
    _reads_like_a_tensor(model(x, training=False), want)
    _reads_like_a_tensor(model(x.astype(np.float64)), want)  # the converting path too
    _reads_like_a_tensor(model(x.tolist()), want)


def test_an_unbuilt_model_call_result_has_numpy() -> None:
    model = keras.Sequential([layers.Dense(2)])
    out = model(X[:3])
    _reads_like_a_tensor(out, model.predict(X[:3], verbose=0))


def test_predict_keeps_returning_plain_arrays_as_keras_does() -> None:
    model = small_model()
    assert type(model.predict(X, verbose=0)) is np.ndarray
    assert type(model.predict(X[:1], verbose=0)) is np.ndarray
    assert type(model.predict_on_batch(X[:4])) is np.ndarray


@pytest.mark.parametrize(
    "make",
    [
        lambda: layers.Dense(3),
        lambda: layers.Dense(3, activation="sigmoid", use_bias=False),
        lambda: layers.Activation("relu"),
        lambda: layers.Dropout(0.5),
        lambda: layers.BatchNormalization(),
    ],
    ids=["Dense", "Dense sigmoid", "Activation", "Dropout", "BatchNormalization"],
)
def test_layer_call_result_has_numpy(make: Any) -> None:
    layer = make()
    out = layer(X[:4])
    values = out.numpy()
    assert type(values) is np.ndarray and values.shape == out.shape
    np.testing.assert_array_equal(values, np.asarray(out))


def test_a_model_layer_call_and_a_1d_activation_call_have_numpy() -> None:
    model = small_model()
    first = model.layers[0](X[:2])
    assert type(first.numpy()) is np.ndarray and first.shape == (2, 4)
    line = np.linspace(-3.0, 3.0, 100)  # the course's layers.Activation('relu')(tf.linspace(...)) call
    out = layers.Activation("relu")(line)
    np.testing.assert_allclose(out.numpy(), np.maximum(line, 0.0), rtol=1e-6)
    assert out.shape == (100,)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "softmax", "linear"])
def test_activation_functions_return_tensors(name: str) -> None:
    fn = getattr(keras.activations, name)
    out = fn(X[:3])
    assert type(out.numpy()) is np.ndarray and out.shape == (3, 3)


def test_loss_results_have_numpy() -> None:
    t, p = np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]])
    value = keras.losses.MeanSquaredError()(t, p)
    assert value.numpy() == np.float32(0.5) and isinstance(value.numpy(), np.float32)
    assert float(value) == 0.5 and round(value, 3) == 0.5 and f"{value:.2f}" == "0.50"
    per_sample = keras.losses.mean_squared_error(t, p)
    np.testing.assert_allclose(per_sample.numpy(), [0.5, 0.5])
    none = keras.losses.MeanAbsoluteError(reduction="none")(t, p)
    np.testing.assert_allclose(none.numpy(), [0.5, 0.5])


def test_call_results_stay_ordinary_numpy_arrays() -> None:
    model = small_model()
    out = model(X[:5])
    # A reduction over everything is a NumPy scalar, as for a plain array.
    assert isinstance(out.mean(), np.float32) and isinstance(np.max(out), np.float32)
    assert round(out.sum(), 2) == round(float(out.numpy().sum()), 2)
    assert isinstance(out[0, 0], np.float32)
    np.testing.assert_array_equal((out + 1).numpy(), out.numpy() + 1)
    assert repr(out) == repr(out.numpy())
    assert type(pickle.loads(pickle.dumps(out))) is np.ndarray
    assert type(np.asarray(out)) is np.ndarray
    np.testing.assert_array_equal(copy.deepcopy(out), out)
    # A result fed back in is an input like any array.
    np.testing.assert_array_equal(model.predict(X[:5], verbose=0), model(np.asarray(X[:5])).numpy())
    follow = keras.Sequential([keras.Input(shape=(1,)), layers.Dense(2)])
    np.testing.assert_array_equal(follow(out).numpy(), follow.predict(out.numpy(), verbose=0))


# ---- item 14: a loss's reduction is honoured ----------------------------------------------------------------
LOSS_CLASSES = [
    keras.losses.MeanAbsoluteError,
    keras.losses.MeanSquaredError,
    keras.losses.Huber,
    keras.losses.BinaryCrossentropy,
]


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "mean"])
def test_the_mean_reductions_train_like_the_default(reduction: str) -> None:
    histories = []
    for loss in (keras.losses.MeanSquaredError(), keras.losses.MeanSquaredError(reduction=reduction)):
        keras.utils.set_random_seed(3)
        model = small_model(optimizer="sgd", loss=loss)
        histories.append(model.fit(X, Y, epochs=2, shuffle=False, verbose=0).history["loss"])
    assert histories[0] == histories[1]


@pytest.mark.parametrize("reduction", ["average", "SUM", "", 0, ["sum"], "auto"])
def test_an_invalid_reduction_is_refused_at_construction(reduction: Any) -> None:
    for cls in LOSS_CLASSES:
        with pytest.raises(ValueError, match="reduction") as info:
            cls(reduction=reduction)
        assert repr(reduction) in str(info.value)


def test_mean_with_sample_weight_divides_by_the_weights_when_called() -> None:
    # Keras 3: MSE of y [1, 2, 3, 4] against 0 is [1, 4, 9, 16]; sum_over_batch_size divides
    # sum(w * l) by the count (0.25 for w = [1, 0, 0, 0]), mean_with_sample_weight by sum(w) (1.0).
    y_true, y_pred = np.array([[1.0], [2.0], [3.0], [4.0]]), np.zeros((4, 1))
    loss = keras.losses.MeanSquaredError(reduction="mean_with_sample_weight")
    assert float(loss(y_true, y_pred, sample_weight=[1, 0, 0, 0])) == pytest.approx(1.0)
    assert float(loss(y_true, y_pred, sample_weight=[[1], [0], [0], [1]])) == pytest.approx(8.5)
    assert float(loss(y_true, y_pred)) == pytest.approx(7.5)  # no weights: the mean
    assert float(loss(y_true, y_pred, sample_weight=[0, 0, 0, 0])) == 0.0  # divide_no_nan
    assert float(keras.losses.MeanSquaredError()(y_true, y_pred, sample_weight=[1, 0, 0, 0])) == 0.25


# ---- item 17: fit(epochs=0) and metrics_names --------------------------------------------------------------
class Recorder(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def on_train_begin(self, logs: Any = None) -> None:
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self.calls.append(f"epoch_begin {epoch}")

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.calls.append(f"epoch_end {epoch}")

    def on_train_end(self, logs: Any = None) -> None:
        self.calls.append("train_end")


@pytest.mark.parametrize(
    ("epochs", "initial_epoch"), [(0, 0), (np.int64(0), 0), (2, 2), (2, 5), (0, 3)], ids=str
)
def test_fit_with_no_epochs_to_run_returns_an_empty_history(
    epochs: Any, initial_epoch: int, capsys: pytest.CaptureFixture[str]
) -> None:
    model = small_model(optimizer="adam", loss="mse", metrics=["mae"])
    before = model.get_weights()
    recorder = Recorder()
    history = model.fit(
        X, Y, epochs=epochs, initial_epoch=initial_epoch, validation_split=0.25, callbacks=[recorder]
    )
    assert isinstance(history, keras.callbacks.History) and model.history is history
    assert history.history == {} and history.epoch == []
    assert history.params["epochs"] == epochs
    assert recorder.calls == ["train_begin", "train_end"]
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert model.optimizer.iterations == 0
    assert capsys.readouterr().out == ""  # nothing to report
    model.fit(X, Y, epochs=1, verbose=0)  # and the model trains afterwards
    assert model.optimizer.iterations > 0


@pytest.mark.parametrize("epochs", [-1, -3])
def test_fit_refuses_negative_epochs(epochs: int) -> None:
    model = small_model(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="epochs") as info:
        model.fit(X, Y, epochs=epochs, verbose=0)
    assert str(epochs) in str(info.value)


def test_fit_with_no_epochs_still_checks_its_data() -> None:
    model = small_model(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="x"):
        model.fit(X[:, :2], Y, epochs=0, verbose=0)


def test_metrics_names_follow_keras_3() -> None:
    # Keras 3: [] until compile; then the loss tracker, plus one "compile_metrics" entry when compile got
    # `metrics` (even an empty list); the same before and after fit (Keras 3's trainer.py, `metrics`).
    model = small_model()
    assert model.metrics_names == []
    model.compile(optimizer="adam", loss="mse")
    assert model.metrics_names == ["loss"]
    model.fit(X, Y, epochs=1, verbose=0)
    assert model.metrics_names == ["loss"]
    model.compile(optimizer="adam", loss="mse", metrics=["mae", "mse"])
    assert model.metrics_names == ["loss", "compile_metrics"]
    history = model.fit(X, Y, epochs=1, validation_split=0.25, verbose=0)
    assert model.metrics_names == ["loss", "compile_metrics"]
    assert sorted(history.history) == ["loss", "mae", "mse", "val_loss", "val_mae", "val_mse"]
    assert model.evaluate(X, Y, verbose=0, return_dict=True).keys() == {"loss", "mae", "mse"}
    model.compile(optimizer="adam", loss="mse", metrics=[])
    assert model.metrics_names == ["loss", "compile_metrics"]
    unbuilt = keras.Sequential([layers.Dense(1)])
    unbuilt.compile(optimizer="adam", loss="mse", metrics=["mae"])
    assert unbuilt.metrics_names == ["loss", "compile_metrics"]


# ---- item 4: no structure change while fit runs -------------------------------------------------------------
STRUCTURE_CHANGES = {
    "add": lambda m: m.add(layers.Dense(1)),
    "add without rebuild": lambda m: m.add(layers.Dense(1), rebuild=False),
    "pop": lambda m: m.pop(),
    "pop without rebuild": lambda m: m.pop(rebuild=False),
    "build": lambda m: m.build((None, 3)),
    "build another width": lambda m: m.build((None, 5)),
    "to cpu": lambda m: m.to("cpu"),
    "compile": lambda m: m.compile(optimizer="sgd", loss="mse", metrics=["mae", "mse", "binary_accuracy"]),
    "layer build": lambda m: m.layers[0].build((None, 7)),  # refused after fit too (its width is 3)
    "weightless layer build": lambda m: m.layers[1].build((None, 7)),
}


def change_after_fit(name: str, model: keras.Sequential) -> None:
    """Once fit is over the change is no longer refused for it (a Dense layer keeps its width, though)."""
    try:
        STRUCTURE_CHANGES[name](model)
    except ValueError as e:
        # A built Dense layer keeps its width, and so does a built model, as in Keras 3.
        refused = {"layer build": "incompatible", "build another width": "already been built"}
        assert name in refused and refused[name] in str(e)


def fit_model() -> keras.Sequential:
    model = keras.Sequential(
        [keras.Input(shape=(3,)), layers.Dense(4), layers.Activation("relu"), layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def structure(model: keras.Sequential) -> tuple[Any, ...]:
    return (
        [type(layer).__name__ for layer in model.layers],
        [w.shape for w in model.get_weights()],
        model._net,
        model.optimizer,
        model.device,
    )


class ChangeInFit(keras.callbacks.Callback):
    """Tries ``change`` from the fit's own hook ``hook`` and records what it raised."""

    def __init__(self, hook: str, change: Any) -> None:
        super().__init__()
        self.errors: list[BaseException] = []

        def attempt(*args: Any, **kwargs: Any) -> None:
            try:
                change(self.model)
            except RuntimeError as e:
                self.errors.append(e)
                raise

        setattr(self, hook, attempt)


@pytest.mark.parametrize("hook", ["on_train_begin", "on_epoch_begin", "on_train_batch_end", "on_epoch_end"])
@pytest.mark.parametrize("name", list(STRUCTURE_CHANGES))
def test_a_structure_change_from_a_callback_is_refused(name: str, hook: str) -> None:
    model = fit_model()
    before = structure(model)
    callback = ChangeInFit(hook, STRUCTURE_CHANGES[name])
    with pytest.raises(RuntimeError, match="fit") as info:
        model.fit(X, Y, epochs=3, batch_size=16, verbose=0, callbacks=[callback])
    assert callback.errors and info.value is callback.errors[0]
    assert model.name in str(info.value)
    assert structure(model) == before  # nothing changed; the model trains and predicts as before
    history = model.fit(X, Y, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(X[:2], verbose=0).shape == (2, 1)
    change_after_fit(name, model)


@pytest.mark.parametrize("name", list(STRUCTURE_CHANGES))
def test_a_structure_change_from_another_thread_is_refused_while_fit_runs(name: str) -> None:
    model = fit_model()
    inside, release = threading.Event(), threading.Event()

    class Hold(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            inside.set()
            release.wait(timeout=60)

    outcome: dict[str, Any] = {}

    def train() -> None:
        try:
            outcome["history"] = model.fit(X, Y, epochs=2, verbose=0, callbacks=[Hold()])
        except BaseException as e:  # noqa: B036 - reported by the assertion below
            outcome["error"] = e

    thread = threading.Thread(target=train)
    thread.start()
    try:
        assert inside.wait(timeout=60)
        before = structure(model)
        with pytest.raises(RuntimeError, match="fit"):
            STRUCTURE_CHANGES[name](model)
        assert structure(model) == before
    finally:
        release.set()
        thread.join(timeout=60)
    assert "error" not in outcome, outcome
    assert len(outcome["history"].history["loss"]) == 2  # the fit ran its epochs on the model it began with
    change_after_fit(name, model)


def test_weights_may_be_read_and_set_during_fit() -> None:
    model = fit_model()
    seen = []

    class Reset(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            weights = self.model.get_weights()
            self.model.set_weights([np.zeros_like(w) for w in weights])
            self.model.layers[0].set_weights(weights[:2])
            seen.append(len(weights))

    model.fit(X, Y, epochs=2, verbose=0, callbacks=[Reset()])
    assert seen == [4, 4]
    np.testing.assert_array_equal(model.get_weights()[2], np.zeros((4, 1), np.float32))


def test_fit_that_fails_leaves_structure_changes_allowed() -> None:
    model = fit_model()

    class Boom(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            raise KeyError("boom")

    with pytest.raises(KeyError):
        model.fit(X, Y, epochs=2, verbose=0, callbacks=[Boom()])
    with pytest.raises(ValueError):
        model.fit(X, Y[:10], epochs=2, verbose=0)
    model.add(layers.Dense(2))
    assert model.output_shape == (None, 2)


def test_two_fits_from_two_threads_then_a_change() -> None:
    model = fit_model()
    errors: list[BaseException] = []

    def train() -> None:
        try:
            model.fit(X, Y, epochs=3, verbose=0)
        except BaseException as e:  # noqa: B036 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=train) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    model.pop()
    assert len(model.layers) == 2
