"""A Sequential model's ``config.json`` tree, read: its input, then its layers, a nested model's tree read as that
model (``_keras_config_write.sequential_config`` writes such trees; the layers themselves are read by
``_keras_config_read``)."""

from __future__ import annotations

import math
import threading
from typing import Any

from . import layers as L
from ._errors import FormatError
from ._keras_config_read import _check_dtype, _dict, _input_shape, compile_from_config, layer_from_config
from ._unsupported import file_error

# The model classes by Keras class name (``Sequential``, ``Functional``), filled in by ``models``, which import this.
MODEL_CLASSES: dict[str, Any] = {}

# Models nested deeper than this are refused: a file cannot make the reader recurse without end.
_MAX_DEPTH = 32
_nesting = threading.local()


def _item_from_config(item: Any, index: int, training_only: list[str] | None, budget: int | None) -> Any:
    """A layer, or the model nested in its place, read with ``budget`` (the parameters the file's weights can
    still hold; see ``spent``) as its ``max_params``."""
    if not isinstance(item, dict) or str(item.get("class_name")) not in MODEL_CLASSES:
        return layer_from_config(item, index, training_only)
    depth = getattr(_nesting, "depth", 0)
    if depth >= _MAX_DEPTH:
        raise FormatError(f"layer {index} nests models more than {_MAX_DEPTH} deep")
    cls = MODEL_CLASSES[item["class_name"]]
    model = cls.__new__(cls)
    _nesting.depth = depth + 1
    try:
        model._init_from_config(item, budget, training_only)
    finally:
        _nesting.depth = depth
    compile_config = item.get("compile_config")
    if compile_config and not training_only:
        # As Keras's deserialization of a model: a nested model compiled when it was saved comes back compiled
        # (a new optimizer, built like a loaded model's; keras_lite's files hold no nested optimizer state).
        compile_from_config(model, compile_config)
        if model._optimizer is not None:
            model._optimizer._built_on_load = model.built
    return model


def spent(item: Any) -> int:
    """The parameters a model read as a nested one already holds (built on the input its config gives it), which
    the models around it count no more; 0 for a layer or a model built later."""
    return 0 if isinstance(item, L.Layer) or not item.built else int(item.count_params())


def least_params(items: list[Any], width: int) -> int:
    """A lower bound on the parameters of ``items`` on inputs of ``width`` (exact but for biases and BN's
    optional centre and scale): what the weights must hold, whatever else the config says. A nested model built
    as it was read counts for nothing here (``spent``)."""
    total = 0
    for item in items:
        if not isinstance(item, L.Layer):  # a nested model: a Sequential until it is built
            total += 0 if item.built else least_params(item._items, width)
        elif isinstance(item, L.Dense):
            total += width * item.units
        elif isinstance(item, L.BatchNormalization):
            total += 2 * width  # the moving mean and variance
        width = item._output_width(width)
    return total


def keras2_input_shape(item: Any) -> tuple[Any, Any]:
    """A layer's entry without the ``batch_input_shape`` tf.keras 2 writes into the first layer's config (its
    ``input_shape`` argument), and that shape (None where it has none)."""
    cfg = item.get("config") if isinstance(item, dict) else None
    if not isinstance(cfg, dict) or "batch_input_shape" not in cfg or item.get("class_name") == "InputLayer":
        return item, None
    cfg = dict(cfg)
    return {**item, "config": cfg}, cfg.pop("batch_input_shape")


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
        raise file_error(
            f"the model is a {tree.get('class_name')!r}; keras_lite loads Sequential models only",
            kind="models",
            name=tree.get("class_name"),
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
    layers: list[Any] = []
    budget = max_params
    for i, item in enumerate(items):
        item, shape = keras2_input_shape(item)
        if shape is not None and dims is None and i == 0:
            dims = _input_shape(shape, "the model")
        layers.append(_item_from_config(item, i, training_only, budget))
        budget = None if budget is None else budget - spent(layers[-1])
    width = None if dims is None else math.prod(dims)
    if width is not None and budget is not None:
        least = least_params(layers, width)
        if least > budget:
            raise FormatError(
                f"the config describes a model of at least {least:,} parameters on inputs of width {width:,}, "
                f"more than the file's weights can hold ({max_params:,})"
            )
    if dims is not None:
        layers.insert(0, L.Input(shape=dims, name=input_name))
    return layers, bool(cfg.get("trainable", True)), cfg.get("name")
