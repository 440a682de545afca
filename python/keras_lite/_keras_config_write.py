"""Keras 3's ``config.json`` layout, written: keras_lite objects as ``serialize_keras_object`` trees.

The keys and their order are Keras 3.15's (a layer's dtype as its serialized dtype policy, Dense's
``quantization_config``); ``_keras_config_read`` reads such trees back, and older Keras 3 files too.
"""

from __future__ import annotations

import math
from typing import Any

from . import _dtype_policy
from . import layers as L
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from .layers._merge import _Merge


def _obj(module: str, class_name: str, config: Any) -> dict[str, Any]:
    return {"module": module, "class_name": class_name, "config": config, "registered_name": None}


# The layers Keras 3 writes no ``build_config`` for: built when made, they record no input shape.
_UNSHAPED = (L.Dropout, L.GaussianDropout, L.GaussianNoise, L.Reshape)


def layer_config(layer: L.Layer, input_width: int | None) -> dict[str, Any]:
    """One layer as Keras 3.15 serializes it: its ``get_config()`` and, once it knows its input shape, its
    ``build_config``."""
    out = _obj("keras.layers", type(layer).__name__, layer.get_config())
    if isinstance(layer, _Merge):
        if layer._input_widths is not None:
            out["build_config"] = {"input_shape": [(None, w) for w in layer._input_widths]}
        return out
    # The activation layers build nothing, except PReLU, whose alpha is a weight.
    if isinstance(layer, _UNSHAPED) or isinstance(layer, L.Activation) and not isinstance(layer, L.PReLU):
        return out
    # A layer built on its own before the model took it (by adapt(), a call on an array, build()) keeps the
    # shape of that build, as Keras's does (`(21, 3)` for a Normalization adapted on 21 rows).
    if layer._build_shape is not None and not isinstance(layer, L.Flatten):
        out["build_config"] = {"input_shape": tuple(layer._build_shape)}
        return out
    # A Flatten reading an input of several dimensions is built on those; every other layer on its width.
    shape = getattr(layer, "_feature_shape", None) or (None if input_width is None else (input_width,))
    if shape is not None:
        out["build_config"] = {"input_shape": (None, *shape)}
    return out


def sequential_config(
    name: Any, trainable: bool, layers: list[Any], shape: tuple[int, ...] | None, input_name: str | None
) -> dict[str, Any]:
    """A Sequential's config.json tree (without ``compile_config``): its ``InputLayer`` when it is built on
    inputs of ``shape`` (``(width,)``, or the dimensions a Flatten reads), named ``input_name`` (default
    ``input_layer``), then its layers (a nested model's tree in its place)."""
    out_layers: list[dict[str, Any]] = []
    if shape is not None:
        out_layers.append(_input_layer(input_name if input_name is not None else "input_layer", shape))
    w = None if shape is None else math.prod(shape)
    for i, layer in enumerate(layers):
        if isinstance(layer, L.Layer):
            out_layers.append(layer_config(layer, w))
        else:  # a nested model, on the outer model's input shape when it comes first
            dims = shape if i == 0 else None if w is None else (w,)
            out_layers.append(_nested(layer, dims))
        w = layer._output_width(w) if w is not None else None
    cfg: dict[str, Any] = {
        "name": name,
        "trainable": trainable,
        "dtype": _dtype_policy.serialized(),
        "layers": out_layers,
    }
    out = _obj("keras", "Sequential", cfg)
    if shape is not None:
        cfg["build_input_shape"] = (None, *shape)
        out["build_config"] = {"input_shape": (None, *shape)}
    return out


def _nested(model: Any, shape: tuple[int, ...] | None) -> dict[str, Any]:
    """A model nested in another, on inputs of ``shape``: its tree with its ``compile_config`` (``{}`` while it
    is not compiled), which Keras 3 writes for every model it serializes."""
    out = model._keras_config(shape)
    out["compile_config"] = model._keras_compile_config()
    return out


def _input_layer(name: str, shape: tuple[int, ...]) -> dict[str, Any]:
    """An ``InputLayer`` of ``(None, *shape)`` inputs, as Keras 3.15 serializes it."""
    cfg = {"batch_shape": (None, *shape), "dtype": "float32", "sparse": False, "ragged": False, "name": name}
    cfg["optional"] = False
    return _obj("keras.layers", "InputLayer", cfg)


def _tensor(t: L.KerasTensor) -> dict[str, Any]:
    """A KerasTensor as the ``inbound_nodes`` of the layer it feeds name it."""
    history = [t._keras_history[0].name, 0, 0]
    cfg = {"shape": tuple(t.shape), "dtype": t.dtype, "keras_history": history}
    return {"class_name": "__keras_tensor__", "config": cfg}


def _structure(tensors: list[L.KerasTensor], structure: Any) -> Any:
    """``input_layers`` / ``output_layers``: ``[name, node, 0]`` for one tensor, a list of them, or a dict. The
    node is 0, or 1 for a nested Functional model's output: Keras counts the node a Functional model makes of
    itself first (``output_layers`` only; ``inbound_nodes`` leave it out)."""

    def node(layer: Any) -> int:  # (a Functional model is the one kind with an output structure)
        return int(not isinstance(layer, L.Layer) and hasattr(layer, "_output_structure"))

    refs = {id(t): [t._keras_history[0].name, node(t._keras_history[0]), 0] for t in tensors}
    if structure is None:
        return refs[id(tensors[0])]
    if structure is list:
        return [refs[id(t)] for t in tensors]
    by_key = dict(zip(sorted(structure), tensors))  # the tensors are in sorted-key order
    return {k: refs[id(by_key[k])] for k in structure}


