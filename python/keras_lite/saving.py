"""Saving and loading, as ``keras.saving``: ``save_model``, ``load_model`` and the error for unreadable files.

keras_lite reads and writes Keras 3's ``.keras`` files (a zip of ``metadata.json``, ``config.json`` and
``model.weights.h5``) and ``.weights.h5`` files, and pickles models compactly; ``model.save``,
``model.save_weights``, ``model.load_weights`` and ``pickle`` do the same through the model. Writes are
atomic, and a file is read as untrusted: ``_saving`` says how, ``_files`` holds the file handling.
"""

from ._errors import FormatError
from ._saving import KERAS_VERSION as KERAS_VERSION  # the Keras release whose file layout is written
from ._saving import save_model
from .models import load_model

__all__ = ["FormatError", "load_model", "save_model"]
