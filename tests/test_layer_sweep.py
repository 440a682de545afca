"""Differences the randomized layer and activation sweep against Keras 3.15.1 (TensorFlow 2.21, CPU) found:
each test pins what Keras gives. The sweep compared predictions, layer calls, training-mode calls, one fit
epoch, weights' names and paths, attributes, configs and constructor errors of hundreds of small models."""

from __future__ import annotations

import json

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers


def _config(layer: keras.layers.Layer) -> dict:
    config = layer.get_config()
    config.pop("dtype")  # keras_lite writes "float32" where Keras writes its policy (a documented difference)
    return config


def test_numeric_arguments_given_as_ints_stay_ints_as_in_keras() -> None:
    # Keras 3.15.1 keeps a Python int as given: ReLU(max_value=6).max_value is 6 and its config says 6 (the
    # .keras file's JSON too), not 6.0.
    relu = layers.ReLU(max_value=6, negative_slope=0, threshold=1)
    assert (relu.max_value, relu.negative_slope, relu.threshold) == (6, 0, 1)
    assert json.dumps(_config(relu)) == (
        '{"name": "re_lu", "trainable": true, "max_value": 6, "negative_slope": 0, "threshold": 1}'
    )
    assert json.dumps(_config(layers.LeakyReLU(negative_slope=1))) == (
        '{"name": "leaky_re_lu", "trainable": true, "negative_slope": 1}'
    )
    assert layers.Dropout(0).rate == 0 and json.dumps(_config(layers.Dropout(1, seed=1))) == (
        '{"name": "dropout_1", "trainable": true, "rate": 1, "seed": 1, "noise_shape": null}'
    )
    assert json.dumps(_config(layers.GaussianNoise(1))) == (
        '{"name": "gaussian_noise", "trainable": true, "stddev": 1, "seed": null}'
    )
    assert json.dumps(_config(layers.GaussianDropout(0))) == (
        '{"name": "gaussian_dropout", "trainable": true, "rate": 0, "seed": null}'
    )
    assert _config(layers.LayerNormalization(epsilon=1))["epsilon"] == 1
    assert isinstance(_config(layers.LayerNormalization(epsilon=1))["epsilon"], int)
    # Floats stay floats, and the values compute as before (Keras 3.15.1's outputs).
    assert _config(layers.ReLU(max_value=6.0))["max_value"] == 6.0
    x = np.array([[-2.0, -0.5, 0.3, 1.7, 7.0]], np.float32)
    np.testing.assert_allclose(relu(x), [[0.0, 0.0, 0.0, 1.7, 6.0]])
    np.testing.assert_allclose(layers.ELU(alpha=2)(x), [[-1.7293295, -0.7869387, 0.3, 1.7, 7.0]], rtol=1e-6)
    np.testing.assert_allclose(layers.LeakyReLU(negative_slope=1)(x), x)


def test_elu_config_lists_alpha_after_the_name_as_keras_does() -> None:
    # Keras 3.15.1: {'name': 'elu', 'alpha': 1.0, 'trainable': True, 'dtype': ...}; alpha as given.
    assert list(_config(layers.ELU())) == ["name", "alpha", "trainable"]
    assert _config(layers.ELU(name="e", alpha=2)) == {"name": "e", "alpha": 2, "trainable": True}
    assert _config(layers.ELU(2, trainable=False)) == {"name": "elu_1", "alpha": 2, "trainable": False}
    assert type(layers.ELU(alpha=1).alpha) is int and layers.ELU(alpha=0.5).alpha == 0.5
    restored = layers.ELU.from_config(layers.ELU(alpha=0.5).get_config())
    np.testing.assert_allclose(restored(np.array([[-1.0]], np.float32)), [[-0.31606027]], rtol=1e-6)


def test_layer_normalization_axis_is_a_list_once_built_or_given_as_a_tuple() -> None:
    # Keras 3.15.1: LayerNormalization().axis is -1, then [-1] once built; axis=(-1,) is held as [-1].
    norm = layers.LayerNormalization()
    assert norm.axis == -1
    norm(np.ones((2, 3), np.float32))
    assert norm.axis == [-1] and norm.get_config()["axis"] == [-1]
    given = layers.LayerNormalization(axis=(-1,))
    assert given.axis == [-1] and given.get_config()["axis"] == [-1]
    model = keras.Sequential([keras.Input((3,)), layers.LayerNormalization(axis=1)])
    assert model.layers[0].axis == [1]
    restored = layers.LayerNormalization.from_config(model.layers[0].get_config())
    np.testing.assert_allclose(
        restored(np.array([[1.0, 2.0, 4.0]], np.float32)), [[-1.0687015, -0.2671753, 1.3358769]], rtol=1e-5
    )


def test_softmax_over_all_or_several_axes_is_valid_keras_that_keras_lite_lacks() -> None:
    # Keras 3.15.1 takes Softmax(axis=None) and axis=(0, 1), normalizing over every value of the batch:
    # [[1, 2], [3, 4]] -> [[0.0321, 0.0871], [0.2369, 0.6439]]. keras_lite refuses them as what it lacks
    # (NotSupportedError, which is also a ValueError), naming the argument, not as invalid arguments.
    for axis in (None, (0, 1), [0, -1]):
        with pytest.raises(keras.NotSupportedError, match=r"Softmax .*axis"):
            layers.Softmax(axis=axis)
    with pytest.raises(ValueError, match="axis") as caught:
        layers.Softmax(axis="last")
    assert not isinstance(caught.value, keras.NotSupportedError)
    # The one-axis forms Keras takes for rows: -1, 1, [-1], (1,).
    x = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    for axis in (-1, 1, [-1], (1,)):
        np.testing.assert_allclose(layers.Softmax(axis=axis)(x), [[0.26894142, 0.7310586]] * 2, rtol=1e-6)


def test_relu_and_leaky_relu_refuse_bad_arguments_with_keras_s_messages() -> None:
    # Keras 3.15.1's messages: max_value may be None (no cap), so its message does not say "None or".
    with pytest.raises(ValueError) as caught:
        layers.ReLU(max_value=-1)
    assert str(caught.value) == "max_value of a ReLU layer cannot be a negative value. Received: max_value=-1"
    with pytest.raises(ValueError) as caught:
        layers.ReLU(threshold=None)
    assert str(caught.value) == (
        "threshold of a ReLU layer cannot be None or a negative value. Received: threshold=None"
    )
    with pytest.raises(ValueError) as caught:
        layers.LeakyReLU(negative_slope=-1)
    assert str(caught.value) == (
        "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. Expected a float. "
        "Received: negative_slope=-1"
    )


def test_discretization_keeps_integer_boundaries_as_given() -> None:
    # Keras 3.15.1: Discretization(bin_boundaries=[0, 1]).get_config()["bin_boundaries"] is [0, 1].
    layer = layers.Discretization(bin_boundaries=[0, 1])
    assert json.dumps(layer.get_config()["bin_boundaries"]) == "[0, 1]"
    assert json.dumps(layers.Discretization(bin_boundaries=[0.0, 1.5]).get_config()["bin_boundaries"]) == (
        "[0.0, 1.5]"
    )
    np.testing.assert_array_equal(layer(np.array([[-1.0, 0.5, 1.0, 2.0]])), [[0, 1, 2, 2]])  # Keras's bins
