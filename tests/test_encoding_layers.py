"""Discretization and CategoryEncoding: Keras 3.15's outputs and adapted boundaries, on every device, inside
models that train (no gradient passes through them), in files both ways, in ONNX, and their refusals."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers
from test_device import DEVICES  # noqa: E402

HERE = os.path.dirname(__file__)
FIXTURES = os.path.join(HERE, "fixtures", "encoding")

with open(os.path.join(FIXTURES, "encoding.json")) as f:
    GOLDEN = json.load(f)


def _through_model(layer, x, device):
    """``layer`` applied inside a Functional model on ``device`` (the core's graph path)."""
    inp = keras.Input((x.shape[1],))
    model = keras.Model(inp, layer(inp))
    model.to(device)
    return model.predict(x, verbose=0)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", GOLDEN["layers"], ids=lambda c: f"{c['layer']}-{c['args']['output_mode']}")
def test_outputs_are_keras(case, device):
    x, want = np.asarray(case["x"], np.float32), np.asarray(case["y"], np.float32)
    cls = getattr(layers, case["layer"])
    np.testing.assert_array_equal(_through_model(cls(**case["args"]), x, device), want)
    eager = cls(**case["args"])(x)
    np.testing.assert_array_equal(eager, want)
    # Called on its own, Discretization's bins are int32, as Keras's.
    assert eager.dtype == (np.int32 if case["args"]["output_mode"] == "int" else np.float32)


@pytest.mark.parametrize("device", DEVICES)
def test_edges_as_keras_on_tensorflow(device):
    # Keras 3.15 on TensorFlow: NaN and +inf fall in the last bin, -inf in the first; ids truncate toward zero
    # (-0.5 is category 0); ids outside 0..num_tokens-1, and NaN, set nothing.
    odd = np.array([[np.nan, np.inf, -np.inf, 0.0, 1.0]], np.float32)
    got = _through_model(layers.Discretization(bin_boundaries=[0.0, 1.0]), odd, device)
    np.testing.assert_array_equal(got, [[2, 2, 0, 1, 2]])
    ids = np.array([[2.7], [1.2], [-0.5], [-1.0], [7.0], [np.nan]], np.float32)
    got = _through_model(layers.CategoryEncoding(3, output_mode="one_hot"), ids, device)
    np.testing.assert_array_equal(got, [[0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]])
    got = _through_model(layers.CategoryEncoding(3, output_mode="count"), ids.reshape(2, 3), device)
    np.testing.assert_array_equal(got, [[1, 1, 1], [0, 0, 0]])
    # No boundaries: one bin.
    np.testing.assert_array_equal(
        _through_model(layers.Discretization(bin_boundaries=[]), odd, device), np.zeros((1, 5))
    )


def test_one_dimensional_inputs_as_keras():
    # A 1-D array is one row of values, except for one_hot, which encodes each value.
    np.testing.assert_array_equal(layers.CategoryEncoding(4)(np.array([1, 3, 3])), [0, 1, 0, 1])
    np.testing.assert_array_equal(
        layers.CategoryEncoding(4, output_mode="one_hot")(np.array([1, 3])), [[0, 1, 0, 0], [0, 0, 0, 1]]
    )
    np.testing.assert_array_equal(layers.Discretization(bin_boundaries=[0.0])(np.array([-1.0, 1.0])), [0, 1])


@pytest.mark.parametrize(
    "case", GOLDEN["adapt"], ids=lambda c: f"{len(c['data'])}x{c['num_bins']}-{c['batch']}"
)
def test_adapt_finds_keras_boundaries(case):
    data = np.asarray(case["data"], np.float32)
    layer = layers.Discretization(num_bins=case["num_bins"], epsilon=case["epsilon"])
    batch = case["batch"]
    layer.adapt(data if batch is None else [data[i : i + batch] for i in range(0, len(data), batch)])
    assert layer.bin_boundaries == case["boundaries"]
    assert layer.get_config()["bin_boundaries"] == case["boundaries"]
    layer.adapt(data[:8])  # each call starts afresh
    fresh = layers.Discretization(num_bins=case["num_bins"], epsilon=case["epsilon"])
    fresh.adapt(data[:8])
    assert layer.bin_boundaries == fresh.bin_boundaries


def test_adapt_docstring_case():
    layer = layers.Discretization(num_bins=4)
    layer.adapt(np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]))
    assert layer.bin_boundaries == [0.0, 0.5, 1.2999999523162842]
    np.testing.assert_array_equal(layer(np.array([[0.2, 1.3, 5.0]])), [[1, 3, 3]])


