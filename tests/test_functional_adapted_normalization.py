"""A Normalization layer adapted before it is called on a ``keras.Input`` keeps its statistics in the Functional
model (its int64 ``count`` weight used to stop the model from building), as it does in a Sequential one."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers


@pytest.mark.parametrize("device", DEVICES)
def test_an_adapted_normalization_keeps_its_statistics_in_a_functional_model(device: str, tmp_path) -> None:
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(64, 3)) * [1.0, 10.0, 100.0] + [5.0, -3.0, 200.0]).astype("float32")
    norm = layers.Normalization(axis=-1)
    norm.adapt(x)
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, norm(inputs), device=device)
    expected = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0))
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-4)
    assert np.asarray(norm.count).dtype == np.int64
    path = tmp_path / "m.keras"
    model.save(path)
    np.testing.assert_allclose(
        keras.models.load_model(path).predict(x, verbose=0), expected, rtol=1e-4, atol=1e-4
    )
