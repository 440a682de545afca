"""Small data sets shipped with keras_lite, loaded like ``keras.datasets``.

- `auto_mpg`: fuel consumption of 392 cars (UCI Auto MPG), a regression task with 9 features.
- `penguins`: species of 333 penguins (Palmer Penguins), a 3-class classification task with 9 features.

Example:
    >>> from keras_lite.datasets import auto_mpg
    >>> (x_train, y_train), (x_test, y_test) = auto_mpg.load_data()
    >>> from keras_lite.datasets import penguins
    >>> (x_train, y_train), (x_test, y_test) = penguins.load_data()
"""

from __future__ import annotations

from . import auto_mpg, penguins

__all__ = ["auto_mpg", "penguins"]
