"""Input conversion: what users pass to fit/predict/evaluate, turned into what the Rust core takes.

Only float32, C-contiguous 2-D arrays cross into Rust, so Python converts each input once here. The
accepted inputs follow Keras 3's data adapters (``keras/src/trainers/data_adapters/``):

- numpy arrays of any real dtype (bool, integer, float). A float32 C-contiguous 2-D array is passed
  through without a copy.
- pandas DataFrame and Series (numeric columns, or categories that are numbers). A Series is 1-D, so that
  `to_matrix` makes it one column ``(n, 1)``, as Keras's data adapter does, and a layer called on it sees it
  as Keras does.
- anything with ``__array__`` (``tf.Tensor``, ``torch.Tensor``, jax arrays).
- scipy sparse matrices, densified with ``.toarray()``.
- nested Python lists and tuples of numbers. tf.keras 2 accepted these; Keras 3 does not.

A 1-D array ``(n,)`` is read as n samples of one feature, ``(n, 1)``. Anything above rank 2 is refused,
because keras_lite models take dense 2-D data. NaN and infinity are not checked here: the Rust core
checks them and names the row and column.

pandas and scipy are optional. Objects are recognised by their type's module, so scipy is never imported
and pandas only when a pandas object is passed (which means pandas is already loaded).
"""

from __future__ import annotations

import math
import numbers
import reprlib
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._errors import DataTypeError

__all__ = [
    "all_finite",
    "as_positive_int",
    "check_finite",
    "check_same_length",
    "shuffles_rows",
    "split_validation",
    "to_array",
    "to_matrix",
    "to_targets",
    "unpack_validation_data",
]

# numpy dtype kinds accepted as data: bool, signed int, unsigned int, float.
_NUMERIC_KINDS = "biuf"

_repr = reprlib.Repr()
_repr.maxlist = _repr.maxtuple = 4
_repr.maxlevel = 3
_repr.maxstring = _repr.maxother = 40


def to_matrix(value: Any, arg: str, *, expected_width: int | None = None) -> NDArray[np.float32]:
    """Converts x-like input to a 2-D float32 C-contiguous array.

    Args:
        value: The data. See the module docstring for what is accepted.
        arg: The argument's name as the user wrote it (``"x"``, ``"validation_data[0]"``). It is used
            in error messages.
        expected_width: The number of features the model takes, if known. A 1-D input is accepted only
            when this is None or 1.

    Returns:
        An array of shape ``(n, width)`` with dtype float32, C-contiguous and aligned. It is ``value``
        itself when ``value`` already is such an array.

    Raises:
        TypeError: ``value`` is not array-like, or its dtype is not bool, integer or float.
        ValueError: ``value`` is a scalar, ragged, of rank above 2, empty, or has a width other than
            ``expected_width``.
        MemoryError: The float32 copy of ``value`` cannot be allocated.

    Example:
        >>> to_matrix([1, 2, 3], "x").shape
        (3, 1)
    """
    array = _to_array(value, arg)
    _check_numeric(array, arg, value)
    if array.ndim == 0:
        raise ValueError(
            f"`{arg}` must be an array of samples, not a single number. Received: {arg}={_describe(value)}"
        )
    if array.ndim > 2:
        raise ValueError(
            f"`{arg}` must be 1-D or 2-D (samples, features): keras_lite models take dense 2-D data. "
            f"Received: {arg}={_describe(value)}"
        )
    one_d = array.ndim == 1
    if one_d:
        array = array.reshape(-1, 1)
    rows, width = array.shape
    if rows == 0 or width == 0:
        raise ValueError(
            f"`{arg}` is empty: it has {rows} rows and {width} columns. Received: {arg}={_describe(value)}"
        )
    if expected_width is not None and width != expected_width:
        if one_d:
            raise ValueError(
                f"`{arg}` is 1-D, so it is read as {rows} samples of 1 feature, but the model expects "
                f"{expected_width} features per sample. Pass a 2-D array of shape (samples, "
                f"{expected_width}). Received: {arg}={_describe(value)}"
            )
        raise ValueError(
            f"`{arg}` must have {expected_width} columns (the model's input width), but it has {width}. "
            f"Received: {arg}={_describe(value)}"
        )
    try:
        return np.require(array, dtype=np.float32, requirements=["C_CONTIGUOUS", "ALIGNED"])
    except MemoryError as exc:  # a float32 copy too large to allocate (e.g. of a huge broadcast view)
        raise MemoryError(
            f"`{arg}` is too large to copy into a float32 array: {rows} rows of {width} columns need "
            f"{_bytes(rows * width * 4)}. Received: {arg}={_describe(value)}"
        ) from exc


