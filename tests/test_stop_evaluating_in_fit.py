"""``model.stop_evaluating`` set by a callback during ``fit``'s validation pass ends that pass, as Keras 3's does:
Keras validates through ``evaluate``, which clears the flag at its start and looks at it after each batch. The
pass's logs are then those of the batches run, the training goes on, and the next epoch validates afresh.

The golden values are what Keras 3.15.1 (TensorFlow backend) printed for the same model, data and callbacks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES, assert_same_values

X = np.linspace(-1, 1, 40, dtype=np.float32).reshape(20, 2)
Y = X.sum(axis=1, keepdims=True) * 2 + np.arange(20, dtype=np.float32).reshape(20, 1) / 10

# Keras 3.15.1: the training figures are the same whatever the validation does.
TRAIN = {"loss": [3.57415, 2.61732], "mae": [1.60037, 1.37536]}
# Keras 3.15.1: the validation pass stopped after its second batch (stop_evaluating set at batch 1) ...
AFTER_TWO = {"val_loss": [1.92948, 1.57674], "val_mae": [1.35704, 1.22897]}
# ... and after its first batch (stop_evaluating set in on_test_begin).
AFTER_ONE = {"val_loss": [2.64925, 2.14317], "val_mae": [1.62224, 1.45942]}


def _model(device: str) -> keras.Sequential:
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones")], device=device
    )
    model.compile("sgd", "mse", metrics=["mae"])
    return model


class _Stop(keras.callbacks.Callback):
    """Sets ``stop_evaluating`` after validation batch ``at`` (or, with ``at=None``, in ``on_test_begin``),
    and records the validation hooks it sees."""

    def __init__(self, at: int | None) -> None:
        super().__init__()
        self.at = at
        self.seen: list[Any] = []

    def on_test_begin(self, logs: Any = None) -> None:
        self.seen.append("begin")
        if self.at is None:
            self.model.stop_evaluating = True

    def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
        self.seen.append(batch)
        if batch == self.at:
            self.model.stop_evaluating = True

    def on_test_end(self, logs: Any = None) -> None:
        self.seen.append({k: round(float(v), 5) for k, v in (logs or {}).items()})


class _StopAtBegin(keras.callbacks.Callback):
    """Only ``on_test_begin``: no batch hook, so the core has none to call during the pass."""

    def on_test_begin(self, logs: Any = None) -> None:
        self.model.stop_evaluating = True


class _Rows(keras.utils.PyDataset):
    def __init__(self, x: np.ndarray, y: np.ndarray, batch: int) -> None:
        super().__init__()
        self.x, self.y, self.batch = x, y, batch
        self.read: list[int] = []

    def __len__(self) -> int:
        return len(self.x) // self.batch

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        self.read.append(i)
        return self.x[i * self.batch : (i + 1) * self.batch], self.y[i * self.batch : (i + 1) * self.batch]


def _history(h: Any) -> dict[str, list[float]]:
    return {k: [round(float(v), 5) for v in vs] for k, vs in h.history.items()}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("at", "want", "batches"), [(1, AFTER_TWO, [0, 1]), (None, AFTER_ONE, [0])])
def test_a_callback_ends_fit_validation_as_keras_does(
    device: str, at: int | None, want: dict[str, list[float]], batches: list[int]
) -> None:
    model, cb = _model(device), _Stop(at)
    h = model.fit(
        X,
        Y,
        validation_data=(X[:10], Y[:10]),
        batch_size=2,
        epochs=2,
        shuffle=False,
        verbose=0,
        callbacks=[cb],
    )
    got = _history(h)
    assert_same_values(device, [got[k] for k in TRAIN], list(TRAIN.values()))
    assert_same_values(device, [got[k] for k in want], list(want.values()))
    # Each epoch's pass starts again from its first batch, and on_test_end gets the pass's logs.
    ends = [s for s in cb.seen if isinstance(s, dict)]
    assert [s for s in cb.seen if not isinstance(s, dict)] == (["begin", *batches] * 2)
    assert_same_values(device, [[e["loss"], e["mae"]] for e in ends], np.transpose(list(want.values())))
    assert model.stop_evaluating is True  # left set, as Keras leaves it


@pytest.mark.parametrize("device", DEVICES)
def test_a_stop_in_on_test_begin_without_batch_hooks_still_ends_after_one_batch(device: str) -> None:
    h = _model(device).fit(
        X, Y, validation_data=(X[:10], Y[:10]), batch_size=2, epochs=2, shuffle=False, verbose=0,
        callbacks=[_StopAtBegin()],
    )  # fmt: skip
    assert_same_values(device, _history(h)["val_loss"], AFTER_ONE["val_loss"])


def test_the_flag_left_set_before_fit_does_not_cut_its_validation() -> None:
    model = _model("cpu")
    model.stop_evaluating = True  # cleared at each pass's start, as Keras's evaluate clears it
    h = model.fit(X, Y, validation_data=(X[:10], Y[:10]), batch_size=2, epochs=2, shuffle=False, verbose=0)
    full = _model("cpu").fit(
        X, Y, validation_data=(X[:10], Y[:10]), batch_size=2, epochs=2, shuffle=False, verbose=0
    )
    assert h.history == full.history
    assert model.stop_evaluating is False


def test_a_streamed_validation_pass_ends_early_and_the_next_starts_at_its_first_batch() -> None:
    """A PyDataset's pass is cut the same way; the batches it had read ahead are set aside, so that the next
    epoch's pass starts again at batch 0 (the values are those of the array fit above)."""
    train, val = _Rows(X, Y, 2), _Rows(X[:10], Y[:10], 2)
    cb = _Stop(1)
    h = _model("cpu").fit(train, validation_data=val, epochs=2, shuffle=False, verbose=0, callbacks=[cb])
    got = _history(h)
    assert {k: got[k] for k in TRAIN} == TRAIN
    assert {k: got[k] for k in AFTER_TWO} == AFTER_TWO
    assert [s for s in cb.seen if not isinstance(s, dict)] == ["begin", 0, 1] * 2


