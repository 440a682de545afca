"""Loss functions and classes, as ``keras.losses``. Values are computed in the Rust core.

Each loss is the mean over the last axis per sample, then (for the class forms) reduced over samples by the
object's ``reduction``: Keras's default ``"sum_over_batch_size"`` (the mean), or ``"sum"``, ``"mean"``,
``"mean_with_sample_weight"``, ``"none"``/``None``. ``fit`` and ``evaluate`` train with the default (or
``"mean"``, the same value) only, and ``compile`` refuses a loss object with another reduction. Results are
``Tensor`` arrays, so ``loss(y_true, y_pred).numpy()`` reads them as in Keras.

The sparse loss (``SparseCategoricalCrossentropy``) takes one integer class id per sample: ``y_true`` of shape
``(n,)`` or ``(n, 1)`` next to ``y_pred`` of shape ``(n, classes)``. ``compile(loss="crossentropy")`` (or
``"ce"``, any case) picks binary, sparse or categorical crossentropy from the targets when ``fit`` or
``evaluate`` first sees them, as Keras 3 does; ``get("crossentropy")`` refuses it, as Keras's ``get`` does.
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


def _sparse_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """(class ids as a float32 (rows, 1) matrix, predictions as (rows, classes), shape of the result)."""
    p = np.asarray(y_pred, dtype=np.float32)
    t = np.asarray(y_true, dtype=np.float32)
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

    def _values(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray | None]:
        """Per-sample losses, and the mask of the samples that count (``None``: all of them)."""
        if not self._kind:
            raise NotSupportedError(
                f"keras_lite computes its built-in losses only; a Loss subclass must define call(y_true, "
                f"y_pred) to be used on its own, and cannot train a model yet. Received: {type(self).__name__}"
            )
        t, p, lead = _pair(y_true, y_pred)
        return _core.loss_per_sample(self._spec(), t, p).reshape(lead), None

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        """Per-sample losses."""
        return np.asarray(self._values(y_true, y_pred)[0], dtype=np.float32).view(Tensor)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        """The loss reduced by ``self.reduction`` (a 0-d ``Tensor``; per-sample values for ``"none"``).

        As Keras 3: ``"sum_over_batch_size"``/``"mean"`` divide the weighted sum by the number of samples
        (zero-weight samples count), ``"sum"`` does not divide, ``"mean_with_sample_weight"`` divides by the sum
        of the weights; a ``(n, 1)`` weight is squeezed and a scalar broadcasts. Samples a loss masks (labels
        equal to ``ignore_class``) weigh 0 and leave the count, as Keras's ``apply_mask``.
        """
        if type(self).call is not Loss.call:  # a subclass with its own call(): no mask
            values, mask = np.asarray(self.call(y_true, y_pred), dtype=np.float32), None
        else:
            values, mask = self._values(y_true, y_pred)
            values = np.asarray(values, dtype=np.float32)
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
        if mask is not None:
            float_mask = mask.astype(np.float32)
            if self.reduction in ("sum_over_batch_size", "mean"):
                valid = float(mask.sum())
                float_mask = float_mask * (mask.size / valid if valid else 0.0)
            weights = float_mask if weights is None else weights * float_mask
        if weights is not None:
            values = values * weights
        if self.reduction in (None, "none"):
            return np.asarray(values, dtype=np.float32).view(Tensor)
        total = values.sum(dtype=np.float64)
        if self.reduction == "sum":
            result = total
        elif self.reduction == "mean_with_sample_weight" and weights is not None:
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
        self.axis = axis

    def _params(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class CategoricalCrossentropy(Loss):
    """Crossentropy between one-hot (or probability) targets and predicted class probabilities.

    ``-sum(y_true * log(y_pred))`` over the last axis, the predictions first scaled to sum to 1 and clipped to
    ``[1e-7, 1 - 1e-7]``; ``from_logits`` applies a softmax instead, and ``label_smoothing`` mixes the targets
    with the uniform distribution. When the model's last layer is a softmax, training and evaluation compute it
    from that layer's logits, as Keras on TensorFlow does.
    """

    _kind = "categorical_crossentropy"

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(name, reduction, dtype)
        _last_axis(axis)
        if not 0.0 <= real_number("label_smoothing", label_smoothing) <= 1.0:
            raise ValueError(
                f"label_smoothing must be in [0, 1]. {received('label_smoothing', label_smoothing)}"
            )
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis

    def _params(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class SparseCategoricalCrossentropy(Loss):
    """Categorical crossentropy with the targets as integer class ids, one per sample.

    ``y_true`` has shape ``(n,)`` or ``(n, 1)`` and holds whole numbers in ``[0, classes)``. ``ignore_class``
    (a class id whose samples count for nothing) is honoured when the loss is called on its own; ``fit`` and
    ``evaluate`` do not support it yet.
    """

    _kind = "sparse_categorical_crossentropy"

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: str | None = "sum_over_batch_size",
        axis: int = -1,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(name, reduction, dtype)
        _last_axis(axis)
        if ignore_class is not None and (
            isinstance(ignore_class, bool) or not isinstance(ignore_class, (int, np.integer))
        ):
            raise ValueError(
                f"ignore_class must be an integer or None. {received('ignore_class', ignore_class)}"
            )
        self.from_logits = bool(from_logits)
        self.ignore_class = None if ignore_class is None else int(ignore_class)
        self.axis = axis

    def _params(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits}

    def _values(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray | None]:
        t, p, lead = _sparse_pair(y_true, y_pred)
        if self.ignore_class is None:
            return _core.loss_per_sample(self._spec(), t, p).reshape(lead), None
        valid = t[:, 0] != self.ignore_class
        # Keras computes the ignored samples with class 0 and then zeroes them; they weigh 0 in the reduction.
        values = _core.loss_per_sample(self._spec(), np.where(valid[:, None], t, np.float32(0)), p)
        return np.where(valid, values, np.float32(0)).reshape(lead), valid.reshape(lead)

    def get_config(self) -> dict[str, Any]:
        # As Keras 3.15 writes it: no axis.
        return {
            "name": self.name,
            "reduction": self.reduction,
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
        }


def _last_axis(axis: Any) -> None:
    if isinstance(axis, bool) or axis != -1:
        raise ValueError(f"keras_lite computes losses over the last axis only. {received('axis', axis)}")


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


class MeanSquaredLogarithmicError(Loss):
    """``mean((log(max(y_pred, 1e-7) + 1) - log(max(y_true, 1e-7) + 1))**2, axis=-1)``."""

    _kind = "mean_squared_logarithmic_error"

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "mean_squared_logarithmic_error",
        dtype: Any = None,
    ) -> None:
        super().__init__(name, reduction, dtype)


class LogCosh(Loss):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``."""

    _kind = "log_cosh"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "log_cosh", dtype: Any = None
    ) -> None:
        super().__init__(name, reduction, dtype)


