"""Models inside a Sequential (nested models) and layers in several models, as Keras 3 has them: the outer model
lists the inner one as a layer, computes with its layers, and shares their weights with it, whichever of the two
trains; `summary`, configs and `.keras` files are laid out as Keras's (a Keras-made nested file is loaded and
trained on in test_saving.py, from fixtures/nested.keras)."""

from __future__ import annotations

import io
import pickle
import threading
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

RNG = np.random.default_rng(7)
X = RNG.normal(size=(96, 5)).astype(np.float32)
Y = RNG.integers(0, 3, 96)


def encoder(name: str = "encoder", device: str | None = None) -> keras.Sequential:
    return keras.Sequential(
        [keras.Input(shape=(5,)), layers.Dense(8, activation="relu"), layers.Dense(3)],
        name=name,
        device=device,
    )


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(weights: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """The encoder's output (Dense relu, Dense linear) from its weights, in NumPy."""
    k1, b1, k2, b2 = weights
    return np.maximum(x @ k1 + b1, 0) @ k2 + b2


def assert_same(a: list[np.ndarray], b: list[np.ndarray]) -> None:
    assert len(a) == len(b)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)


def assert_summary_has(model: keras.Model, *rows: str) -> None:
    printed: list[str] = []
    model.summary(print_fn=printed.append)
    for row in rows:
        assert row in printed[0], printed[0]


