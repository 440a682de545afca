"""A model inside a ``Sequential`` (a nested model): ``Sequential([model, Softmax()])``, ``Sequential([encoder,
decoder])``.

The outer model lists the inner one as one of its layers (``layers``, ``summary``, ``get_config``, saving, as Keras
does) and computes with the inner model's own layers, in order, in its one core network; the inner model keeps
them too, and the two share their weights (``_ownership``). An inner model is a ``Sequential`` or a Functional
model that is a chain from one input; it stays usable on its own, but its structure is fixed while it is inside
another model.
"""

from __future__ import annotations

import math
import weakref
from typing import TYPE_CHECKING, Any

from .._errors import received
from .._unsupported import NotSupportedError
from ..layers import Layer

if TYPE_CHECKING:
    from ._model import Model


def check_item(outer: Model, inner: Model) -> None:
    """Refuse a model that cannot be put in ``outer``: a graph, one without layers, ``outer`` itself or a model
    that holds it."""
    chain = getattr(inner, "_sequential_like", None)  # a Functional model's test
    if not inner._single_input or (chain is not None and not chain()):
        raise NotSupportedError(
            "keras_lite puts a Functional model inside a Sequential model only when it is a chain of layers "
            f"from one input: call its layers on the outer model's tensors instead. {received('layer', inner)}"
        )
    if not inner._layers:
        raise ValueError(f"Model {inner.name!r} has no layers to add. {received('layer', inner)}")
    if inner is outer or any(m is outer for m in nested_models(inner)):
        raise ValueError(f"A model cannot contain itself. {received('layer', inner)}")


def nested_models(model: Model) -> list[Model]:
    """Every model inside ``model``, at any depth."""
    out: list[Model] = []
    for item in getattr(model, "_items", ()):
        if not isinstance(item, Layer):
            out += [item, *nested_models(item)]
    return out


def check_once(layers: list[Layer], model: Model) -> None:
    """Refuse a layer that would appear twice in one model's network (two nested models sharing a layer)."""
    seen: set[int] = set()
    for layer in layers:
        if id(layer) in seen:
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


def output_width(model: Model, width: int) -> int:
    for layer in model._layers:
        width = layer._output_width(width)
    return width


def summary_row(model: Model) -> tuple[str, str, str, int | None]:
    """A nested model's row in its outer model's summary: ``(name, class, output shape, params)``."""
    layers = model._layers
    if not all(layer.built and layer._input_width is not None for layer in layers):
        return model.name, type(model).__name__, "?", None
    last = layers[-1]
    shape = (None, last._output_width(int(last._input_width)))  # type: ignore[arg-type]
    return model.name, type(model).__name__, str(shape), sum(layer.count_params() for layer in layers)


def enter(inner: Model, outer: Model) -> None:
    """Record that ``outer`` holds ``inner`` (see ``refuse_change``)."""
    inner.__dict__.setdefault("_parents", weakref.WeakSet()).add(outer)


def check_inputs(items: list[Any], width: int) -> None:
    """Refuse a nested model whose declared input is not the width its place in ``items`` gives it."""
    for item in items:
        if not isinstance(item, Layer):  # a nested model
            dims = input_dims(item)
            if dims is not None and math.prod(dims) != width:
                raise ValueError(
                    f"Input 0 of layer {item.name!r} is incompatible with the layer: expected shape={(None, *dims)}, "
                    f"found shape={(None, width)}"
                )
            width = output_width(item, width)
        else:
            width = item._output_width(width)


def refuse_change(model: Model, what: str) -> None:
    """Refuse to change the structure of a model that is inside another model now."""
    for parent in list(getattr(model, "_parents", ())):
        if any(item is model for item in getattr(parent, "_items", ())):
            raise ValueError(
                f"Cannot {what} model {model.name!r}: it is inside model {parent.name!r}, which computes with its "
                f"layers. Change {parent.name!r} instead, or build a new model."
            )
