"""Model utilities: ``get_config``/``from_config`` and ``to_json``/``keras.models.model_from_json`` in Keras 3's
layout (round trips, and JSON that Keras 3.15.1 wrote), ``keras.models.clone_model``, ``model(x, training=True)``
(Dropout and BatchNormalization in training mode, against Keras-run goldens and NumPy, on both devices),
``keras.backend.clear_session`` and ``keras.utils.set_random_seed``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES, assert_same_values
from keras_lite import layers

# Written by Keras 3.15.1 (KERAS_BACKEND=tensorflow): model.to_json() of the models in the test below, the
# Sequential one compiled with Adam(0.01), categorical_crossentropy and metrics=["accuracy"].
KERAS_SEQUENTIAL_JSON = (
    '{"module": "keras", "class_name": "Sequential", "config": {"name": "keras_seq", "trainable": true, "'
    'dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_'
    'name": null}, "layers": [{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_sh'
    'ape": [null, 3], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_layer", "optio'
    'nal": false}, "registered_name": null}, {"module": "keras.layers", "class_name": "Dense", "config": '
    '{"name": "hidden", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "con'
    'fig": {"name": "float32"}, "registered_name": null}, "units": 4, "activation": "relu", "use_bias": t'
    'rue, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config":'
    ' {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}, "bias_initialize'
    'r": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, '
    '"kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": '
    'null, "quantization_config": null}, "registered_name": null, "build_config": {"input_shape": [null, '
    '3]}}, {"module": "keras.layers", "class_name": "BatchNormalization", "config": {"name": "bn", "train'
    'able": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}'
    ', "registered_name": null}, "axis": -1, "momentum": 0.9, "epsilon": 0.001, "center": true, "scale": '
    'true, "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "reg'
    'istered_name": null}, "gamma_initializer": {"module": "keras.initializers", "class_name": "Ones", "c'
    'onfig": {}, "registered_name": null}, "moving_mean_initializer": {"module": "keras.initializers", "c'
    'lass_name": "Zeros", "config": {}, "registered_name": null}, "moving_variance_initializer": {"module'
    '": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null}, "beta_regular'
    'izer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null, "synchron'
    'ized": false, "renorm": false, "renorm_clipping": null, "renorm_momentum": 0.99}, "registered_name":'
    ' null, "build_config": {"input_shape": [null, 4]}}, {"module": "keras.layers", "class_name": "Dropou'
    't", "config": {"name": "drop", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypeP'
    'olicy", "config": {"name": "float32"}, "registered_name": null}, "rate": 0.25, "seed": null, "noise_'
    'shape": null}, "registered_name": null}, {"module": "keras.layers", "class_name": "Dense", "config":'
    ' {"name": "out", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "confi'
    'g": {"name": "float32"}, "registered_name": null}, "units": 2, "activation": "softmax", "use_bias": '
    'true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config"'
    ': {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}, "bias_initializ'
    'er": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},'
    ' "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint":'
    ' null, "quantization_config": null}, "registered_name": null, "build_config": {"input_shape": [null,'
    ' 4]}}], "build_input_shape": [null, 3]}, "registered_name": null, "build_config": {"input_shape": [n'
    'ull, 3]}, "compile_config": {"optimizer": {"module": "keras.optimizers", "class_name": "Adam", "conf'
    'ig": {"name": "adam", "learning_rate": 0.009999999776482582, "weight_decay": null, "clipnorm": null,'
    ' "global_clipnorm": null, "clipvalue": null, "use_ema": false, "ema_momentum": 0.99, "ema_overwrite_'
    'frequency": null, "loss_scale_factor": null, "gradient_accumulation_steps": null, "beta_1": 0.9, "be'
    'ta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}, "registered_name": null}, "loss": "categorical_cr'
    'ossentropy", "loss_weights": null, "metrics": ["accuracy"], "weighted_metrics": null, "run_eagerly":'
    ' false, "steps_per_execution": 1, "jit_compile": false}}'
)

KERAS_FUNCTIONAL_JSON = (
    '{"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "keras_func'
    '", "trainable": true, "layers": [{"module": "keras.layers", "class_name": "InputLayer", "config": {"'
    'batch_shape": [null, 2], "dtype": "float32", "sparse": false, "ragged": false, "name": "a", "optiona'
    'l": false}, "registered_name": null, "name": "a", "inbound_nodes": []}, {"module": "keras.layers", "'
    'class_name": "InputLayer", "config": {"batch_shape": [null, 3], "dtype": "float32", "sparse": false,'
    ' "ragged": false, "name": "b", "optional": false}, "registered_name": null, "name": "b", "inbound_no'
    'des": []}, {"module": "keras.layers", "class_name": "Concatenate", "config": {"name": "cat", "traina'
    'ble": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},'
    ' "registered_name": null}, "axis": -1}, "registered_name": null, "build_config": {"input_shape": [[n'
    'ull, 2], [null, 3]]}, "name": "cat", "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__",'
    ' "config": {"shape": [null, 2], "dtype": "float32", "keras_history": ["a", 0, 0]}}, {"class_name": "'
    '__keras_tensor__", "config": {"shape": [null, 3], "dtype": "float32", "keras_history": ["b", 0, 0]}}'
    ']], "kwargs": {}}]}, {"module": "keras.layers", "class_name": "Dense", "config": {"name": "mid", "tr'
    'ainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float3'
    '2"}, "registered_name": null}, "units": 3, "activation": "tanh", "use_bias": true, "kernel_initializ'
    'er": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input'
    '_axes": null, "output_axes": null}, "registered_name": null}, "bias_initializer": {"module": "keras.'
    'initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": '
    'null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "quantization_co'
    'nfig": null}, "registered_name": null, "build_config": {"input_shape": [null, 5]}, "name": "mid", "i'
    'nbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 5], "dtype":'
    ' "float32", "keras_history": ["cat", 0, 0]}}], "kwargs": {}}]}, {"module": "keras.layers", "class_na'
    'me": "Dense", "config": {"name": "skip", "trainable": true, "dtype": {"module": "keras", "class_name'
    '": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "units": 3, "activation":'
    ' "linear", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "G'
    'lorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name":'
    ' null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "r'
    'egistered_name": null}, "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": n'
    'ull, "bias_constraint": null, "quantization_config": null}, "registered_name": null, "build_config":'
    ' {"input_shape": [null, 3]}, "name": "skip", "inbound_nodes": [{"args": [{"class_name": "__keras_ten'
    'sor__", "config": {"shape": [null, 3], "dtype": "float32", "keras_history": ["b", 0, 0]}}], "kwargs"'
    ': {}}]}, {"module": "keras.layers", "class_name": "Add", "config": {"name": "sum", "trainable": true'
    ', "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "register'
    'ed_name": null}}, "registered_name": null, "build_config": {"input_shape": [[null, 3], [null, 3]]}, '
    '"name": "sum", "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__", "config": {"shape": ['
    'null, 3], "dtype": "float32", "keras_history": ["mid", 0, 0]}}, {"class_name": "__keras_tensor__", "'
    'config": {"shape": [null, 3], "dtype": "float32", "keras_history": ["skip", 0, 0]}}]], "kwargs": {}}'
    ']}], "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": ["sum", 0, 0]}, "registered_name":'
    ' "Functional", "build_config": {"input_shape": null}, "compile_config": {}}'
)


def summary_text(model: Any) -> str:
    out: list[str] = []
    model.summary(print_fn=out.append)
    return "\n".join(out)


def sequential() -> Any:
    return keras.Sequential(
        [
            keras.Input(shape=(3,)),
            layers.Dense(4, activation="relu", name="hidden"),
            layers.BatchNormalization(momentum=0.9, name="bn"),
            layers.Dropout(0.25, name="drop"),
            layers.Dense(2, activation="softmax", name="out"),
        ],
        name="seq",
    )


def functional() -> Any:
    a = keras.Input(shape=(2,), name="a")
    b = keras.Input(shape=(3,), name="b")
    h = layers.Dense(3, activation="tanh", name="mid")(layers.Concatenate(name="cat")([a, b]))
    out = layers.Add(name="sum")([h, layers.Dense(3, name="skip")(b)])
    return keras.Model([a, b], out, name="func")


def assert_same_architecture_fresh_weights(new: Any, old: Any) -> None:
    assert type(new) is type(old) and new is not old
    assert summary_text(new) == summary_text(old)
    assert [w.shape for w in new.get_weights()] == [w.shape for w in old.get_weights()]
    kernels = [(a, b) for a, b in zip(new.get_weights(), old.get_weights()) if a.ndim == 2]
    assert kernels and all(not np.array_equal(a, b) for a, b in kernels)


@pytest.mark.parametrize("make", [sequential, functional])
def test_get_config_from_config_round_trip(make: Any) -> None:
    model = make()
    config = model.get_config()
    assert config["name"] == model.name and isinstance(config["layers"], list)
    json.dumps(config)  # plain data
    assert_same_architecture_fresh_weights(type(model).from_config(config), model)
    assert_same_architecture_fresh_weights(keras.Model.from_config(config), model)


def test_config_layout_is_keras_3s() -> None:
    seq = sequential().get_config()
    assert [item["class_name"] for item in seq["layers"]] == [
        "InputLayer", "Dense", "BatchNormalization", "Dropout", "Dense"
    ]  # fmt: skip
    assert seq["layers"][1]["config"]["units"] == 4
    func = functional().get_config()
    assert func["input_layers"] == [["a", 0, 0], ["b", 0, 0]] and func["output_layers"] == ["sum", 0, 0]
    cat = next(item for item in func["layers"] if item["name"] == "cat")
    history = [arg["config"]["keras_history"] for arg in cat["inbound_nodes"][0]["args"][0]]
    assert history == [["a", 0, 0], ["b", 0, 0]]


def test_from_config_refuses_the_other_kind() -> None:
    with pytest.raises(ValueError, match="Functional"):
        keras.Sequential.from_config(functional().get_config())
    with pytest.raises(ValueError, match="input_layers"):
        keras.Model._functional.from_config(sequential().get_config())
    with pytest.raises(TypeError, match="config"):
        keras.Model.from_config("not a config")


@pytest.mark.parametrize("make", [sequential, functional])
def test_to_json_model_from_json_round_trip(make: Any) -> None:
    model = make()
    text = model.to_json()
    tree = json.loads(text)
    assert set(tree) >= {"module", "class_name", "config", "registered_name"}
    assert tree["class_name"] == ("Sequential" if make is sequential else "Functional")
    assert_same_architecture_fresh_weights(keras.models.model_from_json(text), model)
    assert json.loads(model.to_json(indent=2)) == tree


def test_model_from_json_reads_keras_written_json() -> None:
    seq = keras.models.model_from_json(KERAS_SEQUENTIAL_JSON)
    assert isinstance(seq, keras.Sequential) and seq.name == "keras_seq"
    assert [layer.name for layer in seq.layers] == ["hidden", "bn", "drop", "out"]
    assert seq.layers[1].momentum == pytest.approx(0.9) and seq.layers[2].rate == 0.25
    assert seq.count_params() == 16 + 16 + 10 and seq.output_shape == (None, 2)
    assert seq.compiled and type(seq.optimizer) is keras.optimizers.Adam  # as Keras's model_from_json does
    assert float(seq.optimizer.learning_rate) == pytest.approx(0.01)
    history = seq.fit(np.ones((4, 3)), np.eye(2)[[0, 1, 0, 1]], epochs=1, verbose=0).history
    assert set(history) == {"loss", "accuracy"}
    func = keras.models.model_from_json(KERAS_FUNCTIONAL_JSON)
    assert func.name == "keras_func" and [t.name for t in func.inputs] == ["a", "b"]
    assert [layer.name for layer in func.layers] == ["a", "b", "cat", "mid", "skip", "sum"]
    y = func.predict([np.ones((2, 2), np.float32), np.ones((2, 3), np.float32)], verbose=0)
    assert y.shape == (2, 3)


@pytest.mark.parametrize("make", [sequential, functional])
def test_a_compiled_model_round_trips_compiled(make: Any) -> None:
    model = make()
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.5), loss="mse", metrics=["mae"])
    assert json.loads(model.to_json())["compile_config"]["loss"] == "mse"
    assert json.loads(make().to_json())["compile_config"] == {}
    for new in (keras.models.model_from_json(model.to_json()), keras.models.clone_model(model)):
        assert (
            new.compiled
            and type(new.optimizer) is keras.optimizers.SGD
            and new.optimizer is not model.optimizer
        )
        assert float(new.optimizer.learning_rate) == pytest.approx(0.05) and new.optimizer.momentum == 0.5
    assert not keras.Model.from_config(model.get_config()).compiled  # a config has no compile_config


def test_model_from_json_refuses_what_is_not_a_model() -> None:
    with pytest.raises(ValueError, match="JSON"):
        keras.models.model_from_json("{not json")
    with pytest.raises(ValueError, match="class_name"):
        keras.models.model_from_json('{"class_name": "Dense", "config": {}}')
    with pytest.raises(TypeError, match="custom_objects"):
        keras.models.model_from_json(sequential().to_json(), custom_objects=[("X", object)])


@pytest.mark.parametrize("make", [sequential, functional])
def test_clone_model_has_new_weights_of_the_same_shapes(make: Any) -> None:
    model = make()
    clone = keras.models.clone_model(model)
    assert clone.name == model.name and [x.name for x in clone.layers] == [x.name for x in model.layers]
    assert_same_architecture_fresh_weights(clone, model)
    clone.set_weights(model.get_weights())  # independent models: the original is unchanged by the clone's fit
    before = [w.copy() for w in model.get_weights()]
    clone.compile(optimizer="sgd", loss="mse")
    x = [np.ones((4, 2), np.float32), np.ones((4, 3), np.float32)] if make is functional else np.ones((4, 3))
    clone.fit(x, np.zeros((4, model.output_shape[-1]), np.float32), epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))
    assert not all(np.array_equal(a, b) for a, b in zip(clone.get_weights(), before))


def test_clone_model_refuses_what_it_does_not_support() -> None:
    with pytest.raises(keras.NotSupportedError, match="clone_function"):
        keras.models.clone_model(sequential(), clone_function=lambda layer: layer)
    with pytest.raises(keras.NotSupportedError, match="input_tensors"):
        keras.models.clone_model(sequential(), input_tensors=[keras.Input(shape=(3,))])
    with pytest.raises(ValueError, match="model"):
        keras.models.clone_model(layers.Dense(2))


def test_clone_of_a_frozen_model_is_trainable_itself_when_functional() -> None:
    # Keras 3.15.1: the clone of a frozen Functional model is a new Functional, trainable (its layers frozen,
    # so 0 trainable weights, then 2 once its Dense is unfrozen, and fit changes them); a Sequential's clone
    # keeps trainable=False (0 and 0).
    inp = keras.Input((3,))
    functional = keras.Model(inp, layers.Dense(2)(inp))
    seq = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    for model, trainable, after in ((functional, True, 2), (seq, False, 0)):
        model.trainable = False
        clone = keras.models.clone_model(model)
        assert (clone.trainable, len(clone.trainable_weights)) == (trainable, 0)
        clone.layers[-1].trainable = True
        assert len(clone.trainable_weights) == after
    clone = keras.models.clone_model(functional)
    clone.layers[-1].trainable = True
    clone.compile("sgd", "mse")
    before = clone.get_weights()
    clone.fit(np.ones((8, 3)), np.zeros((8, 2)), verbose=0)
    assert not np.array_equal(clone.get_weights()[0], before[0])


# ---- model(x, training=True) --------------------------------------------------------------------------------
X_BN = np.array([[1, 2, 3], [0, -1, 5], [2, 0.5, -1], [4, 1, 0]], np.float32)
BN_WEIGHTS = [[1.5, 0.5, 2.0], [0.1, -0.2, 0.3], [0.5, -1.0, 2.0], [2.0, 0.5, 1.0]]
# Keras 3.15.1: BatchNormalization(momentum=0.8, epsilon=0.01) with BN_WEIGHTS, called on X_BN with
# training=True (outputs, then the weights after the call), then with training=False.
KERAS_BN_TRAINING = [
    [-0.658906102180481, 0.43239277601242065, 1.3473644256591797],
    [-1.6707810163497925, -0.9473732709884644, 3.0231473445892334],
    [0.35296881198883057, -0.25749024748802185, -2.004201650619507],
    [2.376718521118164, -0.027529239654541016, -1.1663100719451904],
]
KERAS_BN_AFTER = [[1.5, 0.5, 2.0], [0.1, -0.2, 0.3], [0.75, -0.675, 1.95], [2.0374999, 0.634375, 1.9375]]
KERAS_BN_INFERENCE = [
    [0.3620712161064148, 1.4661897420883179, 1.8048059940338135],
    [-0.6862135529518127, -0.4024342894554138, 4.671103477478027],
    [1.410356044769287, 0.5318777561187744, -3.927788734436035],
    [3.506925582885742, 0.843315064907074, -2.4946401119232178],
]


def bn_model(device: str, **kwargs: Any) -> Any:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.BatchNormalization(momentum=0.8, epsilon=0.01)])
    model.set_weights([np.array(w, np.float32) for w in BN_WEIGHTS])
    return model.to(device)


@pytest.mark.parametrize("device", DEVICES)
def test_batch_normalization_in_training_mode_matches_keras(device: str) -> None:
    model = bn_model(device)
    inference_before = np.asarray(model(X_BN))
    np.testing.assert_allclose(
        np.asarray(model(X_BN, training=True)), KERAS_BN_TRAINING, rtol=1e-5, atol=1e-6
    )
    for got, want in zip(model.get_weights(), KERAS_BN_AFTER):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    np.testing.assert_allclose(
        np.asarray(model(X_BN, training=False)), KERAS_BN_INFERENCE, rtol=1e-5, atol=1e-6
    )
    assert not np.allclose(inference_before, KERAS_BN_INFERENCE)  # the moving statistics did change
    np.testing.assert_allclose(model.predict(X_BN, verbose=0), KERAS_BN_INFERENCE, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_batch_normalization_in_training_mode_matches_numpy(device: str) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(2.0, 3.0, (64, 5)).astype(np.float32)
    model = keras.Sequential([keras.Input(shape=(5,)), layers.BatchNormalization(momentum=0.7)]).to(device)
    gamma, beta = rng.uniform(0.5, 2, 5).astype(np.float32), rng.normal(size=5).astype(np.float32)
    mm, mv = rng.normal(size=5).astype(np.float32), rng.uniform(0.5, 2, 5).astype(np.float32)
    model.set_weights([gamma, beta, mm, mv])
    for _ in range(2):
        mean, var = x.mean(0), x.var(0)  # Keras normalizes by the biased batch variance
        want = gamma * (x - mean) / np.sqrt(var + 1e-3) + beta
        np.testing.assert_allclose(np.asarray(model(x, training=True)), want, rtol=1e-4, atol=1e-5)
        mm, mv = mm * 0.7 + mean * 0.3, mv * 0.7 + var * 0.3
        np.testing.assert_allclose(model.get_weights()[2], mm, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(model.get_weights()[3], mv, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_frozen_batch_normalization_stays_in_inference_mode(device: str) -> None:
    model = bn_model(device)
    model.layers[0].trainable = False
    inference = np.asarray(model(X_BN))  # on the model's device; training=True runs on the CPU core
    assert_same_values(device, np.asarray(model(X_BN, training=True)), inference)
    np.testing.assert_array_equal(model.get_weights()[2], np.array(BN_WEIGHTS[2], np.float32))


@pytest.mark.parametrize("device", DEVICES)
def test_dropout_in_training_mode_drops_about_half_and_scales_by_two(device: str) -> None:
    model = keras.Sequential([keras.Input(shape=(200,)), layers.Dropout(0.5, seed=1)]).to(device)
    x = np.random.default_rng(0).uniform(1, 2, (50, 200)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(model(x, training=False)), x)
    np.testing.assert_array_equal(np.asarray(model(x)), x)
    y = np.asarray(model(x, training=True))
    kept = y != 0
    assert 0.45 < kept.mean() < 0.55
    np.testing.assert_allclose(y[kept], 2 * x[kept], rtol=1e-6)
    y2 = np.asarray(model(x, training=True))
    assert not np.array_equal(y2 != 0, kept)  # a new mask each call


@pytest.mark.parametrize("device", DEVICES)
def test_training_call_of_a_functional_model_and_no_training_layers(device: str) -> None:
    model = functional().to(device)
    x = [np.ones((3, 2), np.float32), np.linspace(0, 1, 9, dtype=np.float32).reshape(3, 3)]
    np.testing.assert_allclose(np.asarray(model(x, training=True)), model.predict(x, verbose=0), rtol=1e-5)
    weights = model.get_weights()
    model(x, training=True)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), weights))


def test_training_call_refuses_a_wrong_width() -> None:
    model = sequential()
    with pytest.raises(ValueError, match="inputs"):
        model(np.zeros((2, 5), np.float32), training=True)


# ---- global state -------------------------------------------------------------------------------------------
def test_backend_clear_session_restarts_names_and_keeps_models_working() -> None:
    model = sequential()
    layers.Dense(1)
    keras.backend.clear_session()
    assert layers.Dense(1).name == "dense"
    assert model.predict(np.ones((1, 3)), verbose=0).shape == (1, 2)
    with pytest.raises(keras.NotSupportedError, match="standardize_dtype"):
        keras.backend.standardize_dtype("float32")


def test_set_random_seed_reproduces_weights_and_refuses_non_integers() -> None:
    keras.utils.set_random_seed(7)
    first = sequential().get_weights()
    keras.utils.set_random_seed(7)
    again = sequential().get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    keras.utils.set_random_seed(8)
    assert not np.array_equal(sequential().get_weights()[0], first[0])
    # Keras 3.15.1's messages.
    with pytest.raises(
        ValueError, match=r"Expected `seed` argument to be an integer. Received: seed=1.0 \(of"
    ):
        keras.utils.set_random_seed(1.0)
    with pytest.raises(ValueError, match=r"Seed must be between 0 and 2\*\*32 - 1"):
        keras.utils.set_random_seed(-1)
    with pytest.raises(ValueError, match="Seed must be between"):
        keras.utils.set_random_seed(2**32)


def test_to_categorical_reads_numbers_given_as_strings() -> None:
    # Keras 3.15.1: to_categorical(["1", "0"]) -> [[0, 1], [1, 0]] (it casts with np.array(x, dtype="int64")),
    # also from an object array; ["a"] is a ValueError.
    np.testing.assert_array_equal(keras.utils.to_categorical(["1", "0"]), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(
        keras.utils.to_categorical(np.array(["2", "0"], dtype=object)), [[0, 0, 1], [1, 0, 0]]
    )
    with pytest.raises(ValueError):
        keras.utils.to_categorical(["a"])
