"""What the data sets' ``load_data`` share: Keras's shuffle-and-split, and reading the files Keras downloads
(NumPy ``.npz`` archives without pickles, gzipped IDX files) with a clear error for a file that is not one."""

from __future__ import annotations

import gzip
import numbers
import zipfile
from typing import Any

import numpy as np

# Where Keras's loaders download their files from (the same files, so one cache serves both).
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

_Pair = tuple[np.ndarray, np.ndarray]


def check_test_split(test_split: Any) -> None:
    """A real number in ``[0, 1)``, or the error that says what was received."""
    if isinstance(test_split, (bool, np.bool_)) or not isinstance(test_split, numbers.Real):
        raise TypeError(f"`test_split` must be a float in [0, 1). Received: test_split={test_split!r}")
    if not 0 <= float(test_split) < 1:
        raise ValueError(f"`test_split` must be a float in [0, 1). Received: test_split={test_split!r}")


def shuffle_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: Any) -> tuple[_Pair, _Pair]:
    """Rows shuffled by ``np.random.RandomState(seed)``, the first ``int(n * (1 - test_split))`` for training
    and the rest for testing, as Keras's ``boston_housing`` splits. The parts are fresh, writable arrays."""
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    at = int(len(x) * (1 - test_split))
    return (np.array(x[:at]), np.array(y[:at])), (np.array(x[at:]), np.array(y[at:]))


def read_npz(path: str, names: tuple[str, ...]) -> list[np.ndarray]:
    """Arrays ``names`` of the ``.npz`` file at ``path``, which may hold no pickled objects."""
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [n for n in names if n not in f.files]
            if missing:
                raise ValueError(f"it has no array {missing[0]!r} (it has {sorted(f.files)})")
            return [f[n] for n in names]
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise ValueError(f"{path!r} is not the data set's file: {e}. Delete it to download it again.") from e


def read_idx(path: str, dims: tuple[int, ...]) -> np.ndarray:
    """The uint8 array of a gzipped IDX file (MNIST's format): a header of magic number and sizes, then the
    values. Its item shape must be ``dims``; no more is inflated than the header promises."""
    magic = 0x800 + 1 + len(dims)
    try:
        with gzip.open(path, "rb") as f:
            header = f.read(4 * (1 + 1 + len(dims)))
            sizes = np.frombuffer(header, ">u4") if len(header) % 4 == 0 else np.zeros(0, ">u4")
            if len(sizes) != 2 + len(dims) or sizes[0] != magic or tuple(int(s) for s in sizes[2:]) != dims:
                raise ValueError(f"its header is not that of {'labels' if not dims else 'images'} {dims}")
            count = int(sizes[1]) * int(np.prod(dims, dtype=np.int64))
            data = f.read(count + 1)
            if len(data) != count:
                raise ValueError(f"it holds {len(data)} bytes of values where its header says {count}")
    except (OSError, EOFError) as e:
        raise ValueError(f"{path!r} is not a gzipped IDX file: {e}. Delete it to download it again.") from e
    except ValueError as e:
        raise ValueError(f"{path!r} is not the data set's file: {e}. Delete it to download it again.") from e
    return np.frombuffer(data, np.uint8).reshape((int(sizes[1]), *dims)).copy()
