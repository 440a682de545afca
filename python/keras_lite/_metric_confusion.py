"""Confusion-matrix metric objects of ``keras.metrics``: ``TruePositives``, ..., ``Precision``, ``Recall``.

A prediction is positive at threshold ``t`` iff ``y_pred > t``; a label is positive iff ``y_true != 0``.
Inputs are flattened, so a one-hot ``(n, C)`` batch counts ``C`` decisions per row. Computed in NumPy on their
own; given to ``compile``, the core counts them (``_core_kind`` is their spec there).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._errors import ArgumentTypeError, received
from ._metric_base import Metric, as_float, divide_no_nan, squeeze_or_expand, to_result
from ._tensor import Tensor

NEG_INF = -1e10


def _evenly_spaced(thresholds: list[float]) -> bool:
    """Keras's ``is_evenly_distributed_thresholds``: three or more, each close to ``i / (n - 1)``."""
    n = len(thresholds)
    even = np.arange(n, dtype=np.float32) / max(n - 1, 1)
    return n >= 3 and bool(np.allclose(thresholds, even, atol=1e-7))


def clipped(p: np.ndarray, thresholds: list[float]) -> np.ndarray:
    """Predictions as Keras compares them with ``thresholds``: clipped to [0, 1] when they are evenly spaced
    (Keras then counts them in buckets), as they are otherwise."""
    return np.clip(p, 0.0, 1.0) if _evenly_spaced(thresholds) else p


def init_thresholds(thresholds: Any, default: float) -> list[float]:
    """The thresholds as a list, each checked to be in [0, 1] (Keras's ``parse_init_thresholds``)."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    if any(t is not None and not isinstance(t, (int, float, np.number)) for t in values):  # Keras: TypeError
        raise ArgumentTypeError(
            f"Threshold values must be numbers in [0, 1]. Received: thresholds={thresholds!r}"
        )
    if not values:  # (Keras accepts none and counts nothing: an empty result)
        raise ValueError(
            f"Argument `thresholds` must hold at least one threshold. Received: thresholds={values}"
        )
    invalid = [t for t in values if t is None or isinstance(t, bool) or not 0 <= t <= 1]
    if invalid:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: thresholds={invalid}")
    return [float(t) for t in values]


def filter_top_k(y_pred: np.ndarray, k: int) -> np.ndarray:
    """``y_pred`` with all but the ``k`` largest of each row (the first ones on ties) set to -1e10."""
    if k > y_pred.shape[-1]:  # (Keras's top_k's words)
        raise ValueError(
            f"input must have last dimension >= k = {k} but is {y_pred.shape[-1]}. Received: top_k={k}, "
            f"y_pred.shape={y_pred.shape}"
        )
    order = np.argsort(-y_pred, axis=-1, kind="stable")
    keep = np.zeros(y_pred.shape, dtype=bool)
    np.put_along_axis(keep, order[..., :k], True, axis=-1)
    return np.where(keep, y_pred, NEG_INF)


def prepare(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    top_k: int | None = None,
    class_id: int | None = None,
    label_weights: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels (bool), predictions and weights, all of the predictions' shape, as Keras's confusion update."""
    t, p = as_float(y_true, "y_true"), as_float(y_pred, "y_pred")
    p, t = squeeze_or_expand(p, t)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same shape. Received: {t.shape} and {p.shape}")
    if top_k is not None:
        p = filter_top_k(p, top_k)
    w = np.ones(p.shape)
    if sample_weight is not None:
        sw = as_float(sample_weight, "sample_weight")
        if 0 < sw.ndim < p.ndim:
            sw = sw.reshape(sw.shape + (1,) * (p.ndim - sw.ndim))
        try:
            w = np.broadcast_to(sw, p.shape)
        except ValueError:
            raise ValueError(
                f"sample_weight of shape {sw.shape} does not broadcast to y_pred's shape {p.shape}"
            ) from None
    if label_weights is not None:
        w = w * np.broadcast_to(np.asarray(label_weights, dtype=np.float64), p.shape)
    if class_id is not None:
        if p.ndim < 2:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape (num_samples, num_classes), "
                f"found shape: {p.shape}"
            )
        t, p, w = t[..., class_id], p[..., class_id], w[..., class_id]
    return t != 0, p, w


