"""A small trained model and its whole state, for the hostile-file tests: a refused load must leave the
weights, the step count and the optimizer's slots exactly as they were."""

from __future__ import annotations

from typing import Any

import numpy as np

import keras_lite as keras
from keras_lite import layers


def trained_model() -> keras.Sequential:
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 4)), np.ones((8, 2)), epochs=1, verbose=0)
    return model


def model_state(model: Any) -> tuple[list[np.ndarray], int, list[np.ndarray]]:
    iterations, rows = model._net.optimizer_state()
    return [w.copy() for w in model.get_weights()], iterations, [v.copy() for _, _, v in rows]


def assert_same(a: Any, b: Any) -> None:
    (wa, ia, sa), (wb, ib, sb) = a, b
    assert ia == ib and len(wa) == len(wb) and len(sa) == len(sb)
    for x, y in zip(wa + sa, wb + sb):
        np.testing.assert_array_equal(x, y)
