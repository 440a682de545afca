"""Palmer Penguins: tell the species of 333 penguins from their island, size, sex and study year.

Source: Horst AM, Hill AP, Gorman KB (2020). palmerpenguins: Palmer Archipelago (Antarctica) penguin
data. R package version 0.1.0. doi:10.5281/zenodo.3960218. The data were collected by Dr. Kristen Gorman
with the Palmer Station Long Term Ecological Research Program. The licence is CC0.

The shipped file, ``data/penguins.csv``, is derived from the 344-row ``penguins.csv`` of the
``palmerpenguins`` PyPI package, version 0.1.6:

- the 11 rows with missing values are dropped (2 lack every measurement, 9 more lack only sex);
- island is one-hot encoded, sex is a 0/1 column, species is an integer class id.

``data/README.md`` says exactly how the file was made.

Features, in column order:

- island_Biscoe, island_Dream, island_Torgersen: one-hot island of the Palmer Archipelago.
- bill_length_mm, bill_depth_mm: bill (culmen) length and depth in millimetres.
- flipper_length_mm: flipper length in whole millimetres.
- body_mass_g: body mass in whole grams.
- sex_male: 1 for a male, 0 for a female.
- year: the year of the study the penguin was measured in, 2007 to 2009.

Target: species, a class id that indexes `CLASS_NAMES`: 0 Adelie (146 rows), 1 Chinstrap (68),
2 Gentoo (119).

Example:
    >>> from keras_lite.datasets import penguins
    >>> (x_train, y_train), (x_test, y_test) = penguins.load_data()
    >>> x_train.shape, y_train.shape, x_test.shape
    ((266, 9), (266,), (67, 9))
    >>> penguins.CLASS_NAMES[y_train[0]]
    'Gentoo'
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ._split import check_test_split, shuffle_split

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CLASS_NAMES", "FEATURES", "TARGET", "load_data", "load_frame"]

FEATURES: list[str] = [
    "island_Biscoe",
    "island_Dream",
    "island_Torgersen",
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
    "sex_male",
    "year",
]
"""Names of the feature columns, in the order of the columns of ``x``."""

TARGET: str = "species"
"""Name of the target column, ``y``: a class id that indexes `CLASS_NAMES`."""

CLASS_NAMES: list[str] = ["Adelie", "Chinstrap", "Gentoo"]
"""Species names by class id: ``CLASS_NAMES[y[i]]`` is the species of row ``i``."""

_FILE_NAME = "penguins.csv"

_Pair = tuple[NDArray[np.float32], NDArray[np.int64]]


def load_data(test_split: float = 0.2, seed: int = 113) -> tuple[_Pair, _Pair]:
    """Loads the Palmer Penguins data set, shuffled and split into training and test parts.

    It works like ``keras.datasets.boston_housing.load_data`` and `auto_mpg.load_data`. The rows are
    shuffled with ``np.random.RandomState(seed)``. The first ``int(n * (1 - test_split))`` rows then form
    the training part. The split is not stratified.

    Args:
        test_split: Fraction of the data to put in the test part, in ``[0, 1)``.
        seed: Random seed for the shuffle. The same seed gives the same split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``, numpy arrays.

        - x arrays are float32, of shape ``(samples, 9)``, with columns in the order of `FEATURES`.
        - y arrays are int64, of shape ``(samples,)``, and hold class ids 0, 1 and 2 (`CLASS_NAMES`).

    Raises:
        TypeError: ``test_split`` is not a real number.
        ValueError: ``test_split`` is outside ``[0, 1)``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data(test_split=0.25, seed=0)
        >>> len(x_train), len(x_test)
        (249, 84)
    """
    check_test_split(test_split)
    features, labels = _read_table()
    return shuffle_split(features, labels, test_split, seed)  # copies: the cached arrays stay untouched


def load_frame() -> pd.DataFrame:
    """Loads the Palmer Penguins data set as a pandas DataFrame, in file order and not split.

    The columns are `FEATURES` followed by `TARGET`. Every column but the bill measurements has an integer
    dtype; ``species`` holds class ids, so ``frame[TARGET].map(dict(enumerate(CLASS_NAMES)))`` gives names.

    Returns:
        A DataFrame with 333 rows and 10 columns.

    Raises:
        ImportError: pandas is not installed.

    Example:
        >>> frame = load_frame()
        >>> x, y = frame[FEATURES], frame[TARGET]
    """
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError(
            "keras_lite.datasets.penguins.load_frame() needs pandas, which is not installed. Install it "
            "with `pip install pandas` (or `pip install keras_lite[pandas]`), or use "
            "penguins.load_data(), which returns numpy arrays."
        ) from exc
    _read_table()  # checks the header
    return pd.read_csv(io.StringIO(_read_text()))


def _read_text() -> str:
    package = __package__ or "keras_lite.datasets"
    return (resources.files(package) / "data" / _FILE_NAME).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _read_table() -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Reads the CSV once into read-only ``(333, 9)`` float32 features and ``(333,)`` int64 class ids."""
    header, *rows = csv.reader(io.StringIO(_read_text()))
    if header != [*FEATURES, TARGET]:
        raise RuntimeError(
            f"{_FILE_NAME} shipped with keras_lite is damaged: its header is {header}, "
            f"expected {[*FEATURES, TARGET]}."
        )
    features = np.array([[float(value) for value in row[:-1]] for row in rows], dtype=np.float32)
    labels = np.array([int(row[-1]) for row in rows], dtype=np.int64)
    features.setflags(write=False)
    labels.setflags(write=False)
    return features, labels
