"""CIFAR-10: 60,000 color 32x32 images in 10 classes, as ``keras.datasets.cifar10``.

The archive (``cifar-10-python.tar.gz``) is downloaded on first use from the address Keras uses (the dataset's
home at the University of Toronto), checked against Keras's hash and extracted into Keras's cache
(``~/.keras/datasets/cifar-10-batches-py-target``); a copy Keras downloaded is used as it is. Its batches are
pickled dicts: they are read by an unpickler that rebuilds NumPy arrays and refuses anything else. CIFAR-10 is
by Alex Krizhevsky, Vinod Nair and Geoffrey Hinton ("Learning Multiple Layers of Features from Tiny Images",
2009).

Classes: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse, 8 ship, 9 truck
(`CLASS_NAMES`).

Example:
    >>> (x_train, y_train), (x_test, y_test) = keras_lite.datasets.cifar10.load_data()
    >>> x_train.shape, y_train.shape
    ((50000, 32, 32, 3), (50000, 1))
"""

from __future__ import annotations

import os

import numpy as np

from ._cifar import arrange, extracted, load_batch

__all__ = ["CLASS_NAMES", "load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads CIFAR-10: the five training batches in order (50,000 images) and the test batch (10,000).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape ``(n, 32, 32, 3)`` (``(n, 3, 32, 32)``
        when ``keras.config.image_data_format()`` is ``"channels_first"``) and uint8 labels of shape ``(n, 1)``.

    Raises:
        OSError: the archive is not cached and cannot be downloaded.
        ValueError: the archive or a batch in it is damaged.
    """
    folder = extracted("cifar-10-batches-py-target", ORIGIN, FILE_HASH)
    parts = []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        x, y = load_batch(os.path.join(folder, "cifar-10-batches-py", name), "labels")
        parts.append((x, y.astype(np.uint8)))  # Keras's CIFAR-10 labels are uint8 (CIFAR-100's int64)
    return arrange(parts[:5], parts[5])
