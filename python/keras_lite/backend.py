"""``keras.backend``, as far as keras_lite has it: `clear_session` (the same as ``keras.utils.clear_session``).

keras_lite has one backend of its own (its Rust core), so Keras's backend queries and dtype settings
(``keras.backend.floatx``, ``epsilon``, ...) raise `NotSupportedError`.
"""

from .utils import clear_session

__all__ = ["clear_session"]
