"""``Tensor``: what ``model(x)``, layer calls, activations and losses return: a NumPy array with ``numpy()``.

Keras 3 answers these calls with a backend tensor, and Keras code reads one with ``result.numpy()``.
keras_lite computes in its core and hands back NumPy arrays; this subclass adds the tensor's ``numpy()``
and stays a NumPy array for everything else (``isinstance(out, np.ndarray)``, arithmetic, indexing,
``np.asarray(out)`` gives a plain array). ``predict`` and ``predict_on_batch`` return plain arrays, as in
Keras. A reduction over everything (``out.mean()``) is a NumPy scalar, as for a plain array; a pickled
result unpickles as a plain array, so a process without keras_lite can read it.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _scalar_type(base: type) -> type:
    """A subclass of NumPy's scalar type ``base`` that also has Keras's ``.numpy()``."""

    def numpy(self: Any) -> Any:
        return base(self)

    return type(f"Scalar{base.__name__.capitalize()}", (base,), {"__slots__": (), "numpy": numpy})


# The scalar an element of a `Tensor` reads as (``out[0, 1].numpy()``), by NumPy scalar type.
_SCALARS = {t: _scalar_type(t) for t in (np.float32, np.float64, np.int32, np.int64)}


def keras_scalar(value: Any) -> Any:
    """A NumPy scalar as the same number that also has Keras's ``.numpy()``; any other value as it is."""
    kind = _SCALARS.get(type(value))
    return value if kind is None else kind(value)


class Tensor(np.ndarray):  # type: ignore[type-arg]
    """A NumPy array that also reads like a Keras (TensorFlow) eager tensor: ``out.numpy()``, also on one
    element of it (``out[0, 1].numpy()``)."""

    __slots__ = ()

    def __getitem__(self, index: Any) -> Any:
        return keras_scalar(np.ndarray.__getitem__(self, index))

    def numpy(self) -> Any:
        """The values as a plain NumPy array (a view, no copy); a NumPy scalar for a 0-d result."""
        if self.ndim:
            return self.view(np.ndarray)
        return np.ndarray.__getitem__(self, ())

    def __array_wrap__(self, array: Any, context: Any = None, return_scalar: bool = False) -> Any:
        # NumPy >= 2 asks for a scalar (return_scalar) where a plain array gives one, e.g. `out.sum()`;
        # its default for a subclass is a 0-d array instead, which round() and hash() refuse.
        if return_scalar:
            return np.ndarray.__getitem__(array.view(np.ndarray), ())
        return super().__array_wrap__(array, context)

    def __reduce__(self) -> Any:
        return self.view(np.ndarray).__reduce__()

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))

    def __round__(self, ndigits: int | None = None) -> Any:
        if self.ndim == 0:
            return round(self.numpy(), ndigits)
        return np.round(self.view(np.ndarray), ndigits or 0)


def to_record(array: np.ndarray) -> dict[str, Any]:
    """An array as Keras 3 serializes one in a config: its ``__numpy__`` record."""
    return {"class_name": "__numpy__", "config": {"value": array.tolist(), "dtype": str(array.dtype)}}


def from_record(value: Any) -> Any:
    """The array of a ``__numpy__`` or ``__tensor__`` record (see ``to_record``), or ``value`` itself when it is
    no such record. The record's dtype is one of at most 16 bytes a value: its dtype string could otherwise make
    NumPy set aside gigabytes for a few values (``"S2000000000"``, ``"(1000,1000,1000)f8"``).

    Raises:
        ValueError: the record's config is not a dict, or its dtype is not such a NumPy dtype.
    """
    if not (isinstance(value, dict) and value.get("class_name") in ("__numpy__", "__tensor__")):
        return value
    inner = value.get("config", {})
    if not isinstance(inner, dict):
        raise ValueError(f"an array's record must hold a dict. Received: config={inner!r}")
    name = inner.get("dtype", "float32")
    try:
        dtype = np.dtype(name)
    except (TypeError, ValueError):
        raise ValueError(f"an array's record names no NumPy dtype. Received: dtype={name!r}") from None
    if dtype.itemsize > 16 or dtype.fields is not None or dtype.subdtype is not None:
        raise ValueError(
            f"an array's record names a dtype of {dtype.itemsize} bytes a value. Received: dtype={name!r}"
        )
    return np.array(inner.get("value"), dtype=dtype)
