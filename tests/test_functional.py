"""The Functional API: ``keras.Input``, layers called on KerasTensors, ``keras.Model(inputs, outputs)``.

Training is checked against a NumPy reference of full-batch SGD on both devices; a Functional chain against the
same Sequential; the merge layers' forward against NumPy; the summary and the config against what Keras 3.15.1
printed for the same models (see each golden's comment); the bad inputs against their messages.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _sgd_reference(
    weights: list[np.ndarray], forward: Any, xs: list[np.ndarray], y: np.ndarray, lr: float, steps: int
):
    """Full-batch SGD on the MSE loss in float64: ``forward(weights, xs)`` returns (prediction, backward), where
    ``backward(dpred)`` gives each weight's gradient. Returns the losses before each step and the final weights."""
    w = [v.astype(np.float64) for v in weights]
    losses = []
    for _ in range(steps):
        pred, backward = forward(w, xs)
        losses.append(float(np.mean((pred - y) ** 2)))
        grads = backward(2.0 * (pred - y) / pred.size)
        w = [v - lr * g for v, g in zip(w, grads)]
    return losses, w


def _concat_forward(w: list[np.ndarray], xs: list[np.ndarray]) -> Any:
    """a -> Dense(4, relu); [that, b] -> Dense(1)."""
    k1, b1, k2, b2 = w
    a, b = xs
    z1 = a @ k1 + b1
    h = _relu(z1)
    cat = np.hstack([h, b])
    pred = cat @ k2 + b2

    def backward(d: np.ndarray) -> list[np.ndarray]:
        dcat = d @ k2.T
        dz1 = dcat[:, :4] * (z1 > 0)
        return [a.T @ dz1, dz1.sum(0), cat.T @ d, d.sum(0)]

    return pred, backward


def _residual_forward(w: list[np.ndarray], xs: list[np.ndarray]) -> Any:
    """x -> Dense(4, relu) -> Dense(4); x + that -> Dense(1)."""
    k1, b1, k2, b2, k3, b3 = w
    (x,) = xs
    z1 = x @ k1 + b1
    h1 = _relu(z1)
    h2 = h1 @ k2 + b2
    s = x + h2
    pred = s @ k3 + b3

    def backward(d: np.ndarray) -> list[np.ndarray]:
        ds = d @ k3.T
        dz1 = (ds @ k2.T) * (z1 > 0)
        return [x.T @ dz1, dz1.sum(0), h1.T @ ds, ds.sum(0), s.T @ d, d.sum(0)]

    return pred, backward


def two_input_model(device: str = "cpu") -> Any:
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    h = layers.Dense(4, activation="relu", name="ha")(a)
    joined = layers.Concatenate(name="cat")([h, b])
    return keras.Model([a, b], layers.Dense(1, name="out")(joined), device=device)


