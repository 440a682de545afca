"""keras_lite.saving: Keras 3 ``.keras`` / ``.weights.h5`` files both ways, atomic writes, bad files, pickling.

Files written by Keras come from tests/fixtures/make_keras_fixtures.py (committed, so no Keras is needed);
the keras_lite -> Keras direction runs real Keras in a subprocess and is skipped where it is not installed.
"""

from __future__ import annotations

import copy
import glob
import importlib.util
import io
import json
import os
import pickle
import re
import sys
import warnings
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

import keras_lite as keras
from _keras_side import run_jobs
from keras_lite import _keras_config_read, layers

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
FIXTURE_NAMES = sorted(os.path.basename(p)[: -len(".keras")] for p in glob.glob(f"{FIXTURES}/*.keras"))
HAVE_KERAS = (
    importlib.util.find_spec("keras") is not None and importlib.util.find_spec("tensorflow") is not None
)


def _data(n: int = 64, features: int = 5, width: int = 1, binary: bool = False, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(np.float32)
    y = (rng.random((n, width)) < 0.5) if binary else rng.normal(size=(n, width))
    return x, y.astype(np.float32)


def _trained(optimizer="adam", loss="mse", metrics=("mae",), dropout=True, width=1, binary=False, epochs=2):
    stack = [keras.Input(shape=(5,)), layers.Dense(8, activation="relu"), layers.BatchNormalization()]
    stack += [layers.Dropout(0.2)] if dropout else []
    stack += [layers.Activation("tanh"), layers.Dense(width, activation="sigmoid" if binary else None)]
    model = keras.Sequential(stack)
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    x, y = _data(width=width, binary=binary)
    model.fit(x, y, batch_size=16, epochs=epochs, verbose=0)
    return model, x, y


def _same_state(a, b):
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert a.optimizer.iterations == b.optimizer.iterations
    (ia, ra), (ib, rb) = a._net.optimizer_state(), b._net.optimizer_state()
    assert ia == ib and [r[:2] for r in ra] == [r[:2] for r in rb]
    for r1, r2 in zip(ra, rb):
        np.testing.assert_array_equal(r1[2], r2[2])


# ---- Keras-written files load in keras_lite ---------------------------------------------------------------------
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_keras_file_loads_with_same_predictions(name):
    model = keras.models.load_model(os.path.join(FIXTURES, f"{name}.keras"))
    x = np.load(os.path.join(FIXTURES, f"{name}.x.npy"))
    want = np.load(os.path.join(FIXTURES, f"{name}.pred.npy"))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6)
    assert model.compiled == (name != "uncompiled")
    if model.compiled:
        assert model.optimizer.iterations == 8  # 2 epochs of 4 steps in make_keras_fixtures.py


@pytest.mark.parametrize("name", [n for n in FIXTURE_NAMES if os.path.exists(f"{FIXTURES}/{n}.resume.npz")])
def test_keras_file_resumes_training_where_keras_stopped(name):
    model = keras.models.load_model(os.path.join(FIXTURES, f"{name}.keras"))
    data = np.load(os.path.join(FIXTURES, f"{name}.resume.npz"))
    model.fit(data["x"], data["y"], batch_size=16, epochs=1, shuffle=False, verbose=0)
    assert model.optimizer.iterations == int(data["iterations"])
    for i, w in enumerate(model.get_weights()):
        # A wrong optimizer state (slot order, iterations, learning rate) is off by ~1e-2 here (checked by
        # zeroing it); 1e-4 leaves room for float32 differences amplified through Adam's 1/sqrt(v).
        np.testing.assert_allclose(w, data[f"w{i}"], rtol=1e-3, atol=2e-4, err_msg=f"weight {i}")


def test_keras_file_config_is_read():
    model = keras.models.load_model(os.path.join(FIXTURES, "rmsprop_centered_bce.keras"))
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense",
        "BatchNormalization",
        "Dense",
        "Dense",
    ]
    assert model.layers[1].center is False and model.layers[0].activation.__name__ == "leaky_relu"
    opt = model.optimizer
    assert isinstance(opt, keras.optimizers.RMSprop) and opt.centered and opt.momentum == 0.5
    assert np.float32(opt.learning_rate) == np.float32(0.01)
    assert model.compiled_metrics._metrics == ["accuracy"]
    assert model.metrics_names == ["loss", "compile_metrics"]  # Keras 3
    frozen = keras.models.load_model(os.path.join(FIXTURES, "rmsprop_frozen_mae.keras"))
    assert frozen.layers[0].trainable is False and len(frozen.trainable_weights) == 2


