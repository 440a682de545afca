"""What keras_lite does not support yet, and the errors that say so."""

from __future__ import annotations


class NotSupportedError(NotImplementedError, ValueError):
    """A Keras feature keras_lite does not support yet.

    Both a ``NotImplementedError`` (it is valid Keras, only missing here) and a ``ValueError`` (what keras_lite
    raises for every argument it refuses), so either ``except`` clause catches it.
    """
