"""What ``model.summary()`` and ``model.get_layer()`` read from a model: its layers' rows and names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _keras_weights
from .._summary import print_summary, weights_size
from ..layers import InputLayer, Layer

if TYPE_CHECKING:
    from ._model import Model


Row = tuple[str, str, str, "int | None"]


def rows(
    items: list[Any], expand: bool, level: int = 0, layer_range: Any = None
) -> list[tuple[Row, Any, int]]:
    """One summary row per layer (an InputLayer, a layer or a nested model): ``(name, class, output shape,
    params)``, params None if unbuilt; with ``expand``, a nested model's own rows after its row, their names
    indented as Keras indents them. Each row comes with its layer and its nesting level (0: the model's own).
    ``layer_range`` picks some of ``items`` (see `layer_index_range`)."""
    first, stop = layer_index_range(items, layer_range)
    items = items[first:stop]
    prefix = "   " * level + "└ " if level else ""
    out: list[tuple[Row, Any, int]] = []
    for item in items:
        name, cls = prefix + item.name, type(item).__name__
        if isinstance(item, InputLayer):
            out.append(((name, cls, str((None, *item.shape)), 0), item, level))
        elif not isinstance(item, Layer):  # a nested model
            out.append(((name, cls, *_nested_shape_and_params(item)), item, level))
            if expand:
                out += rows(item.layers, expand, level + 1)
        elif item.built and item._input_width is not None:
            out.append(((name, cls, _output_shape(item), item.count_params()), item, level))
        elif item.built:  # built without weights (Dropout in a model not built yet): Keras counts its 0
            out.append(((name, cls, "?", item.count_params()), item, level))
        else:
            out.append(((name, cls, "?", None), item, level))
    return out


def _output_shape(layer: Layer) -> str:
    """A built layer's output shape: ``(None, units)``, but for a layer built on its own (by ``build`` or
    ``adapt``) in a model not built yet, from the shape it was built on (an adapted Normalization: the data's
    rows), as Keras's summary gives it for a layer no model has called yet."""
    model, shape = layer._live_model(), layer._built_on()
    if not layer._built_alone or model is None or model._net is not None or not isinstance(shape, tuple):
        return str(layer.output_shape)
    return str((*shape[:-1], layer._output_width(int(shape[-1]))))


def _nested_shape_and_params(model: Model) -> tuple[str, int | None]:
    """A nested model's output shape and parameter count, from its layers (``"?"``, None until they are built)."""
    layers = model._layers
    if not all(layer.built and layer._input_width is not None for layer in layers):
        return "?", None
    last = layers[-1]
    shape = (None, last._output_width(int(last._input_width)))  # type: ignore[arg-type]
    return str(shape), sum(layer.count_params() for layer in layers)


def trainable_mark(layer: Any) -> str:
    """A row's ``Trainable`` text, as Keras's ``summary(show_trainable=True)`` gives it: ``Y`` or ``N`` for a
    layer (or nested model) with weights, by its ``trainable``; ``-`` for one without."""
    if not layer.weights:
        return "-"
    return "Y" if layer.trainable else "N"


def layer_index_range(layers: list[Any], layer_range: Any) -> tuple[int, int]:
    """``summary(layer_range=...)``: the slice of ``layers`` (the model's own, not a nested model's) to show, as
    Keras picks it: the first layer whose name matches ``layer_range[0]`` (a regex, matched at the start of the
    name) through the last that matches ``layer_range[1]``, both included; all of them for None."""
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError(
            "layer_range must be a list or tuple of length 2. "
            f"Received: layer_range={layer_range!r} of length {len(layer_range)}"
        )
    if not all(isinstance(pattern, str) for pattern in layer_range):
        raise ValueError(f"layer_range should contain strings only. Received: layer_range={layer_range!r}")
    first = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    last = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not first or not last:
        raise ValueError(
            "Passed layer_names do not match the layer names in the model. "
            f"Received: layer_range={layer_range!r}"
        )
    # Keras swaps the bounds when the end comes before the start.
    if min(first) > max(last):
        return min(last), max(first) + 1
    return min(first), max(last) + 1


def summary(
    model: Model,
    line_length: Any = None,
    positions: Any = None,
    print_fn: Any = None,
    expand_nested: Any = False,
    show_trainable: Any = False,
    layer_range: Any = None,
) -> None:
    """``model.summary``: the layer table and the parameter counts, in Keras 3's layout; the totals are the
    whole model's whatever ``layer_range`` shows."""
    rows, connected, marks = model._summary_rows(bool(expand_nested), layer_range)
    trainable, trainable_b = weights_size(model.trainable_weights)
    non_trainable, non_trainable_b = weights_size(model.non_trainable_weights)
    opt_params = None
    opt = model._optimizer
    if opt is not None and model._net is not None and opt._has_slots:
        per_value, extra = _keras_weights.slot_counts(opt)
        n = per_value * trainable + extra
        # iteration (int64, 8 bytes) and learning_rate (float32, none for a schedule) as Keras counts them.
        opt_params = (n + 2, 4 * n + 12) if opt._schedule is None else (n + 1, 4 * n + 8)
    print_summary(
        model.name,
        rows,
        (trainable + non_trainable, trainable_b + non_trainable_b),
        (trainable, trainable_b),
        (non_trainable, non_trainable_b),
        optimizer_params=opt_params,
        line_length=line_length,
        print_fn=print_fn,
        connected=connected,
        trainable_marks=marks if bool(show_trainable) else None,
        positions=positions,
    )


def get_layer(model: Model, name: str | None, index: int | None) -> Layer:
    """``model.get_layer(name=..., index=...)``, with Keras 3's messages."""
    layers = model.layers
    if name is not None and index is not None:
        raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, name={name}.")
    if index is not None:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"index must be an integer. Received: index={index!r}")
        if index < -len(layers):  # Keras indexes its list of layers: an IndexError
            raise IndexError(f"layer index {index} is out of range for a model of {len(layers)} layers")
        if index >= len(layers):
            raise ValueError(
                f"Was asked to retrieve layer at index {index} but model only has {len(layers)} layers."
            )
        return layers[index]
    if name is not None:
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}.")
    raise ValueError("Provide either a layer name or layer index at `get_layer`.")