def test_keras_weights_file_loads_by_class_and_order():
    # Different layer names than Keras's: Keras matches `layers/dense_1` by class and position, not name.
    model = keras.Sequential(
        [
            keras.Input(shape=(5,)),
            layers.Dense(8, activation="relu", name="first"),
            layers.BatchNormalization(name="bn"),
            layers.Dropout(0.25, name="drop"),
            layers.Activation("tanh", name="act"),
            layers.Dense(1, name="out"),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    model.load_weights(os.path.join(FIXTURES, "adam_mse_bn_dropout.weights.h5"))
    x = np.load(os.path.join(FIXTURES, "adam_mse_bn_dropout.x.npy"))
    want = np.load(os.path.join(FIXTURES, "adam_mse_bn_dropout.pred.npy"))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6)
    assert model.optimizer.iterations == 8


def test_load_weights_from_keras_file():
    model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(3, activation="relu"), layers.Dense(2)])
    model.load_weights(os.path.join(FIXTURES, "uncompiled.keras"))
    x = np.load(os.path.join(FIXTURES, "uncompiled.x.npy"))
    np.testing.assert_allclose(
        model.predict(x, verbose=0), np.load(f"{FIXTURES}/uncompiled.pred.npy"), atol=1e-6
    )


# ---- keras_lite files: layout and round trip ---------------------------------------------------------------------
def test_file_layout_follows_keras(tmp_path):
    model, _, _ = _trained(optimizer=keras.optimizers.Adam(amsgrad=True))
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in zf.infolist())
        meta = json.loads(zf.read("metadata.json"))
        tree = json.loads(zf.read("config.json"))
        h5 = h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r")
    assert meta["keras_version"].startswith("3.") and "date_saved" in meta
    assert (
        tree["module"] == "keras" and tree["class_name"] == "Sequential" and tree["registered_name"] is None
    )
    assert tree["build_config"] == {"input_shape": [None, 5]}
    first = tree["config"]["layers"][0]
    assert first["class_name"] == "InputLayer" and first["config"]["batch_shape"] == [None, 5]
    assert [item["class_name"] for item in tree["config"]["layers"][1:]] == [
        "Dense",
        "BatchNormalization",
        "Dropout",
        "Activation",
        "Dense",
    ]
    cc = tree["compile_config"]
    assert cc["optimizer"]["class_name"] == "Adam" and cc["optimizer"]["config"]["amsgrad"] is True
    assert cc["loss"] == "mse" and cc["metrics"] == ["mae"]
    with h5:
        assert set(h5["layers"]) == {"dense", "batch_normalization", "dropout", "activation", "dense_1"}
        assert h5["layers/dense_1/vars"].attrs["name"] == model.layers[-1].name
        assert h5["layers/dense/vars/0"].shape == (5, 8) and h5["layers/dense/vars/0"].dtype == np.float32
        assert len(h5["layers/dropout/vars"]) == 0 and "vars" in h5
        opt = h5["optimizer/vars"]
        assert opt["0"].dtype == np.int64 and opt["0"][()] == model.optimizer.iterations
        assert opt["1"].dtype == np.float32 and np.isclose(opt["1"][()], 0.001)
        # 6 trainable weights x (momentum, velocity) interleaved, then velocity_hat for each, as Keras builds them.
        assert len(opt) == 2 + 6 * 3
        momentum_dense_kernel = opt["2"][()]
        _, rows = model._net.optimizer_state()
        np.testing.assert_array_equal(momentum_dense_kernel, rows[0][2])
        np.testing.assert_array_equal(opt["14"][()], rows[2][2])  # velocity_hat of dense/kernel


@pytest.mark.parametrize(
    "optimizer",
    [
        "adam",
        keras.optimizers.Adam(learning_rate=0.01, amsgrad=True),
        keras.optimizers.AdamW(weight_decay=0.05),
        keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
        keras.optimizers.SGD(),
        keras.optimizers.RMSprop(momentum=0.3, centered=True),
        "rmsprop",
    ],
    ids=["adam", "amsgrad", "adamw", "sgd_nesterov", "sgd", "rmsprop_centered", "rmsprop"],
)
def test_round_trip_resumes_training(tmp_path, optimizer):
    model, x, y = _trained(optimizer=copy.deepcopy(optimizer), dropout=False)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    _same_state(model, loaded)
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    for m in (model, loaded):
        m.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    _same_state(model, loaded)


