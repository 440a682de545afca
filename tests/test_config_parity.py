"""Layer and model configs exactly as Keras 3.15.1 writes them: every exported layer's ``get_config()`` (its
dtype as a serialized ``DTypePolicy``, Dense's ``quantization_config``), a Sequential's and a Functional
model's ``get_config()``, ``to_json()``, build and compile configs, and the ``config.json`` of a ``.keras``
file; reading keeps taking both dtype forms, and refuses what keras_lite cannot honour.

Every golden is what Keras 3.15.1 (TensorFlow 2.21 backend) printed for the same code.
"""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers

# Keras 3.15.1's serialized float32 dtype policy, and the default initializers, as its configs hold them.
POLICY = {
    "module": "keras",
    "class_name": "DTypePolicy",
    "config": {"name": "float32"},
    "registered_name": None,
}
GLOROT = {
    "module": "keras.initializers",
    "class_name": "GlorotUniform",
    "config": {"seed": None, "input_axes": None, "output_axes": None},
    "registered_name": None,
}
ZEROS = {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": None}
ONES = {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": None}
SHARED = "<shared>"  # stands for the shared_object_id Keras writes: an id() that differs from run to run

# How each layer is made, and what Keras 3.15.1 printed for `get_config()` of the same layer.
MAKERS: dict[str, Any] = {
    "Dense": lambda: layers.Dense(2, name="x"),
    "Activation": lambda: layers.Activation("relu", name="x"),
    "Dropout": lambda: layers.Dropout(0.5, name="x"),
    "GaussianDropout": lambda: layers.GaussianDropout(0.5, name="x"),
    "GaussianNoise": lambda: layers.GaussianNoise(0.5, name="x"),
    "BatchNormalization": lambda: layers.BatchNormalization(name="x"),
    "LayerNormalization": lambda: layers.LayerNormalization(name="x"),
    "ReLU": lambda: layers.ReLU(name="x"),
    "LeakyReLU": lambda: layers.LeakyReLU(name="x"),
    "ELU": lambda: layers.ELU(name="x"),
    "Softmax": lambda: layers.Softmax(name="x"),
    "Identity": lambda: layers.Identity(name="x"),
    "PReLU": lambda: layers.PReLU(name="x"),
    "Normalization": lambda: layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0], name="x"),
    "Discretization": lambda: layers.Discretization(bin_boundaries=[0.0, 1.0], name="x"),
    "CategoryEncoding": lambda: layers.CategoryEncoding(num_tokens=3, name="x"),
    "Rescaling": lambda: layers.Rescaling(2.0, name="x"),
    "Flatten": lambda: layers.Flatten(name="x"),
    "Reshape": lambda: layers.Reshape((4,), name="x"),
    "Add": lambda: layers.Add(name="x"),
    "Average": lambda: layers.Average(name="x"),
    "Maximum": lambda: layers.Maximum(name="x"),
    "Minimum": lambda: layers.Minimum(name="x"),
    "Multiply": lambda: layers.Multiply(name="x"),
    "Subtract": lambda: layers.Subtract(name="x"),
    "Concatenate": lambda: layers.Concatenate(name="x"),
    "InputLayer": lambda: layers.InputLayer(shape=(3,), name="x"),
}
BASE = {"name": "x", "trainable": True, "dtype": POLICY}
# fmt: off
KERAS_CONFIGS: dict[str, dict[str, Any]] = {
    "Dense": {**BASE, "units": 2, "activation": "linear", "use_bias": True, "kernel_initializer": GLOROT,
              "bias_initializer": ZEROS, "kernel_regularizer": None, "bias_regularizer": None,
              "kernel_constraint": None, "bias_constraint": None, "quantization_config": None},
    "Activation": {**BASE, "activation": "relu"},
    "Dropout": {**BASE, "rate": 0.5, "seed": None, "noise_shape": None},
    "GaussianDropout": {**BASE, "rate": 0.5, "seed": None},
    "GaussianNoise": {**BASE, "stddev": 0.5, "seed": None},
    "BatchNormalization": {**BASE, "axis": -1, "momentum": 0.99, "epsilon": 0.001, "center": True, "scale": True,
                           "beta_initializer": ZEROS, "gamma_initializer": ONES, "moving_mean_initializer": ZEROS,
                           "moving_variance_initializer": ONES, "beta_regularizer": None, "gamma_regularizer": None,
                           "beta_constraint": None, "gamma_constraint": None, "synchronized": False,
                           "renorm": False, "renorm_clipping": None, "renorm_momentum": 0.99},
    "LayerNormalization": {**BASE, "axis": -1, "epsilon": 0.001, "center": True, "scale": True,
                           "rms_scaling": False, "beta_initializer": ZEROS, "gamma_initializer": ONES,
                           "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None,
                           "gamma_constraint": None},
    "ReLU": {**BASE, "max_value": None, "negative_slope": 0.0, "threshold": 0.0},
    "LeakyReLU": {**BASE, "negative_slope": 0.3},
    "ELU": {"name": "x", "alpha": 1.0, "trainable": True, "dtype": POLICY},
    "Softmax": {**BASE, "axis": -1},
    "Identity": {**BASE},
    "PReLU": {**BASE, "alpha_initializer": ZEROS, "alpha_regularizer": None, "alpha_constraint": None,
              "shared_axes": None},
    "Normalization": {**BASE, "axis": (-1,), "invert": False, "mean": [1.0, 2.0], "variance": [1.0, 4.0]},
    "Discretization": {"bin_boundaries": [0.0, 1.0], "num_bins": None, "epsilon": 0.01, "output_mode": "int",
                       "sparse": False, "name": "x", "dtype": "float32"},
    "CategoryEncoding": {**BASE, "num_tokens": 3, "output_mode": "multi_hot"},
    "Rescaling": {**BASE, "scale": 2.0, "offset": 0.0},
    "Flatten": {**BASE, "data_format": "channels_last"},
    "Reshape": {**BASE, "target_shape": (4,)},
    "Add": {**BASE}, "Average": {**BASE}, "Maximum": {**BASE}, "Minimum": {**BASE}, "Multiply": {**BASE},
    "Subtract": {**BASE},
    "Concatenate": {**BASE, "axis": -1},
    "InputLayer": {"batch_shape": (None, 3), "dtype": "float32", "sparse": False, "ragged": False, "name": "x",
                   "optional": False},
}
# fmt: on


