"""What ``compile`` does with its arguments, and the check that a model is compiled before it trains or
evaluates (``Model.compile`` keeps Keras's signature and docstring and calls `compile` with the model)."""

from __future__ import annotations

import sys
import warnings
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _core, _keras_config_write
from .. import losses as losses_module
from .. import metrics as metrics_module
from .. import optimizers as optimizers_module
from .._errors import finite_number, received
from .._unsupported import NotSupportedError
from ..layers._layer import _STILL_HELD, _other_model
from . import _metric_objects, _targets

if TYPE_CHECKING:
    from ._model import Model


class CompileState(_metric_objects.ModelMetrics):
    """What a ``Model`` says of how it was compiled: ``optimizer`` (assignable), ``metrics_names``, the metric
    objects (`_metric_objects.ModelMetrics`) and the compile config that files hold."""

    compiled: bool
    _optimizer: Any
    _compiled_loss: Any
    _compile_metrics: list[Any]
    _compile_weighted: list[Any]
    _loss_weight: float
    _metrics_given: bool
    _compile_given: dict[str, Any]
    _compiles = 0  # compile_net's count (twice a compile: see _targets.Keys)

    @property
    def optimizer(self) -> Any:
        """The optimizer ``compile`` set. Assigning another to a compiled model compiles it with that one (and
        the same loss and metrics), so that ``fit`` uses it; refused while the model trains. A model never
        compiled has none: an AttributeError, as Keras's has no such attribute before ``compile``."""
        if self._optimizer is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute 'optimizer'")
        return self._optimizer

    @optimizer.setter
    def optimizer(self, value: Any) -> None:
        if value is self._optimizer:
            return
        if not self.compiled:
            self._optimizer = value  # compile() sets it anew, as in Keras
            return
        self.compile(optimizer=value)  # type: ignore[attr-defined]

    @property
    def metrics_names(self) -> list[str]:
        """Keras 3's names: ``[]`` before ``compile``; ``["loss"]``, and ``"compile_metrics"`` after it when
        ``compile`` was given ``metrics``. Each metric's own name is a key of the History and of
        ``evaluate(..., return_dict=True)``."""
        if not self.compiled:
            return []
        return ["loss", "compile_metrics"] if self._metrics_given else ["loss"]

    def _keras_compile_config(self) -> dict[str, Any]:
        """What Keras's ``model.get_compile_config()`` returns, or ``{}`` for a model never compiled: what
        ``compile`` was given (an assigned ``model.loss`` is not used, as in Keras)."""
        if not self.compiled:
            return {}
        metrics = self._compile_metrics if self._metrics_given else None
        config = _keras_config_write.compile_config(
            self.optimizer, self._compiled_loss, metrics, self._compile_weighted
        )
        # Keras keeps each argument in the structure compile was given it in (["mse"], {"out": "mse"}, ...).
        for key, given in self._compile_given.items():
            if key == "loss_weights":
                config[key] = _plain(given)
            elif config[key] is not None:
                config[key] = None if given is None else _like(given, config[key])
        return config


class NotCompiledError(ValueError, RuntimeError):
    """Training or evaluating a model that was never compiled (a ``ValueError``, as in Keras 3)."""


class _Container:
    """What ``model.compiled_loss`` / ``compiled_metrics`` were in tf.keras 2: the user's compile arguments."""

    def __init__(self, attr: str, value: Any) -> None:
        setattr(self, attr, value)


