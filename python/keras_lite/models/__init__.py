"""Models, as ``keras.models``: `Model` (``_model``: the graph and the training methods, whose argument handling
is in ``_trainer``), `Sequential` (``_sequential``: the stack of layers) and `Functional` (``_functional``: what
``keras.Model(inputs, outputs)`` makes), and Keras's ``load_model`` and ``save_model`` (the file formats are in
``keras_lite._saving``).
"""

from .._saving import save_model
from ._compile import NotCompiledError
from ._config import clone_model, model_from_json
from ._functional import Functional
from ._model import Model
from ._sequential import Sequential, load_model

__all__ = [
    "Functional",
    "Model",
    "NotCompiledError",
    "Sequential",
    "clone_model",
    "load_model",
    "model_from_json",
    "save_model",
]
