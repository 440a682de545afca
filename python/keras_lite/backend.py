"""``keras.backend``, as far as keras_lite has it: `clear_session` and `is_keras_tensor` (the same as
``keras.utils``'s)
and Keras's format queries and settings (``floatx``, ``epsilon``, ``image_data_format`` and their setters, the
same as ``keras.config``'s).

keras_lite has one backend of its own (its Rust core); other backend functions raise `NotSupportedError`.
"""

from .config import epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format
from .utils import clear_session, is_keras_tensor

__all__ = [
    "clear_session",
    "epsilon",
    "floatx",
    "image_data_format",
    "is_keras_tensor",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
]
