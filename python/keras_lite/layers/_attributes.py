"""Keras 3's layer attributes that describe a layer rather than run it: ``losses``, ``compute_output_shape``,
``supports_masking``, ``dtype_policy``, ``path``, ``get_build_config`` / ``build_from_config``, ``input_spec``,
``metrics``.

``LayerAttributes`` is a base of ``Layer``; the output shapes of the layers that change a shape are in
``_shapes``, the input specs of the layers that hold one in ``_input_spec``.

Keras 3 (``keras/src/layers/layer.py``) records a layer's build: ``get_build_config()`` returns the shape its
``build()`` received, and ``path`` is its name scope then (``"<sequential>/<layer>"`` in a Sequential, the
layer's name in a Functional model or on its own). A layer without a ``build()`` of its own (Dropout,
Activation and its kin, Reshape) is never built that way: both are None for it unless ``build()`` or
``build_from_config()`` is called on it.
"""

from __future__ import annotations

import warnings
import weakref
from typing import Any

import numpy as np

from .. import _core
from .._dtype_policy import FLOAT32, DTypePolicy
from .._errors import boolean
from .._tensor import Tensor
from .._unsupported import NotSupportedError

_UNSET = object()  # (an attribute the layer did not have)

# Layer attributes that a built layer's model applies by other ways (``trainable``) or never computes with.
_APPLIED = frozenset(("name", "trainable", "dtype", "built", "input_spec", "supports_masking"))


def _rebuilt(layer: Any, spec: dict[str, Any]) -> str | None:
    """Have each network built with ``layer`` compute it by ``spec`` from now on (each keeps the weights): the
    networks of the models built with it, and the one its own calls run in. None when done, else why
    not (a spec of other weights or width, a final activation a loss cannot read, a model training now)."""
    nets = []
    for model in list(layer.__dict__.get("_built_in", ())):
        index = next((place[1] for place in model._placements if place[0] is layer), None)
        if model._net is not None and index is not None:
            nets.append((model._net, index))
    own = layer.__dict__.get("_owner")
    if own is not None and own.layer_count == 1 and all(net is not own for net, _ in nets):
        nets.append((own, 0))  # (or a one-layer model's, the model gone: the layer's calls still run in it)
    for net, index in nets:
        try:
            _core.set_layer_spec(net, index, spec)
        except (ValueError, RuntimeError) as e:
            return str(e)
    layer.__dict__.pop("_training_net", None)  # (its training-mode calls in a model: made anew at the next)
    return None