def compile(
    model: Model, optimizer: Any, loss: Any, loss_weights: Any, metrics: Any, weighted_metrics: Any
) -> None:
    """``model.compile``: check every argument, then configure the core (a refusal changes nothing)."""
    given = dict(loss=loss, metrics=metrics, weighted_metrics=weighted_metrics, loss_weights=loss_weights)
    loss_weight = _loss_weight(loss_weights)
    loss = _for_the_output(model, loss, "loss")
    if isinstance(loss, (list, tuple)):
        if len(loss) != 1:
            raise ValueError(f"keras_lite models have one output, so one loss. {received('loss', loss)}")
        loss = loss[0]
    metrics = _output_metrics(model, metrics, "metrics")
    weighted_metrics = _output_metrics(model, weighted_metrics, "weighted_metrics")
    again = model.compiled
    if loss is None and again:
        # Keras keeps the previous compile's loss, and its metrics when none are given.
        # (with its loss weight: Keras keeps the whole compiled loss)
        loss, loss_weight = model._compiled_loss, model._loss_weight
        given["loss"] = model._compile_given["loss"]
    keep_metrics = metrics is None and weighted_metrics is None and again
    if keep_metrics:
        metrics = model._compile_metrics if model._metrics_given else None
        weighted_metrics = model._compile_weighted or None
        given["metrics"] = model._compile_given["metrics"]
        given["weighted_metrics"] = model._compile_given["weighted_metrics"]
    if loss is None:
        raise ValueError("keras_lite needs a loss to train. Received: loss=None")
    if weighted_metrics is not None and not isinstance(weighted_metrics, (list, tuple)):
        raise ValueError(f"weighted_metrics must be a list. {received('weighted_metrics', weighted_metrics)}")
    if optimizer is None:  # (Keras compiles, then fails at the first step)
        raise ValueError(f"keras_lite needs an optimizer to train. {received('optimizer', optimizer)}")
    opt = optimizers_module.get(optimizer)
    opt._take_changes(compiling=True)  # hyper-parameters assigned since it was made or last compiled
    user = _other_model(opt._model() if opt._model is not None else None, model, opt)
    if user is not None:
        # Its state (iterations, moments) belongs to the other model's weights; Keras 3 refuses too, at
        # the first step it would apply to variables it was not built with.
        raise ValueError(
            f"This optimizer instance is already used by model {user.name!r}: an optimizer holds the "
            "state of one model's weights, so each model needs its own. Pass a new instance, e.g. "
            f"optimizer=keras_lite.optimizers.{type(opt).__name__}(). {_STILL_HELD} "
            f"Received: optimizer={opt!r}"
        )
    loss_obj = losses_module._for_training(loss)  # refuses a reduction fit cannot honour
    # Then Keras 3's metrics_names has "compile_metrics" (it builds the container for either list, even empty).
    metrics_given = metrics is not None or weighted_metrics is not None
    if metrics is None:
        metrics = []
    if not isinstance(metrics, (list, tuple)):
        raise ValueError(f"metrics must be a list. {received('metrics', metrics)}")
    metrics = [metrics_module._compiled(m) for m in metrics]
    if weighted_metrics is not None:
        weighted_metrics = [metrics_module._compiled(m) for m in weighted_metrics]
    for m in [*metrics, *(weighted_metrics or [])]:
        # Validate names now; the kind may depend on the output width. A metric that reads the targets in
        # another layout than the loss (sparse_categorical_accuracy with categorical_crossentropy) is refused
        # here, built or not; "crossentropy" adapts to the targets and is checked by the core when it settles.
        kind, _ = metrics_module.resolve(m, 2, losses_module.is_sparse(loss_obj))
        apart = _targets.layouts_apart(kind, loss_obj) if loss_obj._kind else None
        if apart is not None:
            want, have = apart
            raise NotSupportedError(
                f"The metric {m!r} reads targets as {want}, but the loss {loss_obj.name!r} takes {have}. "
                f"Use {'sparse_' if losses_module.is_sparse(loss_obj) else ''}categorical metrics with it, or "
                f"metrics=['accuracy'], which follows the loss. Received: metrics={list(metrics)!r}"
            )
    previous = model._compile_weighted, model._loss_weight
    model._compile_weighted, model._loss_weight = list(weighted_metrics or []), loss_weight
    if model._net is not None:
        # The same optimizer instance again keeps its state (its step count and slots), as Keras's does.
        state = model._net.optimizer_state() if again and opt is model.optimizer else None
        # The core checks the values too; a refusal must leave the previous compile in place.
        try:
            compile_net(model, model._net, opt, loss_obj, list(metrics))
        except Exception:
            model._compile_weighted, model._loss_weight = previous
            raise
        if state is not None and state[0]:
            model._net.set_optimizer_state(state[0], [value for _, _, value in state[1]])
    else:
        # An unbuilt model compiles its core when it builds. The core's checks of the values (a learning
        # rate or a Huber delta that float32 cannot hold) run now, on a throwaway one-unit network, so
        # that compile refuses them and not the first fit, predict or add.
        probe = _core.Model(1, [{"kind": "dense", "units": 1, "activation": "linear", "use_bias": True}], 0)
        probe.compile(losses_module._concrete(loss_obj, 1, None)._spec(), [], opt._spec())
    model._optimizer = opt
    opt._model = weakref.ref(model)
    opt._network = model._net
    model._compiled_loss = loss
    model.loss = given["loss"]  # as Keras's model.loss: the value compile was given (["mse"] stays a list)
    model._compile_given = given
    model._loss_obj = loss_obj
    model._logits_warned = set()
    model._untrainable_warned = False
    model._metrics_built = False
    model._target_width = None  # "crossentropy" is settled again by the next fit or evaluate
    model._compile_metrics = list(metrics)
    model._metrics_given = metrics_given
    model.compiled_loss = _Container("_losses", loss)
    model.compiled_metrics = _Container("_metrics", list(metrics))
    model.compiled = True
    _metric_objects.on_compile(model, keep_metrics)


