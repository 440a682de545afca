"""``InputSpec``: the rank, shape and dtype a layer expects, as Keras 3's (``keras/src/layers/input_spec.py``), and
the specs Keras's built-in layers hold (``layer.input_spec``).

keras_lite reports them as Keras does; it checks its inputs by its own code (with Keras's messages), not by
these objects.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class InputSpec:
    """The rank, dtype and shape of a layer's input, as ``keras.InputSpec``.

    Args:
        dtype: Expected dtype (a NumPy dtype or its name), or None.
        shape: Expected shape, the batch axis included (None for an axis of any size), or None.
        ndim: Expected rank (the shape's length when ``shape`` is given).
        max_ndim, min_ndim: Largest and smallest rank.
        axes: ``{axis: size}`` for the axes whose size is fixed.
        allow_last_axis_squeeze: Whether a last axis of 1 may be left out or added.
        name: The input's name (its key in a dict of inputs).
        optional: Whether the input may be None.

    Example:
        >>> layers.Dense(3).input_spec
        InputSpec(min_ndim=2)
    """

    def __init__(
        self,
        dtype: Any = None,
        shape: Any = None,
        ndim: int | None = None,
        max_ndim: int | None = None,
        min_ndim: int | None = None,
        axes: Any = None,
        allow_last_axis_squeeze: bool = False,
        name: str | None = None,
        optional: bool = False,
    ) -> None:
        self.dtype = None if dtype is None else _dtype_name(dtype)
        self.shape: tuple[Any, ...] | None = None if shape is None else _dims(shape)
        # A given shape fixes the rank, whatever ``ndim`` says.
        self.ndim: int | None = ndim if self.shape is None else len(self.shape)
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.axes = _axis_sizes(axes)
        _check_axes_within_rank(self.axes, self.ndim, self.max_ndim)

    def __repr__(self) -> str:
        # Only the fields that are set (truthy) show, in ``_SHOWN``'s order.
        shown = ", ".join(f"{field}={getattr(self, field)}" for field in _SHOWN if getattr(self, field))
        return f"InputSpec({shown})"

    def get_config(self) -> dict[str, Any]:
        return {field: getattr(self, field) for field in (*_SHOWN, "optional")}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> InputSpec:
        return cls(**config)


# The fields ``repr`` shows and ``get_config`` holds, in Keras's order.
_SHOWN = ("dtype", "shape", "ndim", "max_ndim", "min_ndim", "axes")

# The dtype names Keras 3.15 accepts, and the Python types (and the name "int") it maps to one of them.
_DTYPE_NAMES = frozenset(
    "bool uint8 uint16 uint32 uint64 int8 int16 int32 int64 bfloat16 float16 float32 float64 "
    "float8_e4m3fn float8_e5m2 complex64 complex128 string".split()
)
_PYTHON_DTYPES: dict[Any, str] = {
    bool: "bool",
    int: "int64",
    float: "float32",
    complex: "complex128",
    str: "string",
    "int": "int64",
}


def _dtype_name(dtype: Any) -> str:
    """``dtype``'s Keras name (``float`` is ``"float32"``); one Keras does not know raises its ``ValueError``."""
    if isinstance(dtype, str):
        name = _PYTHON_DTYPES.get(dtype, dtype)
    elif isinstance(dtype, type):
        name = _PYTHON_DTYPES.get(dtype) or dtype.__name__  # (NumPy's scalar types by their own names)
    elif isinstance(dtype, np.dtype):
        name = dtype.name
    else:
        name = str(dtype)
    if name not in _DTYPE_NAMES:
        raise ValueError(f"Invalid dtype: {name}")
    return name


def _dims(shape: Any) -> tuple[Any, ...]:
    """``shape`` as a tuple of non-negative ints and Nones (a bool or NumPy number is taken as an int);
    anything else raises Keras's ``ValueError``."""
    try:
        given = list(shape)
    except TypeError:
        raise ValueError(f"Cannot convert '{shape}' to a shape.") from None
    dims: list[int | None] = []
    for size in given:
        if size is not None and not isinstance(size, (int, np.number)):
            raise ValueError(
                f"Cannot convert '{shape}' to a shape. Found invalid dimension '{size}' of type '{type(size)}'. "
            )
        if size is not None and size < 0:
            raise ValueError(f"Cannot convert '{shape}' to a shape. Negative dimensions are not allowed.")
        dims.append(None if size is None else int(size))
    return tuple(dims)


def _axis_sizes(axes: Any) -> dict[int, Any]:
    """``{axis: size}`` with int axes; keys that are not ints raise Keras's ``TypeError``."""
    if not axes:
        return {}
    try:
        keys = [(int(key), key) for key in axes]
    except (TypeError, ValueError):
        raise TypeError(f"Argument `axes` must be a dict with integer keys. Received: axes={axes}") from None
    return {axis: axes[key] for axis, key in keys}


def _check_axes_within_rank(axes: dict[int, Any], ndim: int | None, max_ndim: int | None) -> None:
    """Refuse an axis past the last of the rank (``ndim``, else ``max_ndim``), as Keras does."""
    if not axes or (ndim is None and max_ndim is None):
        return
    last = (ndim or max_ndim) - 1  # type: ignore[operator]  # (ndim 0 without max_ndim: Keras's TypeError)
    highest = max(axes)
    if highest > last:
        raise ValueError(f"Axis {highest} is greater than the maximum allowed value: {last}")


def dense(layer: Any, built_on: Any) -> InputSpec:
    """``layers/core/dense.py``: at least 2 axes, the last of the built width once built."""
    return InputSpec(min_ndim=2) if built_on is None else InputSpec(min_ndim=2, axes={-1: built_on[-1]})


def batch_normalization(layer: Any, built_on: Any) -> InputSpec | None:
    """``layers/normalization/batch_normalization.py``: the built rank and feature axis, once built."""
    if built_on is None:
        return None
    return InputSpec(ndim=len(built_on), axes={layer.axis: built_on[layer.axis]})


def prelu(layer: Any, built_on: Any) -> InputSpec | None:
    """``layers/activations/prelu.py`` (no ``shared_axes`` in keras_lite): the built rank, once built."""
    return None if built_on is None else InputSpec(ndim=len(built_on))


def flatten(layer: Any, built_on: Any) -> InputSpec:
    """``layers/reshaping/flatten.py``: at least one axis."""
    return InputSpec(min_ndim=1)
