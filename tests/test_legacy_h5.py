"""Keras's legacy HDF5 model files (``model.save("model.h5")``): the files Keras 3 and tf.keras 2 write load,
predict as their library did and (Keras 3's) resume training to Keras's weights; keras_lite writes them as Keras
3 does (Keras loads them and resumes); ``load_weights`` reads them in order or by name; damaged or hostile files
are refused with a ``ValueError``.

Fixtures: ``tests/fixtures/legacy_h5/`` (``make_legacy_h5_fixtures.py``: Keras 3.15.1 and tf-keras 2.21.0).
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import warnings
import zipfile
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import keras_lite as keras
from _keras_side import run_jobs
from keras_lite import _h5attrs, _h5read, layers

HERE = os.path.dirname(__file__)
FIXTURES = os.path.join(HERE, "fixtures", "legacy_h5")
KERAS3 = ["k3_sequential", "k3_functional", "k3_nested"]
KERAS2 = ["k2_sequential", "k2_functional", "k2_sgd"]
RESUMED = [*KERAS3, "k2_functional", "k2_sgd"]  # the fixtures without Dropout
HAVE_KERAS = all(importlib.util.find_spec(m) is not None for m in ("keras", "tensorflow"))
FRESH = "Error in loading the saved optimizer state"
LEARNING_RATES = {"k3_functional": 0.05, "k2_sgd": 0.05}


def _x(name: str) -> Any:
    x = dict(np.load(os.path.join(FIXTURES, f"{name}.x.npz")))
    return x if len(x) > 1 else x["x"]


def _load(path: str, **kwargs: Any) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = keras.models.load_model(path, **kwargs)
    return model, [str(w.message) for w in caught]


@pytest.mark.parametrize("name", KERAS3 + KERAS2)
def test_legacy_files_load_and_predict_as_their_library_did(name: str) -> None:
    model, messages = _load(os.path.join(FIXTURES, f"{name}.h5"))
    expected = np.load(os.path.join(FIXTURES, f"{name}.pred.npy"))
    np.testing.assert_allclose(model.predict(_x(name), verbose=0), expected, rtol=1e-5, atol=1e-6)
    assert model.compiled and not messages
    assert float(model.optimizer.learning_rate) == pytest.approx(LEARNING_RATES.get(name, 0.01))
    # tf.keras 2's optimizer state too (Keras 3 starts such a model with a fresh optimizer).
    assert int(model.optimizer.iterations) == 8


@pytest.mark.parametrize("name", RESUMED)
def test_legacy_files_resume_training_to_their_librarys_weights(name: str) -> None:
    """One more epoch from the loaded state ends where the library that wrote the file ended: Keras 3's files,
    and tf.keras 2's, whose slots are found by name ("RMSprop/velocity/dense_2/kernel:0")."""
    model, _ = _load(os.path.join(FIXTURES, f"{name}.h5"))
    data = np.load(os.path.join(FIXTURES, f"{name}.resume.npz"))
    xs = {k[2:]: data[k] for k in data.files if k.startswith("x_")}
    model.fit(xs if len(xs) > 1 else xs["x"], data["y"], batch_size=16, epochs=1, shuffle=False, verbose=0)
    weights = model.get_weights()
    assert len(weights) == len([k for k in data.files if k.startswith("w")])
    for i, w in enumerate(weights):
        np.testing.assert_allclose(w, data[f"w{i}"], rtol=1e-5, atol=1e-6, err_msg=f"weight {i}")
    assert int(model.optimizer.iterations) == int(data["iterations"])


@pytest.mark.parametrize("name", KERAS2)
def test_tf_keras2_files_train_on_with_their_compile_settings(name: str) -> None:
    model, _ = _load(os.path.join(FIXTURES, f"{name}.h5"))
    rng = np.random.default_rng(0)
    x = _x(name)
    rows = len(next(iter(x.values()))) if isinstance(x, dict) else len(x)
    y = (rng.random((rows, 1)) < 0.5).astype(np.float32)
    history = model.fit(x, y, epochs=2, verbose=0).history
    metrics = {"k2_functional": ["accuracy"], "k2_sequential": ["mae"]}.get(name, [])
    assert sorted(history) == sorted(["loss", *metrics])
    assert np.isfinite(history["loss"]).all()


