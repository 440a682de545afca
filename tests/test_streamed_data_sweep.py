"""Differences a differential sweep of streamed data (Python generators, PyDatasets, re-iterables and pandas
inputs in fit, evaluate and predict) found against Keras 3.15.1 (TensorFlow 2.21 backend), each pinned with what
that Keras run gave.

The sweep ran each case in keras_lite and in Keras from the same weights (a Dense(1) on 2 features, set with
set_weights; SGD(0.1), mse, shuffle=False) and compared histories, step counts (a callback), optimizer
iterations, the PyDataset's calls, warnings, exception classes and the feeder threads left afterwards.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

X = np.random.default_rng(0).normal(size=(12, 2)).astype(np.float32)
Y = (X @ np.array([[1.0], [-2.0]], np.float32) + 0.5).astype(np.float32)
BATCHES = [(X[i : i + 4], Y[i : i + 4]) for i in range(0, 12, 4)]


def _model(device: str = "cpu") -> keras.Sequential:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)], device=device)
    model.compile(keras.optimizers.SGD(0.1), "mse")
    model.set_weights([np.array([[0.5], [-0.5]], np.float32), np.zeros(1, np.float32)])
    return model


class Recorded(keras.utils.PyDataset):
    """A PyDataset over fixed batches that records its calls: indices, "B" (on_epoch_begin), "E" (on_epoch_end)."""

    def __init__(self, batches: list[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.batches = batches
        self.calls: list[Any] = []

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, i: int) -> Any:
        self.calls.append(i)
        return self.batches[i]

    def on_epoch_begin(self) -> None:
        self.calls.append("B")

    def on_epoch_end(self) -> None:
        self.calls.append("E")


def _no_feeder_left() -> bool:
    return not any(t.name == "keras_lite-feeder" for t in threading.enumerate())


# Keras 3.15.1: fit(Recorded(BATCHES), epochs=3, validation_data=val := Recorded(BATCHES), validation_freq=[1, 3],
# shuffle=False) gave val.calls [0, 1, "E", "B", 0, 1, 2, "E", "E", "B", 0, 1, 2, "E"]: the validation data is
# read only for the two epochs that validate, and Keras's evaluate resets its iterator (one more on_epoch_end)
# before each validation pass. History loss [0.81004399061203, 0.4922334849834442, 0.3372206389904022],
# val_loss [0.5121639370918274, 0.24506181478500366]. keras_lite read a third pass (indices and
# on_epoch_begin) for the epoch that does not validate, and called on_epoch_end only once before the passes.
@pytest.mark.parametrize("device", DEVICES)
def test_a_validation_pydataset_is_read_only_for_the_epochs_that_validate(device: str) -> None:
    train, val = Recorded(BATCHES), Recorded(BATCHES)
    history = _model(device).fit(
        train, epochs=3, validation_data=val, validation_freq=[1, 3], shuffle=False, verbose=0
    )
    assert val.calls == [0, 1, "E", "B", 0, 1, 2, "E", "E", "B", 0, 1, 2, "E"]
    assert train.calls == [0, 1, "E"] + ["B", 0, 1, 2, "E"] * 3
    np.testing.assert_allclose(
        history.history["loss"], [0.81004399061203, 0.4922334849834442, 0.3372206389904022], rtol=1e-5
    )
    np.testing.assert_allclose(
        history.history["val_loss"], [0.5121639370918274, 0.24506181478500366], rtol=1e-5
    )
    assert _no_feeder_left()


# Keras 3.15.1: the same fit with epochs=2, validation_steps=2 (no validation_freq) gave val.calls
# [0, 1, "E", "B", 0, 1, (2,) "E", "E", "B", 0, 1, (2,) "E"] and val_loss [0.5050841569900513,
# 0.36748048663139343]; the index 2 in brackets, read by some runs and not others, is TensorFlow's prefetch
# reading past validation_steps, which keras_lite does not do. The "E" before the second pass is the reset.
@pytest.mark.parametrize("device", DEVICES)
def test_each_validation_pass_after_the_first_starts_with_on_epoch_end(device: str) -> None:
    val = Recorded(BATCHES)
    history = _model(device).fit(
        Recorded(BATCHES), epochs=2, validation_data=val, validation_steps=2, shuffle=False, verbose=0
    )
    assert val.calls == [0, 1, "E", "B", 0, 1, "E", "E", "B", 0, 1, "E"]
    np.testing.assert_allclose(
        history.history["val_loss"], [0.5050841569900513, 0.36748048663139343], rtol=1e-5
    )


# Keras 3.15.1: the same fit with epochs=2 and validation_freq=5 never validates: no val_loss, and val.calls
# stayed [] (Keras makes its validation iterator at the first validation). keras_lite had read its first two
# batches and called on_epoch_end ([0, 1, "E"]).
def test_a_validation_pydataset_of_a_fit_that_never_validates_runs_no_pass() -> None:
    val = Recorded(BATCHES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = _model().fit(
            Recorded(BATCHES), epochs=2, validation_data=val, validation_freq=5, shuffle=False, verbose=0
        )
    assert "val_loss" not in history.history
    assert val.calls == []


# Keras 3.15.1: fit(<generator of BATCHES>, epochs=2, initial_epoch=...) raised TypeError "'str' object cannot be
# interpreted as an integer" for "a" and "'float' object cannot be interpreted as an integer" for 1.0 (its
# range()), and trained from epoch -1 (3 epochs) for -1, which keras_lite refuses as it refuses it with arrays.
# keras_lite's streamed fit (also arrays read with steps_per_epoch) did not check it: "a" gave int()'s
# ValueError, 1.0 trained, and -1 gave the core's OverflowError "can't convert negative int to unsigned".
@pytest.mark.parametrize("kind", ["generator", "pydataset", "arrays in steps"])
@pytest.mark.parametrize(("initial_epoch", "error"), [("a", TypeError), (1.0, TypeError), (-1, ValueError)])
def test_a_streamed_fit_checks_initial_epoch_as_an_in_memory_fit(
    kind: str, initial_epoch: Any, error: Any
) -> None:
    model = _model()
    weights = model.get_weights()
    data: Any = {
        "generator": lambda: {"x": iter(BATCHES)},
        "pydataset": lambda: {"x": Recorded(BATCHES)},
        "arrays in steps": lambda: {"x": X, "y": Y, "steps_per_epoch": 2},
    }[kind]()
    with pytest.raises(error, match="initial_epoch must be a non-negative integer"):
        model.fit(**data, epochs=2, initial_epoch=initial_epoch, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), weights))
    assert int(model.optimizer.iterations) == 0
    assert _no_feeder_left()


class DatasetV2:
    """Stands for a batched ``tf.data.Dataset`` (keras_lite knows one by its class's name and module, without
    importing TensorFlow) and iterates its batches, as TensorFlow's does."""

    __module__ = "tensorflow.python.data.ops.dataset_ops"

    def __init__(self, batches: list[Any]) -> None:
        self.batches = batches

    def __iter__(self) -> Any:
        return iter(self.batches)

    def __len__(self) -> int:
        return len(self.batches)