def confusion(labels: np.ndarray, preds: np.ndarray, weights: np.ndarray, thresholds: Any) -> np.ndarray:
    """``(4, len(thresholds), *label_axes)`` weighted counts: TP, FP, TN, FN at each threshold.

    ``labels`` etc. are ``(n, *label_axes)``: the counts sum over the first axis.
    """
    # Compared in float32, as Keras and the core compare them: a float32 prediction equal to a threshold
    # is not above it.
    thr = np.asarray(thresholds, dtype=np.float32).reshape((-1,) + (1,) * labels.ndim)
    pos = preds.astype(np.float32)[None] > thr
    lab = labels[None]
    # The weights of the rows in each cell (a `where`, not a product: an infinite weight outside the cell
    # adds 0 there, not inf·0 = NaN, as in Keras).
    cells = [pos & lab, pos & ~lab, ~pos & ~lab, ~pos & lab]
    return np.stack([np.sum(np.where(cell, weights, 0.0), axis=1) for cell in cells])


def core_options(**options: Any) -> str:
    """``key=value;...`` for the core's metric spec; lists become comma-separated, ``None`` is left out."""
    parts = []
    for key, value in options.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, np.ndarray)):
            value = ",".join(repr(float(v)) for v in np.asarray(value, dtype=np.float64).reshape(-1))
        elif isinstance(value, bool):
            value = int(value)
        parts.append(f"{key}={value}")
    return ";".join(parts)


def _result(values: np.ndarray, n_thresholds: int) -> Tensor:
    return to_result(values[0] if n_thresholds == 1 else values)


class _ConfusionCount(Metric):
    _which = 0

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = init_thresholds(thresholds, 0.5)
        self.accumulator = self.add_variable((len(self.thresholds),), name="accumulator")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p, w = prepare(y_true, y_pred, sample_weight)
        p = clipped(p, self.thresholds)
        counts = confusion(t.reshape(-1), p.reshape(-1), w.reshape(-1), self.thresholds)
        self.accumulator.assign_add(counts[self._which])

    def result(self) -> Tensor:
        return _result(self.accumulator.value, len(self.thresholds))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}

    def _core_kind(self) -> str:
        return f"{self._kind}:{core_options(thresholds=self.thresholds)}"

    def _core_size(self, output_width: int) -> int:
        return len(self.thresholds)


class TruePositives(_ConfusionCount):
    """The weighted count of positive labels predicted positive (``y_pred > threshold``)."""

    _kind = "true_positives"
    _which, _direction = 0, "up"


class FalsePositives(_ConfusionCount):
    """The weighted count of negative labels predicted positive."""

    _kind = "false_positives"
    _which, _direction = 1, "down"


class TrueNegatives(_ConfusionCount):
    """The weighted count of negative labels predicted negative."""

    _kind = "true_negatives"
    _which, _direction = 2, "up"


class FalseNegatives(_ConfusionCount):
    """The weighted count of positive labels predicted negative."""

    _kind = "false_negatives"
    _which, _direction = 3, "down"


def _check_top_k(top_k: Any) -> int | None:
    if top_k is None:
        return None
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ValueError(f"top_k must be a positive integer. {received('top_k', top_k)}")
    return int(top_k)


class _PrecisionRecall(Metric):
    _direction = "up"
    _other = 1  # FP for precision, FN for recall
    _names = ("true_positives", "false_positives")

    def __init__(
        self,
        thresholds: Any = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = _check_top_k(top_k)
        if class_id is not None and (
            isinstance(class_id, bool) or not isinstance(class_id, (int, np.integer)) or class_id < 0
        ):
            raise ValueError(f"class_id must be a non-negative integer. {received('class_id', class_id)}")
        self.class_id = None if class_id is None else int(class_id)
        self.thresholds = init_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        shape = (len(self.thresholds),)
        self.true_positives = self.add_variable(shape, name=self._names[0])
        self._other_count = self.add_variable(shape, name=self._names[1])

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p, w = prepare(y_true, y_pred, sample_weight, self.top_k, self.class_id)
        p = clipped(p, self.thresholds)
        counts = confusion(t.reshape(-1), p.reshape(-1), w.reshape(-1), self.thresholds)
        self.true_positives.assign_add(counts[0])
        self._other_count.assign_add(counts[self._other])

    def result(self) -> Tensor:
        tp = self.true_positives.value
        return _result(divide_no_nan(tp, tp + self._other_count.value), len(self.thresholds))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }

    def _core_kind(self) -> str:
        given = None if self.init_thresholds is None else self.thresholds
        return f"{self._kind}:{core_options(thresholds=given, top_k=self.top_k, class_id=self.class_id)}"

    def _core_size(self, output_width: int) -> int:
        return len(self.thresholds)


class Precision(_PrecisionRecall):
    """``TP / (TP + FP)`` at each threshold (0 when nothing is predicted positive)."""

    _kind = "precision"

    @property
    def false_positives(self) -> Any:
        return self._other_count


class Recall(_PrecisionRecall):
    """``TP / (TP + FN)`` at each threshold (0 when there is no positive label)."""

    _kind, _other = "recall", 3
    _names = ("true_positives", "false_negatives")

    @property
    def false_negatives(self) -> Any:
        return self._other_count
