"""What the data sets' ``load_data`` share: where Keras downloads them from, and its shuffle-and-split."""

from __future__ import annotations

import numbers
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


def shuffled(rng: np.random.RandomState, n: int) -> np.ndarray:
    """``arange(n)`` shuffled in place by ``rng``: the draws Keras's loaders make."""
    indices = np.arange(n)
    rng.shuffle(indices)
    return indices


def shuffle_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: Any) -> tuple[_Pair, _Pair]:
    """Rows shuffled by ``np.random.RandomState(seed)``, the first ``int(n * (1 - test_split))`` for training
    and the rest for testing, as Keras's ``boston_housing`` splits. The parts are fresh, writable arrays."""
    indices = shuffled(np.random.RandomState(seed), len(x))
    x, y = x[indices], y[indices]
    at = int(len(x) * (1 - test_split))
    return (np.array(x[:at]), np.array(y[:at])), (np.array(x[at:]), np.array(y[at:]))
