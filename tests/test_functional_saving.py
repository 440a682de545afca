"""Functional models in ``.keras`` files, both ways: Keras-written files (tests/fixtures/functional/) load,
predict and resume training where Keras stopped; keras_lite-written files round-trip exactly, have Keras 3's
config layout, and (where Keras 3 is installed) load in Keras with the same predictions.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import pickle
import zipfile
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from _keras_side import resumed_in_keras
from keras_lite import layers

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "functional")
FIXTURE_NAMES = ["concat_adam", "residual_sgd_dict", "nested_rmsprop", "tower_dict", "operators_adam"]
HAVE_KERAS = (
    importlib.util.find_spec("keras") is not None and importlib.util.find_spec("tensorflow") is not None
)


def _resume_data(name: str) -> tuple[dict[str, np.ndarray], Any]:
    data = np.load(os.path.join(FIXTURES, f"{name}.resume.npz"))
    return {k[2:]: data[k] for k in data.files if k.startswith("x_")}, data


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_keras_functional_file_loads_predicts_and_resumes(name: str) -> None:
    model = keras.models.load_model(os.path.join(FIXTURES, f"{name}.keras"))
    assert isinstance(model, keras.Model) and model.optimizer.iterations == 8  # 2 epochs of 4 steps
    x = dict(np.load(os.path.join(FIXTURES, f"{name}.x.npz")))
    want = np.load(os.path.join(FIXTURES, f"{name}.pred.npy"))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6)
    fit_x, data = _resume_data(name)
    model.fit(fit_x, data["y"], batch_size=16, epochs=1, shuffle=False, verbose=0)
    assert model.optimizer.iterations == int(data["iterations"])
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, data[f"w{i}"], rtol=1e-3, atol=2e-4, err_msg=f"weight {i}")


def test_keras_functional_file_config_is_read() -> None:
    model = keras.models.load_model(os.path.join(FIXTURES, "concat_adam.keras"))
    assert model.name == "two_inputs"
    assert [layer.name for layer in model.layers] == ["a", "ha", "b", "cat", "dense", "out"]
    assert [t.name for t in model.inputs] == ["a", "b"] and model.output_names == ["out"]
    assert isinstance(model.get_layer("cat"), layers.Concatenate) and model.get_layer("cat").axis == -1


def _model() -> Any:
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    h = layers.Dense(4, activation="relu", name="ha")(a)
    h = layers.BatchNormalization(name="bn")(h)
    joined = layers.concatenate([h, b], name="cat")
    return keras.Model({"b": b, "a": a}, [layers.Dense(1, name="out")(joined)], name="pair")


def _data(n: int = 48) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(5)
    x = {"a": rng.normal(size=(n, 3)).astype(np.float32), "b": rng.normal(size=(n, 2)).astype(np.float32)}
    return x, rng.normal(size=(n, 1)).astype(np.float32)


def test_round_trip_predicts_and_resumes_exactly(tmp_path: Any) -> None:
    x, y = _data()
    model = _model()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    again = pickle.loads(pickle.dumps(model))
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert loaded.name == "pair" and [t.name for t in loaded.inputs] == ["a", "b"]
    for copy_ in (loaded, again):
        np.testing.assert_array_equal(copy_.predict(x, verbose=0), model.predict(x, verbose=0))
        assert copy_.optimizer.iterations == model.optimizer.iterations
    histories = [
        m.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history for m in (model, loaded, again)
    ]
    assert histories[0] == histories[1] == histories[2]
    for m in (loaded, again):
        for w1, w2 in zip(model.get_weights(), m.get_weights()):
            np.testing.assert_array_equal(w1, w2)


# Keras 3.15.1's get_config() for this graph (see the module docstring of tests/test_functional.py), keeping
# what the layout is made of: each layer's class, name and inbound_nodes, and the input and output layers.
KERAS_LAYOUT = {
    "layers": [
        ("InputLayer", "a", []),
        ("Dense", "ha", [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [None, 3], "dtype": "float32", "keras_history": ["a", 0, 0]}}], "kwargs": {}}]),
        ("InputLayer", "b", []),
        ("Concatenate", "cat", [{"args": [[
            {"class_name": "__keras_tensor__", "config": {"shape": [None, 4], "dtype": "float32", "keras_history": ["ha", 0, 0]}},
            {"class_name": "__keras_tensor__", "config": {"shape": [None, 2], "dtype": "float32", "keras_history": ["b", 0, 0]}},
        ]], "kwargs": {}}]),
        ("Dense", "out", [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [None, 6], "dtype": "float32", "keras_history": ["cat", 0, 0]}}], "kwargs": {}}]),
    ],
    "input_layers": [["a", 0, 0], ["b", 0, 0]],
    "output_layers": ["out", 0, 0],
}  # fmt: skip


def test_config_has_keras_functional_layout(tmp_path: Any) -> None:
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    joined = layers.Concatenate(name="cat")([layers.Dense(4, activation="relu", name="ha")(a), b])
    model = keras.Model([a, b], layers.Dense(1, name="out")(joined))
    model.save(tmp_path / "m.keras")
    tree = json.loads(zipfile.ZipFile(tmp_path / "m.keras").read("config.json"))
    assert list(tree)[:5] == ["module", "class_name", "config", "registered_name", "build_config"]
    assert (tree["module"], tree["class_name"], tree["registered_name"]) == (
        "keras.src.models.functional",
        "Functional",
        "Functional",
    )
    assert tree["build_config"] == {"input_shape": None}
    cfg = tree["config"]
    assert list(cfg) == ["name", "trainable", "layers", "input_layers", "output_layers"]
    got = [(item["class_name"], item["name"], item["inbound_nodes"]) for item in cfg["layers"]]
    assert got == KERAS_LAYOUT["layers"]
    assert cfg["input_layers"] == KERAS_LAYOUT["input_layers"]
    assert cfg["output_layers"] == KERAS_LAYOUT["output_layers"]
    assert cfg["layers"][0]["config"]["batch_shape"] == [None, 3]
    assert cfg["layers"][3]["config"]["axis"] == -1
    assert cfg["layers"][3]["build_config"] == {"input_shape": [[None, 4], [None, 2]]}
    # A dict of inputs is written as a dict (in the order given) and a list of one output as a list.
    assert json.loads(json.dumps(_model()._keras_config()["config"]["input_layers"])) == {
        "b": ["b", 0, 0],
        "a": ["a", 0, 0],
    }


def _edit(src: str, dst: Any, edit: Any) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "config.json":
                tree = json.loads(data)
                edit(tree)
                data = json.dumps(tree).encode()
            zout.writestr(item, data)


def _layer(i: int, **changes: Any) -> Any:
    return lambda t: t["config"]["layers"][i].update(changes)


@pytest.mark.parametrize(
    "edit, message",
    [
        (_layer(3, inbound_nodes=[[["ha", 1, 0, {}], ["b", 0, 0, {}]]]), "call 1 of layer 'ha'"),
        (_layer(1, inbound_nodes=[]), "inbound_nodes"),
        (lambda t: t["config"]["layers"].reverse(), "not defined before it"),
        (lambda t: t["config"].update(output_layers=[["out", 0, 0], ["ha", 0, 0]]), "one output"),
        (lambda t: t["config"].update(input_layers=[["nope", 0, 0]]), "nope"),
        (
            lambda t: t["config"]["layers"][3].update(class_name="Dot"),
            "'Dot', which keras_lite does not support",
        ),
        (lambda t: t["config"]["layers"][3]["config"].update(axis=0), "axis"),
    ],
)
def test_unsupported_functional_contents_are_named(tmp_path: Any, edit: Any, message: str) -> None:
    _edit(os.path.join(FIXTURES, "concat_adam.keras"), tmp_path / "u.keras", edit)
    with pytest.raises(ValueError, match=message) as info:
        keras.models.load_model(tmp_path / "u.keras")
    assert "u.keras" in str(info.value)


def test_weights_files_load_into_the_same_graph(tmp_path: Any) -> None:
    x, y = _data()
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=1, verbose=0)
    model.save_weights(tmp_path / "w.weights.h5")
    other = _model()
    other.compile(optimizer="adam", loss="mse")
    other.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    assert other.optimizer.iterations == model.optimizer.iterations


def test_get_config_is_a_copy_of_the_saved_config() -> None:
    model = _model()
    cfg = model.get_config()
    assert cfg["name"] == "pair" and [item["name"] for item in cfg["layers"]] == [
        "a",
        "ha",
        "bn",
        "b",
        "cat",
        "out",
    ]
    copy.deepcopy(cfg)["layers"].clear()
    assert len(model.get_config()["layers"]) == 6


@pytest.mark.skipif(
    not HAVE_KERAS, reason="Keras 3 with TensorFlow is not installed; the fixtures cover Keras -> keras_lite"
)
def test_keras_loads_keras_lite_functional_file_and_resumes(tmp_path: Any) -> None:
    x, y = _data(64)
    model = _model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="mse")
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    pred, got = resumed_in_keras(tmp_path, model, x, y, shown={k: v[:16] for k, v in x.items()})
    np.testing.assert_allclose(got["pred"], pred, rtol=1e-5, atol=1e-6)
    assert int(got["iterations"]) == model.optimizer.iterations
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(got[f"w{i}"], w, rtol=1e-3, atol=2e-4, err_msg=f"weight {i}")


def test_a_training_false_given_to_a_call_is_kept_in_the_config(tmp_path: Any) -> None:
    # Keras 3.15.1 records a training=False given to a call on tensors (the transfer-learning
    # base(inputs, training=False)) with the call's kwargs: these are its config's for the graph below.
    layers = keras.layers
    base = keras.Sequential([keras.Input((4,)), layers.Dense(4), layers.BatchNormalization()], name="base")
    fbi = keras.Input((4,))
    fbase = keras.Model(fbi, layers.Dense(4)(fbi), name="fbase")
    f2a, f2b = keras.Input((4,)), keras.Input((4,))
    f2 = keras.Model([f2a, f2b], layers.Add()([f2a, f2b]), name="f2")
    inputs = keras.Input((4,))
    x = base(inputs, training=False)
    x = fbase(x, training=False)
    x = f2([x, x], training=False)
    x = layers.BatchNormalization(name="bn")(x, training=False)
    x = layers.Dense(3, name="d")(x, training=False)
    x = layers.Softmax(name="sm")(x, training=False)
    model = keras.Model(inputs, layers.Dense(1, name="out")(x))
    want = [
        ("base", {"training": False}),
        ("fbase", {"training": False, "mask": None}),
        ("f2", {"training": False, "mask": [None, None]}),
        ("bn", {"training": False}),
        ("d", {"training": False}),
        ("sm", {"training": False}),
        ("out", {}),
    ]

    def kwargs(m: Any) -> list[Any]:
        cfg = json.loads(m.to_json())["config"]
        return [(layer["name"], layer["inbound_nodes"][0]["kwargs"]) for layer in cfg["layers"][1:]]

    assert kwargs(model) == want
    model.save(tmp_path / "m.keras")
    assert kwargs(keras.models.load_model(tmp_path / "m.keras")) == want
