"""What ``imdb`` and ``reuters`` share: Keras's preparation of their word-index sequences (start and
out-of-vocabulary marks, index offset, length and vocabulary limits). Their files are read by ``_read``."""

from __future__ import annotations

from typing import Any

import numpy as np


def check_arguments(num_words: Any, skip_top: Any, maxlen: Any, index_from: Any) -> None:
    """Integers where Keras's loaders expect them (None allowed for ``num_words`` and ``maxlen``)."""
    for name, value, optional in (
        ("num_words", num_words, True),
        ("skip_top", skip_top, False),
        ("maxlen", maxlen, True),
        ("index_from", index_from, False),
    ):
        if value is None and optional:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"Argument `{name}` must be a non-negative integer. Received: {name}={value!r}")


def index_words(xs: Any, start_char: Any, index_from: int) -> list[list[int]]:
    """Each sequence's indices shifted by ``index_from``, after ``start_char`` when it is not None."""
    head = [] if start_char is None else [start_char]
    return [head + [int(w) + index_from for w in x] for x in xs]


def drop_long(xs: list[list[int]], labels: np.ndarray, maxlen: Any) -> tuple[list[list[int]], np.ndarray]:
    """The sequences shorter than ``maxlen`` (strictly, as Keras keeps them) and their labels."""
    if not maxlen:
        return xs, labels
    keep = [i for i, x in enumerate(xs) if len(x) < maxlen]
    return [xs[i] for i in keep], labels[np.array(keep, dtype=np.intp)]


def limit_words(xs: list[list[int]], num_words: Any, skip_top: int, oov_char: Any) -> list[list[int]]:
    """Indices outside ``[skip_top, num_words)`` replaced by ``oov_char``, or dropped when it is None;
    ``num_words`` defaults to the largest index (which then counts as outside, as in Keras)."""
    if not num_words:
        num_words = max((max(x) for x in xs if x), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def object_array(xs: list[list[int]]) -> np.ndarray:
    """A one-dimensional object array of the lists (whatever their lengths)."""
    out = np.empty(len(xs), dtype=object)
    for i, x in enumerate(xs):
        out[i] = x
    return out


def check_kept(maxlen: Any, *parts: list[list[int]]) -> None:
    if maxlen and any(not p for p in parts):
        raise ValueError(
            f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. Increase maxlen."
        )