def _tabular():
    m = GOLDEN["model"]
    return (
        [np.asarray(m["num"], np.float32), np.asarray(m["cat"], np.float32)],
        np.asarray(m["y"], np.float32),
        m,
    )


@pytest.mark.parametrize("device", DEVICES)
def test_a_keras_model_loads_predicts_and_trains_on_as_keras(device):
    # Keras 3.15 adapted the Discretization layer, trained 2 epochs and saved; its predictions, and its weights
    # after one more epoch from the file (the Dense layers below the encodings get no gradient through them).
    x, y, m = _tabular()
    model = keras.models.load_model(os.path.join(FIXTURES, "tabular.keras"))
    model.to(device)
    assert [type(layer).__name__ for layer in model.layers[2:5]] == [
        "Discretization",
        "CategoryEncoding",
        "Concatenate",
    ]
    np.testing.assert_allclose(model.predict(x, verbose=0), np.asarray(m["pred"]), rtol=1e-5, atol=1e-6)
    history = model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(history.history["loss"][0], m["resume_loss"], rtol=1e-4)
    for got, want in zip(model.get_weights(), m["resume_weights"]):
        np.testing.assert_allclose(got, np.asarray(want, np.float32), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("device", DEVICES)
def test_no_gradient_passes_through(device):
    # A Dense layer below a Discretization gets no gradient: SGD leaves it as it was; the layer above trains.
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(64, 3)).astype(np.float32), rng.normal(size=(64, 1)).astype(np.float32)
    inp = keras.Input((3,))
    below = layers.Dense(4)
    out = layers.Dense(1)(layers.Discretization(bin_boundaries=[-0.5, 0.5], output_mode="count")(below(inp)))
    model = keras.Model(inp, out)
    model.to(device)
    model.compile(optimizer="sgd", loss="mse")
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, y, epochs=2, verbose=0)
    after = model.get_weights()
    for a, b in zip(before[:2], after[:2]):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(before[2], after[2])


def test_files_pickles_and_summary(tmp_path, capsys):
    disc = layers.Discretization(num_bins=3, output_mode="one_hot")
    disc.adapt(np.linspace(-2, 2, 50).reshape(-1, 1))
    inp = keras.Input((1,))
    model = keras.Model(
        inp, layers.Dense(2)(layers.Concatenate()([disc(inp), layers.CategoryEncoding(4, "count")(inp)]))
    )
    x = np.array([[-3.0], [0.1], [1.0], [3.9]], np.float32)
    model.save(tmp_path / "m.keras")
    for twin in (keras.models.load_model(tmp_path / "m.keras"), pickle.loads(pickle.dumps(model))):
        np.testing.assert_array_equal(twin.predict(x, verbose=0), model.predict(x, verbose=0))
        assert twin.layers[1].get_config() == disc.get_config()
    model.summary()
    text = capsys.readouterr().out
    assert "(None, 3)" in text and "(None, 4)" in text and "Total params: 16" in text