@pytest.mark.parametrize(
    "loss, metrics, width, binary",
    [
        ("mae", ["mse"], 1, False),
        (keras.losses.Huber(delta=2.0), [keras.metrics.MeanAbsoluteError()], 1, False),
        (keras.losses.huber, [], 1, False),
        ("binary_crossentropy", ["accuracy"], 1, True),
        (keras.losses.BinaryCrossentropy(label_smoothing=0.1), [keras.metrics.BinaryAccuracy()], 1, True),
        (keras.losses.mean_squared_error, ["categorical_accuracy"], 3, False),
    ],
)
def test_round_trip_keeps_loss_and_metrics(tmp_path, loss, metrics, width, binary):
    model, x, y = _trained(loss=loss, metrics=metrics, width=width, binary=binary)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.metrics_names == model.metrics_names
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    if isinstance(loss, keras.losses.Huber):
        assert loaded._loss_obj.delta == 2.0
    uncompiled = keras.models.load_model(tmp_path / "m.keras", compile=False)
    assert not uncompiled.compiled
    np.testing.assert_array_equal(uncompiled.predict(x, verbose=0), model.predict(x, verbose=0))


LOSS_CLASSES = [
    name for name in keras.losses.__all__ if isinstance(getattr(keras.losses, name), type) and name != "Loss"
]


@pytest.mark.parametrize("name", LOSS_CLASSES)
def test_every_loss_class_round_trips_and_reads_as_keras_writes_it(tmp_path, name):
    # Every built-in loss class: compiled, saved and loaded as itself; and read from the dict Keras 3.15.1's
    # keras.losses.serialize(cls()) gives (module, class_name, config of name and reduction).
    cls = getattr(keras.losses, name)
    width = (
        3
        if name in ("CategoricalCrossentropy", "CategoricalHinge", "KLDivergence", "CosineSimilarity")
        else 1
    )
    head = layers.Dense(width, activation="softmax" if width > 1 else "sigmoid")
    model = keras.Sequential([keras.Input(shape=(5,)), head])
    model.compile(optimizer="adam", loss=cls())
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert type(loaded._loss_obj) is cls and loaded._loss_obj.get_config() == cls().get_config()
    keras_dict = {
        "module": "keras.losses",
        "class_name": name,
        "config": {"name": cls().name, "reduction": "sum_over_batch_size"},
        "registered_name": None,
    }
    assert type(keras.losses.get(keras_dict)) is cls
    assert type(keras.losses.deserialize(keras_dict)) is cls
    assert keras.losses.deserialize(keras.losses.serialize(cls())).get_config() == cls().get_config()
    function = keras.losses.get(keras_dict["config"]["name"].removesuffix("_loss"))  # huber_loss: huber
    assert keras.losses.serialize(function) == {
        "module": "builtins",
        "class_name": "function",
        "config": function.__name__,
        "registered_name": "function",
    }
    assert keras.losses.deserialize(keras.losses.serialize(function)) is function
    assert type(_keras_config_read.loss_from_config(keras_dict)) is cls


def test_unbuilt_and_uncompiled_models_round_trip(tmp_path):
    model = keras.Sequential(
        [layers.Dense(3, activation="gelu", name="hidden"), layers.Dense(1)], name="tiny"
    )
    with pytest.warns(UserWarning, match="has not yet been built"):  # as Keras 3.15.1 warns
        model.save(tmp_path / "unbuilt.keras")
    loaded = keras.models.load_model(tmp_path / "unbuilt.keras")
    assert loaded.name == "tiny" and not loaded.built and not loaded.compiled
    assert loaded.layers[0].name == "hidden" and loaded.layers[0].activation.__name__ == "gelu"
    loaded.build((None, 4))
    assert loaded.output_shape == (None, 1)


def test_save_weights_and_load_weights(tmp_path):
    model, x, _ = _trained()
    model.save_weights(tmp_path / "w.weights.h5")
    other, _, _ = _trained(epochs=1)
    assert not np.array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    other.load_weights(tmp_path / "w.weights.h5")
    _same_state(model, other)
    model.save(tmp_path / "m.keras")
    third, _, _ = _trained(epochs=1)
    third.load_weights(str(tmp_path / "m.keras"))
    _same_state(model, third)


