"""``KerasTensor``, what ``keras.Input`` and a layer called on one return: a symbolic ``(None, width)`` value
that records which layer made it, from which inputs (the Functional API's graph)."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from .._errors import received
from .._unsupported import NotSupportedError
from ._attributes import forget_activity_losses
from ._tensor_ops import TensorOps

if TYPE_CHECKING:
    from ._layer import Layer

# Names handed to tensors that are not inputs, as Keras 3 names them (keras_tensor, keras_tensor_1, ...).
_tensor_counts: dict[str, int] = defaultdict(int)


class KerasTensor(TensorOps):
    """A symbolic ``(None, width)`` value: ``keras.Input(...)``, or a layer called on such values.

    ``_keras_history`` is ``(layer, node_index, tensor_index)``: the layer that made it (an ``InputLayer`` for
    an input); keras_lite layers are called once, so both indices are 0, and the layer keeps the tensors it
    was called on (``_inbound``) and the one it made (``_outbound``).
    """

    def __init__(self, layer: Layer, width: int | tuple[int, ...], name: str | None = None) -> None:
        self._keras_history = (layer, 0, 0)
        # (None, width); an Input may have several dimensions, (None, 28, 28), which only a Flatten reads.
        self.shape: tuple[Any, ...] = (None, *width) if isinstance(width, tuple) else (None, width)
        self.dtype = "float32"
        if name is None:
            n = _tensor_counts["keras_tensor"]
            _tensor_counts["keras_tensor"] += 1
            name = "keras_tensor" if n == 0 else f"keras_tensor_{n}"
        self.name = name

    @property
    def _width(self) -> int:
        """The number of features: the width, or the product of an input's dimensions."""
        return math.prod(self.shape[1:])

    sparse = ragged = False

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, sparse=False, ragged=False, name={self.name}>"


def _functional_call(what: str) -> NotSupportedError:
    """The error for ``model(keras.Input(...), training=True)``: a graph's layers run in training mode when it
    trains, and in inference mode otherwise, whatever a call says."""
    return NotSupportedError(
        f"keras_lite does not support calling {what} on keras.Input tensors with training=True yet: call it "
        "without `training` (or with training=False); fit trains it in training mode."
    )


def _symbolic(inputs: Any) -> bool:
    items = (
        inputs.values() if isinstance(inputs, dict) else inputs if isinstance(inputs, (list, tuple)) else ()
    )
    return isinstance(inputs, KerasTensor) or any(isinstance(i, KerasTensor) for i in items)