def exactly(got: Any, want: Any) -> None:
    """The same values, the same key order and the same containers (a tuple is not a list): their reprs."""
    assert repr(got) == repr(want)


def test_every_exported_layer_class_is_covered() -> None:
    exported = {
        name
        for name, v in vars(layers).items()
        if isinstance(v, type) and issubclass(v, layers.Layer) and v is not layers.Layer
    }
    assert exported == set(MAKERS)


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_layer_config_is_keras(name: str) -> None:
    layer = MAKERS[name]()
    exactly(layer.get_config(), KERAS_CONFIGS[name])
    # from_config reads it back to the same config (a layer of that name again).
    exactly(type(layer).from_config(layer.get_config()).get_config(), KERAS_CONFIGS[name])


@pytest.mark.parametrize(
    "name", ["Dense", "BatchNormalization", "PReLU", "Rescaling", "Normalization", "Flatten"]
)
def test_built_layer_config_keeps_keras_keys(name: str) -> None:
    layer = MAKERS[name]()
    layer.build((None, 2))
    config = layer.get_config()
    assert list(config) == list(KERAS_CONFIGS[name]) and config["dtype"] == POLICY
    # Keras 3.15.1: get_build_config() of a layer built on (None, 2)
    exactly(layer.get_build_config(), {"input_shape": (None, 2)})


@pytest.mark.parametrize(
    "name", ["Add", "Average", "Maximum", "Minimum", "Multiply", "Subtract", "Concatenate"]
)
def test_merge_layers_build_on_a_list_of_shapes(name: str) -> None:
    layer = MAKERS[name]()
    layer.build([(None, 4), (None, 4)])
    assert layer.built
    exactly(layer.get_config(), KERAS_CONFIGS[name])
    # Keras 3.15.1: get_build_config() after build([(None, 4), (None, 4)])
    exactly(layer.get_build_config(), {"input_shape": [(None, 4), (None, 4)]})
    out = layer([np.ones((2, 4), np.float32), np.ones((2, 4), np.float32)])
    assert np.asarray(out).shape == ((2, 8) if name == "Concatenate" else (2, 4))