def test_file_objects_and_overwrite(tmp_path):
    model, x, _ = _trained()
    buf = io.BytesIO()
    model.save(buf)
    buf.seek(0)
    np.testing.assert_array_equal(
        keras.models.load_model(buf).predict(x, verbose=0), model.predict(x, verbose=0)
    )
    path = tmp_path / "m.keras"
    model.save(path)
    with pytest.raises(FileExistsError):
        model.save(path, overwrite=False)
    model.save_weights(tmp_path / "m.weights.h5")
    with pytest.raises(FileExistsError):
        model.save_weights(tmp_path / "m.weights.h5", overwrite=False)
    keras.saving.save_model(model, tmp_path / "again.keras")
    assert keras.saving.load_model is keras.models.load_model


def test_bad_names_and_arguments(tmp_path):
    model, _, _ = _trained()
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        model.save(tmp_path / "m.zip")
    with pytest.raises(ValueError, match="save_format"):
        model.save(tmp_path / "m.zip", save_format="h5")
    with pytest.raises(ValueError, match="zipped"):
        model.save(tmp_path / "m.keras", zipped=False)
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        model.save_weights(tmp_path / "m.h5")
    with pytest.raises(ValueError, match="File format not supported"):
        model.load_weights(tmp_path / "m.txt")
    (tmp_path / "m.h5").write_bytes(b"\x89HDF\r\n\x1a\n")  # a truncated legacy file
    with pytest.raises(ValueError, match="not a valid HDF5 file"):
        keras.models.load_model(tmp_path / "m.h5")
    unbuilt = keras.Sequential([layers.Dense(1)])
    with pytest.raises(ValueError, match="has not yet been built"):
        unbuilt.load_weights(os.path.join(FIXTURES, "uncompiled.keras"))


def test_weights_of_another_architecture_are_refused(tmp_path):
    model, _, _ = _trained()
    model.save_weights(tmp_path / "w.weights.h5")
    other = keras.Sequential(
        [keras.Input(shape=(5,)), layers.Dense(4), layers.BatchNormalization(), layers.Dense(1)]
    )
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"w\.weights\.h5.*layer 'dense_\d+' \(Dense\) expects 2 weights"):
        other.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)  # nothing half-loaded
    with pytest.warns(UserWarning, match="Skipping weights"):
        other.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)


def _python_lines(fn) -> int:
    """How many lines of keras_lite's Python code ``fn()`` runs: a measure of work that machine load leaves alone."""
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if "keras_lite" not in frame.f_code.co_filename:
            return None
        count += event == "line"
        return trace

    sys.settrace(trace)
    try:
        fn()
    finally:
        sys.settrace(None)
    return count


def test_loading_many_layers_is_linear():
    # 4x the layers must cost about 4x the steps, not 16x: Sequential compared each added layer's name with
    # every earlier one, and its build scanned all the weights for each layer (16,000 layers: 12.4 s against
    # 0.63 s for 2,000; now 1.3 s against 0.12 s, the rest being Python's garbage collector).
    steps = []
    for n in (200, 800):
        stack = [layers.Activation("relu") if i % 2 else layers.Dense(2) for i in range(n)]
        model = keras.Sequential([keras.Input(shape=(2,)), *stack])
        model.compile(optimizer="adam", loss="mse")
        buf = io.BytesIO()
        model.save(buf)
        steps.append(_python_lines(lambda: keras.models.load_model(io.BytesIO(buf.getvalue()))))  # noqa: B023
        assert _python_lines(lambda: pickle.loads(pickle.dumps(model))) < steps[-1]  # noqa: B023
    assert steps[1] < 5 * steps[0], steps


# ---- atomic writes ---------------------------------------------------------------------------------------------
def _no_temp_files(folder):
    return [p for p in os.listdir(folder) if p.endswith(".tmp")] == []


@pytest.mark.parametrize("where", ["zip member", "rename", "interrupt"])
def test_interrupted_save_leaves_earlier_file_intact(tmp_path, monkeypatch, where):
    model, x, y = _trained()
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()
    model.fit(x, y, epochs=1, verbose=0)
    if where == "zip member":
        real = zipfile.ZipFile.writestr

        def failing(self, name, data, *args, **kwargs):
            if str(getattr(name, "filename", name)) == "model.weights.h5":
                raise OSError("disk full (simulated)")
            return real(self, name, data, *args, **kwargs)

        monkeypatch.setattr(zipfile.ZipFile, "writestr", failing)
        error: type[BaseException] = OSError
    elif where == "rename":
        monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("simulated")))
        error = OSError
    else:
        monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(KeyboardInterrupt()))
        error = KeyboardInterrupt
    with pytest.raises(error):
        model.save(path)
    if where != "zip member":  # save_weights builds its HDF5 in memory, then writes it the same way
        with pytest.raises(error):
            model.save_weights(tmp_path / "w.weights.h5")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not (tmp_path / "w.weights.h5").exists()
    assert _no_temp_files(tmp_path)
    keras.models.load_model(path)  # still a good file