class Poisson(Loss):
    """``mean(y_pred - y_true * log(y_pred + 1e-7), axis=-1)``."""

    _kind = "poisson"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "poisson", dtype: Any = None
    ) -> None:
        super().__init__(name, reduction, dtype)


class KLDivergence(Loss):
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to ``[1e-7, 1]``."""

    _kind = "kl_divergence"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "kl_divergence", dtype: Any = None
    ) -> None:
        super().__init__(name, reduction, dtype)


class Hinge(Loss):
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``; 0/1 targets are read as -1/1."""

    _kind = "hinge"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "hinge", dtype: Any = None
    ) -> None:
        super().__init__(name, reduction, dtype)


class SquaredHinge(Loss):
    """``mean(max(1 - y_true * y_pred, 0)**2, axis=-1)``; 0/1 targets are read as -1/1."""

    _kind = "squared_hinge"

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "squared_hinge", dtype: Any = None
    ) -> None:
        super().__init__(name, reduction, dtype)


class CategoricalHinge(Loss):
    """``max(0, max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1)`` per sample."""

    _kind = "categorical_hinge"

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "categorical_hinge",
        dtype: Any = None,
    ) -> None:
        super().__init__(name, reduction, dtype)


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


def categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> Tensor:
    """Per-sample categorical crossentropy (one-hot or probability targets)."""
    return CategoricalCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing, axis=axis).call(
        y_true, y_pred
    )


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, ignore_class: int | None = None, axis: int = -1
) -> Tensor:
    """Per-sample categorical crossentropy for integer class ids (0 where ``y_true == ignore_class``)."""
    return SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=ignore_class, axis=axis).call(
        y_true, y_pred
    )


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    """Per-sample mean absolute percentage error."""
    return MeanAbsolutePercentageError().call(y_true, y_pred)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    """Per-sample mean squared logarithmic error."""
    return MeanSquaredLogarithmicError().call(y_true, y_pred)


def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    """Per-sample logarithm of the hyperbolic cosine of the error."""
    return LogCosh().call(y_true, y_pred)


def poisson(y_true: Any, y_pred: Any) -> Tensor:
    """Per-sample Poisson loss."""
    return Poisson().call(y_true, y_pred)


