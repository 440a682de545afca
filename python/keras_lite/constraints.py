"""Weight constraints, as ``keras.constraints``: ``MaxNorm``, ``MinMaxNorm``, ``UnitNorm`` and ``NonNeg``.

The core applies them to ``Dense``'s kernel and bias after every optimizer step (not at initialization nor on
``set_weights``), as Keras does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _custom
from ._errors import real_number
from ._tensor import Tensor
from ._unsupported import NotSupportedError, refuse_own_code

__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "deserialize",
    "get",
    "max_norm",
    "min_max_norm",
    "non_neg",
    "serialize",
    "unit_norm",
]

_EPSILON = 1e-7


class Constraint:
    """Base class of the constraints (keras_lite computes its built-in ones only)."""

    def _params(self) -> tuple[str, float, float, float, tuple[int, ...]]:
        raise NotImplementedError

    def _core(self) -> tuple[str, float, float, float, int]:
        """The constraint as the core applies it after each step: along one axis (one of the user's own is
        refused)."""
        supported = "MaxNorm, MinMaxNorm, NonNeg, UnitNorm"
        refuse_own_code(self, "constraint", ("__call__",), supported)
        if type(self)._params is Constraint._params:  # (the base class, or a subclass of it)
            raise NotSupportedError(
                f"keras_lite computes constraints in its core and does not support a constraint of your own yet. "
                f"Supported: {supported}. Received: {type(self).__name__}"
            )
        name, a, b, rate, axes = self._params()
        if len(axes) != 1:
            raise NotSupportedError(
                "keras_lite's core applies a weight constraint along one axis. "
                f"Received: axis={getattr(self, 'axis', axes)!r}"
            )
        return name, a, b, rate, axes[0]

    def __call__(self, w: Any) -> Any:
        if type(self)._params is Constraint._params:
            return w  # the base class constrains nothing, as Keras's
        name, a, b, rate, axes = self._params()
        w = np.asarray(w, dtype=np.float32)
        if name == "non_neg":
            return np.maximum(w, 0).astype(np.float32).view(Tensor)
        n = np.sqrt(np.sum(np.square(w), axis=axes or None, keepdims=True))
        if name == "max_norm":
            target = np.clip(n, 0, a)
        elif name == "min_max_norm":
            target = rate * np.clip(n, a, b) + (1 - rate) * n
        else:
            target = np.ones_like(n)
        return (w * (target / (_EPSILON + n))).astype(np.float32).view(Tensor)

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _axes(axis: Any) -> tuple[int, ...]:
    """``axis`` (an integer, or a list or tuple of them, as Keras takes) as a tuple of integers; None (every
    axis, as Keras reads it) as an empty one."""
    if axis is None:
        return ()
    items = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if not items or any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) for a in items):
        raise ValueError(
            f"A constraint's axis must be an integer or a list of integers. Received: axis={axis!r}"
        )
    return tuple(int(a) for a in items)


class MaxNorm(Constraint):
    """Scales each vector along ``axis`` down to an L2 norm of at most ``max_value``."""

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        real_number("max_value", max_value)  # a string is Keras's TypeError (at its first call)
        self.max_value = max_value
        self.axis = axis
        self._axes = _axes(axis)

    def _params(self) -> tuple[str, float, float, float, tuple[int, ...]]:
        return ("max_norm", float(self.max_value), 0.0, 1.0, self._axes)

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves each vector's L2 norm along ``axis`` (by ``rate``) into ``[min_value, max_value]``."""

    def __init__(
        self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0
    ) -> None:
        for arg, value in (("min_value", min_value), ("max_value", max_value), ("rate", rate)):
            real_number(arg, value)  # a string is Keras's TypeError (at its first call)
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis
        self._axes = _axes(axis)

    def _params(self) -> tuple[str, float, float, float, tuple[int, ...]]:
        return ("min_max_norm", float(self.min_value), float(self.max_value), float(self.rate), self._axes)

    def get_config(self) -> dict[str, Any]:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


class UnitNorm(Constraint):
    """Scales each vector along ``axis`` to unit L2 norm."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis
        self._axes = _axes(axis)

    def _params(self) -> tuple[str, float, float, float, tuple[int, ...]]:
        return ("unit_norm", 0.0, 0.0, 1.0, self._axes)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


class NonNeg(Constraint):
    """Sets negative values to zero."""

    def _params(self) -> tuple[str, float, float, float, tuple[int, ...]]:
        return ("non_neg", 0.0, 0.0, 1.0, (0,))


max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
_BY_NAME: dict[str, type[Constraint]] = {
    "MaxNorm": MaxNorm,
    "max_norm": MaxNorm,
    "MinMaxNorm": MinMaxNorm,
    "min_max_norm": MinMaxNorm,
    "NonNeg": NonNeg,
    "non_neg": NonNeg,
    "UnitNorm": UnitNorm,
    "unit_norm": UnitNorm,
}


def serialize(constraint: Any) -> Any:
    """``constraint`` as Keras 3 serializes it (``None`` stays ``None``, a name stays a name)."""
    if constraint is None or isinstance(constraint, str):
        return constraint
    return {
        "module": "keras.constraints",
        "class_name": type(constraint).__name__,
        "config": constraint.get_config(),
        "registered_name": None,
    }


def deserialize(config: Any, custom_objects: Any = None) -> Constraint:
    """A constraint from its name or its ``serialize`` dict; a class named in ``custom_objects`` is made from its
    config, as Keras makes it."""
    custom = _custom.made(config, custom_objects)
    if custom is not None:
        return custom  # type: ignore[no-any-return]
    if isinstance(config, str):
        if config not in _BY_NAME:
            raise ValueError(f"Could not interpret constraint identifier: {config}")
        return _BY_NAME[config]()
    if isinstance(config, dict) and isinstance(config.get("class_name"), str):
        cls = _BY_NAME.get(config["class_name"])
        if cls is None:
            raise NotSupportedError(
                "keras_lite supports the constraints MaxNorm, MinMaxNorm, NonNeg and UnitNorm only. "
                f"Received: {config['class_name']}"
            )
        return cls.from_config(dict(config.get("config") or {}))
    raise ValueError(f"Could not interpret constraint identifier: {config}")


def get(identifier: Any) -> Constraint | None:
    """A constraint from ``None``, a name, a config dict or an object."""
    if isinstance(identifier, Constraint):
        identifier._core()  # (refuses one computing its own)
        return identifier
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        raise NotSupportedError(
            "keras_lite computes constraints in its core and does not support custom constraint functions or "
            f"objects yet. Supported: MaxNorm, MinMaxNorm, NonNeg, UnitNorm. Received: {identifier!r}"
        )
    raise ValueError(f"Could not interpret constraint identifier: {identifier}")
