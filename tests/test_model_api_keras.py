"""The model and layer object API as Keras 3.15.1 has it, where a differential sweep found keras_lite apart:
``pop(rebuild=False)``, ``trainable`` values, ``get_layer`` indexes, ``get_compile_config`` values. Expected
values and messages are Keras 3.15.1's (TensorFlow backend) for the same calls."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers


def test_pop_never_runs_the_removed_layer_whatever_rebuild_says() -> None:
    for rebuild in (True, False):
        model = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.Dense(4)])
        kernel = model.layers[0].get_weights()[0].copy()
        model.pop(rebuild=rebuild)
        assert [layer.name for layer in model.layers] == [model.layers[0].name]
        assert model.output_shape == (None, 2) and model.count_params() == 8
        assert model(np.ones((1, 3), np.float32)).shape == (1, 2)
        np.testing.assert_array_equal(model.layers[0].get_weights()[0], kernel)  # the rest keep their weights


@pytest.mark.parametrize("value", ["no", 1, None, 0.0])
def test_trainable_must_be_a_boolean(value: object) -> None:
    message = rf"Expected `trainable` to be a boolean. Received: trainable={value} \(of type"
    with pytest.raises(ValueError, match=message):
        layers.Dense(2, trainable=value)
    with pytest.raises(ValueError, match=message):
        keras.Sequential([layers.Dense(2)], trainable=value)
    layer, model = layers.Dense(2), keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    for obj in (layer, model):
        with pytest.raises(ValueError, match=message):
            obj.trainable = value
        obj.trainable = np.bool_(False)  # NumPy's booleans are booleans
        assert obj.trainable is False


def test_get_layer_out_of_range_raises_as_keras_does() -> None:
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.Dense(1)])
    with pytest.raises(IndexError):  # Keras indexes its list
        model.get_layer(index=-3)
    with pytest.raises(ValueError, match="only has 2 layers"):
        model.get_layer(index=2)
    assert model.get_layer(index=-2) is model.layers[0]


def test_compile_config_holds_values_as_keras_does() -> None:
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    config = model.get_compile_config()
    assert config["metrics"] is None  # none given
    rate = config["optimizer"]["config"]["learning_rate"]
    assert type(rate) is float and rate == 0.0010000000474974513
    assert json.loads(model.to_json())["compile_config"]["metrics"] is None
    model.compile(optimizer="adam", loss="mse", metrics=[])
    assert model.get_compile_config()["metrics"] == []


def test_keras_configs_with_input_shape_inside_elu_and_identity_load() -> None:
    # Keras 3.15.1's to_json() of Sequential([ELU(input_shape=(3,)), Identity(input_dim=3), Dense(1)]): it
    # writes those arguments into the two layers' configs as well as into its InputLayer.
    with open(os.path.join(os.path.dirname(__file__), "fixtures", "keras_leaked_input_shape.json")) as f:
        model = keras.models.model_from_json(f.read())
    assert [layer.name for layer in model.layers] == ["elu", "identity", "dense"]
    assert model.input_shape == (None, 3) and model.output_shape == (None, 1)


def _trained() -> keras.Sequential:
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, kernel_initializer="ones")])
    model.compile("adam", "mse")
    model.fit(np.ones((8, 3), np.float32), np.zeros((8, 1), np.float32), batch_size=8, verbose=0)
    return model


def test_an_optimizer_assigned_to_a_compiled_model_is_the_one_fit_uses_and_files_hold(tmp_path: Path) -> None:
    model, sgd = _trained(), keras.optimizers.SGD(0.1)
    model.optimizer = sgd
    before, prediction = model.get_weights()[0].copy(), float(model.predict(np.ones((1, 3)), verbose=0)[0, 0])
    model.fit(np.ones((8, 3), np.float32), np.zeros((8, 1), np.float32), batch_size=8, verbose=0)
    # One SGD step on the squared error of that prediction (x = 1, target 0): lr * 2 * prediction.
    np.testing.assert_allclose(model.get_weights()[0] - before, -0.1 * 2 * prediction, rtol=1e-5)
    assert model.optimizer is sgd and int(sgd.iterations) == 1
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert type(loaded.optimizer) is keras.optimizers.SGD and int(loaded.optimizer.iterations) == 1


def test_an_assigned_loss_changes_nothing_as_in_keras(tmp_path: Path) -> None:
    model = _trained()
    model.loss = "mae"  # Keras keeps training and saving the compiled loss
    history = model.fit(np.ones((8, 3), np.float32), np.zeros((8, 1), np.float32), batch_size=8, verbose=0)
    assert history.history["loss"][0] > 8  # the squared error of predictions near 3, not the absolute one
    assert model.get_compile_config()["loss"] == "mse" and model.loss == "mae"


def test_the_optimizer_cannot_be_replaced_nor_the_state_set_while_fit_runs() -> None:
    model, copy = _trained(), _trained()
    seen: list[str] = []

    def swap(batch: int, logs: Any) -> None:
        for change in (
            lambda: setattr(model, "optimizer", keras.optimizers.SGD()),
            lambda: model.__setstate__(copy.__getstate__()),
        ):
            try:
                change()
            except RuntimeError as e:
                seen.append(str(e))

    hook = keras.callbacks.LambdaCallback(on_train_batch_end=swap)
    model.fit(
        np.ones((8, 3), np.float32), np.zeros((8, 1), np.float32), batch_size=8, verbose=0, callbacks=[hook]
    )
    assert len(seen) == 2 and all("while model" in s and "is training" in s for s in seen)
    assert type(model.optimizer) is keras.optimizers.Adam and int(model.optimizer.iterations) == 2


def test_a_functional_models_input_layers_are_built_with_no_parameters() -> None:
    x = keras.Input((3,), name="x")
    model = keras.Model(x, layers.Dense(2)(x))
    inputs = model.layers[0]
    assert inputs.built and inputs.count_params() == 0
    assert sum(layer.count_params() for layer in model.layers) == model.count_params() == 8
    # Keras 3.15.1's InputLayer config, which makes the layer back.
    assert inputs.get_config() == {
        "batch_shape": (None, 3),
        "dtype": "float32",
        "sparse": False,
        "ragged": False,
        "name": "x",
        "optional": False,
    }
    assert keras.layers.InputLayer.from_config(inputs.get_config()).shape == (3,)
    model.trainable = False
    assert [layer.trainable for layer in model.layers] == [False, False]


def test_a_fixed_batch_size_is_named_in_a_warning() -> None:
    with pytest.warns(UserWarning, match="stays None. Received: batch_size=8"):
        x = keras.Input((3,), batch_size=8)
    assert keras.Model(x, layers.Dense(2)(x)).input_shape == (None, 3)


def test_a_sequential_of_only_an_input_keeps_it_in_its_config() -> None:
    model = keras.Sequential([keras.Input((3,), name="inp")])
    config = model.get_config()
    assert [entry["class_name"] for entry in config["layers"]] == ["InputLayer"]  # as Keras 3.15.1 writes it
    for copy in (keras.Sequential.from_config(config), keras.models.model_from_json(model.to_json())):
        assert not copy.built
        copy.add(layers.Dense(2))
        assert copy.input_shape == (None, 3)


def test_batch_normalization_config_has_keras_keys_and_makes_the_layer_back() -> None:
    # Keras 3.15.1's BatchNormalization().get_config() keys.
    keys = (
        "name trainable dtype axis momentum epsilon center scale beta_initializer gamma_initializer "
        "moving_mean_initializer moving_variance_initializer beta_regularizer gamma_regularizer beta_constraint "
        "gamma_constraint synchronized renorm renorm_clipping renorm_momentum"
    ).split()
    config = layers.BatchNormalization().get_config()
    assert sorted(config) == sorted(keys)
    assert layers.BatchNormalization.from_config(config).get_config() == config
    assert layers.BatchNormalization(synchronized=True).get_config()["synchronized"] is True  # kept, as Keras
