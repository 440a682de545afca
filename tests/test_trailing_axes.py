"""Data with one trailing axis of size 1 more than a model input has, or one fewer where the input ends in 1,
is taken as Keras 3 takes it (``Functional._adjust_input_rank``): ``(n, 28, 28)`` images feed
``keras.Input((28, 28, 1))``. Targets of shape ``(n, k, 1)`` are read as ``(n, k)`` (Keras's losses squeeze
them). Every entry point that reads data does it: fit (arrays, validation data, generators), evaluate,
predict, the ``*_on_batch`` methods and ``model(x)``.

Goldens from Keras 3.15.1 (TensorFlow 2.21) for the same code: the Dense model's one-epoch loss
0.5909512042999268 for ``x`` of shape ``(40, 3, 1)``, for ``y`` of shape ``(40, 1, 1)`` and for the 2-D data
alike; the image model's 1.1022297143936157 for ``(64, 6, 6)`` images and ``Input((6, 6, 1))``, for
``(64, 6, 6, 1)`` and ``Input((6, 6))``, and for the matching shapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import keras_lite as keras

RNG = np.random.default_rng(0)
X = RNG.uniform(-1, 1, (40, 3)).astype("float32")
Y = X.sum(1, keepdims=True)
IMAGES = RNG.uniform(0, 1, (64, 6, 6)).astype("float32")
LABELS = RNG.integers(0, 3, 64)


def _dense() -> Any:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.set_weights([np.full(w.shape, 0.1, "float32") for w in model.get_weights()])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return model


def _images(shape: tuple[int, ...], functional: bool = False) -> Any:
    if functional:
        inp = keras.Input(shape)
        model = keras.Model(inp, keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(inp)))
    else:
        layers = [keras.Input(shape), keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")]
        model = keras.Sequential(layers)
    model.set_weights([np.full(w.shape, 0.05, "float32") for w in model.get_weights()])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    return model


def _loss(model: Any, x: Any, y: Any, batch_size: int = 8) -> float:
    return float(model.fit(x, y, batch_size=batch_size, shuffle=False, verbose=0).history["loss"][0])


@pytest.mark.parametrize(
    ("x", "y"), [(X[..., None], Y), (X, Y[..., None]), (X[..., None], Y[..., None]), (X, Y)]
)
def test_a_dense_model_takes_a_trailing_axis_of_one(x: np.ndarray, y: np.ndarray) -> None:
    np.testing.assert_allclose(_loss(_dense(), x, y), 0.5909512042999268, rtol=1e-6)


@pytest.mark.parametrize(
    ("shape", "images", "functional"),
    [
        ((6, 6, 1), IMAGES, False),
        ((6, 6, 1), IMAGES, True),
        ((6, 6), IMAGES[..., None], False),
        ((6, 6), IMAGES[..., None], True),
        ((6, 6), IMAGES, False),
    ],
)
def test_images_take_or_lose_their_channel_axis(
    shape: tuple[int, ...], images: Any, functional: bool
) -> None:
    model = _images(shape, functional)
    np.testing.assert_allclose(_loss(model, images, LABELS, 16), 1.1022297143936157, rtol=1e-6)


@pytest.mark.filterwarnings("ignore:Your input ran out of data:UserWarning")  # (Keras 3.15.1 warns too)
def test_every_entry_point_adjusts_the_rank() -> None:
    flat, extra = _dense(), _dense()
    want = flat.fit(X, Y, validation_data=(X, Y), batch_size=8, shuffle=False, verbose=0).history
    got = extra.fit(
        X[..., None],
        Y[..., None],
        validation_data=(X[..., None], Y[..., None]),
        batch_size=8,
        shuffle=False,
        verbose=0,
    ).history
    assert got == want
    np.testing.assert_array_equal(extra.predict(X[..., None], verbose=0), flat.predict(X, verbose=0))
    assert extra.evaluate(X[..., None], Y[..., None], verbose=0) == flat.evaluate(X, Y, verbose=0)
    np.testing.assert_array_equal(np.asarray(extra(X[:5, :, None])), np.asarray(flat(X[:5])))
    np.testing.assert_array_equal(extra.predict_on_batch(X[:5, :, None]), flat.predict_on_batch(X[:5]))
    assert extra.test_on_batch(X[..., None], Y[..., None]) == flat.test_on_batch(X, Y)
    assert extra.train_on_batch(X[..., None], Y[..., None]) == flat.train_on_batch(X, Y)

    def batches(x: np.ndarray, y: np.ndarray) -> Any:
        for i in range(0, len(x), 8):
            yield x[i : i + 8], y[i : i + 8]

    a = flat.fit(batches(X, Y), shuffle=False, verbose=0).history
    b = extra.fit(batches(X[..., None], Y[..., None]), shuffle=False, verbose=0).history
    assert a == b


def test_two_inputs_each_adjusted_by_its_own_shape() -> None:
    a, b = keras.Input((3,), name="a"), keras.Input((6, 6, 1), name="b")
    joined = keras.layers.Concatenate()([a, keras.layers.Flatten()(b)])
    model = keras.Model([a, b], keras.layers.Dense(1)(joined))
    want = model.predict([X, IMAGES[:40, :, :, None]], verbose=0)
    np.testing.assert_array_equal(model.predict([X[..., None], IMAGES[:40]], verbose=0), want)
    np.testing.assert_array_equal(model.predict({"a": X[..., None], "b": IMAGES[:40]}, verbose=0), want)


@pytest.mark.parametrize(
    "x",
    [X[..., None, None], X[:, :, None].repeat(2, axis=2), X[:, None, :], np.ones((40, 3, 1, 1), "float32")],
)
def test_other_shapes_are_still_refused(x: np.ndarray) -> None:
    with pytest.raises(ValueError, match="`x`"):
        _dense().fit(x, Y, verbose=0)


def test_images_of_another_shape_are_still_refused() -> None:
    with pytest.raises(ValueError, match="must have shape"):
        _images((6, 6, 1)).fit(IMAGES[:, :, :5], LABELS, verbose=0)
    with pytest.raises(ValueError, match="must have shape"):
        _images((6, 6, 2)).fit(IMAGES, LABELS, verbose=0)
