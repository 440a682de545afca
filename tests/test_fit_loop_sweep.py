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


def _fit_counting_ran_out(model: keras.Model, *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """``model.fit(*args, **kwargs)``'s History and how many "ran out of data" warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(*args, **kwargs)
    return history, sum("ran out of data" in str(w.message) for w in caught)


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
    history, warned = _fit_counting_ran_out(
        model,
        _FiveBatches(),
        steps_per_epoch=3,
        epochs=4,
        verbose=0,
        shuffle=False,
        callbacks=[_Stopper(stop)],
    )
    assert history.epoch == epochs
    assert int(model.optimizer.iterations.numpy()) == iterations
    assert warned == ran_out
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
    history, warned = _fit_counting_ran_out(
        model,
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
    assert warned == ran_out


class _Batches(keras.utils.PyDataset):
    """``n`` batches of 8 rows of `X40`."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Any:
        return X40[i * 8 : (i + 1) * 8], Y40[i * 8 : (i + 1) * 8]


class _StopAtEpochEnd(keras.callbacks.Callback):
    def __init__(self, epoch: int | None) -> None:
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        if epoch == self.epoch:
            self.model.stop_training = True


# Keras 3.15.1, the model of `_classifier`, training on `_Batches(5)` with steps_per_epoch=3 and validating on
# `_Batches(2)` with validation_steps=3 (each validation pass runs out), epochs=5, shuffle=False: (stopped at
# on_epoch_end of, validation_freq, History.epoch, "ran out of data" warnings, History val_loss). Keras warns for
# each short training pass and each validation pass that runs; keras_lite's producer threads read ahead and
# warned also for the passes of the epochs a stopped fit never ran.
_STOPPED_VALIDATIONS = [
    (
        None,
        1,
        [0, 1, 2, 3, 4],
        7,
        [0.5765169858932495, 0.5532552003860474, 0.5169554948806763, 0.4989465177059173, 0.4711421132087707],
    ),
    (2, 1, [0, 1, 2], 4, [0.5765169858932495, 0.5532552003860474, 0.5169554948806763]),
    (None, 2, [0, 1, 2, 3, 4], 4, [0.5532552003860474, 0.49894651770591736]),
    (1, 2, [0, 1], 2, [0.5532552003860474]),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("stop", "freq", "epochs", "ran_out", "val_loss"), _STOPPED_VALIDATIONS)
def test_ran_out_of_data_warns_for_the_validation_passes_that_run(
    device: str, stop: int | None, freq: int, epochs: list[int], ran_out: int, val_loss: list[float]
) -> None:
    model = _classifier(device)
    history, warned = _fit_counting_ran_out(
        model,
        _Batches(5),
        steps_per_epoch=3,
        validation_data=_Batches(2),
        validation_steps=3,
        validation_freq=freq,
        epochs=5,
        verbose=0,
        shuffle=False,
        callbacks=[_StopAtEpochEnd(stop)],
    )
    assert history.epoch == epochs
    assert warned == ran_out
    np.testing.assert_allclose(history.history["val_loss"], val_loss, rtol=1e-5)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    ("stop", "epochs", "ran_out"), [(None, [0, 1, 2, 3], 4), (1, [0, 1], 2), (0, [0], 1)]
)
def test_a_stopped_fit_warns_only_for_its_validation_passes(
    device: str, stop: int | None, epochs: list[int], ran_out: int
) -> None:
    # Keras 3.15.1: `_Batches(5)` trained whole each epoch (no steps_per_epoch), `_Batches(2)` validated with
    # validation_steps=3, epochs=4 (6 when stopped), one warning per validation pass; keras_lite gave 5 and 3
    # for the stopped fits. val_loss of the first two epochs: 0.5532552003860474, 0.49894651770591736.
    model = _classifier(device)
    history, warned = _fit_counting_ran_out(
        model,
        _Batches(5),
        validation_data=_Batches(2),
        validation_steps=3,
        epochs=4 if stop is None else 6,
        verbose=0,
        shuffle=False,
        callbacks=[_StopAtEpochEnd(stop)],
    )
    assert history.epoch == epochs
    assert warned == ran_out
    np.testing.assert_allclose(
        history.history["val_loss"][:2], [0.5532552003860474, 0.49894651770591736][: len(epochs)], rtol=1e-5
    )


