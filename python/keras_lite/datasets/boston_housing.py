"""Boston Housing: 506 districts of Boston in the 1970s, 13 features and the median home value (in $1000s),
as ``keras.datasets.boston_housing``.

The file (``boston_housing.npz``) is downloaded on first use into Keras's cache (``~/.keras/datasets``, or
under ``$KERAS_HOME``) from the address Keras uses, and checked against the same hash. The data come from the
StatLib library (Harrison and Rubinfeld, 1978). One of its features was built on the assumption that racial
self-segregation affects prices; Keras discourages using the set except to illustrate such problems, and
`california_housing` (``version="small"``) is its usual replacement.

Example:
    >>> (x_train, y_train), (x_test, y_test) = keras_lite.datasets.boston_housing.load_data()
    >>> x_train.shape, x_test.shape
    ((404, 13), (102, 13))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._download import get_file
from ._read import read_npz
from ._split import ORIGIN, check_test_split, shuffle_split

__all__ = ["load_data"]

FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(
    path: Any = "boston_housing.npz", test_split: float = 0.2, seed: int = 113
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads Boston Housing, shuffled and split as Keras splits it.

    Args:
        path: The file's name in the cache folder.
        test_split: Fraction of the rows for the test part, in ``[0, 1)``.
        seed: Seed of the ``np.random.RandomState`` that shuffles the rows before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: features of shape ``(n, 13)`` and prices of shape
        ``(n,)``, of the file's float dtype; the first ``int(506 * (1 - test_split))`` shuffled rows train.

    Raises:
        TypeError, ValueError: ``test_split`` is not a number in ``[0, 1)`` (checked before any download).
        OSError: the file is not cached and cannot be downloaded.
        ValueError: the file is damaged.
    """
    check_test_split(test_split)
    file = get_file(path, origin=f"{ORIGIN}boston_housing.npz", file_hash=FILE_HASH)
    x, y = read_npz(file, ("x", "y"))
    return shuffle_split(x, y, test_split, seed)
