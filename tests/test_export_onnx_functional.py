"""``model.export(path, format="onnx")`` of real Functional models (``keras.Model(inputs, outputs)``): chains,
several inputs (a list or a dict) joined by every merge layer, every layer kind keras_lite has (Normalization
included, also in a Sequential), trained, loaded from a ``.keras`` file; ONNX Runtime runs each graph with
``model.predict``'s results (1e-6) at batch sizes 1 and 7."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers
from test_export_onnx import _randomize


def _session(path: Path) -> Any:
    """An ONNX Runtime session of the exported file (checked by onnx.checker first)."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    return ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])


def _ops(path: Path) -> set[str]:
    onnx = pytest.importorskip("onnx")
    return {node.op_type for node in onnx.load(str(path)).graph.node}


def _export(model: Any, path: Path, **kwargs: Any) -> Any:
    model.export(path, format="onnx", verbose=False, **kwargs)
    return _session(path)


def _assert_runs_as_predict(
    model: Any, session: Any, widths: dict[str, int], scale: float = 2.0, as_dict: bool = False
) -> None:
    """ONNX Runtime, fed by input name, gives ``model.predict``'s result on the same data (a dict by name with
    ``as_dict``, else a list in ``model.inputs`` order, the graph's input order), at batch sizes 1 and 7."""
    assert [(i.name, i.shape) for i in session.get_inputs()] == [
        (name, ["batch", w]) for name, w in widths.items()
    ]
    rng = np.random.default_rng(len(widths))
    for n in (1, 7):  # one graph, two batch sizes: the batch dimension is dynamic
        feed = {name: (rng.normal(size=(n, w)) * scale).astype(np.float32) for name, w in widths.items()}
        (got,) = session.run(None, feed)
        x = feed if as_dict else list(feed.values()) if len(feed) > 1 else feed[next(iter(feed))]
        want = model.predict(x, verbose=0)
        assert got.shape == (n, model.output_shape[1])
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_a_chain(tmp_path: Path) -> None:
    # The tester's repro: Input -> Dense(relu) -> Dense gives MatMul, Add and Relu, as the Sequential does.
    x = keras.Input(shape=(3,), name="x")
    model = keras.Model(x, layers.Dense(1)(layers.Dense(4, activation="relu")(x)))
    _randomize(model, seed=1)
    session = _export(model, tmp_path / "m.onnx")
    assert [(o.name, o.shape) for o in session.get_outputs()] == [("output_0", ["batch", 1])]
    assert _ops(tmp_path / "m.onnx") == {"MatMul", "Add", "Relu"}
    _assert_runs_as_predict(model, session, {"x": 3})


def _every_layer(norm: Any) -> list[Any]:
    return [
        norm,
        layers.Dense(8, activation="gelu"),
        layers.BatchNormalization(epsilon=0.01),
        layers.Dropout(0.5),
        layers.Activation("selu"),
        layers.Dense(6, use_bias=False),
        layers.BatchNormalization(center=False, scale=False),
        layers.Dense(3, activation="softmax"),
    ]


def test_every_layer_kind_as_functional_and_sequential(tmp_path: Path) -> None:
    # One stack of every single-input layer kind, a Functional chain and a Sequential with the same weights:
    # both export, and both graphs run as predict.
    data = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 4)).astype(np.float32)
    norm = layers.Normalization()
    norm.adapt(data)
    x = keras.Input(shape=(4,), name="features")
    y = x
    for layer in _every_layer(norm):
        y = layer(y)
    functional = keras.Model(x, y)
    _randomize(functional, seed=2)
    norm_seq = layers.Normalization()
    norm_seq.adapt(data)
    sequential = keras.Sequential([keras.Input(shape=(4,), name="features"), *_every_layer(norm_seq)])
    sequential.set_weights(functional.get_weights())
    for name, model in (("f", functional), ("s", sequential)):
        session = _export(model, tmp_path / f"{name}.onnx")
        ops = _ops(tmp_path / f"{name}.onnx")
        assert {"Sub", "Div", "BatchNormalization", "Erf", "Selu", "Softmax"} <= ops
        _assert_runs_as_predict(model, session, {"features": 4}, scale=3.0)
    np.testing.assert_allclose(functional.predict(data, verbose=0), sequential.predict(data, verbose=0))


@pytest.mark.parametrize("invert", [False, True])
@pytest.mark.parametrize("axis", [-1, None])
def test_normalization(invert: bool, axis: Any, tmp_path: Path) -> None:
    # Given statistics, a zero variance among them (its scale is the floor, 1e-7), per feature or one for all;
    # with invert the graph writes mean + x * scale.
    mean, variance = ([1.0, -2.0, 0.5], [4.0, 0.0, 0.25]) if axis else (1.5, 0.0 if invert else 2.0)
    norm = layers.Normalization(axis=axis, mean=mean, variance=variance, invert=invert)
    model = keras.Sequential([keras.Input(shape=(3,), name="x"), norm])
    session = _export(model, tmp_path / "s.onnx")
    assert _ops(tmp_path / "s.onnx") == ({"Mul", "Add"} if invert else {"Sub", "Div"})
    # Small inputs: a 1e7 scale keeps the results in float32's range.
    _assert_runs_as_predict(model, session, {"x": 3}, scale=1e-3)
    x = keras.Input(shape=(3,), name="x")
    norm = layers.Normalization(axis=axis, mean=mean, variance=variance, invert=invert)
    functional = keras.Model(x, layers.Dense(2)(norm(x)))
    _randomize(functional, seed=3)
    _assert_runs_as_predict(functional, _export(functional, tmp_path / "f.onnx"), {"x": 3}, scale=1e-3)


