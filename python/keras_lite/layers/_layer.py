"""``Layer``, the base of keras_lite's layers, and what layers and models share: automatic names, widths,
which model holds a layer."""

from __future__ import annotations

import re
import warnings
import weakref
from collections import defaultdict
from typing import Any

import numpy as np

from .. import _core, _data, config, initializers
from .._errors import ArgumentTypeError, boolean, received
from .._structure_lock import _STRUCTURE_LOCK, _refuse_while_fitting
from .._tensor import Tensor
from .._unsupported import NotSupportedError, defines
from .._variable import Variable, weight_array
from . import _layer_args
from ._attributes import LayerAttributes
from ._keras_tensor import _symbolic, _symbolic_call, called_tensors
from ._layer_args import _build_width, _builtin_layers, _dtype_name, _no_other_kwargs, _only, _shape_arg

# Automatic names handed out so far, per base name (``utils.clear_session`` starts them again).
_name_counts: dict[str, int] = defaultdict(int)

# A model nobody can reach may live on in a reference cycle (a fitted model and its History) until Python's
# cyclic garbage collector runs; until then it still holds its layers and its optimizer.
_STILL_HELD = (
    "(A model that is no longer used keeps them until it is garbage-collected: gc.collect() frees it.)"
)


def _other_model(model: Any, this: Any, optimizer: Any = None) -> Any:
    """``model`` (a layer's or an optimizer's) unless it is None or ``this`` (or, given ``optimizer``, no
    longer compiled with it): the model that holds on to something ``this`` was given."""
    if model is None or model is this or (optimizer is not None and model._optimizer is not optimizer):
        return None
    return model


def _named(name: Any, base: str) -> str:
    """A layer's or model's ``name=``, or the next automatic name from ``base``: a non-empty string without
    ``/``, which separates the parts of a weight's path (Keras 3 refuses it too)."""
    if name is None:
        return _auto_name(base)
    if not isinstance(name, str) or not name or "/" in name:
        raise ValueError(f"Argument `name` must be a non-empty string without '/'. {received('name', name)}")
    return name


def _auto_name(base: str) -> str:
    n = _name_counts[base]
    _name_counts[base] += 1
    return base if n == 0 else f"{base}_{n}"


def to_snake_case(name: str) -> str:
    """Keras's ``to_snake_case`` (keras/src/utils/naming.py), by which it names layers, metrics and optimizers:
    ``BatchNormalization`` -> ``batch_normalization``, ``ReLU`` -> ``re_lu``, ``PReLU`` -> ``p_re_lu``, ``AUC`` ->
    ``auc``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _incompatible(layer: str, expected: int, shape: tuple[Any, ...]) -> ValueError:
    """Keras 3's error for an input whose last axis is not the width a built layer was built for."""
    return ValueError(
        f"Input 0 of layer {layer!r} is incompatible with the layer: expected axis -1 of input shape to have "
        f"value {expected}, but received input with shape {shape}"
    )