class LayerAttributes:
    """What ``Layer`` adds of Keras's descriptive API (see the module's docstring)."""

    name: str
    _built_at_construction: bool
    # Whether Keras's layer propagates a mask (every keras_lite layer but the reshaping and encoding ones).
    supports_masking = True
    # Keras's defaults, which keras_lite's layers keep: no activity regularizer (Dense may set one), inputs
    # cast to the compute dtype (float32), no quantization.
    activity_regularizer: Any = None
    autocast = True
    quantization_mode = None
    # The shape ``build()`` or a call on arrays built the layer on, as given: ``get_build_config()``'s.
    _build_shape: Any = None
    # Whether ``build()`` (or a call on arrays) built the layer outside any model.
    _built_alone = False
    # The activity regularizer's penalty of the layer's last call on arrays, as Keras's ``add_loss`` keeps it.
    _activity_losses: tuple[Any, ...] = ()

    # The specification a model's core network was built with for this layer (set by the model's build).
    _built_spec: Any = None
    # The ``training`` given to its call on tensors (None: not given), which Keras's config records.
    _given_training: Any = None

    def __setattr__(self, name: str, value: Any) -> None:
        old = self.__dict__.get(name, _UNSET)
        object.__setattr__(self, name, value)
        if self._built_spec is None or name.startswith("_") or name in _APPLIED:
            return
        try:
            spec = self._spec()  # type: ignore[attr-defined]
        except NotSupportedError:  # (a regularizer of the user's own, say): refused, the attribute as it was
            object.__setattr__(self, name, old) if old is not _UNSET else object.__delattr__(self, name)
            raise
        except Exception:  # noqa: BLE001 - a value the layer cannot describe: its next build refuses it
            return
        if repr(spec) == repr(self._built_spec):  # (as text: a spec may hold arrays)
            return
        # Keras reads such an attribute when it traces a call (so, before the first fit or predict, there):
        # keras_lite's models built with the layer compute it anew from their next call.
        problem = _rebuilt(self, spec)
        if problem is None:
            object.__setattr__(self, "_built_spec", spec)
            return
        warnings.warn(
            f"keras_lite does not use {type(self).__name__}.{name}={value!r} on layer {self.name!r} of a built "
            f"model: {problem}. Set it before the model is built, or make a new model with it "
            "(keras.models.clone_model(model) rebuilds every layer from its config).",
            UserWarning,
            stacklevel=2,
        )

    @property
    def trainable(self) -> bool:
        return self._trainable  # type: ignore[attr-defined,no-any-return]

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = boolean("trainable", value)
        owner = self.__dict__.get("_owner")
        if owner is not None:  # (a model made untrainable trains none of its layers)
            holder = self.__dict__.get("_holder")
            trains = self._trainable and getattr(holder and holder(), "_trainable", True)
            if not owner.set_layer_trainable(self.__dict__["_owner_layer_index"], trains):
                # Keras reads the flag when it traces its training step, so the change waits there too.
                warnings.warn(
                    "A layer's trainable flag set while its model trains takes effect when that fit ends: "
                    "keras_lite's fit trains the weights it started with.",
                    UserWarning,
                    stacklevel=3,  # (the assignment, through ``__setattr__``)
                )

    @property
    def dtype_policy(self) -> DTypePolicy:
        """``<DTypePolicy "float32">``: keras_lite computes and stores float32 only."""
        return FLOAT32

    # ---- the build, as Keras records it ---------------------------------------------------------------
    def _built_on(self) -> Any:
        """The input shape Keras's ``build()`` would have received, or None where it never ran."""
        if self._build_shape is not None:
            return self._build_shape
        if self._built_at_construction or not self.built:  # type: ignore[attr-defined]
            return None
        inbound = self._inbound  # type: ignore[attr-defined]
        if inbound is not None:  # called on KerasTensors: Keras builds it on their shapes
            shapes = [tuple(t.shape) for t in inbound[0]]
            return shapes if inbound[1] else shapes[0]
        try:
            return self.input_shape  # type: ignore[attr-defined]
        except AttributeError:
            return None

    def _built_alone_on(self, shape: tuple[int, ...]) -> None:
        """Record that the layer was built on its own on data of ``shape`` (a file's ``build_config`` of rows it
        saw before a model took it), which it then reports, as Keras's layer built from that config does."""
        self._build_shape = shape

    def _build_for_call(self, shape: tuple[int, ...]) -> None:
        """Build the layer for a call on an array of ``shape``, which Keras records as the build's shape where
        the layer has a ``build()`` of its own (a Dropout's call records nothing)."""
        before = self._build_shape
        self.build((None, shape[-1]))  # type: ignore[attr-defined]
        self._build_shape = before if self._built_at_construction else tuple(shape)

    def get_build_config(self) -> dict[str, Any] | None:
        """``{"input_shape": shape}``: the shape the layer was built on (None if it never ran a build)."""
        shape = self._built_on()
        return None if shape is None else {"input_shape": shape}

    def build_from_config(self, config: dict[str, Any]) -> None:
        """Build the layer as ``get_build_config()`` of another layer describes (nothing for an empty one)."""
        if config:
            if "input_shape" in config:
                self.build(config["input_shape"])  # type: ignore[attr-defined]
            elif "shapes_dict" in config:
                self.build(**config["shapes_dict"])  # type: ignore[attr-defined]

    def _scope(self) -> str:
        """``"<sequential>/<name>"`` in a Sequential, else the name (and the name for good once the layer is
        built on its own, as Keras fixes it then): the start of its weights' paths."""
        model = None if self._built_alone else self._model_name(for_path=True)  # type: ignore[attr-defined]
        return f"{model}/{self.name}" if model else self.name

    @property
    def path(self) -> str | None:
        """The layer's name scope when it was built (None if it never ran a build), as Keras's."""
        return None if self._built_on() is None else self._scope()

    # ---- shapes --------------------------------------------------------------------------------------
    def _input_spec_of(self, built_on: Any) -> Any:
        """The layer's ``InputSpec`` given the shape it was built on (None: not built); None for most layers."""
        return None

    @property
    def input_spec(self) -> Any:
        """The ``InputSpec`` Keras's layer holds (None for most layers; Dense's, BatchNormalization's, PReLU's
        and Flatten's)."""
        return self._input_spec_of(self._built_on())

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The shape of the output for inputs of ``input_shape``: the same for a layer that keeps shapes."""
        return input_shape

    # ---- losses and metrics --------------------------------------------------------------------------
    def _weight_penalties(self) -> list[Any]:
        """The penalty of each trainable weight that has a regularizer (``<weight>_regularizer``), in order."""
        out = []
        for v in self.trainable_weights:  # type: ignore[attr-defined]
            regularizer = getattr(self, f"{v.name}_regularizer", None)
            if regularizer is not None:
                out.append(regularizer(v.numpy()))
        return out

    @property
    def losses(self) -> list[Any]:
        """Keras's ``layer.losses``: the activity regularizer's penalty of the layer's last call on arrays (its
        output's, divided by the batch's rows), then each trainable weight's regularization penalty; float32
        scalars."""
        return [*self._activity_losses, *self._weight_penalties()]

    def _called_on(self, out: Tensor) -> Tensor:
        """Keep the activity penalty of ``out``, the output of a call on arrays (Keras 3.14+ divides it by the
        rows); returns ``out``."""
        regularizer = self.activity_regularizer
        if regularizer is not None:
            rows = np.float32(out.shape[0]) if out.ndim else np.float32(1)
            penalty = np.float32(regularizer(out))
            value = penalty / rows if rows else np.float32(0)  # Keras's divide_no_nan
            self._activity_losses = (np.asarray(value, dtype=np.float32).view(Tensor),)
            _HOLDING.add(weakref.ref(self, _HOLDING.discard))
        return out

    @property
    def metrics(self) -> list[Any]:
        """[]: keras_lite layers track no metrics (Keras's ``add_metric`` is not supported)."""
        return []

    @property
    def metrics_variables(self) -> list[Any]:
        """[]: the variables of the layer's metrics, of which it has none."""
        return []


# Weak references to the layers that keep an activity penalty, so that a call of a model that has none costs
# nothing to clear. A plain set (a reference removes itself when its layer goes) rather than a WeakSet, whose
# truth test runs Python code: the predict fast path tests it on every call.
_HOLDING: set[weakref.ref[Any]] = set()


def forget_activity_losses(root: Any) -> None:
    """Drop the activity penalties ``root`` (a layer or model) and its layers keep, as Keras does at every
    outer call of a layer or model (on arrays or KerasTensors, a model's build): keras_lite's ``model(x)``
    runs in its core, which computes no per-layer penalty, so nothing replaces them."""
    if not _HOLDING:
        return
    pending = [root]
    while pending:
        layer = pending.pop()
        held = weakref.ref(layer)
        if held in _HOLDING:
            layer._activity_losses = ()
            _HOLDING.discard(held)
        pending.extend(getattr(layer, "_layers", None) or ())
