"""Arrays read in ``steps`` batches without a ``batch_size``: Keras 3's array adapter then makes the batches
``ceil(rows / steps)`` rows long (fit's ``steps_per_epoch``, ``validation_steps``, evaluate's and predict's
``steps``). The batch counts and sizes below are those Keras 3.15.1 (TensorFlow backend) ran for the same calls."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import keras_lite as keras

X = np.random.default_rng(0).normal(size=(24, 3)).astype(np.float32)
Y = X.sum(axis=1, keepdims=True)


class Batches(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.log: list[Any] = []

    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        self.log.append(("t", batch))

    def on_test_batch_begin(self, batch: int, logs: Any = None) -> None:
        self.log.append(("v", batch))

    def on_predict_batch_end(self, batch: int, logs: Any = None) -> None:
        self.log.append(("p", len(logs["outputs"])))


def _model() -> keras.Sequential:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


@pytest.mark.parametrize(
    "kwargs, train, val",
    [
        ({"steps_per_epoch": 5}, 5, 0),  # batches of 5: 5, 5, 5, 5, 4
        ({"steps_per_epoch": 7}, 6, 0),  # batches of 4: six of them, then the rows run out
        ({"steps_per_epoch": 30}, 24, 0),  # batches of 1
        ({"steps_per_epoch": 3, "validation_data": (X[:10], Y[:10]), "validation_steps": 2}, 3, 2),
        ({"validation_data": (X[:10], Y[:10]), "validation_steps": 2}, 1, 2),  # validation in batches of 5
    ],
)
def test_fit_reads_arrays_in_steps_of_equal_batches(kwargs: dict[str, Any], train: int, val: int) -> None:
    batches = Batches()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras's "ran out of data"
        history = _model().fit(X, Y, epochs=2, shuffle=False, verbose=0, callbacks=[batches], **kwargs)
    epoch = [("t", b) for b in range(train)] + [("v", b) for b in range(val)]
    assert batches.log == epoch * 2
    assert history.params["steps"] == kwargs.get("steps_per_epoch", 1)


@pytest.mark.filterwarnings("ignore:Your input ran out of data")  # more steps than batches, as in Keras
@pytest.mark.parametrize("steps, sizes", [(3, [8, 8, 8]), (5, [5, 5, 5, 5, 4]), (7, [4] * 6), (30, [1] * 24)])
def test_evaluate_and_predict_read_arrays_in_steps_of_equal_batches(steps: int, sizes: list[int]) -> None:
    model, predicted, evaluated = _model(), Batches(), Batches()
    out = model.predict(X, steps=steps, verbose=0, callbacks=[predicted])
    model.evaluate(X, Y, steps=steps, verbose=0, callbacks=[evaluated])
    assert out.shape == (24, 1) and [n for _, n in predicted.log] == sizes
    assert evaluated.log == [("v", b) for b in range(len(sizes))]
