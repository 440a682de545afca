"""``keras.metrics.AUC``: the area under the ROC or precision-recall curve, from counts at fixed thresholds."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._errors import ArgumentTypeError, received
from ._metric_base import Metric, as_float, divide_no_nan, to_result
from ._metric_confusion import _evenly_spaced, confusion, core_options, prepare
from ._tensor import Tensor
from ._unsupported import NotSupportedError

EPSILON = 1e-7
_CURVES = {"roc": "ROC", "pr": "PR"}
_SUMMATIONS = ("interpolation", "minoring", "majoring")


def _choice(value: Any, arg: str, choices: dict[str, str]) -> str:
    found = choices.get(value.lower()) if isinstance(value, str) else None
    if found is None:
        raise ValueError(
            f"Invalid AUC {arg} value: {value!r}. Expected values are {sorted(set(choices.values()))}. "
            f"{received(arg, value)}"
        )
    return found


class AUC(Metric):
    """Approximate AUC: TP/FP/TN/FN at ``num_thresholds`` thresholds, then a Riemann sum of the curve.

    The thresholds are ``-1e-7``, ``(i + 1) / (num_thresholds - 1)`` for ``i < num_thresholds - 2`` and
    ``1 + 1e-7`` (or the given ``thresholds``, sorted, between those two ends); a prediction (clipped to [0, 1]
    when the thresholds are evenly spaced, as Keras's bucketed count) is positive at ``t`` iff it is above ``t``.
    The precision-recall curve's interpolation is Davis and Goadrich's. ``multi_label`` averages one AUC per
    label column (weighted by ``label_weights``).
    """

    _direction = "up"

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: Any = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if isinstance(curve, str) and curve.lower() == "prgain":
            raise NotSupportedError(
                f"keras_lite's AUC computes the ROC and PR curves only. {received('curve', curve)}"
            )
        self.curve = _choice(curve, "curve", _CURVES)
        self.summation_method = _choice(summation_method, "summation_method", {s: s for s in _SUMMATIONS})
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(float(t) for t in np.atleast_1d(np.asarray(thresholds, dtype=np.float64)))
            self.num_thresholds = len(inner) + 2
            # Keras counts clipped predictions in buckets for evenly spaced thresholds, and compares them as
            # they are with any others.
            self._clip = _evenly_spaced([0.0, *inner, 1.0])
        else:
            if (
                isinstance(num_thresholds, bool)
                or not isinstance(num_thresholds, (int, np.integer))
                or num_thresholds <= 1
            ):  # a string is Keras's TypeError (its comparison fails)
                raise (ArgumentTypeError if isinstance(num_thresholds, str) else ValueError)(
                    f"Argument `num_thresholds` must be an integer > 1. {received('num_thresholds', num_thresholds)}"
                )
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) * 1.0 / (self.num_thresholds - 1) for i in range(self.num_thresholds - 2)]
            self._clip = True
        self._thresholds = np.array([0.0 - EPSILON, *inner, 1.0 + EPSILON])
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=np.float64)
        self._from_logits = bool(from_logits)
        if num_labels and not self.multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        self._built = False
        if not self.multi_label:
            self._build(())
        elif num_labels:
            self._build((int(num_labels),))

    @property
    def thresholds(self) -> list[float]:
        return [float(t) for t in self._thresholds]

    def _build(self, label_shape: tuple[int, ...]) -> None:
        shape = (self.num_thresholds, *label_shape)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.true_negatives = self.add_variable(shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        p = as_float(y_pred, "y_pred")
        if self._from_logits:
            p = 1.0 / (1.0 + np.exp(-p))
        label_weights = None if self.multi_label else self.label_weights
        t, p, w = prepare(
            y_true, np.clip(p, 0.0, 1.0) if self._clip else p, sample_weight, label_weights=label_weights
        )
        if self.multi_label:
            if p.ndim != 2:
                raise ValueError(
                    f"A multi_label AUC needs y_pred of shape (batch, labels). Received: {p.shape}"
                )
            if not self._built:
                self._build((p.shape[1],))
            if p.shape[1] != self.true_positives.shape[1]:
                raise ValueError(
                    f"This AUC counts {self.true_positives.shape[1]} labels; received y_pred of shape {p.shape}"
                )
        else:
            t, p, w = t.reshape(-1), p.reshape(-1), w.reshape(-1)
        tp, fp, tn, fn = confusion(t, p, w, self._thresholds)
        self.true_positives.assign_add(tp)
        self.false_positives.assign_add(fp)
        self.true_negatives.assign_add(tn)
        self.false_negatives.assign_add(fn)

    def _by_label(self, terms: np.ndarray) -> Tensor:
        if not self.multi_label:
            return to_result(np.sum(terms))
        by_label = np.sum(terms, axis=0)
        if self.label_weights is None:
            return to_result(np.mean(by_label))
        return to_result(divide_no_nan(np.sum(by_label * self.label_weights), np.sum(self.label_weights)))

    def _interpolate_pr_auc(self, tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> Tensor:
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        slope = divide_no_nan(dtp, np.maximum(p[:-1] - p[1:], 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        terms = divide_no_nan(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))
        return self._by_label(terms)

    def result(self) -> Tensor:
        if not self._built:
            return to_result(0.0)
        tp, fp, tn, fn = (
            v.value.astype(np.float64)
            for v in (self.true_positives, self.false_positives, self.true_negatives, self.false_negatives)
        )
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._by_label((x[:-1] - x[1:]) * heights)

    def _core_kind(self) -> str:
        options = core_options(
            num_thresholds=None if self._init_from_thresholds else self.num_thresholds,
            thresholds=self.thresholds[1:-1] if self._init_from_thresholds else None,
            curve=self.curve,
            summation_method=self.summation_method,
            multi_label=self.multi_label,
            num_labels=self.num_labels,
            label_weights=self.label_weights,
            from_logits=self._from_logits,
        )
        return f"auc:{options}"

    def get_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
