"""fit's validation with generators and PyDatasets at its edges, pinned with what Keras 3.15.1 (TensorFlow 2.21
backend) did in the same runs: a validation pass that reads no batch, ``model.stop_evaluating`` and
``model.stop_training`` set during validation, a callback's exception while producer threads read the data,
one generator given as both ``x`` and ``validation_data``, ``validation_split`` with streamed data, and
``validation_freq`` with a generator that runs out.

Each run starts from the same weights (a Dense(1) on 2 features, kernel [[0.1], [0.2]], bias [0.05]; SGD(0.01),
mse); the goldens are Keras's values rounded to 5 decimals.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

X = np.arange(24, dtype=np.float32).reshape(12, 2) / 10
Y = np.arange(12, dtype=np.float32).reshape(12, 1) / 10
# (the empty-pass runs: other targets, all ones)
ONES = np.ones((8, 1), np.float32)


def _model(device: str = "cpu", metrics: Any = None) -> keras.Sequential:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)], device=device)
    model.compile("sgd", "mse", metrics=metrics)
    model.set_weights([np.array([[0.1], [0.2]], np.float32), np.array([0.05], np.float32)])
    return model


def _batch(i: int) -> tuple[np.ndarray, np.ndarray]:
    return X[i * 4 : (i + 1) * 4], Y[i * 4 : (i + 1) * 4]


def _forever() -> Iterator[tuple[np.ndarray, np.ndarray]]:
    i = 0
    while True:
        yield _batch(i % 3)
        i += 1


def _finite(n: int, log: list[int] | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for i in range(n):
        if log is not None:
            log.append(i)
        yield _batch(i)


class Three(keras.utils.PyDataset):
    """The three batches of X, Y."""

    def __len__(self) -> int:
        return 3

    def __getitem__(self, i: int) -> Any:
        return _batch(i)


class Emptied(keras.utils.PyDataset):
    """Two batches of rows 0-7 with targets of ones, until its ``at``-th on_epoch_end: no batch from then on."""

    def __init__(self, at: int | None = None, n: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n, self.at, self.ends = n, at, 0

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Any:
        return X[i * 4 : (i + 1) * 4], ONES[i * 4 : (i + 1) * 4]

    def on_epoch_end(self) -> None:
        self.ends += 1
        if self.at is not None and self.ends >= self.at:
            self.n = 0


def _ones_forever() -> Iterator[tuple[np.ndarray, np.ndarray]]:
    while True:
        yield X[:4], ONES[:4]


class Events(keras.callbacks.Callback):
    """Records the test hooks and epoch ends (logs rounded to 5 decimals); sets ``model.stop_evaluating`` after
    test batch ``stop_at`` (only in the first validation when ``once``), or ``model.stop_training`` after test
    batch ``stop_training_at``."""

    def __init__(self, stop_at: int | None = None, once: bool = False, stop_training_at: int | None = None):
        super().__init__()
        self.stop_at, self.once, self.stop_training_at = stop_at, once, stop_training_at
        self.events: list[Any] = []

    def on_test_begin(self, logs: Any = None) -> None:
        self.events.append("test_begin")

    def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
        self.events.append(("test_batch", batch, round(float(logs["loss"]), 5)))
        if batch == self.stop_at and not (self.once and "test_end" in str(self.events)):
            self.model.stop_evaluating = True
        if batch == self.stop_training_at:
            self.model.stop_training = True

    def on_test_end(self, logs: Any = None) -> None:
        self.events.append(("test_end", _rounded(logs)))

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.events.append(("epoch_end", epoch, _rounded(logs)))


def _rounded(logs: Any) -> dict[str, float]:
    return {k: round(float(v), 5) for k, v in (logs or {}).items()}


def _history(history: Any) -> dict[str, list[float]]:
    return {k: [round(float(v), 5) for v in values] for k, values in history.history.items()}


def _assert_close(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """Logs or a history with Keras's keys, each value within float32 rounding of Keras's (to 5 decimals)."""
    assert list(actual) == list(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(actual[key], value, atol=2e-5, err_msg=key)


def _ran_out(caught: list[warnings.WarningMessage]) -> int:
    return sum("ran out of data" in str(w.message) for w in caught)


def _no_feeder_left() -> bool:
    return not any(t.name == "keras_lite-feeder" for t in threading.enumerate())


# ---- a validation pass that reads no batch -------------------------------------------------------------------
# Keras 3.15.1, fit(<endless generator>, steps_per_epoch=2, epochs=3, validation_data=Emptied(at)): a PyDataset
# emptied by its on_epoch_end (Keras calls it once as each validation's evaluate resets its iterator, and once
# after each pass) gives a validation pass of no batch, which logs no val_ key (on_test_end gets {}) and warns
# that the input ran out; the passes before it log as usual. History and warnings per `at`:
#   at=1: {'loss': [0.69302, 0.62809, 0.5695]}, 3 warnings
#   at=2: {'loss': [0.69302, 0.62809, 0.5695], 'val_loss': [0.47087]}, 2 warnings
#   at=4: {'loss': [0.69302, 0.62809, 0.5695], 'val_loss': [0.47087, 0.4126]}, 1 warning
# keras_lite logged val_loss 0.0 for each pass of no batch (on_test_end {'loss': 0.0}) and warned once.
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    ("at", "val_loss", "warned"), [(1, None, 3), (2, [0.47087], 2), (4, [0.47087, 0.4126], 1)]
)
def test_a_validation_pass_of_no_batch_logs_no_val_key_and_warns(
    device: str, at: int, val_loss: list[float] | None, warned: int
) -> None:
    events = Events()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = _model(device).fit(
            _ones_forever(),
            steps_per_epoch=2,
            epochs=3,
            validation_data=Emptied(at),
            verbose=0,
            callbacks=[events],
        )
    expected: dict[str, list[float]] = {"loss": [0.69302, 0.62809, 0.5695]}
    if val_loss is not None:
        expected["val_loss"] = val_loss
    _assert_close(_history(history), expected)
    ends = [e[1] for e in events.events if e[0] == "test_end"]
    assert ends[len(val_loss or []) :] == [{}] * (3 - len(val_loss or []))
    assert _ran_out(caught) == warned
    assert _no_feeder_left()


# Keras 3.15.1: compiled with metrics=["mae"], fit(<endless generator>, steps_per_epoch=2, epochs=2,
# validation_data=Emptied(at=1)) gave {'loss': [0.69302, 0.62809], 'mae': [0.8296, 0.78907]}: no val_loss nor
# val_mae; with verbose=2 each epoch's line ends at the loss (keras_lite printed "- val_loss: 0.0000e+00").
def test_an_empty_validation_pass_drops_every_val_metric_and_the_progress_line_shows_none(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = _model(metrics=["mae"]).fit(
            _ones_forever(), steps_per_epoch=2, epochs=2, validation_data=Emptied(1), verbose=2
        )
    _assert_close(_history(history), {"loss": [0.69302, 0.62809], "mae": [0.8296, 0.78907]})
    assert "val_" not in capsys.readouterr().out


# Keras 3.15.1: evaluate(Emptied(at=1)), its one pass emptied by the on_epoch_end before it, returned [] (with
# metrics too; return_dict=True: {}), called on_test_end with {} and warned once that the input ran out.
# keras_lite raised the core's "evaluate needs at least one batch" ValueError.
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("metrics", [None, ["mae"]])
def test_evaluate_of_a_pass_of_no_batch_returns_nothing(device: str, metrics: Any) -> None:
    events = Events()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert _model(device, metrics).evaluate(Emptied(1), verbose=0) == []
        assert _model(device, metrics).evaluate(Emptied(1), verbose=0, return_dict=True) == {}
        assert _model(device, metrics).evaluate(Emptied(1), verbose=0, callbacks=[events], steps=2) == []
    assert events.events == ["test_begin", ("test_end", {})]
    assert _ran_out(caught) == 3
    assert _no_feeder_left()


def _empty() -> Iterator[Any]:
    return
    yield


# Keras 3.15.1 raised ValueError("The PyDataset has length 0") for a PyDataset of length 0 as fit's x, as its
# validation_data (also with validation_steps) and as evaluate's x (also with steps), and ValueError("When
# passing a Python generator to a Keras model, the generator must yield at least one batch. Received an empty
# generator.") for a generator that yields nothing, as validation_data or evaluate's x.
def test_a_source_with_no_batch_at_all_is_refused_with_keras_messages() -> None:
    model = _model()
    with pytest.raises(ValueError, match="^The PyDataset has length 0"):
        model.fit(Emptied(n=0), verbose=0)
    for steps in (None, 2):
        with pytest.raises(ValueError, match="^The PyDataset has length 0"):
            model.fit(
                _forever(), steps_per_epoch=2, validation_data=Emptied(n=0), validation_steps=steps, verbose=0
            )
        with pytest.raises(ValueError, match="^The PyDataset has length 0"):
            model.evaluate(Emptied(n=0), steps=steps, verbose=0)
        message = (
            "^When passing a Python generator to a Keras model, the generator must yield at least one batch. "
            "Received an empty generator"
        )
        with pytest.raises(ValueError, match=message):
            model.fit(
                _forever(), steps_per_epoch=2, validation_data=_empty(), validation_steps=steps, verbose=0
            )
        with pytest.raises(ValueError, match=message):
            model.evaluate(_empty(), steps=steps, verbose=0)
    assert _no_feeder_left()


# ---- stop_evaluating and stop_training during fit's validation -------------------------------------------------
# Keras 3.15.1, fit(<endless generator>, steps_per_epoch=2, epochs=2, validation_data=Three()) with a callback
# setting model.stop_evaluating in on_test_batch_end of batch 0: each validation ends after that batch (Keras's
# evaluate clears the flag as it begins, so the second one runs and stops again) and logs its value: val_loss
# [0.00209, 0.00226], loss [0.01328, 0.04484]; model.stop_evaluating is True after fit. Stopping after batch 1
# with metrics=["mae"]: val_loss [0.01156, 0.00753], val_mae [0.08849, 0.07322]. keras_lite validated on all
# three batches (val_loss [0.03684, 0.02503]).
@pytest.mark.parametrize("device", DEVICES)
def test_stop_evaluating_ends_a_streamed_validation_after_that_batch(device: str) -> None:
    events = Events(stop_at=0)
    model = _model(device)
    history = model.fit(
        _forever(), steps_per_epoch=2, epochs=2, validation_data=Three(), verbose=0, callbacks=[events]
    )
    _assert_close(_history(history), {"loss": [0.01328, 0.04484], "val_loss": [0.00209, 0.00226]})
    tests = [e for e in events.events if e[0] != "epoch_end"]
    assert [e if e == "test_begin" else e[:2] if e[0] == "test_batch" else e[0] for e in tests] == [
        "test_begin",
        ("test_batch", 0),
        "test_end",
    ] * 2
    np.testing.assert_allclose([e[2] for e in tests if e[0] == "test_batch"], [0.00209, 0.00226], atol=2e-5)
    np.testing.assert_allclose(
        [e[1]["loss"] for e in tests if e[0] == "test_end"], [0.00209, 0.00226], atol=2e-5
    )
    assert model.stop_evaluating is True

    history = _model(device, ["mae"]).fit(
        _forever(),
        steps_per_epoch=2,
        epochs=2,
        validation_data=Three(),
        verbose=0,
        callbacks=[Events(stop_at=1)],
    )
    assert _history(history)["val_loss"] == pytest.approx([0.01156, 0.00753], abs=2e-5)
    assert _history(history)["val_mae"] == pytest.approx([0.08849, 0.07322], abs=2e-5)


# Keras 3.15.1, the same with validation_data=_finite(3) (a generator, no validation_steps) and epochs=3:
# val_loss [0.00209, 0.00226, 0.00298] and no "ran out of data" warning (a stopped pass never asks for the
# batch after its last). keras_lite validated on the whole generator and warned three times.
def test_a_stopped_generator_validation_does_not_warn_that_it_ran_out() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = _model().fit(
            _forever(),
            steps_per_epoch=2,
            epochs=3,
            validation_data=_finite(3),
            verbose=0,
            callbacks=[Events(0)],
        )
    assert _history(history)["val_loss"] == pytest.approx([0.00209, 0.00226, 0.00298], abs=2e-5)
    assert _ran_out(caught) == 0


class _StopAtTestBegin(keras.callbacks.Callback):
    def on_test_begin(self, logs: Any = None) -> None:
        self.model.stop_evaluating = True


# Keras 3.15.1, in-memory data: fit(X[:8], Y[:8], epochs=2, batch_size=4, shuffle=False, validation_data=(X, Y),
# validation_batch_size=4):
#   stop_evaluating set after validation batch 1: val_loss [0.01156, 0.01013];
#   set after batch 0 in the first validation only (metrics=["mae"]): val_loss [0.00209, 0.0328], val_mae
#   [0.03849, 0.14751] (the second validation runs all three batches);
#   set in on_test_begin by a callback with no batch hook (epochs=1): val_loss [0.00209], the first batch's.
# keras_lite validated on every batch in each case.
@pytest.mark.parametrize("device", DEVICES)
def test_stop_evaluating_ends_an_in_memory_validation_as_in_keras(device: str) -> None:
    def fit(callback: Any, epochs: int = 2, metrics: Any = None) -> dict[str, list[float]]:
        return _history(
            _model(device, metrics).fit(
                X[:8],
                Y[:8],
                epochs=epochs,
                batch_size=4,
                shuffle=False,
                validation_data=(X, Y),
                validation_batch_size=4,
                verbose=0,
                callbacks=[callback],
            )
        )

    assert fit(Events(stop_at=1))["val_loss"] == pytest.approx([0.01156, 0.01013], abs=2e-5)
    once = fit(Events(stop_at=0, once=True), metrics=["mae"])
    assert once["val_loss"] == pytest.approx([0.00209, 0.0328], abs=2e-5)
    assert once["val_mae"] == pytest.approx([0.03849, 0.14751], abs=2e-5)
    _assert_close(fit(_StopAtTestBegin(), epochs=1), {"loss": [0.01328], "val_loss": [0.00209]})


# Keras 3.15.1: model.stop_training set in on_test_batch_end of batch 0 (fit(<endless generator>,
# steps_per_epoch=2, epochs=3, validation_data=Three() or _finite(3))) does not stop the validation: its three
# batches run, the epoch ends with val_loss 0.03684, and fit stops there: {'loss': [0.01328], 'val_loss':
# [0.03684]}; model.stop_training is True, model.stop_evaluating False. keras_lite already did the same.
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("source", ["pydataset", "generator"])
def test_stop_training_during_validation_finishes_the_pass_then_stops(device: str, source: str) -> None:
    events = Events(stop_training_at=0)
    model = _model(device)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit(
            _forever(),
            steps_per_epoch=2,
            epochs=3,
            validation_data=Three() if source == "pydataset" else _finite(3),
            verbose=0,
            callbacks=[events],
        )
    _assert_close(_history(history), {"loss": [0.01328], "val_loss": [0.03684]})
    assert [e[1] for e in events.events if e[0] == "test_batch"] == [0, 1, 2]
    assert (model.stop_training, model.stop_evaluating) == (True, False)


# ---- a callback's exception while the data is read on other threads ------------------------------------------
class _Slow(keras.utils.PyDataset):
    def __len__(self) -> int:
        return 50

    def __getitem__(self, i: int) -> Any:
        time.sleep(0.01)
        return _batch(i % 3)


def _slow_forever() -> Iterator[tuple[np.ndarray, np.ndarray]]:
    while True:
        time.sleep(0.05)
        yield _batch(0)


class _Boom(keras.callbacks.Callback):
    def __init__(self, hook: str) -> None:
        super().__init__()
        self.hook = hook

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        if self.hook == "train" and batch == 1:
            raise KeyError("boom")

    def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
        if self.hook == "test" and batch == 1:
            raise KeyError("boom")


# Keras 3.15.1: a KeyError raised by a callback in on_train_batch_end (or on_test_batch_end during validation)
# reached the caller as itself at once, with a PyDataset of workers=4, of workers=2 and use_multiprocessing=True,
# or a slow generator (also as validation_data); Keras left its worker-pool threads running afterwards.
# keras_lite raises it as promptly and leaves no thread of its own.
@pytest.mark.parametrize(
    ("data", "hook"),
    [
        (lambda: {"x": _Slow(workers=4), "epochs": 2}, "train"),
        (lambda: {"x": _Slow(workers=2, use_multiprocessing=True), "epochs": 2}, "train"),
        (lambda: {"x": _slow_forever(), "steps_per_epoch": 10, "epochs": 2}, "train"),
        (
            lambda: {
                "x": _slow_forever(),
                "steps_per_epoch": 3,
                "epochs": 2,
                "validation_data": _slow_forever(),
                "validation_steps": 5,
            },
            "test",
        ),
        (lambda: {"x": _Slow(workers=2), "epochs": 2, "validation_data": _Slow(workers=3)}, "test"),
    ],
)
def test_a_callbacks_exception_reaches_the_caller_at_once_and_no_thread_is_left(data: Any, hook: str) -> None:
    before = set(threading.enumerate())
    start = time.monotonic()
    with pytest.raises(KeyError, match="boom"):
        _model().fit(verbose=0, callbacks=[_Boom(hook)], **data())
    assert time.monotonic() - start < 5  # (a whole run of the data would take 1 s and more)
    assert [t for t in threading.enumerate() if t not in before] == []


# ---- one generator as x and validation_data --------------------------------------------------------------------
def _slower_forever() -> Iterator[tuple[np.ndarray, np.ndarray]]:
    while True:
        time.sleep(0.2)
        yield _batch(0)


# Keras 3.15.1, g = <a generator sleeping 0.02 s per batch>; fit(g, steps_per_epoch=5, epochs=3,
# validation_data=g, validation_steps=3): ValueError("generator already executing"), three runs out of three (its
# tf.data threads read the one generator at once). keras_lite's producer threads do the same, and the error
# reaches the caller with no thread left.
def test_one_generator_as_x_and_validation_data_raises_as_keras_when_read_at_once() -> None:
    g = _slower_forever()
    with pytest.raises(ValueError, match="generator already executing"):
        _model().fit(g, steps_per_epoch=5, epochs=3, validation_data=g, validation_steps=3, verbose=0)
    assert _no_feeder_left()


# ---- validation_split and validation_freq with streamed data ---------------------------------------------------
# Keras 3.15.1: fit(<generator>, steps_per_epoch=2, validation_split=0.2) and fit(Three(), validation_split=0.2)
# raised ValueError("Argument `validation_split` is only supported for tensors or NumPy arrays.Found
# incompatible type in the input: [<class 'generator'>]") (the PyDataset's class in the list for the other);
# with validation_data given as well, Keras ignores validation_split and validates on validation_data;
# validation_split=0.0 with a generator trains as without it ({'loss': [0.01328]}). keras_lite raised
# "validation_split is only supported for arrays" in each case, also with validation_data.
def test_validation_split_with_streamed_data_as_keras() -> None:
    prefix = (
        r"^Argument `validation_split` is only supported for tensors or NumPy arrays\. ?Found incompatible"
    )
    with pytest.raises(ValueError, match=prefix + r".*\[<class 'generator'>\]"):
        _model().fit(_forever(), steps_per_epoch=2, validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match=prefix + r".*\[<class '[\w.]*Three'>\]"):
        _model().fit(Three(), validation_split=0.2, verbose=0)
    history = _model().fit(Three(), validation_split=0.2, validation_data=Three(), verbose=0)
    assert set(history.history) == {"loss", "val_loss"}
    history = _model().fit(_forever(), steps_per_epoch=2, validation_split=0.0, verbose=0)
    _assert_close(_history(history), {"loss": [0.01328]})
    assert _no_feeder_left()


# Keras 3.15.1, fit(<endless generator>, steps_per_epoch=2, epochs=4, validation_data=_finite(3), validation_freq
# = freq): the first validation reads the generator to its end (warning that it ran out), a later one replays
# only the two batches Keras peeked (warning again):
#   freq=2:      val_loss [0.02503, 0.00439], 2 warnings;   freq=[1, 3]: val_loss [0.03684, 0.00468], 2 warnings
#   freq=2 with validation_steps=2: val_loss [0.00753, 0.00439], no warning.
# Training loss [0.01328, 0.04484, 0.03346, 0.00477] in each. keras_lite already did the same.
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    ("freq", "steps", "val_loss", "warned"),
    [(2, None, [0.02503, 0.00439], 2), ([1, 3], None, [0.03684, 0.00468], 2), (2, 2, [0.00753, 0.00439], 0)],
)
def test_validation_freq_with_a_generator_that_runs_out(
    device: str, freq: Any, steps: int | None, val_loss: list[float], warned: int
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = _model(device).fit(
            _forever(),
            steps_per_epoch=2,
            epochs=4,
            validation_data=_finite(3),
            validation_freq=freq,
            validation_steps=steps,
            verbose=0,
        )
    _assert_close(_history(history), {"loss": [0.01328, 0.04484, 0.03346, 0.00477], "val_loss": val_loss})
    assert _ran_out(caught) == warned


class _Emptied(keras.utils.PyDataset):
    """The first two batches of X, Y until its ``on_epoch_end`` has run ``keep`` times, then none."""

    def __init__(self, keep: int) -> None:
        super().__init__()
        self.keep = keep

    def __len__(self) -> int:
        return 2 if self.keep > 0 else 0

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return _batch(i)

    def on_epoch_end(self) -> None:
        self.keep -= 1


# Keras 3.15.1, fit(_Emptied(keep), epochs=3, shuffle=False, metrics=["mae"]) (Keras calls on_epoch_end once
# before the first epoch too): keep=1 trains no batch at all: history {} and three "ran out" warnings, the
# optimizer's iterations 3; keep=2 trains the first epoch only: loss [0.01328, 0.0, 0.0] (an epoch of no
# batch logs its reset metrics), two warnings; keep=3 trains two epochs: loss [0.01328, 0.01158, 0.0], one
# warning.
@pytest.mark.parametrize(
    ("keep", "loss", "ran_out"), [(1, None, 3), (2, [0.01328, 0.0, 0.0], 2), (3, [0.01328, 0.01158, 0.0], 1)]
)
def test_an_epoch_of_no_training_batch_logs_as_keras_does(
    keep: int, loss: list[float] | None, ran_out: int
) -> None:
    model = _model(metrics=["mae"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(_Emptied(keep), epochs=3, shuffle=False, verbose=0)
    if loss is None:
        assert history.history == {}
    else:
        assert _history(history)["loss"] == pytest.approx(loss, abs=2e-5)
    assert _ran_out(caught) == ran_out
