"""Saving and loading: Keras 3 ``.keras`` files, ``.weights.h5`` files, pickling."""

from __future__ import annotations

from typing import Any


class SavingMixin:
    """Saving methods of ``Sequential`` (kept here so that models.py stays about the model)."""


def load_model(filepath: Any, custom_objects: Any = None, compile: bool = True, safe_mode: bool = True) -> Any:
    """Load a model saved with ``model.save`` (keras_lite or Keras 3)."""
    raise NotImplementedError("load_model is being written")
