"""Helpers for Keras-style error messages ("Received: units=0")."""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Iterator

import numpy as np


def received(arg: str, value: object) -> str:
    """Return the tail Keras puts on its messages: ``Received: arg=value``."""
    return f"Received: {arg}={value!r}"


def real_number(arg: str, value: object) -> float:
    """``value`` as a float when it is a real number (not a bool); else an `ArgumentTypeError` naming ``arg``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"`{arg}` must be a number. {received(arg, value)}")
    return float(value)


def finite_number(arg: str, value: object) -> float:
    """``real_number``, and a ValueError naming ``arg`` when it is NaN or infinite."""
    number = real_number(arg, value)
    if not np.isfinite(number):
        raise ValueError(f"{arg} must be a finite number. {received(arg, value)}")
    return number


def whole_number(arg: str, value: object, message: str, most: int | None = None) -> int:
    """``value`` as an int when it is a whole number (Python or NumPy, not a bool) from 0 to ``most``; else
    ``message`` naming what was received, as Keras's TypeError for another type (an `ArgumentTypeError`: its
    ``range()`` or comparison of it fails) or its ValueError for a number out of range."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(f"{message} {received(arg, value)}")
    if value < 0 or most is not None and value > most:
        raise ValueError(f"{message} {received(arg, value)}")
    return int(value)


def boolean(arg: str, value: object) -> bool:
    """``value`` when it is a bool (NumPy's too); else Keras's ValueError naming ``arg``."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"Expected `{arg}` to be a boolean. Received: {arg}={value} (of type {type(value)})")
    return bool(value)


class ArgumentTypeError(TypeError, ValueError):
    """An argument of a type that cannot be used (a string or None for a number, an int for a list): the
    ``TypeError`` Keras 3 raises for it (often from its arithmetic), and a ``ValueError`` (a bad argument),
    which keras_lite raised for it before."""


class FormatError(ValueError):
    """A ``.keras`` / ``.weights.h5`` file keras_lite cannot read; the message says what and where."""


class DataTypeError(TypeError, ValueError):
    """Data of a type or dtype keras_lite cannot compute on (strings, objects, a non-numeric column): a
    ``TypeError``, and a ``ValueError`` as Keras 3 raises for the same data."""


class ClassIdError(IndexError, ValueError):
    """A class id outside what ``num_classes`` covers: the ``IndexError`` Keras 3's ``to_categorical`` raises,
    and a ``ValueError`` (a bad argument)."""


class NotHDF5Error(FormatError, OSError):
    """A ``.h5`` path whose file is not HDF5: the ``OSError`` Keras 3 raises there (h5py cannot open it), and
    a `FormatError`."""


class MissingFileError(FileNotFoundError, ValueError):
    """A path to read that does not exist: a ``FileNotFoundError``, and the ``ValueError`` Keras 3's
    ``load_model`` raises."""


class DirectoryPathError(IsADirectoryError, ValueError):
    """A path to read a file from that names a directory: an ``IsADirectoryError``, and a ``ValueError`` as in
    Keras 3."""


@contextlib.contextmanager
def config_fields(what: str) -> Iterator[None]:
    """Reading a config given as an argument (``model_from_json``'s string, ``from_config``'s dict): a field of
    the wrong type or missing (a list where a class name belongs, a string where a dict does), which the
    readers meet as a TypeError, AttributeError, KeyError or IndexError, becomes an `ArgumentTypeError` naming
    ``what``: the TypeError Keras raises ("could not be deserialized properly") and the ValueError keras_lite
    documents for a config it cannot read. keras_lite's own errors (ValueErrors) pass as they are."""
    try:
        yield
    except ValueError:
        raise
    except (TypeError, AttributeError, KeyError, IndexError) as e:
        raise ArgumentTypeError(
            f"Cannot read {what}: one of its fields has the wrong type or is missing ({type(e).__name__}: {e})"
        ) from e