def test_compile_false_loads_for_inference() -> None:
    model, messages = _load(os.path.join(FIXTURES, "k2_functional.h5"), compile=False)
    assert not model.compiled and not messages
    np.testing.assert_allclose(
        model.predict(_x("k2_functional"), verbose=0),
        np.load(os.path.join(FIXTURES, "k2_functional.pred.npy")),
        rtol=1e-5,
        atol=1e-6,
    )


def _functional() -> Any:
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    h = layers.Dense(4, activation="relu")(layers.Concatenate()([a, b]))
    return keras.Model([a, b], layers.Dense(1, activation="sigmoid")(layers.BatchNormalization()(h)))


def test_load_weights_reads_legacy_weights_files_in_order() -> None:
    """tf.keras 2's ``save_weights("w.h5")`` and a whole model file: weights matched to the layers in order, so
    layer names need not agree (the file's are dense_2, dense_3)."""
    expected = np.load(os.path.join(FIXTURES, "k2_functional.pred.npy"))
    for path in ("k2_functional.weights-only.h5", "k2_functional.h5"):
        model = _functional()
        model.load_weights(os.path.join(FIXTURES, path))
        np.testing.assert_allclose(
            model.predict(_x("k2_functional"), verbose=0), expected, rtol=1e-5, atol=1e-6
        )
    with open(
        os.path.join(FIXTURES, "k2_functional.h5"), "rb"
    ) as f:  # a file object, told apart by its bytes
        model = _functional()
        model.load_weights(f)
    np.testing.assert_allclose(model.predict(_x("k2_functional"), verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_load_weights_by_name_skips_layers_the_file_lacks() -> None:
    seq = keras.Sequential(
        [keras.Input((4,)), layers.Dense(8, activation="relu", name="dense"), layers.Dense(3, name="other")]
    )
    before = seq.get_weights()
    seq.load_weights(os.path.join(FIXTURES, "k2_sequential.h5"), by_name=True)
    with h5py.File(os.path.join(FIXTURES, "k2_sequential.h5")) as f:
        kernel = f["model_weights/dense/dense/kernel:0"][()]
    after = seq.get_weights()
    np.testing.assert_array_equal(after[0], kernel)
    for kept, was in zip(after[2:], before[2:]):
        np.testing.assert_array_equal(kept, was)
    with pytest.raises(ValueError, match="Layer count mismatch"):
        seq.load_weights(os.path.join(FIXTURES, "k3_functional.h5"))


def _models() -> dict[str, tuple[Any, Any, np.ndarray]]:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 5)).astype(np.float32)
    y = rng.normal(size=(64, 1)).astype(np.float32)
    seq = keras.Sequential(
        [keras.Input((5,)), layers.Dense(8, activation="relu"), layers.BatchNormalization(), layers.Dense(1)]
    )
    seq.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    fun = _functional()
    fun.compile(keras.optimizers.SGD(0.05, momentum=0.9), "binary_crossentropy", metrics=["accuracy"])
    block = keras.Sequential(
        [layers.Dense(6, activation="relu"), layers.BatchNormalization(), layers.Dense(4)]
    )
    inp = keras.Input((5,), name="x")
    nested = keras.Model(inp, layers.Dense(1, name="head")(block(inp)))
    nested.compile(keras.optimizers.RMSprop(0.01), "mean_squared_error")
    two = [x[:, :3], x[:, 3:]]
    out = {
        "sequential": (seq, x, y),
        "functional": (fun, two, (y > 0).astype(np.float32)),
        "nested": (nested, x, y),
    }
    for model, xs, ys in out.values():
        model.fit(xs, ys, batch_size=16, epochs=2, verbose=0)
    return out


