"""The model and layer object API as Keras 3.15.1 has it, where a differential sweep found keras_lite apart:
``pop(rebuild=False)``, ``trainable`` values, ``get_layer`` indexes, ``get_compile_config`` values. Expected
values and messages are Keras 3.15.1's (TensorFlow backend) for the same calls."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers


def test_pop_never_runs_the_removed_layer_whatever_rebuild_says() -> None:
    for rebuild in (True, False):
        model = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.Dense(4)])
        kernel = model.layers[0].get_weights()[0].copy()
        model.pop(rebuild=rebuild)
        assert [layer.name for layer in model.layers] == [model.layers[0].name]
        assert model.output_shape == (None, 2) and model.count_params() == 8
        assert model(np.ones((1, 3), np.float32)).shape == (1, 2)
        np.testing.assert_array_equal(model.layers[0].get_weights()[0], kernel)  # the rest keep their weights


@pytest.mark.parametrize("value", ["no", 1, None, 0.0])
def test_trainable_must_be_a_boolean(value: object) -> None:
    message = rf"Expected `trainable` to be a boolean. Received: trainable={value} \(of type"
    with pytest.raises(ValueError, match=message):
        layers.Dense(2, trainable=value)
    with pytest.raises(ValueError, match=message):
        keras.Sequential([layers.Dense(2)], trainable=value)
    layer, model = layers.Dense(2), keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    for obj in (layer, model):
        with pytest.raises(ValueError, match=message):
            obj.trainable = value
        obj.trainable = np.bool_(False)  # NumPy's booleans are booleans
        assert obj.trainable is False


def test_get_layer_out_of_range_raises_as_keras_does() -> None:
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.Dense(1)])
    with pytest.raises(IndexError):  # Keras indexes its list
        model.get_layer(index=-3)
    with pytest.raises(ValueError, match="only has 2 layers"):
        model.get_layer(index=2)
    assert model.get_layer(index=-2) is model.layers[0]


def test_compile_config_holds_values_as_keras_does() -> None:
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    config = model.get_compile_config()
    assert config["metrics"] is None  # none given
    rate = config["optimizer"]["config"]["learning_rate"]
    assert type(rate) is float and rate == 0.0010000000474974513
    assert json.loads(model.to_json())["compile_config"]["metrics"] is None
    model.compile(optimizer="adam", loss="mse", metrics=[])
    assert model.get_compile_config()["metrics"] == []


def test_keras_configs_with_input_shape_inside_elu_and_identity_load() -> None:
    # Keras 3.15.1's to_json() of Sequential([ELU(input_shape=(3,)), Identity(input_dim=3), Dense(1)]): it
    # writes those arguments into the two layers' configs as well as into its InputLayer.
    with open(os.path.join(os.path.dirname(__file__), "fixtures", "keras_leaked_input_shape.json")) as f:
        model = keras.models.model_from_json(f.read())
    assert [layer.name for layer in model.layers] == ["elu", "identity", "dense"]
    assert model.input_shape == (None, 3) and model.output_shape == (None, 1)
