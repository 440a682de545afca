"""The initializers' base class and shared helpers, and the constant initializers: ``Constant``, ``Zeros``,
``Ones`` and ``Identity``; and Keras's ``compute_fans``."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .._errors import ArgumentTypeError, received
from .._tensor import Tensor, from_record, to_record
from .._unsupported import NotSupportedError


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise ValueError(
            f"shape must be a tuple of non-negative integers. {received('shape', shape)}"
        ) from None
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0:
            raise ValueError(f"shape must be a tuple of non-negative integers. {received('shape', shape)}")
    return tuple(int(d) for d in dims)


def _check_dtype(dtype: Any) -> None:
    if dtype is not None and np.dtype(dtype) != np.float32:
        raise NotSupportedError(f"keras_lite computes in float32 only. {received('dtype', dtype)}")


def _out(values: Any) -> Tensor:
    return np.array(values, dtype=np.float32, order="C").view(
        Tensor
    )  # keeps a 0-d shape, unlike ascontiguousarray


def _number(arg: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{arg} must be a real number. {received(arg, value)}")  # Keras: TypeError
    return float(value)


def compute_fans(shape: Any, input_axes: Any = None, output_axes: Any = None) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shape, as Keras computes them.

    ``(in, out)`` gives ``in, out``; a vector gives its length twice; a scalar gives 1, 1; a kernel of more
    axes ``(..., in, out)`` multiplies both by the product of the leading axes. ``input_axes`` and
    ``output_axes``, given together, name the axes whose sizes multiply into each fan instead.
    """
    shape = _shape(shape)
    if input_axes is not None and output_axes is not None:
        return int(math.prod(shape[a] for a in input_axes)), int(math.prod(shape[a] for a in output_axes))
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = math.prod(shape[:-2])
    return shape[-2] * rf, shape[-1] * rf


class Initializer:
    """Base class of initializers: ``initializer(shape, dtype=None)`` returns the initial values.

    A subclass implements ``__call__`` and, to be saved and reloaded, ``get_config`` (the constructor's
    arguments); the default ``from_config`` passes the config back to the constructor.
    """

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        raise NotImplementedError("Initializer subclasses must implement the `__call__()` method.")

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        return cls(**config)

    def clone(self) -> Any:
        return self.__class__.from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# ---- constants --------------------------------------------------------------------------------------------


class Constant(Initializer):
    """Every value ``value``: a number, or an array (or nested list) of numbers broadcast to the weight's shape,
    as Keras 3 broadcasts it (``Constant(np.log([pos / neg]))`` for an output bias)."""

    def __init__(self, value: Any = 0.0) -> None:
        self.value = _constant(value)

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        _check_dtype(dtype)
        dims = _shape(shape)
        try:
            return _out(np.broadcast_to(np.asarray(self.value, dtype=np.float64), dims))
        except ValueError:
            raise ValueError(
                f"Constant's value of shape {np.shape(self.value)} does not broadcast to the weight's shape {dims}. "
                f"{received('value', self.value)}"
            ) from None

    def get_config(self) -> dict[str, Any]:
        v = self.value
        if isinstance(v, np.ndarray):  # as Keras 3 serializes an array
            return {"value": to_record(v)}
        return {"value": v}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        return cls(
            from_record(config["value"])
        )  # a KeyError without "value", as in Keras 3.15 (get("constant"))


def _constant(value: Any) -> Any:
    """``Constant``'s value: a number as a float; an array or (nested) list of real numbers as given."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    try:
        arr = np.asarray(value) if isinstance(value, (np.ndarray, list, tuple)) else None
    except ValueError:  # rows of different lengths
        arr = None
    if arr is None or arr.dtype.kind not in "iuf" or arr.size == 0:
        raise ValueError(
            f"value must be a real number or an array of real numbers. {received('value', value)}"
        )
    if arr.ndim == 0:
        return float(arr)
    return arr if isinstance(value, np.ndarray) else arr.tolist()


class Zeros(Initializer):
    """Every value 0."""

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        _check_dtype(dtype)
        return _out(np.zeros(_shape(shape)))


class Ones(Initializer):
    """Every value 1."""

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        _check_dtype(dtype)
        return _out(np.ones(_shape(shape)))


class Identity(Initializer):
    """``gain`` times the identity matrix; 2-D shapes only, not necessarily square (``(2, 3)`` gives
    ``[[1, 0, 0], [0, 1, 0]]``)."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = _number("gain", gain)

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        _check_dtype(dtype)
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return _out(self.gain * np.eye(*shape))

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}