def residual_model(device: str = "cpu") -> Any:
    x = keras.Input(shape=(4,))
    h = layers.Dense(4, activation="relu")(x)
    h = layers.Dense(4)(h)
    return keras.Model(x, layers.Dense(1)(layers.Add()([x, h])), device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", ["concatenate", "add"])
def test_graph_trains_like_numpy_sgd(device: str, case: str) -> None:
    rng = np.random.default_rng(0)
    if case == "concatenate":
        model, forward = two_input_model(device), _concat_forward
        xs = [rng.normal(size=(24, 3)).astype(np.float32), rng.normal(size=(24, 2)).astype(np.float32)]
        fit_x: Any = {"b": xs[1], "a": xs[0]}  # a dict by input name, in any order
    else:
        model, forward = residual_model(device), _residual_forward
        xs = [rng.normal(size=(24, 4)).astype(np.float32)]
        fit_x = xs[0]
    y = rng.normal(size=(24, 1)).astype(np.float32)
    start = model.get_weights()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    history = model.fit(fit_x, y, batch_size=24, epochs=4, shuffle=False, verbose=0)
    losses, final = _sgd_reference(start, forward, xs, y, 0.1, 4)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-5)
    for got, want in zip(model.get_weights(), final):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    pred, _ = forward([w.astype(np.float64) for w in model.get_weights()], xs)
    np.testing.assert_allclose(
        model.predict(xs if case == "concatenate" else xs[0], verbose=0), pred, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(model.evaluate(fit_x, y, verbose=0), np.mean((pred - y) ** 2), rtol=1e-5)


@pytest.mark.parametrize("device", DEVICES)
def test_a_functional_chain_trains_exactly_as_the_same_sequential(device: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 5)).astype(np.float32)
    y = rng.normal(size=(50, 1)).astype(np.float32)

    def stack() -> list[Any]:
        return [layers.Dense(8, activation="relu"), layers.BatchNormalization(), layers.Dense(1)]

    keras.utils.set_random_seed(7)
    seq = keras.Sequential([keras.Input(shape=(5,)), *stack()], device=device)
    keras.utils.set_random_seed(7)
    t = i = keras.Input(shape=(5,))
    for layer in stack():
        t = layer(t)
    fun = keras.Model(i, t, device=device)
    for model in (seq, fun):
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    h1 = seq.fit(x, y, batch_size=8, epochs=3, validation_split=0.2, verbose=0)
    h2 = fun.fit(x, y, batch_size=8, epochs=3, validation_split=0.2, verbose=0)
    assert h1.history == h2.history
    for a, b in zip(seq.get_weights(), fun.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert [(w.name, w.shape) for w in fun.weights] == [(w.name, w.shape) for w in seq.weights]


@pytest.mark.parametrize(
    "cls, reference",
    [
        (layers.Add, lambda a, b, c: a + b + c),
        (layers.Average, lambda a, b, c: (a + b + c) / 3),
        (layers.Multiply, lambda a, b, c: a * b * c),
        (layers.Maximum, lambda a, b, c: np.maximum(np.maximum(a, b), c)),
        (layers.Minimum, lambda a, b, c: np.minimum(np.minimum(a, b), c)),
        (layers.Concatenate, lambda a, b, c: np.hstack([a, b, c])),
    ],
)
@pytest.mark.parametrize("device", DEVICES)
def test_each_merge_layer_matches_numpy_through_predict(cls: Any, reference: Any, device: str) -> None:
    rng = np.random.default_rng(2)
    arrays = [rng.normal(size=(7, 3)).astype(np.float32) for _ in range(3)]
    inputs = [keras.Input(shape=(3,), name=n) for n in "pqr"]
    model = keras.Model(inputs, cls()(inputs), device=device)
    np.testing.assert_allclose(model.predict(arrays, verbose=0), reference(*arrays), rtol=1e-6)
    np.testing.assert_allclose(cls()(arrays), reference(*arrays), rtol=1e-6)  # called on arrays


def test_subtract_takes_exactly_two_inputs() -> None:
    rng = np.random.default_rng(3)
    a, b = (rng.normal(size=(5, 2)).astype(np.float32) for _ in range(2))
    i, j = keras.Input(shape=(2,)), keras.Input(shape=(2,))
    model = keras.Model([i, j], layers.subtract([i, j]))
    np.testing.assert_allclose(model.predict([a, b], verbose=0), a - b, rtol=1e-6)
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([i, j, keras.Input(shape=(2,))])


def test_a_layer_built_before_keeps_its_weights() -> None:
    dense = layers.Dense(2)
    dense.build((None, 3))
    kernel = np.arange(6, dtype=np.float32).reshape(3, 2)
    dense.set_weights([kernel, np.ones(2, np.float32)])
    i = keras.Input(shape=(3,))
    model = keras.Model(i, dense(i))
    x = np.eye(3, dtype=np.float32)
    np.testing.assert_array_equal(model.predict(x, verbose=0), kernel + 1)


def test_model_inputs_outputs_layers_and_get_layer() -> None:
    model = two_input_model()
    assert [layer.name for layer in model.layers] == ["a", "ha", "b", "cat", "out"]  # Keras 3.15.1's order
    assert [t.name for t in model.inputs] == ["a", "b"] and model.output_names == ["out"]
    assert model.outputs[0].shape == (None, 1) and model.input_shape == [(None, 3), (None, 2)]
    assert (
        model.input == model.inputs and model.output is model.outputs[0] and model.output_shape == (None, 1)
    )
    assert model.get_layer("cat") is model.layers[3] and model.get_layer(index=1).name == "ha"
    assert isinstance(model, keras.Model) and model.name.startswith("functional")
    assert model.count_params() == 4 * 3 + 4 + 6 + 1
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="only has 5 layers"):
        model.get_layer(index=5)
    with pytest.raises(ValueError, match="Provide only"):
        model.get_layer("a", 0)