def _like(given: Any, value: Any) -> Any:
    """``value`` (the one output's serialized loss, or its list of metrics) in the structure of ``given``,
    what compile was given: a dict keyed by the output's name, a list or tuple, ``[["mae"]]``, or bare."""
    if isinstance(given, dict):
        ((key, inner),) = given.items()
        return {key: _like(inner, value)}
    if isinstance(given, (list, tuple)):
        kind: Any = type(given)
        if len(given) == 1 and (isinstance(given[0], (list, tuple, dict)) or not isinstance(value, list)):
            return kind([_like(given[0], value)])
        return kind(value) if isinstance(value, list) else value
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _plain(value: Any) -> Any:
    """``loss_weights`` as a config holds it: lists for tuples, floats for NumPy numbers."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return float(value) if isinstance(value, np.number) else value


def _loss_weight(value: Any) -> float:
    """compile's ``loss_weights`` for the one output: a number, or a list, tuple or dict of one (Keras 3.15.1
    reads no key of the dict for one output), by which the reduced loss (not the regularizers' penalty) and
    its gradient are multiplied; 1 when None."""
    if value is None:
        return 1.0
    one = value
    if isinstance(value, (list, tuple, dict)):
        if len(value) != 1:
            raise ValueError(
                f"`loss_weights` must match the number of losses, got 1 losses and {len(value)} weights. "
                f"{received('loss_weights', value)}"
            )
        one = next(iter(value.values())) if isinstance(value, dict) else value[0]
    return finite_number("loss_weights", one)


def _output_name(model: Model) -> str | None:
    """The name Keras gives the model's one output: its output layer's."""
    if hasattr(type(model), "output_names"):
        return str(model.output_names[0])  # type: ignore[attr-defined]
    return model.layers[-1].name if model.layers else None


def _for_the_output(model: Model, value: Any, arg: str) -> Any:
    """A compile argument given per output as a dict keyed by output name: the value for keras_lite's one
    output. Keras 3.15.1 takes a loss keyed by the output layer's name (``loss={"out": "mse"}``) or by the key
    of a model built with a dict of outputs (``keras.Model(i, {"k": o})``), and a one-output model's metrics
    under any one key (it does not read the key)."""
    if not isinstance(value, dict):
        return value
    structure = getattr(model, "_output_structure", None)  # (a dict of outputs' keys; `list`; None)
    names = {_output_name(model), *(structure if isinstance(structure, list) else [])}
    if len(value) != 1 or arg == "loss" and None not in names and next(iter(value)) not in names:
        raise ValueError(
            f"{arg} given as a dict is keyed by output name, and this model has one output, "
            f"{_output_name(model)!r}. {received(arg, value)}"
        )
    return next(iter(value.values()))


def _output_metrics(model: Model, metrics: Any, arg: str) -> Any:
    """``metrics`` or ``weighted_metrics`` in Keras's per-output forms (``{"out": ["mae"]}``, ``{"out":
    "mae"}``, ``[["mae"]]``) as the one output's list."""
    if isinstance(metrics, dict):
        metrics = _for_the_output(model, metrics, arg)
        return list(metrics) if isinstance(metrics, (list, tuple)) else [metrics]
    if isinstance(metrics, (list, tuple)) and len(metrics) == 1 and isinstance(metrics[0], (list, tuple)):
        return list(metrics[0])
    return metrics


def require_compiled(model: Model, what: str) -> None:
    # ``what`` ("training", "evaluation") is not in the message: Keras 3.15's text is the same for every method.
    if not model.compiled:
        raise NotCompiledError("You must call `compile()` before using the model.")
    loss = model._loss_obj
    if loss is not None and loss.reduction in (None, "none"):
        # Keras adds the regularizers' scalar penalty to the per-sample loss vector, and fails there.
        ruled = [
            layer.name
            for layer in model._layers  # nested models' layers too
            if getattr(layer, "activity_regularizer", None) is not None
            or layer.trainable
            and any(getattr(layer, f"{w}_regularizer", None) is not None for w in ("kernel", "bias"))
        ]
        if ruled:
            raise ValueError(
                "A loss with reduction=None gives one value per sample, to which the regularizers' penalty of "
                f"layers {ruled} cannot be added (Keras fails there too); use reduction='sum' or the default. "
                f"Received: loss={loss!r} with reduction={loss.reduction!r}"
            )


