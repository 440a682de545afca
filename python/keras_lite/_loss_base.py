"""The ``Loss`` base class of ``keras.losses``: the core's per-sample values, reduced as Keras 3 reduces them."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _core
from ._errors import received
from ._metric_base import squeeze_or_expand
from ._tensor import Tensor
from ._unsupported import NotSupportedError
from .layers._layer import _auto_name, to_snake_case

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def _floats(value: Any, arg: str) -> np.ndarray:
    """``value`` as float32; None is Keras's ValueError (it makes no tensor of it), not a NaN loss."""
    if value is None:
        raise ValueError(f"`{arg}` must be an array of numbers. {received(arg, value)}")
    return np.asarray(value, dtype=np.float32)


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """(targets, predictions) as float32 (rows, last axis) matrices, and the shape of the per-sample result."""
    t, p = _floats(y_true, "y_true"), _floats(y_pred, "y_pred")
    t, p = squeeze_or_expand(t, p)  # (n, k) next to (n, k, 1): a loss over the k columns
    if t.ndim == 0:
        t, p = t.reshape(1), p.reshape(1)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have compatible shapes. Received: {t.shape} and {p.shape}")
    lead = t.shape[:-1]
    rows = math.prod(lead)  # (not -1: an empty last axis leaves it undetermined)
    t2 = np.ascontiguousarray(t.reshape(rows, t.shape[-1]))
    p2 = np.ascontiguousarray(p.reshape(rows, p.shape[-1]))
    return t2, p2, lead


def _sparse_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """(class ids as a float32 (rows, 1) matrix, predictions as (rows, classes), shape of the result)."""
    p, t = _floats(y_pred, "y_pred"), _floats(y_true, "y_true")
    if p.ndim < 1:
        raise ValueError(f"Argument `output` must be at least rank 1. Received: output.shape={p.shape}")
    if t.ndim == p.ndim and t.ndim and t.shape[-1] == 1:
        t = t[..., 0]  # (n, 1) class ids, as Keras squeezes them
    if t.shape != p.shape[:-1]:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until the last dimension: a sparse "
            "loss takes one class id per sample (for one-hot targets use categorical_crossentropy). "
            f"Received: target.shape={t.shape}, output.shape={p.shape}"
        )
    lead = t.shape
    return np.ascontiguousarray(t.reshape(-1, 1)), np.ascontiguousarray(p.reshape(-1, p.shape[-1])), lead


# The losses that sum over a sample's features (the others take their mean).
_SUMMED = ("kl_divergence", "categorical_crossentropy", "categorical_focal_crossentropy", "cosine_similarity")


