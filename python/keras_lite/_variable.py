"""``Variable``: a handle on one weight that lives in the Rust core; reads and writes go through it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ._errors import DataTypeError
from ._value_ops import ValueOps

if TYPE_CHECKING:
    from .layers import Layer


def weight_array(value: Any, what: str) -> np.ndarray:
    """A weight value as a float32 C-contiguous array; anything not real-numeric is a TypeError naming `what`."""
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # numpy refuses ragged nested lists
        raise ValueError(
            f"{what} must be a rectangular array: every row of a nested list must have the same length. "
            f"Received: a ragged list {value!r:.200}"
        ) from exc
    if arr.dtype.kind not in "biuf":
        raise DataTypeError(f"{what} must be a real numeric array. Received: {what} with dtype {arr.dtype}")
    # (np.ascontiguousarray makes a 0-d array 1-d: keep the shape of a scalar weight such as `count`.)
    return np.ascontiguousarray(arr, dtype=np.float32).reshape(arr.shape)


class Variable(ValueOps):
    """A weight of a built layer, like a Keras ``Variable``.

    ``numpy()`` (and ``np.asarray(v)``) copy the current value out of the core; ``assign`` writes it back.
    Indexing, arithmetic and formatting with a spec (``f"{v:.3f}"``) work on the copied value; ``str(v)`` and
    ``f"{v}"`` give Keras's ``<Variable path=..., shape=..., dtype=..., value=...>``.
    """

    is_tensor_like = True  # lets tf.is_tensor-style checks (learntools) accept it
    __array_priority__ = 100

    def __init__(self, layer: Layer, slot: int, name: str, shape: tuple[int, ...], trainable: bool) -> None:
        self._layer = layer
        self._slot = slot
        self.name = name
        self.shape = tuple(shape)
        self._trainable = trainable
        self.dtype = "float32"

    @property
    def trainable(self) -> bool:
        """Whether the optimizer updates this weight."""
        return self._trainable and self._layer.trainable

    @property
    def path(self) -> str:
        """``"<model>/<layer>/<name>"`` in a Sequential, ``"<layer>/<name>"`` in a Functional model (whose layers
        Keras 3 builds before the model exists), as Keras 3 reports it."""
        return f"{self._layer._scope()}/{self.name}"

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def value(self) -> np.ndarray:
        return self.numpy()

    def numpy(self) -> np.ndarray:
        """A copy of the current value."""
        owner, index = self._layer._weight_location(self._slot)
        value = owner.get_weight(index)
        # The core holds float32; an integer weight (Normalization's int64 `count`) reads back in its dtype.
        return keras_value(value, self.dtype)  # type: ignore[no-any-return]

    def assign(self, value: Any) -> None:
        """Overwrite the value; ``value`` must have exactly this variable's shape."""
        arr = weight_array(value, "value")
        if arr.shape != self.shape:
            raise ValueError(
                f"The shape of the target variable and the shape of the target value in `variable.assign(value)` "
                f"must match. variable.shape={self.shape}, Received: value.shape={arr.shape}"
            )
        owner, index = self._layer._weight_location(self._slot)
        owner.set_weight(index, arr)

    def assign_add(self, value: Any) -> None:
        """Add ``value`` (a number, or an array of this variable's shape or one that broadcasts to it)."""
        self.assign(self.numpy() + self._delta(value, "assign_add"))

    def assign_sub(self, value: Any) -> None:
        """Subtract ``value`` (a number, or an array of this variable's shape or one that broadcasts to it)."""
        self.assign(self.numpy() - self._delta(value, "assign_sub"))

    def _delta(self, value: Any, method: str) -> np.ndarray:
        arr = weight_array(value, "value")
        try:
            if np.broadcast_shapes(arr.shape, self.shape) == self.shape:
                return arr
        except ValueError:
            pass
        raise ValueError(  # (Keras on TensorFlow: "Incompatible shapes")
            f"`variable.{method}(value)` needs a value of the variable's shape or one that broadcasts to it. "
            f"variable.shape={self.shape}, Received: value.shape={arr.shape}"
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = np.asarray(self.numpy())  # (a NumPy scalar for a weight of no axes)
        return a if dtype is None else a.astype(dtype)

    def __getitem__(self, idx: Any) -> Any:
        return self.numpy()[idx]

    def __len__(self) -> int:
        return self.shape[0] if self.shape else 0

    def __iter__(self) -> Any:
        return iter(self.numpy())

    def __float__(self) -> float:
        return float(self.numpy())

    def __format__(self, spec: str) -> str:
        # `"{}".format(w)`, `f"{w}"`: Keras 3's str(), the repr (the course's first exercise prints it).
        if not spec:
            return repr(self)
        # (Keras raises TypeError for a format spec; keras_lite formats the value with it.)
        return format(self.numpy(), spec) if self.shape == () else format(str(self.numpy()), spec)

    def __repr__(self) -> str:
        return f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, value={self.numpy()}>"

    def __eq__(self, o: object) -> Any:
        return self is o

    __hash__ = object.__hash__


def keras_value(value: np.ndarray, dtype: str) -> Any:
    """A weight's copy as Keras's ``variable.numpy()`` gives it: in the variable's dtype, and a NumPy scalar
    (``np.int64(4)``) for a weight of no axes (Normalization's ``count`` with ``axis=None``)."""
    value = value if dtype == "float32" else value.astype(dtype)
    return value[()] if value.ndim == 0 else value
