"""Python's operators on symbolic tensors, as Keras 3 takes them in a Functional graph: ``x + y``, ``x - y`` and
``x * y`` of two tensors are an ``Add``, ``Subtract`` or ``Multiply`` layer (the residual ``x + inputs``), and
a tensor and a number (``x * 0.5``, ``x + 1``, ``inputs / 255.0``, ``-x``) a ``Rescaling`` layer. Keras records
them as operations (``keras.ops.add``); keras_lite's graph holds these layers, which compute the same values
(a division by ``c`` is a multiplication by ``1 / c``, which may differ from it in the last bit) and which a
``.keras`` file keeps as layers Keras reads; ``+x`` is a ``Rescaling`` by 1. Other operators (slicing, ``**``,
``@``, ``//``, ``%``, ``abs``, comparisons, a number divided by a tensor) raise `NotSupportedError`."""

from __future__ import annotations

import numbers
from typing import Any

from .._unsupported import NotSupportedError


def _number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


# The layer classes the operators make, by name (``Add``, ``Subtract``, ``Multiply``, ``Rescaling``), given by
# the layers package once it has them (their modules import the tensors, which use these operators).
LAYERS: dict[str, Any] = {}


def _merged(kind: str, a: Any, b: Any) -> Any:
    return LAYERS[kind]()([a, b])


def _scaled(x: Any, scale: float, offset: float = 0.0) -> Any:
    return LAYERS["Rescaling"](scale, offset)(x)


def _refused(op: str, other: Any) -> NotSupportedError:
    return NotSupportedError(
        f"keras_lite does not support `{op}` on symbolic tensors yet: a graph takes `+`, `-` and `*` of two "
        "tensors (the Add, Subtract and Multiply layers), and `+`, `-`, `*` and `/` of a tensor and a number (a "
        f"Rescaling layer). Received: {other!r}"
    )


def _refusal(op: str) -> Any:
    """An operator method refusing ``op`` (one of two operands, or a unary one such as ``abs``)."""

    def refuse(self: Any, *other: Any) -> Any:
        raise _refused(op, other[0] if other else self)

    return refuse


class TensorOps:
    """The operators of `KerasTensor` (see the module)."""

    __array_ufunc__ = None  # (NumPy's scalars and arrays leave their operators with a tensor to ours)

    def _tensor(self, other: Any) -> bool:
        return isinstance(other, TensorOps)

    def __add__(self, other: Any) -> Any:
        if self._tensor(other):
            return _merged("Add", self, other)
        if _number(other):
            return _scaled(self, 1.0, float(other))
        raise _refused("+", other)

    def __radd__(self, other: Any) -> Any:
        return self.__add__(other)

    def __sub__(self, other: Any) -> Any:
        if self._tensor(other):
            return _merged("Subtract", self, other)
        if _number(other):
            return _scaled(self, 1.0, -float(other))
        raise _refused("-", other)

    def __rsub__(self, other: Any) -> Any:
        if _number(other):
            return _scaled(self, -1.0, float(other))
        raise _refused("-", other)

    def __mul__(self, other: Any) -> Any:
        if self._tensor(other):
            return _merged("Multiply", self, other)
        if _number(other):
            return _scaled(self, float(other))
        raise _refused("*", other)

    def __rmul__(self, other: Any) -> Any:
        return self.__mul__(other)

    def __truediv__(self, other: Any) -> Any:
        if _number(other) and other != 0:
            return _scaled(self, 1.0 / float(other))
        raise _refused("/", other)

    def __neg__(self) -> Any:
        return _scaled(self, -1.0)

    def __pos__(self) -> Any:
        return _scaled(self, 1.0)

    # The other operators, Keras's operations keras_lite lacks (`x[...]`, `x ** 2`, `x @ w`, `2 / x`, `x // 2`,
    # `x % 2`, `abs(x)`, `x > 0`): refused by name rather than with Python's "unsupported operand" TypeError.
    # (`==` and `!=` stay identity, which a graph's bookkeeping relies on.)
    __getitem__ = _refusal("[...]")
    __pow__ = __rpow__ = _refusal("**")
    __matmul__ = __rmatmul__ = _refusal("@")
    __rtruediv__ = _refusal("/")
    __floordiv__ = __rfloordiv__ = _refusal("//")
    __mod__ = __rmod__ = _refusal("%")
    __abs__ = _refusal("abs()")
    __lt__, __le__, __gt__, __ge__ = (_refusal(op) for op in ("<", "<=", ">", ">="))

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        # Keras 3.15.1: "A KerasTensor is symbolic: it's a placeholder for a shape an a dtype. It doesn't have
        # any actual numerical value."
        raise ValueError(
            "A KerasTensor is symbolic: it's a placeholder for a shape and a dtype, without values. Call the "
            "model on arrays instead."
        )