def test_merge_layer_builds_refuse_as_keras() -> None:
    # Keras 3.15.1's ValueErrors for these builds
    with pytest.raises(
        ValueError, match=r"should be called on a list of inputs\. Received: input_shape=\(None, 4\)"
    ):
        layers.Add().build((None, 4))
    with pytest.raises(
        ValueError, match=r"Inputs have incompatible shapes\. Received shapes \(4,\) and \(3,\)"
    ):
        layers.Add().build([(None, 4), (None, 3)])
    with pytest.raises(ValueError, match="A `Subtract` layer should be called on exactly 2 inputs"):
        layers.Subtract().build([(None, 4)] * 3)
    with pytest.raises(ValueError, match=r"list of at least 1 input\. Received: input_shape=\(None, 4\)"):
        layers.Concatenate().build((None, 4))


def test_non_default_dense_config_is_keras() -> None:
    dense = layers.Dense(
        3,
        activation="relu",
        use_bias=False,
        kernel_initializer="he_normal",
        kernel_regularizer=keras.regularizers.L2(0.1),
        activity_regularizer="l2",
        bias_constraint=keras.constraints.MaxNorm(2.0),
        name="dd",
        trainable=False,
        dtype="float32",
    )
    # Keras 3.15.1: the activity regularizer comes right after the dtype, as every layer's base config has it
    exactly(
        list(dense.get_config()),
        ["name", "trainable", "dtype", "activity_regularizer", "units", "activation", "use_bias",
         "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "kernel_constraint",
         "bias_constraint", "quantization_config"],
    )  # fmt: skip
    config = dense.get_config()
    assert (
        config["dtype"] == POLICY and config["trainable"] is False and config["quantization_config"] is None
    )
    assert config["activity_regularizer"] == {
        "module": "keras.regularizers",
        "class_name": "L2",
        "config": {"l2": 0.01},
        "registered_name": None,
    }
    assert config["kernel_initializer"]["config"] == {"seed": None, "input_axes": None, "output_axes": None}
    exactly(layers.Dense.from_config(config).get_config(), config)


# ---- models ----------------------------------------------------------------------------------------------------
def sequential() -> keras.Sequential:
    return keras.Sequential(
        [
            keras.Input((3,), name="x"),
            layers.Dense(4, activation="relu", name="d1"),
            layers.Dropout(0.1, name="drop"),
            layers.Dense(1, name="d2"),
        ],
        name="s",
    )


def functional() -> keras.Model:
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    joined = layers.Concatenate(name="c")([layers.Dense(4, name="h")(a), b])
    return keras.Model([a, b], layers.Dense(1, name="o")(joined), name="f")


def dense_entry(name: str, units: int, activation: str, width: Any, dtype: Any = POLICY) -> dict[str, Any]:
    config = {
        **KERAS_CONFIGS["Dense"],
        "name": name,
        "dtype": dtype,
        "units": units,
        "activation": activation,
    }
    entry = {"module": "keras.layers", "class_name": "Dense", "config": config, "registered_name": None}
    return {**entry, "build_config": {"input_shape": width}}


def input_entry(name: str, shape: Any) -> dict[str, Any]:
    config = {**KERAS_CONFIGS["InputLayer"], "batch_shape": shape, "name": name}
    return {"module": "keras.layers", "class_name": "InputLayer", "config": config, "registered_name": None}


def dropout_entry(dtype: Any = POLICY) -> dict[str, Any]:
    config = {
        "name": "drop",
        "trainable": True,
        "dtype": dtype,
        "rate": 0.1,
        "seed": None,
        "noise_shape": None,
    }
    return {"module": "keras.layers", "class_name": "Dropout", "config": config, "registered_name": None}