def to_array(value: Any, arg: str) -> NDArray[Any]:
    """Converts array-like input of any rank to a numpy array of a real dtype (not yet float32).

    What a layer called on its own takes: the containers `to_matrix` accepts, with no rule on the rank.

    Args:
        value: The data.
        arg: The argument's name, used in error messages.

    Returns:
        A numpy array of dtype bool, integer or float; ``value`` itself when it already is one.

    Raises:
        TypeError: ``value`` is not array-like, or its dtype is not bool, integer or float.
        ValueError: ``value`` is a ragged nested list.
    """
    array = _to_array(value, arg)
    _check_numeric(array, arg, value)
    return array


def to_targets(value: Any, arg: str = "y") -> NDArray[np.float32]:
    """Converts y-like input to a 2-D float32 C-contiguous array.

    The rules are those of `to_matrix` with no expected width. A y of shape ``(n,)`` and a pandas
    Series both become ``(n, 1)``, and one of shape ``(n, k, 1)`` becomes ``(n, k)``, which is what Keras 3
    does before computing a loss.

    Args:
        value: The targets.
        arg: The argument's name, used in error messages.

    Returns:
        An array of shape ``(n, outputs)`` with dtype float32.

    Raises:
        TypeError: As in `to_matrix`.
        ValueError: As in `to_matrix`.

    Example:
        >>> to_targets(np.array([0, 1, 1])).shape
        (3, 1)
    """
    if getattr(value, "ndim", None) == 3 and value.shape[-1] == 1:
        # (n, k, 1): Keras's losses drop the last axis (squeeze_or_expand_to_same_rank)
        value = np.asarray(value)[..., 0]
    return to_matrix(value, arg)


def check_same_length(x: NDArray[Any], y: NDArray[Any], *, x_arg: str = "x", y_arg: str = "y") -> None:
    """Checks that x and y hold the same number of samples (rows).

    Args:
        x: The converted inputs.
        y: The converted targets.
        x_arg: The name of x in error messages.
        y_arg: The name of y in error messages.

    Raises:
        ValueError: The numbers of rows differ. The message gives both.
    """
    x_rows, y_rows = x.shape[0], y.shape[0]
    if x_rows != y_rows:
        raise ValueError(
            f"Data cardinality is ambiguous: `{x_arg}` has {x_rows} samples but `{y_arg}` has {y_rows}. "
            "Make sure all arrays contain the same number of samples."
        )


def split_validation(
    x: NDArray[Any], y: NDArray[Any], validation_split: float | np.floating[Any]
) -> tuple[tuple[NDArray[Any], NDArray[Any]], tuple[NDArray[Any], NDArray[Any]]]:
    """Splits off the last rows of x and y as validation data, the way Keras's ``validation_split`` does.

    ``split_at = floor(n * (1 - validation_split))``. Rows ``[0, split_at)`` are for training and rows
    ``[split_at, n)`` for validation. The split is made before any shuffling. The parts are views of
    x and y, not copies.

    Call this only when ``validation_split`` is non-zero and no ``validation_data`` was given: Keras
    skips the split in those cases, and a split of 0 leaves no validation rows, so it raises here.

    Args:
        x: The converted inputs, shape ``(n, features)``.
        y: The converted targets, shape ``(n, outputs)``.
        validation_split: The fraction of samples to hold out, in ``[0, 1)``.

    Returns:
        ``((x_train, y_train), (x_val, y_val))``.

    Raises:
        TypeError: ``validation_split`` is not a real number.
        ValueError: ``validation_split`` is outside ``[0, 1)``, x and y differ in length, or the split
            would leave the training or validation part empty.

    Example:
        >>> (x_train, _), (x_val, _) = split_validation(np.zeros((10, 2)), np.zeros((10, 1)), 0.2)
        >>> x_train.shape, x_val.shape
        ((8, 2), (2, 2))
    """
    if isinstance(validation_split, (bool, np.bool_)) or not isinstance(validation_split, numbers.Real):
        raise TypeError(
            "`validation_split` must be a float between 0 and 1. "
            f"Received: validation_split={_describe(validation_split)}"
        )
    # A Python float, so a numpy float32 split rounds the same way as the float the user meant.
    validation_split = float(validation_split)
    if not 0 <= validation_split < 1:
        raise ValueError(
            f"`validation_split` must be a float in [0, 1). Received: validation_split={validation_split!r}"
        )
    check_same_length(x, y)
    rows = x.shape[0]
    split_at = int(math.floor(rows * (1.0 - validation_split)))
    if split_at == 0 or split_at == rows:
        raise ValueError(
            f"Training data contains {rows} samples, which is not sufficient to split it into a "
            f"validation and training set as specified by `validation_split={validation_split!r}`. "
            "Either provide more data, or a different value for the `validation_split` argument."
        )
    return (x[:split_at], y[:split_at]), (x[split_at:], y[split_at:])


