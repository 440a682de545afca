"""Fashion-MNIST: 70,000 grayscale 28x28 images of clothing in 10 classes, as ``keras.datasets.fashion_mnist``.

Its four gzipped IDX files are downloaded on first use into Keras's cache (``datasets/fashion-mnist``
under ``~/.keras`` or ``$KERAS_HOME``) from the address Keras uses; copies Keras downloaded already are used as
they are. Each file's header is checked before its values are read. Fashion-MNIST is by Zalando Research
(Han Xiao, Kashif Rasul, Roland Vollgraf), under the MIT licence.

Classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag,
9 Ankle boot (`CLASS_NAMES`).

Example:
    >>> (x_train, y_train), (x_test, y_test) = keras_lite.datasets.fashion_mnist.load_data()
    >>> x_train.shape, x_test.shape
    ((60000, 28, 28), (10000, 28, 28))
"""

from __future__ import annotations

import os

import numpy as np

from .._download import get_file
from ._read import read_idx
from ._split import ORIGIN

__all__ = ["CLASS_NAMES", "load_data"]

CLASS_NAMES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]

FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads Fashion-MNIST: 60,000 training and 10,000 test images, in the files' order.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape ``(n, 28, 28)`` with values 0 to 255,
        and uint8 class ids 0 to 9 of shape ``(n,)``.

    Raises:
        OSError: a file is not cached and cannot be downloaded.
        ValueError: a file is damaged (not gzipped IDX data of these shapes), or labels and images disagree
            in number.
    """
    folder = os.path.join("datasets", "fashion-mnist")
    paths = [get_file(name, origin=ORIGIN + name, cache_subdir=folder) for name in FILES]
    parts = []
    for labels_path, images_path in ((paths[0], paths[1]), (paths[2], paths[3])):
        y = read_idx(labels_path, ())
        x = read_idx(images_path, (28, 28))
        if len(x) != len(y):
            raise ValueError(f"{images_path!r} holds {len(x)} images but {labels_path!r} {len(y)} labels.")
        parts.append((x, y))
    return parts[0], parts[1]
