"""Rescaling: Keras 3.15's outputs and configs, on every device, inside models that train through it (its
gradient is the scale), in files both ways, in ONNX, and its refusals."""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from _keras_side import run_jobs
from devices import DEVICES
from keras_lite import layers

HERE = os.path.dirname(__file__)
FIXTURES = os.path.join(HERE, "fixtures", "rescaling")
HAVE_KERAS = all(importlib.util.find_spec(m) is not None for m in ("keras", "tensorflow"))

with open(os.path.join(FIXTURES, "rescaling.json")) as f:
    GOLDEN = json.load(f)


def _in_model(layer: Any, x: np.ndarray, device: str) -> np.ndarray:
    inp = keras.Input((x.shape[1],))
    model = keras.Model(inp, layer(inp))
    model.to(device)
    return model.predict(x, verbose=0)  # type: ignore[no-any-return]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", GOLDEN["layers"], ids=lambda c: f"{c['scale']}-{c['offset']}")
def test_outputs_and_configs_are_keras(case: dict[str, Any], device: str) -> None:
    x, want = np.asarray(case["x"], np.float32), np.asarray(case["y"], np.float32)
    make = lambda: layers.Rescaling(case["scale"], case["offset"])  # noqa: E731
    # Exactly Keras's float32 values: a product then a sum, on either device.
    np.testing.assert_array_equal(_in_model(make(), x, device), want)
    eager = make()(x)
    np.testing.assert_array_equal(eager, want)
    assert eager.dtype == np.float32
    config = make().get_config()
    assert {k: config[k] for k in ("scale", "offset")} == case["config"]


def test_values_and_configs_as_keras_writes_them() -> None:
    # Keras 3.15 keeps the factor as given and serializes it: numbers as themselves, tuples as lists, arrays as
    # __numpy__ records, NumPy scalars and 0-d arrays as numbers.
    def config(scale: Any) -> Any:
        return layers.Rescaling(scale).get_config()["scale"]

    assert config(2) == 2 and config(np.float32(0.5)) == 0.5 and config(np.array(3.0)) == 3.0
    assert config((1.0, 2.0)) == [1.0, 2.0]
    assert config(np.array([0.5, 2.0])) == {
        "class_name": "__numpy__",
        "config": {"value": [0.5, 2.0], "dtype": "float64"},
    }
    layer = layers.Rescaling.from_config(layers.Rescaling(np.array([0.5, 2.0]), -1).get_config())
    np.testing.assert_array_equal(layer(np.array([[1.0, 2.0]])), [[-0.5, 3.0]])
    # Integer pixels are cast to float32 first; any leading shape is kept.
    out = layers.Rescaling(1 / 255)(np.full((2, 3, 4), 255, np.uint8))
    assert out.shape == (2, 3, 4) and out.dtype == np.float32
    np.testing.assert_array_equal(out, np.ones((2, 3, 4), np.float32))
    assert layers.Rescaling(2.0).compute_output_shape((None, 5)) == (None, 5)
    called = layers.Rescaling(2.0)
    called(np.ones((1, 5)))
    assert called.count_params() == 0 and called.weights == []


def _golden_model(name: str) -> tuple[Any, Any, dict[str, Any]]:
    case = GOLDEN[name]
    x = case["x"]
    x = [np.asarray(p, np.float32) for p in x] if name == "functional" else np.asarray(x, np.float32)
    return x, np.asarray(case["y"], np.float32), case


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ["sequential", "functional"])
def test_a_keras_model_loads_predicts_and_trains_on_as_keras(name: str, device: str) -> None:
    # Keras 3.15 trained each model 2 epochs and saved it; its predictions, and its loss and weights after one
    # more epoch from the file (the layers below a Rescaling train through its scale).
    x, y, case = _golden_model(name)
    model = keras.models.load_model(os.path.join(FIXTURES, f"{name}.keras"))
    model.to(device)
    assert "Rescaling" in [type(layer).__name__ for layer in model.layers]
    np.testing.assert_allclose(model.predict(x, verbose=0), np.asarray(case["pred"]), rtol=1e-5, atol=1e-6)
    history = model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(history.history["loss"][0], case["resume_loss"], rtol=1e-4)
    for got, want in zip(model.get_weights(), case["resume_weights"]):
        np.testing.assert_allclose(got, np.asarray(want, np.float32), rtol=1e-4, atol=1e-5)


