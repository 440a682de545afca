"""Memory layout: Fortran-ordered, strided and read-only arrays give the same results as C-ordered ones."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers


def _model() -> keras.Sequential:
    keras.utils.set_random_seed(3)
    return keras.Sequential([keras.Input(shape=(3,)), layers.Dense(5, activation="tanh"), layers.Dense(2)])


def _misaligned(x: np.ndarray) -> np.ndarray:
    """`x`'s values in an array whose data starts one byte past a float32 boundary."""
    buf = np.zeros(x.nbytes + 1, dtype=np.uint8)
    out = np.frombuffer(buf.data, dtype=np.float32, count=x.size, offset=1).reshape(x.shape)
    out[...] = x
    assert not out.flags.aligned
    return out


@pytest.mark.parametrize("rows", [7, 5000])  # a call that keeps the GIL, and one that releases it
def test_fortran_and_strided_inputs_predict_like_c_order(rows: int) -> None:
    model = _model()
    x = np.random.default_rng(0).normal(size=(rows, 3)).astype(np.float32)
    want = model.predict(x, verbose=0)
    fortran = np.asfortranarray(x)
    strided = np.repeat(x, 2, axis=0)[::2]
    readonly = x.copy()
    readonly.flags.writeable = False
    misaligned = _misaligned(x)
    for arr in (fortran, strided, readonly, misaligned):
        np.testing.assert_array_equal(model.predict(arr, verbose=0), want)
        np.testing.assert_array_equal(model(arr), want)
    np.testing.assert_array_equal(model._net.predict(readonly), want)
    # the core itself refuses a layout it would misread
    for arr in (fortran, strided, misaligned):
        with pytest.raises(ValueError, match="x must be a C-contiguous float32 array"):
            model._net.predict(arr)


def test_fortran_weights_are_set_in_logical_order() -> None:
    model = _model()
    kernel = np.asfortranarray(np.arange(15, dtype=np.float32).reshape(3, 5))
    model.layers[0].kernel.assign(kernel)
    np.testing.assert_array_equal(model.get_weights()[0], kernel)
    weights = [np.asfortranarray(w) for w in model.get_weights()]
    weights[2] = np.asfortranarray(np.arange(10, dtype=np.float32).reshape(5, 2))
    model.set_weights(weights)
    np.testing.assert_array_equal(model.get_weights()[2], np.arange(10, dtype=np.float32).reshape(5, 2))


def test_fit_on_fortran_data_matches_c_order() -> None:
    x = np.random.default_rng(1).normal(size=(40, 3)).astype(np.float32)
    y = x.sum(axis=1)
    histories = []
    for data in (x, np.asfortranarray(x)):
        model = _model()
        model.compile(optimizer="adam", loss="mse")
        histories.append(
            model.fit(data, np.stack([y, -y], axis=1), epochs=3, shuffle=False, verbose=0).history["loss"]
        )
    assert histories[0] == histories[1]