def test_the_quickstart_probability_model_is_a_softmax_of_the_model() -> None:
    # TensorFlow's beginner quickstart: probability_model = Sequential([model, Softmax()]).
    model = encoder()
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(X, Y, epochs=2, verbose=0)
    probability_model = keras.Sequential([model, layers.Softmax()])
    assert probability_model.layers[0] is model and len(probability_model.layers) == 2
    assert probability_model.get_layer("encoder") is model
    assert [w.path for w in probability_model.weights] == [w.path for w in model.weights]
    assert [w.path for w in model.weights][0] == f"encoder/{model.layers[0].name}/kernel"
    want = softmax(model.predict(X, verbose=0))
    np.testing.assert_allclose(probability_model.predict(X, verbose=0), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(probability_model(X[:5]).numpy(), want[:5], rtol=1e-5, atol=1e-6)
    assert probability_model.input_shape == (None, 5) and probability_model.output_shape == (None, 3)


def test_the_summary_is_keras_s() -> None:
    inner = keras.Sequential(
        [keras.Input(shape=(3,)), layers.Dense(4, activation="relu"), layers.Dense(2)], name="inner"
    )
    outer = keras.Sequential([inner, layers.Softmax(name="softmax")], name="sequential")
    # Keras 3.15.1's rows and totals for the same model.
    assert_summary_has(
        outer,
        "│ inner (Sequential)              │ (None, 2)              │            26 │",
        "│ softmax (Softmax)               │ (None, 2)              │             0 │",
        " Total params: 26 (104.00 B)",
        " Trainable params: 26 (104.00 B)",
    )


@pytest.mark.parametrize("device", DEVICES)
def test_training_either_model_trains_the_weights_both_use(device: str) -> None:
    enc = encoder()
    outer = keras.Sequential([enc, layers.Dense(3, activation="softmax")], device=device)
    outer.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = enc.get_weights()
    outer.fit(X, Y, epochs=3, batch_size=16, verbose=0)
    shared = outer.get_weights()[:4]
    assert any(not np.array_equal(a, b) for a, b in zip(shared, before))
    assert_same(enc.get_weights(), shared)
    assert_same([w.numpy() for w in enc.weights], shared)  # the handles read the trained values too
    # predict on a float32 array takes the fast path: it must see the weights the other model trained.
    np.testing.assert_allclose(enc.predict(X, verbose=0), forward(shared, X), rtol=1e-4, atol=1e-5)

    enc.compile(optimizer="sgd", loss="mse")
    enc.fit(X, np.zeros((len(X), 3), np.float32), epochs=2, verbose=0)
    head = outer.layers[1].get_weights()
    want = softmax(forward(enc.get_weights(), X) @ head[0] + head[1])
    np.testing.assert_allclose(outer.predict(X, verbose=0), want, rtol=1e-4, atol=1e-5)
    assert_same(outer.get_weights()[:4], enc.get_weights())
    assert outer.optimizer.iterations == 18 and enc.optimizer.iterations == 6  # each keeps its own optimizer


def test_an_autoencoder_of_an_encoder_and_a_decoder() -> None:
    enc = encoder()
    dec = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(5)], name="decoder")
    autoencoder = keras.Sequential([enc, dec])
    autoencoder.build((None, 5))
    # Built by the model around it, as in Keras: its shapes and its parameters are known.
    assert dec.built and dec.input_shape == (None, 3) and dec.count_params() == 3 * 8 + 8 + 8 * 5 + 5
    autoencoder.compile(optimizer="adam", loss="mse")
    history = autoencoder.fit(X, X, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    codes = enc.predict(X, verbose=0)
    assert codes.shape == (len(X), 3)
    np.testing.assert_allclose(dec.predict(codes, verbose=0), autoencoder.predict(X, verbose=0), atol=1e-5)
    assert dec.input_shape == (None, 3)  # built where the autoencoder put it


def test_a_frozen_inner_model_is_not_trained_until_it_thaws() -> None:
    enc = encoder()
    enc.trainable = False
    outer = keras.Sequential([enc, layers.Dense(3, activation="softmax")])
    outer.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert len(outer.trainable_weights) == 2 and len(outer.non_trainable_weights) == 4
    frozen, head = enc.get_weights(), outer.layers[1].get_weights()
    outer.fit(X, Y, epochs=2, verbose=0)
    assert_same(enc.get_weights(), frozen)
    assert not np.array_equal(outer.layers[1].get_weights()[0], head[0])
    enc.trainable = True  # fine-tuning
    assert len(outer.trainable_weights) == 6
    outer.fit(X, Y, epochs=1, verbose=0)
    assert not np.array_equal(enc.get_weights()[0], frozen[0])


def test_a_functional_graph_with_branches_nests_in_a_sequential() -> None:
    inp = keras.Input(shape=(5,))
    block = keras.Model(inp, layers.Add()([layers.Dense(4)(inp), layers.Dense(4, activation="tanh")(inp)]))
    outer = keras.Sequential([layers.Dense(5, activation="relu"), block, layers.Dense(1)])
    outer.compile(optimizer="adam", loss="mse")
    outer.fit(X, Y.astype(np.float32), epochs=2, verbose=0)
    k0, b0, ka, ba, kb, bb, k1, b1 = outer.get_weights()
    h = np.maximum(X @ k0 + b0, 0)
    want = ((h @ ka + ba) + np.tanh(h @ kb + bb)) @ k1 + b1
    np.testing.assert_allclose(outer.predict(X, verbose=0), want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        block.predict(h, verbose=0), (h @ ka + ba) + np.tanh(h @ kb + bb), rtol=1e-4, atol=1e-5
    )
    twice = keras.Sequential([keras.Sequential([outer]), layers.Identity()])  # a graph two levels down
    np.testing.assert_allclose(twice.predict(X, verbose=0), want, rtol=1e-4, atol=1e-5)
    buf = io.BytesIO()
    outer.save(buf)
    back = keras.models.load_model(io.BytesIO(buf.getvalue()))
    np.testing.assert_allclose(back.predict(X, verbose=0), outer.predict(X, verbose=0), atol=1e-6)


def test_a_functional_chain_nests() -> None:
    inp = keras.Input(shape=(5,))
    chain = keras.Model(inp, layers.Dense(3)(layers.Dense(8, activation="relu")(inp)))
    outer = keras.Sequential([chain, layers.Softmax()])
    np.testing.assert_allclose(
        outer.predict(X, verbose=0), softmax(chain.predict(X, verbose=0)), rtol=1e-5, atol=1e-6
    )
    buf = io.BytesIO()
    outer.save(buf)
    back = keras.models.load_model(io.BytesIO(buf.getvalue()))
    assert type(back.layers[0]).__name__ == "Functional"
    np.testing.assert_allclose(back.predict(X, verbose=0), outer.predict(X, verbose=0), atol=1e-6)


def _trained_nested() -> keras.Sequential:
    outer = keras.Sequential([encoder(), layers.Dense(3, activation="softmax")], name="classifier")
    outer.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    outer.fit(X, Y, epochs=2, verbose=0)
    return outer


def test_keras_files_and_pickles_keep_the_nesting_and_the_weights() -> None:
    outer = _trained_nested()
    buf = io.BytesIO()
    outer.save(buf)
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z,
        h5py.File(io.BytesIO(z.read("model.weights.h5"))) as f,
    ):
        groups: list[str] = []
        f.visit(groups.append)
    # Keras 3.15.1 names the nested model's group by its class and puts its layers' groups inside it.
    for group in (
        "layers/sequential/layers/dense/vars/0",
        "layers/sequential/layers/dense_1/vars/1",
        "layers/sequential/vars",
        "layers/dense/vars/0",
    ):
        assert group in groups, groups
    want = outer.predict(X, verbose=0)
    for back in (keras.models.load_model(io.BytesIO(buf.getvalue())), pickle.loads(pickle.dumps(outer))):
        assert [type(item).__name__ for item in back.layers] == ["Sequential", "Dense"]
        assert back.layers[0].name == "encoder"
        np.testing.assert_allclose(back.predict(X, verbose=0), want, atol=1e-6)
        assert back.optimizer.iterations == outer.optimizer.iterations
        back.fit(X, Y, epochs=1, verbose=0)  # the optimizer state fits the nested weights
        np.testing.assert_allclose(
            back.layers[0].predict(X, verbose=0), forward(back.get_weights()[:4], X), rtol=1e-4, atol=1e-5
        )