# The crossentropies, which read the logits of a final sigmoid or softmax (as Keras on TensorFlow does): each
# one's function name and the activation op Keras names in its warning (the one the loss expects, whichever of
# the two the model ends in).
_LOGITS_OF = {
    "BinaryCrossentropy": ("binary_crossentropy", "Sigmoid"),
    "CategoricalCrossentropy": ("categorical_crossentropy", "Softmax"),
    "SparseCategoricalCrossentropy": ("sparse_categorical_crossentropy", "Softmax"),
}


def first_use(model: Model, steps: tuple[str, ...]) -> None:
    """What Keras 3 does as it first builds a compile's train or test step: its metrics take their auto names
    (once per compile), and the warning below."""
    if not model._metrics_built:
        model._metrics_built = True
        model._auto_metrics = metrics_module._take_auto_names(
            [*model._compile_metrics, *model._compile_weighted]
        )
    warn_if_output_is_not_logits(model, steps)


def trains_nothing(model: Model) -> bool:
    """Whether ``model`` (built) has no trainable weight. Its training steps then run the forward pass, the loss
    and the metrics but take no optimizer step: the core leaves ``optimizer.iterations`` (and so a schedule's
    rate) as it is and reads no schedule, as Keras 3 does. Keras warns as it first traces its train step after
    ``compile``; so here, once per compile, pointing at the user's call."""
    if model.trainable_weights:
        return False
    if not model._untrainable_warned:
        model._untrainable_warned = True
        frame, level = sys._getframe(1), 2
        while frame.f_back is not None and str(frame.f_globals.get("__name__")).startswith("keras_lite."):
            frame, level = frame.f_back, level + 1
        warnings.warn("The model does not have any trainable weights.", stacklevel=level)
    return True


def warn_if_output_is_not_logits(model: Model, steps: tuple[str, ...]) -> None:
    """Keras's warning for ``from_logits=True`` on a model that ends in a sigmoid or softmax: a crossentropy
    reads that activation's input either way (the core does so, as Keras on TensorFlow, whichever of the two
    it is), so the training is the same as without the flag, which was probably meant for a model without the
    activation. Keras names the activation the loss expects, not the one the model has. Keras warns as it
    first traces its train or test step after ``compile``; so here, once per compile for fitting
    (``"train"``) and once for evaluating (``"test"``)."""
    loss = model._loss_obj
    known = _LOGITS_OF.get(type(loss).__name__)
    if known is None or not getattr(loss, "from_logits", False) or not model._layers:
        return
    if getattr(loss, "ignore_class", None) is not None:
        return  # Keras masks the output first, so the loss takes it as logits, unwarned (the core does too)
    function, op = known
    last = model._layers[-1]  # the output's layer (a nested model's last one)
    form = getattr(last, "_form", None)  # an activation layer (a Softmax layer too), else Dense's activation
    name = form()[0] if form is not None else getattr(getattr(last, "activation", None), "__name__", None)
    if name not in ("sigmoid", "softmax"):
        return
    for step in steps:
        if step not in model._logits_warned:
            model._logits_warned.add(step)
            warnings.warn(
                f'"`{function}` received `from_logits=True`, but the `output` argument was produced by a {op} '
                "activation and thus does not represent logits. Was this intended?",
                stacklevel=3,
            )


def compile_net(
    model: Model,
    net: Any,
    opt: Any,
    loss_obj: losses_module.Loss,
    metrics: list[Any],
    target_width: int | None = None,
) -> None:
    """Compile the core ``net`` of ``model``; ``target_width`` (y's columns, once seen) settles ``"crossentropy"``."""

    # Counted before the core's compile and after the names: an evaluation that read the names and the count
    # before, and finds the same count after, computed its values with that compile.
    model._compiles += 1

    def compile_with(width: int | None) -> tuple[losses_module.Loss, list[str], list[int], list[str]]:
        loss = losses_module._concrete(loss_obj, net.output_dim, width)
        kinds, weighted, names, sizes, bases = _targets.resolve_metrics(
            net.output_dim, loss, metrics, model._compile_weighted
        )
        net.compile({**loss._spec(), "weight": model._loss_weight}, kinds, opt._spec(net, model), weighted)
        return loss, names, sizes, bases

    try:
        try:
            loss, names, sizes, bases = compile_with(target_width)
        except ValueError:
            if target_width is not None or not isinstance(loss_obj, losses_module._AutoCrossentropy):
                raise
            # "crossentropy" before any targets, with metrics that read class ids (sparse_categorical_accuracy):
            # the provisional choice is then the sparse one; the first targets settle it (_targets.settle_targets).
            loss, names, sizes, bases = compile_with(1)
        model._metric_names, model._metric_sizes = ["loss", *names], sizes
        model._metric_bases = ["loss", *bases]
        model._core_loss = loss
        opt._network = net
    finally:
        model._compiles += 1  # (even again, refused or not: see _targets.Keys)
