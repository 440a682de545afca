"""Layers called on their own as Keras 3.15.1 calls them: `training=True` runs the training pass for the layers
that train otherwise (Dropout and the noise layers draw anew each call, BatchNormalization uses the batch's
statistics and moves its own, with the momentum's complement from the value as given) and changes nothing for
the others; and a layer's `from_config` takes the config Keras's own layer gives (its dtype policy, Dense's
`quantization_config`, BatchNormalization's `renorm` keys). Goldens: Keras 3.15.1 on TensorFlow 2.21 (CPU)."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

POLICY = {
    "module": "keras",
    "class_name": "DTypePolicy",
    "config": {"name": "float32"},
    "registered_name": None,
}


def test_dropout_and_noise_draw_anew_in_training_and_pass_through_otherwise() -> None:
    x = np.ones((64, 8), np.float32)
    dropout = layers.Dropout(0.5, seed=3)
    first, second = dropout(x, training=True), dropout(x, training=True)
    assert set(np.unique(first)) <= {0.0, 2.0} and 0.3 < (first == 0).mean() < 0.7  # kept values scaled by 2
    assert (first != second).any()  # the layer's generator moves on, as Keras's SeedGenerator does
    np.testing.assert_array_equal(dropout(x), x)
    np.testing.assert_array_equal(dropout(x, training=False), x)
    np.testing.assert_array_equal(layers.Dropout(0.0)(x, training=True), x)  # Keras: x
    noisy = layers.GaussianNoise(0.5, seed=1)(np.zeros((4000, 1), np.float32), training=True)
    assert abs(float(noisy.std()) - 0.5) < 0.03 and noisy.shape == (4000, 1)
    dropped = layers.GaussianDropout(0.2, seed=1)(np.ones((4000, 1), np.float32), training=True)
    assert (
        abs(float(dropped.mean()) - 1.0) < 0.03 and abs(float(dropped.std()) - 0.5) < 0.03
    )  # √(rate/(1-rate))


def test_batch_normalization_on_its_own_trains_as_keras() -> None:
    bn = layers.BatchNormalization()
    y = bn(np.array([[1.0, 2.0], [3.0, 6.0]], np.float32), training=True)
    np.testing.assert_allclose(y, [[-0.9995004, -0.99987507], [0.9995005, 0.99987507]], rtol=2e-7)
    # Keras 3.15.1's moving statistics after each call, to the bit: m·0.99 + μ·(1.0 − 0.99), the complement
    # taken from the Python float (0.01, where 1 − float32(0.99) would be 0.0099999905).
    assert bn.moving_mean.numpy().tolist() == [0.019999999552965164, 0.03999999910593033]
    assert bn.moving_variance.numpy().tolist() == [1.0, 1.0299999713897705]
    bn(np.array([[0.0, 2.0], [4.0, 2.0]], np.float32), training=True)
    assert bn.moving_mean.numpy().tolist() == [0.039799999445676804, 0.05959999933838844]
    assert bn.moving_variance.numpy().tolist() == [1.0299999713897705, 1.0196999311447144]


@pytest.mark.parametrize("device", DEVICES)
def test_fit_moves_batch_normalization_s_statistics_as_keras(device: str) -> None:
    model = keras.Sequential([keras.Input((2,)), layers.BatchNormalization()])
    model.to(device)
    model.compile(optimizer="sgd", loss="mse")
    x = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
    model.fit(x, np.zeros((2, 2), np.float32), batch_size=2, epochs=1, verbose=0)
    assert model.layers[0].moving_mean.numpy().tolist() == [0.019999999552965164, 0.03999999910593033]
    assert model.layers[0].moving_variance.numpy().tolist() == [1.0, 1.0299999713897705]


def test_training_changes_nothing_for_layers_that_do_not_train_otherwise() -> None:
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    for layer in (
        layers.Dense(2),
        layers.ReLU(max_value=2.0),
        layers.Rescaling(0.5),
        layers.LayerNormalization(),
    ):
        np.testing.assert_array_equal(layer(x, training=True), layer(x))
    tensor = layers.Dense(1)(keras.Input((3,)), training=True)
    assert tensor.shape == (None, 1)


def test_what_training_mode_cannot_do_here_is_refused_clearly() -> None:
    with pytest.raises(keras.NotSupportedError, match="training=True in a call on tensors"):
        layers.Dropout(0.5)(keras.Input((3,)), training=True)
    bn = layers.BatchNormalization()
    keras.Sequential([keras.Input((2,)), layers.Dense(2), bn])
    with pytest.raises(keras.NotSupportedError, match="on its own only while it is in no model"):
        bn(np.ones((2, 2), np.float32), training=True)
    in_model = layers.Dropout(0.5, seed=2)
    keras.Sequential([keras.Input((4,)), layers.Dense(4), in_model])
    assert set(np.unique(in_model(np.ones((8, 4), np.float32), training=True))) <= {0.0, 2.0}


def test_from_config_takes_the_config_keras_s_layer_gives() -> None:
    dense = {
        "name": "dense_1",
        "trainable": True,
        "dtype": POLICY,
        "units": 2,
        "activation": "linear",
        "use_bias": True,
        "kernel_initializer": {
            "module": "keras.initializers",
            "class_name": "GlorotUniform",
            "config": {"seed": None, "input_axes": None, "output_axes": None},
            "registered_name": None,
        },
        "bias_initializer": {
            "module": "keras.initializers",
            "class_name": "Zeros",
            "config": {},
            "registered_name": None,
        },
        "kernel_regularizer": None,
        "bias_regularizer": None,
        "kernel_constraint": None,
        "bias_constraint": None,
        "quantization_config": None,
    }
    assert layers.Dense.from_config(dense).units == 2
    norm = {
        "name": "batch_normalization_1",
        "trainable": True,
        "dtype": POLICY,
        "axis": -1,
        "momentum": 0.99,
        "epsilon": 0.001,
        "center": True,
        "scale": True,
        "synchronized": False,
        "renorm": False,
        "renorm_clipping": None,
        "renorm_momentum": 0.99,
    }
    assert layers.BatchNormalization.from_config(norm).momentum == 0.99
    assert (
        layers.Rescaling.from_config({"name": "r", "dtype": POLICY, "scale": 0.5, "offset": 0.0}).scale == 0.5
    )
    assert layers.Dropout.from_config({"name": "d", "dtype": POLICY, "rate": 0.5, "seed": None}).rate == 0.5
    with pytest.raises(keras.NotSupportedError, match="renorm"):
        layers.BatchNormalization.from_config({**norm, "renorm": True})
    with pytest.raises(keras.NotSupportedError, match="float32 only"):
        layers.Dense.from_config({**dense, "dtype": {**POLICY, "config": {"name": "mixed_float16"}}})


def test_layers_without_weights_are_built_as_keras_counts_them(capsys: pytest.CaptureFixture[str]) -> None:
    # Keras 3.15.1: built from the start (no weights, no build step), count_params() 0; Flatten and the merge
    # layers once called; layers with weights once built. summary() of a model not built yet counts their 0.
    for layer in (
        layers.Activation("relu"),
        layers.ReLU(),
        layers.Dropout(0.5),
        layers.Softmax(),
        layers.Reshape((-1,)),
    ):
        assert layer.built and layer.count_params() == 0
    flatten, add = layers.Flatten(), layers.Add()
    assert not flatten.built and not add.built
    flatten(np.ones((2, 3, 4)))
    add([np.ones((2, 3)), np.ones((2, 3))])
    assert flatten.built and flatten.count_params() == 0 and add.built and add.count_params() == 0
    dense = layers.Dense(2)
    assert not dense.built
    with pytest.raises(ValueError, match="isn't built"):
        dense.count_params()
    keras.Sequential([layers.Dropout(0.5, name="dr"), layers.Dense(2, name="d")], name="s").summary()
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("│")]
    assert rows[0].split("│")[1:4] == [
        " dr (Dropout)                    ",
        " ?                      ",
        "             0 ",
    ]
    assert rows[1].split("│")[3] == "   0 (unbuilt) "
