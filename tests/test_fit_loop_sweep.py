"""Differences a randomized sweep of the fit loop and its callbacks found against Keras 3.15.1 (TensorFlow
backend), each pinned with the values that Keras run gave.

The sweep built random cases (callbacks, validation, steps, stop_training in hooks), ran each in keras_lite and
in Keras from the same initial weights, and compared histories, weights, hook calls, files and printed text.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

X40 = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
Y40 = (X40.sum(axis=1) > 0).astype(np.float32).reshape(-1, 1)


class _FiveBatches(keras.utils.PyDataset):
    def __len__(self) -> int:
        return 5

    def __getitem__(self, i: int) -> Any:
        return X40[i * 8 : (i + 1) * 8], Y40[i * 8 : (i + 1) * 8]


def _classifier(device: str) -> keras.Sequential:
    model = keras.Sequential(
        [keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")], device=device
    )
    model.compile(keras.optimizers.SGD(0.1), "binary_crossentropy")
    model.set_weights([np.full((3, 1), 0.1, np.float32), np.zeros(1, np.float32)])
    return model


class _Stopper(keras.callbacks.Callback):
    """Sets ``model.stop_training`` at ``on_epoch_begin(epoch)`` or at the ``n``-th training batch's end."""

    def __init__(self, at: tuple[str, int] | None) -> None:
        super().__init__()
        self.at, self.batches = at, 0

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        if self.at == ("epoch_begin", epoch):
            self.model.stop_training = True

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self.batches += 1
        if self.at == ("batch_end", self.batches - 1):
            self.model.stop_training = True


# Keras 3.15.1, a PyDataset of 5 batches of 8 rows, steps_per_epoch=3, epochs=4, SGD(0.1), weights 0.1 and 0,
# shuffle=False: (stop point, History.epoch, optimizer.iterations, "ran out of data" warnings, History loss).
# Epochs read on where the last stopped (3, 2, 3, 2 batches) and a pass that ends short warns, but only when the
# loop asks for the batch after it: an epoch stopped by stop_training never does.
_STOPPED_PASSES = [
    (
        None,
        [0, 1, 2, 3],
        10,
        2,
        [0.6105280518531799, 0.585159420967102, 0.5443503260612488, 0.5359078645706177],
    ),
    (("epoch_begin", 1), [0, 1], 4, 0, [0.6105280518531799, 0.583816409111023]),
    (("batch_end", 4), [0, 1], 5, 0, [0.6105280518531799, 0.585159420967102]),
    (("batch_end", 1), [0], 2, 0, [0.6171904802322388]),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("stop", "epochs", "iterations", "ran_out", "loss"), _STOPPED_PASSES)
def test_ran_out_of_data_warns_only_for_a_pass_trained_to_its_end(
    device: str, stop: Any, epochs: list[int], iterations: int, ran_out: int, loss: list[float]
) -> None:
    # keras_lite's producer thread reads batches ahead of training and warned when it reached the data's end,
    # also for a pass that a stopped fit never trained.
    model = _classifier(device)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(
            _FiveBatches(), steps_per_epoch=3, epochs=4, verbose=0, shuffle=False, callbacks=[_Stopper(stop)]
        )
    assert history.epoch == epochs
    assert int(model.optimizer.iterations.numpy()) == iterations
    assert sum("ran out of data" in str(w.message) for w in caught) == ran_out
    np.testing.assert_allclose(history.history["loss"], loss, rtol=1e-5)


X64 = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
Y64 = (X64.sum(axis=1) > 0).astype(np.float32)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("stop_epoch", "epochs", "iterations", "ran_out"), [(2, 3, 7, 0), (None, 5, 13, 1)])
def test_arrays_in_steps_warn_only_when_training_reaches_their_end(
    device: str, stop_epoch: int | None, epochs: int, iterations: int, ran_out: int
) -> None:
    # Keras 3.15.1: 64 rows in batches of 7 (10 batches), steps_per_epoch=3, epochs=5, shuffle=False. Stopped
    # at on_epoch_begin(2), epoch 2 trains one batch: 7 steps and no warning (keras_lite warned, its producer
    # having read the 10th batch's pass ahead); run to the end, epoch 3 takes the one batch left and warns.
    model = keras.Sequential(
        [keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")], device=device
    )
    model.compile("sgd", "binary_crossentropy")
    stop = None if stop_epoch is None else ("epoch_begin", stop_epoch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(
            X64,
            Y64,
            batch_size=7,
            steps_per_epoch=3,
            epochs=5,
            verbose=0,
            shuffle=False,
            callbacks=[_Stopper(stop)],
        )
    assert history.epoch == list(range(epochs))
    assert int(model.optimizer.iterations.numpy()) == iterations
    assert sum("ran out of data" in str(w.message) for w in caught) == ran_out