def _symbolic_call(layer: Layer, inputs: Any, width_of: Any = None, training: Any = None) -> KerasTensor:
    """``layer(inputs)`` on KerasTensors: check the widths, record the call (and a ``training`` given to it, which
    Keras's config keeps), return the output tensor.

    Merge layers take a list of tensors, and so does a model of several inputs (``width_of(widths, is_list)``
    checks its tensors' widths and gives its output's); every other layer takes one tensor. A layer is called
    once: calling it again (which shares its weights in Keras) is refused.
    """
    forget_activity_losses(layer)  # (an outer call, on KerasTensors: Keras clears its penalties)
    merge_width = getattr(layer, "_merge_width", None) or width_of  # merge layers and multi-input models
    merges = merge_width is not None
    if isinstance(inputs, dict):
        raise ValueError(
            f"Layer {layer.name!r} ({type(layer).__name__}) takes a tensor or a list of tensors, not a dict. "
            f"Received: inputs={inputs!r}"
        )
    if isinstance(inputs, (list, tuple)):
        tensors = list(inputs)
        bad = [t for t in tensors if not isinstance(t, KerasTensor)]
        if bad:
            raise ValueError(
                f"Layer {layer.name!r} was called on a list that mixes symbolic tensors and other values: "
                f"every item must be a KerasTensor. Received: {bad[0]!r} of type {type(bad[0]).__name__}"
            )
        if not merges and len(tensors) != 1:
            raise ValueError(
                f"Layer {layer.name!r} ({type(layer).__name__}) expects 1 input, but it received "
                f"{len(tensors)} input tensors. Received: inputs={tensors!r}"
            )
    else:
        tensors = [inputs]
    if layer._inbound is not None:
        raise NotSupportedError(
            f"keras_lite does not support calling a layer twice (sharing its weights) yet: layer "
            f"{layer.name!r} was already called on {layer._inbound[0]!r}{graph_call(layer)}. Create a new "
            "layer for each call."
        )
    shaped = [t for t in tensors if len(t.shape) > 2]
    if shaped and layer._keeps_shapes and not merges:  # value by value: the shape is kept, for a Flatten
        layer._given_training = training
        layer._inbound = (tensors, isinstance(inputs, (list, tuple)))
        layer._outbound = KerasTensor(layer, tuple(shaped[0].shape[1:]))
        return layer._outbound
    if shaped and not layer._takes_shapes:
        raise NotSupportedError(
            f"keras_lite layers take flat feature vectors (None, width), so layer {layer.name!r} "
            f"({type(layer).__name__}) cannot take the input shape {shaped[0].shape}: put a "
            "keras.layers.Flatten() before it."
        )
    widths = [t._width for t in tensors]
    if merge_width is not None:
        width = merge_width(widths, isinstance(inputs, (list, tuple)))
    else:
        layer._check_width(widths[0], (None, widths[0]))
        width = layer._output_width(widths[0])
    layer._given_training = training
    layer._inbound = (tensors, isinstance(inputs, (list, tuple)))
    layer._called = True
    layer._outbound = KerasTensor(layer, width)
    # Keras's dtype for the output (a Discretization's int bins are int32), which configs record
    layer._outbound.dtype = getattr(layer, "_output_dtype", "float32")
    return layer._outbound


def graph_call(layer: Layer) -> str:
    """Where a layer's call came from, when a ``Sequential`` made it (``Sequential._graph``), for messages."""
    owner = getattr(layer, "_graph_owner", None)
    if owner is None:
        return ""
    return (
        f" (by Sequential {owner!r}, which calls its layers in a graph when its inputs or outputs, or a layer's "
        "input or output, are read)"
    )


def called_tensors(layer: Layer, which: str) -> Any:
    """``layer.input`` (the tensor, or the list, it was called on) or ``layer.output`` (what the call made), as
    Keras gives them: from its call in a graph, or for a layer of a built ``Sequential``, from the graph the
    model makes of its layers (``Sequential._graph``)."""
    model: Any = layer._model_ref() if layer._inbound is None and layer._model_ref is not None else None
    if getattr(model, "_net", None) is not None and hasattr(model, "_graph"):
        model._graph(which)
    if layer._inbound is None:
        raise AttributeError(f"The layer {layer.name} has never been called and thus has no defined {which}.")
    if which == "output":
        return layer._outbound
    tensors, as_list = layer._inbound
    return list(tensors) if as_list else tensors[0]


def _tensor_list(value: Any, arg: str) -> tuple[list[KerasTensor], Any]:
    """``keras.Model``'s ``inputs`` or ``outputs`` as a flat list in Keras's order (a dict's values by sorted
    key) and the structure it came in: ``None`` (one tensor), ``list`` or the dict's keys in their order."""
    if isinstance(value, dict):
        keys = list(value)
        items = [value[k] for k in sorted(keys)]
        structure: Any = keys
    elif isinstance(value, (list, tuple)):
        items, structure = list(value), list
    else:
        items, structure = [value], None
    for item in items:
        if not isinstance(item, KerasTensor):
            raise ValueError(
                f"All `{arg}` values must be KerasTensors. {received(arg, value)} including invalid value "
                f"{item!r} of type {type(item)}"
            )
    if not items:
        raise ValueError(f"A model needs at least one of its {arg}. {received(arg, value)}")
    return items, structure
