"""keras.layers.Normalization: KERAS_COMPAT_2 §20.1 goldens (Keras 3.15.1), adapt against NumPy, training on
both devices against the NumPy reference, summary, saving both ways, and the errors."""

from __future__ import annotations

import io
import os
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers
from keras_lite._unsupported import NotSupportedError
from numpy_reference import fit_reference

X = np.array([[1, 10], [2, 20], [3, 30], [4, 40]], "float32")
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


# ---- §20.1 goldens ------------------------------------------------------------------------------------------
def test_adapt_goldens_and_weights():
    norm = layers.Normalization()
    norm.adapt(X)
    mean, var, count = norm.get_weights()
    np.testing.assert_allclose(mean, [2.5, 25])  # population variance: Σ(x − x̄)²/N
    np.testing.assert_allclose(var, [1.25, 125])
    assert mean.dtype == np.float32 and count.dtype == np.int64 and count.shape == () and count == 0
    assert [v.name for v in norm.weights] == ["mean", "variance", "count"]
    assert not norm.trainable_weights and len(norm.non_trainable_weights) == 3
    out = norm(X)
    np.testing.assert_allclose(
        out, [[-1.3416409] * 2, [-0.4472140] * 2, [0.4472140] * 2, [1.3416409] * 2], 1e-6
    )
    np.testing.assert_allclose(norm.mean, [[2.5, 25]])  # Keras 3 broadcasts the statistics to (1, features)


def test_axis_none_invert_and_the_floor():
    scalar = layers.Normalization(axis=None)
    scalar.adapt(X)
    mean, var, count = scalar.get_weights()
    assert mean.shape == () and float(mean) == 13.75 and float(var) == 189.6875 and count.dtype == np.int64
    assert scalar.count_params() == 3
    inv = layers.Normalization(mean=2.5, variance=1.25, invert=True)
    np.testing.assert_allclose(inv(np.array([[-1.0], [0.0], [1.0]])), [[1.381966], [2.5], [3.618034]], 1e-6)
    assert inv.weights == [] and inv.get_config()["mean"] == 2.5
    # max(sqrt(0), 1e-7): a zero variance scales by 1e7.
    assert layers.Normalization(mean=0.0, variance=0.0)(np.array([[1.0]]))[0, 0] == np.float32(1e7)


def test_given_statistics_broadcast_per_feature():
    norm = layers.Normalization(mean=[1, 2], variance=[4, 9])
    np.testing.assert_allclose(norm(X), (X - [1, 2]) / [2, 3], rtol=1e-6)
    np.testing.assert_allclose(layers.Normalization(mean=[1], variance=[4])(X), (X - 1) / 2, rtol=1e-6)


# ---- adapt ----------------------------------------------------------------------------------------------------
@given(
    rows=st.integers(1, 40),
    cols=st.integers(1, 5),
    batch=st.integers(1, 17),
    seed=st.integers(0, 2**31 - 1),
    axis=st.sampled_from([-1, None]),
)
def test_batched_adapt_equals_full_adapt_and_numpy(rows, cols, batch, seed, axis):
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=(rows, cols)) * rng.uniform(0.1, 50, cols) + rng.uniform(-100, 100, cols)).astype(
        "f4"
    )
    reduce = 0 if axis == -1 else None
    want = (np.mean(x.astype("f8"), axis=reduce), np.var(x.astype("f8"), axis=reduce))
    pieces = [x[i : i + batch] for i in range(0, rows, batch)]
    for data, kwargs in [(x, {}), (x, {"batch_size": batch}), (pieces, {}), (iter(pieces), {})]:
        norm = layers.Normalization(axis=axis)
        norm.adapt(data, **kwargs)
        mean, var, _ = norm.get_weights()
        np.testing.assert_allclose(mean, want[0], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(var, want[1], rtol=1e-4, atol=1e-4)


def test_adapt_accepts_what_keras_users_pass():
    expected = [np.array([2.5, 25], "f4"), np.array([1.25, 125], "f4")]

    class Wrapped:  # an object with __array__
        def __array__(self, dtype=None, copy=None):
            return X

    class Batches:  # a Keras-style PyDataset: len() and indexing, (x, y) batches
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return X[2 * i : 2 * i + 2], np.zeros(2)

    def gen():
        yield X[:1]
        yield X[1:]

    for data in [X.tolist(), Wrapped(), Batches(), gen(), [X[:3], X[3:]], X.astype("f8")]:
        norm = layers.Normalization()
        norm.adapt(data)
        for got, want in zip(norm.get_weights(), expected):
            np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=type(data).__name__)
    norm = layers.Normalization()
    norm.adapt([X[:1], X[1:], X * 100], steps=2)  # only the first two batches
    np.testing.assert_allclose(norm.get_weights()[0], [2.5, 25])


