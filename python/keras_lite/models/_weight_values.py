"""A model's weight values as NumPy arrays: ``get_weights`` and ``set_weights``, from the core network once the
model is built, and before that from the layers that already have weights (an adapted ``Normalization``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import ArgumentTypeError, received
from .._variable import keras_value, weight_array

if TYPE_CHECKING:
    from ._model import Model


def get(model: Model) -> list[np.ndarray]:
    """Copies of every weight, layer by layer (Keras order); an integer weight (Normalization's int64
    ``count``) in its own dtype."""
    net = model._core_network()
    if net is None:
        return [v.numpy() for v in model.weights]
    values = net.get_weights()
    return [keras_value(a, v.dtype) for v, a in zip(model.weights, values)]


def set_all(model: Model, weights: Any) -> None:
    """Set every weight from ``weights`` (a list or tuple of arrays, one per weight, each of its shape); nothing
    is set unless all of them fit."""
    current = model.weights
    if not isinstance(weights, (list, tuple)):  # Keras's len() of it is a TypeError
        raise ArgumentTypeError(
            f"set_weights expects a list of arrays. {received('weights', type(weights).__name__)}"
        )
    if len(weights) != len(current):
        raise ValueError(
            f"You called `set_weights(weights)` on model {model.name} with a weight list of length {len(weights)}, "
            f"but the model was expecting {len(current)} weights."
        )
    arrays = []
    for v, w in zip(current, weights):
        a = weight_array(w, f"Weight {v.path}")
        if a.shape != v.shape:
            raise ValueError(f"Weight {v.path} has shape {v.shape}. Received: an array of shape {a.shape}")
        arrays.append(a)
    net = model._core_network(write=True)
    if net is None:
        for v, a in zip(current, arrays):
            v.assign(a)
    elif arrays:
        net.set_weights(arrays)