@pytest.mark.parametrize("kind", ["weights.h5", "keras"])
def test_weights_files_load_into_a_model_of_the_same_nesting(tmp_path, kind: str) -> None:
    outer = _trained_nested()
    path = tmp_path / f"m.{kind}"
    outer.save_weights(path) if kind == "weights.h5" else outer.save(path)
    other = keras.Sequential([encoder("other"), layers.Dense(3, activation="softmax")])
    other.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    other.build((None, 5))
    other.load_weights(path)
    np.testing.assert_allclose(other.predict(X, verbose=0), outer.predict(X, verbose=0), atol=1e-6)
    np.testing.assert_allclose(other.layers[0].predict(X, verbose=0), outer.layers[0].predict(X, verbose=0))
    assert other.optimizer.iterations == outer.optimizer.iterations


def test_configs_describe_the_nested_model() -> None:
    outer = _trained_nested()
    config = outer.get_config()
    nested = config["layers"][1]
    assert nested["class_name"] == "Sequential" and nested["config"]["name"] == "encoder"
    assert nested["build_config"] == {"input_shape": (None, 5)}  # a tuple, as in Keras 3.15.1's get_config()
    for again in (
        keras.Sequential.from_config(config),
        keras.models.model_from_json(outer.to_json()),
        keras.models.clone_model(outer),
    ):
        assert [type(item).__name__ for item in again.layers] == ["Sequential", "Dense"]
        assert [w.shape for w in again.weights] == [w.shape for w in outer.weights]
        assert again.predict(X, verbose=0).shape == (len(X), 3)


def test_a_nested_model_s_structure_is_fixed_while_it_is_inside() -> None:
    inner = encoder("inner")
    outer = keras.Sequential([inner, layers.Softmax()])
    with pytest.raises(ValueError, match=f"inside model '{outer.name}'"):
        inner.add(layers.Dense(2))
    with pytest.raises(ValueError, match=f"inside model '{outer.name}'"):
        inner.pop()
    outer.pop()
    assert outer.pop() is inner and not outer.layers
    inner.add(layers.Dense(2))  # taken out: its own again
    assert inner.predict(X, verbose=0).shape == (len(X), 2)


def test_a_model_that_takes_a_pickled_nested_state_holds_its_nested_model() -> None:
    live = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(1)])
    live.__setstate__(_trained_nested().__getstate__())  # a live model takes the state whole
    inner = live.layers[0]
    with pytest.raises(ValueError, match=f"inside model '{live.name}'"):
        inner.add(layers.Dense(2))
    np.testing.assert_allclose(
        inner.predict(X, verbose=0), forward(live.get_weights()[:4], X), rtol=1e-4, atol=1e-5
    )


