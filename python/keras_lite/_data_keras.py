"""What Keras 3 reads in data and arguments beyond their plain meaning, as keras_lite reads it too: a model
input's data one trailing axis of size 1 off its rank, 0 for a count meaning "not given", and data of no rows
for a call (see ``one_row``)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def keras_rank(value: Any, dims: tuple[int, ...] | None) -> Any:
    """``value``, data for a model input of shape ``(None, *dims)``, with Keras 3's rank adjustment
    (``Functional._adjust_input_rank``): a trailing axis of size 1 beyond the input's rank is dropped, and one
    the input ends in is added when the data lacks it, so ``(n, 28, 28)`` images feed ``Input((28, 28, 1))``.
    Anything else is returned as given."""
    ndim = getattr(value, "ndim", None)
    if not dims or not isinstance(ndim, int):
        return value
    if ndim == len(dims) + 2 and value.shape[-1] == 1:
        return np.asarray(value)[..., 0]
    if ndim == len(dims) > 1 and dims[-1] == 1:
        return np.asarray(value)[..., None]
    return value


def zero_as_none(value: Any) -> Any:
    """A count argument (``batch_size``, ``steps_per_epoch``, ``validation_steps``, ``validation_batch_size``)
    with 0 read as not given, as Keras 3 reads it (``if not batch_size``); anything else as given."""
    zero = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and value == 0
    return None if zero else value


def one_row(x: Any) -> Any:
    """For data of no rows (an array, or the arrays of a list, tuple or dict, all of ``shape[0] == 0``), the
    same structure of one row of zeros, whose widths can be checked as data's are; None for anything else."""
    if isinstance(x, dict):
        parts = [one_row(v) for v in x.values()]
        return None if not parts or any(p is None for p in parts) else dict(zip(x, parts))
    if isinstance(x, (list, tuple)):
        parts = [one_row(v) for v in x]
        return None if not parts or any(p is None for p in parts) else type(x)(parts)
    shape = getattr(x, "shape", None)
    if isinstance(shape, tuple) and len(shape) >= 1 and shape[0] == 0:
        return np.zeros((1, *shape[1:]), np.float32)
    return None
