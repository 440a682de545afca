"""Keras 3's ``config.json`` layout, written: keras_lite objects as ``serialize_keras_object`` trees.

Only keys every Keras 3 release accepts are written, so that Keras 3 loads the files keras_lite saves;
``_keras_config_read`` reads such trees back.
"""

from __future__ import annotations

import math
from typing import Any

from . import activations, constraints, initializers, regularizers
from . import layers as L
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from ._errors import FormatError
from .layers._merge import _Merge


def _obj(module: str, class_name: str, config: Any) -> dict[str, Any]:
    return {"module": module, "class_name": class_name, "config": config, "registered_name": None}


def _initializer(initializer: Any) -> Any:
    """An initializer as Keras 3 serializes it. ``input_axes`` and ``output_axes`` (Keras 3.15's) are left out
    while they are None, so that every Keras 3 release reads the config."""
    out = initializers.serialize(initializer)
    cfg = out.get("config") if isinstance(out, dict) else None
    if isinstance(cfg, dict) and cfg.get("input_axes") is None and cfg.get("output_axes") is None:
        cfg.pop("input_axes", None)
        cfg.pop("output_axes", None)
    return out


def layer_config(layer: L.Layer, input_width: int | None) -> dict[str, Any]:
    """One layer as Keras 3 serializes it (only keys every Keras 3 release accepts)."""
    cfg: dict[str, Any] = {"name": layer.name, "trainable": layer.trainable, "dtype": "float32"}
    has_build = False
    if isinstance(layer, L.Dense):
        has_build = True
        cfg.update(
            units=layer.units,
            activation=activations.serialize(layer.activation),
            use_bias=layer.use_bias,
            kernel_initializer=_initializer(layer.kernel_initializer),
            bias_initializer=_initializer(layer.bias_initializer),
            kernel_regularizer=regularizers.serialize(layer.kernel_regularizer),
            bias_regularizer=regularizers.serialize(layer.bias_regularizer),
            kernel_constraint=constraints.serialize(layer.kernel_constraint),
            bias_constraint=constraints.serialize(layer.bias_constraint),
        )
        if layer.activity_regularizer is not None:
            cfg["activity_regularizer"] = regularizers.serialize(layer.activity_regularizer)
    elif isinstance(layer, L.BatchNormalization):
        has_build = True
        cfg.update(
            axis=layer.axis,
            momentum=layer.momentum,
            epsilon=layer.epsilon,
            center=layer.center,
            scale=layer.scale,
            beta_initializer=_initializer(layer.beta_initializer),
            gamma_initializer=_initializer(layer.gamma_initializer),
            moving_mean_initializer=_initializer(layer.moving_mean_initializer),
            moving_variance_initializer=_initializer(layer.moving_variance_initializer),
            beta_regularizer=None,
            gamma_regularizer=None,
            beta_constraint=None,
            gamma_constraint=None,
            synchronized=layer.synchronized,
        )
    elif isinstance(layer, L.LayerNormalization):
        has_build = True
        cfg.update(
            {k: v for k, v in layer.get_config().items() if k not in cfg},
            axis=[-1],
            beta_initializer=_initializer(layer.beta_initializer),
            gamma_initializer=_initializer(layer.gamma_initializer),
        )
    elif isinstance(layer, L.PReLU):
        has_build = True
        cfg.update(
            alpha_initializer=_initializer(layer.alpha_initializer),
            alpha_regularizer=None,
            alpha_constraint=None,
            shared_axes=None,
        )
    elif isinstance(layer, L.Normalization):
        has_build = True
        cfg.update(layer.get_config(), axis=list(layer.axis), dtype="float32")
    elif isinstance(layer, L.Rescaling):
        has_build = True
        cfg.update({k: v for k, v in layer.get_config().items() if k not in cfg})
    elif isinstance(layer, (L.Discretization, L.CategoryEncoding)):
        has_build = True
        cfg = layer.get_config()  # Keras's keys (Discretization's config has no `trainable`)
    elif isinstance(layer, (L.Dropout, L.GaussianDropout, L.GaussianNoise)):
        cfg.update({k: v for k, v in layer.get_config().items() if k not in cfg})
    elif isinstance(layer, L.Flatten):  # built on the input's dimensions when it reads them
        has_build = True
        cfg.update(data_format=layer.data_format)
    elif isinstance(layer, L.Reshape):
        cfg.update(target_shape=list(layer.target_shape))
    elif isinstance(layer, L.Activation):  # and the activation layers with parameters, its subclasses
        cfg.update(layer._layer_config())
    elif isinstance(layer, _Merge):
        if isinstance(layer, L.Concatenate):
            cfg.update(axis=layer.axis)
        out = _obj("keras.layers", type(layer).__name__, cfg)
        if layer._input_widths is not None:
            out["build_config"] = {"input_shape": [[None, w] for w in layer._input_widths]}
        return out
    else:  # pragma: no cover - every keras_lite layer is listed above
        raise FormatError(f"keras_lite cannot save layer {layer.name!r} of class {type(layer).__name__}")
    out = _obj("keras.layers", type(layer).__name__, cfg)
    # A Flatten reading an input of several dimensions is built on those; every other layer on its width.
    shape = getattr(layer, "_feature_shape", None) or (None if input_width is None else (input_width,))
    if has_build and shape is not None:
        out["build_config"] = {"input_shape": [None, *shape]}
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
            out_layers.append(layer._keras_config(dims))
        w = layer._output_width(w) if w is not None else None
    cfg: dict[str, Any] = {
        "name": name,
        "trainable": trainable,
        "dtype": "float32",
        "layers": out_layers,
    }
    out = _obj("keras", "Sequential", cfg)
    if shape is not None:
        cfg["build_input_shape"] = [None, *shape]
        out["build_config"] = {"input_shape": [None, *shape]}
    return out


