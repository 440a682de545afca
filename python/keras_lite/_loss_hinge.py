"""Keras 3's ``Hinge`` and ``SquaredHinge`` losses: per sample ``mean(max(1 - y_true * y_pred, 0), axis=-1)``
(squared for ``SquaredHinge``), computed in the core, which reads the labels as -1 and 1 when every label of
the ``y_true`` it is given is 0 or 1 (Keras's ``convert_binary_labels_to_hinge``): over the whole call, as
``fit`` and ``evaluate`` decide it over each batch.
"""

from __future__ import annotations

from typing import Any

from ._loss_base import Loss


class Hinge(Loss):
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``; labels that are all 0 or 1 are read as -1 and 1."""

    _kind = "hinge"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "hinge", dtype: Any = None
    ) -> None:
        super().__init__(name, reduction, dtype)


class SquaredHinge(Loss):
    """``mean(max(1 - y_true * y_pred, 0)**2, axis=-1)``; labels that are all 0 or 1 are read as -1 and 1."""

    _kind = "squared_hinge"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "squared_hinge", dtype: Any = None
    ) -> None:
        super().__init__(name, reduction, dtype)