class DataLoader(DatasetV2):
    """Stands for a ``torch.utils.data.DataLoader``."""

    __module__ = "torch.utils.data.dataloader"


LABELS = (np.arange(12) % 2).astype(np.float32).reshape(-1, 1)


# Keras 3.15.1: fit(tf.data.Dataset.from_tensor_slices((X, LABELS)).batch(4), class_weight={0: 2.0, 1: 0.5},
# epochs=2, shuffle=False) with loss="binary_crossentropy" (the model above) gave loss
# [2.8651607036590576, 2.775737762451172] and weights [[0.7004743218421936], [-0.31240975856781006]],
# [-0.0012641102075576782]. keras_lite refused it ("`class_weight` is not supported when using a generator").
@pytest.mark.parametrize("device", DEVICES)
def test_class_weight_with_a_tf_data_dataset_weighs_the_classes(device: str) -> None:
    model = _model(device)
    model.compile(keras.optimizers.SGD(0.1), "binary_crossentropy")
    data = DatasetV2([(X[i : i + 4], LABELS[i : i + 4]) for i in range(0, 12, 4)])
    history = model.fit(data, class_weight={0: 2.0, 1: 0.5}, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], [2.8651607036590576, 2.775737762451172], rtol=1e-5)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel, [[0.7004743218421936], [-0.31240975856781006]], rtol=1e-5)
    np.testing.assert_allclose(bias, [-0.0012641102075576782], rtol=1e-4)


# Keras 3.15.1 refuses class_weight with a generator ("Argument `class_weight` is not supported for Python
# generator inputs. Received: class_weight={0: 2.0}") and with a torch DataLoader ("Argument `class_weight` is
# not supported for torch DataLoader inputs. You can modify your `__getitem__ ` method to return input tensor,
# label and class_weight. ..."), both ValueError before reading a batch.
@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: iter(BATCHES), "Python generator inputs"),
        (lambda: DataLoader(BATCHES), "torch DataLoader inputs"),
    ],
)
def test_class_weight_with_a_generator_or_a_torch_dataloader_is_refused_as_keras(
    make: Any, words: str
) -> None:
    with pytest.raises(
        ValueError, match=f"class_weight` is not supported for {words}.*Received: class_weight="
    ):
        _model().fit(make(), class_weight={0: 2.0}, verbose=0)


ROWS2 = [(X[i : i + 2], Y[i : i + 2]) for i in range(0, 12, 2)]


class Resized(keras.utils.PyDataset):
    """Batches of 2 rows whose count changes by ``step`` at each on_epoch_end (1 to 6), recording its calls."""

    def __init__(self, n: int, step: int) -> None:
        super().__init__()
        self.n, self.step = n, step
        self.calls: list[Any] = []

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Any:
        self.calls.append(i)
        return ROWS2[i]

    def on_epoch_end(self) -> None:
        self.calls.append("E")
        self.n = max(1, min(6, self.n + self.step))


