"""Differences a sweep of post-course scripts found against Keras 3.15.1 (TensorFlow 2.21 backend), each pinned
with what that Keras printed or returned.

The sweep ran ~25 small scripts of the kind written after the Kaggle intro course (classifiers with callbacks,
regressions with Normalization and CSVLogger, Functional two-input models, PyDatasets, saving and resuming,
pandas inputs) under both libraries from the same weights, comparing printed text, files, histories, configs,
types and exceptions. Keras ran with stdout redirected to a file, where its bar still redraws with ``\\r``
(it treats any POSIX system as a dynamic display), as keras_lite's does.
"""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers

X6 = np.arange(12, dtype=np.float32).reshape(6, 2)
Y6 = np.zeros(6, np.float32)


def _draws(printed: str) -> list[str]:
    """The bar's draws in ``printed``: each begins with ``\\r``; the backspaces before a redraw left out."""
    return [draw.rstrip("\b") for draw in printed.split("\r")[1:]]


def _ones_model(device: str = "cpu") -> keras.Sequential:
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, kernel_initializer="ones")], device=device)
    model.compile(loss="mae")
    return model


# ---- the message of an uncompiled model ---------------------------------------------------------------------
# Keras 3.15.1 (`Trainer._assert_compile_called`), for fit, evaluate, train_on_batch and test_on_batch alike:
#   ValueError: You must call `compile()` before using the model.
@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.fit(X6, Y6, verbose=0),
        lambda m: m.evaluate(X6, Y6, verbose=0),
        lambda m: m.train_on_batch(X6, Y6),
        lambda m: m.test_on_batch(X6, Y6),
    ],
    ids=["fit", "evaluate", "train_on_batch", "test_on_batch"],
)
def test_uncompiled_model_gives_keras_message(call: object) -> None:
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    with pytest.raises(ValueError) as info:
        call(model)  # type: ignore[operator]
    assert str(info.value) == "You must call `compile()` before using the model."


# ---- Sequential built with add(), a Rescaling before the Flatten ---------------------------------------------
# Keras 3.15.1:
#   m = keras.Sequential(name="mnist_like"); m.add(keras.Input(shape=(4, 3))); m.add(layers.Rescaling(0.5))
#   m.add(layers.Flatten()); m.add(layers.Dense(2, kernel_initializer="ones")); m.summary()
# printed rescaling (None, 4, 3) 0, flatten (None, 12) 0, dense (None, 2) 26, "Total params: 26 (104.00 B)",
# and m.predict(np.arange(24).reshape(2, 4, 3)) gave [[33.0, 33.0], [105.0, 105.0]] (0.5 * 66 and 0.5 * 210).
def test_add_rescaling_then_flatten_one_by_one(capsys: pytest.CaptureFixture[str]) -> None:
    model = keras.Sequential(name="mnist_like")
    model.add(keras.Input(shape=(4, 3)))
    model.add(layers.Rescaling(0.5))  # keras_lite refused this before the Flatten came
    model.add(layers.Flatten())
    model.add(layers.Dense(2, kernel_initializer="ones"))
    model.summary()
    printed = capsys.readouterr().out
    assert "│ rescaling (Rescaling)           │ (None, 4, 3)           │             0 │" in printed
    assert "│ flatten (Flatten)               │ (None, 12)             │             0 │" in printed
    assert "│ dense (Dense)                   │ (None, 2)              │            26 │" in printed
    assert " Total params: 26 (104.00 B)" in printed
    x = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
    np.testing.assert_array_equal(model.predict(x, verbose=0), [[33.0, 33.0], [105.0, 105.0]])


# Keras 3.15.1: keras.Sequential([Input((4, 3)), Rescaling(0.5), Flatten()]).pop() leaves ['rescaling_1'];
# add(Flatten(name="f2")), add(Dense(1, kernel_initializer="ones")) then predicts [[33.0], [105.0]].
def test_pop_back_to_a_rescaling_then_add_a_flatten() -> None:
    model = keras.Sequential([keras.Input((4, 3)), layers.Rescaling(0.5), layers.Flatten()])
    model.pop()
    assert [type(layer).__name__ for layer in model.layers] == ["Rescaling"]
    model.add(layers.Flatten(name="f2"))
    model.add(layers.Dense(1, kernel_initializer="ones", name="d"))
    x = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
    np.testing.assert_array_equal(model.predict(x, verbose=0), [[33.0], [105.0]])


def test_model_of_only_a_rescaling_on_a_shaped_input_is_still_refused_when_used() -> None:
    # Keras outputs (None, 4, 3) there; keras_lite models give flat outputs (docs/keras-compatibility.md).
    model = keras.Sequential()
    model.add(keras.Input(shape=(4, 3)))
    model.add(layers.Rescaling(0.5))
    with pytest.raises(keras.NotSupportedError, match="put a keras.layers.Flatten"):
        model.predict(np.ones((2, 4, 3), np.float32), verbose=0)
    with pytest.raises(keras.NotSupportedError, match="put a keras.layers.Flatten"):
        keras.Sequential([keras.Input((4, 3)), layers.Rescaling(0.5)])  # a list is the whole model