@pytest.mark.parametrize("kind", ["sequential", "functional", "nested"])
def test_save_h5_round_trip_keeps_the_optimizer_state(tmp_path: Path, kind: str) -> None:
    model, x, y = _models()[kind]
    path = tmp_path / "model.h5"
    with pytest.warns(UserWarning, match="This file format is considered legacy"):
        model.save(path)
    loaded, messages = _load(str(path))
    assert not messages
    assert type(loaded) is type(model) and [a.name for a in loaded.layers] == [b.name for b in model.layers]
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-7
    )
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations)
    # Keras 3's legacy loader makes a metric name its object ("mae": MeanAbsoluteError); "accuracy" stays.
    objects = {"mae": "MeanAbsoluteError"}
    given, read = model.get_compile_config()["metrics"], loaded.get_compile_config()["metrics"]
    assert (given is None) == (read is None)  # None for a compile given no metrics, as in Keras
    want = [objects.get(m, m) for m in given or []]
    got = [m if isinstance(m, str) else m["class_name"] for m in read or []]
    assert got == want
    for m in (model, loaded):
        m.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_save_h5_layout_is_keras3s(tmp_path: Path) -> None:
    model, _, _ = _models()["sequential"]
    with pytest.warns(UserWarning, match="legacy"):
        model.save(tmp_path / "new" / "m.hdf5", include_optimizer=False)  # the folder made, as Keras makes it
    with h5py.File(tmp_path / "new" / "m.hdf5") as f:
        assert "training_config" not in f.attrs  # Keras writes none without the optimizer
    with pytest.warns(UserWarning, match="legacy"):
        model.save(tmp_path / "new" / "m.hdf5")
    with h5py.File(tmp_path / "new" / "m.hdf5") as f:
        config = json.loads(f.attrs["model_config"])
        training = json.loads(f.attrs["training_config"])
        names = [n.decode() if isinstance(n, bytes) else n for n in f["model_weights"].attrs["layer_names"]]
        kernel = f["model_weights/dense/sequential/dense/kernel"][()]
        assert "optimizer_weights" in f
    assert config["class_name"] == "Sequential" and "module" not in config["config"]["layers"][1]
    assert training["loss"] == "mean_squared_error" and training["metrics"] == ["mae"]
    assert training["optimizer_config"]["class_name"] == "Adam"
    assert names == [layer.name for layer in model.layers]
    np.testing.assert_array_equal(kernel, model.layers[0].get_weights()[0])
    loaded, _ = _load(str(tmp_path / "new" / "m.hdf5"))  # compiled from the file, with its optimizer's state
    assert loaded.compiled and int(loaded.optimizer.iterations) == int(model.optimizer.iterations)
    uncompiled = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    with pytest.warns(UserWarning, match="legacy"):
        uncompiled.save(tmp_path / "u.h5")
    assert not _load(str(tmp_path / "u.h5"))[0].compiled


def test_model_checkpoint_writes_legacy_model_files(tmp_path: Path) -> None:
    model, x, y = _models()["sequential"]
    path = str(tmp_path / "best.h5")
    check = keras.callbacks.ModelCheckpoint(path, monitor="loss", save_best_only=True)
    with pytest.warns(UserWarning, match="legacy"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[check])
    loaded, _ = _load(path)
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-7
    )


def test_attributes_of_every_string_kind() -> None:
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        g = f.create_group("g")
        g.attrs["vlen"] = "é text"
        g.attrs["fixed"] = np.bytes_(b"fixed")
        g.attrs["names"] = [b"a", b"bc"]
        g.attrs["vnames"] = ["x", "yz"]
        g.attrs["empty"] = []
        g.attrs["numbers"] = np.arange(3, dtype=np.int32)
    got = _h5attrs.attributes(_h5read.File(buf.getvalue()).root.get("g"))
    assert got["vlen"] == "é text" and got["fixed"] == "fixed"
    assert got["names"] == ["a", "bc"] and got["vnames"] == ["x", "yz"]
    assert got["empty"].size == 0
    np.testing.assert_array_equal(got["numbers"], [0, 1, 2])


def _fixture_bytes(name: str) -> bytes:
    with open(os.path.join(FIXTURES, f"{name}.h5"), "rb") as f:
        return f.read()


def test_damaged_legacy_files_are_refused_with_a_value_error(tmp_path: Path) -> None:
    """1 to 3 random bytes of a valid file changed, 150 times: each load either works or raises ValueError."""
    rng = np.random.default_rng(7)
    for name in ("k3_functional", "k2_sequential"):
        data = _fixture_bytes(name)
        for trial in range(75):
            damaged = bytearray(data)
            for pos in rng.integers(0, len(data), size=int(rng.integers(1, 4))):
                damaged[pos] = int(rng.integers(0, 256))
            path = tmp_path / f"{name}-{trial}.h5"
            path.write_bytes(bytes(damaged))
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    keras.models.load_model(path)
            except ValueError:
                pass


def test_a_config_larger_than_its_file_is_refused_before_it_is_built(tmp_path: Path) -> None:
    """The config is read against what the file's bytes can hold (4 bytes a parameter), as for `.keras` files."""
    path = tmp_path / "huge.h5"
    path.write_bytes(_fixture_bytes("k3_sequential"))
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        config["config"]["layers"][1]["config"]["units"] = 10**9
        f.attrs["model_config"] = json.dumps(config).encode()
    with pytest.raises(ValueError, match="more than the file's weights can hold"):
        keras.models.load_model(path)


