"""Keras 3's model attributes that describe a model rather than run it: ``losses``, ``compute_output_shape``,
``supports_masking``, ``dtype_policy``, ``path``, ``get_build_config`` / ``build_from_config``, ``input_spec``.

``ModelAttributes`` is a base of ``Model``; `Sequential` and `Functional` say how they were built
(``_build_input_shape``) and walk their layers for ``compute_output_shape`` (``sequential_output_shape``,
``functional_output_shapes``), as Keras's ``models/sequential.py`` and ``models/functional.py`` do.
"""

from __future__ import annotations

from typing import Any

from .._dtype_policy import FLOAT32, DTypePolicy


class ModelAttributes:
    """What ``Model`` adds of Keras's descriptive API (see the module's docstring)."""

    name: str
    supports_masking = False  # as Keras's Sequential and Functional models
    # Keras's defaults, which keras_lite's models keep (see ``LayerAttributes``).
    activity_regularizer = None
    autocast = True
    quantization_mode = None
    # Keras 3's flags a callback sets to end an evaluate() or predict() after the current batch.
    stop_evaluating = False
    stop_predicting = False
    # The ``training`` given to its call on tensors as a layer of a graph (None: not given), for the config.
    _given_training: Any = None

    @property
    def dtype_policy(self) -> DTypePolicy:
        """``<DTypePolicy "float32">``: keras_lite computes and stores float32 only."""
        return FLOAT32

    @property
    def input_spec(self) -> Any:
        """None for a Sequential, as Keras's."""
        return None

    def _build_input_shape(self) -> Any:
        """The input shape the model was built on, ``(None, ...)``; None until it is built."""
        return None

    @property
    def path(self) -> str | None:
        """The model's name once it is built (None before; a Sequential whose layers were all popped keeps
        it), as Keras's."""
        built = self.built or self._build_input_shape() is not None  # type: ignore[attr-defined]
        return self.name if built else None

    def get_build_config(self) -> dict[str, Any] | None:
        """``{"input_shape": (None, ...)}`` once a Sequential is built (None before), ``{"input_shape": None}``
        for a Functional model, as Keras gives them."""
        shape = self._build_input_shape()
        return None if shape is None else {"input_shape": shape}

    def build_from_config(self, config: dict[str, Any]) -> None:
        """Build the model as ``get_build_config()`` describes (a Functional model is built already)."""
        build = getattr(self, "build", None)  # (a Functional model has none: Keras's marks it built)
        if config and config.get("input_shape") is not None and build is not None:
            build(config["input_shape"])

    @property
    def losses(self) -> list[Any]:
        """Keras's ``model.losses``: each layer's activity-regularizer penalty of its last call on arrays on its
        own, then the regularization penalty of each trainable weight that has a regularizer; float32 scalars.
        (keras_lite's ``model(x)`` does not keep its layers' activity penalties, which Keras lists after it.)"""
        layers = self._layers  # type: ignore[attr-defined]
        activity = [loss for layer in layers for loss in layer._activity_losses]
        if not self.trainable:  # type: ignore[attr-defined]  # (no trainable weights, so no penalties)
            return activity
        return [*activity, *(loss for layer in layers for loss in layer._weight_penalties())]


def _without_last_one(dims: Any) -> tuple[Any, ...]:
    """``dims`` as a tuple, less a last axis of size 1 (which a model input's check does not hold against)."""
    dims = tuple(dims)
    return dims[:-1] if dims and dims[-1] == 1 else dims


def _check_input(index: int, name: str, model: str, expected: tuple[Any, ...], given: Any) -> None:
    """Refuse ``given`` for a model input of shape ``expected`` as Keras does: a last axis of 1 is left out of
    both, then an axis whose size both know and differ on is an error (the message shows ``given`` less that
    last axis)."""
    found, wanted = _without_last_one(given), _without_last_one(expected)
    if any(a is not None and b is not None and a != b for a, b in zip(wanted, found)):
        raise ValueError(
            f"Input {index} with name '{name}' of layer '{model}' is incompatible with the layer: expected "
            f"shape={tuple(expected)}, found shape={found}"
        )


def input_source(model: Any) -> Any:
    """A Sequential's InputLayer: its ``keras.Input``'s, else the one it made when built (named then, as Keras
    names it), else None."""
    return model._input_layer or getattr(model, "_graph_input", None)


def sequential_output_shape(model: Any, input_shape: Any) -> Any:
    """``Sequential.compute_output_shape``: once built, the input checked against the model's as Keras's inner
    Functional model (named ``functional``) checks it; then each layer's output shape in turn."""
    built = model._build_input_shape()
    if built is not None:
        source = input_source(model)
        name = "input_layer" if source is None else source.name
        _check_input(0, name, "functional", built, input_shape)
    if not model._items:
        raise ValueError(f"Sequential model {model.name!r} has no layers to compute an output shape with.")
    for item in model._items:
        input_shape = item.compute_output_shape(input_shape)
    return input_shape


def functional_output_shapes(model: Any, input_shape: Any) -> list[Any]:
    """``Functional.compute_output_shape``: the shapes in the structure of ``model.input`` (a dict by input
    name), each checked against its input's, then each layer's output shape in graph order; the outputs'
    (which the model puts in the structure of ``model.output``)."""
    structure = model._input_structure
    if isinstance(input_shape, dict):  # by key for a dict-built model, else by input name, as Keras's
        keys = (
            sorted(structure)
            if isinstance(structure, list)
            else [t._keras_history[0].name for t in model._inputs]
        )
        shapes = keyed_values(input_shape, keys)
    elif structure is None or len(model._inputs) == 1 and _is_shape(input_shape):
        shapes = [input_shape]  # (a model of one input takes its shape on its own, whatever it was made with)
    else:
        shapes = list(input_shape)  # (in the order of model.inputs: a dict-built model's by sorted key)
    if len(shapes) != len(model._inputs):
        raise ValueError(
            f"Model {model.name!r} has {len(model._inputs)} inputs, so it takes {len(model._inputs)} input shapes. "
            f"Received: input_shape={input_shape!r}"
        )
    known: dict[int, Any] = {}
    for i, (tensor, shape) in enumerate(zip(model._inputs, shapes)):
        _check_input(i, tensor._keras_history[0].name, model.name, tuple(tensor.shape), shape)
        known[id(tensor)] = shape
    for node in model._nodes:
        tensors, as_list = node._inbound
        given = [known[id(t)] for t in tensors]
        known[id(node._outbound)] = node.compute_output_shape(given if as_list else given[0])
    return [known[id(t)] for t in model._outputs]


def keyed_values(given: dict[Any, Any], keys: list[Any]) -> list[Any]:
    """The values of ``given`` (data or shapes by input) in the order of ``keys``; Keras's error for a missing
    key."""
    missing = [k for k in keys if k not in given]
    if missing:
        raise ValueError(
            f'Missing data for input "{missing[0]}". You passed a data dictionary with keys {list(given)}. '
            f"Expected the following keys: {keys}"
        )
    return [given[k] for k in keys]


def _is_shape(value: Any) -> bool:
    """Whether ``value`` is one shape (sizes and Nones) rather than a list of shapes."""
    return isinstance(value, (tuple, list)) and all(d is None or isinstance(d, int) for d in value)
