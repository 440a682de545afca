"""CIFAR-100: 60,000 color 32x32 images in 100 classes (grouped in 20 superclasses), as
``keras.datasets.cifar100``.

The archive (``cifar-100-python.tar.gz``) is downloaded on first use from the address Keras uses (the dataset's
home at the University of Toronto), checked against Keras's hash and extracted into Keras's cache
(``~/.keras/datasets/cifar-100-python-target``); a copy Keras downloaded is used as it is. Its files are
pickled dicts, read by an unpickler that rebuilds NumPy arrays and refuses anything else. CIFAR-100 is by Alex
Krizhevsky ("Learning Multiple Layers of Features from Tiny Images", 2009).

Example:
    >>> (x_train, y_train), (x_test, y_test) = keras_lite.datasets.cifar100.load_data(label_mode="coarse")
    >>> x_train.shape, y_train.shape
    ((50000, 32, 32, 3), (50000, 1))
"""

from __future__ import annotations

import os

import numpy as np

from ._cifar import arrange, extracted, load_batch

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(
    label_mode: str = "fine",
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads CIFAR-100: 50,000 training and 10,000 test images.

    Args:
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape ``(n, 32, 32, 3)`` (``(n, 3, 32, 32)``
        when ``keras.config.image_data_format()`` is ``"channels_first"``) and int64 labels of shape ``(n, 1)`` (as Keras gives them).

    Raises:
        ValueError: a ``label_mode`` other than those two (before any download), or a damaged archive.
        OSError: the archive is not cached and cannot be downloaded.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(
            f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode!r}.'
        )
    folder = extracted("cifar-100-python-target", ORIGIN, FILE_HASH)
    key = f"{label_mode}_labels"
    train = load_batch(os.path.join(folder, "cifar-100-python", "train"), key)
    test = load_batch(os.path.join(folder, "cifar-100-python", "test"), key)
    return arrange([train], test)
