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
