"""``compute_output_shape`` of the layers that change a shape, as Keras 3 computes it (the file named on each).

Each is a plain function of ``(layer, input_shape)`` that a class takes as its method
(``compute_output_shape = _shapes.dense``); a layer that keeps its input's shape returns it as given
(``LayerAttributes.compute_output_shape``). Like Keras's, they compute shapes only: a shape keras_lite's core
cannot run (a Dense on 3-D inputs) still gets Keras's answer.
"""

from __future__ import annotations

import functools
import math
from typing import Any


def dense(layer: Any, input_shape: Any) -> tuple[Any, ...]:
    """Dense: the last axis becomes ``units``."""
    return (*input_shape[:-1], layer.units)


def normalized(layer: Any, input_shape: Any) -> Any:
    """BatchNormalization and LayerNormalization: the shape as given, each ``axis`` checked to be one of its axes."""
    rank = len(input_shape)
    for axis in [layer.axis] if isinstance(layer.axis, int) else layer.axis:
        if not -rank <= axis < rank:
            raise ValueError(
                f"Axis {axis} is out of bounds for input shape {input_shape}. Received: axis={layer.axis}"
            )
    return input_shape


def flatten(layer: Any, input_shape: Any) -> tuple[Any, ...]:
    """Flatten: the batch axis and one more, the size of all the others (None when one of them is unknown; 1 when
    there are none)."""
    rest = input_shape[1:]
    return (input_shape[0], None if None in rest else math.prod(rest))


def reshape(layer: Any, input_shape: Any) -> tuple[Any, ...]:
    """Reshape: the batch axis, then ``target_shape`` with its -1 worked out from the input's size (left None
    when the input has an unknown axis)."""
    dims, target = input_shape[1:], tuple(layer.target_shape)
    if None in dims:
        return (input_shape[0], *(None if d == -1 else d for d in target))
    size, fixed = math.prod(dims), math.prod(d for d in target if d != -1)
    if -1 in target:
        if fixed == 0 or size % fixed:
            raise ValueError(
                "The total size of the tensor must be unchanged, however, the input size cannot by divided by "
                f"the specified dimensions in target_shape. Received: input_shape={dims}, target_shape={target}"
            )
        target = tuple(size // fixed if d == -1 else d for d in target)
    elif size != fixed:
        raise ValueError(
            f"The total size of the tensor must be unchanged. Received: input_shape={dims}, target_shape={target}"
        )
    return (input_shape[0], *target)


def _with_depth(shape: tuple[Any, ...], depth: int, one_hot: bool) -> tuple[Any, ...]:
    """A shape whose last axis gives way to ``depth``: for one-hot output only a last axis of size 1 does (and
    not a lone axis), a new axis of ``depth`` follows any other; for the other modes the last axis always does."""
    keep_last = one_hot and (len(shape) <= 1 or shape[-1] != 1)
    return (*(shape if keep_last else shape[:-1]), depth)


def category_encoding(layer: Any, input_shape: Any) -> tuple[Any, ...]:
    """CategoryEncoding: a scalar input gives ``(num_tokens,)``; else see ``_with_depth``."""
    shape = tuple(input_shape)
    if not shape:
        return (layer.num_tokens,)
    return _with_depth(shape, layer.num_tokens, layer.output_mode == "one_hot")


def discretization(layer: Any, input_shape: Any) -> Any:
    """Discretization: the shape as given for ``"int"`` output; one-hot as ``_with_depth``; multi-hot and count
    drop the second axis and end with the bins (or are the bins alone for a shape of fewer than two axes)."""
    if layer.output_mode == "int":
        return input_shape
    depth = layer._depth()
    if layer.output_mode == "one_hot":
        return _with_depth(tuple(input_shape), depth, True)
    if input_shape and len(input_shape) > 1:
        return (input_shape[0], *input_shape[2:], depth)
    return (depth,)


def elementwise(shape1: Any, shape2: Any) -> Any:
    """Two inputs' shapes (without the batch axis) broadcast as the element-wise merge layers do: aligned on the
    right, the longer one's leading axes kept; an unknown axis gives an unknown one, a 1 takes the other's size;
    None when either shape is unknown; Keras's error (naming the longer shape first) for sizes that differ."""
    if shape1 is None or shape2 is None:
        return None
    longer, shorter = (shape1, shape2) if len(shape1) >= len(shape2) else (shape2, shape1)
    if not shorter:
        return longer
    lead = len(longer) - len(shorter)

    def axis(a: Any, b: Any) -> Any:
        if a is None or b is None:
            return None
        if a == 1 or a == b:
            return b
        if b == 1:
            return a
        raise ValueError(f"Inputs have incompatible shapes. Received shapes {longer} and {shorter}")

    return (*longer[:lead], *(axis(a, b) for a, b in zip(longer[lead:], shorter)))


def merged(layer: Any, input_shape: Any) -> tuple[Any, ...]:
    """Add, Subtract, Multiply, Average, Maximum, Minimum: the inputs' shapes broadcast (``elementwise``), after a
    batch axis that is the inputs' one known batch size, or None when they know none or several."""
    shapes = [None if s is None else s[1:] for s in input_shape]
    out: Any = functools.reduce(elementwise, shapes[1:], shapes[0])
    batches = {s[0] for s in input_shape if s is not None and s[0] is not None}
    return (batches.pop() if len(batches) == 1 else None, *out)


def concatenated(layer: Any, input_shape: Any) -> tuple[Any, ...]:
    """Concatenate: the first input's shape with the sizes along ``axis`` summed (None when one is unknown)."""
    if not isinstance(input_shape, (tuple, list)) or not isinstance(input_shape[0], (tuple, list)):
        raise ValueError(
            f"A `Concatenate` layer should be called on a list of inputs. Received: input_shape={input_shape}"
        )
    sizes = [shape[layer.axis] for shape in input_shape]
    out = list(input_shape[0])
    out[layer.axis] = None if None in sizes else sum(sizes)
    return tuple(out)


def not_implemented(layer: Any, input_shape: Any) -> Any:
    """InputLayer: Keras's error for a layer that does not implement the method."""
    raise NotImplementedError(
        f"Layer {type(layer).__name__} does not have a `compute_output_shape` method implemented. Should "
        "implement `def compute_output_shape(self, input_shape)`."
    )
