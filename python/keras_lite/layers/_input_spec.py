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
        self.dtype = None if dtype is None else _dtype(dtype)
        self.ndim: int | None
        if shape is not None:
            self.shape: tuple[Any, ...] | None = _shape(shape)
            self.ndim = len(self.shape)
        else:
            self.ndim = ndim
            self.shape = None
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            axes = axes or {}
            self.axes = {int(k): axes[k] for k in axes}
        except (ValueError, TypeError):
            raise TypeError(
                f"Argument `axes` must be a dict with integer keys. Received: axes={axes}"
            ) from None
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            max_dim = (self.ndim if self.ndim else self.max_ndim) - 1  # type: ignore[operator]
            max_axis = max(self.axes)
            if max_axis > max_dim:
                raise ValueError(f"Axis {max_axis} is greater than the maximum allowed value: {max_dim}")

    def __repr__(self) -> str:
        spec = [
            f"dtype={self.dtype}" if self.dtype else "",
            f"shape={self.shape}" if self.shape else "",
            f"ndim={self.ndim}" if self.ndim else "",
            f"max_ndim={self.max_ndim}" if self.max_ndim else "",
            f"min_ndim={self.min_ndim}" if self.min_ndim else "",
            f"axes={self.axes}" if self.axes else "",
        ]
        return f"InputSpec({', '.join(x for x in spec if x)})"

    def get_config(self) -> dict[str, Any]:
        return {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes,
            "optional": self.optional,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> InputSpec:
        return cls(**config)


def _dtype(dtype: Any) -> str:
    """A dtype's standard name (``"float32"``); a string that is not one raises Keras's ``ValueError``."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name is None or (isinstance(dtype, str) and dtype != name):
        raise ValueError(f"Invalid dtype: {dtype}")
    return name


def _shape(shape: Any) -> tuple[Any, ...]:
    """``shape`` as a tuple of ints and Nones; anything else raises Keras's ``ValueError``."""
    try:
        dims = tuple(shape)
    except TypeError:
        raise ValueError(f"Cannot convert '{shape}' to a shape.") from None
    for d in dims:
        if d is not None and (isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0):
            raise ValueError(f"Cannot convert '{shape}' to a shape.")
    return tuple(None if d is None else int(d) for d in dims)


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
