"""Keras's global formats in ``keras.config`` and ``keras.backend``: float32 and epsilon 1e-7 (fixed: other values
are refused), and the image data format a Flatten takes when given none."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from keras_lite._unsupported import NotSupportedError


def test_floatx_and_epsilon_are_fixed() -> None:
    for module in (keras.config, keras.backend):
        assert module.floatx() == "float32" and module.epsilon() == 1e-7
        module.set_floatx("float32")
        module.set_epsilon(1e-7)
        with pytest.raises(NotSupportedError, match="float32"):
            module.set_floatx("float64")
        with pytest.raises(NotSupportedError, match="epsilon"):
            module.set_epsilon(1e-5)
    assert keras.backend.epsilon() == 1e-7


def test_image_data_format_is_what_a_flatten_takes_by_default() -> None:
    assert keras.config.image_data_format() == "channels_last"
    x = np.arange(24.0).reshape(2, 3, 4)
    try:
        keras.backend.set_image_data_format("channels_first")
        assert keras.config.image_data_format() == "channels_first"
        flatten = keras.layers.Flatten()
        assert flatten.data_format == "channels_first"
        np.testing.assert_array_equal(np.asarray(flatten(x)), np.moveaxis(x, 1, -1).reshape(2, 12))
        with pytest.raises(ValueError, match="data_format"):
            keras.config.set_image_data_format("nhwc")
    finally:
        keras.config.set_image_data_format("channels_last")
    assert keras.layers.Flatten().data_format == "channels_last"
