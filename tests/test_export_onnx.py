"""``model.export(path, format="onnx")`` (KERAS_COMPAT_2.md §23, checklist X1): ONNX Runtime runs the exported
graph with ``model.predict``'s results (1e-5) at any batch size, for every layer and activation keras_lite has;
and the errors Keras raises (an unknown format, a model never called), and keras_lite's own (no TensorFlow for
a SavedModel, no onnx package)."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

ACTIVATIONS = [
    "linear", "relu", "sigmoid", "tanh", "elu", "selu", "silu", "swish", "gelu", "softplus", "softsign",
    "leaky_relu", "relu6", "hard_sigmoid", "exponential", "softmax",
]  # fmt: skip


def _randomize(model: Any, seed: int) -> None:
    """Random weights everywhere; variances positive (BatchNormalization's and Normalization's)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        values = []
        for v in layer.weights:
            w = rng.normal(0.0, 0.7, size=v.shape)
            values.append(np.abs(w) + 0.3 if "variance" in v.name else w)
        layer.set_weights(values)


def _session(source: Any) -> Any:
    """An ONNX Runtime session of the exported file (checked by onnx.checker first)."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    proto = onnx.load_model_from_string(source) if isinstance(source, bytes) else onnx.load(str(source))
    onnx.checker.check_model(proto, full_check=True)
    return ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])


def _ops(path: Path) -> set[str]:
    onnx = pytest.importorskip("onnx")
    return {node.op_type for node in onnx.load(str(path)).graph.node}


def _assert_runs_as_predict(model: Any, path: Path, width: int, scale: float = 3.0, seed: int = 1) -> None:
    session = _session(path)
    name = session.get_inputs()[0].name
    rng = np.random.default_rng(seed)
    for n in (1, 7):  # one graph, two batch sizes: the batch dimension is dynamic
        x = (rng.normal(size=(n, width)) * scale).astype(np.float32)
        (got,) = session.run(None, {name: x})
        assert got.shape == (n, model.output_shape[1])
        np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_runs_as_predict(activation: str, tmp_path: Path) -> None:
    model = keras.Sequential(
        [
            keras.Input(shape=(5,)),
            layers.Dense(8, activation=activation),
            layers.Activation(activation),
            layers.Dense(3, activation=activation),
        ]
    )
    _randomize(model, seed=len(activation))
    model.export(tmp_path / "m.onnx", format="onnx", verbose=False)
    _assert_runs_as_predict(model, tmp_path / "m.onnx", 5)
    # Far out and near zero, where a careless formula overflows or cancels (exp(100) is inf in both).
    alone = keras.Sequential([keras.Input(shape=(6,)), layers.Activation(activation)])
    alone.export(tmp_path / "a.onnx", format="onnx", verbose=False)
    session = _session(tmp_path / "a.onnx")
    x = np.array([[-100, -20, -1e-3, 1e-3, 20, 100]], np.float32)
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, alone.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_activation_operators(tmp_path: Path) -> None:
    # The exact GELU is written with Erf; hard_sigmoid with Keras 3's constants, leaky_relu with its slope.
    onnx = pytest.importorskip("onnx")
    model = keras.Sequential(
        [
            keras.Input(shape=(3,)),
            layers.Activation("gelu"),
            layers.Activation("hard_sigmoid"),
            layers.Activation("leaky_relu"),
        ]
    )
    model.export(tmp_path / "m.onnx", format="onnx", verbose=False)
    nodes = {n.op_type: n for n in onnx.load(str(tmp_path / "m.onnx")).graph.node}
    assert "Erf" in nodes
    attrs = {a.name: a.f for a in nodes["HardSigmoid"].attribute}
    assert attrs == pytest.approx({"alpha": 1 / 6, "beta": 0.5})
    assert nodes["LeakyRelu"].attribute[0].f == pytest.approx(0.2)
    x = np.linspace(-8, 8, 33, dtype=np.float32).reshape(11, 3)
    session = _session(tmp_path / "m.onnx")
    np.testing.assert_allclose(session.run(None, {session.get_inputs()[0].name: x})[0], model(x), atol=1e-6)


@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("scale", [True, False])
def test_batch_normalization_uses_the_moving_statistics(center: bool, scale: bool, tmp_path: Path) -> None:
    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            layers.Dense(6, use_bias=False),
            layers.BatchNormalization(epsilon=0.1, center=center, scale=scale),
            layers.Dropout(0.5),
            layers.Dense(2),
        ]
    )
    _randomize(model, seed=7)
    model.export(tmp_path / "m.onnx", format="onnx", verbose=False)
    _assert_runs_as_predict(model, tmp_path / "m.onnx", 4)
    assert "BatchNormalization" in _ops(tmp_path / "m.onnx")


def test_graph_inputs_outputs_and_operators(tmp_path: Path) -> None:
    # K3-run (§23): Dense(4, relu) -> Dense(1) gives MatMul, Add and Relu (torch adds a Cast; keras_lite none).
    model = keras.Sequential(
        [keras.Input(shape=(3,), name="features"), layers.Dense(4, "relu"), layers.Dense(1)]
    )
    model.export(tmp_path / "m.onnx", format="onnx", verbose=False)
    session = _session(tmp_path / "m.onnx")
    (inp,), (out,) = session.get_inputs(), session.get_outputs()
    assert (inp.name, inp.shape, inp.type) == ("features", ["batch", 3], "tensor(float)")
    assert (out.name, out.shape) == ("output_0", ["batch", 1])
    assert _ops(tmp_path / "m.onnx") == {"MatMul", "Add", "Relu"}


def test_input_names_without_keras_input(tmp_path: Path) -> None:
    built = keras.Sequential([layers.Dense(2, use_bias=False)])  # a MatMul alone writes the output
    built.build((None, 3))
    built.export(tmp_path / "a.onnx", format="onnx", verbose=False)
    assert _session(tmp_path / "a.onnx").get_inputs()[0].name == "input_0"
    assert _ops(tmp_path / "a.onnx") == {"MatMul"}
    _assert_runs_as_predict(built, tmp_path / "a.onnx", 3)
    with pytest.warns(UserWarning, match="input_shape"):
        shaped = keras.Sequential([layers.Dense(2, input_shape=(3,))])
    shaped.export(tmp_path / "b.onnx", format="onnx", verbose=False)
    assert _session(tmp_path / "b.onnx").get_inputs()[0].name == shaped._input_layer.name


@pytest.mark.parametrize("device", DEVICES)
def test_a_trained_model(device: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5], [0.0]], np.float32) > 0).astype(np.float32)
    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            layers.Dense(8, "relu"),
            layers.BatchNormalization(),
            layers.Dense(1, "sigmoid"),
        ],
        device=device,
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    before = model.get_weights()
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    model.export(tmp_path / "m.onnx", format="onnx", verbose=False)
    _assert_runs_as_predict(model, tmp_path / "m.onnx", 4, scale=1.0)


def test_a_model_loaded_from_a_keras_file(tmp_path: Path) -> None:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(5, "tanh"), layers.Dense(2, "softmax")])
    _randomize(model, seed=11)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    loaded.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)
    _assert_runs_as_predict(model, tmp_path / "m.onnx", 3)


def test_export_to_a_file_object_and_verbose(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(3, "elu")])
    buffer = io.BytesIO()
    model.export(buffer, format="onnx", verbose=False)
    assert capsys.readouterr().out == ""
    x = np.array([[1.0, -2.0]], np.float32)
    session = _session(buffer.getvalue())
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), atol=1e-6)
    model.export(tmp_path / "m.onnx", format="onnx")  # verbose=None prints, as Keras
    assert capsys.readouterr().out == f"Saved artifact at '{tmp_path / 'm.onnx'}'.\n"


def test_input_signature(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    # An unbuilt model exports when the signature gives its width; a keras.Input names the graph's input.
    model = keras.Sequential([layers.Dense(2, "softsign")])
    model.export(
        tmp_path / "a.onnx", format="onnx", verbose=False, input_signature=[keras.Input((4,), name="x")]
    )
    assert model.built and model.input_shape == (None, 4)
    inp = _session(tmp_path / "a.onnx").get_inputs()[0]
    assert (inp.name, inp.shape) == ("x", ["batch", 4])

    class Spec:  # what keras.InputSpec and tf.TensorSpec have: a shape, a dtype and a name
        def __init__(self, shape: Any, dtype: Any = "float32", name: Any = None) -> None:
            self.shape, self.dtype, self.name = shape, dtype, name

    model.export(
        tmp_path / "b.onnx", format="onnx", verbose=False, input_signature=[Spec((6, 4))], opset_version=20
    )
    session = _session(tmp_path / "b.onnx")
    assert session.get_inputs()[0].shape == [6, 4] and session.get_inputs()[0].name == "input_0"
    assert onnx.load(str(tmp_path / "b.onnx")).opset_import[0].version == 20
    _assert_runs_as_predict(model, tmp_path / "a.onnx", 4)
    # An array gives the width; the batch stays dynamic.
    model.export(
        tmp_path / "c.onnx", format="onnx", verbose=False, input_signature=np.zeros((2, 4), np.float32)
    )
    assert _session(tmp_path / "c.onnx").get_inputs()[0].shape == ["batch", 4]
    for bad, error, match in [
        ([Spec((None, 5))], ValueError, "input 0 is 4 wide"),
        ([Spec((None, 4), dtype="float64")], ValueError, "must be float32"),
        ([Spec((None, 4, 1))], ValueError, r"input 0 is 4 wide\. Received: shape=\(None, 4, 1\)"),
        ([Spec((None, 0))], ValueError, r"\(batch or None, width\)"),
        ([Spec((None, 4)), Spec((None, 4))], ValueError, "one spec per model input"),
        (["x"], TypeError, "Unsupported x="),
    ]:
        with pytest.raises(error, match=match):
            model.export(tmp_path / "bad.onnx", format="onnx", verbose=False, input_signature=bad)
    assert not (tmp_path / "bad.onnx").exists()


def test_opset_version(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4, "gelu"), layers.Dense(2, "softmax")])
    _randomize(model, seed=5)
    model.export(tmp_path / "d.onnx", format="onnx", verbose=False)
    assert onnx.load(str(tmp_path / "d.onnx")).opset_import[0].version == 17
    model.export(tmp_path / "m.onnx", format="onnx", verbose=False, opset_version=13)
    assert onnx.load(str(tmp_path / "m.onnx")).opset_import[0].version == 13
    _assert_runs_as_predict(model, tmp_path / "m.onnx", 3)
    for bad in (12, "17", 10_000, True):
        with pytest.raises(ValueError, match="opset_version must be an integer"):
            model.export(tmp_path / "bad.onnx", format="onnx", opset_version=bad)
    assert not (tmp_path / "bad.onnx").exists()


def test_a_model_never_called_raises_as_keras(tmp_path: Path) -> None:
    model = keras.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="The model provided has never called."):
        model.export(tmp_path / "m.onnx", format="onnx")
    assert not model.built and not (tmp_path / "m.onnx").exists()


def test_formats(tmp_path: Path) -> None:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    with pytest.raises(
        ValueError, match=r"Unrecognized format=keras. Supported formats are: \['tf_saved_model', "
    ):
        model.export(tmp_path / "m", format="keras")
    # Keras's default writes a TensorFlow SavedModel: keras_lite has no TensorFlow, and says so.
    with pytest.raises(keras.NotSupportedError, match="format='tf_saved_model'.*TensorFlow.*format='onnx'"):
        model.export(tmp_path / "m")
    for fmt in ("openvino", "litert", "torch"):
        with pytest.raises(keras.NotSupportedError, match=f"format={fmt!r}"):
            model.export(tmp_path / "m", format=fmt)
    with pytest.raises(ValueError, match=r"unexpected keyword arguments: \['is_static'\]"):
        model.export(tmp_path / "m", format="onnx", is_static=True)
    with pytest.raises(ValueError, match="filepath must be a path"):
        model.export(3, format="onnx")
    assert list(tmp_path.iterdir()) == []


def test_without_the_onnx_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` raises ImportError
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    with pytest.raises(ImportError, match=r"requires the onnx package.*pip install onnx"):
        model.export(tmp_path / "m.onnx", format="onnx")
    assert not (tmp_path / "m.onnx").exists()


# ---- graphs of nodes: the merge operators, on a hand-built graph (what a Functional model provides) ----------
class _Merge:
    """A stand-in for a merge layer: the exporter finds a layer's operators by its class name."""

    def __init__(self, name: str, **config: Any) -> None:
        self.name = name
        self.__dict__.update(config)


