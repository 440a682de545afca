"""Flatten and models whose input has several dimensions (``keras.Input(shape=(4, 3))``), on both devices:
the layer alone against NumPy (both data formats), training through it equal to the same model on the data
flattened by hand, every way to declare the input (Input, ``input_shape=``, ``build``, the first data), the
Functional API, streams, configs and ``.keras`` files both ways, ONNX, and the shapes refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers
from keras_lite._unsupported import NotSupportedError

RNG = np.random.default_rng(11)
X = RNG.normal(size=(48, 4, 3)).astype(np.float32)
Y = RNG.normal(size=(48, 2)).astype(np.float32)


def _weights(model: keras.Model) -> list[np.ndarray]:
    return [w.copy() for w in model.get_weights()]


# ---- the layer on its own -------------------------------------------------------------------------------------
def test_flatten_alone_against_numpy() -> None:
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)
    np.testing.assert_array_equal(np.asarray(layers.Flatten()(x)), x.reshape(2, 60).astype(np.float32))
    first = np.asarray(layers.Flatten(data_format="channels_first")(x))
    np.testing.assert_array_equal(first, np.moveaxis(x, 1, -1).reshape(2, 60).astype(np.float32))
    # Keras's values for channels_first on a (2, 3, 4) arange: the second axis moves last.
    small = np.asarray(layers.Flatten(data_format="channels_first")(np.arange(24.0).reshape(2, 3, 4)))
    assert small[0].tolist() == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]
    assert np.asarray(layers.Flatten()(np.arange(6.0))).shape == (6, 1)  # a 1-D input: one feature each
    flat = np.ones((3, 5), np.float32)
    np.testing.assert_array_equal(np.asarray(layers.Flatten(data_format="channels_first")(flat)), flat)
    assert layers.Flatten().get_config()["data_format"] == "channels_last"
    assert layers.Flatten(data_format="CHANNELS_FIRST").data_format == "channels_first"
    with pytest.raises(ValueError, match="data_format"):
        layers.Flatten(data_format="nhwc")


# ---- training and inference through it ------------------------------------------------------------------------
def _image_model(how: str, device: str, data_format: str = "channels_last") -> keras.Sequential:
    flatten = layers.Flatten(data_format=data_format)
    stack: list[Any] = [layers.Dense(6, activation="tanh"), layers.Dense(2)]
    if how == "input":
        model = keras.Sequential([keras.Input(shape=(4, 3)), flatten, *stack], device=device)
    elif how == "input_shape":
        with pytest.warns(UserWarning, match="input_shape"):
            flatten = layers.Flatten(data_format=data_format, input_shape=(4, 3))
        model = keras.Sequential([flatten, *stack], device=device)
    else:
        model = keras.Sequential([flatten, *stack], device=device)
        if how == "build":
            model.build((None, 4, 3))
        else:  # built from the first data
            model.predict(X[:2], verbose=0)
    return model


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("how", ["input", "input_shape", "build", "data"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_training_equals_the_model_on_flattened_data(device: str, how: str, data_format: str) -> None:
    model = _image_model(how, device, data_format)
    assert model.input_shape == (None, 4, 3) and model.output_shape == (None, 2)
    assert model.layers[0].output_shape == (None, 12)
    flat_x = np.ascontiguousarray(layers.Flatten(data_format=data_format)(X))
    twin = keras.Sequential(
        [keras.Input(shape=(12,)), layers.Dense(6, activation="tanh"), layers.Dense(2)], device=device
    )
    twin.set_weights(model.get_weights())
    for m in (model, twin):
        m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    h1 = model.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0, validation_data=(X[:8], Y[:8]))
    h2 = twin.fit(
        flat_x, Y, batch_size=16, epochs=3, shuffle=False, verbose=0, validation_data=(flat_x[:8], Y[:8])
    )
    assert h1.history == h2.history
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(X, verbose=0), twin.predict(flat_x, verbose=0))
    np.testing.assert_array_equal(np.asarray(model(X)), np.asarray(twin(flat_x)))
    assert model.evaluate(X, Y, verbose=0) == twin.evaluate(flat_x, Y, verbose=0)
    assert model.train_on_batch(X[:8], Y[:8]) == twin.train_on_batch(flat_x[:8], Y[:8])


@pytest.mark.parametrize("device", DEVICES)
def test_a_stream_of_image_batches_trains_as_the_arrays_do(device: str) -> None:
    class Batches(keras.utils.PyDataset):
        def __len__(self) -> int:
            return 3

        def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
            return X[16 * i : 16 * (i + 1)], Y[16 * i : 16 * (i + 1)]

    arrays, stream = _image_model("input", device), _image_model("input", device)
    stream.set_weights(arrays.get_weights())
    for m in (arrays, stream):
        m.compile(optimizer="sgd", loss="mse")
    arrays.fit(X, Y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    stream.fit(Batches(), epochs=2, shuffle=False, verbose=0)
    for a, b in zip(arrays.get_weights(), stream.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(stream.predict(Batches(), verbose=0), stream.predict(X, verbose=0))


@pytest.mark.parametrize("device", DEVICES)
def test_functional_image_and_flat_inputs_against_numpy(device: str) -> None:
    image, aux = keras.Input(shape=(4, 3), name="image"), keras.Input(shape=(2,), name="aux")
    joined = layers.Concatenate()([layers.Flatten(data_format="channels_first")(image), aux])
    model = keras.Model([image, aux], layers.Dense(1)(joined), device=device)
    assert model.input_shape == [(None, 4, 3), (None, 2)]
    xa = RNG.normal(size=(48, 2)).astype(np.float32)
    kernel, bias = model.layers[-1].get_weights()
    want = np.hstack([np.moveaxis(X, 1, -1).reshape(48, 12), xa]) @ kernel + bias
    for data in ([X, xa], {"image": X, "aux": xa}):
        np.testing.assert_allclose(model.predict(data, verbose=0), want, rtol=1e-5, atol=1e-6)
    model.compile(optimizer="adam", loss="mse")
    before = _weights(model)
    model.fit([X, xa], Y[:, :1], epochs=1, verbose=0)
    assert not np.array_equal(before[0], model.get_weights()[0])
    with pytest.raises(ValueError, match=r"shape \(samples, 4, 3\)"):
        model.predict([X.reshape(48, 12), xa], verbose=0)


# ---- what is refused -------------------------------------------------------------------------------------------
def test_data_of_another_shape_is_refused_and_the_model_is_unchanged() -> None:
    model = _image_model("input", "cpu")
    model.compile(optimizer="adam", loss="mse")
    before = _weights(model)
    for bad in (X.reshape(48, 12), X.reshape(48, 3, 4), X[:, :, :, None].repeat(2, 3), X[:, :2]):
        for call in (
            lambda b: model.predict(b, verbose=0),
            lambda b: model(b),
            lambda b: model.fit(b, Y[: len(b)], verbose=0),
            lambda b: model.evaluate(b, Y[: len(b)], verbose=0),
        ):
            with pytest.raises(ValueError, match=r"shape \(samples, 4, 3\)"):
                call(bad)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="empty"):
        keras.Sequential([layers.Flatten(), layers.Dense(1)]).predict(np.zeros((0, 4, 3)), verbose=0)


def test_only_a_flatten_reads_an_input_of_several_dimensions() -> None:
    with pytest.raises(NotSupportedError, match=r"input shape \(None, 4, 3\): put a keras.layers.Flatten"):
        keras.Sequential([keras.Input(shape=(4, 3)), layers.Dense(2)])
    with pytest.raises(NotSupportedError, match=r"input shape \(None, 4, 3\)"):
        layers.Dense(2)(keras.Input(shape=(4, 3)))
    with pytest.raises(NotSupportedError, match=r"input shape \(None, 4, 3\)"):
        keras.Sequential([layers.Dense(2)]).build((None, 4, 3))
    with pytest.raises(ValueError, match="one dimension"), pytest.warns(UserWarning, match="input_shape"):
        layers.Dense(2, input_shape=(4, 3))
    model = keras.Sequential([keras.Input(shape=(4, 3))])
    with pytest.raises(NotSupportedError, match="Flatten"):
        model.add(layers.Dense(1))  # refused before the model changes
    assert model.layers == []
    model.add(layers.Flatten())
    model.add(layers.Dense(1))
    assert model.output_shape == (None, 1)
    image = keras.Input(shape=(4, 3))
    a, b = layers.Flatten()(image), layers.Flatten(data_format="channels_first")(image)
    with pytest.raises(NotSupportedError, match="one data_format"):
        keras.Model(image, layers.Add()([a, b]))
    built = _image_model("input", "cpu")
    with pytest.raises(ValueError, match="cannot be built again"):
        built.build((None, 3, 4))
    with pytest.raises(ValueError, match="cannot be built again"):
        built.build((None, 12))
    built.build((None, 4, 3))  # the same shape again: nothing changes


# ---- display, configs, files, export ---------------------------------------------------------------------------
def test_summary_and_config_as_keras_writes_them(capsys: pytest.CaptureFixture[str]) -> None:
    model = keras.Sequential([keras.Input(shape=(4, 3)), layers.Flatten(), layers.Dense(2)])
    model.summary()
    out = capsys.readouterr().out
    assert "flatten (Flatten)" in out and "(None, 12)" in out and "Total params: 26" in out
    # Keras 3.15.1's get_config() of the same model (keras_lite writes the keys every Keras 3 release reads).
    cfg = json.loads(json.dumps(model.get_config()))
    assert cfg["layers"][0]["config"]["batch_shape"] == [None, 4, 3]
    assert cfg["layers"][1]["class_name"] == "Flatten"
    assert cfg["layers"][1]["config"]["data_format"] == "channels_last"
    assert cfg["layers"][1]["build_config"] == {"input_shape": [None, 4, 3]}
    assert cfg["layers"][2]["build_config"] == {"input_shape": [None, 12]}
    assert cfg["build_input_shape"] == [None, 4, 3]
    image = keras.Input(shape=(4, 3), name="img")
    functional = keras.Model(image, layers.Dense(1)(layers.Flatten()(image)))
    functional.summary()
    assert "img (InputLayer)" in capsys.readouterr().out
    fcfg = functional.get_config()
    shape = fcfg["layers"][1]["inbound_nodes"][0]["args"][0]["config"]["shape"]
    assert shape == (None, 4, 3)  # a tuple, as in Keras 3.15.1's get_config()
    again = keras.Model.from_config(fcfg)
    assert again.input_shape == (None, 4, 3)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_keras_files_round_trip(tmp_path: Path, data_format: str) -> None:
    model = _image_model("data", "cpu", data_format)
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, Y, epochs=2, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.input_shape == (None, 4, 3) and loaded.layers[0].data_format == data_format
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    model.fit(X, Y, epochs=1, shuffle=False, verbose=0)
    loaded.fit(X, Y, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_onnx_export_reads_the_images(tmp_path: Path, data_format: str) -> None:
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    image, aux = keras.Input(shape=(4, 3, 2), name="image"), keras.Input(shape=(3,), name="aux")
    flat = layers.Flatten(data_format=data_format)(image)
    model = keras.Model([image, aux], layers.Dense(2)(layers.Concatenate()([flat, aux])))
    model.export(tmp_path / "m.onnx", format="onnx", verbose=False)
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    assert session.get_inputs()[0].shape == ["batch", 4, 3, 2]
    xi, xa = RNG.normal(size=(5, 4, 3, 2)).astype(np.float32), RNG.normal(size=(5, 3)).astype(np.float32)
    got = session.run(None, {"image": xi, "aux": xa})[0]
    np.testing.assert_allclose(got, model.predict([xi, xa], verbose=0), rtol=1e-5, atol=1e-6)
    unbuilt = keras.Sequential([layers.Flatten(), layers.Dense(1)])
    unbuilt.export(
        tmp_path / "u.onnx", format="onnx", verbose=False, input_signature=[keras.Input(shape=(4, 3))]
    )
    assert unbuilt.input_shape == (None, 4, 3)
    session = ort.InferenceSession(str(tmp_path / "u.onnx"))
    np.testing.assert_allclose(
        session.run(None, {session.get_inputs()[0].name: X})[0],
        unbuilt.predict(X, verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )


# ---- Reshape to one axis ---------------------------------------------------------------------------------------
def test_reshape_to_one_axis_is_a_flatten() -> None:
    x = RNG.normal(size=(5, 2, 3, 2))
    for target in ((12,), (-1,), [12]):
        np.testing.assert_array_equal(
            np.asarray(layers.Reshape(target)(x)), x.reshape(5, 12).astype(np.float32)
        )
    assert layers.Reshape((-1,)).get_config()["target_shape"] == (-1,)
    with pytest.raises(ValueError, match="unchanged"):
        layers.Reshape((10,))(x)
    with pytest.raises(ValueError, match="unchanged"):
        keras.Sequential([keras.Input(shape=(4, 3)), layers.Reshape((10,))])
    with pytest.raises(NotSupportedError, match="one axis"):
        layers.Reshape((3, 4))
    with pytest.raises(ValueError, match="at most one unknown"):
        layers.Reshape((-1, -1))
    with pytest.raises(ValueError, match="positive"):
        layers.Reshape((0,))
    with pytest.raises(TypeError, match="target_shape"):
        layers.Reshape(12)


@pytest.mark.parametrize("device", DEVICES)
def test_training_through_reshape_equals_flatten(device: str, tmp_path: Path) -> None:
    def model(layer: Any) -> keras.Sequential:
        m = keras.Sequential(
            [keras.Input(shape=(4, 3)), layer, layers.Dense(3, "relu"), layers.Dense(2)], device=device
        )
        m.compile(optimizer="rmsprop", loss="mae")
        return m

    reshaped, flattened = model(layers.Reshape((-1,))), model(layers.Flatten())
    reshaped.set_weights(flattened.get_weights())
    for m in (reshaped, flattened):
        m.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(reshaped.get_weights(), flattened.get_weights()):
        np.testing.assert_array_equal(a, b)
    reshaped.save(tmp_path / "r.keras")
    loaded = keras.models.load_model(tmp_path / "r.keras")
    assert isinstance(loaded.layers[0], layers.Reshape) and loaded.layers[0].target_shape == (-1,)
    for a, b in zip(loaded.get_weights(), reshaped.get_weights()):
        np.testing.assert_array_equal(a, b)
    # (loaded on the default device: within float32 rounding of the GPU's predictions)
    np.testing.assert_allclose(
        loaded.predict(X, verbose=0), reshaped.predict(X, verbose=0), rtol=1e-5, atol=1e-6
    )
    cfg = reshaped.get_config()["layers"][1]
    # a tuple, as in Keras 3.15.1's get_config() (its JSON holds a list)
    assert cfg["class_name"] == "Reshape" and cfg["config"]["target_shape"] == (-1,)
