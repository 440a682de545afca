"""Keras 3's ``CosineSimilarity`` loss: per sample ``-sum(l2_normalize(y_true) * l2_normalize(y_pred))`` over the
last axis, each side scaled by ``min(1 / sqrt(sum(x**2)), 1e7)`` (a zero row scores 0), computed in the core."""

from __future__ import annotations

from typing import Any

from ._loss_base import Loss, _last_axis
from ._tensor import Tensor


class CosineSimilarity(Loss):
    """The negated cosine similarity of each target and prediction row: -1 when they point the same way."""

    _kind = "cosine_similarity"

    def __init__(
        self,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "cosine_similarity",
        dtype: Any = None,
    ) -> None:
        super().__init__(name, reduction, dtype)
        _last_axis(axis)
        self.axis = axis


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """Per-sample negated cosine similarity."""
    return CosineSimilarity(axis=axis).call(y_true, y_pred)
