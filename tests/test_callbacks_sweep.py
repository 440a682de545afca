"""Callback differences a randomized sweep against Keras 3.15.1 (TensorFlow backend) found, each pinned with
the values that Keras run gave."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras

X40 = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
Y40 = (X40.sum(axis=1) > 0).astype(np.float32).reshape(-1, 1)


def test_reduce_lr_on_plateau_ignores_unknown_keywords_as_keras_does() -> None:
    # Keras 3.15.1's ReduceLROnPlateau takes **kwargs and ignores them: tf.keras 2 code passing `epsilon` (its
    # old name of min_delta) runs with min_delta 1e-4. keras_lite raised ValueError. Keras's run: SGD(0.1), a
    # one-unit sigmoid model with weights 0.1 and 0, batches of 8, monitor="loss", patience=0, factor=0.5,
    # epsilon=0.5 gave these losses and no reduction (every epoch improves by more than 1e-4, not by 0.5).
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.SGD(0.1), "binary_crossentropy")
    model.set_weights([np.full((3, 1), 0.1, np.float32), np.zeros(1, np.float32)])
    with pytest.warns(UserWarning, match=r"ignores the keyword arguments \['epsilon'\]"):
        reduce = keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.5, epsilon=0.5)
    history = model.fit(X40, Y40, batch_size=8, epochs=4, verbose=0, shuffle=False, callbacks=[reduce])
    np.testing.assert_allclose(
        history.history["loss"],
        [0.6003805994987488, 0.5409733057022095, 0.49578961730003357, 0.4605233073234558],
        rtol=1e-5,
    )
    assert history.history["learning_rate"] == [0.10000000149011612] * 4
    assert reduce.min_delta == -0.0001


def test_a_callback_has_no_params_until_fit_sets_them() -> None:
    # Keras 3.15.1: Callback().params is None (keras_lite had {}); after fit(x (40 rows), epochs=2,
    # validation_split=0.2, verbose=0) {"verbose": 0, "epochs": 2, "steps": 1}, and after evaluate(x) with the
    # default batch size {"verbose": 0, "epochs": 1, "steps": 2}.
    callback = keras.callbacks.Callback()
    assert callback.params is None
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(X40, Y40, epochs=2, verbose=0, callbacks=[callback], validation_split=0.2)
    assert callback.params == {"verbose": 0, "epochs": 2, "steps": 1}
    model.evaluate(X40, Y40, verbose=0, callbacks=[callback])
    assert callback.params == {"verbose": 0, "epochs": 1, "steps": 2}