def test_adapt_refuses_dataframes_as_keras_3_does():
    pd = pytest.importorskip("pandas")
    with pytest.raises(TypeError, match=r"adapt\(\) expects an iterable that yields arrays .* type int"):
        layers.Normalization().adapt(pd.DataFrame(X))
    norm = layers.Normalization()
    norm.adapt(pd.DataFrame(X).to_numpy())
    np.testing.assert_allclose(norm.get_weights()[0], [2.5, 25])


def test_adapt_recomputes_and_refuses_bad_data_leaving_the_layer_unchanged():
    norm = layers.Normalization()
    norm.adapt(X)
    norm.adapt(X * 2)  # from scratch, not merged with the first call
    np.testing.assert_allclose(norm.get_weights()[0], [5, 50])
    before = norm.get_weights()
    bad = X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"adapt\(\) needs finite data.*row 2, column 1"):
        norm.adapt(bad)
    with pytest.raises(ValueError, match="incompatible shape"):
        norm.adapt(np.ones((3, 5)))
    with pytest.raises(ValueError, match="incompatible shape"):
        norm.adapt([X, np.ones((2, 3))])
    with pytest.raises(ValueError, match="empty iterable"):
        norm.adapt([])
    with pytest.raises(TypeError, match="type str"):
        norm.adapt(iter(["a", "b"]))
    with pytest.raises(ValueError, match="batch_size"):
        norm.adapt([X], batch_size=2)
    with pytest.raises(ValueError, match="given its mean and variance"):
        layers.Normalization(mean=1.0, variance=1.0).adapt(X)
    for got, want in zip(norm.get_weights(), before):
        np.testing.assert_array_equal(got, want)


# ---- errors at construction ------------------------------------------------------------------------------------
def test_argument_errors():
    with pytest.raises(ValueError, match="both `mean` and `variance` must be set. Received: mean=1.0"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="must have the same shape"):
        layers.Normalization(mean=[1.0, 2.0], variance=[1.0])
    with pytest.raises(ValueError, match="rank of `mean`"):
        layers.Normalization(axis=None, mean=[1.0, 2.0], variance=[1.0, 2.0])
    with pytest.raises(NotSupportedError, match="axis=0"):
        layers.Normalization(axis=0)
    with pytest.raises(NotSupportedError, match=r"axis=\(0, 1\)"):
        layers.Normalization(axis=(0, 1))
    with pytest.raises(ValueError, match="cannot be broadcast to the input's 3 features"):
        layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 2.0])(np.ones((2, 3)))
    assert layers.Normalization(axis=1).axis == (1,) and layers.Normalization(axis=None).axis == ()


# ---- in a model --------------------------------------------------------------------------------------------------
SUMMARY = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ normalization (Normalization)   │ (None, 2)              │             5 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 1)              │             3 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 8 (36.00 B)
 Trainable params: 3 (12.00 B)
 Non-trainable params: 5 (24.00 B)