def test_a_weights_only_file_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no model_config"):
        keras.models.load_model(os.path.join(FIXTURES, "k2_functional.weights-only.h5"))


@pytest.mark.skipif(not HAVE_KERAS, reason="Keras 3 with TensorFlow is not installed")
def test_keras_loads_keras_lite_h5_files(tmp_path: Path) -> None:
    """Keras 3 loads the files, compiled, with their optimizer's step count, and predicts as keras_lite. (Keras
    3.15 cannot resume training from any legacy file, its own included: its optimizer refuses the variables
    it was built with, "Unknown variable".)"""
    jobs, expected = [], {}
    for kind, (model, x, _) in _models().items():
        with pytest.warns(UserWarning, match="legacy"):
            model.save(tmp_path / f"{kind}.h5")
        xs = {"a": x[0], "b": x[1]} if isinstance(x, list) else x
        suffix = "npz" if isinstance(xs, dict) else "npy"
        if isinstance(xs, dict):
            np.savez(tmp_path / f"{kind}.x.npz", **xs)
        else:
            np.save(tmp_path / f"{kind}.x.npy", xs)
        expected[kind] = (model.predict(x, verbose=0), int(model.optimizer.iterations))
        jobs.append(
            {
                "model": str(tmp_path / f"{kind}.h5"),
                "x": str(tmp_path / f"{kind}.x.{suffix}"),
                "out": str(tmp_path / f"{kind}.out.npz"),
                "resume": None,
            }
        )
    run_jobs(tmp_path, jobs)
    for kind, (pred, iterations) in expected.items():
        got = np.load(tmp_path / f"{kind}.out.npz")
        np.testing.assert_allclose(got["pred"], pred, rtol=1e-5, atol=1e-6, err_msg=kind)
        assert int(got["loaded_iterations"]) == iterations, kind


@pytest.mark.parametrize("name", KERAS2)
def test_model_from_json_reads_tf_keras2_configs(name: str) -> None:
    """tf.keras 2's config layout (``batch_input_shape`` on the first layer, ``inbound_nodes`` as nested lists,
    BatchNormalization's axis as a list), as Keras 3 reads it, in ``model_from_json`` too."""
    with h5py.File(os.path.join(FIXTURES, f"{name}.h5")) as f:
        text = f.attrs["model_config"]
    model = keras.models.model_from_json(text)
    reference, _ = _load(os.path.join(FIXTURES, f"{name}.h5"))
    assert [type(a) for a in model.layers] == [type(b) for b in reference.layers]
    model.set_weights(reference.get_weights())
    np.testing.assert_allclose(
        model.predict(_x(name), verbose=0), reference.predict(_x(name), verbose=0), rtol=1e-6, atol=1e-7
    )


def test_frozen_layers_inside_a_nested_model_round_trip(tmp_path: Path) -> None:
    """A nested model's weights are listed trainable first, so a frozen layer inside it moves to the end of its
    list (as Keras writes it); loading puts each value back on its own weight."""
    block = keras.Sequential([layers.Dense(3), layers.Dense(4, activation="tanh"), layers.Dense(2)])
    inp = keras.Input((5,), name="x")
    model = keras.Model(inp, layers.Dense(1)(block(inp)))
    block.layers[0].trainable = False
    rng = np.random.default_rng(3)
    model.set_weights([rng.normal(size=w.shape).astype(np.float32) for w in model.get_weights()])
    with pytest.warns(UserWarning, match="legacy"):
        model.save(tmp_path / "frozen.h5")
    with h5py.File(tmp_path / "frozen.h5") as f:
        names = [
            n.decode() if isinstance(n, bytes) else n
            for n in f[f"model_weights/{block.name}"].attrs["weight_names"]
        ]
    assert names[-2:] == [v.path for v in block.layers[0].weights]
    loaded, _ = _load(str(tmp_path / "frozen.h5"))
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", KERAS2)
def test_tf_keras2_keras_files_load_and_resume(name: str) -> None:
    """tf.keras 2.13+ writes `.keras` files too (Keras 3.15 loads neither of two tried): their optimizer state
    is the step count then the slots in Keras 3's order, without a learning-rate variable."""
    model, messages = _load(os.path.join(FIXTURES, f"{name}.keras"))
    expected = np.load(os.path.join(FIXTURES, f"{name}.pred.npy"))
    np.testing.assert_allclose(model.predict(_x(name), verbose=0), expected, rtol=1e-5, atol=1e-6)
    assert model.compiled and int(model.optimizer.iterations) == 8 and not messages
    assert float(model.optimizer.learning_rate) == pytest.approx(LEARNING_RATES.get(name, 0.01))
    if name not in RESUMED:
        return
    data = np.load(os.path.join(FIXTURES, f"{name}.resume.npz"))
    xs = {k[2:]: data[k] for k in data.files if k.startswith("x_")}
    model.fit(xs if len(xs) > 1 else xs["x"], data["y"], batch_size=16, epochs=1, shuffle=False, verbose=0)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, data[f"w{i}"], rtol=1e-5, atol=1e-6, err_msg=f"weight {i}")


