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
from _keras_side import resumed_in_keras
from devices import DEVICES, assert_same_values
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
    # Exactly Keras's float32 values, a product then a sum (on a GPU the two may be fused: see devices.py).
    assert_same_values(device, _in_model(make(), x, device), want)
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
    x = [np.asarray(p, np.float32) for p in x] if name.endswith("functional") else np.asarray(x, np.float32)
    return x, np.asarray(case["y"], np.float32), case


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ["sequential", "functional", "images", "images_functional"])
def test_a_keras_model_loads_predicts_and_trains_on_as_keras(name: str, device: str) -> None:
    # Keras 3.15 trained each model 2 epochs and saved it; its predictions, and its loss and weights after one
    # more epoch from the file (the layers below a Rescaling train through its scale). The image models rescale
    # an input of several dimensions (per channel, or twice) before their Flatten.
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


def test_an_input_of_several_dimensions_is_rescaled_before_its_flatten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(9)
    x = rng.integers(0, 256, size=(6, 4, 3)).astype(np.float32)
    channels = np.array([1 / 255, 0.5, 2.0], np.float32)
    model = keras.Sequential(
        [keras.Input((4, 3)), layers.Rescaling(channels, -1.0), layers.Flatten(), layers.Dense(2)]
    )
    kernel, bias = model.get_weights()
    want = (x * channels - 1).reshape(6, -1) @ kernel + bias
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-4)
    assert model.layers[0].output_shape == (None, 4, 3) and model.layers[1].output_shape == (None, 12)
    model.summary()
    assert "│ (None, 4, 3) " in capsys.readouterr().out
    # a tuple, as in Keras 3.15.1's get_config() (its JSON holds a list)
    assert model.get_config()["layers"][1]["build_config"] == {"input_shape": (None, 4, 3)}
    # A Flatten that reads channels first: the factors follow the values it moves.
    first = keras.Sequential(
        [
            keras.Input((3, 4)),
            layers.Rescaling(np.array([[1.0], [2.0], [3.0]])),
            layers.Flatten(data_format="channels_first"),
            layers.Dense(1, use_bias=False, kernel_initializer="ones"),
        ]
    )
    np.testing.assert_array_equal(first.predict(np.ones((1, 3, 4)), verbose=0), [[24.0]])
    # Built from the data on first use, as a Sequential without an Input is.
    deferred = keras.Sequential([layers.Rescaling(0.5), layers.Flatten(), layers.Dense(1)])
    assert deferred.predict(x, verbose=0).shape == (6, 1)
    assert deferred.layers[0].output_shape == (None, 4, 3)
    # Called on its own, an array of several dimensions is rescaled whole, as NumPy broadcasts.
    np.testing.assert_array_equal(
        layers.Rescaling(np.array([[1.0], [2.0], [3.0]]), 1.0)(np.ones((2, 3, 4))),
        np.ones((2, 3, 4)) * [[2.0], [3.0], [4.0]],
    )


