"""``compute_output_shape`` of the layers that change a shape, as Keras 3 computes it (the file named on each).

Each is a plain function of ``(layer, input_shape)`` that a class takes as its method
(``compute_output_shape = _shapes.dense``); a layer that keeps its input's shape returns it as given
(``LayerAttributes.compute_output_shape``). Like Keras's, they compute shapes only: a shape keras_lite's core
cannot run (a Dense on 3-D inputs) still gets Keras's answer.
"""

from __future__ import annotations

import math
from typing import Any


def dense(layer: Any, input_shape: Any) -> tuple[Any, ...]:
    """``layers/core/dense.py``: the last axis becomes ``units``."""
    output_shape = list(input_shape)
    output_shape[-1] = layer.units
    return tuple(output_shape)


def normalized(layer: Any, input_shape: Any) -> Any:
    """``layers/normalization/{batch,layer}_normalization.py``: the shape as given, once ``axis`` is in it."""
    axes = [layer.axis] if isinstance(layer.axis, int) else layer.axis
    for axis in axes:
        if axis >= len(input_shape) or axis < -len(input_shape):
            raise ValueError(
                f"Axis {axis} is out of bounds for input shape {input_shape}. Received: axis={layer.axis}"
            )
    return input_shape


def flatten(layer: Any, input_shape: Any) -> tuple[Any, ...]:
    """``layers/reshaping/flatten.py``: the batch axis, then the product of the others (None if one is)."""
    non_batch_dims = input_shape[1:]
    if len(non_batch_dims) == 0:
        flattened_dim = 1
    elif any(d is None for d in non_batch_dims):
        flattened_dim = None
    else:
        flattened_dim = math.prod(non_batch_dims)
    return (input_shape[0], flattened_dim)


def reshape(layer: Any, input_shape: Any) -> tuple[Any, ...]:
    """``layers/reshaping/reshape.py`` (``ops/operation_utils.py: compute_reshape_output_shape``)."""
    dims, target = input_shape[1:], tuple(layer.target_shape)
    if None in dims:
        return (input_shape[0], *(None if d == -1 else d for d in target))
    size = math.prod(dims)
    known = math.prod(d for d in target if d != -1)
    if -1 not in target:
        if size != known:
            raise ValueError(
                f"The total size of the tensor must be unchanged. Received: input_shape={dims}, "
                f"target_shape={target}"
            )
        return (input_shape[0], *target)
    if known == 0 or size % known != 0:
        raise ValueError(
            "The total size of the tensor must be unchanged, however, the input size cannot by divided by the "
            f"specified dimensions in target_shape. Received: input_shape={dims}, target_shape={target}"
        )
    return (input_shape[0], *(size // known if d == -1 else d for d in target))


def category_encoding(layer: Any, input_shape: Any) -> tuple[Any, ...]:
    """``layers/preprocessing/category_encoding.py``."""
    if (input_shape is not None) & (len(input_shape) == 0):
        return (layer.num_tokens,)
    if layer.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
        return (*input_shape, layer.num_tokens)
    return (*input_shape[:-1], layer.num_tokens)


def discretization(layer: Any, input_shape: Any) -> Any:
    """``layers/preprocessing/discretization.py``: the shape as given for ``int``, else with the bins."""
    if layer.output_mode == "int":
        return input_shape
    depth = layer._depth()
    if layer.output_mode == "one_hot":
        if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
            return (*input_shape[:-1], depth)
        return (*input_shape, depth)
    if input_shape and len(input_shape) >= 2:
        return (input_shape[0], *input_shape[2:], depth)
    return (depth,)


def elementwise(shape1: Any, shape2: Any) -> Any:
    """``layers/merging/base_merge.py: _compute_elemwise_op_output_shape``: two inputs' shapes (without the
    batch axis) broadcast against each other, aligned on the right (None: unknown), or Keras's error."""
    if shape1 is None or shape2 is None:
        return None
    if len(shape1) < len(shape2):
        return elementwise(shape2, shape1)
    if not shape2:
        return shape1
    output_shape = list(shape1[: -len(shape2)])
    for i, j in zip(shape1[-len(shape2) :], shape2):
        if i is None or j is None:
            output_shape.append(None)
        elif i == 1:
            output_shape.append(j)
        elif j == 1 or i == j:
            output_shape.append(i)
        else:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes {shape1} and {shape2}")
    return tuple(output_shape)


def merged(layer: Any, input_shape: Any) -> tuple[Any, ...]:
    """``layers/merging/base_merge.py``: the element-wise layers (Add, Subtract, Multiply, Average, Maximum,
    Minimum)."""
    output_shape: Any = None if input_shape[0] is None else input_shape[0][1:]
    for shape in input_shape[1:]:
        output_shape = elementwise(output_shape, None if shape is None else shape[1:])
    batch_sizes = {s[0] for s in input_shape if s is not None} - {None}
    batch: tuple[Any, ...] = (next(iter(batch_sizes)),) if len(batch_sizes) == 1 else (None,)
    return batch + output_shape  # type: ignore[no-any-return]


def concatenated(layer: Any, input_shape: Any) -> tuple[Any, ...]:
    """``layers/merging/concatenate.py``: the inputs' sizes along ``axis`` added up (None if one is unknown)."""
    if not isinstance(input_shape, (tuple, list)) or not isinstance(input_shape[0], (tuple, list)):
        raise ValueError(
            f"A `Concatenate` layer should be called on a list of inputs. Received: input_shape={input_shape}"
        )
    output_shape = list(input_shape[0])
    for shape in input_shape[1:]:
        if output_shape[layer.axis] is None or shape[layer.axis] is None:
            output_shape[layer.axis] = None
            break
        output_shape[layer.axis] += shape[layer.axis]
    return tuple(output_shape)


def not_implemented(layer: Any, input_shape: Any) -> Any:
    """``layers/layer.py``'s error for a layer without the method (an ``InputLayer``)."""
    name = type(layer).__name__
    raise NotImplementedError(
        f"Layer {name} does not have a `compute_output_shape` method implemented. Should implement "
        "`def compute_output_shape(self, input_shape)`."
    )
