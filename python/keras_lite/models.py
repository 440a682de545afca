"""``Sequential``: the Keras model object; every computation runs in the Rust core's ``Network``."""

from __future__ import annotations

import functools
import math
import time
import weakref
from typing import Any, Callable, TypeVar, cast

import numpy as np

from . import _core, _data, config
from . import callbacks as callbacks_module
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from ._errors import received
from ._progbar import Progbar
from ._tensor import Tensor
from ._unsupported import NotSupportedError, defines
from ._variable import weight_array
from .layers import InputLayer, KerasTensor, Layer
from .layers._keras_tensor import _functional_call, _symbolic
from .layers._layer import (
    _MAX_SIZE,
    _STRUCTURE_LOCK,
    _auto_name,
    _bind_model,
    _build_width,
    _refuse_while_fitting,
)
from .saving import SavingMixin, load_model, save_model


class NotCompiledError(ValueError, RuntimeError):
    """Training or evaluating a model that was never compiled (a ``ValueError``, as in Keras 3)."""


class _Container:
    """What ``model.compiled_loss`` / ``compiled_metrics`` were in tf.keras 2: the user's compile arguments."""

    def __init__(self, attr: str, value: Any) -> None:
        setattr(self, attr, value)


def _verbosity(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if isinstance(verbose, bool) or not isinstance(verbose, (int, np.integer)) or verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2. {received('verbose', verbose)}")
    return int(verbose)


def _epochs(epochs: Any) -> int:
    """``fit``'s ``epochs``: a non-negative integer (Python or NumPy; not a bool or a float)."""
    if isinstance(epochs, (int, np.integer)) and not isinstance(epochs, bool) and epochs == 0:
        return 0
    try:
        return _data.as_positive_int(epochs, "epochs")
    except ValueError:
        raise ValueError(
            f"Received an invalid value for `epochs`, expected a non-negative integer. {received('epochs', epochs)}"
        ) from None


_F = TypeVar("_F", bound=Callable[..., Any])


def _changes_structure(what: str) -> Callable[[_F], _F]:
    """Run the method under the structure lock, refusing it (``RuntimeError``) while the model is in a fit."""

    def decorate(method: _F) -> _F:
        @functools.wraps(method)
        def wrapper(self: Sequential, *args: Any, **kwargs: Any) -> Any:
            with _STRUCTURE_LOCK:
                _refuse_while_fitting(self, what)
                return method(self, *args, **kwargs)

        return cast(_F, wrapper)

    return decorate


def _tracks_fit(fit: _F) -> _F:
    """Count the model as fitting (``model._fits``) from before ``fit`` checks anything until it returns."""

    @functools.wraps(fit)
    def wrapper(self: Sequential, *args: Any, **kwargs: Any) -> Any:
        counted = False
        try:
            with _STRUCTURE_LOCK:
                self._fits += 1
                counted = True
            return fit(self, *args, **kwargs)
        finally:
            if counted:
                with _STRUCTURE_LOCK:
                    self._fits -= 1

    return cast(_F, wrapper)


# A model nobody can reach may live on in a reference cycle (a fitted model and its History) until Python's
# cyclic garbage collector runs; until then it still holds its layers and its optimizer.
_STILL_HELD = (
    "(A model that is no longer used keeps them until it is garbage-collected: gc.collect() frees it.)"
)


def _other_model(model: Any, this: Any, optimizer: Any = None) -> Any:
    """``model`` unless it is None or ``this`` (or, given ``optimizer``, no longer compiled with it)."""
    if model is None or model is this or (optimizer is not None and model.optimizer is not optimizer):
        return None
    return model


class _FitObserver:
    """Receives the core's training events and turns them into Keras callback calls.

    The core reads ``wants_batch_begin`` and ``wants_test_batches`` once, and calls the hooks they name only
    when true: a call into Python before every batch costs more than a small model's step.
    """

    def __init__(self, model: Sequential, cbs: Any, names: list[str]) -> None:
        self.model = model
        self.cbs = cbs
        self.names = names
        self.last_logs: dict[str, float] | None = None
        self.wants_batch_begin = cbs.overrides("on_batch_begin", "on_train_batch_begin")
        self.wants_test_batches = cbs.needs_batch_hooks("test")

    def on_epoch_begin(self, epoch: int) -> bool:
        self.cbs.on_epoch_begin(epoch)
        return bool(self.model.stop_training)

    def on_batch_begin(self, epoch: int, step: int) -> bool:
        self.cbs.on_train_batch_begin(step)
        return bool(self.model.stop_training)

    def on_batch_end(self, epoch: int, step: int, running: list[float]) -> bool:
        self.cbs.on_train_batch_end(step, dict(zip(self.names, running)))
        return bool(self.model.stop_training)

    def on_test_begin(self) -> None:
        self.cbs.on_test_begin()

    def on_test_batch_begin(self, step: int) -> None:
        self.cbs.on_test_batch_begin(step)

    def on_test_batch_end(self, step: int, running: list[float]) -> None:
        self.cbs.on_test_batch_end(step, dict(zip(self.names, running)))

    def on_test_end(self, logs: list[float]) -> None:
        self.cbs.on_test_end(dict(zip(self.names, logs)))

    def on_predict_batch_begin(self, step: int) -> None:
        self.cbs.on_predict_batch_begin(step)

    def on_predict_batch_end(self, step: int, outputs: np.ndarray) -> None:
        self.cbs.on_predict_batch_end(step, {"outputs": outputs})

    def on_epoch_end(self, epoch: int, train: list[float], val: list[float] | None) -> bool:
        logs = dict(zip(self.names, train))
        if val is not None:
            logs.update({f"val_{k}": v for k, v in zip(self.names, val)})
        self.last_logs = dict(sorted(logs.items()))
        self.cbs.on_epoch_end(epoch, self.last_logs)
        return bool(self.model.stop_training)


class Model(SavingMixin):
    """``keras.Model``: here the base class of `Sequential`, so ``isinstance(model, keras.Model)`` holds.

    keras_lite builds models with ``keras.Sequential`` only. ``keras.Model(inputs=..., outputs=...)`` (the
    Functional API) and model subclassing (a ``keras.Model`` subclass, or a ``Sequential`` subclass that
    defines its own ``call`` or ``train_step``) raise `NotSupportedError` until keras_lite supports them.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is not Sequential:
            _refuse_model_class(cls, args, kwargs)
        return super().__new__(cls)


_MODEL_HOOKS = ("call", "train_step", "test_step", "predict_step", "compute_loss", "compute_metrics")


def _refuse_model_class(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse the Functional API and model subclassing, which keras_lite does not run yet."""
    use = "keras.Sequential([keras.Input(shape=(features,)), layers.Dense(...), ...])"
    if not issubclass(cls, Sequential):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise NotSupportedError(
                "keras_lite does not support the Functional API (keras.Model(inputs, outputs)) yet: build the "
                f"model as {use}."
            )
        what = (
            "keras.Model() (a subclassed model's base)"
            if cls is Model
            else f"model subclassing ({cls.__name__})"
        )
        raise NotSupportedError(
            f"keras_lite does not support {what} yet: its core runs a Sequential stack of its built-in layers. "
            f"Build the model as {use}."
        )
    custom = [hook for hook in _MODEL_HOOKS if defines(cls, hook)]
    if custom:
        raise NotSupportedError(
            f"keras_lite does not support Sequential subclasses that define {', '.join(custom)} yet: its core "
            f"runs the layers and the training step itself, so they would be ignored. Received: {cls.__name__}"
        )


class Sequential(Model):
    """A linear stack of layers, as ``keras.Sequential``.

    Args:
        layers: Layers to add, in order. The first may be ``keras.Input(shape=...)`` or carry
            ``input_shape=``; otherwise the model builds on first use.
        trainable: Whether the model's weights are trained.
        name: Model name (default ``sequential``, ``sequential_1``, ...).
        device: ``"cpu"``, ``"gpu"`` or ``"auto"`` for this model; default ``keras_lite.config``'s setting.

    Example:
        >>> model = keras.Sequential([layers.Dense(4, activation="relu", input_shape=[2]), layers.Dense(1)])
        >>> model.compile(optimizer="adam", loss="mae")
        >>> history = model.fit(x, y, epochs=10, verbose=0)
    """

    _fits = 0  # fit calls running on this model now (see _tracks_fit); structure changes wait for 0
    dtype = compute_dtype = variable_dtype = input_dtype = "float32"  # Keras's dtype attributes

    def __init__(
        self, layers: Any = None, trainable: bool = True, name: str | None = None, device: str | None = None
    ) -> None:
        self._device = None if device is None else config._normalize_device(device)
        self.name = name if name is not None else _auto_name("sequential")
        self._layers: list[Layer] = []
        self._input_layer: InputLayer | None = None
        self._net: Any = None
        self._trainable = bool(trainable)
        self.stop_training = False
        self.history: Any = None
        self.optimizer: Any = None
        self.loss: Any = None
        self._loss_obj: losses_module.Loss | None = None
        self._metric_ids: list[Any] = []
        self._metric_names: list[str] = []
        self._metrics_given = False
        self.compiled = False
        self.compiled_loss: Any = None
        self.compiled_metrics: Any = None
        if layers is not None:
            if not isinstance(layers, (list, tuple)):
                raise ValueError(f"Sequential expects a list of layers. {received('layers', layers)}")
            model_refs = {id(layer): layer._model_ref for layer in layers if isinstance(layer, Layer)}
            try:
                names: set[str] = set()  # the names so far: checking each against a list is quadratic
                for layer in layers:
                    self._add(layer, rebuild=False, names=names)
                self._maybe_rebuild()
            except BaseException:  # the layers do not stay bound to a model that was never made
                for layer in self._layers:
                    layer._model_ref = model_refs.get(id(layer))
                raise

    # ---- structure ----------------------------------------------------------------------------------
    @_changes_structure("add a layer")
    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer (or ``keras.Input(...)`` as the first item)."""
        self._add(layer, rebuild, None)

    def _add(self, layer: Any, rebuild: bool, names: set[str] | None) -> None:
        """``add``; ``names``, when given, holds the names of ``self._layers`` (and gets this layer's)."""
        if isinstance(layer, KerasTensor):
            layer = layer._keras_history[0]
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._layers:
                raise ValueError("Sequential model may only have one input layer, and it must come first.")
            self._input_layer = layer
            if rebuild:
                self._maybe_rebuild()
            return
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Only instances of `keras_lite.layers.Layer` can be added to a Sequential model. {received('layer', layer)}"
            )
        if (layer.name in names) if names is not None else any(e.name == layer.name for e in self._layers):
            raise ValueError(
                f"All layers added to a Sequential model should have unique names. Name {layer.name!r} is already used."
            )
        other = _other_model(layer._live_model(), self)
        if other is not None:
            raise ValueError(
                f"Layer {layer.name!r} already belongs to model {other.name!r}. A keras_lite layer's weights "
                "live in its model's core network, so a layer cannot be shared by two models: create a new "
                "layer (and copy the weights with set_weights(other_layer.get_weights()) if you want them), "
                f"or pop it from the other model first. {_STILL_HELD}"
            )
        input_layer, model_ref = self._input_layer, layer._model_ref
        if not self._layers and self._input_layer is None and layer._input_shape_arg is not None:
            self._input_layer = InputLayer(shape=layer._input_shape_arg)
        self._layers.append(layer)
        if names is not None:
            names.add(layer.name)
        _bind_model(layer, self)
        if rebuild:
            net = self._net
            try:
                self._maybe_rebuild()
            except BaseException:
                if self._net is net:  # refused before the model changed (a width, a size): leave it as it was
                    self._layers.pop()
                    self._input_layer, layer._model_ref = input_layer, model_ref
                raise

    @_changes_structure("pop a layer")
    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self._layers:
            raise IndexError("There are no layers in the model.")
        layer = self._layers.pop()
        layer._model_ref = None
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self) -> None:
        if self._input_layer is not None and self._layers:
            self._build(self._input_layer.shape[0])
        elif self._net is not None and self._layers:
            self._build(self._net.input_dim)
        elif not self._layers:
            self._net = None

    def _build(self, width: int) -> None:
        """Build (or rebuild) the core network for inputs of ``width``, keeping built layers' weights."""
        old = {
            id(layer): layer.get_weights()
            for layer in self._layers
            if layer.built and layer._input_width is not None
        }
        widths = []
        w = width
        for layer in self._layers:
            if layer._owner is not self._net:
                # A layer built elsewhere (on its own, or in another model) keeps its width, as in Keras 3;
                # this model's own layers are rebuilt at the new width.
                layer._check_width(w, (None, w))
            widths.append(w)
            w = layer._output_width(w)
        net = _core.Network(width, [layer._spec() for layer in self._layers], config.next_seed())
        by_layer: list[list[Any]] = [[] for _ in self._layers]  # one pass: a scan per layer is quadratic
        for t in net.weight_info():
            by_layer[t[0]].append(t)
        base = 0
        for i, layer in enumerate(self._layers):
            mine = by_layer[i]
            prev = old.get(id(layer))
            layer._attach(net, i, base, widths[i], mine)
            if prev is not None and [p.shape for p in prev] == [tuple(t[2]) for t in mine]:
                for j, p in enumerate(prev):
                    net.set_weight(base + j, np.ascontiguousarray(p))
            base += len(mine)
        if not self._trainable:
            for i in range(len(self._layers)):
                net.set_layer_trainable(i, False)
        self._net = net
        self._apply_device()
        if self.compiled:
            self._compile_core()

    def _apply_device(self) -> None:
        requested = self._device or config.default_device()
        if self._net is not None and config.resolve_device(requested) == "gpu":
            self._net.set_device("gpu", config._software_allowed())

    @property
    def device(self) -> str:
        """Where this model computes: ``"cpu"`` or ``"gpu"``."""
        return "cpu" if self._net is None else str(self._net.device[0])

    @_changes_structure("move the model to another device")
    def to(self, device: str) -> Sequential:
        """Move the model (weights and optimizer state) to ``"cpu"``, ``"gpu"`` or ``"auto"``; returns it."""
        self._device = config._normalize_device(device)
        if self._net is not None:
            target = config.resolve_device(self._device)
            self._net.set_device(target, config._software_allowed())
        return self

    @_changes_structure("build the model")
    def build(self, input_shape: Any = None) -> None:
        """Build for inputs of ``input_shape`` ``(None, width)``."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("You must provide an `input_shape` argument.")
            width = self._input_layer.shape[0]
        else:
            width = _build_width(input_shape)
        if not self._layers:
            raise ValueError("Sequential model has no layers to build.")
        self._build(width)

    def _ensure_built(self, width: int) -> None:
        if self._net is None:
            if not self._layers:
                raise ValueError("Sequential model has no layers; add layers before using it.")
            self._build(width)

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    @property
    def built(self) -> bool:
        return self._net is not None

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = self._trainable

    @property
    def input_shape(self) -> tuple[Any, ...]:
        if self._net is None:
            raise AttributeError("The model has not been built yet, so it has no input shape.")
        return (None, self._net.input_dim)

    @property
    def output_shape(self) -> tuple[Any, ...]:
        if self._net is None:
            raise AttributeError("The model has not been built yet, so it has no output shape.")
        return (None, self._net.output_dim)

    # ---- weights ------------------------------------------------------------------------------------
    @property
    def weights(self) -> list[Any]:
        return [v for layer in self._layers for v in layer.weights]

    @property
    def variables(self) -> list[Any]:
        return self.weights

    @property
    def trainable_weights(self) -> list[Any]:
        return [v for v in self.weights if v.trainable]

    @property
    def non_trainable_weights(self) -> list[Any]:
        return [v for v in self.weights if not v.trainable]

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every weight, layer by layer (Keras order)."""
        return [] if self._net is None else list(self._net.get_weights())

    def set_weights(self, weights: list[Any]) -> None:
        """Set every weight; the count and each shape must match exactly."""
        current = self.weights
        if not isinstance(weights, (list, tuple)):
            raise ValueError(
                f"set_weights expects a list of arrays. {received('weights', type(weights).__name__)}"
            )
        if len(weights) != len(current):
            raise ValueError(
                f"You called `set_weights(weights)` on model {self.name} with a weight list of length {len(weights)}, "
                f"but the model was expecting {len(current)} weights."
            )
        arrays = []
        for v, w in zip(current, weights):
            a = weight_array(w, f"Weight {v.path}")
            if a.shape != v.shape:
                raise ValueError(
                    f"Weight {v.path} has shape {v.shape}. Received: an array of shape {a.shape}"
                )
            arrays.append(a)
        if arrays:
            self._net.set_weights(arrays)

    def count_params(self) -> int:
        """Number of weight values."""
        if self._net is None:
            raise ValueError(
                "You tried to call `count_params` on this model, but the model isn't built. "
                "You can build it manually via: `model.build(input_shape)`."
            )
        return int(sum(int(np.prod(v.shape)) for v in self.weights))

    # ---- compile ------------------------------------------------------------------------------------
    @_changes_structure("compile the model (it would replace the loss, metrics and optimizer fit is using)")
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        loss_weights: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: Any = "auto",
        auto_scale_loss: bool = True,
    ) -> None:
        """Configure training: optimizer, loss and metrics (Keras names and defaults).

        Args:
            optimizer: Name (any case) or ``keras_lite.optimizers`` instance; default ``"rmsprop"``.
            loss: Name, ``keras_lite.losses`` function or instance.
            metrics: List of metric names or instances.
        """
        if loss is None:
            raise ValueError("keras_lite needs a loss to train. Received: loss=None")
        if loss_weights is not None or weighted_metrics is not None:
            raise ValueError(
                "keras_lite models have one output; loss_weights and weighted_metrics are not supported."
            )
        opt = optimizers_module.get(optimizer)
        user = _other_model(opt._model() if opt._model is not None else None, self, opt)
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
        metrics_given = metrics is not None  # then Keras 3's metrics_names has "compile_metrics"
        if metrics is None:
            metrics = []
        if not isinstance(metrics, (list, tuple)):
            raise ValueError(f"metrics must be a list. {received('metrics', metrics)}")
        for m in metrics:
            metrics_module.resolve(m, 1)  # validate names now; the kind may depend on the output width
        if self._net is not None:
            # The core checks the values too; a refusal must leave the previous compile in place.
            self._compile_net(self._net, opt, loss_obj, list(metrics))
        else:
            # An unbuilt model compiles its core when it builds. The core's checks of the values (a learning
            # rate or a Huber delta that float32 cannot hold) run now, on a throwaway one-unit network, so
            # that compile refuses them and not the first fit, predict or add.
            probe = _core.Network(1, [("dense", 1, "linear", True)], 0)
            probe.compile(loss_obj._kind, loss_obj._params(), [], opt._kind, opt._core_params())
        self.optimizer = opt
        opt._model = weakref.ref(self)
        opt._network = self._net
        self.loss = loss
        self._loss_obj = loss_obj
        self._metric_ids = list(metrics)
        self._metrics_given = metrics_given
        self.compiled_loss = _Container("_losses", loss)
        self.compiled_metrics = _Container("_metrics", list(metrics))
        self.compiled = True

    def _compile_core(self) -> None:
        assert self._loss_obj is not None
        self._compile_net(self._net, self.optimizer, self._loss_obj, self._metric_ids)

    def _compile_net(self, net: Any, opt: Any, loss_obj: losses_module.Loss, metric_ids: list[Any]) -> None:
        resolved = [metrics_module.resolve(m, net.output_dim) for m in metric_ids]
        net.compile(
            loss_obj._kind, loss_obj._params(), [kind for kind, _ in resolved], opt._kind, opt._core_params()
        )
        self._metric_names = ["loss", *[name for _, name in resolved]]
        opt._network = net

    @property
    def metrics_names(self) -> list[str]:
        """Keras 3's names: ``[]`` before ``compile``; ``["loss"]``, and ``"compile_metrics"`` after it when
        ``compile`` was given ``metrics``. Each metric's own name is a key of the History and of
        ``evaluate(..., return_dict=True)``."""
        if not self.compiled:
            return []
        return ["loss", "compile_metrics"] if self._metrics_given else ["loss"]

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise NotCompiledError(f"You must call `compile()` before using the model for {what}.")

    # ---- data ---------------------------------------------------------------------------------------
    def _x(self, x: Any, arg: str = "x") -> np.ndarray:
        width = (
            self._net.input_dim
            if self._net is not None
            else (self._input_layer.shape[0] if self._input_layer else None)
        )
        arr = _data.to_matrix(x, arg, expected_width=width)
        if self._net is not None and arr.shape[1] != self._net.input_dim:
            raise ValueError(
                f"Input 0 of layer {self._layers[0].name!r} is incompatible with the layer: expected axis -1 of input "
                f"shape to have value {self._net.input_dim}, but received input with shape {arr.shape}"
            )
        return arr

    # ---- training -----------------------------------------------------------------------------------
    @_tracks_fit
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: Any = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: Any = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: Any = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: Any = None,
        validation_steps: Any = None,
        validation_batch_size: Any = None,
        validation_freq: int = 1,
    ) -> Any:
        """Train for ``epochs`` epochs (Keras semantics; the loop runs in Rust with the GIL released).

        Returns:
            A ``History`` whose ``.history`` maps each metric (and ``val_`` metric) to per-epoch floats.
        """
        self._require_compiled("training")
        if x is None or y is None:
            raise ValueError(
                f"fit needs both x and y arrays. Received: x={type(x).__name__}, y={type(y).__name__}"
            )
        for arg, value in (
            ("class_weight", class_weight),
            ("sample_weight", sample_weight),
            ("steps_per_epoch", steps_per_epoch),
            ("validation_steps", validation_steps),
        ):
            if value is not None:
                raise ValueError(f"keras_lite does not support {arg} yet. {received(arg, value)}")
        if validation_freq != 1:
            raise ValueError(
                f"keras_lite validates every epoch. {received('validation_freq', validation_freq)}"
            )
        verbose = _verbosity(verbose)
        batch_size = 32 if batch_size is None else _data.as_positive_int(batch_size, "batch_size")
        epochs = _epochs(epochs)  # 0 (or epochs <= initial_epoch) runs no epoch: an empty History, as Keras
        if epochs > _MAX_SIZE:
            raise ValueError(f"epochs is too large. {received('epochs', epochs)}")
        if (
            isinstance(initial_epoch, bool)
            or not isinstance(initial_epoch, (int, np.integer))
            or not 0 <= initial_epoch <= _MAX_SIZE
        ):
            raise ValueError(
                f"initial_epoch must be a non-negative integer. {received('initial_epoch', initial_epoch)}"
            )
        if shuffle not in (True, False):
            raise ValueError(f"shuffle must be True or False. {received('shuffle', shuffle)}")
        xa = self._x(x)
        ya = _data.to_targets(y, "y")
        _data.check_same_length(xa, ya)
        val = None
        if validation_data is not None:
            vx, vy = _data.unpack_validation_data(validation_data)
            val = (self._x(vx, "validation_data x"), _data.to_targets(vy, "validation_data y"))
            _data.check_same_length(val[0], val[1], x_arg="validation_data x", y_arg="validation_data y")
        elif validation_split:
            (train_x, train_y), val = _data.split_validation(xa, ya, validation_split)
            if not (_data.all_finite(val[0]) and _data.all_finite(val[1])):
                # The core would check the held-out rows as "validation_data" and count them from 0: name
                # the first bad value by where it is in the x or y the user passed instead.
                _data.check_finite(xa, "x", "inputs")
                _data.check_finite(ya, "y", "targets")
            xa, ya = np.ascontiguousarray(train_x), np.ascontiguousarray(train_y)
            val = (np.ascontiguousarray(val[0]), np.ascontiguousarray(val[1]))
        self._ensure_built(xa.shape[1])
        self._check_targets(ya, "y")
        if val is not None:
            self._check_targets(val[1], "validation_data y")
        val_bs = (
            batch_size
            if validation_batch_size is None
            else _data.as_positive_int(validation_batch_size, "validation_batch_size")
        )
        steps = math.ceil(xa.shape[0] / batch_size)
        cbs = callbacks_module.CallbackList(
            callbacks,
            add_history=True,
            add_progbar=verbose != 0,
            model=self,
            verbose=verbose,
            epochs=epochs,
            steps=steps,
        )
        observer = _FitObserver(self, cbs, self._metric_names)
        if cbs.needs_batch_hooks():
            interval = 0.0
        elif verbose == 1:
            # A little under the progress bar's own 50 ms so that its redraws are not skipped.
            interval = 0.045
        else:
            interval = 1e9
        self.stop_training = False
        cbs.on_train_begin()
        self._net.fit(
            xa,
            ya,
            val[0] if val is not None else None,
            val[1] if val is not None else None,
            min(batch_size, xa.shape[0]),
            epochs,
            int(initial_epoch),
            bool(shuffle),
            min(val_bs, val[0].shape[0]) if val is not None else 1,
            observer,
            interval,
        )
        cbs.on_train_end(observer.last_logs)
        return self.history

    def _check_targets(self, y: np.ndarray, arg: str) -> None:
        width = self._net.output_dim
        if y.shape[1] != width:
            raise ValueError(
                f"{arg} has shape {y.shape} but the model's output has {width} units: targets must be (n, {width})"
                + (" or (n,)" if width == 1 else "")
            )

    # ---- inference ----------------------------------------------------------------------------------
    def predict(
        self, x: Any, batch_size: Any = None, verbose: Any = "auto", steps: Any = None, callbacks: Any = None
    ) -> np.ndarray:
        """Predictions for ``x`` as a float32 NumPy array of shape ``(n, units)``."""
        net = self._net
        if verbose == 0 and batch_size is None and net is not None and type(x) is np.ndarray and x.size:
            # Fast path for services: a float32 C-contiguous (n, width) array goes straight to the core;
            # anything else (or any error) takes the general path below, which converts or explains. An
            # empty array takes that path too, which refuses it whatever its dtype.
            try:
                return net.predict(x)
            except (TypeError, ValueError):
                pass
        verbose = _verbosity(verbose)
        bs = 32 if batch_size is None else _data.as_positive_int(batch_size, "batch_size")
        if steps is not None:
            raise ValueError(
                f"keras_lite's predict takes arrays; steps is not supported. {received('steps', steps)}"
            )
        start = time.time()
        xa = self._x(x)
        self._ensure_built(xa.shape[1])
        n_steps = math.ceil(xa.shape[0] / bs)
        if callbacks is None:
            out = self._net.predict(xa)
        else:
            cbs = self._callback_list(callbacks, verbose, n_steps)
            cbs.on_predict_begin()
            if cbs.needs_batch_hooks("predict"):
                out = self._net.predict_batches(xa, bs, _FitObserver(self, cbs, []))
            else:
                out = self._net.predict(xa)
            cbs.on_predict_end()
        if verbose:
            self._report(n_steps, verbose, start, {})
        return out

    def _callback_list(self, callbacks: Any, verbose: int, steps: int) -> Any:
        """The callbacks of an ``evaluate`` or ``predict`` call, with Keras's params for them."""
        return callbacks_module.CallbackList(callbacks, model=self, verbose=verbose, epochs=1, steps=steps)

    def predict_on_batch(self, x: Any) -> np.ndarray:
        """Predictions for one batch, no callbacks or progress output."""
        return self.predict(x, verbose=0)

    def __call__(self, inputs: Any, training: Any = None) -> Tensor:
        """Apply the model (inference mode): a float32 NumPy array that also has Keras's ``.numpy()``."""
        if training:
            raise ValueError(
                "keras_lite applies models outside fit in inference mode only. Received: training=True"
            )
        net = self._net
        if net is not None and (type(inputs) is np.ndarray or type(inputs) is Tensor) and inputs.size:
            try:  # (an empty array is refused below)
                return net.predict(inputs, Tensor)
            except (TypeError, ValueError):
                pass
        if _symbolic(inputs):
            raise _functional_call(f"model {self.name!r}")
        xa = self._x(inputs, "inputs")
        self._ensure_built(xa.shape[1])
        return self._net.predict(xa, Tensor)

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: Any = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        steps: Any = None,
        callbacks: Any = None,
        return_dict: bool = False,
    ) -> Any:
        """Loss (and metrics) on ``(x, y)`` in inference mode: a float, a list, or a dict."""
        self._require_compiled("evaluation")
        if sample_weight is not None or steps is not None:
            raise ValueError(
                "keras_lite's evaluate takes arrays; sample_weight and steps are not supported. "
                f"{received('sample_weight' if sample_weight is not None else 'steps', sample_weight if sample_weight is not None else steps)}"
            )
        verbose = _verbosity(verbose)
        bs = 32 if batch_size is None else _data.as_positive_int(batch_size, "batch_size")
        start = time.time()
        xa = self._x(x)
        ya = _data.to_targets(y, "y")
        _data.check_same_length(xa, ya)
        self._ensure_built(xa.shape[1])
        self._check_targets(ya, "y")
        n_steps = math.ceil(xa.shape[0] / bs)
        if callbacks is None:
            values = self._net.evaluate(xa, ya, min(bs, xa.shape[0]))
        else:
            cbs = self._callback_list(callbacks, verbose, n_steps)
            cbs.on_test_begin()
            observer = _FitObserver(self, cbs, self._metric_names) if cbs.needs_batch_hooks("test") else None
            values = self._net.evaluate(xa, ya, min(bs, xa.shape[0]), observer)
            cbs.on_test_end(dict(zip(self._metric_names, values)))
        logs = dict(zip(self._metric_names, values))
        if verbose:
            self._report(n_steps, verbose, start, logs)
        if return_dict:
            return logs
        return values[0] if len(values) == 1 else list(values)

    def _report(self, steps: int, verbose: int, start: float, logs: dict[str, float]) -> None:
        bar = Progbar(steps, verbose=verbose)
        bar._start = start
        bar.update(steps, list(logs.items()), finalize=True)

    # ---- display ------------------------------------------------------------------------------------
    def summary(
        self, line_length: Any = None, positions: Any = None, print_fn: Any = None, **kwargs: Any
    ) -> None:
        """Print the layer table in Keras 3's layout."""
        from ._summary import print_summary

        rows: list[tuple[str, str, str, int | None]] = []
        for layer in self._layers:
            if layer.built and layer._input_width is not None:
                rows.append((layer.name, type(layer).__name__, str(layer.output_shape), layer.count_params()))
            else:
                rows.append((layer.name, type(layer).__name__, "?", None))
        trainable = sum(int(np.prod(v.shape)) for v in self.trainable_weights)
        non_trainable = sum(int(np.prod(v.shape)) for v in self.non_trainable_weights)
        opt_params = None
        if self.optimizer is not None and self._net is not None and self.optimizer.iterations > 0:
            slots = self._optimizer_slot_count()
            n = slots * trainable
            # iteration (int64, 8 bytes) and learning_rate (float32) as Keras counts them.
            opt_params = (n + 2, 4 * n + 12)
        print_summary(
            self.name,
            rows,
            (trainable + non_trainable, 4 * (trainable + non_trainable)),
            (trainable, 4 * trainable),
            (non_trainable, 4 * non_trainable),
            optimizer_params=opt_params,
            line_length=line_length,
            print_fn=print_fn,
        )

    def _optimizer_slot_count(self) -> int:
        opt = self.optimizer
        if isinstance(opt, optimizers_module.Adam):
            return 3 if opt.amsgrad else 2
        if isinstance(opt, optimizers_module.SGD):
            return 1 if opt.momentum else 0
        if isinstance(opt, optimizers_module.RMSprop):
            return 1 + (opt.momentum > 0) + bool(opt.centered)
        return 0

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "layers": [layer.get_config() for layer in self._layers]}

    def __repr__(self) -> str:
        return f"<Sequential name={self.name}, built={self.built}>"


__all__ = ["Model", "NotCompiledError", "Sequential", "load_model", "save_model"]
