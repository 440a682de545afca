"""Layer arguments as Keras 3 takes them (the rest of the layers' behaviour is tested with the models)."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers


def test_input_layer_takes_batch_input_shape_as_keras_3_does() -> None:
    # Keras 3's InputLayer reads the legacy batch_input_shape as batch_shape: the input shape with the batch
    # dimension first (keras/src/layers/core/input_layer.py).
    layer = layers.InputLayer(batch_input_shape=(None, 3))
    assert layer.shape == (3,) and layer.batch_size is None
    with pytest.warns(UserWarning, match="batch_size=8"):  # the model's batch dimension stays None
        assert layers.InputLayer(batch_input_shape=[8, 2]).batch_size == 8
    model = keras.Sequential([layers.InputLayer(batch_input_shape=(None, 3)), layers.Dense(2)])
    assert model.input_shape == (None, 3)
    assert model.predict(np.ones((4, 3), dtype=np.float32), verbose=0).shape == (4, 2)
    with pytest.raises(ValueError, match="batch_shape"):
        layers.InputLayer(batch_input_shape=5)


def test_other_layers_refuse_batch_input_shape_as_keras_3_does() -> None:
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Dense"):
        layers.Dense(2, batch_input_shape=(None, 3))