def _merged_model() -> Any:
    """Three inputs, a Dense branch on each, every merge layer, a BatchNormalization after a merge."""
    a, b, c = (keras.Input(shape=(w,), name=n) for n, w in (("a", 3), ("b", 5), ("c", 2)))
    ha, hb, hc = layers.Dense(4, "tanh")(a), layers.Dense(4, "elu")(b), layers.Dense(4)(c)
    merged = [
        layers.Add()([ha, hb]),
        layers.Add()([ha, hb, hc]),  # ONNX Sum
        layers.Subtract()([hc, ha]),
        layers.Multiply()([ha, hb, hc]),
        layers.Average()([ha, hb, hc]),
        layers.Maximum()([ha, hb, hc]),
        layers.Minimum()([hb, hc]),
        c,  # an input read by two layers
    ]
    joined = layers.BatchNormalization()(layers.Concatenate()(merged))
    out = layers.Dense(2, activation="sigmoid")(layers.Dropout(0.3)(joined))
    return keras.Model([a, b, c], out, name="merged")


def test_several_inputs_and_every_merge(tmp_path: Path) -> None:
    model = _merged_model()
    _randomize(model, seed=4)
    session = _export(model, tmp_path / "m.onnx")
    assert {"Add", "Sum", "Sub", "Mul", "Mean", "Max", "Min", "Concat"} <= _ops(tmp_path / "m.onnx")
    assert session.get_outputs()[0].shape == ["batch", 2]
    _assert_runs_as_predict(model, session, {"a": 3, "b": 5, "c": 2})


def test_input_signature_names_the_inputs(tmp_path: Path) -> None:
    model = _merged_model()
    signature = [keras.Input(shape=(3,), name="left"), np.zeros((2, 5), np.float32), keras.Input(shape=(2,))]
    session = _export(model, tmp_path / "m.onnx", input_signature=signature)
    auto = signature[2].name  # a keras.Input's own (automatic) name
    assert [(i.name, i.shape) for i in session.get_inputs()] == [
        ("left", ["batch", 3]),
        ("b", ["batch", 5]),
        (auto, ["batch", 2]),
    ]
    with pytest.raises(ValueError, match="one spec per model input: the model has 3"):
        model.export(tmp_path / "bad.onnx", format="onnx", input_signature=[keras.Input(shape=(3,))])
    with pytest.raises(ValueError, match="its input 1 is 5 wide"):
        bad = [np.zeros((1, w), np.float32) for w in (3, 4, 2)]
        model.export(tmp_path / "bad.onnx", format="onnx", input_signature=bad)
    assert not (tmp_path / "bad.onnx").exists()


def test_dict_inputs_are_named_by_their_keys(tmp_path: Path) -> None:
    # model.inputs sorts a dict by key: the graph's inputs come in that order, named as the dict's keys (what
    # predict's data dict is keyed by).
    wide, deep = keras.Input(shape=(2,), name="wide"), keras.Input(shape=(3,), name="deep")
    out = layers.Dense(1)(layers.Concatenate()([wide, layers.Dense(4, "relu")(deep)]))
    model = keras.Model({"wide": wide, "deep": deep}, out)
    _randomize(model, seed=5)
    session = _export(model, tmp_path / "m.onnx")
    _assert_runs_as_predict(model, session, {"deep": 3, "wide": 2}, as_dict=True)


def test_an_input_the_output_does_not_read(tmp_path: Path) -> None:
    # Keras keeps such an input (predict wants its data), and so does the graph.
    a, unused = keras.Input(shape=(2,), name="a"), keras.Input(shape=(3,), name="unused")
    model = keras.Model([a, unused], layers.Dense(2)(a))
    _randomize(model, seed=6)
    _assert_runs_as_predict(model, _export(model, tmp_path / "m.onnx"), {"a": 2, "unused": 3})


@pytest.mark.parametrize("device", DEVICES)
def test_a_trained_model_and_its_keras_file(device: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    xa, xb = rng.normal(size=(64, 3)).astype(np.float32), rng.normal(size=(64, 2)).astype(np.float32)
    y = (xa[:, :1] - 2 * xb[:, 1:] > 0).astype(np.float32)
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    joined = layers.Concatenate()([layers.Dense(8, "relu")(a), b])
    out = layers.Dense(1, "sigmoid")(layers.BatchNormalization()(joined))
    model = keras.Model([a, b], out, device=device)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit([xa, xb], y, epochs=3, batch_size=16, verbose=0)
    _assert_runs_as_predict(model, _export(model, tmp_path / "m.onnx"), {"a": 3, "b": 2}, scale=1.0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    _assert_runs_as_predict(model, _export(loaded, tmp_path / "loaded.onnx"), {"a": 3, "b": 2}, scale=1.0)


def test_a_layer_it_cannot_export_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every layer keras_lite has exports; were one not to, the error names that layer, not an InputLayer.
    pytest.importorskip("onnx")
    from keras_lite import _onnx_ops

    monkeypatch.delitem(_onnx_ops.LAYERS, "Normalization")
    x = keras.Input(shape=(2,), name="x")
    model = keras.Model(x, layers.Dense(1)(layers.Normalization(mean=0.0, variance=1.0, name="norm")(x)))
    with pytest.raises(keras.NotSupportedError, match=r"cannot export the layer 'norm' \(Normalization\)"):
        model.export(tmp_path / "m.onnx", format="onnx")
    assert not (tmp_path / "m.onnx").exists()
