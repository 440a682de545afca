"""A streamed batch as the core's queue takes it: the ``(x, y, sample_weight)`` float32 arrays of a batch tuple,
checked as ``fit`` checks in-memory data, and a batch of no rows (a PyDataset whose ``__len__`` counts one batch
too many) as Keras 3.15.1 runs it: a step that trains on nothing, which still moves the optimizer on (Adam's
moments decay, the step count grows), adds nothing to a mean, and predicts no row."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _data
from . import _targets, _weights

if TYPE_CHECKING:
    from ._model import Model

# ``_trainer.inputs``: an x as the float32 matrix the core takes, its width checked (passed in by the caller).
Inputs = Callable[..., np.ndarray]


def converter(model: Model, inputs: Inputs, targets: bool, what: str, class_weight: Any = None) -> Any:
    """A batch tuple as the ``(x, y, sample_weight)`` float32 arrays the core's queue takes."""

    # The width of an x that the full conversion returned as it was (a float32 C-contiguous matrix): later
    # batches of that kind skip it (the width check and the model's lock it takes), as the core checks them.
    width: list[int] = []

    def convert(batch: tuple[Any, ...]) -> tuple[Any, ...]:
        if empty(batch[0]):
            return _empty(model, batch, targets, what)
        x = batch[0]
        if not (width and _plain(x) and x.shape[1] == width[0]):
            x = one_input(model, inputs, batch[0], what)
            if x is batch[0] and not width:
                width.append(x.shape[1])
        if not targets:
            return (x, np.zeros((x.shape[0], 1), np.float32), None)
        y = _targets_of(batch, what)
        if not _plain(y):
            y = _targets.to_targets(model, y, batch_arg(what, "y"))
        _data.check_same_length(x, y, x_arg=batch_arg(what, "x"), y_arg=batch_arg(what, "y"))
        sw = batch[2] if len(batch) == 3 else None
        if class_weight is not None and len(batch) == 3:
            raise ValueError("You cannot specify `class_weight` and `sample_weight` at the same time.")
        w = _weights.sample_weights(sw, x.shape[0], batch_arg(what, "sample_weight"), model)
        if class_weight is not None:
            out = model._net.output_dim
            w = _weights.class_weights(class_weight, y, out, y.shape[1] == 1 and out > 1)
        return (x, y, w)

    return convert


def _plain(a: Any) -> bool:
    """Whether ``a`` already is what ``_data.to_matrix`` returns unchanged: a non-empty 2-D float32 ndarray,
    C-contiguous and aligned."""
    return (
        type(a) is np.ndarray
        and a.dtype == np.float32
        and a.ndim == 2
        and a.shape[0] > 0
        and a.shape[1] > 0
        and a.flags.c_contiguous
        and a.flags.aligned
    )


def one_input(model: Model, inputs: Inputs, x: Any, what: str) -> np.ndarray:
    """A batch's x as the core's matrix: one array, or for a Functional model a list or dict of its inputs."""
    if (
        isinstance(x, (list, dict))
        and not _data_like(x)
        and model._join_inputs(x, batch_arg(what, "x")) is None
    ):
        raise ValueError(
            f"Model {model.name!r} takes one input, so a batch x of several (a list of arrays or a dict) cannot "
            "be read; build a keras.Model(inputs, outputs) with several keras.Input tensors to feed several. "
            f"Received: {batch_arg(what, 'x')} of type {type(x).__name__}"
        )
    return inputs(model, x, batch_arg(what, "x"))


def batch_arg(what: str, part: str) -> str:
    """How errors name a part of a batch: ``x``, ``y`` for training, ``validation_data x`` for validation."""
    return part if what == "x" else f"{what} {part}"


def _data_like(x: Any) -> bool:
    return isinstance(x, list) and not any(isinstance(v, (np.ndarray, dict)) for v in x)


def empty(x: Any) -> bool:
    """Whether a batch's x holds no row: an array (or DataFrame) of length 0, or a list, tuple or dict of such
    arrays (a model of several inputs). An empty Python list is a batch of no rows too."""
    if isinstance(x, dict):
        return bool(x) and all(empty(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return not x or all(hasattr(v, "shape") and empty(v) for v in x)
    shape = getattr(x, "shape", None)
    return isinstance(shape, tuple) and len(shape) >= 1 and shape[0] == 0


def _width(a: Any, default: int) -> int:
    """The columns of an empty array as the core reads them (1-D: one), else ``default``."""
    shape = getattr(a, "shape", None)
    if isinstance(shape, tuple) and len(shape) == 2:
        return int(shape[1])
    return 1 if isinstance(shape, tuple) and len(shape) == 1 else default


def _empty(model: Model, batch: tuple[Any, ...], targets: bool, what: str) -> tuple[Any, ...]:
    """A batch of no rows: empty matrices of the widths given (the core checks them, as for any batch)."""
    net = model._net
    x = batch[0]
    x_width = _width(x, net.input_dim) if model._single_input else net.input_dim
    out = np.empty((0, x_width), np.float32)
    if not targets:
        return (out, np.empty((0, 1), np.float32), None)
    y = np.asarray(_targets.unkeyed(model, _targets_of(batch, what), batch_arg(what, "y")))
    _data.check_same_length(out, y, x_arg=batch_arg(what, "x"), y_arg=batch_arg(what, "y"))
    return (out, np.empty((0, _width(y, net.output_dim)), np.float32), None)


def _targets_of(batch: tuple[Any, ...], what: str) -> Any:
    """A training or evaluation batch's y, which it must have."""
    if len(batch) < 2 or batch[1] is None:
        raise ValueError(
            f"Training and evaluation need targets: each {what} batch must be (x, y). Received: (x,)"
        )
    return batch[1]
