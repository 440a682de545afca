"""Keras 3's ``FBetaScore`` and ``F1Score``: per class, weighted true positive, false positive and false negative
counts of a decision (``y_pred > threshold``, or without a threshold the row's largest prediction), then
``(1 + beta**2) * precision * recall / (beta**2 * precision + recall)`` per class, or averaged (``"micro"``,
``"macro"``, ``"weighted"``). On their own they count in NumPy (float32 state, as Keras's); in ``compile`` the
core counts them on both devices over the whole epoch."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._errors import received
from ._metric_base import Metric, as_float, to_result
from ._metric_regression import PerOutput
from ._tensor import Tensor

_AVERAGES = (None, "micro", "macro", "weighted")
_EPSILON = np.float32(1e-7)


class FBetaScore(Metric):
    """The F-beta score of each class (``average=None``) or their average."""

    _kind, _direction = "fbeta_score", "up"

    def __init__(
        self,
        average: str | None = None,
        beta: float = 1.0,
        threshold: float | None = None,
        name: str = "fbeta_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if average not in _AVERAGES:
            raise ValueError(
                "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', 'weighted'}. "
                f"{received('average', average)}"
            )
        if not isinstance(beta, float) or not beta > 0.0:
            raise ValueError(
                f"Invalid `beta` argument value: a Python float above 0. {received('beta', beta)}"
            )
        if threshold is not None and (not isinstance(threshold, float) or not 0.0 < threshold <= 1.0):
            raise ValueError(
                "Invalid `threshold` argument value: a Python float with 0 < threshold <= 1. "
                f"{received('threshold', threshold)}"
            )
        self.average, self.beta, self.threshold = average, beta, threshold
        self._built = False

    def _build(self, classes: int) -> None:
        shape = () if self.average == "micro" else (classes,)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape, name="intermediate_weights")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t = as_float(y_true, "y_true").astype(np.float32)
        p = as_float(y_pred, "y_pred").astype(np.float32)
        if t.ndim != 2 or p.ndim != 2:
            raise ValueError(
                "FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                f"y_pred.shape={p.shape} and y_true.shape={t.shape}."
            )
        if not self._built:
            self._build(p.shape[-1])
        if self.threshold is None:
            # The row's largest prediction ([0, 0, 0] stays all negative).
            d = (p >= p.max(axis=-1, keepdims=True)) & (np.abs(p) > 1e-9)
        else:
            d = p > self.threshold
        d = d.astype(np.float32)
        w = None if sample_weight is None else as_float(sample_weight, "sample_weight").astype(np.float32)
        axis = None if self.average == "micro" else 0

        def total(values: np.ndarray) -> np.ndarray:
            if w is not None:
                values = values * w.reshape(-1, 1)
            return np.asarray(np.sum(values, axis=axis, dtype=np.float32))

        self.true_positives.assign_add(total(d * t))
        self.false_positives.assign_add(total(d * (1 - t)))
        self.false_negatives.assign_add(total((1 - d) * t))
        self.intermediate_weights.assign_add(total(t))

    def result(self) -> Tensor:
        if not self._built:
            return to_result(0.0)
        tp, fp, fn = self.true_positives.value, self.false_positives.value, self.false_negatives.value
        precision = tp / (tp + fp + _EPSILON)
        recall = tp / (tp + fn + _EPSILON)
        b2 = np.float32(self.beta**2)
        score = precision * recall / (b2 * precision + recall + _EPSILON) * (1 + b2)
        if self.average == "weighted":
            support = self.intermediate_weights.value
            score = np.sum(score * (support / (np.sum(support) + _EPSILON)))
        elif self.average is not None:
            score = np.mean(score)
        return to_result(score)

    def _core_kind(self) -> str:
        threshold = "" if self.threshold is None else f";threshold={self.threshold!r}"
        return f"{self._kind}:beta={self.beta!r};average={self.average or 'none'}{threshold}"

    def _core_size(self, output_width: int) -> int:
        return PerOutput(output_width) if self.average is None else 1

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """The F-1 score (``FBetaScore`` with ``beta=1.0``): the harmonic mean of precision and recall."""

    def __init__(
        self,
        average: str | None = None,
        threshold: float | None = None,
        name: str = "f1_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config
