"""0 for a count argument reads as not given, as Keras 3 reads it (``if not batch_size``): ``batch_size`` in
fit, evaluate and predict (32 rows), ``steps_per_epoch``, ``validation_steps`` and ``validation_batch_size``.

Goldens from Keras 3.15.1 (TensorFlow 2.21) for the same code: the one-epoch loss 0.5832341313362122 with
each of these 0s and with the argument left out, val_loss 0.6358664035797119, evaluate 0.5843293070793152.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import keras_lite as keras

RNG = np.random.default_rng(0)
X = RNG.uniform(-1, 1, (40, 3)).astype("float32")
Y = (X.sum(1) > 0).astype("float32")
XV, YV = X[:16] * 0.5, Y[:16]


def _model() -> Any:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights([np.full((3, 1), 0.3, "float32"), np.zeros(1, "float32")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    return model


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"batch_size": 0}, {"steps_per_epoch": 0}, {"validation_steps": 0}, {"validation_batch_size": 0}],
)
def test_zero_counts_in_fit_mean_the_default(kwargs: dict[str, Any]) -> None:
    history = _model().fit(X, Y, validation_data=(XV, YV), shuffle=False, verbose=0, **kwargs).history
    np.testing.assert_allclose(history["loss"], [0.5832341313362122], rtol=1e-6)
    np.testing.assert_allclose(history["val_loss"], [0.6358664035797119], rtol=1e-6)


def test_zero_batch_size_in_evaluate_and_predict_means_the_default() -> None:
    model = _model()
    assert model.evaluate(X, Y, batch_size=0, verbose=0) == model.evaluate(X, Y, verbose=0)
    np.testing.assert_allclose(model.evaluate(X, Y, batch_size=0, verbose=0), 0.5843293070793152, rtol=1e-6)
    np.testing.assert_array_equal(model.predict(X, batch_size=0, verbose=0), model.predict(X, verbose=0))


@pytest.mark.parametrize("arg", ["batch_size", "steps_per_epoch", "validation_batch_size"])
def test_negative_counts_are_still_refused(arg: str) -> None:
    with pytest.raises(ValueError, match=arg):
        _model().fit(X, Y, validation_data=(XV, YV), verbose=0, **{arg: -1})
