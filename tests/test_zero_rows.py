"""A call on data of no rows gives no rows, as Keras 3.15.1's does: ``model(x)`` and ``predict_on_batch(x)``
(``(0, units)``), a layer called on its own, in inference or training mode, and ``Flatten``. The widths are
still checked. ``fit``, ``evaluate`` and ``predict`` refuse empty data, as Keras's data adapters do.
"""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras

L = keras.layers


def test_a_model_called_on_no_rows_gives_no_rows() -> None:
    model = keras.Sequential([keras.Input((3,)), L.Dense(4, activation="relu"), L.Dense(1)])
    assert np.asarray(model(np.zeros((0, 3)))).shape == (0, 1)
    assert np.asarray(model(np.zeros((0, 3)))).dtype == np.float32
    assert model.predict_on_batch(np.zeros((0, 3))).shape == (0, 1)
    assert np.asarray(model(np.zeros((0, 3, 1)))).shape == (0, 1)  # (the trailing axis of one, as with rows)
    with pytest.raises(ValueError, match="3 columns"):
        model(np.zeros((0, 4)))
    with pytest.raises(ValueError, match="empty"):
        model.predict(np.zeros((0, 3)), verbose=0)


def test_a_graph_of_two_inputs_and_a_dict_of_outputs() -> None:
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    model = keras.Model([a, b], {"out": L.Dense(2)(L.Concatenate()([a, b]))})
    out = model([np.zeros((0, 2)), np.zeros((0, 3))])
    assert list(out) == ["out"] and np.asarray(out["out"]).shape == (0, 2)
    assert model.predict_on_batch({"a": np.zeros((0, 2)), "b": np.zeros((0, 3))})["out"].shape == (0, 2)
    with pytest.raises(ValueError):
        model([np.zeros((0, 2)), np.zeros((0, 4))])


@pytest.mark.parametrize(
    "layer",
    [
        lambda: L.Dropout(0.5),
        lambda: L.GaussianNoise(0.1),
        lambda: L.BatchNormalization(),
        lambda: L.Dense(2),
    ],
)
def test_a_layer_called_on_no_rows_gives_no_rows(layer: object) -> None:
    for training in (False, True):
        out = np.asarray(layer()(np.zeros((0, 3), "float32"), training=training))  # type: ignore[operator]
        assert out.shape[0] == 0 and out.ndim == 2


def test_flatten_of_no_rows() -> None:
    assert np.asarray(L.Flatten()(np.zeros((0, 3)))).shape == (0, 3)
    assert np.asarray(L.Flatten()(np.zeros((0, 2, 3)))).shape == (0, 6)