class Layer(LayerAttributes):
    """Base class of keras_lite layers.

    A layer is a specification until it is built: then its weights live in a core network (its model's, or
    its own when called on its own), and ``layer.weights`` are handles onto them.
    """

    _weight_names: tuple[str, ...] = ()
    _outbound: Any = None  # the KerasTensor its call in a graph made (see ``_inbound``)
    # Weights Keras keeps as int64 (the core holds them as floats): Normalization's ``count``.
    _int64_weights: tuple[str, ...] = ()
    # Whether Keras 3 counts it built from the start (a layer without weights or a build step of its own:
    # Activation and its kin, Dropout and the noise layers, Reshape); Flatten and the merge layers are built by
    # their first call (``_called``), every other layer with its weights.
    _built_at_construction = False
    # Whether it computes otherwise while training (Dropout and the noise layers draw, BatchNormalization uses
    # the batch's statistics): ``layer(x, training=True)`` runs the core's training pass; for any other layer
    # ``training`` changes nothing.
    _trains_differently = False
    # its ``axis`` names the axis it computes along, which keras_lite takes to be the last (axis_on_last)
    _computes_along_axis = False
    # Whether the layer takes inputs of several dimensions (a Flatten): every other layer takes (None, width).
    _takes_shapes = False
    # Whether it computes value by value and so may also read an input of several dimensions on its way to a
    # Flatten, keeping its shape (Rescaling; see ``_flatten.shaped_prefix``).
    _keeps_shapes = False
    # Keras's dtype attributes: keras_lite computes and stores float32 only.
    dtype = compute_dtype = variable_dtype = input_dtype = "float32"

    def __init__(
        self, *, name: str | None = None, trainable: bool = True, dtype: Any = None, **kwargs: Any
    ) -> None:
        if defines(type(self), "call"):  # keras_lite's layers have no `call`
            raise NotSupportedError(
                "keras_lite does not support custom layers (a Layer subclass with its own call()) yet: its core "
                f"runs its built-in layers only ({_builtin_layers()}). Received: {type(self).__name__}"
            )
        input_shape = kwargs.pop("input_shape", None)
        input_dim = kwargs.pop("input_dim", None)
        # Keras's mixed-precision switch: all float32 here, nothing to cast; kept to be read back, as Keras's.
        self.autocast = kwargs.pop("autocast", True)
        _only("activity_regularizer", kwargs.pop("activity_regularizer", None), (None,), type(self).__name__)
        _no_other_kwargs(kwargs, type(self).__name__)
        if _dtype_name(dtype) not in (None, "float32"):
            raise NotSupportedError(f"keras_lite computes in float32 only. {received('dtype', dtype)}")
        self._input_shape_arg: tuple[int, ...] | None = None
        if input_shape is not None or input_dim is not None:
            warnings.warn(
                "Do not pass an `input_shape`/`input_dim` argument to a layer. When using Sequential models, "
                "prefer using an `Input(shape)` object as the first layer in the model instead.",
                UserWarning,
                stacklevel=3,
            )
            self._input_shape_arg = (
                _shape_arg(input_shape, "input_shape", self._takes_shapes)
                if input_shape is not None
                else _shape_arg(input_dim, "input_dim")
            )
        self.name = _named(name, to_snake_case(type(self).__name__))
        self._trainable = boolean("trainable", trainable)
        self._input_width: int | None = None
        self._called = False  # (see ``_built_at_construction``)
        self._owner: Any = None  # the _core.Model holding this layer's weights
        self._holder: Any = None  # a weakref to the model whose network `_owner` is (None: the layer's own)
        self._owner_layer_index = 0
        self._owner_weight_base = 0
        self._model_ref: Any = None
        self._variables: list[Variable] = []
        self._inbound: Any = (
            None  # (the KerasTensors it was called on, whether as a list): the Functional API
        )

    # ---- what the core needs -------------------------------------------------------------------------
    def _spec(self) -> dict[str, Any]:
        raise NotSupportedError(
            f"keras_lite cannot run layer {self.name!r} ({type(self).__name__}): its core runs its built-in "
            f"layers only ({_builtin_layers()})."
        )

    def _output_width(self, input_width: int) -> int:
        return input_width

    def _weight_initializers(self) -> dict[str, Any]:
        """The initializers of this layer's weights, by weight name, whose values the core does not already
        give: a weight not listed keeps the core's initial values (Glorot uniform kernels drawn with the
        model's seed, zeros, ones)."""
        return {}

    def _initial_values(self, info: list[Any]) -> list[tuple[int, np.ndarray]]:
        """``(slot, values)`` for each weight in ``info`` (the core's ``weight_info`` rows) that this layer's
        initializers set."""
        inits = self._weight_initializers()  # None: Keras's add_weight default for a float weight
        glorot = initializers.GlorotUniform()
        return [
            (
                j,
                initializers.initial_value(
                    glorot if inits[name] is None else inits[name],
                    tuple(shape),
                    f"weight {name!r} of layer {self.name!r}",
                ),
            )
            for j, (_, name, shape, _) in enumerate(info)
            if name in inits
        ]

    # ---- attachment to a core network -----------------------------------------------------------------
    def _attach(
        self,
        owner: Any,
        layer_index: int,
        weight_base: int,
        input_width: int,
        info: list[Any],
        holder: Any = None,
    ) -> None:
        """Make ``owner`` (the network of model ``holder``, or the layer's own) hold this layer's weights. A model
        whose network held them until now is stale from then on (see ``models._ownership``)."""
        previous = self._holder() if self._holder is not None else None
        if previous is not None and previous is not holder and previous._net is self._owner:
            previous._stale = True
        self._holder = None if holder is None else weakref.ref(holder)
        self._owner = owner
        self._owner_layer_index = layer_index
        self._owner_weight_base = weight_base
        self._input_width = input_width
        if len(self._variables) != len(info):
            self._variables = [
                Variable(self, i, name, tuple(shape), tr) for i, (_, name, shape, tr) in enumerate(info)
            ]
            for v in self._variables:
                v.dtype = "int64" if v.name in self._int64_weights else "float32"
        else:  # the same handles, which the user may hold, now read this network's weights
            for v, (_, _, shape, _) in zip(self._variables, info):
                v.shape = tuple(shape)
        if not self._trainable:
            owner.set_layer_trainable(layer_index, False)

    def _weight_location(self, slot: int) -> tuple[Any, int]:
        if self._owner is None:
            raise ValueError(f"Layer {self.name!r} has no weights until it is built.")
        return self._owner, self._owner_weight_base + slot

    def _model_name(self, for_path: bool = False) -> str | None:
        model = self._model_ref() if self._model_ref is not None else None
        if for_path and model is not None and not model._paths_name_model:
            return None
        return None if model is None else model.name

    def _live_model(self) -> Any:
        """The live model this layer is in, or None."""
        model = self._model_ref() if self._model_ref is not None else None
        if model is None or not any(layer is self for layer in model._layers):
            return None
        return model

    def _check_width(self, width: int, shape: tuple[Any, ...]) -> None:
        """Refuse an input width other than the one a built layer with weights was built for (Keras 3)."""
        if self._variables and self._input_width is not None and width != self._input_width:
            raise _incompatible(self.name, self._input_width, shape)

    # ---- Keras API -----------------------------------------------------------------------------------
    @property
    def built(self) -> bool:
        return self._owner is not None or self._built_at_construction or self._called

    @property
    def weights(self) -> list[Variable]:
        return list(self._variables)

    @property
    def variables(self) -> list[Variable]:
        return self.weights

    @property
    def trainable_weights(self) -> list[Variable]:
        return [v for v in self._variables if v.trainable]

    @property
    def non_trainable_weights(self) -> list[Variable]:
        return [v for v in self._variables if not v.trainable]

    # Keras 3's other names for them.
    trainable_variables, non_trainable_variables = trainable_weights, non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """Copies of this layer's weights."""
        return [v.numpy() for v in self._variables]

    def set_weights(self, weights: list[Any]) -> None:
        """Set this layer's weights; count and shapes must match exactly."""
        if not isinstance(weights, (list, tuple)):  # Keras's len() of it is a TypeError
            raise ArgumentTypeError(
                f"Layer {self.name} set_weights expects a list of arrays. "
                f"{received('weights', type(weights).__name__)}"
            )
        if len(weights) != len(self._variables):
            raise ValueError(
                f"Layer {self.name} weight shape mismatch: expected {len(self._variables)} weights. "
                f"Received: {len(weights)} weights"
            )
        arrays = [weight_array(w, f"Weight {v.path}") for v, w in zip(self._variables, weights)]
        for v, a in zip(self._variables, arrays):
            if a.shape != v.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape mismatch for {v.name}: expected {v.shape}. Received: {a.shape}"
                )
        for v, a in zip(self._variables, arrays):
            v.assign(a)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't built. "
                "You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(int(np.prod(v.shape)) for v in self._variables))

    @property
    def input_shape(self) -> tuple[Any, ...]:
        """``(None, width)`` once the layer knows its input (tf.keras 2 semantics, used by learntools)."""
        if self._input_width is None:
            if self._input_shape_arg is not None:
                return (None, *self._input_shape_arg)
            raise AttributeError(
                f"The layer {self.name!r} has never been called and thus has no defined input shape."
            )
        return (None, self._input_width)

    @property
    def output_shape(self) -> tuple[Any, ...]:
        if self._input_width is None:
            raise AttributeError(
                f"The layer {self.name!r} has never been called and thus has no defined output shape."
            )
        return (None, self._output_width(self._input_width))

    def build(self, input_shape: Any) -> None:
        """Build this layer on its own for inputs of ``input_shape`` (``(None, width)`` or ``(width,)``).

        A layer in a model keeps the width the model gave it: another width raises ``ValueError``.
        """
        width = _build_width(input_shape)
        if self._computes_along_axis and isinstance(input_shape, (list, tuple)):
            _layer_args.axis_on_last(self, [input_shape])
        if self._owner is not None and self._input_width == width:
            self._build_shape = input_shape  # (what get_build_config reports, once the build stands)
            return
        with _STRUCTURE_LOCK:
            model = self._live_model()
            _refuse_while_fitting(model, f"rebuild its layer {self.name!r}")
            if model is not None:
                self._check_width(width, (None, width))
            self._built_spec = spec = self._spec()  # (a later change of what it reads: layers/_attributes.py)
            net = _core.Model(width, [spec], config.next_seed())
            info = net.weight_info()
            for j, values in self._initial_values(info):
                net.set_weight(j, values)
            self._attach(net, 0, 0, width, info)
            self._build_shape = input_shape
            self._built_alone = True  # (built outside any model: Keras fixes its path as its bare name)

    @property
    def input(self) -> Any:
        """The tensor (a list for a merge layer) this layer was called on in a graph, as Keras's."""
        return called_tensors(self, "input")

    @property
    def output(self) -> Any:
        """The tensor this layer's call in a graph made, as Keras's."""
        return called_tensors(self, "output")

    def __call__(self, inputs: Any, training: Any = None) -> Tensor:
        """Apply the layer to an array (inference mode), building it first if needed.

        Returns a float32 NumPy array that also has Keras's ``.numpy()``; called on a ``keras.Input`` tensor
        (or a tensor another layer returned), records the call for a Functional model and returns its tensor.
        """
        if _symbolic(inputs):
            if training and self._trains_differently:
                raise _training_on_tensors(self)
            return _symbolic_call(self, inputs, training=training)  # type: ignore[return-value]
        array = _data.to_array(inputs, "inputs")
        if array.ndim == 0:
            raise ValueError(f"Layer {self.name} needs at least a 1-D input. Received: a scalar")
        x = np.asarray(array, dtype=np.float32)
        shape = x.shape
        if not shape[-1]:
            raise ValueError(
                f"Layer {self.name} needs at least one value per sample. Received: shape {shape}"
            )
        self._check_width(shape[-1], shape)
        if self._computes_along_axis:
            _layer_args.axis_on_last(self, [shape])
        flat = np.ascontiguousarray(x.reshape(-1, shape[-1]))
        if training and self._trains_differently and flat.shape[0]:  # (no rows: nothing to train on)
            return self._call_training(flat, shape)
        model = self._model_ref() if self._model_ref is not None else None
        if (
            model is not None
            and self._owner is model._net
            and model._net is not None
            and len(model._layers) == 1
        ):
            out = model._net.predict(flat)
        else:
            if self._owner is None or self._input_width != shape[-1]:
                self._build_for_call(shape)
            # Through the owner network only when it holds this layer alone: in a model's network the layers
            # after this one would run too.
            if self._owner_layer_index != 0 or self._owner.layer_count != 1:
                net = _core.Model(shape[-1], [self._spec()], config.next_seed())
                if self._variables:
                    net.set_weights([weight_array(v, v.name) for v in self._variables])
                out = net.predict(flat)
            else:
                out = self._owner.predict(flat)
        return self._called_on(out.reshape(*shape[:-1], out.shape[-1]).view(Tensor))

    def _call_training(self, flat: np.ndarray, shape: tuple[int, ...]) -> Tensor:
        """``layer(x, training=True)`` for a layer that computes otherwise while training: the core's training
        pass over its rows (Dropout and the noise layers draw from a generator the layer keeps, so each call
        draws anew; BatchNormalization uses the batch's statistics and updates its moving ones)."""
        width = shape[-1]
        if self._owner is None or self._input_width != width:
            self._build_for_call(shape)
        if self._owner_layer_index == 0 and self._owner.layer_count == 1:
            net = self._owner  # its own network
        elif not self._variables:  # in a model's network: a network of its own for the draws
            net = getattr(self, "_training_net", None)
            if net is None or net.input_dim != width:
                net = self._training_net = _core.Model(width, [self._spec()], config.next_seed())
        else:
            raise NotSupportedError(
                f"keras_lite runs layer {self.name!r} ({type(self).__name__}) in training mode on its own only "
                "while it is in no model (a model's network holds its weights). Call the model with "
                "training=True instead. Received: training=True"
            )
        out = _core.call_training(net, flat)
        return self._called_on(out.reshape(*shape[:-1], out.shape[-1]).view(Tensor))

    def get_config(self) -> dict[str, Any]:
        return _layer_args._base_config(self)

    def _weight_by_name(self, name: str) -> Variable | None:
        """The weight called ``name`` (``gamma``, ``alpha``, ...), None if the layer has none by that name."""
        if not self.built:  # (a built layer may have none: LayerNormalization(center=False, scale=False))
            raise AttributeError(f"Layer {self.name!r} is not built yet, so it has no weights.")
        return next((v for v in self._variables if v.name == name), None)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        """A new layer of this class from ``get_config()``'s dict (its weights start from its initializers)."""
        if not isinstance(config, dict):
            raise TypeError(f"from_config expects a dict. {received('config', config)}")
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _training_on_tensors(layer: Layer) -> NotSupportedError:
    """``layer(keras_tensor, training=True)`` for a layer that trains otherwise: fixing its mode in a graph
    (Monte Carlo dropout) is not supported; the graph runs it in training mode in ``fit``."""
    return NotSupportedError(
        f"keras_lite does not support training=True in a call on tensors yet: layer {layer.name!r} "
        f"({type(layer).__name__}) runs in training mode when the model trains, and in inference mode otherwise. "
        "Received: training=True"
    )


def _bind_model(layer: Layer, model: Any) -> None:
    layer._model_ref = weakref.ref(model)
