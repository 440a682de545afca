"""Utilities mirroring ``keras.utils`` (``get_file`` in ``_download``, ``Progbar`` in ``_progbar``,
``pad_sequences`` and the batch-tuple helpers in ``_sequence_utils``)."""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from . import _data, config
from ._download import get_file
from ._errors import ClassIdError, received, whole_number
from ._io import disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled
from ._progbar import Progbar
from ._registration import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from ._sequence_utils import pack_x_y_sample_weight, pad_sequences, unpack_x_y_sample_weight
from ._stream import PyDataset
from .layers._input_layer import InputLayer
from .layers._keras_tensor import KerasTensor, _tensor_counts
from .layers._layer import _name_counts


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and keras_lite's own generator, as Keras does.

    Args:
        seed: An integer from 0 to 2**32 - 1 (a NumPy integer too; not a bool).

    Raises:
        ValueError: ``seed`` is not an integer (Keras's message), or out of that range (NumPy's, as in Keras).

    Example:
        >>> keras_lite.utils.set_random_seed(42)
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):  # (Keras takes True as 1)
        raise ValueError(
            f"Expected `seed` argument to be an integer. Received: seed={seed} (of type {type(seed)})"
        )
    if not 0 <= seed <= 2**32 - 1:
        raise ValueError(f"Seed must be between 0 and 2**32 - 1. {received('seed', seed)}")
    random.seed(int(seed))
    np.random.seed(int(seed))
    config.set_seed(int(seed))


def clear_session(free_memory: bool = True) -> None:
    """Reset keras_lite's global state, as ``keras.utils.clear_session`` does.

    New layers, models and symbolic tensors are named from the start again (``dense``, ``sequential``). keras_lite keeps no
    graph or session, so there is nothing else to free; models that still exist keep working.
    Interactive logging is turned back on, as Keras's reset does.

    Args:
        free_memory: Accepted for Keras compatibility.
    """
    _name_counts.clear()
    _tensor_counts.clear()
    enable_interactive_logging()  # Keras's reset of its global state turns it back on


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot rows for class ids, as ``keras.utils.to_categorical``.

    Args:
        x: Class ids, any shape; a trailing axis of size 1 is dropped first. Ids are cast to integers as Keras
            casts them (``1.7`` is class 1), and a negative id counts from the last class, as NumPy indexes.
        num_classes: The number of classes; defaults (also when 0) to ``max(x) + 1``.

    Returns:
        A float64 array of shape ``x.shape + (num_classes,)`` (for NumPy input, as Keras returns).

    Raises:
        ClassIdError: An id outside ``-num_classes .. num_classes - 1`` (an ``IndexError``, as in Keras, and a
            ``ValueError``).

    Example:
        >>> keras_lite.utils.to_categorical([0, 2, 1])
        array([[1., 0., 0.], [0., 0., 1.], [0., 1., 0.]])
    """
    if isinstance(x, (list, tuple, np.ndarray)) and np.asarray(x).dtype.kind in "UO":
        try:  # numbers as strings (a CSV's column read as text), as Keras's np.array(x, dtype="int64") reads them
            x = np.asarray(x).astype(np.int64)
        except (TypeError, ValueError):
            pass  # (refused below, naming the data)
    ids = _data.to_array(x, "x")
    if ids.size and not _data.all_finite(ids):
        raise ValueError(f"x must hold class ids, finite numbers. {received('x', x)}")
    ids = ids.astype(np.int64)  # toward zero, as Keras's np.array(x, dtype="int64")
    shape = ids.shape[:-1] if ids.ndim > 1 and ids.shape[-1] == 1 else ids.shape
    flat = ids.reshape(-1)
    if num_classes is not None:
        whole_number("num_classes", num_classes, "num_classes must be a positive integer.")
    if not num_classes:
        num_classes = max(int(flat.max()) + 1, 0) if flat.size else 0
    n = int(num_classes)
    outside = flat[(flat >= n) | (flat < -n)]
    if outside.size:
        raise ClassIdError(
            f"x holds class id {int(outside[0])}, outside what num_classes={n} covers (ids {-n} to {n - 1}; a "
            f"negative id counts from the last class). {received('num_classes', num_classes)}"
        )
    out = np.zeros((flat.size, n), dtype=np.float64)
    out[np.arange(flat.size), flat] = 1.0
    return out.reshape(*shape, n)


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """``x`` divided by its ``order``-norm along ``axis``, as ``keras.utils.normalize``; a zero norm counts as 1,
    so all-zero rows stay zero.

    Args:
        x: An array.
        axis: The axis along which to normalize.
        order: The norm's order (2 for L2), as ``np.linalg.norm`` takes it.

    Example:
        >>> keras_lite.utils.normalize([[3, 4], [0, 0]])
        array([[0.6, 0.8], [0. , 0. ]])
    """
    if isinstance(x, np.ndarray):  # Keras's NumPy branch, its result type and its `axis or -1` included
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        return np.asarray(x / np.expand_dims(norm, axis or -1))
    # Anything else goes through Keras's `ops.normalize`, in float32: x / max(norm, 1e-7) along `axis`.
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    array = np.atleast_1d(np.asarray(_data.to_array(x, "x"), dtype=np.float32))
    eps = np.float32(1e-7)
    if order == 2:  # as Keras: x · min(1/√Σx², 1/ε)
        with np.errstate(divide="ignore"):
            inv = np.float32(1) / np.sqrt(np.sum(np.square(array), axis=axis, keepdims=True))
        return np.asarray(array * np.minimum(inv, np.float32(1) / eps))
    norm = np.linalg.norm(array, ord=order, axis=axis, keepdims=True).astype(np.float32)
    return np.asarray(array / np.maximum(norm, eps))


def is_keras_tensor(x: Any) -> bool:
    """Whether ``x`` is a symbolic tensor: ``keras.Input(...)`` or a layer called on one."""
    return isinstance(x, KerasTensor)


def get_source_inputs(tensor: Any) -> list[KerasTensor]:
    """The ``keras.Input`` tensors that ``tensor`` is computed from, each once, in the order the graph reaches
    them (``tensor`` itself for an input), as ``keras.utils.get_source_inputs``.

    Raises:
        ValueError: ``tensor`` is not a KerasTensor.
    """
    if not isinstance(tensor, KerasTensor):
        raise ValueError(
            f"`tensor` must be a KerasTensor (keras.Input or a layer's output). {received('tensor', tensor)}"
        )
    found: list[KerasTensor] = []
    stack, seen = [tensor], set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        layer = t._keras_history[0]
        if isinstance(layer, InputLayer) or layer._inbound is None:
            found.append(t)
        else:
            stack.extend(reversed(layer._inbound[0]))
    return found


# Keras 3's alias of PyDataset.
Sequence = PyDataset

__all__ = [
    "CustomObjectScope",
    "Progbar",
    "PyDataset",
    "Sequence",
    "clear_session",
    "custom_object_scope",
    "deserialize_keras_object",
    "disable_interactive_logging",
    "enable_interactive_logging",
    "get_custom_objects",
    "get_file",
    "get_registered_name",
    "get_registered_object",
    "get_source_inputs",
    "is_interactive_logging_enabled",
    "is_keras_tensor",
    "normalize",
    "pack_x_y_sample_weight",
    "pad_sequences",
    "register_keras_serializable",
    "serialize_keras_object",
    "set_random_seed",
    "to_categorical",
    "unpack_x_y_sample_weight",
]
