"""``Normalization.adapt``'s data handling: what it accepts (arrays, nested lists, objects with ``__array__``,
iterables of batches), and the population mean and variance of it all.

This is data preparation, like fit's conversion of its arguments, so it runs in NumPy (vectorised reductions
over each batch, in float64) rather than in the core: a batch's moments cost one pass each and the core has
nothing to add to a reduction NumPy already does in C. Batches are merged with Keras's weights
``w = b/(N + b)``: ``mean' = mean·(1−w) + bmean·w`` and ``var' = (var + (mean−mean')²)·(1−w) + (bvar +
(bmean−mean')²)·w``, which equals the statistics of all rows at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np

from .. import _data
from .._errors import received

_NOT_ARRAYS = (
    "adapt() expects an iterable that yields arrays or tensors with a `.shape` attribute (e.g. numpy arrays "
    "or backend tensors). Got an element of type {}. Ensure each yielded element is array-like with a "
    "`.shape` attribute."
)


def _is_dataframe(data: Any) -> bool:
    return type(data).__name__ == "DataFrame" and hasattr(data, "columns")


def _x_of(batch: Any) -> Any:
    """A batch's inputs: the first item of an ``(x, y)`` or ``(x, y, sample_weight)`` tuple."""
    return batch[0] if isinstance(batch, tuple) else batch


def _numbers(data: Any) -> Any:
    """An object array of numbers and bools (``np.array(df)`` of a DataFrame with ``get_dummies``'s bool
    columns, as TensorFlow's regression tutorial adapts) as float32, which Keras adapts on; anything else as
    given."""
    if isinstance(data, np.ndarray) and data.dtype == object:
        try:
            return data.astype(np.float32)
        except (TypeError, ValueError):
            return data  # (strings and the like: refused by the conversion that follows, naming them)
    return data


def batches(data: Any, batch_size: Any, steps: Any) -> tuple[Any, Iterator[Any]]:
    """``data`` as (its first batch, an iterator over all its batches, that one included), unconverted.

    Raises:
        TypeError: neither an array nor an iterable of arrays (a DataFrame iterates its column names).
        ValueError: ``batch_size`` with an iterable, an empty iterable, or a bad ``batch_size``/``steps``.
    """
    size = None if batch_size is None else _data.as_positive_int(batch_size, "batch_size")
    limit = None if steps is None else _data.as_positive_int(steps, "steps")
    if isinstance(data, np.ndarray) or (
        isinstance(data, (list, tuple)) and data and not hasattr(_x_of(data[0]), "shape")
    ):
        array = _data.to_array(_numbers(data), "data")
        return array, _chunks(array, size, limit)
    if hasattr(data, "__array__") and not _is_dataframe(data):
        array = _data.to_array(_numbers(np.asarray(data)), "data")
        return array, _chunks(array, size, limit)
    if size is not None:
        raise ValueError(
            "batch_size applies to array data only: an iterable gives its own batches. "
            f"{received('batch_size', batch_size)}"
        )
    if hasattr(data, "__len__") and hasattr(data, "__getitem__") and not hasattr(data, "__iter__"):
        items: Iterator[Any] = (data[i] for i in range(len(data)))  # a Keras-style PyDataset
    elif hasattr(data, "__iter__"):
        items = iter(data)
    else:
        raise TypeError(
            f"Unsupported data type: {type(data)}. `adapt` supports `np.ndarray`, objects with `__array__`, "
            "and iterables of batches (e.g. a list of arrays, a generator)."
        )
    if limit is not None:
        items = itertools.islice(items, limit)
    first = next(items, None)
    if first is None:
        raise ValueError(
            "adapt() received an empty iterable (no batches). Expected at least one batch. Pass a non-empty "
            "iterable of arrays, e.g. layer.adapt([x]) or layer.adapt(list_of_batches)."
        )
    first = _x_of(first)
    if not hasattr(first, "shape"):
        raise TypeError(_NOT_ARRAYS.format(type(first).__name__))
    return first, itertools.chain([first], (_x_of(b) for b in items))


def _chunks(array: np.ndarray, size: int | None, limit: int | None) -> Iterator[np.ndarray]:
    if size is None:
        yield array
        return
    starts = range(0, max(len(array), 1), size)
    for start in itertools.islice(starts, limit):
        yield array[start : start + size]


def width(first: Any, per_feature: bool) -> int:
    """The layer width the first batch implies: its last axis (per feature, where a 1-D batch is one row of
    features, as in Keras), or the width of a row (one value per row for 1-D data) with axis=None."""
    shape = tuple(np.shape(first))
    if len(shape) > 2:
        raise ValueError(
            f"keras_lite's Normalization takes (rows, features) data. Received: data.shape={shape}"
        )
    if not shape or (per_feature is False and len(shape) == 1):
        return 1
    if shape[-1] == 0:
        raise ValueError(f"adapt() needs at least one feature. Received: data.shape={shape}")
    return int(shape[-1])


def moments(items: Iterator[Any], per_feature: bool, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """The population mean and variance of every batch together (per column, or one of each)."""
    total = 0
    mean = var = np.zeros(cols if per_feature else 1)
    for k, batch in enumerate(items):
        b = _data.to_array(_numbers(batch), "data")
        if per_feature:
            b = b.reshape(1, -1) if b.ndim == 1 else b
            if b.ndim != 2 or b.shape[1] != cols:
                raise ValueError(
                    f"adapt() yielded a batch with incompatible shape. Expected (None, {cols}), got "
                    f"{tuple(b.shape)}."
                )
            rows = b.shape[0]
        else:
            b = b.reshape(-1, 1)
            rows = b.shape[0]
        if rows == 0:
            continue
        if not _data.all_finite(b):
            r, c = (int(i) for i in np.argwhere(~np.isfinite(b))[0])
            raise ValueError(
                f"adapt() needs finite data: batch {k} holds {b[r, c]} at row {r}, column {c}. "
                f"Received: data[{r}, {c}]={b[r, c]}"
            )
        b_mean = np.mean(b, axis=0, dtype=np.float64)
        b_var = np.var(b, axis=0, dtype=np.float64)
        if not per_feature:
            b_mean, b_var = b_mean.reshape(1), b_var.reshape(1)
        total += rows
        w = rows / total
        new_mean = mean * (1 - w) + b_mean * w
        var = (var + (mean - new_mean) ** 2) * (1 - w) + (b_var + (b_mean - new_mean) ** 2) * w
        mean = new_mean
    if total == 0:
        raise ValueError("adapt() received no rows: every batch of data is empty.")
    return mean, var
