"""A model of several inputs called on a Functional model's tensors (``tower([x, y])``, ``tower({"a": x, "b":
y})``), as Keras calls one: its layers computed in the outer model's one core network, its weights shared with
it, files and configs in Keras's layout (a dict-built model called by name). Keras-made files of such a model:
``tests/fixtures/functional/tower_dict.*`` (loaded and resumed by tests/test_functional_saving.py)."""

from __future__ import annotations

import importlib.util
import json
import pickle
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from _keras_side import resumed_in_keras
from devices import DEVICES
from keras_lite import layers

RNG = np.random.default_rng(0)
XA = RNG.normal(size=(32, 3)).astype(np.float32)
XB = RNG.normal(size=(32, 2)).astype(np.float32)
Y = (XA[:, :1] - XB[:, 1:]).astype(np.float32)


def tower(by_dict: bool, name: str = "tower") -> Any:
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    h = layers.Dense(4, activation="relu")(layers.Concatenate()([a, b]))
    out = layers.BatchNormalization()(h)
    return keras.Model({"b": b, "a": a} if by_dict else [a, b], out, name=name)


def towered(by_dict: bool) -> tuple[Any, Any]:
    inner = tower(by_dict)
    x, y = keras.Input((3,), name="x"), keras.Input((2,), name="y")
    code = inner({"a": x, "b": y} if by_dict else [x, y])
    return keras.Model([x, y], layers.Dense(1, name="head")(code)), inner


@pytest.mark.parametrize("by_dict", [False, True], ids=["list", "dict"])
def test_the_outer_model_computes_the_inner_model_then_its_own_layers(by_dict: bool) -> None:
    model, inner = towered(by_dict)
    assert model.layers[2] is inner and model.get_layer("tower") is inner
    assert inner.output.shape == (None, 4) and model.count_params() == inner.count_params() + 5
    inputs = {"a": XA, "b": XB} if by_dict else [XA, XB]
    head = model.get_layer("head")
    np.testing.assert_allclose(
        model.predict([XA, XB], verbose=0), np.asarray(head(np.asarray(inner(inputs)))), rtol=1e-6, atol=1e-6
    )


@pytest.mark.parametrize("device", DEVICES)
def test_training_the_outer_model_trains_the_inner_models_weights(device: str) -> None:
    model, inner = towered(True)
    model.to(device)
    before = inner.get_weights()
    model.compile(optimizer="adam", loss="mse")
    model.fit([XA, XB], Y, epochs=3, batch_size=8, verbose=0)
    after = inner.get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(after, before))
    for a, b in zip(after, model.get_weights()):  # the outer model's first weights are the inner model's
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(
        model.predict([XA, XB], verbose=0),
        np.asarray(model.get_layer("head")(np.asarray(inner({"a": XA, "b": XB})))),
        rtol=1e-5,
        atol=1e-6,
    )


def test_keras_layouts_call_a_dict_built_model_by_name(tmp_path: Path) -> None:
    model, _ = towered(True)
    model.compile(optimizer="adam", loss="mse")
    model.fit([XA, XB], Y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        config = json.loads(zf.read("config.json"))
    (node,) = config["config"]["layers"][2]["inbound_nodes"]
    assert sorted(node["args"][0]) == ["a", "b"]  # Keras calls a dict-built model with a dict
    assert node["args"][0]["a"]["config"]["keras_history"] == ["x", 0, 0]
    expected = model.predict([XA, XB], verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras's notice that .h5 is a legacy format
        model.save(tmp_path / "m.h5")
    loaded = [
        keras.models.load_model(tmp_path / "m.keras"),
        keras.models.load_model(tmp_path / "m.h5"),
        pickle.loads(pickle.dumps(model)),
    ]
    clone = keras.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    for other in [*loaded, clone]:
        assert [type(a) for a in other.layers] == [type(b) for b in model.layers]
        np.testing.assert_allclose(other.predict([XA, XB], verbose=0), expected, rtol=1e-6, atol=1e-7)


def test_the_summary_connects_the_model_to_both_tensors() -> None:
    model, _ = towered(False)
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    row = next(line for line in "\n".join(lines).splitlines() if "tower (Functional)" in line)
    assert "(None, 4)" in row and "x[0][0], y[0][0]" in row


def test_calls_that_do_not_fit_the_model_are_refused() -> None:
    inner = tower(True)
    x, y = keras.Input((3,)), keras.Input((2,))
    with pytest.raises(ValueError, match=r"takes inputs named \['a', 'b'\]"):
        inner({"a": x, "c": y})
    with pytest.raises(ValueError, match="expects 2 input tensors"):
        inner([x])
    with pytest.raises(ValueError, match=r"Input 0 .* expected shape=\(None, 3\), found shape=\(None, 2\)"):
        inner([y, x])
    with pytest.raises(ValueError, match="not a dict"):
        layers.Dense(1)({"a": x})
    with pytest.raises(NotImplementedError, match="one input"):
        keras.Sequential([inner])  # a Sequential passes one tensor


def test_a_branching_inner_model_gives_its_graph_s_output_width() -> None:
    """A nested graph's output is its graph's (Concatenate of 3 and 5 is 8), not its last layer's input's."""
    inp = keras.Input((4,))
    inner = keras.Model(inp, layers.Concatenate()([layers.Dense(3)(inp), layers.Dense(5)(inp)]))
    x = keras.Input((4,))
    assert inner(x).shape == (None, 8)
    reader = keras.Sequential([keras.Input((8,)), layers.Dense(2)])
    model = keras.Sequential([inner, reader])  # the width inner gives is the one reader declares
    model.build((None, 4))
    assert model.predict(np.ones((2, 4), np.float32), verbose=0).shape == (2, 2)


HAVE_KERAS = all(importlib.util.find_spec(m) is not None for m in ("keras", "tensorflow"))


@pytest.mark.skipif(
    not HAVE_KERAS,
    reason="Keras 3 with TensorFlow is not installed; tower_dict.keras covers Keras -> keras_lite",
)
def test_keras_loads_the_file_and_resumes(tmp_path: Path) -> None:
    model, _ = towered(True)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    model.fit([XA, XB], Y, batch_size=16, epochs=2, verbose=0)
    pred, got = resumed_in_keras(tmp_path, model, {"x": XA, "y": XB}, Y)
    np.testing.assert_allclose(got["pred"], pred, rtol=1e-5, atol=1e-6)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(got[f"w{i}"], w, rtol=1e-4, atol=1e-5, err_msg=f"weight {i}")


def test_an_exported_onnx_graph_computes_the_inner_model(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    model, _ = towered(True)
    model.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    names = [i.name for i in session.get_inputs()]
    assert names == ["x", "y"]
    (got,) = session.run(None, {"x": XA, "y": XB})
    np.testing.assert_allclose(got, model.predict([XA, XB], verbose=0), rtol=1e-5, atol=1e-6)