def test_export_onnx_matches_predict(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    inp = keras.Input((3,))
    x = layers.Concatenate()(
        [
            layers.Discretization(bin_boundaries=[-0.5, 0.0, 0.7], output_mode="multi_hot")(inp),
            layers.Discretization(bin_boundaries=[0.0])(inp),
            layers.CategoryEncoding(4, output_mode="count")(inp),
        ]
    )
    model = keras.Model(inp, layers.Dense(2)(x))
    data = np.array([[np.nan, -0.5, 0.2], [3.0, -1.0, 2.7], [0.0, 0.7, -0.5]], np.float32)
    model.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    got = session.run(None, {session.get_inputs()[0].name: data})[0]
    np.testing.assert_allclose(got, model.predict(data, verbose=0), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: layers.CategoryEncoding(), ValueError, "num_tokens must be set"),
        (
            lambda: layers.CategoryEncoding(0),
            ValueError,
            r"`num_tokens` must be >= 1\. Received: num_tokens=0",
        ),
        (
            lambda: layers.CategoryEncoding(3, output_mode="int"),
            ValueError,
            "Unknown arg for output_mode: int",
        ),
        (lambda: layers.CategoryEncoding(2.5), TypeError, "`num_tokens` must be an integer"),
        (lambda: layers.CategoryEncoding(3, sparse=True), keras.NotSupportedError, "dense outputs only"),
        (lambda: layers.Discretization(), ValueError, "set either `num_bins` or `bin_boundaries`"),
        (lambda: layers.Discretization([0.0], 3), ValueError, "Both `num_bins` and `bin_boundaries`"),
        (lambda: layers.Discretization(num_bins=-1), ValueError, "greater than or equal to 0"),
        (lambda: layers.Discretization([0.0], sparse=True), ValueError, "`sparse=True` may only be used"),
        (lambda: layers.Discretization([0.0], output_mode="bins"), ValueError, "Expected one of"),
        (lambda: layers.Discretization([1.0, 0.0]), ValueError, "sorted in increasing order"),
        (lambda: layers.Discretization([0.0, np.nan]), ValueError, "without NaN"),
    ],
)
def test_arguments_are_checked_as_keras(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_what_keras_lite_does_not_hold_is_refused_clearly():
    # Keras gives a 3-D output: a NotSupportedError (a ValueError too), in a model, in a graph and on its own.
    one_hot = r"encodes one value per row one-hot.*input width 2"
    with pytest.raises(keras.NotSupportedError, match=one_hot):
        keras.Sequential([keras.Input((2,)), layers.CategoryEncoding(3, output_mode="one_hot")])
    with pytest.raises(keras.NotSupportedError, match=one_hot):
        layers.Discretization([0.0], output_mode="one_hot")(keras.Input((2,)))
    with pytest.raises(keras.NotSupportedError, match=one_hot):
        layers.Discretization([0.0], output_mode="one_hot")(np.ones((3, 2)))
    with pytest.raises(keras.NotSupportedError, match="count_weights"):
        layers.CategoryEncoding(3, output_mode="count")(np.ones((2, 2)), count_weights=np.ones((2, 2)))
    unadapted = layers.Discretization(num_bins=3)
    with pytest.raises(ValueError, match="call `adapt\\(dataset\\)`.*adapt it before building the model"):
        keras.Sequential([keras.Input((2,)), unadapted])
    with pytest.raises(ValueError, match="initialized with `bin_boundaries`, use `num_bins`"):
        layers.Discretization([0.0]).adapt(np.ones((4, 1)))
    built = layers.Discretization(num_bins=2)
    built.adapt(np.arange(10.0).reshape(-1, 1))
    model = keras.Sequential([keras.Input((1,)), built])
    with pytest.raises(ValueError, match="is in a built model.*Call adapt\\(\\) first"):
        built.adapt(np.arange(4.0).reshape(-1, 1))
    assert model.layers == [built]
    with pytest.raises(ValueError, match="num_bins` must be positive to adapt"):
        layers.Discretization(num_bins=0).adapt(np.ones((3, 1)))


def test_a_layer_in_a_model_not_built_yet_may_adapt():
    disc = layers.Discretization(num_bins=2, output_mode="one_hot")
    model = keras.Sequential([disc, layers.Dense(1)])  # built by its first fit
    disc.adapt(np.arange(10.0).reshape(-1, 1))
    model.compile("sgd", "mse")
    model.fit(np.array([[3.0], [4.0]]), np.array([[0.0], [1.0]]), verbose=0)
    assert model.layers[0].bin_boundaries == [4.0] and model.layers[1].get_weights()[0].shape == (2, 1)


def test_a_layer_on_its_own_uses_its_new_boundaries():
    layer = layers.Discretization(num_bins=2)
    layer.adapt(np.arange(10.0).reshape(-1, 1))
    first = layer(np.array([[3.0], [4.0]]))
    layer.adapt(np.arange(100.0, 110.0).reshape(-1, 1))
    np.testing.assert_array_equal(first, [[0], [1]])  # the boundary is 4.0
    np.testing.assert_array_equal(layer(np.array([[4.0], [200.0]])), [[0], [1]])


_KERAS_SIDE = """
import os, sys, numpy as np
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import keras
folder = sys.argv[1]
model = keras.models.load_model(os.path.join(folder, "m.keras"))
x = np.load(os.path.join(folder, "x.npy"))
np.save(os.path.join(folder, "pred.npy"), model.predict(x, verbose=0))
"""


def test_keras_loads_the_file_alike(tmp_path):
    pytest.importorskip("keras")  # the real Keras 3 (not installed on CI)
    disc = layers.Discretization(num_bins=4, output_mode="count")
    disc.adapt(np.linspace(-3, 3, 40).reshape(-1, 2))
    inp = keras.Input((2,))
    model = keras.Model(
        inp, layers.Dense(1)(layers.Concatenate()([disc(inp), layers.CategoryEncoding(5)(inp)]))
    )
    model.save(tmp_path / "m.keras")
    x = np.array([[2.0, 0.3], [1.0, 4.0], [2.9, 0.1]], np.float32)  # (Keras refuses negative ids to count)
    np.save(tmp_path / "x.npy", x)
    (tmp_path / "side.py").write_text(textwrap.dedent(_KERAS_SIDE))
    run = subprocess.run(
        [sys.executable, str(tmp_path / "side.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    np.testing.assert_allclose(
        np.load(tmp_path / "pred.npy"), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6
    )
