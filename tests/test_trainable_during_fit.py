"""A layer's ``trainable`` flag set while its model trains (from a callback, or another thread) takes effect
when that fit ends, on both backends: a fit trains the weights it started with. (Before, the CPU applied it
at the next batch and the GPU at the end of the fit, so the two backends trained different weights.)

Keras 3.15.1 on TensorFlow reads the flags when it traces its training step, so a change from a callback is
ignored for the rest of that fit there too: its history for the freezing callback below was
``loss [0.80143, 0.79366, 0.78623]``, the same as without the callback (the golden at the end).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

RNG = np.random.default_rng(0)
X = RNG.normal(size=(256, 4)).astype("float32")
Y = (X[:, 0] > 0).astype("float32")


def _model(device: str, first_trainable: bool) -> Any:
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ],
        device=device,
    )
    model.layers[0].trainable = first_trainable
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


class _Toggle(keras.callbacks.Callback):
    """Sets the first layer's flag to ``to`` at the end of epoch 0; records its kernel at each epoch's end."""

    def __init__(self, to: bool) -> None:
        super().__init__()
        self.to = to
        self.kernels: list[np.ndarray] = []

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.kernels.append(self.model.layers[0].get_weights()[0])
        if epoch == 0:
            self.model.layers[0].trainable = self.to


def _fit(model: Any, callbacks: list[Any]) -> Any:
    return model.fit(X, Y, batch_size=64, epochs=3, shuffle=False, verbose=0, callbacks=callbacks)


@pytest.mark.parametrize("device", DEVICES)
def test_unfreezing_from_a_callback_waits_for_the_fit_to_end(device: str) -> None:
    model = _model(device, first_trainable=False)
    start = model.layers[0].get_weights()[0]
    toggle = _Toggle(True)
    with pytest.warns(UserWarning, match="takes effect when that fit ends") as record:
        _fit(model, [toggle])
    assert record[0].filename == __file__  # (the assignment's line)
    for kernel in toggle.kernels:
        np.testing.assert_array_equal(kernel, start)
    assert model.layers[0].trainable
    assert len(model.trainable_weights) == 4
    _fit(model, [])  # the next fit trains it
    assert not np.array_equal(model.layers[0].get_weights()[0], start)


@pytest.mark.parametrize("device", DEVICES)
def test_freezing_from_a_callback_trains_the_layer_to_the_end_of_the_fit(device: str) -> None:
    plain, frozen = _model(device, True), _model(device, True)
    frozen.set_weights(plain.get_weights())
    toggle = _Toggle(False)
    with pytest.warns(UserWarning, match="takes effect when that fit ends"):
        got = _fit(frozen, [toggle]).history
    want = _fit(plain, []).history
    assert got == want  # the same steps, bit for bit
    np.testing.assert_array_equal(frozen.get_weights()[0], plain.get_weights()[0])
    assert not np.array_equal(toggle.kernels[0], toggle.kernels[2])
    after = frozen.layers[0].get_weights()[0]
    _fit(frozen, [])
    np.testing.assert_array_equal(frozen.layers[0].get_weights()[0], after)


@pytest.mark.parametrize("device", DEVICES)
def test_freezing_a_model_from_a_callback_warns_once(device: str) -> None:
    model = _model(device, True)

    class FreezeAll(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if epoch == 0:
                self.model.trainable = False

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("default")
        _fit(model, [FreezeAll()])
    assert len([w for w in record if "takes effect when that fit ends" in str(w.message)]) == 1
    weights = model.get_weights()
    with pytest.warns(UserWarning, match="does not have any trainable weights"):  # (Keras's words)
        _fit(model, [])
    for a, b in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("device", DEVICES)
def test_a_flag_set_outside_fit_applies_at_once_without_a_warning(device: str) -> None:
    model = _model(device, True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.layers[0].trainable = False
    start = model.layers[0].get_weights()[0]
    _fit(model, [])
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], start)


def test_the_freezing_callback_trains_as_keras_does() -> None:
    """Keras 3.15.1 (TensorFlow 2.21), these starting weights, SGD(0.1), the first layer frozen at the end of
    epoch 0 from a callback: ``[0.735616147518158, 0.7079505324363708, 0.6854984164237976]``, its history
    without the callback too."""
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.set_weights(
        [
            np.full(w.shape, 0.1 * (i + 1), "float32")
            * np.cos(np.arange(w.size)).reshape(w.shape).astype("float32")
            for i, w in enumerate(model.get_weights())
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    with pytest.warns(UserWarning, match="takes effect when that fit ends"):
        h = _fit(model, [_Toggle(False)])
    np.testing.assert_allclose(
        h.history["loss"], [0.735616147518158, 0.7079505324363708, 0.6854984164237976], rtol=1e-6
    )
