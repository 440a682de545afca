"""A layer's attribute that the core computes with (Dropout's ``rate``, an activation, BatchNormalization's
``momentum``...) assigned on a layer of a built model: each model built with the layer computes it anew from its
next call, keeping its weights, on each device. They used to be silently ignored. Keras 3.15.1 reads such
attributes when it traces a call, so it uses them from the first fit or predict after the assignment; the golden
values are its (TensorFlow 2.21). A change the core cannot take (other weights, another width) warns that it is
not used, as does one made while the model trains."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES, assert_same_values

L = keras.layers
X = np.linspace(-1, 1, 48, dtype="float32").reshape(16, 3)
Y = (X @ np.array([[0.5], [-1.0], [2.0]], "float32") + 0.25).astype("float32")

# Keras 3.15.1: the model below with every assignment of `_assign` made after compile(), two epochs of SGD(0.05).
KERAS_WEIGHTS = [
    [-0.4717046022415161, -0.38403838872909546, -0.3403646945953369, -0.2519204020500183, -0.10928139835596085,
     -0.021536700427532196, 0.021960599347949028, 0.11014380306005478, 0.2531417906284332, 0.34096500277519226,
     0.38428589701652527, 0.4722079932689667],
    [-0.028509799391031265, -0.02666489966213703, -0.03080970048904419, -0.0369441993534565],
    [0.9723575115203857, 0.9957841038703918, 0.9957687854766846, 0.9722859859466553],
    [0.022548900917172432, 0.0056421998888254166, -0.009934700094163418, -0.0330267995595932],
    [0.059728000313043594, 0.022067099809646606, 0.03534010052680969, 0.11228419840335846],
    [0.0659601017832756, 0.0628093034029007, 0.06313499808311462, 0.0695779025554657],
    [0.19731709361076355, 0.049923401325941086, -0.050346799194812775, -0.1972925066947937],
    [0.12140119820833206],
]  # fmt: skip
KERAS_PREDICTIONS = [0.3978792130947113, 0.3693554103374481, 0.3402183949947357, 0.31054750084877014]


def _model(device: str = "cpu") -> Any:
    model = keras.Sequential(
        [
            keras.Input((3,)),
            L.Dense(4, activation="relu"),
            L.LeakyReLU(0.3),
            L.Dropout(0.5),
            L.BatchNormalization(),
            L.Dense(1),
        ],
        device=device,
    )
    model.set_weights(
        [
            np.linspace(-0.5, 0.5, 12, dtype="float32").reshape(3, 4),
            np.zeros(4, "float32"),
            np.ones(4, "float32"),
            np.zeros(4, "float32"),
            np.zeros(4, "float32"),
            np.ones(4, "float32"),
            np.linspace(0.3, -0.3, 4, dtype="float32").reshape(4, 1),
            np.zeros(1, "float32"),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return model


def _assign(model: Any) -> None:
    model.layers[0].activation = keras.activations.tanh
    model.layers[1].negative_slope = 0.01
    model.layers[2].rate = 0.0
    model.layers[3].momentum = 0.5
    model.layers[3].epsilon = 0.01


@pytest.mark.parametrize("device", DEVICES)
def test_attributes_assigned_on_a_built_model_train_as_in_keras(device: str) -> None:
    model = _model(device)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _assign(model)
    model.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for got, want in zip(model.get_weights(), KERAS_WEIGHTS):
        np.testing.assert_allclose(got.ravel(), np.array(want, "float32"), rtol=1e-5, atol=3e-7)
    predictions = model.predict(X[:4], verbose=0).ravel()
    np.testing.assert_allclose(predictions, np.array(KERAS_PREDICTIONS, "float32"), rtol=1e-5, atol=3e-7)
    # The configs, a saved file and a clone carry the new values.
    assert model.layers[0].get_config()["activation"] == "tanh"
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    assert_same_values("cpu", clone.predict(X[:4], verbose=0).ravel(), predictions)


@pytest.mark.parametrize("device", DEVICES)
def test_predict_uses_an_activation_assigned_after_a_fit(device: str) -> None:
    model = _model(device)
    model.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    hidden = keras.Model(model.inputs, model.layers[0].output)
    before = hidden.predict(X, verbose=0)
    model.layers[0].activation = keras.activations.linear
    after = hidden.predict(X, verbose=0)  # the layer is shared: both models compute it anew
    assert (before >= 0).all() and (after < 0).any()
    np.testing.assert_allclose(np.maximum(after, 0), before, rtol=1e-6, atol=1e-7)


def test_a_change_the_core_cannot_take_warns_and_changes_nothing() -> None:
    model = _model()
    before = model.predict(X, verbose=0)
    with pytest.warns(UserWarning, match=r"Dense\.use_bias=False .* its weights") as seen:
        model.layers[4].use_bias = False
    assert seen[0].filename == __file__  # it points at the assignment
    with pytest.warns(UserWarning, match=r"Dropout\.rate=2\.0"):
        model.layers[2].rate = 2.0
    model.layers[2].rate = 0.5  # put back: no warning, nothing to change
    np.testing.assert_array_equal(model.predict(X, verbose=0), before)


def test_an_assignment_while_the_model_trains_warns_and_the_next_one_is_taken() -> None:
    model = _model()

    class Assign(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.model.layers[0].activation = keras.activations.tanh

    with pytest.warns(UserWarning, match="while this model is training"):
        model.fit(X, Y, batch_size=8, epochs=1, verbose=0, callbacks=[Assign()])
    # After the fit, assigning again is taken.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.layers[0].activation = keras.activations.tanh
    hidden = keras.Model(model.inputs, model.layers[0].output)
    assert (hidden.predict(X, verbose=0) < 0).any()


def test_no_warning_where_nothing_changes_or_the_value_is_applied_at_once() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        unbuilt = keras.Sequential([L.Dense(4), L.Dropout(0.5)])
        unbuilt.layers[1].rate = 0.2  # not built yet: the build reads it
        unbuilt.build((None, 3))
        model = _model()
        model.layers[0].trainable = False
        model.layers[0].name = "renamed"
        model.layers[2].rate = 0.5  # the same value
        model.layers[0].kernel_initializer = keras.initializers.Zeros()  # read at build only, as in Keras
    assert unbuilt.layers[1].get_config()["rate"] == 0.2


def test_a_layer_used_on_its_own_computes_with_the_new_value() -> None:
    x = np.linspace(-1, 1, 8, dtype="float32").reshape(2, 4)
    act = L.LeakyReLU(0.3)
    np.testing.assert_allclose(np.asarray(act(x)), np.where(x > 0, x, 0.3 * x), rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        act.negative_slope = 0.01
    np.testing.assert_allclose(np.asarray(act(x)), np.where(x > 0, x, 0.01 * x), rtol=1e-6)
    drop = L.Dropout(0.5, seed=3)
    assert (np.asarray(drop(np.ones((64, 8), "float32"), training=True)) == 0).any()
    drop.rate = 0.0
    np.testing.assert_array_equal(np.asarray(drop(np.ones((64, 8), "float32"), training=True)), 1.0)
    # In a model and called on its own in training mode: its own network for the draws is made anew too.
    inside = L.Dropout(0.5, seed=3)
    keras.Sequential([keras.Input((8,)), inside])
    assert (np.asarray(inside(np.ones((64, 8), "float32"), training=True)) == 0).any()
    inside.rate = 0.0
    np.testing.assert_array_equal(np.asarray(inside(np.ones((64, 8), "float32"), training=True)), 1.0)
