"""Saving and loading, as ``keras.saving``: ``save_model``, ``load_model``, ``save_weights``, ``load_weights``,
the error for unreadable files, and the custom-object registry (``register_keras_serializable``, scopes, and
``serialize_keras_object``/``deserialize_keras_object``; see ``_registration``).

keras_lite reads and writes Keras 3's ``.keras`` files (a zip of ``metadata.json``, ``config.json`` and
``model.weights.h5``) and ``.weights.h5`` files, and pickles models compactly; ``model.save``,
``model.save_weights``, ``model.load_weights`` and ``pickle`` do the same through the model. Writes are
atomic, and a file is read as untrusted: ``_saving`` says how, ``_files`` holds the file handling.
"""

from typing import Any

from ._errors import FormatError
from ._registration import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from ._saving import KERAS_VERSION as KERAS_VERSION  # the Keras release whose file layout is written
from ._saving import save_model
from .models import load_model


def save_weights(
    model: Any, filepath: Any, overwrite: bool = True, max_shard_size: Any = None, **kwargs: Any
) -> None:
    """``model.save_weights(filepath, overwrite, max_shard_size)``, as ``keras.saving.save_weights``
    (keras_lite writes one file: a ``max_shard_size`` is refused by name)."""
    model.save_weights(filepath, overwrite=overwrite, max_shard_size=max_shard_size, **kwargs)


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False, **kwargs: Any) -> None:
    """``model.load_weights(filepath, skip_mismatch, ...)``, as ``keras.saving.load_weights``."""
    model.load_weights(filepath, skip_mismatch=skip_mismatch, **kwargs)


__all__ = [
    "CustomObjectScope",
    "FormatError",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]
