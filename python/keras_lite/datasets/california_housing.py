"""California Housing: 20,640 block groups of the 1990 US census, 8 features and the median house value (in
dollars), as ``keras.datasets.california_housing``.

The file (``california_housing.npz``) is downloaded on first use into Keras's cache (``~/.keras/datasets``,
or under ``$KERAS_HOME``) from the address Keras uses, and checked against the same hash. The data come from
the StatLib repository (Pace and Barry, 1997).

Features, in column order: MedInc, HouseAge, AveRooms, AveBedrms, Population, AveOccup, Latitude, Longitude
(`FEATURES`).

Example:
    >>> (x_train, y_train), (x_test, y_test) = keras_lite.datasets.california_housing.load_data()
    >>> x_train.shape, x_test.shape
    ((16512, 8), (4128, 8))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._download import get_file
from ._read import read_npz
from ._split import ORIGIN, check_test_split, shuffle_split

__all__ = ["FEATURES", "load_data"]

FEATURES = ["MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude"]

FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"

SMALL_ROWS = 600


def load_data(
    version: str = "large", path: Any = "california_housing.npz", test_split: float = 0.2, seed: int = 113
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads California Housing, shuffled and split as Keras splits it.

    Args:
        version: ``"large"``: all 20,640 rows; ``"small"``: the first 600 (a stand-in for Boston Housing).
        path: The file's name in the cache folder.
        test_split: Fraction of the rows for the test part, in ``[0, 1)``.
        seed: Seed of the ``np.random.RandomState`` that shuffles the rows before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: features of shape ``(n, 8)`` and values of shape ``(n,)``,
        of the file's float dtype; the first ``int(rows * (1 - test_split))`` shuffled rows train.

    Raises:
        TypeError, ValueError: a ``version`` or ``test_split`` Keras does not take (checked before any download).
        OSError: the file is not cached and cannot be downloaded.
        ValueError: the file is damaged.
    """
    if version not in ("small", "large"):
        raise ValueError(f"Argument `version` must be one of 'small', 'large'. Received: version={version!r}")
    check_test_split(test_split)
    file = get_file(path, origin=f"{ORIGIN}california_housing.npz", file_hash=FILE_HASH)
    x, y = read_npz(file, ("x", "y"))
    if version == "small":
        x, y = x[:SMALL_ROWS], y[:SMALL_ROWS]
    return shuffle_split(x, y, test_split, seed)
