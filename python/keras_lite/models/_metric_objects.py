"""A compiled model's metric objects, as Keras 3's: ``model.metrics`` (the loss tracker, a ``Mean`` named
``loss``, then a `CompileMetrics` holding the metrics ``compile`` was given), ``metrics_variables``,
``get_metrics_result()`` and ``reset_metrics()``.

The core computes the loss and the metrics of each pass and reports the pass's final values; the model keeps
the last pass's (fit's last epoch, or its validation when that epoch validated, an ``evaluate``, a one-batch
call) and its metric objects give them (see ``_metric_held``). Nothing is done per batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import losses as losses_module
from .. import metrics as metrics_module
from .._metric_base import Mean, Metric
from .._metric_held import Held, PassValues
from .._metric_regression import PerOutput
from .._unsupported import NotSupportedError

if TYPE_CHECKING:
    from ._model import Model

_ACCURACY = {
    "binary_accuracy": metrics_module.BinaryAccuracy,
    "categorical_accuracy": metrics_module.CategoricalAccuracy,
    "sparse_categorical_accuracy": metrics_module.SparseCategoricalAccuracy,
}


class CompileMetrics(Metric):
    """Keras 3's container of the metrics given to ``compile`` (``metrics``, then ``weighted_metrics``), named
    ``compile_metrics``. It is built by the model's first ``fit``, ``evaluate`` or one-batch call; before that
    ``metrics`` and ``variables`` are empty and ``result()`` raises ``ValueError``, as in Keras."""

    def __init__(self) -> None:
        super().__init__(name="compile_metrics")
        self._flat: list[Metric] | None = None  # None until built
        self._keys: list[str] = []  # each one's key in result(): its name, numbered as the History's
        self._weighted: list[bool] = []
        self._box: PassValues | None = None  # the pass values its metrics hold

    @property
    def built(self) -> bool:
        return self._flat is not None

    @property
    def metrics(self) -> list[Metric]:
        """The metric objects, in compile order (``[]`` until built)."""
        return list(self._flat or [])

    @property
    def variables(self) -> list[Any]:
        return [v for m in self._flat or [] for v in m.variables]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Update each metric with a batch (the weighted ones with ``sample_weight``)."""
        if self._flat is None:
            raise NotSupportedError(
                "keras_lite builds a model's compile_metrics at its first fit, evaluate or one-batch call; "
                "call one of them before updating it by hand."
            )
        for metric, weighted in zip(self._flat, self._weighted):
            metric.update_state(y_true, y_pred, sample_weight=sample_weight if weighted else None)

    def result(self) -> dict[str, Any]:
        """Each metric's result, keyed as the History keys it (``mae``, ``mae_1``, ``weighted_mae``)."""
        if self._flat is None:
            raise ValueError("Cannot get result() since the metric has not yet been built.")
        return {key: metric.result() for key, metric in zip(self._keys, self._flat)}

    def reset_state(self) -> None:
        for metric in self._flat or []:
            metric.reset_state()

    def _attach(self, model: Model, box: PassValues) -> None:
        """Build (on first use) and have each metric hold its value in ``box``, the model's pass values."""
        if self._flat is None:
            self._flat = _flat_metrics(model)
            self._weighted = [i >= len(model._compile_metrics) for i in range(len(self._flat))]
        self._keys = list(model._metric_names[1:])
        start = 1
        for metric, size in zip(self._flat, model._metric_sizes):
            for variable in metric._variables:  # (Keras resets its metrics as each pass starts)
                variable.assign(0.0)
            metric._held = Held(box, start, size, size != 1 or isinstance(size, PerOutput))
            start += size
        self._box = box


