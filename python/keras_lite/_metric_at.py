"""Keras 3's ``SensitivityAtSpecificity``, ``SpecificityAtSensitivity``, ``PrecisionAtRecall`` and
``RecallAtPrecision``: confusion counts at ``num_thresholds`` evenly spaced thresholds (predictions clipped to
[0, 1] and counted in buckets, as Keras does; one threshold is 0.5), then the largest of one rate over the
thresholds where the other is at least the value given (0 where none is). On their own they count in NumPy;
in ``compile`` the core counts them on both devices over the epoch."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ._errors import ArgumentTypeError, received
from ._metric_base import Metric, as_float, divide_no_nan, to_result
from ._metric_confusion import confusion, core_options, prepare
from ._tensor import Tensor


class _AtLeast(Metric):
    """The largest ``_dependent`` rate where the ``_constraint`` rate is at least ``value``."""

    _direction = "up"
    _constraint = ""

    def __init__(
        self,
        value: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        arg = self._constraint
        wrong_type = isinstance(value, bool) or not isinstance(value, numbers.Real)
        if wrong_type or not 0 <= value <= 1:  # a string is Keras's TypeError (its comparison fails)
            raise (ArgumentTypeError if wrong_type else ValueError)(
                f"Argument `{arg}` must be in the range [0, 1]. {received(arg, value)}"
            )
        if (
            isinstance(num_thresholds, bool)
            or not isinstance(num_thresholds, (int, np.integer))
            or num_thresholds <= 0
        ):  # a string is Keras's TypeError (its comparison fails)
            raise (ArgumentTypeError if isinstance(num_thresholds, str) else ValueError)(
                f"Argument `num_thresholds` must be an integer > 0. {received('num_thresholds', num_thresholds)}"
            )
        if class_id is not None and (
            isinstance(class_id, bool) or not isinstance(class_id, (int, np.integer)) or class_id < 0
        ):
            raise ValueError(f"class_id must be a non-negative integer. {received('class_id', class_id)}")
        self.value: float = float(value)
        self.num_thresholds: int = int(num_thresholds)
        self.class_id: int | None = None if class_id is None else int(class_id)
        setattr(self, arg, self.value)
        n = self.num_thresholds
        # Evenly spaced thresholds from exactly 0 to 1: Keras clips the predictions and counts them in buckets,
        # in which a prediction at or below 0 is above no threshold (its bucket, -1, is dropped) and one at or
        # above 1 is above all but the last.
        inner = [(i + 1) / (n - 1) for i in range(n - 2)] if n > 1 else []
        self._clip: bool = n > 1
        self._thresholds: list[float] = [0.0, *inner, 1.0] if n > 1 else [0.5]
        # Keras's four variables, in its order.
        n_thresholds = len(self._thresholds)
        self.true_positives = self.add_variable((n_thresholds,), name="true_positives")
        self.false_positives = self.add_variable((n_thresholds,), name="false_positives")
        self.true_negatives = self.add_variable((n_thresholds,), name="true_negatives")
        self.false_negatives = self.add_variable((n_thresholds,), name="false_negatives")
        self._counts: tuple[Any, ...] = (
            self.true_positives,
            self.false_positives,
            self.true_negatives,
            self.false_negatives,
        )

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        p = as_float(y_pred, "y_pred")
        t, p, w = prepare(
            y_true, np.clip(p, 0.0, 1.0) if self._clip else p, sample_weight, class_id=self.class_id
        )
        counts = confusion(t.reshape(-1), p.reshape(-1), w.reshape(-1), self._thresholds)
        for variable, count in zip(self._counts, counts):
            variable.assign_add(count)

    def _rates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sensitivity (recall), specificity and precision at each threshold, in float32 as Keras's."""
        tp, fp, tn, fn = (v.value for v in self._counts)  # float32: the sums below round as Keras's do

        def rate(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return divide_no_nan(a, a + b).astype(np.float32)

        return rate(tp, fn), rate(tn, fp), rate(tp, fp)

    def _pick(self, dependent: np.ndarray, constrained: np.ndarray) -> Tensor:
        feasible = constrained >= np.float32(self.value)
        return to_result(np.max(np.where(feasible, dependent, np.float32(0)), initial=np.float32(0)))

    def _core_kind(self) -> str:
        kind = type(self)._kind
        return f"{kind}:{core_options(value=repr(self.value), num_thresholds=self.num_thresholds, class_id=self.class_id)}"

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self._constraint: self.value,
        }


class SensitivityAtSpecificity(_AtLeast):
    """The best sensitivity (recall) where the specificity is at least ``specificity``."""

    _kind, _constraint = "sensitivity_at_specificity", "specificity"

    def __init__(
        self,
        specificity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self) -> Tensor:
        sensitivity, specificity, _ = self._rates()
        return self._pick(sensitivity, specificity)


class SpecificityAtSensitivity(_AtLeast):
    """The best specificity where the sensitivity (recall) is at least ``sensitivity``."""

    _kind, _constraint = "specificity_at_sensitivity", "sensitivity"

    def __init__(
        self,
        sensitivity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self) -> Tensor:
        sensitivity, specificity, _ = self._rates()
        return self._pick(specificity, sensitivity)


class PrecisionAtRecall(_AtLeast):
    """The best precision where the recall is at least ``recall``."""

    _kind, _constraint = "precision_at_recall", "recall"

    def __init__(
        self,
        recall: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self) -> Tensor:
        recall, _, precision = self._rates()
        return self._pick(precision, recall)


class RecallAtPrecision(_AtLeast):
    """The best recall where the precision is at least ``precision``."""

    _kind, _constraint = "recall_at_precision", "precision"

    def __init__(
        self,
        precision: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self) -> Tensor:
        recall, _, precision = self._rates()
        return self._pick(recall, precision)


CLASSES: list[type[_AtLeast]] = [
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    PrecisionAtRecall,
    RecallAtPrecision,
]
