"""Data sets, loaded like ``keras.datasets``.

Shipped with keras_lite (no download):

- `auto_mpg`: fuel consumption of 392 cars (UCI Auto MPG), a regression task with 9 features.
- `penguins`: species of 333 penguins (Palmer Penguins), a 3-class classification task with 9 features.

Keras's own, downloaded on first use into Keras's cache (``~/.keras/datasets``) from the address Keras uses,
so that a copy either library downloaded serves both (`keras_lite.utils.get_file` does the fetching):

- `mnist` and `fashion_mnist`: 28x28 grayscale images in 10 classes (put a ``Flatten`` first).
- `boston_housing` and `california_housing`: house prices, regression with 13 and 8 features.
- `cifar10` and `cifar100`: 32x32 color images in 10 or 100 classes.
- `imdb` and `reuters`: reviews (positive or negative) and newswires (46 topics) as lists of word indices.

The pickled files among them (CIFAR, IMDB, Reuters) are read by an unpickler that rebuilds NumPy arrays and
nothing else, so a tampered file cannot run code.

Example:
    >>> from keras_lite.datasets import auto_mpg
    >>> (x_train, y_train), (x_test, y_test) = auto_mpg.load_data()
    >>> from keras_lite.datasets import penguins
    >>> (x_train, y_train), (x_test, y_test) = penguins.load_data()
"""

from __future__ import annotations

from . import (
    auto_mpg,
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    penguins,
    reuters,
)

__all__ = [
    "auto_mpg",
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "fashion_mnist",
    "imdb",
    "mnist",
    "penguins",
    "reuters",
]
