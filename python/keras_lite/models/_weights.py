"""Keras's ``sample_weight`` and ``class_weight`` as the one weight per row the core takes.

``sample_weight`` is ``(n,)`` or ``(n, 1)``; ``class_weight`` maps class ids to weights and applies to training
only: each row's id comes from its target (a one-unit output's target rounded, one class id per row for a sparse
loss, the argmax of a one-hot row otherwise), and a class the dict does not name weighs 1.0, as in Keras 3.
Keras 3 refuses the two together. The core checks that every weight is finite and non-negative.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import _data
from .._errors import received
from . import _targets


def sample_weights(
    value: Any, rows: int, arg: str = "sample_weight", model: Any = None
) -> NDArray[np.float32] | None:
    """``value`` as ``(rows,)`` float32, or None; ``(n, 1)`` is squeezed as Keras does, and the one output's
    array in a list or tuple taken as Keras takes it (a list of numbers stays the weights), or, for ``model``
    built with a dict of outputs, from a dict by output name, as its targets are."""
    if value is None:
        return None
    if isinstance(value, dict) and model is not None:
        value = _targets.unkeyed(model, value, arg)
    if isinstance(value, (list, tuple)) and len(value) == 1 and getattr(value[0], "ndim", 0) >= 1:
        value = value[0]
    arr = _data.to_array(value, arg)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1 or arr.shape[0] != rows:
        raise ValueError(
            f"{arg} must hold one weight per sample, shape ({rows},) or ({rows}, 1). "
            f"Received: {arg}.shape={arr.shape}"
        )
    return np.ascontiguousarray(arr, dtype=np.float32)


def class_weights(
    class_weight: Any, y: NDArray[np.float32], classes: int, sparse: bool
) -> NDArray[np.float32]:
    """Each row's weight from ``class_weight`` (a dict of class id to weight) and its target ``y``."""
    if not isinstance(class_weight, dict):
        raise ValueError(
            f"class_weight must be a dict of class ids to weights. {received('class_weight', class_weight)}"
        )
    n_classes = max(classes, 2) if not sparse and y.shape[1] == 1 else classes
    table = np.ones(n_classes, dtype=np.float32)
    for key, weight in class_weight.items():
        # A float that is a whole number names a class too (``dict(zip(np.unique(y), w))`` of float targets),
        # and so does a bool, False 0 and True 1 (of boolean targets, `np.unique` giving NumPy bools), as
        # Keras 3 takes them.
        if isinstance(key, (bool, np.bool_)):
            key = int(key)
        whole = isinstance(key, numbers.Integral) or isinstance(key, numbers.Real) and float(key).is_integer()
        if not whole or not 0 <= int(key) < n_classes:
            raise ValueError(
                f"class_weight keys must be class ids, integers in [0, {n_classes}) for this model's output. "
                f"Received: class_weight key {key!r}"
            )
        if (
            isinstance(weight, bool)
            or not isinstance(weight, numbers.Real)
            or not math.isfinite(float(weight))
            or weight < 0
        ):
            raise ValueError(
                f"class_weight values must be finite non-negative numbers. Received: class_weight[{key!r}]={weight!r}"
            )
        table[int(key)] = weight
    if y.shape[1] == 1:
        ids = np.rint(y[:, 0])
        bad = (ids < 0) | (ids >= n_classes)
        if bad.any():
            r = int(np.argmax(bad))
            raise ValueError(
                f"class_weight needs targets that are class ids in [0, {n_classes}). Received: y[{r}]={y[r, 0]!r}"
            )
        ids = ids.astype(np.int64)
    else:
        ids = np.argmax(y, axis=1)
    return np.ascontiguousarray(table[ids])
