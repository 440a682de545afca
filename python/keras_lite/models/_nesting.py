"""A model inside another (a nested model): among a ``Sequential``'s layers (``Sequential([model, Softmax()])``,
``Sequential([encoder, decoder])``), or called on a Functional model's tensors (``decoder(encoder(inputs))``).

The outer model lists the inner one as one of its layers (``layers``, ``summary``, ``get_config``, saving, as Keras
does) and computes with the inner model's own layers, wired in its place (``_network.Wiring``), in its one core network;
the inner model keeps them too, and the two share their weights (``_ownership``). An inner model has one input;
it stays usable on its own, but its structure is fixed while it is inside another model.
"""

from __future__ import annotations

import math
import weakref
from typing import TYPE_CHECKING, Any

from .._errors import received
from .._unsupported import NotSupportedError
from ..layers import Layer
from ..layers._flatten import shaped_prefix
from ..layers._keras_tensor import KerasTensor, _symbolic_call

if TYPE_CHECKING:
    from ._model import Model


def check_item(outer: Model, inner: Model) -> None:
    """Refuse a model that cannot be put in ``outer``: one with several inputs, one without layers, ``outer``
    itself or a model that holds it."""
    if not inner._single_input:
        raise NotSupportedError(
            "keras_lite puts a model with one input inside a Sequential model only: call a model with several "
            f"on the outer model's tensors in a Functional model instead. {received('layer', inner)}"
        )
    if not inner._layers:
        raise ValueError(f"Model {inner.name!r} has no layers to add. {received('layer', inner)}")
    if inner is outer or any(m is outer for m in nested_models(inner)):
        raise ValueError(f"A model cannot contain itself. {received('layer', inner)}")


def nested_models(model: Model) -> list[Model]:
    """Every model inside ``model``, at any depth."""
    out: list[Model] = []
    for item in items_of(model):
        if not isinstance(item, Layer):
            out += [item, *nested_models(item)]
    return out


def check_once(layers: list[Layer], model: Model, known: set[int] | None = None) -> None:
    """Refuse a layer that would appear twice in one model's network (two nested models sharing a layer);
    ``known``: the ids of the layers the network holds already, when ``layers`` are only those added."""
    seen: set[int] = set()
    for layer in layers:
        if id(layer) in seen or (known is not None and id(layer) in known):
            raise NotSupportedError(
                f"keras_lite does not support using layer {layer.name!r} twice in model {model.name!r} (its "
                "weights shared within one model) yet: nested models must not share layers."
            )
        seen.add(id(layer))


def input_dims(model: Model) -> tuple[int, ...] | None:
    """The input shape (without the batch axis) ``model`` declares or was built on, None if it has none yet."""
    inputs = getattr(model, "_inputs", None)
    if inputs is not None:  # a Functional model
        return tuple(inputs[0].shape[1:])
    input_layer = getattr(model, "_input_layer", None)
    if input_layer is not None:
        return tuple(input_layer.shape)
    return None if model._net is None else (int(model._net.input_dim),)


class AsLayer:
    """What a model needs to be one of another model's layers: a width in and out, and its call on tensors."""

    _inbound: Any = None  # (the KerasTensors it was called on, whether as a list): in a Functional model
    _outbound: Any = None  # (the KerasTensor that call made)
    _layers: list[Layer]
    _single_input: bool
    name: str

    def _output_width(self, width: int) -> int:
        """The output width on inputs of ``width``."""
        for layer in self._layers:
            width = layer._output_width(width)
        return width

    # A model called on a tensor of several dimensions flattens it (``_takes_shapes``); it never keeps its shape.
    _keeps_shapes = False

    @property
    def _takes_shapes(self) -> bool:
        """Whether it takes inputs of several dimensions (its first layer is a Flatten, or follows layers that
        keep the input's shape)."""
        entry = shaped_prefix(self._layers)[1]
        return entry is not None and bool(entry._takes_shapes)

    def _check_width(self, width: int, shape: tuple[Any, ...]) -> None:
        dims = input_dims(self)  # type: ignore[arg-type]
        if dims is not None and math.prod(dims) != width:
            raise ValueError(
                f"Input 0 of layer {self.name!r} is incompatible with the layer: expected shape={(None, *dims)}, "
                f"found shape={shape}"
            )
        if self._layers:
            self._layers[0]._check_width(width, shape)