# ---- bad files -------------------------------------------------------------------------------------------------
def _rezip(src, dst, replace):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            data = replace.get(name, zin.read(name))
            if data is not None:
                zout.writestr(name, data(zin.read(name)) if callable(data) else data)


def _edit_config(src, dst, edit):
    def change(raw):
        tree = json.loads(raw)
        edit(tree)
        return json.dumps(tree)

    _rezip(src, dst, {"config.json": change})


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.keras"):
        keras.models.load_model(tmp_path / "nope.keras")
    with pytest.raises(FileNotFoundError):
        keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)]).load_weights(tmp_path / "n.weights.h5")
    (tmp_path / "dir.keras").mkdir()
    with pytest.raises(IsADirectoryError, match="dir.keras"):
        keras.models.load_model(tmp_path / "dir.keras")


@pytest.mark.parametrize("cut", [0, 10, 100, 0.5, -22, -1])
def test_truncated_file(tmp_path, cut):
    good = os.path.join(FIXTURES, "adamw_mae.keras")
    data = Path(good).read_bytes()
    n = int(len(data) * cut) if isinstance(cut, float) else (cut if cut >= 0 else len(data) + cut)
    bad = tmp_path / "truncated.keras"
    bad.write_bytes(data[:n])
    with pytest.raises(ValueError, match=r"Cannot load .*truncated\.keras"):
        keras.models.load_model(bad)


def test_corrupted_bytes_are_detected(tmp_path):
    data = bytearray(Path(FIXTURES, "adamw_mae.keras").read_bytes())
    for offset in (len(data) // 3, len(data) // 2, 2 * len(data) // 3):
        bad = data.copy()
        bad[offset] ^= 0xFF
        (tmp_path / "c.keras").write_bytes(bytes(bad))
        with pytest.raises(ValueError, match=r"c\.keras"):
            keras.models.load_model(tmp_path / "c.keras")


def test_corrupted_weights_member(tmp_path):
    src = os.path.join(FIXTURES, "adamw_mae.keras")
    _rezip(src, tmp_path / "h.keras", {"model.weights.h5": lambda raw: b"\x00" * 8 + raw[8:]})
    with pytest.raises(ValueError, match=r"h\.keras.*not a valid HDF5"):
        keras.models.load_model(tmp_path / "h.keras")
    _rezip(src, tmp_path / "m.keras", {"model.weights.h5": None})
    with pytest.raises(ValueError, match=r"m\.keras.*no model\.weights\.h5"):
        keras.models.load_model(tmp_path / "m.keras")
    _rezip(src, tmp_path / "j.keras", {"config.json": b"{not json"})
    with pytest.raises(ValueError, match=r"j\.keras.*JSONDecodeError"):
        keras.models.load_model(tmp_path / "j.keras")


def test_wrong_format_files(tmp_path):
    (tmp_path / "text.keras").write_text("hello, I am not a model")
    with pytest.raises(ValueError, match=r"text\.keras.*not a zip archive"):
        keras.models.load_model(tmp_path / "text.keras")
    with zipfile.ZipFile(tmp_path / "other.keras", "w") as zf:
        zf.writestr("README", "an unrelated zip")
    with pytest.raises(ValueError, match=r"other\.keras.*no config\.json"):
        keras.models.load_model(tmp_path / "other.keras")
    h5 = os.path.join(FIXTURES, "adam_mse_bn_dropout.weights.h5")
    (tmp_path / "weights.keras").write_bytes(Path(h5).read_bytes())
    with pytest.raises(ValueError, match=r"weights\.keras.*holds weights only"):
        keras.models.load_model(tmp_path / "weights.keras")


def _set_layer(index, **changes):
    def edit(tree):
        item = tree["config"]["layers"][index]
        for key, value in changes.items():
            if key in ("class_name", "module"):
                item[key] = value
            else:
                item["config"][key] = value

    return edit


@pytest.mark.parametrize(
    "edit, message",
    [
        (_set_layer(1, class_name="Conv2D"), r"'Conv2D', which keras_lite does not support"),
        (_set_layer(1, class_name="Lambda", function="__import__('os').system('touch pwned')"), "Lambda"),
        (_set_layer(1, module="os", class_name="system"), "'system'"),
        (_set_layer(1, activation="my_activation"), "my_activation"),
        (_set_layer(1, activation={"module": "m", "class_name": "Custom", "config": {}}), "Custom"),
        (
            _set_layer(1, kernel_regularizer={"class_name": "OrthogonalRegularizer", "config": {}}),
            "OrthogonalRegularizer",
        ),
        (_set_layer(1, dtype="mixed_float16"), "mixed_float16"),
        (lambda t: t.update(class_name="Functional"), "inbound_nodes"),
        (lambda t: t["compile_config"].update(loss="dice"), "dice"),
        (lambda t: t["compile_config"]["optimizer"].update(class_name="Ftrl"), "'Ftrl'"),
        (lambda t: t["compile_config"]["optimizer"]["config"].update(use_ema=True), "use_ema"),
        (lambda t: t["compile_config"].update(metrics=["pearson_correlation"]), "pearson_correlation"),
        (lambda t: t["config"]["layers"][0]["config"].update(batch_shape=[None, 8, 8]), "input shape"),
    ],
)
def test_unsupported_contents_are_named(tmp_path, edit, message):
    _edit_config(os.path.join(FIXTURES, "adamw_mae.keras"), tmp_path / "u.keras", edit)
    with pytest.raises(ValueError, match=message) as info:
        keras.models.load_model(tmp_path / "u.keras")
    assert "u.keras" in str(info.value)
    assert not os.path.exists("pwned")


def test_unsupported_training_setup_still_loads_for_inference(tmp_path):
    name = "adamw_mae"
    edit = lambda t: t["compile_config"].update(loss="dice")  # noqa: E731
    _edit_config(os.path.join(FIXTURES, f"{name}.keras"), tmp_path / "l.keras", edit)
    with pytest.raises(ValueError, match=r"compile=False"):
        keras.models.load_model(tmp_path / "l.keras")
    model = keras.models.load_model(tmp_path / "l.keras", compile=False)
    x = np.load(os.path.join(FIXTURES, f"{name}.x.npy"))
    np.testing.assert_allclose(model.predict(x, verbose=0), np.load(f"{FIXTURES}/{name}.pred.npy"), atol=1e-6)


INFERENCE_ONLY = os.path.join(
    FIXTURES, "inference_only"
)  # tests/fixtures/inference_only/make_*.py, Keras on JAX


def test_keras_file_with_clipping_and_a_schedule_loads_compiled_and_trains():
    # Keras 3.15 wrote it: SGD with clipnorm=1.0 and a CosineDecay learning rate.
    path = os.path.join(INFERENCE_ONLY, "clipped_cosine_sgd.keras")
    model = keras.models.load_model(path)
    assert model.optimizer.clipnorm == 1.0
    x = np.load(os.path.join(INFERENCE_ONLY, "clipped_cosine_sgd.x.npy"))
    want = np.load(os.path.join(INFERENCE_ONLY, "clipped_cosine_sgd.pred.npy"))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6)
    steps = int(model.optimizer.iterations)
    model.fit(x, want, epochs=1, verbose=0)
    assert int(model.optimizer.iterations) > steps


