"""What ``imdb`` and ``reuters`` share: their ``.npz`` files of word-index sequences (ragged, so stored as
pickled object arrays, read here by an unpickler that can rebuild NumPy arrays and nothing else), and Keras's
preparation of the sequences (start and out-of-vocabulary marks, index offset, length and vocabulary limits)."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from typing import Any

import numpy as np

# The globals a pickled NumPy object array needs (both spellings of the module: files written by NumPy 1 and 2).
_ARRAY_GLOBALS = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }
)


class ArraysOnly(pickle.Unpickler):
    """Rebuilds NumPy arrays (of lists, ints and other pickle primitives) and refuses every other global, so a
    tampered file cannot run code through a pickled callable."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ARRAY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name} (only NumPy arrays are read)")


def unpickle_arrays(fp: Any, **kwargs: Any) -> Any:
    """What the pickle in ``fp`` holds, read by `ArraysOnly`; any failure to read it (a tampered or damaged
    stream can raise nearly any exception from the unpickler) is an ``UnpicklingError``."""
    try:
        return ArraysOnly(fp, **kwargs).load()
    except MemoryError:
        raise
    except Exception as e:
        raise pickle.UnpicklingError(f"{type(e).__name__}: {e}") from e


def _read_member(raw: bytes) -> np.ndarray:
    fp = io.BytesIO(raw)
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
    elif version in ((2, 0), (3, 0)):  # 3.0 differs from 2.0 only in the header's text encoding
        shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
    else:
        raise ValueError(f"unknown .npy version {version}")
    if not dtype.hasobject:
        fp.seek(0)
        return np.lib.format.read_array(fp, allow_pickle=False)
    array = unpickle_arrays(fp)
    if not isinstance(array, np.ndarray) or array.shape != shape:
        raise ValueError("an object member that is not the array its header describes")
    return array


def read_sequences_npz(path: str, names: tuple[str, ...]) -> list[np.ndarray]:
    """Arrays ``names`` of the ``.npz`` file at ``path``; object arrays of sequences unpickled safely."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = set(archive.namelist())
            arrays = []
            for name in names:
                if f"{name}.npy" not in members:
                    raise ValueError(f"it has no array {name!r}")
                arrays.append(_read_member(archive.read(f"{name}.npy")))
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, pickle.UnpicklingError) as e:
        raise ValueError(f"{path!r} is not the data set's file: {e}. Delete it to download it again.") from e
    return arrays


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


def read_word_index(path: str) -> dict[str, int]:
    """The word-index JSON file at ``path``: a dict of word to index."""
    try:
        with open(path, encoding="utf-8") as f:
            index = json.load(f)
    except (ValueError, OSError) as e:
        raise ValueError(
            f"{path!r} is not the data set's word index: {e}. Delete it to download it again."
        ) from e
    if not isinstance(index, dict):
        raise ValueError(f"{path!r} is not the data set's word index (not a JSON object).")
    return index
