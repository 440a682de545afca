"""Metrics, as ``keras.metrics``: stateful metric objects, and the metrics ``fit``/``evaluate`` compute in the core.

Every metric object works on its own, in NumPy: ``update_state(y_true, y_pred, sample_weight=None)``,
``result()``, ``reset_state()``, and calling it updates then returns the result. Given to
``compile(metrics=[...])`` or ``weighted_metrics=[...]``, every metric below is computed in the Rust core, on
both devices: the mean-type ones (errors, accuracies, top-k) as weighted means, the confusion-matrix ones
(``AUC``, ``Precision``, ``Recall``, ``TruePositives``, ...) and ``R2Score`` from counts and sums over the
epoch (so an epoch's AUC is the AUC of all its rows, not a mean of batch AUCs), ``F1Score`` and ``FBetaScore``
from per-class counts over the epoch, ``PrecisionAtRecall`` and its kin from the counts at their thresholds, and the loss metrics
(crossentropies, hinges, ``KLDivergence``, ``Poisson``, ``MeanSquaredLogarithmicError``, ``LogCoshError``) as
the mean of the loss's per-sample values: a crossentropy reads the logits of a final sigmoid or softmax, as
Keras on TensorFlow does whatever the loss is. Keras's metric functions (``binary_accuracy``, the top-k accuracies,
the loss functions) compile too; ``Mean``, ``Sum`` and ``MeanMetricWrapper`` work on their own only.

A metric given as a string keeps that string as its name, so history keys are ``mae``, ``val_mae``, ...
``"accuracy"``/``"acc"`` (any case) is binary accuracy for a one-unit output, sparse categorical accuracy when
the targets are class ids (a sparse loss, or ``compile(loss="crossentropy")`` given one column of labels), and
categorical accuracy otherwise, as Keras 3 chooses. The sparse metrics need a sparse loss and the others a loss
whose targets are rows like the predictions: the core reads the targets one way per model.
"""

from __future__ import annotations

import math
import numbers
import types
from typing import Any

import numpy as np

from . import _metric_fns as fns
from ._errors import received
from ._metric_at import CLASSES as _AT_CLASSES
from ._metric_at import (
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)
from ._metric_auc import AUC
from ._metric_base import Mean, MeanMetricWrapper, Metric, Sum, to_snake_case
from ._metric_confusion import FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives
from ._metric_fbeta import F1Score, FBetaScore
from ._metric_losses import CLASSES as _LOSS_CLASSES
from ._metric_losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from ._metric_regression import R2Score, RootMeanSquaredError
from ._tensor import Tensor
from ._unsupported import NotSupportedError, unsupported_identifier
from .losses import (
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)

__all__ = [
    "AUC",
    "Accuracy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "CosineSimilarity",
    "F1Score",
    "FBetaScore",
    "FalseNegatives",
    "FalsePositives",
    "Hinge",
    "KLDivergence",
    "LogCoshError",
    "Mean",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Metric",
    "Poisson",
    "Precision",
    "PrecisionAtRecall",
    "R2Score",
    "Recall",
    "RecallAtPrecision",
    "RootMeanSquaredError",
    "SensitivityAtSpecificity",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SpecificityAtSensitivity",
    "SquaredHinge",
    "Sum",
    "TopKCategoricalAccuracy",
    "TrueNegatives",
    "TruePositives",
    "binary_accuracy",
    "binary_crossentropy",
    "deserialize",
    "get",
    "serialize",
    "categorical_accuracy",
    "categorical_crossentropy",
    "categorical_hinge",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy",
    "squared_hinge",
    "top_k_categorical_accuracy",
]

# The loss metrics, defined beside this module, are keras_lite.metrics's (their repr, pickling, documentation).
for _cls in (*_LOSS_CLASSES, *_AT_CLASSES, F1Score, FBetaScore):
    _cls.__module__ = __name__
del _cls


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
        if isinstance(axis, bool) or axis != -1:
            raise ValueError(f"keras_lite computes metrics over the last axis only. {received('axis', axis)}")
        super().__init__(fns.cosine_similarity, name, dtype)
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


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


# The functions ``compile(metrics=[...])`` takes, as the core kind each computes; the history key is the
# function's name, as Keras 3 names a wrapped function.
_FUNCTIONS: dict[Any, str] = {
    binary_accuracy: "binary_accuracy",
    categorical_accuracy: "categorical_accuracy",
    sparse_categorical_accuracy: "sparse_categorical_accuracy",
    top_k_categorical_accuracy: "top_k_categorical_accuracy:5",
    sparse_top_k_categorical_accuracy: "sparse_top_k_categorical_accuracy:5",
    mean_absolute_error: "mae",
    mean_squared_error: "mse",
    mean_absolute_percentage_error: "mape",
    mean_squared_logarithmic_error: "mean_squared_logarithmic_error",
    binary_crossentropy: "binary_crossentropy",
    categorical_crossentropy: "categorical_crossentropy",
    sparse_categorical_crossentropy: "sparse_categorical_crossentropy",
    kl_divergence: "kl_divergence",
    poisson: "poisson",
    hinge: "hinge",
    squared_hinge: "squared_hinge",
    categorical_hinge: "categorical_hinge",
    log_cosh: "log_cosh",
    huber: "huber",
}