def test_nestings_that_cannot_be_are_refused_and_change_nothing() -> None:
    inner = encoder("inner")
    with pytest.raises(ValueError, match="unique names"):
        keras.Sequential([inner, inner])
    with pytest.raises(NotImplementedError, match="twice"):
        keras.Sequential([inner, keras.Sequential([inner.layers[0]])])
    outer = keras.Sequential([inner])
    with pytest.raises(ValueError, match="cannot contain itself"):
        outer.add(outer)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 5\), found shape=\(None, 4\)"):
        keras.Sequential([keras.Input(shape=(4,)), encoder("other")])
    with pytest.raises(ValueError, match="no layers"):
        keras.Sequential([keras.Sequential(name="empty")])
    assert outer.layers == [inner]
    np.testing.assert_allclose(outer.predict(X, verbose=0), inner.predict(X, verbose=0))


def test_a_layer_in_two_models_has_one_set_of_weights() -> None:
    shared = layers.Dense(4, activation="relu")
    first = keras.Sequential([keras.Input(shape=(5,)), shared, layers.Dense(1)])
    second = keras.Sequential([keras.Input(shape=(5,)), shared, layers.Dense(2)])
    first.compile(optimizer="adam", loss="mse")
    second.compile(optimizer="adam", loss="mse")
    first.fit(X, Y.astype(np.float32), epochs=2, verbose=0)
    assert_same(second.get_weights()[:2], first.get_weights()[:2])
    second.fit(X, np.ones((len(X), 2), np.float32), epochs=2, verbose=0)
    k, b = shared.get_weights()
    head = first.layers[1].get_weights()
    want = np.maximum(X @ k + b, 0) @ head[0] + head[1]
    np.testing.assert_allclose(first.predict(X, verbose=0), want, rtol=1e-4, atol=1e-5)
    first.set_weights([np.zeros_like(w) for w in first.get_weights()])
    assert not shared.get_weights()[0].any() and not second.get_weights()[0].any()


