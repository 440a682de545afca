"""Models, as ``keras.models``: `Model` (``_model``: the graph and the training methods, whose argument handling
is in ``_trainer``) and `Sequential` (``_sequential``: the stack of layers), and Keras's ``load_model`` and
``save_model``.
"""

from ..saving import load_model, save_model
from ._model import Model
from ._sequential import Sequential
from ._trainer import NotCompiledError

__all__ = ["Model", "NotCompiledError", "Sequential", "load_model", "save_model"]
