"""The mean-type metrics of ``keras.metrics`` whose per-sample values the core computes itself (errors,
accuracies, top-k, cosine similarity), and Keras's accuracy functions; computed in NumPy on their own."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from . import _metric_fns as fns
from ._errors import received
from ._loss_base import _axis_fits, _last_axis
from ._metric_base import MeanMetricWrapper
from ._tensor import Tensor
from ._unsupported import NotSupportedError


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean of ``|y_true - y_pred|``."""

    _kind, _direction = "mae", "down"

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(fns.mean_absolute_error, name, dtype)


class MeanSquaredError(MeanMetricWrapper):
    """Mean of ``(y_true - y_pred)**2``."""

    _kind, _direction = "mse", "down"

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(fns.mean_squared_error, name, dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Mean of ``100 * |y_true - y_pred| / max(|y_true|, 1e-7)``."""

    _kind, _direction = "mape", "down"

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(fns.mean_absolute_percentage_error, name, dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """Fraction of ``(y_pred > threshold) == y_true``."""

    _kind, _direction = "binary_accuracy", "up"

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5) -> None:
        # Any finite number, as Keras 3.15 takes it (0.0 and 1.0 included: y_pred > threshold).
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, numbers.Real)
            or not math.isfinite(threshold)
        ):
            raise ValueError(
                f"Invalid value for argument `threshold`: expected a finite number. {received('threshold', threshold)}"
            )
        super().__init__(fns.binary_accuracy, name, dtype, threshold=float(threshold))
        self.threshold: float = float(threshold)

    def _core_kind(self) -> str:
        return self._kind if self.threshold == 0.5 else f"{self._kind}:threshold={float(self.threshold)!r}"


class Accuracy(MeanMetricWrapper):
    """Fraction of predictions exactly equal to their targets (not the class match ``"accuracy"`` picks)."""

    _kind, _direction = "exact_accuracy", "up"

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(fns.accuracy, name, dtype)


class CosineSimilarity(MeanMetricWrapper):
    """Mean over the samples of the cosine of the angle between ``y_true`` and ``y_pred``."""

    _kind, _direction = "cosine_similarity", "up"

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1) -> None:
        _last_axis(axis, "metrics")
        super().__init__(fns.cosine_similarity, name, dtype)
        self.axis = axis  # (not in its config: Keras 3.15.1 writes name and dtype only)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        _axis_fits(self.axis, y_pred)
        super().update_state(y_true, y_pred, sample_weight)


class CategoricalAccuracy(MeanMetricWrapper):
    """Fraction of rows whose argmax matches the one-hot target's argmax."""

    _kind, _direction = "categorical_accuracy", "up"

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(fns.categorical_accuracy, name, dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """Fraction of rows whose argmax is the integer class id in ``y_true``."""

    _kind, _direction = "sparse_categorical_accuracy", "up"

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(fns.sparse_categorical_accuracy, name, dtype)


def _positive_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer. {received('k', k)}")
    return int(k)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """Fraction of rows whose one-hot target class is among the ``k`` largest predictions (ties count)."""

    _kind, _direction = "top_k_categorical_accuracy", "up"

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(fns.top_k_categorical_accuracy, name, dtype, k=_positive_k(k))
        self.k = self._fn_kwargs["k"]

    def _core_kind(self) -> str:
        return f"{self._kind}:{self.k}"


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """Fraction of rows whose integer class id is among the ``k`` largest predictions (ties count)."""

    _kind, _direction = "sparse_top_k_categorical_accuracy", "up"

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype: Any = None,
        from_sorted_ids: bool = False,
    ) -> None:
        super().__init__(fns.sparse_top_k_categorical_accuracy, name, dtype, k=_positive_k(k))
        self.k = self._fn_kwargs["k"]
        if from_sorted_ids:
            raise NotSupportedError(
                "keras_lite's SparseTopKCategoricalAccuracy reads class scores; from_sorted_ids is not "
                f"supported yet. {received('from_sorted_ids', from_sorted_ids)}"
            )
        self.from_sorted_ids = False

    def _core_kind(self) -> str:
        return f"{self._kind}:{self.k}"


def _tensor(values: Any) -> Tensor:
    return np.asarray(values, dtype=np.float32).view(Tensor)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Tensor:
    """Per value: whether ``(y_pred > threshold) == y_true``, as 1.0 or 0.0."""
    return _tensor(fns.binary_accuracy(y_true, y_pred, threshold))


def categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """Per sample: whether the argmax of ``y_pred`` is that of the one-hot ``y_true``."""
    return _tensor(fns.categorical_accuracy(y_true, y_pred))


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """Per sample: whether the argmax of ``y_pred`` is the class id ``y_true``."""
    return _tensor(fns.sparse_categorical_accuracy(y_true, y_pred))


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Tensor:
    """Per sample: whether the one-hot target's class is among the ``k`` largest predictions (ties count)."""
    return _tensor(fns.top_k_categorical_accuracy(y_true, y_pred, _positive_k(k)))


def sparse_top_k_categorical_accuracy(
    y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False
) -> Tensor:
    """Per sample: whether the class id ``y_true`` is among the ``k`` largest predictions (ties count)."""
    if from_sorted_ids:
        raise NotSupportedError(
            f"keras_lite reads class scores; from_sorted_ids is not supported yet. {received('from_sorted_ids', True)}"
        )
    return _tensor(fns.sparse_top_k_categorical_accuracy(y_true, y_pred, _positive_k(k)))
