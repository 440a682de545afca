"""The arguments layers share, checked as Keras checks them: shapes and widths (``_shape_arg``,
``_build_width``), the dtype (``_dtype_name``), values keras_lite takes only some of (``_only``) and
initializers (``_initializer``), each error naming the argument and what was received."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .. import _dtype_policy, initializers, regularizers
from .._errors import ArgumentTypeError, received
from .._unsupported import NotSupportedError

# Widths, unit counts and epoch numbers beyond this cannot be real (and would overflow the core's integers).
_MAX_SIZE = 2**62


def _shape_arg(value: Any, arg: str, nd: bool = False) -> tuple[int, ...]:
    """A shape argument without the batch axis: one positive width, or with ``nd`` (an ``Input``, or the
    ``input_shape`` of a ``Flatten``) several dimensions, which a ``Flatten`` turns into one width."""
    try:
        shape = tuple(value) if not isinstance(value, int) else (value,)
    except TypeError:
        raise TypeError(f"{arg} must be a tuple or list of ints. {received(arg, value)}") from None
    if len(shape) != 1 and not (nd and shape):
        raise ValueError(
            f"keras_lite layers take flat feature vectors: {arg} must have one dimension (or start the model "
            f"with keras.Input(shape) and a Flatten layer). {received(arg, value)}"
        )
    for d in shape:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or not 0 < d <= _MAX_SIZE:
            raise ValueError(f"{arg} must hold positive integer sizes. {received(arg, value)}")
    if nd and math.prod(int(d) for d in shape) > _MAX_SIZE:
        raise ValueError(f"{arg} describes more features than keras_lite can hold. {received(arg, value)}")
    return tuple(int(d) for d in shape)


def _no_other_kwargs(kwargs: dict[str, Any], layer: str) -> None:
    """Refuse the keyword arguments a layer's constructor has left: Keras's ValueError, which its
    ``from_config`` and ``keras.Input`` raise as a TypeError (so this error is both)."""
    if kwargs:
        raise ArgumentTypeError(f"Unrecognized keyword arguments passed to {layer}: {kwargs}")


def _build_width(input_shape: Any) -> int:
    """The feature width in a ``build`` argument: the last item of ``(None, width)`` or ``(width,)``."""
    try:
        shape = tuple(input_shape) if not isinstance(input_shape, (str, bytes)) else None
    except TypeError:
        shape = None
    if shape is None:  # Keras's ValueError (it cannot make a shape of it)
        raise ArgumentTypeError(
            f"input_shape must be a tuple such as (None, width). {received('input_shape', input_shape)}"
        )
    d = shape[-1] if shape else None
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or not 0 < d <= _MAX_SIZE:
        raise ValueError(
            "input_shape must end with a positive integer width, such as (None, 3). "
            f"{received('input_shape', input_shape)}"
        )
    return int(d)


def _dtype_name(dtype: Any) -> str | None:
    """The name of a layer's ``dtype``: None, a name, NumPy's float32, or Keras 3's dtype policy (an object with
    ``.name``, or its config ``{"class_name": "DTypePolicy", "config": {"name": "float32"}}``, as a layer's
    ``get_config()`` gives it); ``"?"`` for anything else."""
    if dtype is None or isinstance(dtype, str):
        return dtype
    if dtype is np.float32 or dtype == np.dtype("float32"):
        return "float32"
    if isinstance(dtype, dict) and dtype.get("class_name") in ("DTypePolicy", "FloatDTypePolicy"):
        inner = dtype.get("config")
        return _dtype_name(inner.get("name")) if isinstance(inner, dict) else "?"
    name = getattr(dtype, "name", None)
    return name if isinstance(name, str) else "?"


def _base_config(layer: Any) -> dict[str, Any]:
    """The keys Keras 3's ``Layer.get_config()`` starts every layer's config with: ``name``, ``trainable``,
    ``dtype`` (the float32 dtype policy, serialized), then ``activity_regularizer`` when the layer has one."""
    config = {"name": layer.name, "trainable": layer.trainable, "dtype": _dtype_policy.serialized()}
    if getattr(layer, "activity_regularizer", None) is not None:
        config["activity_regularizer"] = regularizers.serialize(layer.activity_regularizer)
    return config


def _only(arg: str, value: Any, allowed: tuple[Any, ...], layer: str) -> None:
    # Compare scalars by value and anything else (an array, a Keras object) by identity.
    scalar = isinstance(value, (str, numbers.Number))
    if not (value in allowed if scalar else any(value is a for a in allowed)):
        raise NotSupportedError(
            f"keras_lite's {layer} does not support other values of {arg} yet: it takes {arg} in {allowed} "
            f"only. {received(arg, value)}"
        )


def axis_on_last(layer: Any, shapes: list[Any]) -> None:
    """Refuse inputs of more than 2 axes to a layer whose ``axis`` is 1: Keras computes along that axis, and
    keras_lite's layers compute along the last one (the features) only."""
    axis = getattr(layer, "axis", -1)
    if isinstance(axis, (list, tuple)) and len(axis) == 1:
        axis = axis[0]
    if isinstance(axis, numbers.Number) and axis == 1 and any(len(s) > 2 for s in shapes):
        given = shapes[0] if len(shapes) == 1 else shapes
        raise NotSupportedError(
            f"keras_lite's {type(layer).__name__} computes along the last axis of its inputs (the features) only: "
            f"axis=1 is not the last axis of inputs of more than 2 axes. Received: axis=1, input_shape={given}"
        )


def _initializer(arg: str, value: Any, layer: str) -> Any:
    """``initializers.get(value)`` for a layer's ``arg``, whose errors name the argument."""
    try:
        return initializers._get(value, arg)
    except NotSupportedError as e:
        raise NotSupportedError(f"{layer} {arg}: {e}") from None
    except ValueError as e:
        raise ValueError(f"{layer} {arg}: {e}. {received(arg, value)}") from None


def _as_given(value: Any, number: float) -> int | float:
    """The number Keras 3 keeps for a layer's numeric argument: a Python int as given (its attribute and config
    hold ``6`` for ``max_value=6``, not ``6.0``), anything else as the checked float ``number``."""
    return value if type(value) is int else number


def _builtin_layers() -> str:
    """The names of the layer classes ``keras_lite.layers`` exports, for messages."""
    from .. import layers  # the package, imported by the time a layer exists

    kinds = [name for name, v in vars(layers).items() if isinstance(v, type) and issubclass(v, layers.Layer)]
    return ", ".join(sorted(name for name in kinds if name not in ("Layer", "InputLayer")))