def test_a_tf_keras2_keras_file_of_another_optimizer_layout_starts_afresh(tmp_path: Path) -> None:
    """Slots whose shapes are not Keras 3's order for the optimizer: the model loads with a fresh optimizer and
    Keras's warning, rather than with slots on the wrong weights."""
    source = os.path.join(FIXTURES, "k2_sgd.keras")
    with zipfile.ZipFile(source) as zin:
        members = {name: zin.read(name) for name in zin.namelist()}
    buf = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buf, "r+") as f:
        store = f["optimizer/vars"]
        end = str(len(store) - 1)
        first, last = store["1"][()], store[end][()]
        assert first.shape != last.shape
        del store["1"]
        del store[end]
        store["1"] = last
        store[end] = first
    members["model.weights.h5"] = buf.getvalue()
    with zipfile.ZipFile(tmp_path / "swapped.keras", "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    model, messages = _load(str(tmp_path / "swapped.keras"))
    assert any(FRESH in m for m in messages) and int(model.optimizer.iterations) == 0
    np.testing.assert_allclose(
        model.predict(_x("k2_sgd"), verbose=0),
        np.load(os.path.join(FIXTURES, "k2_sgd.pred.npy")),
        rtol=1e-5,
        atol=1e-6,
    )


def _keras2_layer(name: str, units: int, activation: str, first: bool) -> dict[str, Any]:
    init = {
        "class_name": "VarianceScaling",
        "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform"},
    }
    config: dict[str, Any] = {"name": name, "trainable": True, "units": units, "activation": activation}
    if first:
        config.update(batch_input_shape=[None, 4], dtype="float32")
    config.update(
        use_bias=True, kernel_initializer=init, bias_initializer={"class_name": "Zeros", "config": {}}
    )
    config.update({k: None for k in ("kernel_regularizer", "bias_regularizer", "activity_regularizer")})
    return {"class_name": "Dense", "config": config}


def _write_keras2_file(path: Path, layout: str, weights: list[np.ndarray]) -> None:
    """A model file in standalone Keras 2's layout (2.2.4; ``"list"``: 2.1's bare list of layers; ``"model"``:
    a Functional ``Model``), with h5py 2's fixed-length string attributes, as those versions wrote them. Built
    here from Keras 2.2.4's documented layout: that Keras does not run on this Python."""
    dense = [_keras2_layer("dense_1", 6, "relu", True), _keras2_layer("dense_2", 1, "sigmoid", False)]
    if layout == "model":
        inp = {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": []}
        inp["config"] = {
            "batch_input_shape": [None, 4],
            "dtype": "float32",
            "sparse": False,
            "name": "input_1",
        }
        for layer, source in zip(dense, ("input_1", "dense_1")):
            layer.update(name=layer["config"]["name"], inbound_nodes=[[[source, 0, 0, {}]]])
        model: dict[str, Any] = {
            "class_name": "Model",
            "config": {"name": "model_1", "layers": [inp, *dense]},
        }
        model["config"].update(input_layers=[["input_1", 0, 0]], output_layers=[["dense_2", 0, 0]])
    else:
        model = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": dense}}
        if layout == "list":
            model["config"] = dense
    adam = {"lr": 0.01, "beta_1": 0.9, "beta_2": 0.999, "decay": 0.001, "epsilon": 1e-07, "amsgrad": False}
    training = {
        "optimizer_config": {"class_name": "Adam", "config": adam},
        "loss": "binary_crossentropy",
        "metrics": ["acc"],
        "sample_weight_mode": None,
        "loss_weights": None,
    }
    names = ["dense_1", "dense_2"]
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = np.bytes_(b"2.2.4")
        f.attrs["backend"] = np.bytes_(b"tensorflow")
        f.attrs["model_config"] = np.bytes_(json.dumps(model).encode())
        f.attrs["training_config"] = np.bytes_(json.dumps(training).encode())
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = np.array(
            [n.encode() for n in (["input_1"] * (layout == "model") + names)]
        )
        group.attrs["backend"] = np.bytes_(b"tensorflow")
        group.attrs["keras_version"] = np.bytes_(b"2.2.4")
        if layout == "model":
            group.create_group("input_1").attrs["weight_names"] = np.array([], dtype="S1")
        for i, name in enumerate(names):
            store = group.create_group(name)
            store.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()])
            store.create_dataset(f"{name}/kernel:0", data=weights[2 * i])
            store.create_dataset(f"{name}/bias:0", data=weights[2 * i + 1])
        opt = f.create_group("optimizer_weights")
        opt.attrs["weight_names"] = np.array([b"training/Adam/Variable:0"])
        opt.create_dataset("training/Adam/Variable:0", data=np.zeros((4, 6), np.float32))