@pytest.mark.parametrize(
    "name, refused, ignored",
    [
        (
            "regularized",
            r"layer 1 \('batch_normalization', BatchNormalization\) sets beta_regularizer=L2\(l2=0\.01\)",
            [
                "beta_regularizer=L2(l2=0.01)",
                "gamma_constraint=NonNeg()",
                "noise_shape=[None, 8]",
            ],
        ),
    ],
)
def test_keras_file_that_keras_lite_cannot_train_loads_for_inference(tmp_path, name, refused, ignored):
    # Clipping, regularizers, constraints and noise shapes change training only: the file serves predictions
    # (compile=False, with a warning naming what fit would leave out); compiling it is refused naming it.
    path = os.path.join(INFERENCE_ONLY, f"{name}.keras")
    with pytest.raises(ValueError, match=rf"{name}\.keras.*{refused}.*compile=False"):
        keras.models.load_model(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = keras.models.load_model(path, compile=False)
    messages = " ".join(str(w.message) for w in caught)
    for item in ignored:
        assert item in messages
    assert bool(ignored) == ("training" in messages)
    x = np.load(os.path.join(INFERENCE_ONLY, f"{name}.x.npy"))
    want = np.load(os.path.join(INFERENCE_ONLY, f"{name}.pred.npy"))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6)
    # Its weights load into a keras_lite model of the same layers, compiled: the optimizer's variables do not
    # match a constant learning rate's, so they are skipped with Keras's warning.
    twin = pickle.loads(pickle.dumps(model))
    twin.compile(optimizer="adam", loss="mse")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        twin.load_weights(path)
    np.testing.assert_allclose(twin.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "learning_rate, named",
    [
        (
            {"module": "keras.optimizers.schedules", "class_name": "PiecewiseConstantDecay", "config": {}},
            "Piecewise",
        ),
        (
            {"module": "my_package", "class_name": "WarmUp", "config": {}, "registered_name": "my>WarmUp"},
            "WarmUp",
        ),
        ({"config": {"initial_learning_rate": 0.1}}, "{'config': {'initial_learning_rate': 0.1}}"),
    ],
)
def test_learning_rates_keras_lite_cannot_honour_are_named(tmp_path, learning_rate, named):
    def edit(tree):
        tree["compile_config"]["optimizer"]["config"]["learning_rate"] = learning_rate

    src = tmp_path / "never_stepped.keras"
    model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.save(src)  # never trained: the optimizer's variables are its iterations and learning rate only
    for source in (src, os.path.join(FIXTURES, "adamw_mae.keras")):
        _edit_config(source, tmp_path / "s.keras", edit)
        with pytest.raises(ValueError, match=rf"s\.keras.*{re.escape(named)}.*compile=False"):
            keras.models.load_model(tmp_path / "s.keras")
        assert keras.models.load_model(tmp_path / "s.keras", compile=False).built


