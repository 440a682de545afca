"""What a sweep of the preprocessing layers against Keras 3.15.1 found (golden values from it)."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("variance", [-4.0, float("nan")])
def test_a_negative_or_nan_variance_normalizes_to_nan(device: str, variance: float) -> None:
    # Keras: (x - mean) / maximum(sqrt(variance), epsilon), whose maximum keeps the square root's NaN.
    x = np.array([[1.0, 2.0]], np.float32)
    assert np.isnan(np.asarray(layers.Normalization(mean=0.0, variance=variance)(x))).all()
    for invert in (False, True):
        norm = layers.Normalization(mean=[0.0, 1.0], variance=[variance, 4.0], invert=invert)
        model = keras.Sequential([keras.Input((2,)), norm], device=device)
        got = model.predict(x, verbose=0)
        assert np.isnan(got[0, 0]) and got[0, 1] == (5.0 if invert else 0.5)  # 1 + 2·2, or (2 - 1)/2


def test_discretization_adapts_to_infinities_as_keras_and_refuses_nan() -> None:
    disc = layers.Discretization(num_bins=3)
    disc.adapt(np.array([0.0, 1, 2, np.inf, 5, -np.inf]))
    assert disc.bin_boundaries == [-np.inf, 1.9999998807907104]  # Keras 3.15.1's
    assert np.asarray(disc(np.array([[0.5, 3, 10]]))).tolist() == [[1, 2, 2]]
    with pytest.raises(ValueError, match="cannot adapt to data with NaN values"):
        layers.Discretization(num_bins=3).adapt(np.array([0.0, np.nan, 1.0]))


@pytest.mark.parametrize("mode", ["multi_hot", "count"])
def test_counting_encodings_take_one_or_two_dimensions(mode: str) -> None:
    x = np.zeros((1, 3, 2), np.float32)
    for layer in (
        layers.CategoryEncoding(4, output_mode=mode),
        layers.Discretization([0.5], output_mode=mode),
    ):
        with pytest.raises(ValueError, match="takes 1-D or 2-D inputs. Received: inputs with shape"):
            layer(x)


def test_samples_without_values_are_refused_by_name() -> None:
    for layer in (layers.Rescaling(2.0), layers.CategoryEncoding(3, output_mode="count")):
        with pytest.raises(ValueError, match="needs at least one value per sample. Received: shape"):
            layer(np.zeros((3, 0), np.float32))