def test_a_functional_model_rescales_an_image_input_and_exports_it(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    rng = np.random.default_rng(10)
    img, side = (
        rng.integers(0, 256, size=(5, 4, 3)).astype(np.float32),
        rng.normal(size=(5, 2)).astype(np.float32),
    )
    a, b = keras.Input((4, 3), name="img"), keras.Input((2,), name="side")
    scaled = layers.Rescaling([1 / 255, 0.5, 2.0], -1.0)(a)
    assert scaled.shape == (None, 4, 3)
    model = keras.Model([a, b], layers.Dense(1)(layers.Concatenate()([layers.Flatten()(scaled), b])))
    pred = model.predict([img, side], verbose=0)
    model.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    (got,) = session.run(None, {"img": img, "side": side})
    np.testing.assert_allclose(got, pred, rtol=1e-5, atol=1e-4)
    model.save(tmp_path / "m.keras")
    np.testing.assert_array_equal(
        keras.models.load_model(tmp_path / "m.keras").predict([img, side], verbose=0), pred
    )


def test_channels_first_reads_the_scale_s_axes_not_the_offset_s() -> None:
    # Keras 3.15.1 under image_data_format "channels_first": the scale (C,) is read as (C, 1, 1), the offset
    # broadcasts as given (along the last axis). Input: channel 0 all 0s, channel 1 all 1s, 2×2 each.
    x = np.stack([np.zeros((2, 2)), np.ones((2, 2))])[None].astype(np.float32)
    keras.config.set_image_data_format("channels_first")
    try:
        direct = layers.Rescaling(1.0, offset=[10.0, 20.0])(x)
        model = keras.Sequential(
            [keras.Input((2, 2, 2)), layers.Rescaling(1.0, offset=[10.0, 20.0]), layers.Flatten()]
        )
        predicted = model.predict(x, verbose=0)
        by_channel = layers.Rescaling([2.0, 3.0])(x)
    finally:
        keras.config.set_image_data_format("channels_last")
    np.testing.assert_array_equal(direct.ravel(), [10, 20, 10, 20, 11, 21, 11, 21])
    np.testing.assert_array_equal(predicted.ravel(), [10, 11, 20, 21, 10, 11, 20, 21])
    np.testing.assert_array_equal(by_channel.ravel(), [0, 0, 0, 0, 3, 3, 3, 3])


@pytest.mark.parametrize(
    "scale, x",
    [
        (np.ones((1, 1, 1)), np.ones((2, 2))),
        (np.ones((1, 2)), np.ones(2)),
        (np.ones((1, 1, 4)), np.ones((3, 4))),
    ],
)
def test_a_factor_with_more_axes_than_the_input_is_refused(scale: Any, x: Any) -> None:
    # Keras broadcasts it into a larger output ((1, 2, 2) from a (2, 2) input); keras_lite keeps shapes.
    with pytest.raises(ValueError, match="does not broadcast over inputs of"):
        layers.Rescaling(scale)(x)
    if scale.ndim > 2:  # ((1, 2) fits a model's rows: (batch, 2) stays (batch, 2))
        with pytest.raises(ValueError, match="does not broadcast over inputs of 2 axes"):
            keras.Sequential([keras.Input((x.shape[-1],)), layers.Rescaling(scale)])


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda i: keras.Model(i, layers.Rescaling(2.0)(i)), "reaches the output without a Flatten"),
        (
            lambda i: keras.Model(i, layers.Dense(1)(layers.Rescaling(2.0)(i))),
            "'dense.*cannot take the input shape",
        ),
        (lambda i: keras.Sequential([i, layers.Rescaling(2.0)]), "cannot end a model whose input has shape"),
        (lambda i: keras.Sequential([i, layers.Rescaling(2.0), layers.Dense(1)]), "Flatten\\(\\) before it"),
    ],
)
def test_a_shape_kept_to_the_output_or_into_a_dense_layer_is_refused(make: Any, match: str) -> None:
    with pytest.raises(keras.NotSupportedError, match=match):
        make(keras.Input((2, 3)))
    with pytest.raises(
        ValueError, match="`scale` of shape \\(2,\\) does not broadcast over samples of shape \\(4, 3\\)"
    ):
        keras.Sequential([keras.Input((4, 3)), layers.Rescaling([1.0, 2.0]), layers.Flatten()])


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: layers.Rescaling("a"), ValueError, "`scale` must be a number"),
        (lambda: layers.Rescaling(1.0, offset=[]), ValueError, "`offset` must be a number"),
        (lambda: layers.Rescaling(None), ValueError, "Received: scale=None"),
        (
            lambda: layers.Rescaling([1.0, 2.0, 3.0])(np.ones((2, 2))),
            ValueError,
            "broadcast to the input's 2",
        ),
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


def _ours(images: bool) -> Any:
    if images:
        return keras.Sequential(
            [
                keras.Input((4, 3, 2)),
                layers.Rescaling([1 / 255, -0.5], offset=0.5),
                layers.Flatten(),
                layers.Dense(3, activation="relu"),
                layers.Dense(1),
            ]
        )
    return keras.Sequential(
        [
            keras.Input((4,)),
            layers.Rescaling(np.array([1 / 255, 0.5, 2.0, -1.0]), offset=0.5),
            layers.Dense(4, activation="relu"),
            layers.Rescaling(0.1),
            layers.Dense(1),
        ]
    )


@pytest.mark.skipif(
    not HAVE_KERAS, reason="Keras 3 with TensorFlow is not installed; the fixtures cover Keras -> us"
)
@pytest.mark.parametrize("images", [False, True], ids=["features", "images"])
def test_keras_loads_the_file_and_trains_on_alike(tmp_path: Path, images: bool) -> None:
    rng = np.random.default_rng(11)
    x = rng.integers(0, 256, size=(48, 4, 3, 2) if images else (48, 4)).astype(np.float32)
    y = rng.normal(size=(48, 1)).astype(np.float32)
    keras.utils.set_random_seed(8)
    model = _ours(images)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    pred, got = resumed_in_keras(tmp_path, model, x, y)
    np.testing.assert_allclose(got["pred"], pred, rtol=1e-5, atol=1e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(got[f"w{i}"], w, rtol=1e-4, atol=1e-5, err_msg=f"weight {i}")