def _merge_class(name: str) -> type:
    return type(name, (_Merge,), {})


class _GraphModel:
    """A built model that gives the exporter its own graph: ``(inputs, nodes, outputs)``."""

    built = True
    name = "graph"

    def __init__(self, inputs: Any, nodes: Any, outputs: Any) -> None:
        self.layers = [layer for layer, _ in nodes]
        self._graph = (inputs, nodes, outputs)

    def _export_graph(self) -> Any:
        return self._graph

    export = keras.Model.export


MERGES = {  # class name -> (values it reads, NumPy reference on inputs a, b, c)
    "Concatenate": ([0, 1, 2], lambda a, b, c: np.concatenate([a, b, c], axis=1)),
    "Add": ([0, 1], lambda a, b, c: a + b),
    "Average": ([0, 1, 2], lambda a, b, c: (a + b + c) / 3),
    "Subtract": ([2, 0], lambda a, b, c: c - a),
    "Multiply": ([0, 1, 2], lambda a, b, c: a * b * c),
    "Maximum": ([0, 1, 2], lambda a, b, c: np.maximum(np.maximum(a, b), c)),
    "Minimum": ([1, 2], lambda a, b, c: np.minimum(b, c)),
}


def test_merge_operators_on_a_graph(tmp_path: Path) -> None:
    # Inputs a, b (width 3) and c (a Dense of a third input, width 3); each merge reads some of them and is an
    # output; Add of three inputs (Sum), a Dense after a merge, and an input that is also an output.
    dense = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(3, "tanh")])
    after = keras.Sequential([keras.Input(shape=(9,)), layers.Dense(2)])
    _randomize(dense, seed=2)
    _randomize(after, seed=4)
    inputs = [("a", (3,)), ("b", (3,)), ("x", (2,))]
    nodes: list[Any] = [(dense.layers[0], [2])]  # value 3: c
    refs = []
    for kind, (reads, ref) in MERGES.items():
        values = [3 if r == 2 else r for r in reads]  # a=0, b=1, c=3
        config = {"axis": -1} if kind == "Concatenate" else {}
        nodes.append((_merge_class(kind)(kind.lower(), **config), values))
        refs.append(ref)
    nodes.append((_merge_class("Add")("add_3"), [0, 1, 3]))
    nodes.append((after.layers[0], [4]))  # the Dense after the concatenation
    outputs = list(range(4, 4 + len(MERGES) + 2)) + [0]
    _GraphModel(inputs, nodes, outputs).export(tmp_path / "g.onnx", format="onnx", verbose=False)
    session = _session(tmp_path / "g.onnx")
    assert [i.name for i in session.get_inputs()] == ["a", "b", "x"]
    assert [o.name for o in session.get_outputs()] == [f"output_{i}" for i in range(len(outputs))]
    assert session.get_outputs()[0].shape == ["batch", 9]
    ops = _ops(tmp_path / "g.onnx")
    assert {"Concat", "Add", "Sum", "Mean", "Sub", "Mul", "Max", "Min", "Identity"} <= ops
    rng = np.random.default_rng(9)
    for n in (1, 7):
        a, b, x = (rng.normal(size=(n, w)).astype(np.float32) for w in (3, 3, 2))
        c = dense.predict(x, verbose=0)
        got = session.run(None, {"a": a, "b": b, "x": x})
        for value, ref in zip(got, refs):
            np.testing.assert_allclose(value, ref(a, b, c), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got[len(refs)], a + b + c, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got[-2], after.predict(refs[0](a, b, c), verbose=0), rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(got[-1], a)


def test_a_graph_node_that_reads_a_later_value_or_an_unknown_layer(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    add = _merge_class("Add")("add")
    with pytest.raises(ValueError, match=r"Node 0 \('add'\) reads a value that is not computed before it"):
        _GraphModel([("a", (2,))], [(add, [0, 1])], [1]).export(tmp_path / "g.onnx", format="onnx")
    with pytest.raises(keras.NotSupportedError, match=r"cannot export the layer 'dot' \(Dot\)"):
        _GraphModel([("a", (2,))], [(_merge_class("Dot")("dot"), [0, 0])], [1]).export(
            tmp_path / "g.onnx", format="onnx"
        )
    assert not (tmp_path / "g.onnx").exists()


def test_nan_passes_through_as_in_predict(tmp_path: Path) -> None:
    """A NaN input stays NaN through a capped ReLU and through Maximum and Minimum, and is 0 through a ReLU with
    a threshold, in predict and in the exported graph, as in Keras 3.15.1 (`ReLU(threshold=0.3)` of
    `[nan, 1, -2]` is `[0, 1, 0]` there: its `where(x > threshold, x, 0)` reads NaN as not above)."""
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(3,), name="b")
    relus = [
        layers.ReLU(max_value=0.5),
        layers.ReLU(threshold=0.3),
        layers.ReLU(max_value=1.5, threshold=0.3),
    ]
    outputs = [relu(a) for relu in relus] + [layers.Maximum()([a, b]), layers.Minimum()([a, b])]
    model = keras.Model([a, b], layers.Concatenate()(outputs))
    model.export(tmp_path / "m.onnx", format="onnx", verbose=False)
    x = np.array([[np.nan, 1.0, -2.0], [0.4, -1.0, 9.0]], np.float32)
    y = np.array([[0.5, np.nan, 3.0], [np.nan, 2.0, 1.0]], np.float32)
    want = model.predict([x, y], verbose=0)
    nan_x, no_nan = np.isnan(x), np.zeros_like(x, bool)
    either = np.isnan(x) | np.isnan(y)
    np.testing.assert_array_equal(
        np.isnan(want), np.concatenate([nan_x, no_nan, no_nan, either, either], axis=1)
    )
    np.testing.assert_array_equal(want[0, 3:9], [0, 1, 0, 0, 1, 0])
    session = _session(tmp_path / "m.onnx")
    np.testing.assert_allclose(session.run(None, {"a": x, "b": y})[0], want, rtol=1e-6)


@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("scale", [True, False])
def test_layer_normalization_with_or_without_its_weights(center: bool, scale: bool, tmp_path: Path) -> None:
    model = keras.Sequential([keras.Input(shape=(4,)), layers.LayerNormalization(center=center, scale=scale)])
    _randomize(model, seed=3)
    layer = model.layers[0]
    # As Keras: None for a weight the layer does not have.
    assert (layer.gamma is None, layer.beta is None) == (not scale, not center)
    model.export(tmp_path / "m.onnx", format="onnx", verbose=False)
    _assert_runs_as_predict(model, tmp_path / "m.onnx", 4)
