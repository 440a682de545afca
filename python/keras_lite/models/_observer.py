"""The observer the core reports a ``fit``'s (or a hooked ``evaluate``'s and ``predict``'s) events to, turned
into Keras callback calls with Keras's logs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._callback import _is_default
from .._progbar import Progbar, first_step
from ..callbacks import ProgbarLogger
from . import _metric_objects, _targets
from ._stream_eval import Stopped, predict_logs

if TYPE_CHECKING:
    from ._model import Model


class FitObserver:
    """Receives the core's training events and turns them into Keras callback calls.

    The core reads ``wants_batch_begin`` and ``wants_test_batches`` once, and calls the hooks they name only
    when true: a call into Python before every batch costs more than a small model's step.
    """

    def __init__(self, model: Model, cbs: Any, names: list[str]) -> None:
        self.model = model
        self.cbs = cbs
        self.names = names
        self.last_logs: dict[str, float] | None = None
        # Keras's validation_freq, read by the core once per fit (an int, or a list of 1-based epochs).
        self.validation_freq: int | list[int] = 1
        self.wants_batch_begin = cbs.overrides("on_batch_begin", "on_train_batch_begin")
        # Also where a callback's own ``on_test_begin`` may set ``model.stop_evaluating`` (Keras then validates on
        # the first batch alone): the core cuts a device's validation pass into batches only for batch hooks.
        self.wants_test_batches = cbs.needs_batch_hooks("test") or any(
            not isinstance(cb, ProgbarLogger) and not _is_default(cb.on_test_begin) for cb in cbs.callbacks
        )
        # ``model.stop_training`` as this fit's ``on_train_begin`` left it, restored when its training starts: a
        # fit queued behind another thread's fit of the model would otherwise start with the other's value.
        self.stop_at_start: bool | None = None
        self.val_empty = False  # (a validation pass of no batch: Keras logs no val_ key for it)
        self.val_stopped = False  # (the validation pass was ended by model.stop_evaluating)

    def _logs(self, values: list[float]) -> dict[str, Any]:
        return _targets.keyed(self.names, self.model._metric_sizes, values)

    def on_epoch_begin(self, epoch: int) -> bool:
        if self.stop_at_start is not None:  # (the first epoch)
            self.model.stop_training, self.stop_at_start = self.stop_at_start, None
        self.cbs.on_epoch_begin(epoch)
        return bool(self.model.stop_training)

    def on_batch_begin(self, epoch: int, step: int) -> bool:
        self.cbs.on_train_batch_begin(step)
        return bool(self.model.stop_training)

    def on_batch_end(self, epoch: int, step: int, running: list[float]) -> bool:
        self.cbs.on_train_batch_end(step, self._logs(running))
        return bool(self.model.stop_training)

    def empty_validation(self) -> bool:
        """Whether the validation pass ending now read no batch (a stream's may: see ``_stream_fit``)."""
        return False

    def _val(self, values: list[float]) -> list[float] | None:
        """A validation pass's values as Keras logs them: none for a pass of no batch."""
        return None if self.val_empty else values

    def on_test_begin(self) -> bool:
        """A validation pass begins: as Keras's ``evaluate``, ``model.stop_evaluating`` is cleared first. True
        when a callback set it again: Keras looks at it after each batch, so the core ends the pass after its
        first."""
        self.model.stop_evaluating = False
        self.val_empty = False
        self.cbs.on_test_begin()
        self.val_stopped = bool(self.model.stop_evaluating)
        return self.val_stopped

    def on_test_batch_begin(self, step: int) -> None:
        self.cbs.on_test_batch_begin(step)

    def on_test_batch_end(self, step: int, running: list[float]) -> bool:
        """True when a callback set ``model.stop_evaluating``: the core ends the validation pass after this
        batch, its logs those of the batches run, as in Keras."""
        self.cbs.on_test_batch_end(step, self._logs(running))
        self.val_stopped = bool(self.model.stop_evaluating)
        return self.val_stopped

    def on_test_end(self, logs: list[float]) -> None:
        self.val_empty = self.empty_validation()
        values = self._val(logs)
        self.cbs.on_test_end({} if values is None else self._logs(values))

    def on_predict_batch_begin(self, step: int) -> None:
        self.cbs.on_predict_batch_begin(step)

    def on_predict_batch_end(self, step: int, outputs: np.ndarray) -> None:
        self.cbs.on_predict_batch_end(step, predict_logs(self.model, outputs))

    def on_epoch_end(self, epoch: int, train: list[float], val: list[float] | None) -> bool:
        logs = self._logs(train) if train else {}  # (none: no training batch yet, see ``_stream_fit``)
        validated = val is not None
        val = self._val(val) if val is not None else None
        # What Keras's metric objects hold now: the validation's values when the epoch validated (none for a pass
        # of no batch), else the training's.
        held = (val or []) if validated else train
        if val is not None:
            logs.update({f"val_{k}": v for k, v in self._logs(val).items()})
        self.last_logs = dict(sorted(logs.items()))
        _metric_objects.record(self.model, held)
        self.cbs.on_epoch_end(epoch, self.last_logs)
        return bool(self.model.stop_training)


class _Stoppable(FitObserver):
    """The observer of an ``evaluate`` or ``predict`` with batch hooks, ending it after the batch in whose hooks
    a callback set ``model.stop_evaluating`` or ``model.stop_predicting`` (Keras 3's flags): the result is then
    that of the batches run, as in Keras."""

    def __init__(self, model: Model, cbs: Any, names: list[str]) -> None:
        super().__init__(model, cbs, names)
        self.running: list[float] = []
        self.outputs: list[np.ndarray] = []
        # The progress bar's (steps, verbose, start), drawn after the first batch's hooks, as Keras's bar (the
        # last of its callbacks) draws itself then; `bar` once drawn.
        self.bar_from: tuple[int, int, float] | None = None
        self.bar: Progbar | None = None

    def _first_draw(self, step: int, logs: dict[str, Any]) -> None:
        if step == 0 and self.bar_from is not None:
            self.bar = first_step(*self.bar_from, logs)

    def on_test_batch_end(self, step: int, running: list[float]) -> bool:
        super().on_test_batch_end(step, running)
        self.running = list(running)
        self._first_draw(step, self._logs(running))
        if self.model.stop_evaluating:
            raise Stopped
        return False

    def on_predict_batch_end(self, step: int, outputs: np.ndarray) -> None:
        super().on_predict_batch_end(step, outputs)
        self.outputs.append(outputs)
        self._first_draw(step, {})
        if self.model.stop_predicting:
            raise Stopped
