"""A pandas Series is the 1-D array it holds, as Keras 3 reads it: a layer called on one, ``utils.normalize``
of one, or a column of a DataFrame; as ``x``, ``y`` or a sample weight it is one column (n, 1) as before.
A ``category`` column whose categories are numbers is read by its values, as Keras reads it.

Goldens from Keras 3.15.1 (TensorFlow 2.21) for the same calls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import keras_lite as keras

IDS = pd.Series([0, 1, 1])
VALUES = pd.Series([-1.0, 0.5, 2.0])


@pytest.mark.parametrize(
    ("layer", "x", "want"),
    [
        (
            lambda: keras.layers.CategoryEncoding(num_tokens=4, output_mode="multi_hot"),
            IDS,
            [1.0, 1.0, 0.0, 0.0],
        ),
        (lambda: keras.layers.CategoryEncoding(num_tokens=4, output_mode="count"), IDS, [1.0, 2.0, 0.0, 0.0]),
        (lambda: keras.layers.Discretization(bin_boundaries=[0.0, 1.0]), VALUES, [0, 1, 2]),
        (lambda: keras.layers.Rescaling(2.0), VALUES, [-2.0, 1.0, 4.0]),
        (lambda: keras.layers.Normalization(mean=1.0, variance=4.0), VALUES, [-1.0, -0.25, 0.5]),
    ],
)
def test_a_layer_called_on_a_series_sees_one_axis(layer: object, x: pd.Series, want: list[float]) -> None:
    out = np.asarray(layer()(x))  # type: ignore[operator]
    assert out.shape == (len(want),)
    np.testing.assert_allclose(out, want)
    np.testing.assert_array_equal(out, np.asarray(layer()(x.to_numpy())))  # type: ignore[operator]


def test_normalize_of_a_series_is_the_vector_normalized() -> None:
    # Keras: [0.6000000000000001, 0.8] (float64, shape (2,)) for the Series and for df["a"].
    frame = pd.DataFrame({"a": [3.0, 4.0]})
    for x in (pd.Series([3.0, 4.0]), frame["a"]):
        out = keras.utils.normalize(x)
        assert out.shape == (2,)
        np.testing.assert_allclose(out, [0.6, 0.8], rtol=1e-6)


def test_a_series_as_x_y_and_weights_is_one_column() -> None:
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = pd.Series([1.0, 2.0, 3.0, 4.0]), pd.Series([2.0, 4.0, 6.0, 8.0])
    weights = model.get_weights()
    a = model.fit(x, y, sample_weight=pd.Series([1.0, 0.0, 1.0, 1.0]), shuffle=False, verbose=0).history
    model.set_weights(weights)
    column = x.to_numpy()[:, None]
    b = model.fit(
        column, y.to_numpy()[:, None], sample_weight=np.array([1.0, 0, 1, 1]), shuffle=False, verbose=0
    )
    assert a == b.history
    with pytest.raises(ValueError, match="1-D"):
        keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]).predict(x, verbose=0)


def test_a_category_column_of_numbers_is_read_by_its_values() -> None:
    # Keras 3.15.1: fit loss [2.195625066757202], predict [1.8054376, 3.0296726, 2.417555, 4.493978], and
    # to_categorical of Categorical([2, 0, 1]) one-hot rows of the values.
    frame = pd.DataFrame({"area": [50.0, 80.0, 65.0, 120.0], "rooms": pd.Categorical([1, 3, 2, 4])})
    y = pd.Series([1.0, 2.5, 1.8, 4.0])
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.set_weights([np.array([[0.01], [0.1]], "float32"), np.zeros(1, "float32")])
    model.compile(optimizer=keras.optimizers.SGD(1e-4), loss="mse")
    history = model.fit(frame, y, epochs=1, shuffle=False, verbose=0).history
    np.testing.assert_allclose(history["loss"], [2.195625066757202], rtol=1e-6)
    np.testing.assert_allclose(
        model.predict(frame, verbose=0).ravel(), [1.8054376, 3.0296726, 2.417555, 4.493978], rtol=1e-6
    )
    categories = keras.utils.to_categorical(pd.Series(pd.Categorical([2, 0, 1])))
    np.testing.assert_array_equal(categories, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    with pytest.raises(TypeError, match="category"):
        model.predict(pd.DataFrame({"a": [1.0], "b": pd.Categorical(["x"])}), verbose=0)
