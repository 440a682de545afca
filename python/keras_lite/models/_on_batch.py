"""``train_on_batch``, ``test_on_batch`` and ``predict_on_batch``, as Keras 3.15 has them: the arrays given are
one batch (not cut by a ``batch_size``), no callbacks run, and the metrics start afresh at each call, so that a
call returns the values of its own batch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _data, _stream
from .. import callbacks as callbacks_module
from .._structure_lock import _tracks_fit
from ..optimizers._steps import restarted as restarted_rates
from . import _compile, _metric_objects, _targets, _trainer, _weights

if TYPE_CHECKING:
    from ._model import Model


def _arrays(model: Model, x: Any, y: Any, call: str) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` as the core takes them, checked against the model (built on first use)."""
    if _stream.is_stream(x) or _stream.is_stream(y):
        raise ValueError(
            f"{call} takes one batch of arrays, not a generator or dataset; fit and evaluate take those. "
            f"Received: x={type(x).__name__}"
        )
    if x is None or y is None:
        raise ValueError(f"{call} needs both x and y. Received: x={type(x).__name__}, y={type(y).__name__}")
    xa = _trainer.inputs(model, x)
    ya = _targets.to_targets(model, y, "y")
    _data.check_same_length(xa, ya)
    _targets.settle_targets(model, ya)
    model._ensure_built(xa.shape[1], train=call == "train_on_batch")
    _targets.check_targets(model, ya, "y")
    return xa, ya


# How the core refuses a fit (train_on_batch's step is one) from a callback of the model's own fit.
_NESTED_FIT = (
    "fit() cannot run while this model is training: this call comes from one of its own fit's callbacks"
)


class _StepObserver(_trainer.FitObserver):
    """The one step's values, as the core reports them at the end of its epoch."""

    values: list[float] = []

    def on_epoch_end(self, epoch: int, train: list[float], val: list[float] | None) -> bool:
        self.values = list(train)
        return super().on_epoch_end(epoch, train, val)


@_tracks_fit
def train_on_batch(
    self: Model,
    x: Any,
    y: Any = None,
    sample_weight: Any = None,
    class_weight: Any = None,
    return_dict: bool = False,
) -> Any:
    """One training step on ``(x, y)`` taken as one batch: the step's loss, or a list of the loss and each
    metric (a dict with ``return_dict``), of this batch alone, as Keras 3 returns them."""
    if isinstance(class_weight, dict) and not class_weight:
        class_weight = None  # as Keras reads an empty one: no weights
    if class_weight is not None and sample_weight is not None:
        raise ValueError(
            "Arguments `sample_weight` and `class_weight` cannot be specified at the same time. "
            f"Received: sample_weight={sample_weight}, class_weight={class_weight}"
        )
    _compile.first_use(self, ("train",))
    _compile.require_compiled(self, "training")
    xa, ya = _arrays(self, x, y, "train_on_batch")
    rows = xa.shape[0]
    sw = _weights.sample_weights(_per_row(sample_weight, rows), rows, model=self)
    if class_weight is not None:
        net = self._net
        sw = _weights.class_weights(class_weight, ya, net.output_dim, ya.shape[1] == 1 and net.output_dim > 1)
    cbs = callbacks_module.CallbackList(
        None, add_history=False, add_progbar=False, model=self, verbose=0, epochs=1, steps=1
    )
    observer = _StepObserver(self, cbs, self._metric_names)
    frozen = _compile.trains_nothing(self)  # (no optimizer step: Keras's warning)
    rates = restarted_rates(self.optimizer)
    if rates is not None and not frozen:
        rates.extend(1)
    try:
        self._net.fit(xa, ya, None, None, max(rows, 1), 1, 0, False, 1, observer, 1e9, sw, None)
    except RuntimeError as e:
        if not str(e).startswith(_NESTED_FIT):
            raise
        raise RuntimeError(
            f"train_on_batch() cannot run while model {self.name!r} is training: this call comes from one of its "
            "own fit's callbacks, and that fit holds the model until it returns (Keras 3 would run the step). "
            "Call train_on_batch after fit returns."
        ) from None
    return _targets.evaluate_result(
        self._metric_names, self._metric_sizes, observer.values, return_dict, self._metric_bases
    )


def test_on_batch(
    self: Model, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False
) -> Any:
    """The loss (and metrics) of ``(x, y)`` taken as one batch, in inference mode, as ``evaluate`` gives
    them: a float, a list, or a dict with ``return_dict``."""
    _compile.first_use(self, ("test",))
    _compile.require_compiled(self, "evaluation")
    xa, ya = _arrays(self, x, y, "test_on_batch")
    sw = _weights.sample_weights(_per_row(sample_weight, xa.shape[0]), xa.shape[0], model=self)
    keys = _targets.Keys(self)
    values = self._net.evaluate(xa, ya, max(xa.shape[0], 1), None, sw)
    keys.check("test_on_batch")
    _metric_objects.record(self, values)
    return keys.result(values, return_dict)


def predict_on_batch(self: Model, x: Any) -> np.ndarray:
    """Predictions for one batch, no callbacks or progress output; a batch of no rows gives no rows, as in
    Keras (``predict`` refuses empty data, as Keras's does)."""
    try:
        return self.predict(x, verbose=0)
    except ValueError:
        empty = _trainer.no_rows(self, x, "x")  # (looked for only here: a call with rows pays nothing for it)
        if empty is None:
            raise
    keyed = getattr(self, "_keyed", None)  # (a Functional model built with a dict of outputs)
    return keyed(np.asarray(empty)) if keyed is not None else np.asarray(empty)  # type: ignore[no-any-return]


def _per_row(sample_weight: Any, rows: int) -> Any:
    """A single number as every row's weight, as Keras's one-batch calls take it (``fit`` and ``evaluate``
    refuse it there too); anything else as given."""
    if isinstance(sample_weight, (int, float, np.number)) and not isinstance(sample_weight, (bool, np.bool_)):
        return np.full(rows, sample_weight, dtype=np.float32)
    return sample_weight
