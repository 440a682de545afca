"""A forked child process (multiprocessing's default start method on Linux) can train and predict.

The child inherits keras_lite's thread pools but none of their threads; before the pools learned which
process they belong to, the child's first parallel fit or predict waited forever.
"""

from __future__ import annotations

import multiprocessing as mp
import sys

import numpy as np
import pytest

import keras_lite as keras

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the fork start method is the Linux default")

X = np.random.default_rng(0).standard_normal((2_000, 32)).astype(np.float32)
Y = X[:, :1] * 0.5
BIG = np.random.default_rng(1).standard_normal((20_000, 32)).astype(np.float32)


def model() -> keras.Sequential:
    m = keras.Sequential(
        [keras.Input((32,)), keras.layers.Dense(256, activation="relu"), keras.layers.Dense(1)]
    )
    m.compile(optimizer="adam", loss="mse")
    return m


MODEL = model()


def predict_in_child(_: int) -> np.ndarray:
    return MODEL.predict(BIG, verbose=0)


def fit_in_child(_: int) -> float:
    history = MODEL.fit(X, Y, epochs=2, batch_size=256, verbose=0)
    return float(history.history["loss"][-1])


def test_a_forked_child_predicts_and_trains_with_the_parents_pools_started() -> None:
    # Start every pool in the parent: a parallel training run and a large (multi-threaded) prediction.
    MODEL.fit(X, Y, epochs=1, batch_size=256, verbose=0)
    expected = MODEL.predict(BIG, verbose=0)
    with mp.get_context("fork").Pool(1) as pool:
        got = pool.map_async(predict_in_child, [0]).get(timeout=60)[0]
        loss = pool.map_async(fit_in_child, [0]).get(timeout=60)[0]
    np.testing.assert_array_equal(got, expected)
    assert np.isfinite(loss)
    # The parent is unaffected and still usable.
    np.testing.assert_array_equal(MODEL.predict(BIG, verbose=0), expected)