def _flat_metrics(model: Model) -> list[Metric]:
    """The metric objects of the metrics ``model`` was compiled with: each object given, the one made for a
    name (``"mae"``: a ``MeanAbsoluteError`` renamed ``mae``) or function (a ``MeanMetricWrapper``), and for
    ``"accuracy"`` the accuracy the output and the loss call for, named as given."""
    given = [*model._compile_metrics, *model._compile_weighted]
    made = list(getattr(model, "_auto_metrics", None) or [])
    made += [None] * (len(given) - len(made))
    sparse = losses_module.is_sparse(model._core_loss) if model._core_loss is not None else False
    flat: list[Metric] = []
    for identifier, auto in zip(given, made):
        if isinstance(identifier, Metric):
            flat.append(identifier)
        elif auto is not None:
            flat.append(auto)
        else:  # "accuracy" / "acc", in any case
            kind, name = metrics_module.resolve(identifier, model._net.output_dim, sparse)
            flat.append(_ACCURACY.get(kind, metrics_module.BinaryAccuracy)(name=name))
    return flat


def on_compile(model: Model, keep_metrics: bool) -> None:
    """A new loss tracker, and a new `CompileMetrics` when ``compile`` was given metrics (Keras keeps the
    previous one, built or not, when a compile is given none)."""
    box = PassValues()
    tracker = Mean(name="loss")
    tracker._held = Held(box, 0, 1, False)
    model._pass_values, model._loss_tracker = box, tracker
    if not keep_metrics:
        model._compile_metric_set = CompileMetrics() if model._metrics_given else None


def record(model: Model, values: list[float]) -> None:
    """Keep ``values``, the final values of a pass of ``model`` (the loss, then each metric's), for its metric
    objects to give."""
    box = model._pass_values
    if box is None:
        return
    if not values:  # a pass of no batch: Keras's metrics, reset as it began, hold nothing
        values = [0.0] * (1 + sum(model._metric_sizes))
    metrics = model._compile_metric_set
    # A metric object given to several models' compiles (one list of metrics for each model a script makes)
    # gives the pass that ran last, whichever model ran it.
    held = (getattr(m._held, "box", None) for m in metrics._flat or []) if metrics is not None else ()
    if metrics is not None and (metrics._box is not box or any(b is not box for b in held)):
        metrics._attach(model, box)
    box.record(values)


class ModelMetrics:
    """What ``Model`` has of Keras's metric API (see the module's docstring)."""

    _pass_values: PassValues | None = None
    _loss_tracker: Mean | None = None
    _compile_metric_set: CompileMetrics | None = None
    _auto_metrics: list[Metric | None] | None = None

    @property
    def metrics(self) -> list[Metric]:
        """``[]`` before ``compile``; then the loss tracker (``<Mean name=loss>``), and the
        ``<CompileMetrics name=compile_metrics>`` when ``compile`` was given metrics, as Keras 3's."""
        if not getattr(self, "compiled", False) or self._loss_tracker is None:
            return []
        found: list[Metric] = [self._loss_tracker]
        if self._compile_metric_set is not None:
            found.append(self._compile_metric_set)
        return found

    @property
    def metrics_variables(self) -> list[Any]:
        """The state variables of ``metrics`` (``loss/total``, ``loss/count``, then each compiled metric's)."""
        return [v for metric in self.metrics for v in metric.variables]

    def get_metrics_result(self) -> dict[str, Any]:
        """Each metric's current result, as float32 scalars (a vector for several thresholds), keyed by name:
        ``loss``, then each compiled metric's key; what the last pass of ``fit`` (its validation, when it
        validated), ``evaluate`` or a one-batch call left in them, as Keras's.

        Raises:
            ValueError: ``compile`` was given metrics and the model has not run a pass since (its
                ``compile_metrics`` is not built yet), as in Keras.
        """
        results: dict[str, Any] = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, dict):
                results.update(value)
            else:
                results[metric.name] = value
        return results

    def reset_metrics(self) -> None:
        """Reset every metric of ``metrics``: its result is 0 until the next pass, as Keras's."""
        for metric in self.metrics:
            metric.reset_state()