def test_sequential_get_config_is_keras() -> None:
    # Keras 3.15.1's sequential().get_config(), in memory (tuples where its JSON has lists)
    want = {
        "name": "s",
        "trainable": True,
        "dtype": POLICY,
        "layers": [
            input_entry("x", (None, 3)),
            dense_entry("d1", 4, "relu", (None, 3)),
            dropout_entry(),
            dense_entry("d2", 1, "linear", (None, 4)),
        ],
        "build_input_shape": (None, 3),
    }
    exactly(sequential().get_config(), want)
    # Keras 3.15.1: get_build_config() of the Sequential and of the Functional model
    exactly(sequential().get_build_config(), {"input_shape": (None, 3)})
    exactly(functional().get_build_config(), {"input_shape": None})


def test_functional_get_config_is_keras() -> None:
    config = functional().get_config()

    def tensor(shape: tuple[Any, ...], source: str) -> dict[str, Any]:
        return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": "float32",
                                                              "keras_history": [source, 0, 0]}}  # fmt: skip

    # Keras 3.15.1's functional().get_config(): the Dense h and the Concatenate c as it holds them in memory
    exactly(
        config["layers"][1],
        {**dense_entry("h", 4, "linear", (None, 3)), "name": "h",
         "inbound_nodes": [{"args": (tensor((None, 3), "a"),), "kwargs": {}}]},
    )  # fmt: skip
    exactly(
        config["layers"][3],
        {"module": "keras.layers", "class_name": "Concatenate", "config": {**BASE, "name": "c", "axis": -1},
         "registered_name": None, "build_config": {"input_shape": [(None, 4), (None, 2)]}, "name": "c",
         "inbound_nodes": [{"args": ([tensor((None, 4), "h"), tensor((None, 2), "b")],), "kwargs": {}}]},
    )  # fmt: skip
    exactly(config["layers"][0], {**input_entry("a", (None, 3)), "name": "a", "inbound_nodes": []})
    assert list(config) == ["name", "trainable", "layers", "input_layers", "output_layers"]
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]] and config["output_layers"] == ["o", 0, 0]


def test_discretization_bins_are_int32_tensors_in_a_graph() -> None:
    x = keras.Input((1,), name="x")
    bins = layers.Discretization(bin_boundaries=[0.0, 1.0], name="disc")(x)
    encoded = layers.CategoryEncoding(num_tokens=3, output_mode="one_hot", name="enc")(bins)
    model = keras.Model(x, layers.Dense(1, name="o")(encoded), name="m")
    # Keras 3.15.1: the bins' tensor is int32 (its config says so where the encoding reads it); the rest float32
    assert bins.dtype == "int32" and "dtype=int32" in repr(bins) and encoded.dtype == "float32"
    enc = model.get_config()["layers"][2]
    exactly(
        enc["inbound_nodes"],
        [{"args": ({"class_name": "__keras_tensor__", "config": {"shape": (None, 1), "dtype": "int32",
                                                                  "keras_history": ["disc", 0, 0]}},),
          "kwargs": {}}],
    )  # fmt: skip
    assert keras.Model.from_config(model.get_config()).get_config() == model.get_config()


def test_compile_config_and_nested_models_are_keras() -> None:
    model = sequential()
    assert model.get_compile_config() == {}  # Keras 3.15.1: {} before compile, not None
    inner = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="i1")], name="inner")
    outer = keras.Sequential([keras.Input((3,)), inner, layers.Dense(1, name="o1")], name="outer")
    # Keras 3.15.1: a nested model's entry carries its compile_config ({} while it is not compiled)
    entry = outer.get_config()["layers"][1]
    exactly(
        {k: v for k, v in entry.items() if k != "config"},
        {"module": "keras", "class_name": "Sequential", "registered_name": None,
         "build_config": {"input_shape": (None, 3)}, "compile_config": {}},
    )  # fmt: skip
    assert entry["config"]["dtype"] == POLICY
    inner.compile(optimizer="sgd", loss="mse")
    nested = outer.get_config()["layers"][1]["compile_config"]
    assert nested["loss"] == "mse" and nested["optimizer"]["class_name"] == "SGD"


