"""Differences from Keras 3.15.1 that a later round of differential fuzzing found (layers one at a time, callback
traces, printed output, files across the two libraries, edge values), each pinned with Keras's printed values."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite._unsupported import NotSupportedError

X3 = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) ** 1.5 / 10).astype(np.float32)


@pytest.mark.parametrize(
    "make",
    [
        lambda: keras.layers.Softmax(axis=1),
        lambda: keras.layers.LayerNormalization(axis=1),
        lambda: keras.layers.LayerNormalization(axis=[1]),
        lambda: keras.layers.BatchNormalization(axis=1),
    ],
)
def test_axis_1_of_an_input_of_three_axes_is_refused_not_read_as_the_last(make: object) -> None:
    """Keras computes along axis 1 there (Softmax's column [0, :, 0] is [0.0779, 0.1734, 0.7487]); keras_lite
    computes along the last axis only, so it refuses rather than give other numbers."""
    layer = make()  # type: ignore[operator]
    with pytest.raises(NotSupportedError, match="axis=1 is not the last axis"):
        layer(X3)
    with pytest.raises(NotSupportedError, match="axis=1 is not the last axis"):
        make().build((None, 3, 4))  # type: ignore[operator]
    # on (batch, features) axis 1 is the last axis: the same numbers as axis=-1
    two_d = X3.reshape(6, 4)
    np.testing.assert_allclose(make()(two_d), type(layer)()(two_d), rtol=1e-6)  # type: ignore[operator]


def test_softmax_axis_minus_1_of_three_axes_still_computes() -> None:
    out = np.asarray(keras.layers.Softmax()(X3))
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-6)


@pytest.mark.parametrize(
    "make, nones, shapes",
    [
        (
            lambda: keras.layers.LayerNormalization(beta_initializer=None, gamma_initializer=None),
            ["beta_initializer", "gamma_initializer"],
            [(3,), (3,)],
        ),
        (lambda: keras.layers.PReLU(alpha_initializer=None), ["alpha_initializer"], [(3,)]),
        (lambda: keras.layers.BatchNormalization(gamma_initializer=None), ["gamma_initializer"], [(3,)] * 4),
    ],
)
def test_an_initializer_of_none_is_glorot_uniform_as_kerass_add_weight(
    make: object, nones: list, shapes: list
) -> None:
    layer = make()  # type: ignore[operator]
    assert layer(np.ones((2, 3), np.float32)).shape == (2, 3)
    assert [w.shape for w in layer.get_weights()] == shapes
    assert all(layer.get_config()[k] is None for k in nones)  # Keras keeps None in the config
    drawn = layer.get_weights()[0]  # gamma, alpha: glorot_uniform of a (3,) weight, fan_in = fan_out = 3
    assert np.all(np.abs(drawn) <= 1.0) and len(np.unique(drawn)) == 3


Z = np.array([np.nan, -np.inf, -2, -1, -0.5, -0.1, 0, 0.5, 1, 2, 6, 7, np.inf], np.float32)


@pytest.mark.parametrize(
    "kwargs, want",
    [
        # Keras clips to [0, max_value] above a negative threshold
        ({"max_value": 1.0, "threshold": -1.0}, [0, 0, 0, 0, 0, 0, 0, 0.5, 1, 1, 1, 1, 1]),
        (
            {"negative_slope": 0.1, "max_value": 6.0, "threshold": -1.0},
            [np.nan, -np.inf, -0.1, 0, 0, 0, 0, 0.5, 1, 2, 6, 6, 6],
        ),
        # without a cap the values between the threshold and 0 stay; NaN is 0 where a threshold reads it
        ({"threshold": -1.0}, [0, 0, 0, 0, -0.5, -0.1, 0, 0.5, 1, 2, 6, 7, np.inf]),
        ({"threshold": 1.0}, [0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 7, np.inf]),
        ({"max_value": 6.0, "threshold": 1.0}, [0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 6, 6]),
    ],
)
def test_relu_with_its_arguments_gives_kerass_values(kwargs: dict, want: list) -> None:
    got = np.asarray(keras.activations.relu(Z[None], **kwargs))[0]
    np.testing.assert_array_equal(got, np.array(want, np.float32))


@pytest.mark.parametrize("device", DEVICES)
def test_the_relu_layer_with_a_threshold_reads_nan_as_zero_on_each_device(device: str) -> None:
    model = keras.Sequential(
        [keras.Input((13,)), keras.layers.ReLU(max_value=6.0, threshold=1.0)], device=device
    )
    want = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 6, 6], np.float32)
    np.testing.assert_array_equal(model.predict(Z[None], verbose=0)[0], want)
    leaky = keras.Sequential(
        [keras.Input((13,)), keras.layers.ReLU(negative_slope=0.1, threshold=1.0)], device=device
    )
    assert np.isnan(leaky.predict(Z[None], verbose=0)[0, 0])  # Keras: NaN - 0.1·relu(NaN) stays NaN


def test_a_serialized_activation_function_is_taken_by_get_and_by_a_layer() -> None:
    relu = keras.saving.serialize_keras_object(keras.activations.relu)
    assert keras.activations.get(relu) is keras.activations.relu
    assert keras.layers.Dense(2, activation=relu).activation is keras.activations.relu
    assert keras.layers.Dense(2, activation=relu).get_config()["activation"] == "relu"