_CLASSES: list[type[Metric]] = [
    MeanAbsoluteError,
    MeanSquaredError,
    MeanAbsolutePercentageError,
    RootMeanSquaredError,
    R2Score,
    TruePositives,
    FalsePositives,
    TrueNegatives,
    FalseNegatives,
    Precision,
    Recall,
    AUC,
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    CosineSimilarity,
    SparseCategoricalAccuracy,
    TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    F1Score,
    FBetaScore,
    *_AT_CLASSES,
    *_LOSS_CLASSES,
]
# Keras 3.15's keras.metrics.get: class names, their snake_case forms and the aliases.
_BY_NAME: dict[str, type[Metric]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{to_snake_case(cls.__name__): cls for cls in _CLASSES},
    "MAE": MeanAbsoluteError,
    "MSE": MeanSquaredError,
    "MAPE": MeanAbsolutePercentageError,
    "mae": MeanAbsoluteError,
    "mse": MeanSquaredError,
    "mape": MeanAbsolutePercentageError,
    "MSLE": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "BCE": BinaryCrossentropy,
    "bce": BinaryCrossentropy,
}


def is_function(identifier: Any) -> bool:
    """Whether ``identifier`` is one of the metric functions ``compile`` computes in the core."""
    return isinstance(identifier, types.FunctionType) and identifier in _FUNCTIONS


def is_sparse(kind: str) -> bool:
    """Whether the core metric ``kind`` reads its targets as class ids."""
    return kind.startswith("sparse_")


def _refuse_in_compile(metric: Metric) -> None:
    cls = type(metric).__name__
    raise NotSupportedError(
        f"keras_lite computes compile's metrics in its core, which does not accumulate {cls} yet: "
        f"keras.metrics.{cls} works on its own (update_state, result, reset_state), not in compile. "
        f"Supported in compile: {', '.join(sorted(c.__name__ for c in _CLASSES))}. Received: metrics=[{metric!r}]"
    )


def resolve(identifier: Any, output_width: int, sparse: bool = False) -> tuple[str, str]:
    """Return ``(core kind, history name)`` for a metric given to ``compile``; see `resolve_sized`."""
    kind, name, _ = resolve_sized(identifier, output_width, sparse)
    return kind, name


def _compiled(identifier: Any) -> Any:
    """A ``compile`` metric as its compile keeps it: a metric class becomes its instance, auto-named once
    (``AUC`` -> ``auc_1`` when an ``auc`` exists) instead of at each resolution."""
    if isinstance(identifier, type) and issubclass(identifier, Metric) and identifier is not Metric:
        return identifier()
    return identifier


def _take_auto_names(identifiers: list[Any]) -> None:
    """Take the auto names Keras 3 takes when it first builds a compile's metrics (its first fit or evaluate):
    the instance it makes of a name like ``"auc"`` or ``"precision"`` is numbered (``auc_1``) before it is
    renamed to the name given, so the next ``AUC()`` is ``auc_2``."""
    for identifier in identifiers:
        if isinstance(identifier, str) and identifier in _BY_NAME:
            _BY_NAME[identifier]()


def resolve_sized(identifier: Any, output_width: int, sparse: bool = False) -> tuple[str, str, int]:
    """Return ``(core kind, history name, values it reports)`` for a metric given to ``compile``.

    ``'accuracy'``/``'acc'`` (any case) mean binary accuracy for a one-unit output, sparse categorical
    accuracy when ``sparse`` (the loss reads class ids), and categorical accuracy otherwise, as Keras 3's
    ``get_metric`` decides from the shapes of the targets and the output.
    """
    if isinstance(identifier, type) and issubclass(identifier, Metric) and identifier is not Metric:
        identifier = identifier()
    if isinstance(identifier, Metric):
        kind = identifier._core_kind()
        if not kind:
            _refuse_in_compile(identifier)
        return kind, identifier.name, identifier._core_size(output_width)
    if is_function(identifier):
        return _FUNCTIONS[identifier], identifier.__name__, 1
    if isinstance(identifier, str):
        # Any case, as Keras matches them (``get_metric`` in ``keras/src/trainers/compile_utils.py``).
        if identifier.lower() in ("accuracy", "acc"):
            if output_width == 1:
                return "binary_accuracy", identifier, 1
            return ("sparse_categorical_accuracy" if sparse else "categorical_accuracy"), identifier, 1
        cls = _BY_NAME.get(identifier)
        if cls is not None:
            metric = cls(name=identifier)  # named: no auto name taken (see `_compiled`)
            return metric._core_kind(), identifier, metric._core_size(output_width)
    supported = sorted(set(_BY_NAME) | {"accuracy", "acc"})
    unsupported_identifier("metrics", "metrics", identifier, supported)
    raise ValueError(
        f"Could not interpret metric identifier: {identifier!r}. Supported: {', '.join(supported)}"
    )


def get(identifier: Any) -> Any:
    """Keras's ``metrics.get``: a metric object for a class name, its snake_case form or an alias (``"mae"``), the
    object a config dict describes, a function or metric object as it is, ``None`` for ``None``."""
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]()
    unsupported_identifier("metrics", "identifier", identifier, sorted(_BY_NAME))
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def serialize(metric: Any) -> Any:
    """A metric object or function as Keras's ``metrics.serialize`` writes it (a name stays a name)."""
    from ._keras_config_write import _metric_out

    return _metric_out(metric)


def deserialize(config: Any) -> Any:
    """The metric object (or function) a ``serialize`` config, or a name, describes."""
    if isinstance(config, str):
        return get(config)
    from ._keras_config_read import metric_from_config

    return metric_from_config(config)