def _input_layer(name: str, shape: tuple[int, ...]) -> dict[str, Any]:
    """An ``InputLayer`` of ``(None, *shape)`` inputs, as Keras 3 serializes it (keys every release accepts)."""
    cfg = {"batch_shape": [None, *shape], "dtype": "float32", "sparse": False, "name": name}
    return _obj("keras.layers", "InputLayer", cfg)


def _tensor(t: L.KerasTensor) -> dict[str, Any]:
    """A KerasTensor as the ``inbound_nodes`` of the layer it feeds name it."""
    history = [t._keras_history[0].name, 0, 0]
    cfg = {"shape": list(t.shape), "dtype": "float32", "keras_history": history}
    return {"class_name": "__keras_tensor__", "config": cfg}


def _structure(tensors: list[L.KerasTensor], structure: Any) -> Any:
    """``input_layers`` / ``output_layers``: ``[name, node, 0]`` for one tensor, a list of them, or a dict. The
    node is 0, or 1 for a nested Functional model's output: Keras counts the node a Functional model makes of
    itself first (``output_layers`` only; ``inbound_nodes`` leave it out)."""

    def node(layer: Any) -> int:  # (a Functional model is the one kind with an output structure)
        return int(not isinstance(layer, L.Layer) and hasattr(layer, "_output_structure"))

    refs = {t.name: [t._keras_history[0].name, node(t._keras_history[0]), 0] for t in tensors}
    if structure is None:
        return refs[tensors[0].name]
    if structure is list:
        return [refs[t.name] for t in tensors]
    by_key = dict(zip(sorted(structure), tensors))  # the tensors are in sorted-key order
    return {k: refs[by_key[k].name] for k in structure}


def _call_kwargs(layer: Any, called: Any) -> dict[str, Any]:
    """The keyword arguments Keras 3 records for a call on tensors: the defaults of ``training`` (False for
    Dropout and the noise layers) and ``mask`` (None per input: a model's, a Softmax's, a BatchNormalization's),
    the arguments a layer's ``call`` has and was not given."""
    if isinstance(layer, (L.Dropout, L.GaussianDropout, L.GaussianNoise)):
        return {"training": False}
    if isinstance(layer, (L.Softmax, L.BatchNormalization)):
        return {"mask": None}
    if isinstance(layer, L.Layer):
        return {}
    if isinstance(called, list):  # a model called by names
        return {"mask": {name: None for name in called}}
    tensors = layer._inbound[0]
    return {"mask": [None] * len(tensors) if called else None}


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
                args: list[Any] = [{name: _tensor(t) for name, t in zip(called, tensors)}]
            else:
                args = [[_tensor(t) for t in tensors]] if called else [_tensor(tensors[0])]
            if isinstance(layer, L.Layer):
                item = layer_config(layer, tensors[0]._width)
            else:  # a nested model, on the shape of the tensor it was called on
                item = layer._keras_config(tuple(tensors[0].shape[1:]))
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