class _Rows(keras.utils.PyDataset):
    """``x``, ``y`` in batches of ``bs`` rows."""

    def __init__(self, x: np.ndarray, y: np.ndarray, bs: int) -> None:
        super().__init__()
        self.x, self.y, self.bs = x, y, bs

    def __len__(self) -> int:
        return -(-len(self.x) // self.bs)

    def __getitem__(self, i: int) -> Any:
        return self.x[i * self.bs : (i + 1) * self.bs], self.y[i * self.bs : (i + 1) * self.bs]


class _Boom(keras.callbacks.Callback):
    def __init__(self, epoch: int) -> None:
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        if epoch == self.epoch:
            raise RuntimeError("interrupted")


def _resumable(device: str) -> keras.Sequential:
    model = keras.Sequential(
        [keras.Input(shape=(3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)],
        device=device,
    )
    model.set_weights(
        [np.full(w.shape, 0.1 * (i + 1), np.float32) for i, w in enumerate(model.get_weights())]
    )
    model.compile(keras.optimizers.Adam(0.01), "mse")
    return model


# Keras 3.15.1: 40 rows (default_rng(seed), y the row sums), the model of `_resumable`, a fit interrupted by an
# exception at on_epoch_end(fail) after BackupAndRestore saved, then a new model fit again with a new
# BackupAndRestore on the folder: (seed, fail, save_freq, epochs, batch size, data, History.epoch of the
# resumed fit, its losses, optimizer.iterations, the first kernel's first value). keras_lite resumed the
# weights of a streamed fit (a PyDataset, or arrays with steps_per_epoch) but ran every epoch again from 0.
_RESUMED = [
    (
        0,
        2,
        "epoch",
        5,
        8,
        "pydataset",
        [3, 4],
        [1.049993872642517, 0.6967827677726746],
        25,
        0.32934504747390747,
    ),
    (
        1,
        1,
        3,
        4,
        8,
        "pydataset",
        [1, 2, 3],
        [1.5220777988433838, 1.1858570575714111, 0.8900171518325806],
        24,
        0.24951277673244476,
    ),
    (2, 3, "epoch", 4, 16, "pydataset", [], None, 12, 0.21306435763835907),
    (0, 2, "epoch", 5, 8, "steps", [3, 4], [2.1024556159973145, 1.7584292888641357], 9, None),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    ("seed", "fail", "save_freq", "epochs", "bs", "data", "resumed", "loss", "iterations", "w0"), _RESUMED
)
def test_backup_and_restore_resumes_a_streamed_fit_at_its_epoch(
    tmp_path: Any,
    device: str,
    seed: int,
    fail: int,
    save_freq: Any,
    epochs: int,
    bs: int,
    data: str,
    resumed: list[int],
    loss: list[float] | None,
    iterations: int,
    w0: float | None,
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(40, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)

    def fit(model: keras.Sequential, callbacks: list[Any]) -> Any:
        if data == "pydataset":
            return model.fit(_Rows(x, y, bs), epochs=epochs, verbose=0, shuffle=False, callbacks=callbacks)
        return model.fit(
            x,
            y,
            batch_size=bs,
            steps_per_epoch=2,
            epochs=epochs,
            verbose=0,
            shuffle=False,
            callbacks=callbacks,
        )

    backup = str(tmp_path / "backup")
    with pytest.raises(RuntimeError, match="interrupted"):
        fit(_resumable(device), [keras.callbacks.BackupAndRestore(backup, save_freq=save_freq), _Boom(fail)])
    model = _resumable(device)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (arrays in steps run out of rows: Keras's warning)
        history = fit(model, [keras.callbacks.BackupAndRestore(backup, save_freq=save_freq)])
    assert history.epoch == resumed
    assert int(model.optimizer.iterations.numpy()) == iterations
    if loss is None:
        assert history.history == {}
    else:
        np.testing.assert_allclose(history.history["loss"], loss, rtol=1e-5)
    if w0 is not None:
        np.testing.assert_allclose(model.get_weights()[0].ravel()[0], w0, rtol=1e-5)
