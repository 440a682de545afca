"""The ONNX nodes of keras_lite's activations (`_onnx_ops` writes the layers that apply them).

Each function writes f(x) into ``out`` (or a fresh value when ``out`` is None) and returns the value's name, with
the formula the Rust core computes (Keras 3's) and its NaN: an input NaN stays NaN except where Keras's ``where``
gives a number (hard_shrink and soft_shrink give 0). An activation is exported with its default arguments, the
ones a layer that names it computes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ._unsupported import NotSupportedError

if TYPE_CHECKING:
    from ._onnx_ops import GraphWriter

# Keras 3's SELU constants (keras/src/activations/activations.py), as the core has them.
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
LEAKY_RELU_SLOPE = 0.2  # keras.activations.leaky_relu's default negative_slope, the one keras_lite runs
SHRINK_THRESHOLD = 0.5  # hard_shrink's and soft_shrink's default threshold
SQUAREPLUS_B = 4.0  # squareplus's default b

Emit = Callable[["GraphWriter", str, "str | None", str], str]


def _unary(op_type: str, **attrs: Any) -> Emit:
    def emit(g: GraphWriter, x: str, out: str | None, base: str) -> str:
        return g.op(op_type, [x], out, base, **attrs)

    return emit


def _silu(g: GraphWriter, x: str, out: str | None, base: str) -> str:
    """``x · sigmoid(x)`` (ONNX has no Swish before opset 24)."""
    return g.op("Mul", [x, g.op("Sigmoid", [x], None, base)], out, base)


def _gelu(g: GraphWriter, x: str, out: str | None, base: str) -> str:
    """Exact GELU, ``x · ½(1 + erf(x/√2))`` (Erf exists from opset 9; the Gelu operator only from 20)."""
    erf = g.op("Erf", [g.op("Div", [x, g.weight(f"{base}/sqrt2", np.sqrt(2.0))], None, base)], None, base)
    half = g.op(
        "Mul",
        [g.op("Add", [erf, g.weight(f"{base}/one", 1.0)], None, base), g.weight(f"{base}/half", 0.5)],
        None,
        base,
    )
    return g.op("Mul", [x, half], out, base)


def _mish(g: GraphWriter, x: str, out: str | None, base: str) -> str:
    """``x · tanh(softplus(x))`` (ONNX's Mish only from opset 18)."""
    return g.op("Mul", [x, g.op("Tanh", [g.op("Softplus", [x], None, base)], None, base)], out, base)


def _celu(g: GraphWriter, x: str, out: str | None, base: str) -> str:
    """Keras's celu with alpha 1: ``max(x, 0) + expm1(min(x, 0))`` (ONNX's Celu only from opset 12)."""
    below = g.op("Exp", [g.op("Min", [x, g.weight(f"{base}/zero", 0.0)], None, base)], None, base)
    below = g.op("Sub", [below, g.weight(f"{base}/one", 1.0)], None, base)
    return g.op("Add", [g.op("Relu", [x], None, base), below], out, base)


def _hard_silu(g: GraphWriter, x: str, out: str | None, base: str) -> str:
    """``x · relu6(x + 3) / 6``: x times Keras's hard_sigmoid (ONNX's HardSwish only from opset 14)."""
    return g.op("Mul", [x, g.op("HardSigmoid", [x], None, base, alpha=1.0 / 6.0, beta=0.5)], out, base)


def _relu6(g: GraphWriter, x: str, out: str | None, base: str) -> str:
    lo, hi = g.weight(f"{base}/zero", 0.0), g.weight(f"{base}/six", 6.0)
    return g.op("Clip", [x, lo, hi], out, base)


def _keep_nan(g: GraphWriter, x: str, y: str, out: str | None, base: str) -> str:
    """``y``, but NaN where ``x`` is (ONNX leaves Clip's NaN to the runtime; the core and Keras keep it)."""
    return g.op("Where", [g.op("IsNaN", [x], None, base), x, y], out, base)


def _hard_tanh(g: GraphWriter, x: str, out: str | None, base: str) -> str:
    """``clip(x, -1, 1)``."""
    clip = g.op("Clip", [x, g.weight(f"{base}/minus_one", -1.0), g.weight(f"{base}/one", 1.0)], None, base)
    return _keep_nan(g, x, clip, out, base)


def _tanh_shrink(g: GraphWriter, x: str, out: str | None, base: str) -> str:
    """``x - tanh(x)``."""
    return g.op("Sub", [x, g.op("Tanh", [x], None, base)], out, base)


def _log_sigmoid(g: GraphWriter, x: str, out: str | None, base: str) -> str:
    """``-softplus(-x)``, as TensorFlow's log_sigmoid."""
    minus = g.op("Neg", [x], None, base)
    return g.op("Neg", [g.op("Softplus", [minus], None, base)], out, base)


def _piecewise(g: GraphWriter, x: str, base: str, middle: str, top: str, top_at: str, out: str | None) -> str:
    """Keras's ``where(x <= -1, 0, where(x <top_at> 1, middle, top))`` (``top_at`` "Less" or "GreaterOrEqual",
    the middle branch taken where it is false for the latter)."""
    one = g.weight(f"{base}/one", 1.0)
    upper = g.op(top_at, [x, one], None, base)
    inner = g.op("Where", [upper, middle, top] if top_at == "Less" else [upper, top, middle], None, base)
    low = g.op("LessOrEqual", [x, g.weight(f"{base}/minus_one", -1.0)], None, base)
    return g.op("Where", [low, g.weight(f"{base}/zero", 0.0), inner], out, base)


def _x_plus_one(g: GraphWriter, x: str, base: str) -> str:
    return g.op("Add", [x, g.weight(f"{base}/one", 1.0)], None, base)


def _sparse_plus(g: GraphWriter, x: str, out: str | None, base: str) -> str:
    """0 up to -1, ``(x + 1)**2 / 4`` below 1, ``x`` from 1."""
    up = _x_plus_one(g, x, base)
    square = g.op("Mul", [g.weight(f"{base}/quarter", 0.25), g.op("Mul", [up, up], None, base)], None, base)
    return _piecewise(g, x, base, square, x, "Less", out)


def _sparse_sigmoid(g: GraphWriter, x: str, out: str | None, base: str) -> str:
    """0 up to -1, 1 from 1, ``(x + 1) / 2`` between (NaN there: both comparisons are false for it)."""
    half = g.op("Mul", [g.weight(f"{base}/half", 0.5), _x_plus_one(g, x, base)], None, base)
    return _piecewise(g, x, base, half, g.weight(f"{base}/one", 1.0), "GreaterOrEqual", out)


def _squareplus(g: GraphWriter, x: str, out: str | None, base: str) -> str:
    """``(x + sqrt(x**2 + b)) / 2`` in Keras's order, b = 4."""
    root = g.op(
        "Sqrt",
        [g.op("Add", [g.op("Mul", [x, x], None, base), g.weight(f"{base}/b", SQUAREPLUS_B)], None, base)],
        None,
        base,
    )
    return g.op("Div", [g.op("Add", [x, root], None, base), g.weight(f"{base}/two", 2.0)], out, base)


ACTIVATIONS: dict[str, Emit] = {
    "linear": _unary("Identity"),
    "relu": _unary("Relu"),
    "sigmoid": _unary("Sigmoid"),
    "tanh": _unary("Tanh"),
    "elu": _unary("Elu", alpha=1.0),
    "selu": _unary("Selu", alpha=SELU_ALPHA, gamma=SELU_SCALE),
    "silu": _silu,
    "gelu": _gelu,
    "softplus": _unary("Softplus"),
    "softsign": _unary("Softsign"),
    "leaky_relu": _unary("LeakyRelu", alpha=LEAKY_RELU_SLOPE),
    "relu6": _relu6,
    # Keras 3's hard_sigmoid: relu6(x + 3) / 6 = clip(x/6 + 1/2, 0, 1), ONNX HardSigmoid with these constants.
    "hard_sigmoid": _unary("HardSigmoid", alpha=1.0 / 6.0, beta=0.5),
    "exponential": _unary("Exp"),
    "softmax": _unary("Softmax", axis=-1),
    "mish": _mish,
    "celu": _celu,
    "hard_silu": _hard_silu,
    "hard_tanh": _hard_tanh,
    # ONNX's Shrink is Keras's hard_shrink (bias 0) and soft_shrink (bias = threshold): 0 for NaN as well.
    "hard_shrink": _unary("Shrink", lambd=SHRINK_THRESHOLD, bias=0.0),
    "soft_shrink": _unary("Shrink", lambd=SHRINK_THRESHOLD, bias=SHRINK_THRESHOLD),
    "tanh_shrink": _tanh_shrink,
    "log_sigmoid": _log_sigmoid,
    "sparse_plus": _sparse_plus,
    "squareplus": _squareplus,
    "sparse_sigmoid": _sparse_sigmoid,
    "log_softmax": _unary("LogSoftmax", axis=-1),
}


def emit_activation(g: GraphWriter, name: str, x: str, out: str | None, base: str) -> str:
    """``name``(x): the value written (``out`` when given). A linear activation without ``out`` writes nothing."""
    if name == "linear" and out is None:
        return x
    emit = ACTIVATIONS.get(name)
    if emit is None:
        raise NotSupportedError(f"keras_lite cannot export the activation {name!r} to ONNX yet.")
    return emit(g, x, out, base)