@pytest.mark.parametrize("layout", ["sequential", "list", "model"])
def test_standalone_keras2_files_load(tmp_path: Path, layout: str) -> None:
    """Keras 2.1-2.3 files: their configs, ``lr`` and the time-based ``decay`` (Keras 2's
    ``lr / (1 + decay * iterations)``, which is ``InverseTimeDecay`` with ``decay_steps=1``)."""
    rng = np.random.default_rng(5)
    weights = [rng.normal(size=s).astype(np.float32) for s in ((4, 6), (6,), (6, 1), (1,))]
    path = tmp_path / "old.h5"
    _write_keras2_file(path, layout, weights)
    model, messages = _load(str(path))
    assert any(FRESH in m for m in messages)  # its optimizer state is another layout: a fresh optimizer
    x = rng.normal(size=(7, 4)).astype(np.float32)
    hidden = np.maximum(x @ weights[0] + weights[1], 0)
    expected = 1 / (1 + np.exp(-(hidden @ weights[2] + weights[3])))
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    schedule = model.optimizer.get_config()["learning_rate"]
    assert schedule["class_name"] == "InverseTimeDecay"
    assert schedule["config"]["initial_learning_rate"] == pytest.approx(0.01)
    assert schedule["config"]["decay_steps"] == 1 and schedule["config"]["decay_rate"] == pytest.approx(0.001)
    history = model.fit(x, (x[:, :1] > 0).astype(np.float32), epochs=1, verbose=0).history
    assert sorted(history) == ["acc", "loss"]


def test_an_endless_legacy_file_is_refused(tmp_path: Path) -> None:
    """A legacy path that never ends (a device behind the name) is read to a bound, not to the end: the
    weights a model can need and its configs, or 1 GiB where the size is not known first."""
    endless = tmp_path / "endless.h5"
    os.symlink("/dev/zero", endless)
    model = _functional()
    with pytest.raises(ValueError, match="endless.h5"):
        model.load_weights(endless)
    with pytest.raises(ValueError, match="endless.h5"):
        keras.models.load_model(endless)


def test_a_model_saved_before_it_was_built_loads_unbuilt(tmp_path: Path) -> None:
    model = keras.Sequential([layers.Dense(3), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    with pytest.warns(UserWarning, match="legacy"):
        model.save(tmp_path / "unbuilt.h5")
    loaded, _ = _load(str(tmp_path / "unbuilt.h5"))
    assert not loaded.built and loaded.compiled
    loaded.fit(np.ones((4, 2), np.float32), np.ones((4, 1), np.float32), verbose=0)  # built on its first data
    assert loaded.built and int(loaded.optimizer.iterations) == 1


def test_by_name_is_for_legacy_files_only(tmp_path: Path) -> None:
    model = _functional()
    model.save_weights(tmp_path / "w.weights.h5")
    with (
        open(tmp_path / "w.weights.h5", "rb") as f,
        pytest.raises(ValueError, match="by_name=True reads legacy"),
    ):
        model.load_weights(f, by_name=True)  # a file object: its bytes tell its kind
    with pytest.raises(ValueError, match=r"unexpected keyword arguments: \['by_name'\]"):
        model.load_weights(tmp_path / "w.weights.h5", by_name=True)
