"""The step-count arguments of ``fit``, ``evaluate`` and ``predict`` as Keras 3.15.1 reads them, for arrays and
streamed data alike: ``validation_freq``, ``steps_per_epoch``/``validation_steps`` and ``steps``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _data
from .._errors import received


def validation_freq(value: Any) -> int | list[int]:
    """Keras's ``validation_freq``: a positive int (every N epochs) or a list/tuple of 1-based epochs."""
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in value):
            return [int(v) for v in value]
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1:
        return int(value)
    raise ValueError(
        "validation_freq must be a positive integer or a list of epoch numbers. "
        f"{received('validation_freq', value)}"
    )


def validating_epochs(freq: int | list[int], first: int, epochs: int) -> int:
    """How many of the epochs ``first..epochs`` (from 0) ``fit`` validates after, as Keras's ``validation_freq``
    reads: one pass over the validation data each."""
    return sum(e + 1 in freq if isinstance(freq, list) else (e + 1) % freq == 0 for e in range(first, epochs))


def steps_arg(value: Any, arg: str) -> int | None:
    return None if value is None else _data.as_positive_int(value, arg)


def read_steps(value: Any) -> int | None:
    """``steps`` of ``evaluate``/``predict``: 0 reads the whole source, as Keras reads it (and as it reads
    arrays with ``steps=0``)."""
    return (
        None
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value == 0
        else steps_arg(value, "steps")
    )
