"""Keras 3's ``MeanAbsolutePercentageError`` loss: per sample
``100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7), axis=-1)``, in float32 and in Keras's order.

The loss used on its own is computed here in NumPy in Keras's order (each ratio, their mean, then times 100),
which rounds as Keras's float32 does more often than the core's per-value ``100 * ratio``; ``fit`` and
``evaluate`` compute it in the core.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._loss_base import Loss, _pair

_EPSILON = np.float32(1e-7)


class MeanAbsolutePercentageError(Loss):
    """``100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7), axis=-1)``."""

    _kind = "mean_absolute_percentage_error"

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "mean_absolute_percentage_error",
        dtype: Any = None,
    ) -> None:
        super().__init__(name, reduction, dtype)

    def _values(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray | None]:
        t, p, lead = _pair(y_true, y_pred)
        # As Keras: abs((t - p) / max(abs(t), eps)), its float32 mean, then times 100.
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            ratio = np.abs((t - p) / np.maximum(np.abs(t), _EPSILON))
            values = np.float32(100) * np.mean(ratio, axis=-1, dtype=np.float32)
        return values.reshape(lead), None
