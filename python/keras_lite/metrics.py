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
the loss functions, ``keras.losses.cosine_similarity`` among them) compile too; ``Mean``, ``Sum``,
``MeanMetricWrapper`` and loss objects work on their own only.

A metric given as a string keeps that string as its name, so history keys are ``mae``, ``val_mae``, ...
``"accuracy"``/``"acc"`` (any case) is binary accuracy for a one-unit output, sparse categorical accuracy when
the targets are class ids (a sparse loss, or ``compile(loss="crossentropy")`` given one column of labels), and
categorical accuracy otherwise, as Keras 3 chooses. The sparse metrics need a sparse loss and the others a loss
whose targets are rows like the predictions: the core reads the targets one way per model.
"""

from __future__ import annotations

import types
from typing import Any

from . import _custom
from ._errors import FormatError
from ._loss_base import Loss as _Loss
from ._metric_accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    CosineSimilarity,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
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
from ._unsupported import NotSupportedError, _own_methods, file_error, unsupported_identifier
from .losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
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
from .losses import cosine_similarity as _cosine_similarity_loss

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
    "binary_focal_crossentropy",
    "deserialize",
    "get",
    "serialize",
    "categorical_accuracy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
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

# The metrics defined beside this module are keras_lite.metrics's (their repr, pickling, documentation).
_ACCURACY_CLASSES = (
    MeanAbsoluteError,
    MeanSquaredError,
    MeanAbsolutePercentageError,
    BinaryAccuracy,
    Accuracy,
    CosineSimilarity,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
)
for _cls in (*_ACCURACY_CLASSES, *_LOSS_CLASSES, *_AT_CLASSES, F1Score, FBetaScore):
    _cls.__module__ = __name__
del _cls


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
    binary_focal_crossentropy: "binary_focal_crossentropy",
    categorical_focal_crossentropy: "categorical_focal_crossentropy",
    # ``keras.losses.cosine_similarity`` (``-cos``; ``keras.metrics`` has no such function, only the class,
    # ``+cos``). Keras 3 writes it as the function ``cosine_similarity`` and reads that name back as this one.
    _cosine_similarity_loss: "cosine_similarity_loss",
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


def _take_auto_names(identifiers: list[Any]) -> list[Metric | None]:
    """Take the auto names Keras 3 takes when it first builds a compile's metrics (its first fit or evaluate):
    the instance it makes of a name like ``"auc"`` or ``"precision"`` (or the ``MeanMetricWrapper`` of a
    function) is numbered (``auc_1``) before it is renamed to the name given, so the next ``AUC()`` is
    ``auc_2``. Returns those instances (None for the other identifiers), which the model's
    ``CompileMetrics`` holds, renamed."""
    made: list[Metric | None] = []
    for identifier in identifiers:
        metric: Metric | None = None
        if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
            pass  # (the accuracy the shapes call for, made with the name given: no auto name taken)
        elif isinstance(identifier, str) and identifier in _BY_NAME:
            metric = _BY_NAME[identifier]()
            metric.name = identifier
        elif is_function(identifier):
            metric = MeanMetricWrapper(identifier)
            metric.name = identifier.__name__
        made.append(metric)
    return made


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
        if not kind or _own_methods(identifier, ("update_state", "result", "reset_state", "merge_state")):
            _refuse_in_compile(identifier)  # (one that computes its own way: the core would run its base's)
        return kind, identifier.name, identifier._core_size(output_width)
    if is_function(identifier):
        return _FUNCTIONS[identifier], identifier.__name__, 1
    if isinstance(identifier, _Loss):
        raise _loss_object_refused(identifier)
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
    if isinstance(metric, str):
        return metric
    if isinstance(metric, type):
        metric = metric()
    if not isinstance(metric, Metric):
        # A plain function, as Keras 3 writes ``keras.metrics.binary_accuracy``.
        return _custom.function_entry(metric)
    # Each class's constructor arguments (thresholds, num_thresholds, class_aggregation, k, ...), as Keras.
    return _custom.entry(type(metric), "keras.metrics", {**metric.get_config(), "dtype": "float32"})


def deserialize(config: Any, custom_objects: Any = None) -> Any:
    """The metric object (or function) a ``serialize`` config, or a name, describes, as Keras's
    ``metrics.deserialize``: a name gives its metric object (``"mae"``: ``MeanAbsoluteError()``); a class in
    ``custom_objects`` is made from its config. A ``FormatError`` (a ``ValueError``) names what keras_lite
    cannot make."""
    if isinstance(config, str):
        name = _config_metric(config)
        return get(name) if name in _BY_NAME else name
    custom = _custom.made(config, custom_objects)
    return custom if custom is not None else _config_metric(config)


def _loss_object_refused(loss: _Loss) -> NotSupportedError:
    """Keras wraps a loss object given as a metric in a MeanMetricWrapper that averages the loss's per-batch
    values, each batch counting once whatever its size; the core's means are over samples. The refusal names
    what computes the same loss per sample: the metric class of that name, else the loss's function."""
    name = type(loss).__name__
    metric = globals().get(name)
    function = to_snake_case(name)
    if isinstance(metric, type) and issubclass(metric, Metric):
        instead = f"the metric keras.metrics.{name}"
    elif any(f.__name__ == function for f in _FUNCTIONS):
        instead = f"its function keras.losses.{function} (which computes the loss with its default arguments)"
    else:
        instead = "a metric class or a loss function"
    return NotSupportedError(
        "keras_lite does not support a loss object as a metric yet (Keras averages its per-batch values). "
        f"Pass {instead} instead. Received: metrics=[{loss!r}]"
    )


def _config_metric(config: Any) -> Any:
    """What ``compile`` takes for a metric of a config: a name stays a name (``"accuracy"`` is then chosen by
    the targets, as Keras's compile chooses it), a function or an object as made from its config."""
    if (
        isinstance(config, dict)
        and config.get("class_name") == "function"
        and isinstance(config.get("config"), str)
    ):
        config = config["config"]
        # A function's name, as Keras 3 resolves it (``cosine_similarity`` is the loss, not the metric class).
        function = _custom.function_named(config)
        if is_function(function):
            return function
    if isinstance(config, str):
        try:
            resolve(config, 1)
        except ValueError as e:
            raise file_error(str(e), e) from None
        return config
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise FormatError(f"a metric refers to {config!r}, which is not a built-in keras_lite supports")
    name = config["class_name"]
    cls = globals().get(name)
    if not (isinstance(cls, type) and issubclass(cls, Metric)):
        raise file_error(f"the metric {name!r} is not one keras_lite supports", kind="metrics", name=name)
    cfg = config.get("config", {})
    if not isinstance(cfg, dict):
        raise FormatError(f"the metric config must be a JSON object. Received: {type(cfg).__name__}")
    if cfg.get("dtype") not in (None, "float32"):
        raise FormatError(
            f"the metric {name} uses dtype {cfg['dtype']!r}; keras_lite computes in float32 only"
        )
    try:
        return cls.from_config({k: v for k, v in cfg.items() if k != "dtype"})
    except (TypeError, ValueError) as e:
        raise file_error(f"the metric {name}: {e}", e) from None
