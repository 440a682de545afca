"""Arithmetic and comparisons on a variable's current value, as Keras 3's variables take them: ``v + 1``,
``v / w``, ``2 - v``, ``v ** 2``, ``v > 0``, ``abs(v)`` give the NumPy result of its ``numpy()``. A metric's
state variables and a layer's weights have them, so that a metric written as Keras's guides write one
(``self.count.assign(self.count + n)``, ``return self.total / self.count``) runs. Equality stays identity:
variables are dict keys and set members, as Keras's are."""

from __future__ import annotations

import operator
from typing import Any, Callable

import numpy as np


class ValueOps:
    """The operators of a variable's value (see the module); the class defines ``numpy()``."""

    __slots__ = ()

    def numpy(self) -> Any:
        raise NotImplementedError

    def __neg__(self) -> Any:
        return -np.asarray(self.numpy())

    def __pos__(self) -> Any:
        return +np.asarray(self.numpy())

    def __abs__(self) -> Any:
        return abs(np.asarray(self.numpy()))


def _forward(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    return lambda self, other: op(np.asarray(self.numpy()), np.asarray(other))


def _reverse(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    return lambda self, other: op(np.asarray(other), np.asarray(self.numpy()))


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul"):
    _op = getattr(operator, _name)
    setattr(ValueOps, f"__{_name}__", _forward(_op))
    setattr(ValueOps, f"__r{_name}__", _reverse(_op))
for _name in ("lt", "le", "gt", "ge"):
    setattr(ValueOps, f"__{_name}__", _forward(getattr(operator, _name)))