def test_keras_order_of_layers_sorts_by_depth_then_first_visit() -> None:
    # Keras 3.15.1 printed ['i1', 'q', 'i2', 'r', 'p', 's'] and the weights q, r, p for this graph, and
    # model.inputs [i1, i2] for the dict {"i2": ..., "i1": ...}.
    i1, i2 = keras.Input((2,), name="i1"), keras.Input((2,), name="i2")
    p = layers.Dense(2, name="p")(i2)
    r = layers.Dense(2, name="r")(layers.Dense(2, name="q")(i1))
    model = keras.Model(inputs={"i2": i2, "i1": i1}, outputs=layers.Add(name="s")([r, p]))
    assert [layer.name for layer in model.layers] == ["i1", "q", "i2", "r", "p", "s"]
    assert [w.path for w in model.weights] == [
        "q/kernel",
        "q/bias",
        "r/kernel",
        "r/bias",
        "p/kernel",
        "p/bias",
    ]
    assert [t.name for t in model.inputs] == ["i1", "i2"]
    x1, x2 = np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)
    pred = model.predict({"i1": x1, "i2": x2}, verbose=0)
    np.testing.assert_allclose(
        pred, model.get_layer("s")([model.get_layer("r")(model.get_layer("q")(x1)), model.get_layer("p")(x2)])
    )
    # K3-run: a dict-built model takes a list only when its keys are sorted (then with a warning).
    with pytest.raises(ValueError, match="not sorted"):
        model.predict([x1, x2], verbose=0)


def test_dict_inputs_are_read_by_key() -> None:
    a, b = keras.Input(shape=(1,), name="a"), keras.Input(shape=(2,), name="b")
    with pytest.warns(UserWarning) as record:
        model = keras.Model({"first": a, "second": b}, layers.Concatenate()([a, b]))
    assert ["Received key 'first'" in str(r.message) for r in record] == [True, False]
    assert record[0].filename == __file__ and "Received key 'second'" in str(record[1].message)
    x = {"first": np.ones((2, 1)), "second": np.zeros((2, 2))}
    np.testing.assert_array_equal(model.predict(x, verbose=0), [[1, 0, 0], [1, 0, 0]])
    with pytest.warns(UserWarning, match="doesn't match the expected structure"):
        np.testing.assert_array_equal(
            model.predict([x["first"], x["second"]], verbose=0), [[1, 0, 0], [1, 0, 0]]
        )
    with pytest.raises(ValueError, match='Missing data for input "second"'):
        model.predict({"first": x["first"], "b": x["second"]}, verbose=0)


# Keras 3.15.1, print(model.summary()) with stdout not a terminal (80 columns: line_length = min(108, 76)).
TWO_INPUT_SUMMARY = """\
Model: "{name}"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)      │ (None, 3)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ ha (Dense)          │ (None, 4)         │         16 │ a[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ b (InputLayer)      │ (None, 2)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ cat (Concatenate)   │ (None, 6)         │          0 │ ha[0][0], b[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ out (Dense)         │ (None, 1)         │          7 │ cat[0][0]         │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 23 (92.00 B)
 Trainable params: 23 (92.00 B)
 Non-trainable params: 0 (0.00 B)
"""