def test_the_outer_fit_s_callback_predicts_with_the_inner_model_but_cannot_train_it() -> None:
    enc = encoder()
    enc.compile(optimizer="sgd", loss="mse")
    outer = keras.Sequential([enc, layers.Dense(3, activation="softmax")])
    outer.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    seen: list[np.ndarray] = []
    errors: list[str] = []

    class Probe(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            seen.append(enc.predict(X, verbose=0))
            try:
                enc.fit(X, np.zeros((len(X), 3), np.float32), verbose=0)
            except RuntimeError as e:
                errors.append(str(e))

    outer.fit(X, Y, epochs=2, verbose=0, callbacks=[Probe()])
    assert len(errors) == 2 and f"model '{outer.name}' is training" in errors[0]
    np.testing.assert_allclose(seen[-1], enc.predict(X, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(seen[-1], forward(outer.get_weights()[:4], X), rtol=1e-4, atol=1e-5)
    assert enc.optimizer.iterations == 0


# ---- models called on keras.Input tensors (the Functional API) ---------------------------------------------------
def test_a_functional_autoencoder_of_two_models() -> None:
    enc = encoder()
    dec = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(5)], name="decoder")
    inputs = keras.Input(shape=(5,))
    autoencoder = keras.Model(inputs, dec(enc(inputs)))
    assert [item.name for item in autoencoder.layers[1:]] == ["encoder", "decoder"]
    assert dec.built and dec.output_shape == (None, 5)  # built where the graph called it
    autoencoder.compile(optimizer="adam", loss="mse")
    history = autoencoder.fit(X, X, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    np.testing.assert_allclose(
        dec.predict(enc.predict(X, verbose=0), verbose=0), autoencoder.predict(X, verbose=0), atol=1e-5
    )


def test_transfer_learning_with_a_frozen_base_called_with_training_false() -> None:
    base = encoder("base")
    base.compile(optimizer="adam", loss="mse")
    base.fit(X, np.zeros((len(X), 3), np.float32), epochs=1, verbose=0)
    base.trainable = False
    inputs = keras.Input(shape=(5,))
    outputs = layers.Dense(1)(base(inputs, training=False))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    frozen = base.get_weights()
    model.fit(X, Y.astype(np.float32), epochs=2, verbose=0)
    assert_same(base.get_weights(), frozen)
    assert len(model.trainable_weights) == 2


def test_a_graph_with_a_nested_model_prints_keras_s_summary_and_round_trips() -> None:
    enc = encoder("enc")
    x = keras.Input(shape=(5,), name="x")
    out = layers.Dense(1, name="head")(layers.Concatenate(name="cat")([enc(x), x]))
    model = keras.Model(x, out, name="graph")
    # Keras 3.15.1's rows for the same model.
    assert_summary_has(
        model,
        "│ enc (Sequential)    │ (None, 3)         │         75 │ x[0][0]           │",
        "│ cat (Concatenate)   │ (None, 8)         │          0 │ enc[0][0],        │",
        " Total params: 84 (336.00 B)",
    )
    k1, b1, k2, b2, k3, b3 = model.get_weights()
    want = np.hstack([forward([k1, b1, k2, b2], X), X]) @ k3 + b3
    np.testing.assert_allclose(model.predict(X, verbose=0), want, rtol=1e-4, atol=1e-5)
    config = model.get_config()
    assert config["layers"][1]["class_name"] == "Sequential" and config["layers"][1]["name"] == "enc"
    buf = io.BytesIO()
    model.save(buf)
    back = keras.models.load_model(io.BytesIO(buf.getvalue()))
    assert [type(item).__name__ for item in back.layers] == [
        "InputLayer",
        "Sequential",
        "Concatenate",
        "Dense",
    ]
    np.testing.assert_allclose(back.predict(X, verbose=0), model.predict(X, verbose=0), atol=1e-6)


def test_a_nested_model_reads_an_input_of_several_dimensions_through_its_flatten() -> None:
    images = RNG.normal(size=(10, 4, 3)).astype(np.float32)
    inner = keras.Sequential([keras.Input(shape=(4, 3)), layers.Flatten(), layers.Dense(2)], name="img")
    inputs = keras.Input(shape=(4, 3))
    model = keras.Model(inputs, layers.Dense(1)(inner(inputs)))
    k1, b1, k2, b2 = model.get_weights()
    np.testing.assert_allclose(
        model.predict(images, verbose=0), (images.reshape(10, 12) @ k1 + b1) @ k2 + b2, rtol=1e-5, atol=1e-6
    )
    outer = keras.Sequential([inner, layers.Softmax()])
    assert outer.input_shape == (None, 4, 3)
    np.testing.assert_allclose(
        outer.predict(images, verbose=0), softmax(inner.predict(images, verbose=0)), rtol=1e-5, atol=1e-6
    )


def test_model_calls_on_tensors_that_cannot_be_are_refused() -> None:
    enc = encoder()
    x = keras.Input(shape=(5,))
    enc(x)
    with pytest.raises(NotImplementedError, match="twice"):
        enc(x)  # its weights shared within one model
    with pytest.raises(ValueError, match=r"expected shape=\(None, 5\), found shape=\(None, 4\)"):
        encoder("other")(keras.Input(shape=(4,)))
    a, b = keras.Input(shape=(2,)), keras.Input(shape=(2,))
    two = keras.Model([a, b], layers.Add()([a, b]))
    with pytest.raises(ValueError, match="expects 2 input tensors"):
        two(keras.Input(shape=(2,)))
    with pytest.raises(ValueError, match=r"Input 1 .* expected shape=\(None, 2\), found shape=\(None, 3\)"):
        two([keras.Input(shape=(2,)), keras.Input(shape=(3,))])
    with pytest.raises(NotImplementedError, match="training=True"):
        encoder("third")(keras.Input(shape=(5,)), training=True)


def test_a_callback_builds_and_runs_an_inner_model_that_only_the_training_model_built() -> None:
    # An autoencoder's callback looks at the decoder's output each epoch: the decoder was built by the
    # autoencoder only, and its layers are being trained; it runs on a copy of their current values.
    enc = encoder()
    dec = keras.Sequential([layers.Dense(5)], name="decoder")
    autoencoder = keras.Sequential([enc, dec])
    autoencoder.compile(optimizer="adam", loss="mse")
    codes = np.ones((4, 3), np.float32)
    seen: list[np.ndarray] = []

    class Look(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            seen.append(dec.predict(codes, verbose=0))

    autoencoder.fit(X, X, epochs=2, verbose=0, callbacks=[Look()])
    k, b = autoencoder.get_weights()[4:]
    np.testing.assert_allclose(seen[-1], codes @ k + b, rtol=1e-5, atol=1e-6)
    autoencoder.fit(X, X, epochs=1, verbose=0)  # the decoder's copy does not hold the autoencoder back
    k, b = autoencoder.get_weights()[4:]
    np.testing.assert_allclose(dec.predict(codes, verbose=0), codes @ k + b, rtol=1e-5, atol=1e-6)
    assert_same(dec.get_weights(), [k, b])


def _inner() -> keras.Sequential:
    return keras.Sequential(
        [
            keras.Input((3,)),
            layers.Dense(4, activation="relu", name="hidden"),
            layers.Dense(2, name="logits"),
        ],
        name="inner",
    )


def test_expand_nested_prints_keras_s_rows() -> None:
    goldens = Path(__file__).parent / "fixtures" / "nested_summaries"
    outer = keras.Sequential([_inner(), layers.Softmax(name="softmax")], name="outer")
    x = keras.Input((3,), name="x")
    graph = keras.Model(
        x, layers.Dense(1, name="head")(layers.Concatenate(name="cat")([_inner()(x), x])), name="graph"
    )
    for model, golden in ((outer, "sequential_expanded.txt"), (graph, "graph_expanded.txt")):
        printed: list[str] = []
        model.summary(expand_nested=True, print_fn=printed.append, line_length=None)
        assert printed[0] == (goldens / golden).read_text(encoding="utf-8"), printed[0]


def test_an_exported_onnx_graph_computes_the_nested_models_layers(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    enc = encoder()
    inputs = keras.Input(shape=(5,))
    inner = keras.Input(shape=(3,))
    block = keras.Model(
        inner, layers.Add()([layers.Dense(2)(inner), layers.Dense(2, activation="tanh")(inner)])
    )
    for model in (
        keras.Sequential([enc, layers.Softmax()]),
        keras.Model(inputs, layers.Dense(1)(enc(inputs))),
        keras.Sequential([enc, block]),  # branches inside a Sequential
    ):
        path = tmp_path / f"{model.name}.onnx"
        model.export(path, format="onnx", verbose=False)
        session = ort.InferenceSession(str(path))
        got = session.run(None, {session.get_inputs()[0].name: X})[0]
        np.testing.assert_allclose(got, model.predict(X, verbose=0), rtol=1e-5, atol=1e-6)


def test_threads_predicting_with_the_inner_and_the_outer_model_get_the_same_answers() -> None:
    # Each call moves the shared layers to the model making it (a copy of their weights); the answers never
    # change, since nothing trains, and no call sees a half-copied network.
    enc = encoder()
    outer = keras.Sequential([enc, layers.Softmax()])
    want_inner, want_outer = enc.predict(X, verbose=0), outer.predict(X, verbose=0)
    errors: list[BaseException] = []

    def work(model: keras.Model, want: np.ndarray) -> None:
        try:
            for i in range(150):
                got = model.predict(X, verbose=0) if i % 2 else model(X).numpy()
                np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    threads = [
        threading.Thread(target=work, args=(model, want))
        for model, want in ((enc, want_inner), (outer, want_outer), (enc, want_inner), (outer, want_outer))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


def test_a_nested_model_s_last_activation_and_regularizers_count_as_the_model_s() -> None:
    inner = keras.Sequential(
        [keras.Input(shape=(5,)), layers.Dense(3, activation="softmax", kernel_regularizer="l2")],
        name="inner",
    )
    outer = keras.Sequential([inner])
    outer.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.warns(UserWarning, match="does not represent logits"):
        outer.fit(X, Y, epochs=1, verbose=0)
    assert len(outer.losses) == 1  # the inner Dense's kernel penalty
    outer.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(reduction=None))
    with pytest.raises(ValueError, match=inner.layers[0].name):
        outer.fit(X, Y, epochs=1, verbose=0)