def test_serialize_keras_object_is_keras() -> None:
    dense = layers.Dense(2, name="d")
    dense(np.ones((4, 3), np.float32))
    out = keras.saving.serialize_keras_object(dense)
    # Keras 3.15.1: the layer as its config, with the shape of the call that built it
    exactly(
        {k: v for k, v in out.items() if k != "config"},
        {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
         "build_config": {"input_shape": (4, 3)}},
    )  # fmt: skip
    exactly(out["config"], {**KERAS_CONFIGS["Dense"], "name": "d"})
    model = keras.Sequential([keras.Input((3,), name="x"), layers.Dense(2, name="d")], name="s")
    tree = keras.saving.serialize_keras_object(model)
    # Keras 3.15.1: in memory (tuples), with an empty compile config for a model never compiled
    exactly(
        {k: v for k, v in tree.items() if k != "config"},
        {"module": "keras", "class_name": "Sequential", "registered_name": None,
         "build_config": {"input_shape": (None, 3)}, "compile_config": {}},
    )  # fmt: skip
    exactly(tree["config"], model.get_config())
    assert tree["config"]["build_input_shape"] == (None, 3)


# ---- files and JSON -------------------------------------------------------------------------------------------
def keras_sequential_file() -> dict[str, Any]:
    """The config.json Keras 3.15.1 wrote for sequential() compiled with adam, mse and mae."""
    shared = {**POLICY, "shared_object_id": SHARED}
    optimizer = {
        "name": "adam", "learning_rate": 0.0010000000474974513, "weight_decay": None, "clipnorm": None,
        "global_clipnorm": None, "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
        "ema_overwrite_frequency": None, "loss_scale_factor": None, "gradient_accumulation_steps": None,
        "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False,
    }  # fmt: skip
    config = {
        "name": "s",
        "trainable": True,
        "dtype": shared,  # serialized after the layers: Keras marks every policy but the first it wrote
        "layers": [
            input_entry("x", [None, 3]),
            dense_entry("d1", 4, "relu", [None, 3]),
            dropout_entry(shared),
            dense_entry("d2", 1, "linear", [None, 4], shared),
        ],
        "build_input_shape": [None, 3],
    }
    compile_config = {
        "optimizer": {"module": "keras.optimizers", "class_name": "Adam", "config": optimizer, "registered_name": None},
        "loss": "mse", "loss_weights": None, "metrics": ["mae"], "weighted_metrics": None, "run_eagerly": False,
        "steps_per_execution": 1, "jit_compile": False,
    }  # fmt: skip
    return {"module": "keras", "class_name": "Sequential", "config": config, "registered_name": None,
            "build_config": {"input_shape": [None, 3]}, "compile_config": compile_config}  # fmt: skip


def keras_functional_file() -> dict[str, Any]:
    """The config.json Keras 3.15.1 wrote for functional(), not compiled."""
    shared = {**POLICY, "shared_object_id": SHARED}

    def node(*args: Any) -> list[dict[str, Any]]:
        return [{"args": list(args), "kwargs": {}}]

    def tensor(shape: list[Any], source: str) -> dict[str, Any]:
        return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": "float32",
                                                              "keras_history": [source, 0, 0]}}  # fmt: skip

    concat = {"module": "keras.layers", "class_name": "Concatenate", "config": {**BASE, "name": "c", "dtype": shared,
              "axis": -1}, "registered_name": None, "build_config": {"input_shape": [[None, 4], [None, 2]]}}  # fmt: skip
    config = {
        "name": "f",
        "trainable": True,
        "layers": [
            {**input_entry("a", [None, 3]), "name": "a", "inbound_nodes": []},
            {**dense_entry("h", 4, "linear", [None, 3]), "name": "h", "inbound_nodes": node(tensor([None, 3], "a"))},
            {**input_entry("b", [None, 2]), "name": "b", "inbound_nodes": []},
            {**concat, "name": "c", "inbound_nodes": node([tensor([None, 4], "h"), tensor([None, 2], "b")])},
            {**dense_entry("o", 1, "linear", [None, 6], shared), "name": "o",
             "inbound_nodes": node(tensor([None, 6], "c"))},
        ],
        "input_layers": [["a", 0, 0], ["b", 0, 0]],
        "output_layers": ["o", 0, 0],
    }  # fmt: skip
    return {"module": "keras.src.models.functional", "class_name": "Functional", "config": config,
            "registered_name": "Functional", "build_config": {"input_shape": None}, "compile_config": {}}  # fmt: skip