def test_links_out_of_the_weights_file_are_refused(tmp_path):
    with h5py.File(tmp_path / "elsewhere.h5", "w") as f:
        f["kernel"] = np.ones((2, 1), np.float32)
    with h5py.File(tmp_path / "w.weights.h5", "w") as f:
        store = f.create_group("layers/dense/vars")
        store["0"] = h5py.ExternalLink(str(tmp_path / "elsewhere.h5"), "kernel")
        store["1"] = np.zeros(1, np.float32)
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)])
    with pytest.raises(ValueError, match=r"w\.weights\.h5.*layers/dense/vars/0 uses an external link"):
        model.load_weights(tmp_path / "w.weights.h5")


# ---- pickle, deepcopy, cloudpickle -------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["pickle", "deepcopy", "cloudpickle"])
def test_copies_resume_training(how):
    model, x, y = _trained(optimizer=keras.optimizers.RMSprop(momentum=0.5, centered=True), dropout=False)
    model.layers[0].trainable = False
    if how == "pickle":
        clone = pickle.loads(pickle.dumps(model))
    elif how == "deepcopy":
        clone = copy.deepcopy(model)
    else:
        cloudpickle = pytest.importorskip("cloudpickle")
        clone = cloudpickle.loads(cloudpickle.dumps(model))
    assert type(clone) is keras.Sequential and clone is not model
    assert clone.built and clone.compiled and clone.layers[0].trainable is False
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    _same_state(model, clone)
    for m in (model, clone):
        m.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    _same_state(model, clone)
    clone.fit(x, y, epochs=1, verbose=0)  # independent: training the copy leaves the original alone
    assert clone.optimizer.iterations != model.optimizer.iterations