def called_io(model: Model, which: str) -> Any:
    """A Sequential's ``input`` (``which``) or ``output``: from its call on tensors, as Keras 3.15 gives them;
    Keras's AttributeError for a model never called so (building it, fitting it, or calling it on arrays is
    no such call)."""
    if model._inbound is None:
        raise AttributeError(f"The layer {model.name} has never been called and thus has no defined {which}.")
    return model._outbound if which == "output" else model._inbound[0][0]


def call_on_tensors(model: Model, inputs: Any) -> Any:
    """``model(keras.Input(...))``: the model as one layer of the Functional model being built (a model with
    several inputs takes a list of tensors in its inputs' order, or a dict by their names)."""
    if not model._layers:
        raise ValueError(f"Model {model.name!r} has no layers to call.")
    if not model._single_input:
        tensors = _tensors_for(model, inputs)
        out = _symbolic_call(model, tensors, lambda widths, _: _widths_in(model, widths))  # type: ignore[arg-type]
        graph: Any = model  # (a Functional model: only those have several inputs)
        if isinstance(graph._input_structure, list):  # a dict-built model: called by name, as Keras calls it
            graph._inbound = (tensors, graph._input_names())
        return out
    keys = getattr(model, "_input_structure", None)  # (a model built on a dict of one input: its key)
    if isinstance(inputs, dict) and isinstance(keys, list) and sorted(inputs) == sorted(keys):
        inputs = next(iter(inputs.values()))  # called in its own structure, as Keras calls it
    tensor = inputs[0] if isinstance(inputs, (list, tuple)) and len(inputs) == 1 else inputs
    if model._net is None and isinstance(tensor, KerasTensor) and len(tensor.shape) == 2:
        model._check_width(tensor._width, tensor.shape)
        model._build_on_use(tensor._width)  # built where it is called, as Keras builds it
    return _symbolic_call(model, inputs)  # type: ignore[arg-type]


def _tensors_for(model: Any, inputs: Any) -> list[Any]:
    """The tensors a call of a model with several inputs gives, in ``model.inputs`` order."""
    names = model._input_names()
    if isinstance(inputs, dict):
        if sorted(inputs) != sorted(names):
            raise ValueError(
                f"Model {model.name!r} takes inputs named {names}. Received: inputs with keys {list(inputs)}"
            )
        return [inputs[name] for name in names]
    if not isinstance(inputs, (list, tuple)) or len(inputs) != len(names):
        count = len(inputs) if isinstance(inputs, (list, tuple)) else 1
        raise ValueError(
            f"Model {model.name!r} expects {len(names)} input tensors ({names}), a list in that order or a dict "
            f"by name, but it received {count}. Received: inputs={inputs!r}"
        )
    return list(inputs)


def _widths_in(model: Any, widths: list[int]) -> int:
    """Check the widths of the tensors a model of several inputs is called on; its output's width."""
    for i, (width, t) in enumerate(zip(widths, model.inputs)):
        if width != t._width:
            raise ValueError(
                f"Input {i} of layer {model.name!r} is incompatible with the layer: expected shape={t.shape}, "
                f"found shape={(None, width)}"
            )
    return int(model.outputs[0]._width)


def enter(inner: Model, outer: Model) -> None:
    """Record that ``outer`` holds ``inner`` (see ``refuse_change``)."""
    inner.__dict__.setdefault("_parents", weakref.WeakSet()).add(outer)


def prepare(items: list[Any], width: int) -> None:
    """Refuse a nested model whose declared input is not the width its place in ``items`` gives it; then build
    each nested model not built yet for that width, as Keras builds a model the model around it builds."""
    widths = []
    for item in items:
        if not isinstance(item, Layer):  # a nested model
            item._check_width(width, (None, width))
            widths.append((item, width))
        width = item._output_width(width)
    for item, width in widths:
        item._build_on_use(width)


def items_of(model: Model) -> list[Any]:
    """A model's layers and nested models: a Sequential's as given, a Functional's nodes."""
    return getattr(model, "_items", getattr(model, "_nodes", []))  # type: ignore[no-any-return]


def refuse_change(model: Model, what: str) -> None:
    """Refuse to change the structure of a model that is inside another model now."""
    for parent in list(getattr(model, "_parents", ())):
        if any(item is model for item in items_of(parent)):
            raise ValueError(
                f"Cannot {what} model {model.name!r}: it is inside model {parent.name!r}, which computes with its "
                f"layers. Change {parent.name!r} instead, or build a new model."
            )
