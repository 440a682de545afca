"""Auto MPG: predict the fuel consumption of 392 cars from model years 1970-1982.

Source: Quinlan, R. (1993). Auto MPG [Dataset]. UCI Machine Learning Repository.
https://doi.org/10.24432/C5859H. The licence is CC BY 4.0.

The shipped file, ``data/auto_mpg.csv``, is an adapted version:

- the 14 rows with missing values are dropped;
- Origin is one-hot encoded;
- a model-year error in the copy it was derived from is corrected.

``data/README.md`` says exactly how the file was made.

Features, in column order:

- Cylinders: number of cylinders, 3 to 8.
- Displacement: engine displacement in cubic inches.
- Horsepower: engine power.
- Weight_in_lbs: weight in pounds.
- Acceleration: time to accelerate from 0 to 60 mph, in seconds.
- Year: model year, 70 to 82.
- Origin_USA, Origin_Europe, Origin_Japan: one-hot region of origin.

Target: Miles_per_Gallon.

Example:
    >>> from keras_lite.datasets import auto_mpg
    >>> (x_train, y_train), (x_test, y_test) = auto_mpg.load_data()
    >>> x_train.shape, y_train.shape, x_test.shape
    ((313, 9), (313,), (79, 9))
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

__all__ = ["FEATURES", "TARGET", "load_data", "load_frame"]

FEATURES: list[str] = [
    "Cylinders",
    "Displacement",
    "Horsepower",
    "Weight_in_lbs",
    "Acceleration",
    "Year",
    "Origin_USA",
    "Origin_Europe",
    "Origin_Japan",
]
"""Names of the feature columns, in the order of the columns of ``x``."""

TARGET: str = "Miles_per_Gallon"
"""Name of the target column, ``y``."""

_FILE_NAME = "auto_mpg.csv"

_Pair = tuple[NDArray[np.float32], NDArray[np.float32]]


def load_data(test_split: float = 0.2, seed: int = 113) -> tuple[_Pair, _Pair]:
    """Loads the Auto MPG data set, shuffled and split into training and test parts.

    It works like ``keras.datasets.boston_housing.load_data``. The rows are shuffled with
    ``np.random.RandomState(seed)``. The first ``int(n * (1 - test_split))`` rows then form the
    training part.

    Args:
        test_split: Fraction of the data to put in the test part, in ``[0, 1)``.
        seed: Random seed for the shuffle. The same seed gives the same split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``, float32 numpy arrays.

        - x arrays have shape ``(samples, 9)``, with columns in the order of `FEATURES`.
        - y arrays have shape ``(samples,)`` and hold miles per gallon.

    Raises:
        TypeError: ``test_split`` is not a real number.
        ValueError: ``test_split`` is outside ``[0, 1)``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data(test_split=0.25, seed=0)
        >>> len(x_train), len(x_test)
        (294, 98)
    """
    check_test_split(test_split)
    table = _read_table()
    return shuffle_split(
        table[:, :-1], table[:, -1], test_split, seed
    )  # copies: the cached table stays untouched


def load_frame() -> pd.DataFrame:
    """Loads the Auto MPG data set as a pandas DataFrame, in file order and not split.

    The columns are `FEATURES` followed by `TARGET`. Integer columns (Cylinders, Year, the Origin
    columns, ...) keep an integer dtype.

    Returns:
        A DataFrame with 392 rows and 10 columns.

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
            "keras_lite.datasets.auto_mpg.load_frame() needs pandas, which is not installed. Install it "
            "with `pip install pandas` (or `pip install keras_lite[pandas]`), or use "
            "auto_mpg.load_data(), which returns numpy arrays."
        ) from exc
    _read_table()  # checks the header
    return pd.read_csv(io.StringIO(_read_text()))


def _read_text() -> str:
    package = __package__ or "keras_lite.datasets"
    return (resources.files(package) / "data" / _FILE_NAME).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _read_table() -> NDArray[np.float32]:
    """Reads the CSV once into a read-only ``(392, 10)`` float32 array: features, then the target."""
    header, *rows = csv.reader(io.StringIO(_read_text()))
    if header != [*FEATURES, TARGET]:
        raise RuntimeError(
            f"{_FILE_NAME} shipped with keras_lite is damaged: its header is {header}, "
            f"expected {[*FEATURES, TARGET]}."
        )
    table = np.array([[float(value) for value in row] for row in rows], dtype=np.float32)
    table.setflags(write=False)
    return table
