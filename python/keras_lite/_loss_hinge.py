"""Keras 3's ``Hinge`` and ``SquaredHinge`` losses: per sample ``mean(max(1 - y_true * y_pred, 0), axis=-1)``
(squared for ``SquaredHinge``), computed in the core.

Keras (``convert_binary_labels_to_hinge``) reads the labels as -1 and 1 when every label of the ``y_true`` it
is given is 0 or 1, and as they are otherwise: the choice is made over the whole call, as ``fit`` and
``evaluate`` make it over each batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._loss_base import Loss, _pair


class _BinaryHinge(Loss):
    def _values(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray | None]:
        t, p, lead = _pair(y_true, y_pred)
        if np.all((t == 0) | (t == 1)):
            t = 2 * t - 1
        # The core's per-sample values decide the 0/1 reading row by row, so it is given operands with the same
        # products (negation is exact; a 0 label's product is 0 * y_pred, NaN for an infinite one) of which no
        # row reads as 0/1 labels but a row of 1s, which reads the same either way.
        zero = t == 0
        with np.errstate(invalid="ignore"):
            p_core = np.where(zero, np.float32(0) * p, -p)
        t_core = np.where(zero, np.float32(2), -t)
        return _core.loss_per_sample(self._spec(), t_core, p_core).reshape(lead), None


class Hinge(_BinaryHinge):
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``; labels that are all 0 or 1 are read as -1 and 1."""

    _kind = "hinge"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "hinge", dtype: Any = None
    ) -> None:
        super().__init__(name, reduction, dtype)


class SquaredHinge(_BinaryHinge):
    """``mean(max(1 - y_true * y_pred, 0)**2, axis=-1)``; labels that are all 0 or 1 are read as -1 and 1."""

    _kind = "squared_hinge"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "squared_hinge", dtype: Any = None
    ) -> None:
        super().__init__(name, reduction, dtype)
