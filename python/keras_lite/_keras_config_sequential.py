"""A Sequential model's ``config.json`` tree, read: its input, then its layers, a nested model's tree read as that
model (``_keras_config_write.sequential_config`` writes such trees; the layers themselves are read by
``_keras_config_read``)."""

from __future__ import annotations

import math
from typing import Any

from . import layers as L
from ._errors import FormatError
from ._keras_config_read import _check_dtype, _dict, _input_shape, layer_from_config

# The model classes by Keras class name (``Sequential``, ``Functional``), filled in by ``models``, which import this.
MODEL_CLASSES: dict[str, Any] = {}


def _item_from_config(item: Any, index: int, training_only: list[str] | None) -> Any:
    """A Sequential's layer, or the model nested in its place."""
    if not isinstance(item, dict) or item.get("class_name") not in MODEL_CLASSES:
        return layer_from_config(item, index, training_only)
    cls = MODEL_CLASSES[item["class_name"]]
    model = cls.__new__(cls)
    model._init_from_config(item, None, training_only)
    return model


def _least_params(layers: list[Any], width: int) -> int:
    """A lower bound on the parameters of ``layers`` on inputs of ``width`` (exact but for biases and BN's
    optional centre and scale): what the weights must hold, whatever else the config says."""
    total = 0
    for layer in [inner for item in layers for inner in getattr(item, "_layers", [item])]:
        if isinstance(layer, L.Dense):
            total += width * layer.units
        elif isinstance(layer, L.BatchNormalization):
            total += 2 * width  # the moving mean and variance
        width = layer._output_width(width)
    return total


def sequential_from_config(
    tree: Any, max_params: int | None = None, training_only: list[str] | None = None
) -> tuple[list[Any], bool, Any]:
    """The ``Sequential(layers, trainable, name)`` arguments a config.json tree describes: its layers (an
    ``Input`` first when the tree gives the input width), ``trainable`` and ``name``.

    ``max_params`` (what the file's weights can hold) refuses a config describing a larger model before the core
    allocates it. Settings that change training only (regularizers, constraints, ...) are described in
    ``training_only`` when it is given, and refused otherwise.
    """
    tree = _dict(tree, "config.json")
    if tree.get("class_name") != "Sequential":
        raise FormatError(
            f"the model is a {tree.get('class_name')!r}; keras_lite loads Sequential models only"
        )
    cfg = _dict(tree.get("config"), "the model config")
    _check_dtype(cfg.get("dtype"), "the model")
    items = cfg.get("layers")
    if not isinstance(items, list):
        raise FormatError("the model config has no list of layers")
    dims = None
    input_name = None
    if items and isinstance(items[0], dict) and items[0].get("class_name") == "InputLayer":
        icfg = _dict(items[0].get("config"), "the InputLayer config")
        _check_dtype(icfg.get("dtype"), "the InputLayer")
        dims = _input_shape(icfg.get("batch_shape", icfg.get("batch_input_shape")), "the InputLayer")
        input_name = icfg.get("name")
        items = items[1:]
    else:
        shape = cfg.get("build_input_shape") or (tree.get("build_config") or {}).get("input_shape")
        if shape is not None:
            dims = _input_shape(shape, "the model")
    layers: list[Any] = [_item_from_config(item, i, training_only) for i, item in enumerate(items)]
    width = None if dims is None else math.prod(dims)
    if width is not None and max_params is not None:
        least = _least_params(layers, width)
        if least > max_params:
            raise FormatError(
                f"the config describes a model of at least {least:,} parameters on inputs of width {width:,}, "
                f"more than the file's weights can hold ({max_params:,})"
            )
    if dims is not None:
        layers.insert(0, L.Input(shape=dims, name=input_name))
    return layers, bool(cfg.get("trainable", True)), cfg.get("name")