"""


def test_summary_counts_the_int64_count(capsys):
    keras.utils.clear_session()
    norm = layers.Normalization()
    model = keras.Sequential([keras.Input((2,)), norm, layers.Dense(1)])
    norm.adapt(X)  # after the model is built: the statistics reach its weights
    model.summary(line_length=76)
    assert capsys.readouterr().out == SUMMARY  # Keras 3.15.1 (§20.1)
    np.testing.assert_allclose(model.get_weights()[1], [1.25, 125])
    assert model.get_weights()[2].dtype == np.int64


@pytest.mark.parametrize("device", DEVICES)
def test_fit_matches_the_numpy_reference(device):
    rng = np.random.default_rng(3)
    x = (rng.normal(size=(96, 3)) * [1, 10, 100] + [5, -50, 500]).astype("f4")
    y = (x @ np.array([[0.5], [0.05], [-0.005]]) + 1).astype("f4")
    norm = layers.Normalization()
    norm.adapt(x)  # before the model is built
    model = keras.Sequential([keras.Input((3,)), norm, layers.Dense(4, activation="relu"), layers.Dense(1)])
    model.to(device)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    start = model.get_weights()[3:]
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    scaled = (x - x.mean(0)) / np.sqrt(x.astype("f8").var(0)).astype("f4")
    want, weights = fit_reference(start, scaled, y, batch_size=16, epochs=3, lr=0.01, loss="mse")
    np.testing.assert_allclose(history.history["loss"], want["loss"], rtol=1e-4)
    for got, ref in zip(model.get_weights()[3:], weights):
        np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], x.astype("f8").mean(0), rtol=1e-6)  # never trained
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), want["loss"][-1], rtol=0.5)
    # Adapting again after training reaches the weights the device computes with.
    norm.adapt(x * 2)
    hidden = np.maximum(
        (x - 2 * x.mean(0)) / (2 * np.sqrt(x.astype("f8").var(0))) @ weights[0] + weights[1], 0
    )
    np.testing.assert_allclose(
        model.predict(x, verbose=0), hidden @ weights[2] + weights[3], rtol=1e-4, atol=1e-4
    )


@pytest.mark.parametrize("device", DEVICES)
def test_given_statistics_train_after_a_layer(device):
    # Normalization after a Dense layer: its backward pass (dy / s, or dy · s inverted) reaches the kernel.
    model = keras.Sequential(
        [
            keras.Input((2,)),
            layers.Dense(3, activation="tanh"),
            layers.Normalization(mean=[0.1, -0.2, 0.0], variance=[0.25, 4.0, 1.0]),
            layers.Normalization(axis=None, mean=0.5, variance=9.0, invert=True),
            layers.Dense(1),
        ]
    )
    model.to(device).compile(optimizer="sgd", loss="mse")
    w = model.get_weights()
    model.fit(X / 40, X[:, :1] / 4, batch_size=4, epochs=1, shuffle=False, verbose=0)
    # One SGD step by hand: z = tanh(xW + b); n = 3·(z − m)/s + 0.5; p = nV + c; dL/dp = 2(p − y)/4.
    x, y = X / 40, X[:, :1] / 4
    z = np.tanh(x @ w[0] + w[1])
    s = np.sqrt([0.25, 4.0, 1.0])
    n = 3 * (z - [0.1, -0.2, 0.0]) / s + 0.5
    dp = 2 * (n @ w[2] + w[3] - y) / 4
    dz = (dp @ w[2].T) * 3 / s * (1 - z**2)
    np.testing.assert_allclose(model.get_weights()[0], w[0] - 0.01 * x.T @ dz, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(model.get_weights()[2], w[2] - 0.01 * n.T @ dp, rtol=1e-5, atol=1e-7)


# ---- saving --------------------------------------------------------------------------------------------------------
def test_keras_file_round_trip_and_layout(tmp_path):
    h5py = pytest.importorskip("h5py")
    norm = layers.Normalization()
    norm.adapt(X)
    model = keras.Sequential([keras.Input((2,)), norm, layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, X[:, :1], epochs=1, verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert loaded.get_weights()[2].dtype == np.int64
    with zipfile.ZipFile(path) as z:
        import json

        item = json.loads(z.read("config.json"))["config"]["layers"][1]
        blob = z.read("model.weights.h5")
    assert item["class_name"] == "Normalization"
    assert {k: item["config"][k] for k in ("axis", "invert", "mean", "variance")} == {
        "axis": [-1],
        "invert": False,
        "mean": None,
        "variance": None,
    }
    with h5py.File(io.BytesIO(blob)) as f:
        count = f["layers/normalization/vars/2"]
        assert count.dtype == np.int64 and count.shape == ()
        np.testing.assert_array_equal(f["layers/normalization/vars/1"][()], [1.25, 125])
    given = keras.Sequential(
        [keras.Input((2,)), layers.Normalization(mean=[1, 2], variance=[4, 9], invert=True)]
    )
    given.save(str(tmp_path / "g.keras"))
    again = keras.models.load_model(str(tmp_path / "g.keras"))
    assert again.layers[0].invert and again.layers[0].get_config()["mean"] == [1, 2] and not again.weights
    np.testing.assert_array_equal(again.predict(X, verbose=0), given.predict(X, verbose=0))
    weights = str(tmp_path / "w.weights.h5")
    model.save_weights(weights)
    other = keras.Sequential([keras.Input((2,)), layers.Normalization(), layers.Dense(1)])
    other.load_weights(weights)
    np.testing.assert_array_equal(other.predict(X, verbose=0), model.predict(X, verbose=0))


def test_keras_written_adapted_model_loads_its_statistics():
    # tests/fixtures/make_normalization_fixtures.py: Keras 3.15.1 adapted the layer on `x` (resume.npz).
    model = keras.models.load_model(os.path.join(FIXTURES, "normalization_adapted.keras"))
    x = np.load(os.path.join(FIXTURES, "normalization_adapted.resume.npz"))["x"]
    mean, var, count = model.layers[0].get_weights()
    np.testing.assert_allclose(mean, x.astype("f8").mean(0), rtol=1e-5)
    np.testing.assert_allclose(var, x.astype("f8").var(0), rtol=1e-4)
    assert count.dtype == np.int64 and count == 0


# ---- keras.utils ---------------------------------------------------------------------------------------------------
def test_to_categorical_and_normalize():
    out = keras.utils.to_categorical(np.array([[0], [2], [1]]))  # a trailing 1 is dropped; max + 1 classes
    assert out.dtype == np.float64 and out.shape == (3, 3)
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert keras.utils.to_categorical([1, 0], num_classes=4).tolist() == [[0, 1, 0, 0], [1, 0, 0, 0]]
    assert keras.utils.to_categorical(np.zeros((2, 3)), 2).shape == (2, 3, 2)
    # Keras 3.15 casts ids to int64 (toward zero) and indexes as NumPy does: a negative id counts from the end,
    # and one outside -n..n-1 is an IndexError.
    np.testing.assert_array_equal(keras.utils.to_categorical([0, 2, -1]), [[1, 0, 0], [0, 0, 1], [0, 0, 1]])
    np.testing.assert_array_equal(keras.utils.to_categorical([0.5, 1.7, 2.2]), np.eye(3))
    np.testing.assert_array_equal(keras.utils.to_categorical([1, 2], num_classes=0), [[0, 1, 0], [0, 0, 1]])
    for ids, n in [([3], 2), ([-4], 3), ([-1, -2], None)]:
        with pytest.raises(IndexError, match="outside what num_classes"):
            keras.utils.to_categorical(ids, num_classes=n)
    with pytest.raises(ValueError, match="num_classes=2"):
        keras.utils.to_categorical([3], num_classes=2)
    with pytest.raises(ValueError, match="finite numbers"):
        keras.utils.to_categorical([np.nan])
    got = keras.utils.normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))  # §20.3: zero norms count as 1
    np.testing.assert_allclose(got, [[0.6, 0.8], [0, 0]])
    np.testing.assert_allclose(keras.utils.normalize(np.array([[3.0, 4.0]]), order=1), [[3 / 7, 4 / 7]])
    # Anything but a NumPy array goes through Keras's ops.normalize in float32, along the axis asked for (Keras's
    # NumPy branch expands `axis or -1`, so axis=0 on an array divides the wrong way, in Keras as here).
    np.testing.assert_allclose(keras.utils.normalize([[1.0], [2.0]], axis=0), [[0.4472136], [0.8944272]])
    by_column = keras.utils.normalize([[3.0, 0.0], [4.0, 1.0]], axis=0)
    assert by_column.dtype == np.float32
    np.testing.assert_allclose(by_column, [[0.6, 0.0], [0.8, 1.0]], rtol=1e-6)
    np.testing.assert_allclose(
        keras.utils.normalize(np.array([[3.0, 0.0], [4.0, 1.0]]), axis=0), [[0.6, 0], [4, 1]]
    )
    assert keras.utils.normalize([3.0, 4.0]).shape == (2,)
    np.testing.assert_allclose(
        keras.utils.normalize([1e-9, 0.0]), [1e-2, 0.0], rtol=1e-6
    )  # 1/ε caps the scale
    with pytest.raises(ValueError, match="order` must be an int >= 1"):
        keras.utils.normalize([[1.0, 2.0]], order=1.5)


def test_one_feature_column_with_axis_none():
    # The Auto MPG tutorial's horsepower model: 1-D data, axis=None, the layer called again once in a model.
    hp = np.array([130.0, 165.0, 150.0, 95.0])
    norm = layers.Normalization(axis=None)
    norm.adapt(hp)
    model = keras.Sequential([keras.Input((1,)), norm, layers.Dense(1)])
    model.compile(optimizer="adam", loss="mae")
    model.fit(hp, hp, epochs=1, verbose=0)
    want = (hp[:2] - hp.mean()) / hp.std()
    np.testing.assert_allclose(norm(hp[:2]), want, rtol=1e-6)
    assert norm(hp[:2]).shape == (2,)
    np.testing.assert_allclose(
        model.predict(hp[:2], verbose=0),
        want[:, None] @ model.get_weights()[3] + model.get_weights()[4],
        rtol=1e-5,
    )


def test_adapt_takes_an_object_array_of_numbers_and_bools() -> None:
    # TensorFlow's regression tutorial adapts on np.array(train_features), an object array once pd.get_dummies
    # makes bool columns; Keras 3.15.1 adapts: mean [[2.5, 25.25, 0.5]] here. Strings are still refused.
    data = np.array([[1.0, 10, True], [2.0, 20, False], [3.0, 30, True], [4.0, 41, False]], dtype=object)
    norm = keras.layers.Normalization()
    norm.adapt(data)
    np.testing.assert_allclose(norm.mean, [[2.5, 25.25, 0.5]])
    with pytest.raises(TypeError, match="numeric"):
        keras.layers.Normalization().adapt(np.array([["a", 1.0]], dtype=object))