def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    """Per-sample Kullback-Leibler divergence."""
    return KLDivergence().call(y_true, y_pred)


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Per-sample hinge loss."""
    return Hinge().call(y_true, y_pred)


def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Per-sample squared hinge loss."""
    return SquaredHinge().call(y_true, y_pred)


def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Per-sample categorical hinge loss."""
    return CategoricalHinge().call(y_true, y_pred)


mae = MAE = mean_absolute_error
mse = MSE = mean_squared_error
bce = BCE = binary_crossentropy

_ALL: list[tuple[type[Loss], Any]] = [
    (MeanAbsoluteError, mean_absolute_error),
    (MeanSquaredError, mean_squared_error),
    (Huber, huber),
    (BinaryCrossentropy, binary_crossentropy),
    (CategoricalCrossentropy, categorical_crossentropy),
    (SparseCategoricalCrossentropy, sparse_categorical_crossentropy),
    (MeanAbsolutePercentageError, mean_absolute_percentage_error),
    (MeanSquaredLogarithmicError, mean_squared_logarithmic_error),
    (LogCosh, log_cosh),
    (Poisson, poisson),
    (KLDivergence, kl_divergence),
    (Hinge, hinge),
    (SquaredHinge, squared_hinge),
    (CategoricalHinge, categorical_hinge),
]
# Keras 3.15's keras.losses.get: class names, function names and these aliases, matched exactly.
_CLASSES: dict[str, type[Loss]] = {cls.__name__: cls for cls, _ in _ALL}
_FUNCTIONS: dict[str, type[Loss]] = {
    **{fn.__name__: cls for cls, fn in _ALL},
    "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError,
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "bce": BinaryCrossentropy,
    "BCE": BinaryCrossentropy,
    "mape": MeanAbsolutePercentageError,
    "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError,
    "MSLE": MeanSquaredLogarithmicError,
    "kld": KLDivergence,
    "KLD": KLDivergence,
}
_FN_OBJECTS = {fn: cls for cls, fn in _ALL}
# compile(loss=...) strings that pick a crossentropy from the targets (any case), as Keras 3's get_loss.
AUTO_CROSSENTROPY = ("crossentropy", "ce")


class _AutoCrossentropy(Loss):
    """``compile(loss="crossentropy")``: binary, sparse or categorical crossentropy, chosen from the targets.

    As Keras 3's ``compile_utils.get_loss``: binary when the model has one output; sparse when the targets have
    one column (or rank 1) and the model several outputs; categorical otherwise. ``choose`` makes the choice;
    until ``fit`` or ``evaluate`` has seen targets it is categorical (binary for one output).
    """

    def __init__(self, identifier: str) -> None:
        super().__init__(identifier)
        self.identifier = identifier

    def choose(self, output_width: int, target_width: int | None) -> Loss:
        if output_width == 1:
            return BinaryCrossentropy()
        if target_width == 1:
            return SparseCategoricalCrossentropy()
        return CategoricalCrossentropy()

    def __repr__(self) -> str:
        return f"<crossentropy chosen from the targets: {self.identifier!r}>"


def _concrete(loss: Loss, output_width: int, target_width: int | None) -> Loss:
    """The loss the core computes: ``loss``, or the crossentropy ``"crossentropy"`` stands for."""
    if isinstance(loss, _AutoCrossentropy):
        return loss.choose(output_width, target_width)
    return loss


def is_sparse(loss: Loss) -> bool:
    """Whether ``loss`` takes its targets as one class id per sample."""
    return loss._kind == "sparse_categorical_crossentropy"


def get(identifier: Any) -> Loss:
    """Resolve a loss given as a name, a class name, a function of this module or a ``Loss`` instance."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = _FUNCTIONS.get(identifier) or _CLASSES.get(identifier)
        if cls is not None:
            return cls()
        if identifier.lower() in AUTO_CROSSENTROPY:
            raise ValueError(
                f"Could not interpret loss identifier: {identifier!r}. As in Keras, only compile(loss="
                f"{identifier!r}) picks a crossentropy from the targets. Supported: {_supported()}"
            )
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
    if isinstance(identifier, str) and identifier.lower() in AUTO_CROSSENTROPY:
        return _AutoCrossentropy(identifier)
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
    if isinstance(loss, SparseCategoricalCrossentropy) and loss.ignore_class is not None:
        raise NotSupportedError(
            "keras_lite's fit and evaluate do not support ignore_class yet (calling the loss on its own honours "
            f"it). Received: loss={loss!r} with ignore_class={loss.ignore_class!r}"
        )
    return loss


def _supported() -> str:
    return ", ".join(sorted(set(_FUNCTIONS) | set(_CLASSES)))