def check_finite(array: NDArray[np.float32], arg: str, what: str) -> None:
    """Raises for the first NaN or infinity in a converted 2-D array, naming ``arg``, its row and column.

    The message is the Rust core's (``check_matrix``), so that a value refused here reads the same as one
    the core refuses.

    Args:
        array: A converted ``(n, width)`` array.
        arg: The argument's name (``"x"``).
        what: What the argument holds (``"inputs"``), used in the message.

    Raises:
        ValueError: ``array`` holds a value that is not finite.
    """
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        row, column = (int(i) for i in bad[0])
        value = _rust_float(float(array[row, column]))
        raise ValueError(
            f"{arg} contains a non-finite value ({value}) at row {row}, column {column}; {what} must be "
            f"finite. Received: {arg}[{row}, {column}]={value}"
        )


def all_finite(array: NDArray[Any]) -> bool:
    """Whether every value of ``array`` is finite."""
    return bool(np.isfinite(array).all())


def _rust_float(value: float) -> str:
    """How Rust's ``Display`` writes a non-finite float: ``NaN``, ``inf``, ``-inf``."""
    return "NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def unpack_validation_data(validation_data: Any) -> tuple[Any, Any, Any]:
    """Takes ``(x_val, y_val, sample_weight_val)`` out of fit's ``validation_data``.

    Args:
        validation_data: A tuple or list ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``.

    Returns:
        ``(x_val, y_val, sample_weight_val or None)``, not yet converted.

    Raises:
        ValueError: ``validation_data`` is not a tuple or list of 2 or 3 items.
    """
    if isinstance(validation_data, (tuple, list)):
        if len(validation_data) == 2:
            return validation_data[0], validation_data[1], None
        if len(validation_data) == 3:
            return validation_data[0], validation_data[1], validation_data[2]
    raise ValueError(
        "`validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight). "
        f"Received: validation_data={_describe(validation_data)}"
    )


