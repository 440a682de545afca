"""Loss functions and classes, as ``keras.losses``. Values are computed in the Rust core (on its own, the MAPE
loss in NumPy, in Keras's order: see ``_loss_percentage``).

Each loss is the mean over the last axis per sample, then (for the class forms) reduced over samples by the
object's ``reduction``: Keras's default ``"sum_over_batch_size"`` (the mean), or ``"sum"``, ``"mean"``,
``"mean_with_sample_weight"``, ``"none"``/``None``; ``fit`` and ``evaluate`` reduce each batch the same way
(with ``None``, training minimizes the batch's sum and the reported loss is the mean per sample). Results are
``Tensor`` arrays, so ``loss(y_true, y_pred).numpy()`` reads them as in Keras.

The sparse loss (``SparseCategoricalCrossentropy``) takes one integer class id per sample: ``y_true`` of shape
``(n,)`` or ``(n, 1)`` next to ``y_pred`` of shape ``(n, classes)``. ``compile(loss="crossentropy")`` (or
``"ce"``, any case) picks binary, sparse or categorical crossentropy from the targets when ``fit`` or
``evaluate`` first sees them, as Keras 3 does; ``get("crossentropy")`` refuses it, as Keras's ``get`` does.
"""

from __future__ import annotations

from typing import Any

from . import _custom
from ._crossentropy import BinaryCrossentropy as BinaryCrossentropy
from ._crossentropy import CategoricalCrossentropy as CategoricalCrossentropy
from ._crossentropy import SparseCategoricalCrossentropy as SparseCategoricalCrossentropy
from ._errors import real_number, received
from ._loss_base import REDUCTIONS as REDUCTIONS
from ._loss_base import Loss as Loss
from ._loss_cosine import CosineSimilarity, cosine_similarity
from ._loss_focal import (
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
)
from ._loss_hinge import Hinge, SquaredHinge
from ._loss_percentage import MeanAbsolutePercentageError
from ._tensor import Tensor
from ._unsupported import NotSupportedError, unsupported_identifier

# The classes defined beside this module are keras_lite.losses's (their repr, pickling, documentation).
_OWN = (
    Loss,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    CosineSimilarity,
    Hinge,
    SquaredHinge,
    MeanAbsolutePercentageError,
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
)
for _cls in _OWN:
    _cls.__module__ = __name__
del _cls, _OWN


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
    (CosineSimilarity, cosine_similarity),
    (BinaryFocalCrossentropy, binary_focal_crossentropy),
    (CategoricalFocalCrossentropy, categorical_focal_crossentropy),
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
_FUNCTION_OF = {cls: fn for cls, fn in _ALL}
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


def serialize(loss: Any) -> Any:
    """A loss as Keras 3's ``losses.serialize`` writes it (a function as a plain function; a name as it is)."""
    if isinstance(loss, str):
        return loss
    if isinstance(loss, type) and issubclass(loss, Loss):
        loss = loss()
    if isinstance(loss, Loss):
        return _custom.entry(type(loss), "keras.losses", loss.get_config())
    if callable(loss) and loss in _FN_OBJECTS:
        return _custom.function_entry(loss)
    raise ValueError(f"Cannot serialize {loss!r}: keras_lite serializes its built-in losses only.")


def deserialize(name: Any, custom_objects: Any = None) -> Any:
    """The loss (or loss function) ``serialize`` describes, or a name names, as ``get`` resolves it. The
    argument is ``name``, as in Keras, whatever form it takes."""
    if isinstance(name, dict) and name.get("class_name") == "function":
        name = name.get("config")
    if not isinstance(name, (str, dict)):
        raise ValueError(f"Could not interpret loss config. {received('name', name)}")
    return get(name)


def get(identifier: Any) -> Any:
    """``keras.losses.get``: a ``Loss`` for a class name, a ``Loss`` class or instance, or a serialized loss (a
    dict with ``class_name`` and ``config``); the function itself for a function name, an alias (``"mse"``) or
    a function of this module (it gives each sample's loss); None for None."""
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier in _FUNCTIONS:
        return _FUNCTION_OF[_FUNCTIONS[identifier]]
    if callable(identifier) and not isinstance(identifier, type) and identifier in _FN_OBJECTS:
        return identifier
    if isinstance(identifier, dict) and str(identifier.get("class_name")) in _CLASSES:
        config = identifier.get("config", {})
        if not isinstance(config, dict):
            raise ValueError(
                f"A serialized loss's config must be a dict. {received('identifier', identifier)}"
            )
        return _CLASSES[identifier["class_name"]].from_config(config)
    return _loss(identifier)


def _loss(identifier: Any) -> Loss:
    """A ``Loss`` for a name, a class name, a function of this module or a ``Loss`` (compile's losses)."""
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


def _for_training(identifier: Any) -> Loss:
    """The loss ``compile`` trains with: ``get(identifier)``, refused when ``fit`` could not honour it.

    ``fit`` and ``evaluate`` compute the built-in losses in the core, reduced over each batch by the loss's
    ``reduction`` and masked by its ``ignore_class``; a ``Loss`` subclass with its own ``call`` would be
    accepted and silently ignored, so it is refused here.
    """
    if isinstance(identifier, str) and identifier.lower() in AUTO_CROSSENTROPY:
        return _AutoCrossentropy(identifier)
    loss = _loss(identifier)
    if type(loss).call is not Loss.call or not loss._kind:
        raise NotSupportedError(
            "keras_lite trains with its built-in losses only; a Loss subclass with its own call() is not "
            f"supported yet. Supported: {_supported()}. Received: loss={loss!r}"
        )
    return loss


def _supported() -> str:
    return ", ".join(sorted(set(_FUNCTIONS) | set(_CLASSES)))


# Every class and function of _ALL, and the aliases Keras exports beside them.
__all__ = sorted(
    [name for cls, fn in _ALL for name in (cls.__name__, fn.__name__)]
    + ["BCE", "Loss", "MAE", "MSE", "bce", "deserialize", "get", "mae", "mse", "serialize"]
)
