"""Regression metric objects of ``keras.metrics``: ``RootMeanSquaredError`` and ``R2Score``, in NumPy."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ._errors import ArgumentTypeError, received
from ._metric_base import Mean, Metric, as_float, squeeze_or_expand, to_result
from ._tensor import Tensor


class PerOutput(int):
    """What ``_core_size`` gives for a metric that reports one value per model output (``R2Score`` without
    ``class_aggregation``, ``FBetaScore`` without ``average``): the logs then hold a vector of them even for a
    one-unit output, as Keras 3 logs ``array([0.5], dtype=float32)``. A plain int of 1 (one threshold of
    ``Precision(thresholds=[0.5])``) is logged as a float, as Keras logs that one."""


class RootMeanSquaredError(Mean):
    """``sqrt`` of the (weighted) mean over the samples of ``mean((y_pred - y_true)**2)``."""

    _direction = "down"

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        t, p = squeeze_or_expand(as_float(y_true, "y_true"), as_float(y_pred, "y_pred"))
        super().update_state(np.square(p - t), sample_weight=sample_weight)

    def result(self) -> Tensor:
        return to_result(np.sqrt(np.asarray(super().result(), dtype=np.float64)))

    def _core_kind(self) -> str:
        return "root_mean_squared_error"


_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """The coefficient of determination per output, aggregated as ``class_aggregation`` says.

    Needs 2-D ``(batch, outputs)`` targets and predictions (after a trailing axis of 1 is squeezed or added);
    ``num_regressors > 0`` gives the adjusted R², which falls back to R² with a warning when there are not
    more values than regressors + 1 (``n`` counts the target values, as Keras 3.15).
    """

    _direction = "up"

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        num_regressors: int = 0,
        name: str = "r2_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                f"{_AGGREGATIONS}. {received('class_aggregation', class_aggregation)}"
            )
        if (
            isinstance(num_regressors, bool)
            or not isinstance(num_regressors, (int, np.integer))
            or num_regressors < 0
        ):  # a string is Keras's TypeError (its comparison fails)
            raise (ArgumentTypeError if isinstance(num_regressors, str) else ValueError)(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"{received('num_regressors', num_regressors)}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = int(num_regressors)
        self.num_samples = self.add_variable(name="num_samples")
        self._built = False

    def _build(self, t_shape: tuple[int, ...], p_shape: tuple[int, ...]) -> None:
        if len(t_shape) != 2 or len(p_shape) != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                f"y_pred.shape={p_shape} and y_true.shape={t_shape}."
            )
        width = (p_shape[-1],)
        self.squared_sum = self.add_variable(width, name="squared_sum")
        self.sum = self.add_variable(width, name="sum")
        self.total_mse = self.add_variable(width, name="residual")
        self.count = self.add_variable(width, name="count")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p = squeeze_or_expand(as_float(y_true, "y_true"), as_float(y_pred, "y_pred"))
        if not self._built:
            self._build(t.shape, p.shape)
        elif t.ndim == 1 and p.shape == t.shape and self.sum.shape[0] == 1:
            t, p = (
                t[:, None],
                p[:, None],
            )  # built for one output: 1-D batches after it, as Keras broadcasts them
        if t.ndim != 2 or p.shape != t.shape or p.shape[1] != self.sum.shape[0]:
            raise ValueError(
                f"R2Score expects y_true and y_pred of shape (batch_size, {self.sum.shape[0]}). "
                f"Received input shapes: y_pred.shape={p.shape} and y_true.shape={t.shape}."
            )
        w = np.asarray(1.0) if sample_weight is None else as_float(sample_weight, "sample_weight")
        if w.ndim == 1:
            w = w[:, None]
        # float32 arithmetic, as Keras's: a zero-variance column's sums then cancel exactly in `result`.
        t, p, w = t.astype(np.float32), p.astype(np.float32), np.broadcast_to(w, t.shape).astype(np.float32)
        # (an overflow is inf, as in Keras, without NumPy's warning)
        with np.errstate(over="ignore", invalid="ignore"):
            self.sum.assign_add(np.sum(t * w, axis=0))
            self.squared_sum.assign_add(np.sum(t * (t * w), axis=0))  # as Keras rounds it
            self.total_mse.assign_add(np.sum(np.square(t - p) * w, axis=0))
            self.count.assign_add(np.sum(w, axis=0))
        self.num_samples.assign_add(t.size)

    def result(self) -> Tensor:
        if not self._built:
            return to_result(0.0)
        # In float32 throughout, as Keras computes it (a zero-variance column then cancels exactly to 0).
        total_sum, count = self.sum.value, self.count.value
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            total = self.squared_sum.value - total_sum * (total_sum / count)
            raw = 1.0 - self.total_mse.value / total
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score: Any = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            with np.errstate(divide="ignore", invalid="ignore"):
                score = np.sum(total * raw) / np.sum(total)
        else:
            score = raw
        n, p = float(self.num_samples.value), self.num_regressors
        if p:
            if p > n - 1:
                warnings.warn(
                    "More independent predictors than datapoints in adjusted R2 score. Falling back to "
                    "standard R2 score.",
                    stacklevel=2,
                )
            elif p == n - 1:
                warnings.warn(
                    "Division by zero in Adjusted R2 score. Falling back to standard R2 score.", stacklevel=2
                )
            else:
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return to_result(score)

    def _core_kind(self) -> str:
        aggregation = "none" if self.class_aggregation is None else self.class_aggregation
        return f"r2_score:class_aggregation={aggregation};num_regressors={self.num_regressors}"

    def _core_size(self, output_width: int) -> int:
        return PerOutput(output_width) if self.class_aggregation is None else 1

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
