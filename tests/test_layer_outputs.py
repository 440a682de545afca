"""``layer.input`` / ``layer.output``, ``model.input`` / ``model.output`` and a built ``Sequential``'s
``inputs`` / ``outputs``, as Keras 3.15.1 gives them, and the feature extractor they make:
``keras.Model(model.inputs, model.layers[-2].output)`` shares the layers' weights with the model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers


def test_a_functional_graph_s_tensors() -> None:
    a, b = keras.Input((4,), name="a"), keras.Input((2,), name="b")
    dense = layers.Dense(3, name="h")
    h = dense(a)
    joined = layers.Concatenate(name="c")([h, b])
    assert dense.input is a and dense.output is h
    assert joined._keras_history[0].output is joined
    assert joined._keras_history[0].input == [h, b]  # a merge layer's input is its list
    assert a._keras_history[0].input == [] and a._keras_history[0].output is a  # as Keras's InputLayer
    out = layers.Dense(1)(joined)
    # As given to keras.Model: one tensor, a list, a dict (Keras 3.15.1 keeps the structure).
    assert keras.Model(a, layers.Dense(1)(a)).input is a
    assert keras.Model([a, b], out).input == [a, b]
    assert keras.Model({"b": b, "a": a}, out).input == {"b": b, "a": a}
    assert keras.Model([a, b], [out]).output == [out]
    assert keras.Model([a, b], out).output is out
    fresh = layers.Dense(2)
    for which in ("input", "output"):
        with pytest.raises(AttributeError, match=f"has never been called and thus has no defined {which}"):
            getattr(fresh, which)


def test_a_sequential_s_graph() -> None:
    x = keras.Input((2, 3), name="features")
    model = keras.Sequential([x, layers.Flatten(), layers.Dense(4, name="h"), layers.Dense(1)])
    assert model.inputs == [x]
    flat, h, out = (layer.output for layer in model.layers)
    assert (flat.shape, h.shape, out.shape) == ((None, 6), (None, 4), (None, 1))
    assert model.outputs == [out] and model.layers[1].input is flat
    lazy = keras.Sequential([layers.Dense(3)])
    # Unbuilt: Keras 3.15.1's messages.
    with pytest.raises(AttributeError, match="Sequential model '.*' has no defined inputs yet"):
        _ = lazy.inputs
    with pytest.raises(AttributeError, match="has never been called and thus has no defined output"):
        _ = lazy.layers[0].output
    lazy.predict(np.ones((2, 5), np.float32), verbose=0)
    before = json.dumps(lazy.get_config(), default=str)
    (inp,) = lazy.inputs
    assert inp.shape == (None, 5) and lazy.layers[0].output.shape == (None, 3)
    # Reading the graph does not change the model (no input layer in its config, as before).
    assert json.dumps(lazy.get_config(), default=str) == before


@pytest.mark.parametrize("device", DEVICES)
def test_a_feature_extractor_shares_the_weights(device: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    x, y = rng.random((64, 4), dtype=np.float32), rng.random((64, 2), dtype=np.float32)
    model = keras.Sequential(
        [layers.Dense(8, activation="relu", name="h1"), layers.Dense(3, name="h2"), layers.Dense(2)],
        device=device,
    )
    model.compile("adam", "mse")
    model.fit(x, y, epochs=2, verbose=0)
    features = keras.Model(inputs=model.inputs, outputs=model.layers[-2].output)
    assert [layer.name for layer in features.layers] == ["input_layer", "h1", "h2"]

    def hidden(weights: list[np.ndarray]) -> np.ndarray:
        return np.maximum(x @ weights[0] + weights[1], 0) @ weights[2] + weights[3]

    np.testing.assert_allclose(features.predict(x, verbose=0), hidden(model.get_weights()), atol=1e-5)
    model.fit(x, y, epochs=1, verbose=0)  # training the model moves the extractor's weights too
    np.testing.assert_allclose(features.predict(x, verbose=0), hidden(model.get_weights()), atol=1e-5)
    features.save(tmp_path / "features.keras")
    loaded = keras.models.load_model(tmp_path / "features.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), hidden(model.get_weights()), atol=1e-5)
    # The model grows on from its last layer's output.
    model.pop()
    model.add(layers.Dense(5))
    assert model.outputs[0].shape == (None, 5) and model.layers[-1].input is model.layers[-2].output


def test_what_is_refused() -> None:
    dense = layers.Dense(2)
    dense(keras.Input((4,)))  # called in a graph: a layer is called once in keras_lite
    model = keras.Sequential([keras.Input((4,)), dense])
    with pytest.raises(keras.NotSupportedError, match="layer 'dense.*' of '.*' was called on"):
        _ = model.outputs
    assert not hasattr(model, "outputs")
    inner = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
    outer = keras.Sequential([inner, layers.Dense(1)])
    with pytest.raises(keras.NotSupportedError, match="a Sequential that holds a model"):
        _ = outer.inputs
    # Refusals are AttributeErrors too: tools that probe attributes get an answer.
    assert not hasattr(outer, "inputs") and not hasattr(outer.layers[-1], "output")
    # Once the model's graph is read, its layers are called in it: calling one again would share it, and the
    # refusal says where the first call came from.
    chained = keras.Sequential([keras.Input((4,)), layers.Dense(2, name="d")], name="chained")
    _ = chained.outputs
    with pytest.raises(keras.NotSupportedError, match="by Sequential 'chained', which calls its layers"):
        chained.layers[0](keras.Input((4,)))
    # A layer popped from the model leaves its graph: it can be called elsewhere.
    popped = chained.pop()
    out = popped(inp := keras.Input((4,)))
    assert keras.Model(inp, out).layers[-1] is popped


def test_a_model_emptied_and_built_again_for_another_width_has_a_graph_of_that_width() -> None:
    model = keras.Sequential([layers.Dense(3)])
    model.predict(np.ones((2, 5), np.float32), verbose=0)
    assert model.inputs[0].shape == (None, 5)
    model.pop()
    model.add(layers.Dense(2))
    model.predict(np.ones((2, 7), np.float32), verbose=0)
    assert model.inputs[0].shape == (None, 7) and model.outputs[0].shape == (None, 2)
    assert model.layers[0].input is model.inputs[0]


def test_an_element_of_an_output_reads_like_keras_s_scalar_tensor() -> None:
    # Keras 3.15.1: model(x)[0, 1].numpy(), losses.mean_squared_error(y, p)[0].numpy() and each element met
    # iterating a row give a number with .numpy(); keras_lite's are NumPy scalars that also have it.
    import pickle

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    out = model(np.ones((2, 2), np.float32))
    element = out[0, 1]
    assert isinstance(element, np.float32) and element.numpy() == out.numpy()[0, 1]
    assert type(element.numpy()) is np.float32 and float(element) == float(out.numpy()[0, 1])
    assert [v.numpy() for v in out[0]] == list(out.numpy()[0])
    per_sample = keras.losses.mean_squared_error(np.ones((2, 2)), np.zeros((2, 2)))
    assert per_sample[0].numpy() == 1.0
    assert type(pickle.loads(pickle.dumps(element))) is np.float32  # (a plain NumPy scalar once pickled)
    assert {element: 1}[out.numpy()[0, 1]] == 1  # (hashes as the number)