# The residual model: the Add row's "Connected to" wraps and its first entry is cut with an ellipsis.
RESIDUAL_ROWS = """\
│ add (Add)           │ (None, 4)         │          0 │ input_layer[0][0… │
│                     │                   │            │ dense_1[0][0]     │
"""

# A chain prints as a stack (no "Connected to"), InputLayer first.
CHAIN_SUMMARY = """\
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ input_layer (InputLayer)        │ (None, 4)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 2)              │            10 │
"""


def test_summary_has_keras_connected_to_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    model = two_input_model()
    out: list[str] = []
    model.summary(print_fn=out.append)
    assert out == [TWO_INPUT_SUMMARY.format(name=model.name)]
    keras.utils.clear_session()  # Keras's names: input_layer, dense, dense_1, add, ...
    residual = residual_model()
    residual.summary(print_fn=out.append)
    assert RESIDUAL_ROWS in out[-1]
    keras.utils.clear_session()
    i = keras.Input(shape=(4,))
    hidden = layers.Dense(2)(i)
    chain = keras.Model(i, layers.Dense(1)(hidden))
    chain.summary(print_fn=out.append)
    assert CHAIN_SUMMARY in out[-1] and "Connected to" not in out[-1]


def test_x_as_list_or_dict_with_validation_and_sample_weights() -> None:
    rng = np.random.default_rng(4)
    xa, xb = rng.normal(size=(40, 3)).astype(np.float32), rng.normal(size=(40, 2)).astype(np.float32)
    y = rng.normal(size=(40, 1)).astype(np.float32)
    sw = rng.uniform(0.5, 2.0, size=40).astype(np.float32)
    keras.utils.set_random_seed(3)
    m1 = two_input_model()
    keras.utils.set_random_seed(3)
    m2 = two_input_model()
    for m in (m1, m2):
        m.compile(optimizer="sgd", loss="mse", weighted_metrics=["mae"])
    h1 = m1.fit([xa, xb], y, sample_weight=sw, validation_split=0.25, epochs=2, verbose=0, shuffle=False)
    h2 = m2.fit(
        {"a": xa[:30], "b": xb[:30]},
        y[:30],
        sample_weight=sw[:30],
        validation_data=({"a": xa[30:], "b": xb[30:]}, y[30:], sw[30:]),
        epochs=2,
        verbose=0,
        shuffle=False,
    )
    assert h1.history == h2.history and "val_mae" in h1.history
    np.testing.assert_array_equal(m1([xa, xb]).numpy(), m2({"a": xa, "b": xb}).numpy())


def test_bad_inputs_are_named() -> None:
    model = two_input_model()
    model.compile(optimizer="sgd", loss="mse")
    xa, xb, y = np.zeros((4, 3)), np.zeros((4, 2)), np.zeros((4, 1))
    with pytest.raises(ValueError, match='Missing data for input "b"'):
        model.predict({"a": xa}, verbose=0)
    with pytest.raises(
        ValueError, match=r"Input 1 with name 'b' .* expected shape=\(None, 2\), found shape=\(4, 4\)"
    ):
        model.fit([xa, np.zeros((4, 4))], y, verbose=0)
    with pytest.raises(ValueError, match="expects 2 inputs"):
        model.predict(xa, verbose=0)
    with pytest.raises(ValueError, match="expects 2 inputs"):
        model.evaluate([xa, xb, xb], y, verbose=0)
    with pytest.raises(ValueError, match="different numbers of samples"):
        model.predict([xa, xb[:3]], verbose=0)
    with pytest.raises(
        ValueError, match=r"expected shape=\(None, 2\), found shape=\(4, 5\) in `validation_data x\[1\]`"
    ):
        model.fit([xa, xb], y, validation_data=([xa, np.zeros((4, 5))], y), verbose=0)
    assert model.optimizer.iterations == 0  # every refusal came before training


