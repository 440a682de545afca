"""Global settings: the random seed stream that new models draw from.

``keras_lite.utils.set_random_seed(s)`` makes every model built afterwards start from the same weights
and shuffle in the same order, bit for bit, on the CPU.
"""

from __future__ import annotations

import os
import random

_seed_stream = random.Random(int.from_bytes(os.urandom(8), "little"))


def set_seed(seed: int) -> None:
    """Restart the stream of per-model seeds from ``seed``."""
    global _seed_stream
    _seed_stream = random.Random(seed)


def next_seed() -> int:
    """The seed for the next model or layer that needs one (a 63-bit integer)."""
    return _seed_stream.getrandbits(63)