def test_the_gradient_is_the_scale() -> None:
    # d(x·s + o)/dx = s per feature: a Dense layer below the Rescaling trains as if its output were scaled.
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(32, 3)).astype(np.float32), rng.normal(size=(32, 2)).astype(np.float32)
    scale, offset = np.array([2.0, -0.5], np.float32), np.array([1.0, 0.25], np.float32)
    with_layer = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.Rescaling(scale, offset)])
    with_layer.compile(optimizer="sgd", loss="mse")
    kernel, bias = with_layer.get_weights()
    with_layer.fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=False)
    # NumPy: one SGD step (learning rate 0.01) on the mean squared error of x·K·s + b·s + o.
    pred = (x @ kernel + bias) * scale + offset
    d_out = 2 * (pred - y) / pred.size * scale
    want = [kernel - 0.01 * x.T @ d_out, bias - 0.01 * d_out.sum(0)]
    for got, w in zip(with_layer.get_weights(), want):
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_devices_agree_when_training_through_it(device: str) -> None:
    rng = np.random.default_rng(4)
    x = rng.integers(0, 256, size=(64, 5)).astype(np.float32)
    y = rng.normal(size=(64, 1)).astype(np.float32)

    def fit(on: str) -> list[float]:
        keras.utils.set_random_seed(5)
        model = keras.Sequential(
            [
                keras.Input((5,)),
                layers.Rescaling(1 / 127.5, -1),
                layers.Dense(6, activation="relu"),
                layers.Rescaling([1.0, -1.0, 0.5, 2.0, 0.1, 3.0], 0.5),
                layers.Dense(1),
            ]
        )
        model.to(on)
        model.compile(optimizer="adam", loss="mse")
        return model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False).history["loss"]

    np.testing.assert_allclose(fit(device), fit("cpu"), rtol=1e-4)


def test_files_pickles_clones_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = keras.Sequential(
        [keras.Input((3,)), layers.Rescaling(np.array([0.5, 1.0, 2.0]), -1.0, name="scaled"), layers.Dense(2)]
    )
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    want = model.predict(x, verbose=0)
    model.save(tmp_path / "m.keras")
    with pytest.warns(UserWarning, match="legacy"):
        model.save(tmp_path / "m.h5")
    for loaded in (
        keras.models.load_model(tmp_path / "m.keras"),
        keras.models.load_model(tmp_path / "m.h5"),
        pickle.loads(pickle.dumps(model)),
    ):
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), want)
        assert loaded.get_layer("scaled").get_config()["scale"]["class_name"] == "__numpy__"
    clone = keras.models.clone_model(model)
    assert clone.get_layer("scaled").get_config() == model.get_layer("scaled").get_config()
    model.summary()
    assert "scaled (Rescaling)" in capsys.readouterr().out


def test_export_onnx_matches_predict(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    model = keras.Sequential(
        [
            keras.Input((3,)),
            layers.Rescaling([0.5, 1 / 3, 2.0], [-1.0, 0.1, 0.7]),
            layers.Dense(4, activation="relu"),
            layers.Rescaling(1 / 255),
        ]
    )
    model.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    x = np.random.default_rng(6).uniform(0, 255, size=(7, 3)).astype(np.float32)
    (got,) = session.run(None, {session.get_inputs()[0].name: x})
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: layers.Rescaling("a"), ValueError, "`scale` must be a number"),
        (lambda: layers.Rescaling(1.0, offset=[]), ValueError, "`offset` must be a number"),
        (lambda: layers.Rescaling(None), ValueError, "Received: scale=None"),
        (lambda: layers.Rescaling([1.0, 2.0, 3.0])(np.ones((2, 2))), ValueError, "broadcast to the input's 2"),
        (lambda: layers.Rescaling(1.0, np.ones((2, 3)))(np.ones((2, 3))), ValueError, "`offset` of shape"),
        (
            lambda: keras.Sequential([keras.Input((4,)), layers.Rescaling([1.0, 2.0])]),
            ValueError,
            "cannot be broadcast",
        ),
    ],
)
def test_bad_factors_are_refused(make: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        make()


@pytest.mark.skipif(not HAVE_KERAS, reason="Keras 3 with TensorFlow is not installed; the fixtures cover Keras -> us")
def test_keras_loads_the_file_and_trains_on_alike(tmp_path: Path) -> None:
    x, y, _ = _golden_model("sequential")
    keras.utils.set_random_seed(8)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            layers.Rescaling(np.array([1 / 255, 0.5, 2.0, -1.0]), offset=0.5),
            layers.Dense(4, activation="relu"),
            layers.Rescaling(0.1),
            layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    model.save(tmp_path / "m.keras")
    np.save(tmp_path / "x.npy", x)
    np.savez(tmp_path / "resume.npz", x=x, y=y)
    pred = model.predict(x, verbose=0)
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    job = {"model": str(tmp_path / "m.keras"), "x": str(tmp_path / "x.npy"), "out": str(tmp_path / "out.npz")}
    job["resume"] = str(tmp_path / "resume.npz")
    run_jobs(tmp_path, [job])
    got = np.load(tmp_path / "out.npz")
    np.testing.assert_allclose(got["pred"], pred, rtol=1e-5, atol=1e-6)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(got[f"w{i}"], w, rtol=1e-4, atol=1e-5, err_msg=f"weight {i}")