def as_positive_int(value: Any, arg: str) -> int:
    """Checks that ``value`` is an integer above 0 and returns it as a Python int.

    Python ints and numpy integers are accepted. bool and float are not, even when integral.

    Args:
        value: The value to check, such as a ``batch_size`` or ``epochs``.
        arg: The argument's name, used in error messages.

    Returns:
        ``int(value)``.

    Raises:
        TypeError: ``value`` is not an integer.
        ValueError: ``value`` is 0 or negative.

    Example:
        >>> as_positive_int(np.int64(32), "batch_size")
        32
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"Received an invalid value for `{arg}`, expected a positive integer. "
            f"Received: {arg}={_describe(value)}"
        )
    number = int(value)
    if number <= 0:
        raise ValueError(
            f"Received an invalid value for `{arg}`, expected a positive integer. Received: {arg}={number}"
        )
    return number


def batch_size_for(batch_size: Any, steps: Any, rows: int, arg: str = "batch_size") -> int:
    """The batch size arrays of ``rows`` rows are read in: ``batch_size`` as given, else, when ``steps`` (a
    positive integer) says how many batches to read, ``ceil(rows / steps)`` as Keras's array adapter takes it,
    else 32."""
    if batch_size is not None:
        return as_positive_int(batch_size, arg)
    if isinstance(steps, numbers.Integral) and not isinstance(steps, (bool, np.bool_)) and int(steps) > 0:
        return max(1, math.ceil(rows / int(steps)))
    return 32


def shuffles_rows(shuffle: Any) -> bool:
    """Whether ``fit`` draws a new order of the rows of in-memory data each epoch: ``True``. Keras's
    ``shuffle="batch"`` only reorders the rows within each batch, which leaves every batch's mean loss, its
    gradient and its metrics as they are, so it trains as ``False`` does."""
    if isinstance(shuffle, str) and shuffle == "batch":
        return False
    if shuffle not in (True, False):
        raise ValueError(f"shuffle must be True, False or 'batch'. Received: shuffle={_describe(shuffle)}")
    return bool(shuffle)


def _to_array(value: Any, arg: str) -> NDArray[Any]:
    """Turns any accepted container into a numpy array, of any dtype and rank."""
    if isinstance(value, np.ndarray):
        if isinstance(value, np.ma.MaskedArray) and value.dtype.kind in _NUMERIC_KINDS:
            # np.asarray would drop the mask and keep the hidden values. NaN makes Rust report them.
            return np.asarray(np.ma.filled(value.astype(np.float32), np.nan))
        return np.asarray(value)
    module = type(value).__module__
    if module.partition(".")[0] == "pandas" and hasattr(value, "to_numpy"):
        return _pandas_to_array(value, arg)
    if module.startswith("scipy.sparse") and hasattr(value, "toarray"):
        return np.asarray(value.toarray())
    if isinstance(value, (list, tuple)):
        try:
            return np.asarray(value)
        except ValueError as exc:  # numpy refuses ragged nested lists
            raise ValueError(
                f"`{arg}` must be a rectangular nested list of numbers: every row must have the same "
                f"length. Received: {arg}={_describe(value)}"
            ) from exc
    if hasattr(value, "__array__") or isinstance(value, numbers.Number):
        return np.asarray(value)
    raise DataTypeError(
        f"Unrecognized data type for `{arg}`: expected a numpy array, a pandas DataFrame or Series, an "
        "object with __array__ (such as a tf.Tensor), a scipy sparse matrix, or a nested list of numbers. "
        f"Received: {arg}={_describe(value)}"
    )


def _pandas_to_array(value: Any, arg: str) -> NDArray[Any]:
    """Converts a DataFrame to ``(n, columns)`` and a Series to ``(n,)``, naming any bad column."""
    import pandas as pd  # already imported: value is a pandas object

    if isinstance(value, pd.DataFrame):
        for column, dtype in value.dtypes.items():
            if not _is_numeric_pandas_dtype(dtype):
                raise DataTypeError(
                    f"`{arg}` must be numeric (bool, integer or float), but column {column!r} has dtype "
                    f"{dtype}. Received: {arg}={_describe(value)}"
                )
        return np.asarray(value.to_numpy(dtype=np.float32, na_value=np.nan))
    if isinstance(value, pd.Series):
        if not _is_numeric_pandas_dtype(value.dtype):
            raise DataTypeError(
                f"`{arg}` must be numeric (bool, integer or float), but the Series has dtype "
                f"{value.dtype}. Received: {arg}={_describe(value)}"
            )
        # (n,): `to_matrix` makes a column of it
        return np.asarray(value.to_numpy(dtype=np.float32, na_value=np.nan))
    return np.asarray(value)  # Index, arrays and other pandas objects


def _is_numeric_pandas_dtype(dtype: Any) -> bool:
    from pandas.api import types

    if isinstance(dtype, types.CategoricalDtype):  # numbers as categories: their values, as Keras reads them
        dtype = dtype.categories.dtype
    return bool(types.is_numeric_dtype(dtype) and not types.is_complex_dtype(dtype))


def _check_numeric(array: NDArray[Any], arg: str, value: Any) -> None:
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise DataTypeError(
            f"`{arg}` must be numeric (bool, integer or float), not dtype {array.dtype}. "
            f"Received: {arg}={_describe(value)}"
        )


def _bytes(n: int) -> str:
    """``n`` bytes in the largest binary unit that keeps a number of at least 1 (``12.0 PiB``)."""
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024:
            return f"{size:.1f} {unit}" if unit != "bytes" else f"{n} bytes"
        size /= 1024
    return f"{size:.1f} PiB"


def _describe(value: Any) -> str:
    """Describes a received value in a few words: type, shape and dtype for arrays, else a short repr."""
    kind = type(value).__name__
    shape = getattr(value, "shape", None)
    if shape is not None and not isinstance(value, np.generic):
        try:
            shape = tuple(shape)
        except TypeError:
            pass
        dtype = getattr(value, "dtype", None)
        return f"{kind} with shape {shape}" + (f" and dtype {dtype}" if dtype is not None else "")
    if isinstance(value, (bool, int, float, str, type(None))):
        return repr(value)
    return f"{_repr.repr(value)} (of type {kind})"