def _call_kwargs(layer: Any, called: Any) -> dict[str, Any]:
    """The keyword arguments Keras 3 records for a call on tensors: a ``training`` given (with, for a Functional
    model, its ``mask``), else the defaults of ``training`` (False for Dropout and the noise layers) and
    ``mask`` (None per input: a model's, a Softmax's, a BatchNormalization's), the arguments a layer's ``call``
    has and was not given."""
    given = getattr(layer, "_given_training", None)
    if given is not None:
        functional = not isinstance(layer, L.Layer) and hasattr(layer, "_output_structure")
        return {"training": given, "mask": _model_mask(layer, called)} if functional else {"training": given}
    if isinstance(layer, (L.Dropout, L.GaussianDropout, L.GaussianNoise)):
        return {"training": False}
    if isinstance(layer, (L.Softmax, L.BatchNormalization)):
        return {"mask": None}
    if isinstance(layer, L.Layer):
        return {}
    return {"mask": _model_mask(layer, called)}


def _model_mask(model: Any, called: Any) -> Any:
    """The ``mask`` Keras records for a model's call: None per input it was called on (by name for a model
    called on a dict), or None for one tensor."""
    if isinstance(called, list):
        return {name: None for name in called}
    return [None] * len(model._inbound[0]) if called else None


def functional_config(model: Any) -> dict[str, Any]:
    """A Functional model's config.json tree (without ``compile_config``): every layer (InputLayers included)
    with the tensors it was called on (``inbound_nodes``), then which layers are the inputs and the output."""
    out_layers = []
    for layer in model.layers:
        if isinstance(layer, L.InputLayer):
            item = _input_layer(layer.name, layer.shape)
            item.update(name=layer.name, inbound_nodes=[])
        else:
            # Called on a list (True), on names (a dict-built model: their list), or on one tensor.
            tensors, called = layer._inbound
            if isinstance(called, list):
                args: tuple[Any, ...] = ({name: _tensor(t) for name, t in zip(called, tensors)},)
            else:
                args = ([_tensor(t) for t in tensors],) if called else (_tensor(tensors[0]),)
            if isinstance(layer, L.Layer):
                item = layer_config(layer, tensors[0]._width)
            else:  # a nested model, on the shape of the tensor it was called on
                item = _nested(layer, tuple(tensors[0].shape[1:]))
            item.update(
                name=layer.name, inbound_nodes=[{"args": args, "kwargs": _call_kwargs(layer, called)}]
            )
        out_layers.append(item)
    cfg = {
        "name": model.name,
        "trainable": model.trainable,
        "layers": out_layers,
        "input_layers": _structure(model.inputs, model._input_structure),
        "output_layers": _structure(model.outputs, model._output_structure),
    }
    out = _obj("keras.src.models.functional", "Functional", cfg)
    out.update(registered_name="Functional", build_config={"input_shape": None})
    return out


def optimizer_config(opt: optimizers_module.Optimizer) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "name": opt.name,
        # A schedule is written nested, as Keras 3 writes it (its file then has no learning-rate variable).
        "learning_rate": float(opt.learning_rate)
        if opt._schedule is None
        else optimizers_module.schedules.serialize(opt._schedule),
        "weight_decay": getattr(opt, "weight_decay", None),
        "clipnorm": opt.clipnorm,
        "global_clipnorm": opt.global_clipnorm,
        "clipvalue": opt.clipvalue,
        "use_ema": False,
        "ema_momentum": opt.ema_momentum,
        "ema_overwrite_frequency": None,
        "loss_scale_factor": None,
        "gradient_accumulation_steps": None,
    }
    cfg.update({k: v for k, v in opt._core_params().items() if k not in cfg})
    return _obj("keras.optimizers", type(opt).__name__, cfg)


def _loss_out(loss: Any) -> Any:
    return losses_module.serialize(loss)


def _metric_out(metric: Any) -> Any:
    return metrics_module.serialize(metric)


def compile_config(
    optimizer: optimizers_module.Optimizer,
    loss: Any,
    metrics: list[Any] | None,
    weighted: list[Any] | None = None,
) -> dict[str, Any]:
    """What Keras's ``model.get_compile_config()`` returns for ``compile(optimizer, loss, metrics,
    weighted_metrics)`` (``metrics`` None when compile was given none)."""
    return {
        "optimizer": optimizer_config(optimizer),
        "loss": _loss_out(loss),
        "loss_weights": None,
        "metrics": None if metrics is None else [_metric_out(m) for m in metrics],
        "weighted_metrics": [_metric_out(m) for m in weighted] if weighted else None,
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }


def mark_shared_policies(tree: dict[str, Any]) -> dict[str, Any]:
    """``tree`` (a model's config.json tree) with the ``shared_object_id`` Keras 3.15's ``model.save`` adds to
    an object it serializes more than once: every layer and model shares the one float32 dtype policy, so
    each of its entries after the first, in the order Keras serializes them (a Sequential's layers before
    its own ``dtype``), names it. The number is the policy object's ``id()``, as in Keras."""
    policies: list[dict[str, Any]] = []

    def visit(entry: Any) -> None:
        cfg = entry.get("config") if isinstance(entry, dict) else None
        if not isinstance(cfg, dict):
            return
        for layer in cfg.get("layers") or ():
            visit(layer)
        dtype = cfg.get("dtype")
        if isinstance(dtype, dict) and dtype.get("class_name") == "DTypePolicy":
            policies.append(dtype)

    visit(tree)
    for policy in policies[1:]:
        policy["shared_object_id"] = id(_dtype_policy.FLOAT32)
    return tree