def shared_ids(tree: Any, found: list[Any]) -> Any:
    """``tree`` with each shared_object_id replaced by SHARED; the ids go to ``found``."""
    if isinstance(tree, dict):
        if "shared_object_id" in tree:
            found.append(tree["shared_object_id"])
        return {k: SHARED if k == "shared_object_id" else shared_ids(v, found) for k, v in tree.items()}
    if isinstance(tree, list):
        return [shared_ids(v, found) for v in tree]
    return tree


def saved_tree(model: Any, path: Path) -> dict[str, Any]:
    model.save(path)
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("config.json"))


def without_ids(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {k: without_ids(v) for k, v in tree.items() if k != "shared_object_id"}
    return [without_ids(v) for v in tree] if isinstance(tree, list) else tree


@pytest.mark.parametrize("which", ["sequential", "functional"])
def test_saved_config_json_is_what_keras_writes(which: str, tmp_path: Path) -> None:
    if which == "sequential":
        model, want = sequential(), keras_sequential_file()
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    else:
        model, want = functional(), keras_functional_file()
    ids: list[Any] = []
    got = shared_ids(saved_tree(model, tmp_path / "m.keras"), ids)
    assert json.dumps(got) == json.dumps(want)  # (json.dumps keeps the key order)
    # one object shared by every layer: one id, an int as Keras's id()
    assert len(ids) >= 2 and len(set(ids)) == 1 and isinstance(ids[0], int)
    # to_json() has the same tree, without the sharing marks (Keras adds them when it saves only)
    assert json.dumps(json.loads(model.to_json())) == json.dumps(without_ids(want))


def test_nested_model_files_mark_policies_in_keras_order(tmp_path: Path) -> None:
    inner = keras.Sequential(
        [keras.Input((3,)), layers.Dense(2, name="i1"), layers.Dense(2, name="i2")], name="in"
    )
    outer = keras.Sequential([keras.Input((3,)), inner, layers.Dense(1, name="o1")], name="outer")
    tree = saved_tree(outer, tmp_path / "nest.keras")["config"]
    nested = tree["layers"][1]
    # Keras 3.15.1: only the first policy it serialized (the inner model's first Dense) has no shared_object_id
    marked = [
        "shared_object_id" in d["dtype"]
        for d in (tree, nested["config"], *[e["config"] for e in nested["config"]["layers"][1:]],
                  tree["layers"][2]["config"])
    ]  # fmt: skip
    assert marked == [True, True, False, True, True]
    assert nested["compile_config"] == {} and nested["build_config"] == {"input_shape": [None, 3]}


def file_from_tree(tree: dict[str, Any], model: Any, path: Path) -> Path:
    """A .keras file holding ``tree`` as its config.json, with ``model``'s weights (of the same layers)."""
    model.save(path.with_suffix(".tmp.keras"))
    with zipfile.ZipFile(path.with_suffix(".tmp.keras")) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.namelist():
            data = json.dumps(tree).encode() if item == "config.json" else src.read(item)
            dst.writestr(item, data)
    return path


def with_ids(tree: Any, value: int = 140443861035280) -> Any:
    if isinstance(tree, dict):
        return {k: value if v == SHARED else with_ids(v, value) for k, v in tree.items()}
    return [with_ids(v, value) for v in tree] if isinstance(tree, list) else tree


def string_dtypes(tree: Any) -> Any:
    """``tree`` with each serialized dtype policy as a plain "float32", as older files hold it."""
    if isinstance(tree, dict):
        return {
            k: "float32" if k == "dtype" and isinstance(v, dict) else string_dtypes(v)
            for k, v in tree.items()
        }
    return [string_dtypes(v) for v in tree] if isinstance(tree, list) else tree


@pytest.mark.parametrize("form", ["keras", "plain dtype strings"])
def test_keras_files_load_in_either_dtype_form(form: str, tmp_path: Path) -> None:
    model = sequential()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    tree = with_ids(keras_sequential_file())
    if form != "keras":
        tree = string_dtypes(tree)
    path = file_from_tree(tree, model, tmp_path / "k.keras")
    loaded = keras.models.load_model(path)
    exactly(loaded.get_config(), model.get_config())
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    again = keras.models.model_from_json(json.dumps(tree))
    exactly(again.get_config(), model.get_config())
    functional_tree = with_ids(keras_functional_file())
    f = keras.models.load_model(file_from_tree(functional_tree, functional(), tmp_path / "f.keras"))
    exactly(f.get_config(), functional().get_config())


def test_configs_round_trip(tmp_path: Path) -> None:
    for model in (sequential(), functional()):
        config = model.get_config()
        exactly(type(model).from_config(copy.deepcopy(config)).get_config(), config)
        exactly(keras.models.model_from_json(model.to_json()).get_config(), config)
        exactly(keras.models.load_model(saved_path(model, tmp_path)).get_config(), config)
    for name, dtype in (
        ("string", "float32"),
        ("policy", POLICY),
        ("marked", {**POLICY, "shared_object_id": 7}),
    ):
        dense = layers.Dense.from_config({**KERAS_CONFIGS["Dense"], "name": name, "dtype": dtype})
        exactly(dense.get_config(), {**KERAS_CONFIGS["Dense"], "name": name})


def saved_path(model: Any, tmp_path: Path) -> Path:
    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    return path


# ---- what keras_lite cannot honour -----------------------------------------------------------------------------
INT8 = {
    "module": "keras.quantizers",
    "class_name": "Int8QuantizationConfig",
    "config": {},
    "registered_name": None,
}


def test_a_quantization_config_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="quantization_config"):
        layers.Dense(2, quantization_config=INT8)
    with pytest.raises(ValueError, match="quantization_config"):
        layers.Dense.from_config({**KERAS_CONFIGS["Dense"], "quantization_config": INT8})
    tree = with_ids(keras_sequential_file())
    tree["config"]["layers"][1]["config"]["quantization_config"] = INT8
    with pytest.raises(ValueError, match="quantization_config=Int8QuantizationConfig"):
        keras.models.model_from_json(json.dumps(tree))
    with pytest.raises(ValueError, match="quantization_config=Int8QuantizationConfig"):
        keras.Sequential.from_config(tree["config"])
    model = sequential()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    with pytest.raises(ValueError, match="quantization_config=Int8QuantizationConfig"):
        keras.models.load_model(file_from_tree(tree, model, tmp_path / "q.keras"))


