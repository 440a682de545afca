"""MNIST: 70,000 grayscale 28x28 images of handwritten digits, as ``keras.datasets.mnist``.

The file (``mnist.npz``) is downloaded on first use into Keras's cache (``~/.keras/datasets``, or under
``$KERAS_HOME``) from the address Keras uses, and checked against the same hash; a copy Keras downloaded
already is used as it is. MNIST is by Yann LeCun, Corinna Cortes and Christopher Burges, derived from NIST's
data, and is available under CC BY-SA 3.0.

Example:
    >>> (x_train, y_train), (x_test, y_test) = keras_lite.datasets.mnist.load_data()
    >>> x_train.shape, y_train.shape, x_test.shape
    ((60000, 28, 28), (60000,), (10000, 28, 28))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._download import get_file
from ._read import read_npz
from ._split import ORIGIN

__all__ = ["load_data"]

FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path: Any = "mnist.npz") -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads MNIST: 60,000 training and 10,000 test images, in the file's order.

    Args:
        path: The file's name in the cache folder.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape ``(n, 28, 28)`` with values 0 to 255,
        and uint8 digit labels 0 to 9 of shape ``(n,)``.

    Raises:
        OSError: the file is not cached and cannot be downloaded.
        ValueError: the file is damaged (its hash does not match, or it is not an ``.npz`` of these arrays).
    """
    file = get_file(fname=path, origin=f"{ORIGIN}mnist.npz", file_hash=FILE_HASH)
    x_train, y_train, x_test, y_test = read_npz(file, ("x_train", "y_train", "x_test", "y_test"))
    return (x_train, y_train), (x_test, y_test)
