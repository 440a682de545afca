"""The ONNX operators for keras_lite's layers, activations and merges (``model.export(format="onnx")``).

`GraphWriter` collects the nodes and weights of one ONNX graph. `emit_node` writes one layer of the model's
inference forward pass: it takes the names of the values the layer reads and the name its result must have,
and returns the result's width. Every formula here is the one the Rust core computes at inference (Keras 3's):
Dropout is the identity, BatchNormalization uses the moving statistics, Normalization its fixed ones.

Layers are found by class name, so that the merge layers (Concatenate, Add, Average, Subtract, Multiply,
Maximum, Minimum) need nothing from the modules that define them: each reads a list of values.
This module needs the optional ``onnx`` package; `keras_lite._onnx_export` imports it only when exporting.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ._onnx_activations import emit_activation
from ._unsupported import NotSupportedError

NORMALIZATION_FLOOR = 1e-7  # the least scale of Normalization (Keras's backend.epsilon(), the core's FLOOR)


class GraphWriter:
    """The nodes and weights of one ONNX graph, under unique value names."""

    def __init__(self, opset: int) -> None:
        self.opset = opset  # the operators' versions the graph may use
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._names: set[str] = set()

    def reserve(self, name: str) -> str:
        """Claim ``name`` (a graph input or output) so that no other value takes it."""
        if name in self._names:
            raise ValueError(f"Two values of the exported graph would both be named {name!r}.")
        self._names.add(name)
        return name

    def fresh(self, base: str) -> str:
        """A value name not used yet: ``base``, else ``base_1``, ``base_2``, ..."""
        name, i = base, 0
        while name in self._names:
            i += 1
            name = f"{base}_{i}"
        self._names.add(name)
        return name

    def weight(self, name: str, value: Any) -> str:
        """A float32 constant (a weight, or a scalar of a formula) named after ``name``."""
        unique = self.fresh(name)
        array = np.ascontiguousarray(np.asarray(value, dtype=np.float32))
        self.initializers.append(numpy_helper.from_array(array, unique))
        return unique

    def int64(self, name: str, values: Any) -> str:
        """An int64 constant (a shape, or axes) named after ``name``."""
        unique = self.fresh(name)
        self.initializers.append(numpy_helper.from_array(np.asarray(values, dtype=np.int64), unique))
        return unique

    def op(self, op_type: str, inputs: list[str], out: str | None, base: str, **attrs: Any) -> str:
        """Append an ``op_type`` node reading ``inputs``; its output is ``out`` or a fresh name from ``base``."""
        name = out if out is not None else self.fresh(base)
        self.nodes.append(
            helper.make_node(op_type, inputs, [name], name=self.fresh(f"{base}/{op_type}"), **attrs)
        )
        return name


# ---- layers ---------------------------------------------------------------------------------------------
# Each takes the layer, the names and widths of the values it reads and the name of its result, and returns the
# result's width.
LayerEmit = Callable[[GraphWriter, Any, list[str], list[int], str], int]


def _dense(g: GraphWriter, layer: Any, ins: list[str], widths: list[int], out: str) -> int:
    base, act = layer.name, layer.activation.__name__
    last = act == "linear"  # the affine part writes the result itself
    kernel = g.weight(f"{base}/kernel", layer.kernel.numpy())
    y = g.op("MatMul", [ins[0], kernel], out if last and not layer.use_bias else None, base)
    if layer.use_bias:
        y = g.op("Add", [y, g.weight(f"{base}/bias", layer.bias.numpy())], out if last else None, base)
    if not last:
        emit_activation(g, act, y, out, base)
    return int(layer.units)


def _activation(g: GraphWriter, layer: Any, ins: list[str], widths: list[int], out: str) -> int:
    """``Activation`` and the activation layers with parameters (``ReLU``, ``LeakyReLU``, ``ELU``, ``Softmax``)."""
    name, params = layer._form()
    if not params:
        emit_activation(g, name, ins[0], out, layer.name)
    elif name == "elu":
        g.op("Elu", ins, out, layer.name, alpha=params[0])
    elif name == "leaky_relu":
        g.op("LeakyRelu", ins, out, layer.name, alpha=params[0])
    else:
        _relu_general(g, ins[0], out, layer.name, *params)
    return widths[0]


def _relu_general(g: GraphWriter, x: str, out: str, base: str, slope: float, cap: float, limit: float) -> str:
    """Keras's ``ReLU`` layer with its three arguments (``limit`` ≥ 0): ``min(x, cap)`` where ``x > limit``, else
    ``slope * (x − limit)``. NaN stays NaN, but for ``slope = 0`` with a threshold, where it is 0, as in the core."""
    t = g.weight(f"{base}/threshold", limit)
    above = x if cap == np.inf else g.op("Min", [x, g.weight(f"{base}/max_value", cap)], None, base)
    below = (
        g.weight(f"{base}/zero", 0.0)
        if slope == 0
        else g.op(
            "Mul", [g.op("Sub", [x, t], None, base), g.weight(f"{base}/negative_slope", slope)], None, base
        )
    )
    nan_is_zero = slope == 0 and limit != 0  # (Keras's `where(x > threshold, x, 0)`)
    relu = g.op(
        "Where", [g.op("Greater", [x, t], None, base), above, below], out if nan_is_zero else None, base
    )
    return relu if nan_is_zero else g.op("Where", [g.op("IsNaN", [x], None, base), x, relu], out, base)


def _layer_normalization(g: GraphWriter, layer: Any, ins: list[str], widths: list[int], out: str) -> int:
    """``γ·(x − mean)/√(var + ε) + β`` over each row: ONNX's LayerNormalization from opset 17, before it the same
    formula from ReduceMean (whose axes are an attribute up to opset 17)."""
    base, width = layer.name, widths[0]
    gamma, beta = layer.gamma, layer.beta
    scale = g.weight(f"{base}/gamma", np.ones(width) if gamma is None else gamma.numpy())
    bias = g.weight(f"{base}/beta", np.zeros(width) if beta is None else beta.numpy())
    eps = float(layer.epsilon)
    if g.opset >= 17:
        g.op("LayerNormalization", [ins[0], scale, bias], out, base, axis=-1, epsilon=eps)
        return width
    centred = g.op("Sub", [ins[0], g.op("ReduceMean", [ins[0]], None, base, axes=[-1])], None, base)
    var = g.op("ReduceMean", [g.op("Mul", [centred, centred], None, base)], None, base, axes=[-1])
    std = g.op("Sqrt", [g.op("Add", [var, g.weight(f"{base}/epsilon", eps)], None, base)], None, base)
    g.op("Add", [g.op("Mul", [g.op("Div", [centred, std], None, base), scale], None, base), bias], out, base)
    return width


def _prelu(g: GraphWriter, layer: Any, ins: list[str], widths: list[int], out: str) -> int:
    """``x if x > 0 else alpha · x``, alpha one value per feature (broadcast over the batch)."""
    g.op("PRelu", [ins[0], g.weight(f"{layer.name}/alpha", layer.alpha.numpy())], out, layer.name)
    return widths[0]


def _identity(g: GraphWriter, layer: Any, ins: list[str], widths: list[int], out: str) -> int:
    g.op("Identity", [ins[0]], out, layer.name)  # Dropout and the Gaussian noise layers at inference
    return widths[0]


def _flatten(g: GraphWriter, layer: Any, ins: list[str], widths: list[int], out: str) -> int:
    """Each sample's values as one row: an input of several dimensions (``channels_first`` moves its second
    axis last first, as Keras does), or a flat value as it is."""
    shape = layer._feature_shape
    x = ins[0]
    if shape is not None and len(shape) > 1 and layer.data_format == "channels_first":
        x = g.op("Transpose", [x], None, layer.name, perm=[0, *range(2, len(shape) + 1), 1])
    g.op("Flatten", [x], out, layer.name, axis=1)
    return widths[0]


def _batch_normalization(g: GraphWriter, layer: Any, ins: list[str], widths: list[int], out: str) -> int:
    """``(x − moving_mean) / √(moving_variance + ε) · γ + β`` (γ = 1 without ``scale``, β = 0 without ``center``)."""
    base, width = layer.name, widths[0]
    gamma, beta = layer.gamma, layer.beta
    scale = g.weight(f"{base}/gamma", np.ones(width) if gamma is None else gamma.numpy())
    bias = g.weight(f"{base}/beta", np.zeros(width) if beta is None else beta.numpy())
    mean = g.weight(f"{base}/moving_mean", layer.moving_mean.numpy())
    var = g.weight(f"{base}/moving_variance", layer.moving_variance.numpy())
    g.op("BatchNormalization", [ins[0], scale, bias, mean, var], out, base, epsilon=float(layer.epsilon))
    return width


def _normalization(g: GraphWriter, layer: Any, ins: list[str], widths: list[int], out: str) -> int:
    """``(x − mean) / s``, or with ``invert`` ``mean + x · s``, where ``s = max(√variance, 1e-7)`` is computed here in
    float32 as the core computes it (rust/layers/normalization.rs); one statistic for all features with axis=None."""
    base = layer.name
    mean = np.asarray(layer.mean, np.float32).reshape(-1)  # (width,), or (1,) that broadcasts
    variance = np.asarray(layer.variance, np.float32).reshape(-1)
    with np.errstate(invalid="ignore"):  # a negative variance's scale is NaN, as in the core
        scale = np.maximum(np.sqrt(variance), np.float32(NORMALIZATION_FLOOR))
    m, s = g.weight(f"{base}/mean", mean), g.weight(f"{base}/scale", scale)
    if layer.invert:
        g.op("Add", [m, g.op("Mul", [ins[0], s], None, base)], out, base)
    else:
        g.op("Div", [g.op("Sub", [ins[0], m], None, base), s], out, base)
    return widths[0]


def _rescaling(g: GraphWriter, layer: Any, ins: list[str], widths: list[int], out: str) -> int:
    """``x · scale + offset`` in float32, as the core computes it (rust/layers/rescale.rs); each factor one value,
    or one per feature, or (on an input of several dimensions, before its Flatten) broadcast over its shape."""
    base, dims = layer.name, layer._feature_shape

    def factor(arg: str) -> Any:
        return layer._values(arg) if dims is None else layer._sample(arg, dims)[0]

    scale, offset = (g.weight(f"{base}/{arg}", factor(arg)) for arg in ("scale", "offset"))
    g.op("Add", [g.op("Mul", [ins[0], scale], None, base), offset], out, base)
    return widths[0]


def _encode(g: GraphWriter, layer: Any, ins: list[str], widths: list[int], out: str) -> int:
    """Discretization and CategoryEncoding (rust/layers/encode.rs): each value's id, its bin (how many boundaries
    are not above it, NaN in the last bin) or the value truncated toward zero, kept (``int``) or compared with
    every column number ``0 .. depth - 1``: one-hot and multi-hot take the largest match over the row, count
    their sum."""
    base, width, x = layer.name, widths[0], ins[0]
    bins = layer._bins()

    def against(values: str, table: Any, what: str) -> list[str]:
        # (batch, width, 1) against a row of constants: (batch, width, len(table)).
        column = g.op("Reshape", [values, g.int64(f"{base}/shape", [0, width, 1])], None, base)
        return [column, g.weight(f"{base}/{what}", table)]

    def count(flags: str, axis: int) -> str:
        as_float = g.op("Cast", [flags], None, base, to=onnx.TensorProto.FLOAT)
        return g.op("ReduceSum", [as_float, g.int64(f"{base}/axis", [axis])], None, base, keepdims=0)

    if bins is None:
        magnitude = g.op("Floor", [g.op("Abs", [x], None, base)], None, base)
        ids = g.op("Mul", [g.op("Sign", [x], None, base), magnitude], None, base)
    elif not bins:  # one bin: every id 0
        nan = g.op("Cast", [g.op("IsNaN", [x], None, base)], None, base, to=onnx.TensorProto.FLOAT)
        ids = g.op("Mul", [nan, g.weight(f"{base}/zero", 0.0)], None, base)
    else:
        ids = count(g.op("Not", [g.op("Less", against(x, bins, "bins"), None, base)], None, base), 2)
    if layer.output_mode == "int":
        g.op("Identity", [ids], out, base)
        return width
    depth = layer._depth()
    counts = count(g.op("Equal", against(ids, np.arange(depth), "columns"), None, base), 1)
    if layer.output_mode == "count":
        g.op("Identity", [counts], out, base)
    else:
        g.op("Min", [counts, g.weight(f"{base}/one", 1.0)], out, base)
    return depth


# ---- merge layers: functions of a list of values ----------------------------------------------------------
def concatenate(g: GraphWriter, ins: list[str], out: str, base: str, axis: int = -1) -> str:
    """The inputs side by side (``Concatenate(axis=-1)``; on ``(batch, width)`` values axis -1 is axis 1)."""
    return g.op("Concat", ins, out, base, axis=int(axis))


def add(g: GraphWriter, ins: list[str], out: str, base: str) -> str:
    return g.op("Add" if len(ins) == 2 else "Sum", ins, out, base)


def average(g: GraphWriter, ins: list[str], out: str, base: str) -> str:
    return g.op("Mean", ins, out, base)


def subtract(g: GraphWriter, ins: list[str], out: str, base: str) -> str:
    if len(ins) != 2:
        raise ValueError(
            f"A Subtract layer should be called on exactly 2 inputs. Received: {len(ins)} inputs"
        )
    return g.op("Sub", ins, out, base)


def multiply(g: GraphWriter, ins: list[str], out: str, base: str) -> str:
    """The element-wise product (ONNX's Mul takes two inputs: a chain of them)."""
    if len(ins) == 1:
        return g.op("Identity", ins, out, base)
    y = ins[0]
    for i, x in enumerate(ins[1:], start=2):
        y = g.op("Mul", [y, x], out if i == len(ins) else None, base)
    return y


def maximum(g: GraphWriter, ins: list[str], out: str, base: str) -> str:
    return g.op("Max", ins, out, base)


def minimum(g: GraphWriter, ins: list[str], out: str, base: str) -> str:
    return g.op("Min", ins, out, base)


def _merge(fn: Callable[[GraphWriter, list[str], str, str], str]) -> LayerEmit:
    def emit(g: GraphWriter, layer: Any, ins: list[str], widths: list[int], out: str) -> int:
        fn(g, ins, out, layer.name)
        return max(widths)  # element-wise merges broadcast their inputs to one width

    return emit


def _concatenate(g: GraphWriter, layer: Any, ins: list[str], widths: list[int], out: str) -> int:
    axis = int(getattr(layer, "axis", -1))
    if axis not in (-1, 1):
        raise NotSupportedError(
            f"keras_lite exports Concatenate along the feature axis only. Received: axis={axis}"
        )
    concatenate(g, ins, out, layer.name, axis)
    return sum(widths)


LAYERS: dict[str, LayerEmit] = {
    "Dense": _dense,
    "Activation": _activation,
    "Dropout": _identity,
    "Flatten": _flatten,
    "Reshape": _flatten,
    "GaussianDropout": _identity,
    "GaussianNoise": _identity,
    "PReLU": _prelu,
    "LayerNormalization": _layer_normalization,
    "BatchNormalization": _batch_normalization,
    "Normalization": _normalization,
    "Rescaling": _rescaling,
    "Discretization": _encode,
    "CategoryEncoding": _encode,
    "Concatenate": _concatenate,
    "Add": _merge(add),
    "Average": _merge(average),
    "Subtract": _merge(subtract),
    "Multiply": _merge(multiply),
    "Maximum": _merge(maximum),
    "Minimum": _merge(minimum),
}


def emit_node(g: GraphWriter, layer: Any, ins: list[str], widths: list[int], out: str) -> int:
    """Write ``layer`` applied to the values ``ins`` (of ``widths``) into ``out``; return the output width."""
    emit = None
    for cls in type(layer).__mro__:  # a subclass of a built-in layer is exported as that layer
        emit = LAYERS.get(cls.__name__)
        if emit is not None:
            break
    if emit is None:
        raise NotSupportedError(
            f"keras_lite cannot export the layer {layer.name!r} ({type(layer).__name__}) to ONNX yet. "
            f"Supported: {', '.join(LAYERS)}."
        )
    return emit(g, layer, ins, widths, out)
