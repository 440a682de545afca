"""What ``model.summary()`` and ``model.get_layer()`` read from a model: its layers' rows and names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _keras_weights
from .._errors import received
from .._summary import print_summary, weights_size
from .._unsupported import NotSupportedError

if TYPE_CHECKING:
    from ..layers import Layer
    from ._model import Model


def stack_rows(layers: list[Layer]) -> list[tuple[str, str, str, int | None]]:
    """One summary row per layer of a stack: ``(name, class, output shape, params)``, params None if unbuilt."""
    rows: list[tuple[str, str, str, int | None]] = []
    for layer in layers:
        if layer.built and layer._input_width is not None:
            rows.append((layer.name, type(layer).__name__, str(layer.output_shape), layer.count_params()))
        else:
            rows.append((layer.name, type(layer).__name__, "?", None))
    return rows


def refuse_layout_options(positions: Any, show_trainable: Any, layer_range: Any) -> None:
    """``summary``'s options keras_lite does not lay out, refused rather than ignored."""
    for arg, value, given in (
        ("positions", positions, positions is not None),
        ("show_trainable", show_trainable, bool(show_trainable)),
        ("layer_range", layer_range, layer_range is not None),
    ):
        if given:
            raise NotSupportedError(
                f"keras_lite's summary() prints Keras's default layout; {arg} is not supported. "
                f"{received(arg, value)}"
            )


def summary(model: Model, line_length: Any, print_fn: Any) -> None:
    """``model.summary``: the layer table and the parameter counts, in Keras 3's layout."""
    rows, connected = model._summary_rows()
    trainable, trainable_b = weights_size(model.trainable_weights)
    non_trainable, non_trainable_b = weights_size(model.non_trainable_weights)
    opt_params = None
    opt = model.optimizer
    if opt is not None and model._net is not None and opt.iterations > 0:
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
    )


def get_layer(model: Model, name: str | None, index: int | None) -> Layer:
    """``model.get_layer(name=..., index=...)``, with Keras 3's messages."""
    layers = model.layers
    if name is not None and index is not None:
        raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, name={name}.")
    if index is not None:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"index must be an integer. Received: index={index!r}")
        if not -len(layers) <= index < len(layers):
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
