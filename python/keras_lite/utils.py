"""Utilities mirroring ``keras.utils``."""

from __future__ import annotations

import random

import numpy as np

from . import config
from ._errors import received
from .layers._keras_tensor import _tensor_counts
from .layers._layer import _name_counts


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and keras_lite's own generator.

    Args:
        seed: A non-negative integer.

    Example:
        >>> keras_lite.utils.set_random_seed(42)
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer. {received('seed', seed)}")
    random.seed(int(seed))
    np.random.seed(int(seed) % (2**32))
    config.set_seed(int(seed))


def clear_session(free_memory: bool = True) -> None:
    """Reset keras_lite's global state, as ``keras.utils.clear_session`` does.

    New layers, models and symbolic tensors are named from the start again (``dense``, ``sequential``). keras_lite keeps no
    graph or session, so there is nothing else to free; models that still exist keep working.

    Args:
        free_memory: Accepted for Keras compatibility.
    """
    _name_counts.clear()
    _tensor_counts.clear()