def test_bad_graphs_are_named() -> None:
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    with pytest.raises(ValueError, match="not connected to `inputs`.*'b'"):
        keras.Model(a, layers.Dense(1)(b))
    with pytest.raises(ValueError, match="must be KerasTensors"):
        keras.Model([a, "x"], layers.Dense(1)(a))
    with pytest.raises(ValueError, match=r"incompatible shapes. Received shapes \(3,\) and \(2,\)"):
        layers.Add()([a, b])
    with pytest.raises(ValueError, match="should be called on a list"):
        layers.Concatenate()(a)
    with pytest.raises(ValueError, match="should be called on a list"):
        layers.Multiply()(a)
    with pytest.raises(ValueError, match="expects 1 input"):
        layers.Dense(2)([a, b])
    built = layers.Dense(2, name="built")
    built.build((None, 3))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        built(b)
    shared = layers.Dense(2)
    shared(a)
    with pytest.raises(NotImplementedError, match="calling a layer twice"):
        shared(a)
    d = layers.Dense(1)
    out = d(a)
    first, second = keras.Model(a, out), keras.Model(a, out)  # two models of one graph share its layers
    d.set_weights([np.ones((3, 1)), np.zeros(1)])
    np.testing.assert_allclose(first.predict(np.ones((1, 3)), verbose=0), [[3.0]])
    np.testing.assert_allclose(second.predict(np.ones((1, 3)), verbose=0), [[3.0]])
    with pytest.raises(NotImplementedError, match="width-1 input"):
        layers.Add()([a, keras.Input(shape=(1,))])
    with pytest.raises(NotImplementedError, match="axis"):
        layers.Concatenate(axis=0)
    twice = layers.Dense(1, name="twice")
    with pytest.raises(ValueError, match='"twice" is used 2 times'):
        keras.Model(a, layers.Add()([twice(a), layers.Dense(1, name="twice")(a)]))


def test_a_model_takes_keras_float32_dtype_only() -> None:
    # Keras 3.15.1: keras.Model(i, o, dtype="float32") builds (the model's dtype policy).
    i = keras.Input((3,))
    assert keras.Model(i, keras.layers.Dense(2)(i), dtype="float32").dtype == "float32"
    with pytest.raises(keras.NotSupportedError, match="float32 only"):
        keras.Model(i, keras.layers.Dense(2)(i), dtype="float16")


def test_data_in_another_structure_than_the_inputs_warns_as_keras_does() -> None:
    # Keras 3.15.1 reads a dict given to a model of one bare input, and an array given to a model built from a
    # dict of one input, with its UserWarning "The structure of `inputs` doesn't match the expected structure.
    # Expected: digits Received: inputs=['Tensor(shape=(32, 12))']" (its batch's shape; keras_lite shows the
    # data's) on fit, evaluate, predict and calls.
    x, y = np.ones((8, 12), np.float32), np.zeros((8, 1), np.float32)
    bare = keras.Input((12,), name="digits")
    model = keras.Model(bare, keras.layers.Dense(1)(bare))
    model.compile("sgd", "mse")
    for call in (
        lambda: model.fit({"digits": x}, y, verbose=0),
        lambda: model.evaluate({"digits": x}, y, verbose=0),
        lambda: model.predict({"digits": x}, verbose=0),
        lambda: model({"digits": x}),
    ):
        with pytest.warns(
            UserWarning, match=r"Expected: digits\nReceived: inputs=\['Tensor\(shape=\(8, 12\)\)'\]"
        ):
            call()
    keyed = keras.Input((12,), name="i")
    by_name = keras.Model({"i": keyed}, keras.layers.Dense(1)(keyed))
    with pytest.warns(
        UserWarning, match=r"Expected: \{'i': 'i'\}\nReceived: inputs=Tensor\(shape=\(8, 12\)\)"
    ):
        by_name.predict(x, verbose=0)
    with pytest.warns(UserWarning, match=r"Received: inputs=\{'i': 'Tensor\(shape=\(8, 12\)\)', 'extra'"):
        by_name.predict({"i": x, "extra": x}, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(x, verbose=0)
        by_name.predict({"i": x}, verbose=0)