def test_evaluate_after_a_stopped_fit_runs_all_its_batches() -> None:
    model = _model("cpu")
    model.fit(X, Y, validation_data=(X[:10], Y[:10]), batch_size=2, epochs=1, verbose=0, callbacks=[_Stop(0)])
    assert model.stop_evaluating is True
    steps: list[int] = []

    class Count(keras.callbacks.Callback):
        def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
            steps.append(batch)

    model.evaluate(X[:10], Y[:10], batch_size=2, verbose=0, callbacks=[Count()])
    assert steps == [0, 1, 2, 3, 4]


class _HalveAfterFirstBatch(keras.callbacks.Callback):
    def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
        if batch == 0:
            self.model.set_weights([w * 0.5 for w in self.model.get_weights()])


@pytest.mark.parametrize("device", DEVICES)
def test_weights_a_validation_hook_sets_reach_the_later_batches_of_that_pass(device: str) -> None:
    # Keras validates a batch at a time, each with the weights the hooks before it left; the GPU validates
    # a batch at a time too when a callback has test-batch hooks. Keras 3.15.1 logged these (SGD(0.0): the
    # training leaves the weights, so the first batch sees the initial ones and the other three the halved).
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones")], device=device
    )
    model.compile(keras.optimizers.SGD(0.0), "mse", metrics=["mae"])
    h = model.fit(
        X, Y, batch_size=20, epochs=1, validation_data=(X, Y), validation_batch_size=6, verbose=0,
        callbacks=[_HalveAfterFirstBatch()],
    )  # fmt: skip
    np.testing.assert_allclose(
        [h.history["val_loss"], h.history["val_mae"]], [[5.69963], [1.93154]], atol=1e-5
    )
