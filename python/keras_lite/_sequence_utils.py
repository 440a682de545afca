"""``keras.utils.pad_sequences``, and the batch-tuple helpers ``pack_x_y_sample_weight`` and
``unpack_x_y_sample_weight``, as Keras has them."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._errors import received

_SIDES = ("pre", "post")


def pad_sequences(
    sequences: Any,
    maxlen: int | None = None,
    dtype: Any = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: Any = 0.0,
) -> np.ndarray:
    """Sequences of different lengths as one ``(len(sequences), maxlen)`` array, as Keras pads them.

    A sequence longer than ``maxlen`` loses values at its start (``truncating="pre"``) or end (``"post"``); a
    shorter one is filled with ``value`` before it (``padding="pre"``) or after it (``"post"``). The items of a
    sequence may themselves be arrays (of one shape throughout): the result then has their shape after the
    first two axes.

    Args:
        sequences: A list (or other sized iterable) of sequences.
        maxlen: The length of the result's rows; defaults to the longest sequence.
        dtype: The result's dtype (``object`` or a string dtype for string values).
        padding: ``"pre"`` or ``"post"``: where the fill goes.
        truncating: ``"pre"`` or ``"post"``: where values are cut from a longer sequence.
        value: The fill value.

    Returns:
        A NumPy array of shape ``(len(sequences), maxlen) + item shape``.

    Raises:
        ValueError: a ``padding`` or ``truncating`` other than ``"pre"`` and ``"post"``, a negative ``maxlen``,
            an item that is not a sequence, items of different shapes, or a string ``value`` for a numeric dtype.

    Example:
        >>> keras_lite.utils.pad_sequences([[1, 2, 3], [4]], maxlen=2)
        array([[2, 3],
               [0, 4]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"`sequences` must be iterable. {received('sequences', sequences)}")
    for name, side in (("padding", padding), ("truncating", truncating)):
        if side not in _SIDES:
            raise ValueError(f"Argument `{name}` must be 'pre' or 'post'. {received(name, side)}")
    if maxlen is not None and (
        isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0
    ):
        raise ValueError(
            f"Argument `maxlen` must be None or a non-negative integer. {received('maxlen', maxlen)}"
        )
    lengths, item_shape = [], None
    for s in sequences:
        try:
            lengths.append(len(s))
        except TypeError as e:
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: {s}") from e
        if item_shape is None and len(s):
            item_shape = np.asarray(s).shape[1:]
    item_shape = item_shape or ()
    width = int(maxlen) if maxlen is not None else max(lengths, default=0)
    text = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not text:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings."
        )
    out = np.full((len(lengths), width, *item_shape), value, dtype=dtype)
    if width == 0:
        longest = max(lengths, default=0)
        if truncating == "pre" and longest:  # Keras's s[-0:] keeps the whole sequence, which cannot fit
            raise ValueError(
                f"could not broadcast input array from shape ({longest},) into shape (0,): `maxlen=0` with "
                f"truncating='pre' keeps no value of a sequence that has some. {received('maxlen', maxlen)}"
            )
        return out
    for i, s in enumerate(sequences):
        if not len(s):
            continue
        kept = np.asarray(s[-width:] if truncating == "pre" else s[:width], dtype=dtype)
        if kept.shape[1:] != item_shape:
            raise ValueError(
                f"Shape of sample {kept.shape[1:]} of sequence at position {i} is different from expected shape "
                f"{item_shape}"
            )
        if padding == "post":
            out[i, : len(kept)] = kept
        else:
            out[i, width - len(kept) :] = kept
    return out


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """The batch tuple ``fit`` reads: ``x`` alone (a list or tuple ``x`` as ``(x,)``), ``(x, y)`` or
    ``(x, y, sample_weight)``."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from a batch: ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` (a list is
    read as a tuple), with None for what is missing."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) in (1, 2, 3):
        return (*data, *([None] * (3 - len(data))))  # type: ignore[return-value]
    raise ValueError(
        f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, found: {data}"
    )