def _steps_of(model: keras.Sequential, x: Any, **kwargs: Any) -> tuple[Any, list[int], list[str]]:
    counts: list[int] = []
    count = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: counts.append(0),
        on_train_batch_end=lambda batch, logs: counts.__setitem__(-1, counts[-1] + 1),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, callbacks=[count], shuffle=False, verbose=0, **kwargs)
    return history.history, counts, [str(w.message) for w in caught]


# Keras 3.15.1: fit(Resized(5, -1), epochs=3, shuffle=False) (5 batches when counted, 4, 3 and 2 at the three
# epochs: the count is taken before the on_epoch_end that precedes training) trained [4, 3, 2] steps, each epoch
# ending with "Your input ran out of data" (3 warnings), optimizer.iterations 12 (one more step counted per
# epoch that ran out), calls [0, 1, "E", 0, 1, 2, 3, "E", 0, 1, 2, "E", 0, 1, "E"], loss
# [0.7684853672981262, 0.47494545578956604, 0.1483922004699707]. keras_lite read 5 batches every epoch,
# asking the data set for index 4 once it held 4.
@pytest.mark.parametrize("device", DEVICES)
def test_a_pydataset_that_shrinks_runs_out_each_epoch_as_keras(device: str) -> None:
    model, data = _model(device), Resized(5, -1)
    history, counts, messages = _steps_of(model, data, epochs=3)
    assert counts == [4, 3, 2]
    assert sum(m.startswith("Your input ran out of data") for m in messages) == 3
    assert int(model.optimizer.iterations) == 12
    assert data.calls == [0, 1, "E", 0, 1, 2, 3, "E", 0, 1, 2, "E", 0, 1, "E"]
    np.testing.assert_allclose(
        history["loss"], [0.7684853672981262, 0.47494545578956604, 0.1483922004699707], rtol=1e-5
    )


# Keras 3.15.1: fit(Resized(3, 0), epochs=3, validation_data=Resized(2, 1), shuffle=False): each validation
# pass evaluates as many batches as the data set held when evaluate counted them (2, then 4, then 6; Keras
# reads them again before each pass), val_loss [0.19595898687839508, 0.3799191415309906, 0.41321757435798645],
# loss [0.8545358180999756, 0.4280420243740082, 0.27339887619018555]. Its validation calls were [0, 1, "E",
# 0, 1, (2,) "E", "E", 0, 1, 2, 3, (4,) "E", "E", 0, 1, 2, 3, 4, 5, "E"] (the indices in brackets are
# TensorFlow's prefetch, past the count). And fit(Resized(2, 1), epochs=3) trained 2 steps each epoch (the count
# when taken) though the data set grew: loss [0.35612234473228455, 0.31719493865966797, 0.2852691411972046].
# keras_lite validated on 2 batches each time (val_loss [0.195959, 0.164547, 0.143841]).
@pytest.mark.parametrize("device", DEVICES)
def test_a_validation_pydataset_that_grows_is_counted_again_for_each_pass(device: str) -> None:
    val = Resized(2, 1)
    history, counts, _ = _steps_of(_model(device), Resized(3, 0), epochs=3, validation_data=val)
    assert counts == [3, 3, 3]
    assert val.calls == [0, 1, "E", 0, 1, "E", "E", 0, 1, 2, 3, "E", "E", 0, 1, 2, 3, 4, 5, "E"]
    np.testing.assert_allclose(
        history["val_loss"], [0.19595898687839508, 0.3799191415309906, 0.41321757435798645], rtol=1e-5
    )
    np.testing.assert_allclose(
        history["loss"], [0.8545358180999756, 0.4280420243740082, 0.27339887619018555], rtol=1e-5
    )
    grown = Resized(2, 1)
    history, counts, messages = _steps_of(_model(device), grown, epochs=3)
    assert counts == [2, 2, 2] and not messages
    np.testing.assert_allclose(
        history["loss"], [0.35612234473228455, 0.31719493865966797, 0.2852691411972046], rtol=1e-5
    )


class Unbounded(keras.utils.PyDataset):
    def __init__(self) -> None:
        super().__init__(max_queue_size=None)

    def __len__(self) -> int:
        return 3

    def __getitem__(self, i: int) -> Any:
        return BATCHES[i]


# Keras 3.15.1: a PyDataset made with super().__init__(max_queue_size=None) trained (fit loss
# [0.81004399061203]) and evaluated (0.8680911064147949, a fresh model): with one worker Keras never reads the
# setting. keras_lite raised TypeError "int() argument must be ... not 'NoneType'" (its queue's bound).
@pytest.mark.parametrize("device", DEVICES)
def test_a_pydataset_with_max_queue_size_none_trains(device: str) -> None:
    history = _model(device).fit(Unbounded(), shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], [0.81004399061203], rtol=1e-5)
    assert _model(device).evaluate(Unbounded(), verbose=0) == pytest.approx(0.8680911064147949, rel=1e-5)
    assert Unbounded().max_queue_size == 10