class Loss:
    """Base class: ``loss(y_true, y_pred)`` returns the mean per-sample loss as a float32 scalar."""

    _kind = ""

    def __init__(
        self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype: Any = None
    ) -> None:
        if not (reduction is None or (isinstance(reduction, str) and reduction in REDUCTIONS)):
            raise ValueError(
                f"Invalid value for argument `reduction`. Expected one of {REDUCTIONS}. "
                f"{received('reduction', reduction)}"
            )
        if dtype not in (None, "float32", np.float32):
            raise NotSupportedError(f"keras_lite computes losses in float32. {received('dtype', dtype)}")
        # Keras's auto name: the class's in snake case, numbered after the first (``my_mse_loss_1``).
        self.name = name or _DEFAULT_NAMES.get(self._kind) or _auto_name(to_snake_case(type(self).__name__))
        self.reduction = reduction

    @property
    def dtype(self) -> str:
        """The dtype the loss computes in: ``"float32"``, the only one keras_lite takes."""
        return "float32"

    def _params(self) -> dict[str, Any]:
        return {}

    def _spec(self) -> dict[str, Any]:
        """The loss as the core reads it: its kind, its reduction (``"none"`` for ``None``) and its parameters."""
        reduction = "none" if self.reduction is None else self.reduction
        return {"kind": self._kind, "reduction": reduction, **self._params()}

    def _values(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray | None]:
        """Per-sample losses, and the mask of the samples that count (``None``: all of them)."""
        if not self._kind:
            raise NotSupportedError(
                f"keras_lite computes its built-in losses only; a Loss subclass must define call(y_true, "
                f"y_pred) to be used on its own, and cannot train a model yet. Received: {type(self).__name__}"
            )
        _axis_fits(getattr(self, "axis", -1), y_pred)
        t, p, lead = _pair(y_true, y_pred)
        if t.shape[1] == 0:  # samples without features: Keras's mean over them is NaN, its sum 0
            return np.full(lead, 0.0 if self._kind in _SUMMED else np.nan, np.float32), None
        return _core.loss_per_sample(self._spec(), t, p).reshape(lead), None

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        """Per-sample losses."""
        return np.asarray(self._values(y_true, y_pred)[0], dtype=np.float32).view(Tensor)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        """The loss reduced by ``self.reduction`` (a 0-d ``Tensor``; per-sample values for ``"none"``).

        As Keras 3 (``reduce_weighted_values``): ``"sum_over_batch_size"``/``"mean"`` divide the weighted sum by
        the number of samples (zero-weight samples count), ``"sum"`` does not divide, ``"mean_with_sample_weight"``
        divides by the sum of the weights as given; the weight's and the losses' ranks are matched as Keras
        matches them (``squeeze_or_expand_to_same_rank``). Samples a loss masks (labels equal to
        ``ignore_class``) weigh 0 and leave the count, as Keras's ``apply_mask``.
        """
        if type(self).call is not Loss.call:  # a subclass with its own call(): no mask
            values, mask = np.asarray(self.call(y_true, y_pred), dtype=np.float32), None
        else:
            values, mask = self._values(y_true, y_pred)
            values = np.asarray(values, dtype=np.float32)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float32)
        if mask is not None:
            float_mask = mask.astype(np.float32)
            if self.reduction in ("sum_over_batch_size", "mean"):
                valid = float(mask.sum())
                float_mask = float_mask * (mask.size / valid if valid else 0.0)
            if weights is None:
                weights = float_mask
            else:
                float_mask, weights = squeeze_or_expand(float_mask, weights)
                weights = _weighted(weights, float_mask)
        if weights is not None:
            # Keras's ranks: a (n, 1) weight makes (n, 1) losses, and one sample's loss is squeezed to a
            # scalar by a scalar weight, which then no reduction touches.
            values, weights = squeeze_or_expand(values, weights)
            values = _weighted(values, weights)
        if self.reduction in (None, "none") or values.shape in ((), (0,)):
            return np.asarray(values, dtype=np.float32).view(Tensor)
        total = values.sum(dtype=np.float64)
        if self.reduction == "sum":
            result = total
        elif self.reduction == "mean_with_sample_weight" and weights is not None:
            # The sum of the weights as given: a scalar weight divides once (Keras's reduce_values).
            divisor = weights.sum(dtype=np.float64)
            result = total / divisor if divisor else 0.0  # Keras's divide_no_nan
        else:  # sum_over_batch_size and mean: divided by the count, not by the weights
            result = total / max(values.size, 1)
        return np.asarray(result, dtype=np.float32).view(Tensor)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """The loss ``get_config`` describes."""
        return cls(**config)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction, **self._params()}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


_DEFAULT_NAMES = {
    "mae": "mean_absolute_error",
    "mse": "mean_squared_error",
    "huber": "huber_loss",
    "binary_crossentropy": "binary_crossentropy",
}


def _last_axis(axis: Any, what: str = "losses") -> None:
    """Refuse an ``axis`` other than the features': -1, or 1, the last axis of the (samples, features) data
    keras_lite's models compute on (a call on data of another rank is checked by ``_axis_fits``)."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"`axis` must be an integer. {received('axis', axis)}")
    if axis not in (-1, 1):
        raise NotSupportedError(
            f"keras_lite computes {what} over the last axis only: axis=-1, or 1 for (samples, features) data. "
            f"{received('axis', axis)}"
        )


def _axis_fits(axis: Any, y_pred: Any) -> None:
    """Refuse ``axis=1`` for predictions of a rank other than 2, where it is not their last axis."""
    if axis == 1 and np.ndim(y_pred) != 2:
        raise NotSupportedError(
            "keras_lite computes over the last axis only, and axis=1 is the last axis of 2-D data only. "
            f"Received: axis=1 and y_pred of shape {np.shape(y_pred)}"
        )


def _weighted(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``values * weights``, broadcast; a weight that cannot broadcast is a ValueError naming both shapes."""
    try:
        return values * weights
    except ValueError:
        raise ValueError(
            f"sample_weight must be a scalar or match the per-sample losses' shape {values.shape}. "
            f"Received: sample_weight with shape {weights.shape}"
        ) from None