def test_another_dtype_policy_is_refused_by_name() -> None:
    half = {**POLICY, "config": {"name": "mixed_float16"}}
    with pytest.raises(ValueError, match="mixed_float16"):
        layers.Dense(2, dtype=half)
    tree = keras_sequential_file()
    tree["config"]["layers"][1]["config"]["dtype"] = half
    with pytest.raises(ValueError, match="dtype 'mixed_float16'"):
        keras.models.model_from_json(json.dumps(with_ids(tree)))


# ---- losses ------------------------------------------------------------------------------------------------
def test_focal_loss_configs_are_in_keras_order() -> None:
    # Keras 3.15.1: BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3, gamma=1.5).get_config()
    binary = keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3, gamma=1.5)
    exactly(
        binary.get_config(),
        {"name": "binary_focal_crossentropy", "reduction": "sum_over_batch_size", "from_logits": False,
         "label_smoothing": 0.0, "axis": -1, "apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5},
    )  # fmt: skip
    # Keras 3.15.1: CategoricalFocalCrossentropy().get_config()
    exactly(
        keras.losses.CategoricalFocalCrossentropy().get_config(),
        {"name": "categorical_focal_crossentropy", "reduction": "sum_over_batch_size", "from_logits": False,
         "label_smoothing": 0.0, "axis": -1, "alpha": 0.25, "gamma": 2.0},
    )  # fmt: skip
    again = keras.losses.BinaryFocalCrossentropy.from_config(binary.get_config())
    exactly(again.get_config(), binary.get_config())
