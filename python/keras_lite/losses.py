"""Loss functions and classes, as ``keras.losses``. Values are computed in the Rust core.

Each loss is the mean over the last axis per sample, then (for the class forms) reduced over samples by the
object's ``reduction``: Keras's default ``"sum_over_batch_size"`` (the mean), or ``"sum"``, ``"mean"``,
``"mean_with_sample_weight"``, ``"none"``/``None``. ``fit`` and ``evaluate`` train with the default (or
``"mean"``, the same value) only, and ``compile`` refuses a loss object with another reduction. Results are
``Tensor`` arrays, so ``loss(y_true, y_pred).numpy()`` reads them as in Keras.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._errors import real_number, received
from ._tensor import Tensor
from ._unsupported import NotSupportedError, unsupported_identifier

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)
# The reductions fit and evaluate compute (a mean over the batch); "mean" equals the default for losses
# without sample weights, which keras_lite's fit does not take.
TRAINING_REDUCTIONS = ("sum_over_batch_size", "mean")


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """(targets, predictions) as float32 (rows, last axis) matrices, and the shape of the per-sample result."""
    t = np.asarray(y_true, dtype=np.float32)
    p = np.asarray(y_pred, dtype=np.float32)
    # Keras's squeeze_or_expand_to_same_rank: a rank-1 side next to a (n, 1) side is expanded.
    if t.ndim == p.ndim - 1 and p.shape[-1] == 1:
        t = t[..., None]
    elif p.ndim == t.ndim - 1 and t.shape[-1] == 1:
        p = p[..., None]
    if t.ndim == 0:
        t, p = t.reshape(1), p.reshape(1)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have compatible shapes. Received: {t.shape} and {p.shape}")
    lead = t.shape[:-1]
    t2 = np.ascontiguousarray(t.reshape(-1, t.shape[-1]))
    p2 = np.ascontiguousarray(p.reshape(-1, p.shape[-1]))
    return t2, p2, lead


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
            raise ValueError(f"keras_lite computes losses in float32. {received('dtype', dtype)}")
        self.name = name or _DEFAULT_NAMES.get(self._kind) or _snake(type(self).__name__)
        self.reduction = reduction

    def _params(self) -> dict[str, Any]:
        return {}

    def _spec(self) -> dict[str, Any]:
        """The loss as the core reads it: its kind and its parameters."""
        return {"kind": self._kind, **self._params()}

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        """Per-sample losses."""
        if not self._kind:
            raise NotSupportedError(
                f"keras_lite computes its built-in losses only; a Loss subclass must define call(y_true, "
                f"y_pred) to be used on its own, and cannot train a model yet. Received: {type(self).__name__}"
            )
        t, p, lead = _pair(y_true, y_pred)
        return _core.loss_per_sample(self._spec(), t, p).reshape(lead).view(Tensor)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        """The loss reduced by ``self.reduction`` (a 0-d ``Tensor``; per-sample values for ``"none"``)."""
        values = np.asarray(self.call(y_true, y_pred), dtype=np.float32)
        weights = None
        if sample_weight is not None:
            sw = np.asarray(sample_weight, dtype=np.float32)
            if sw.ndim > values.ndim and sw.shape[-1] == 1:
                sw = sw[..., 0]
            try:
                weights = np.broadcast_to(sw, values.shape)
            except ValueError:
                raise ValueError(
                    f"sample_weight must be a scalar or match the per-sample losses' shape {values.shape}. "
                    f"Received: sample_weight with shape {sw.shape}"
                ) from None
            values = values * weights
        if self.reduction in (None, "none"):
            return values.view(Tensor)
        total = values.sum(dtype=np.float64)
        if self.reduction == "sum":
            result = total
        elif self.reduction == "mean_with_sample_weight" and weights is not None:
            divisor = weights.sum(dtype=np.float64)
            result = total / divisor if divisor else 0.0  # Keras's divide_no_nan
        else:  # sum_over_batch_size and mean: divided by the count, not by the weights
            result = total / max(values.size, 1)
        return np.asarray(result, dtype=np.float32).view(Tensor)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction, **self._params()}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class MeanAbsoluteError(Loss):
    """``mean(|y_true - y_pred|, axis=-1)``."""

    _kind = "mae"

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "mean_absolute_error",
        dtype: Any = None,
    ) -> None:
        super().__init__(name, reduction, dtype)


class MeanSquaredError(Loss):
    """``mean((y_true - y_pred)**2, axis=-1)``."""

    _kind = "mse"

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "mean_squared_error",
        dtype: Any = None,
    ) -> None:
        super().__init__(name, reduction, dtype)


class Huber(Loss):
    """``0.5 e**2`` where ``|e| <= delta``, else ``delta |e| - 0.5 delta**2``; mean over the last axis."""

    _kind = "huber"

    def __init__(
        self,
        delta: float = 1.0,
        reduction: str | None = "sum_over_batch_size",
        name: str = "huber_loss",
        dtype: Any = None,
    ) -> None:
        super().__init__(name, reduction, dtype)
        if not real_number("delta", delta) > 0:
            raise ValueError(f"delta must be positive. {received('delta', delta)}")
        self.delta = float(delta)

    def _params(self) -> dict[str, Any]:
        return {"delta": self.delta}


class BinaryCrossentropy(Loss):
    """Binary crossentropy; probabilities are clipped to ``[1e-7, 1 - 1e-7]`` unless ``from_logits``.

    When the model's last layer is a sigmoid, training and evaluation compute it from that layer's logits, as
    Keras on TensorFlow does.
    """

    _kind = "binary_crossentropy"

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "binary_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(name, reduction, dtype)
        if axis != -1:
            raise ValueError(f"keras_lite computes losses over the last axis only. {received('axis', axis)}")
        if not 0.0 <= real_number("label_smoothing", label_smoothing) <= 1.0:
            raise ValueError(
                f"label_smoothing must be in [0, 1]. {received('label_smoothing', label_smoothing)}"
            )
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)

    def _params(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


_DEFAULT_NAMES = {
    "mae": "mean_absolute_error",
    "mse": "mean_squared_error",
    "huber": "huber_loss",
    "binary_crossentropy": "binary_crossentropy",
}


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """Per-sample mean absolute error."""
    return MeanAbsoluteError().call(y_true, y_pred)


def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """Per-sample mean squared error."""
    return MeanSquaredError().call(y_true, y_pred)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """Per-sample Huber loss."""
    return Huber(delta=delta).call(y_true, y_pred)


def binary_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> Tensor:
    """Per-sample binary crossentropy."""
    return BinaryCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing, axis=axis).call(
        y_true, y_pred
    )


mae = MAE = mean_absolute_error
mse = MSE = mean_squared_error
bce = BCE = binary_crossentropy

_CLASSES: dict[str, type[Loss]] = {
    "MeanAbsoluteError": MeanAbsoluteError,
    "MeanSquaredError": MeanSquaredError,
    "Huber": Huber,
    "BinaryCrossentropy": BinaryCrossentropy,
}
_FUNCTIONS: dict[str, type[Loss]] = {
    "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "huber": Huber,
    "huber_loss": Huber,
    "bce": BinaryCrossentropy,
    "BCE": BinaryCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
}
_FN_OBJECTS = {
    mean_absolute_error: MeanAbsoluteError,
    mean_squared_error: MeanSquaredError,
    huber: Huber,
    binary_crossentropy: BinaryCrossentropy,
}


def get(identifier: Any) -> Loss:
    """Resolve a loss given as a name, a class name, a function of this module or a ``Loss`` instance."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = _FUNCTIONS.get(identifier) or _CLASSES.get(identifier)
        if cls is not None:
            return cls()
    elif isinstance(identifier, type) and issubclass(identifier, Loss) and identifier is not Loss:
        return identifier()
    elif callable(identifier) and identifier in _FN_OBJECTS:
        return _FN_OBJECTS[identifier]()
    unsupported_identifier("losses", "loss", identifier, [_supported()])
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}. Supported: {_supported()}")


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def _for_training(identifier: Any) -> Loss:
    """The loss ``compile`` trains with: ``get(identifier)``, refused when ``fit`` could not honour it.

    ``fit`` and ``evaluate`` compute the built-in losses in the core and reduce them over each batch with
    Keras's default reduction; another reduction, or a ``Loss`` subclass with its own ``call``, would be
    accepted and silently ignored, so it is refused here.
    """
    loss = get(identifier)
    if type(loss).call is not Loss.call or not loss._kind:
        raise NotSupportedError(
            "keras_lite trains with its built-in losses only; a Loss subclass with its own call() is not "
            f"supported yet. Supported: {_supported()}. Received: loss={loss!r}"
        )
    if loss.reduction not in TRAINING_REDUCTIONS:
        raise NotSupportedError(
            "keras_lite's fit and evaluate reduce the loss over each batch with Keras's default reduction, "
            f"'sum_over_batch_size' (the mean); training with another reduction is not supported yet (calling "
            f"the loss object on its own honours it). Use {type(loss).__name__}() for training. "
            f"Received: loss={loss!r} with reduction={loss.reduction!r}"
        )
    return loss


def _supported() -> str:
    return ", ".join(sorted(set(_FUNCTIONS) | set(_CLASSES)))