def test_pickle_is_compact():
    model = keras.Sequential(
        [keras.Input(shape=(100,)), layers.Dense(200), layers.Dense(200), layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mse")
    x, y = _data(n=32, features=100)
    model.fit(x, y, epochs=1, verbose=0)
    raw = 4 * model.count_params() * 3  # weights + Adam's two slots, float32
    blob = pickle.dumps(model)
    assert raw < len(blob) < raw + 8192
    assert blob.count(b"numpy") == 0  # bytes strings, not one pickled array object per weight


def test_pickle_unbuilt_and_uncompiled():
    model = keras.Sequential([layers.Dense(2, name="a")], name="s")
    clone = pickle.loads(pickle.dumps(model))
    assert clone.name == "s" and not clone.built and clone.layers[0].name == "a"
    model.compile(optimizer="sgd", loss="mae")
    clone = copy.deepcopy(model)
    assert clone.compiled and isinstance(clone.optimizer, keras.optimizers.SGD) and not clone.built


# ---- keras_lite files in real Keras ------------------------------------------------------------------------------
# "linear" comes first: a linear Dense right before a BatchNormalization has a bias whose gradient is zero up to
# rounding, which Adam scales up to full steps: keras_lite and Keras would then differ by noise, not by a bug.
ALL_ACTIVATIONS = [
    "linear",
    "relu",
    "sigmoid",
    "tanh",
    "elu",
    "selu",
    "silu",
    "gelu",
    "softplus",
    "softsign",
    "leaky_relu",
    "relu6",
    "hard_sigmoid",
    "exponential",
    "softmax",
]


def _every_activation():
    """Dense 6 with each activation keras_lite has, and a BatchNormalization without centre/scale variants."""
    stack = [keras.Input(shape=(5,))]
    stack += [layers.Dense(6, activation=a) for a in ALL_ACTIVATIONS[:7]]
    stack += [layers.BatchNormalization(center=False), layers.Activation("tanh")]
    stack += [layers.Dense(6, activation=a) for a in ALL_ACTIVATIONS[7:]]
    stack += [layers.BatchNormalization(scale=False), layers.Dense(1, use_bias=False)]
    return keras.Sequential(stack)


LIVE_CASES = {
    "adam_mse": dict(optimizer="adam", loss="mse", metrics=["mae"]),
    "amsgrad_huber": dict(
        optimizer=keras.optimizers.Adam(learning_rate=0.01, amsgrad=True),
        loss=keras.losses.Huber(delta=1.5),
        metrics=[],
    ),
    "adamw_mae_frozen": dict(
        optimizer=keras.optimizers.AdamW(weight_decay=0.05), loss="mae", metrics=["mse"], freeze=True
    ),
    "sgd_bce": dict(
        optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
        loss="binary_crossentropy",
        metrics=["accuracy"],
        binary=True,
    ),
    "rmsprop_bce_smoothing": dict(
        optimizer=keras.optimizers.RMSprop(momentum=0.5, centered=True),
        loss=keras.losses.BinaryCrossentropy(label_smoothing=0.1),
        metrics=[keras.metrics.BinaryAccuracy()],
        binary=True,
    ),
    "sgd_plain_mse_fn": dict(optimizer="sgd", loss=keras.losses.mean_squared_error, metrics=[], width=3),
    # Dropout makes training random: predictions only.
    "dropout_rmsprop": dict(optimizer="rmsprop", loss="mae", metrics=[], dropout=True),
    "every_activation": dict(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=[]),
}


def _live_model(name, case):
    if name == "every_activation":
        model = _every_activation()
        model.compile(optimizer=copy.deepcopy(case["optimizer"]), loss=case["loss"])
        x, y = _data()
        model.fit(x, y, batch_size=16, epochs=2, verbose=0)
        return model, x, y
    model, x, y = _trained(
        optimizer=copy.deepcopy(case["optimizer"]),
        loss=case["loss"],
        metrics=case["metrics"],
        dropout=case.get("dropout", False),
        width=case.get("width", 1),
        binary=case.get("binary", False),
    )
    if case.get("freeze"):
        model.layers[0].trainable = False  # Keras then saves slots for the remaining trainable weights only
        model.compile(optimizer=copy.deepcopy(case["optimizer"]), loss=case["loss"], metrics=case["metrics"])
        model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    return model, x, y


@pytest.fixture(scope="module")
def keras_results(tmp_path_factory):
    if not HAVE_KERAS:
        pytest.skip(
            "Keras 3 with TensorFlow is not installed; the committed fixtures cover Keras -> keras_lite"
        )
    folder = tmp_path_factory.mktemp("live")
    jobs, expected = [], {}
    for name, case in LIVE_CASES.items():
        model, x, y = _live_model(name, case)
        model.save(folder / f"{name}.keras")
        np.save(folder / f"{name}.x.npy", x[:16])
        pred = model.predict(x[:16], verbose=0)
        resume = None
        if not case.get("dropout"):
            resume = str(folder / f"{name}.resume.npz")
            np.savez(resume, x=x, y=y)
            model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
        expected[name] = (pred, model.get_weights(), model.optimizer.iterations, resume is not None)
        out = str(folder / f"{name}.out.npz")
        jobs.append(
            {
                "model": str(folder / f"{name}.keras"),
                "x": str(folder / f"{name}.x.npy"),
                "resume": resume,
                "out": out,
            }
        )
    run_jobs(folder, jobs)
    return {name: (expected[name], np.load(folder / f"{name}.out.npz")) for name in LIVE_CASES}


@pytest.mark.parametrize("name", sorted(LIVE_CASES))
def test_keras_loads_keras_lite_file_and_resumes(keras_results, name):
    (pred, weights, iterations, resumed), got = keras_results[name]
    np.testing.assert_allclose(got["pred"], pred, rtol=1e-5, atol=1e-6)
    if resumed:
        assert int(got["iterations"]) == iterations
        for i, w in enumerate(weights):
            np.testing.assert_allclose(got[f"w{i}"], w, rtol=1e-3, atol=2e-4, err_msg=f"weight {i}")
