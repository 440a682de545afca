"""The cosine similarity loss on both devices, against values Keras 3.15.1 (TensorFlow backend) printed for the
same weights and data: its value, its gradient (through three epochs of SGD) and the object on its own."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers


@pytest.mark.parametrize("device", DEVICES)
def test_cosine_similarity_trains_as_keras(device: str) -> None:
    rng = np.random.default_rng(6)
    x = rng.standard_normal((40, 3)).astype(np.float32)
    y = rng.standard_normal((40, 2)).astype(np.float32)
    y[3] = 0.0  # a zero target row: its scale is capped at 1e7, its loss 0
    sw = rng.random(40).astype(np.float32)
    model = keras.Sequential(
        [keras.Input((3,)), layers.Dense(4, activation="relu"), layers.Dense(2)], device=device
    )
    r = np.random.default_rng(1)
    model.set_weights(
        [
            r.standard_normal((3, 4)).astype(np.float32),
            np.zeros(4, np.float32),
            r.standard_normal((4, 2)).astype(np.float32),
            np.zeros(2, np.float32),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(0.1), loss="cosine_similarity", metrics=["cosine_similarity"]
    )
    got = model.evaluate(x, y, batch_size=8, sample_weight=sw, verbose=0, return_dict=True)
    assert got == pytest.approx(
        {"cosine_similarity": -0.2679211497306824, "loss": 0.1333683282136917}, rel=1e-5
    )
    hist = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    assert hist["loss"] == pytest.approx(
        [0.2678947448730469, 0.21750526130199432, 0.19207945466041565], rel=1e-5
    )
    assert hist["cosine_similarity"] == pytest.approx([-v for v in hist["loss"]], rel=1e-6)
    sums = [float(np.sum(w)) for w in model.get_weights()]
    assert sums == pytest.approx(
        [2.698309898376465, 0.13312861323356628, -1.8692741394042969, 0.3835656940937042], abs=2e-6
    )


def test_cosine_similarity_on_its_own() -> None:
    # Keras's docstring example, negated: the loss is -1 where the rows point the same way.
    values = keras.losses.cosine_similarity(
        [[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]]
    )
    np.testing.assert_allclose(values, [0.0, -0.99999994, 0.99999994], rtol=1e-6)
    loss = keras.losses.get("CosineSimilarity")
    assert loss.get_config() == {"name": "cosine_similarity", "reduction": "sum_over_batch_size"}
    assert float(loss([[3.0, 4.0]], [[6.0, 8.0]], sample_weight=[0.5])) == pytest.approx(-0.5, rel=1e-6)
    with pytest.raises(keras.NotSupportedError, match="axis"):
        keras.losses.CosineSimilarity(axis=0)


def test_axis_1_is_the_last_axis_of_2d_data() -> None:
    # Keras 3.15.1 (its docstring's example and axis=1): the loss -0.49999997, the metric 0.49999997, the
    # function [-0., -0.99999994], and on p * 0.5 + 0.25 BinaryCrossentropy(axis=1) 0.8369882, CategoricalCrossentropy(axis=1) 1.3862944.
    y, p = np.array([[0.0, 1.0], [1.0, 1.0]], "float32"), np.array([[1.0, 0.0], [1.0, 1.0]], "float32")
    assert float(keras.losses.CosineSimilarity(axis=1)(y, p)) == pytest.approx(-0.49999997, rel=1e-6)
    assert float(keras.metrics.CosineSimilarity(axis=1)(y, p)) == pytest.approx(0.49999997, rel=1e-6)
    np.testing.assert_allclose(keras.losses.cosine_similarity(y, p, axis=1), [0.0, -0.99999994], rtol=1e-6)
    q = p * 0.5 + 0.25
    assert float(keras.losses.BinaryCrossentropy(axis=1)(y, q)) == pytest.approx(0.8369882, rel=1e-6)
    assert float(keras.losses.CategoricalCrossentropy(axis=1)(y, q)) == pytest.approx(1.3862944, rel=1e-6)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    model.compile(
        "sgd", keras.losses.CosineSimilarity(axis=1), metrics=[keras.metrics.CosineSimilarity(axis=1)]
    )
    same = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    same.set_weights(model.get_weights())
    same.compile("sgd", keras.losses.CosineSimilarity(), metrics=[keras.metrics.CosineSimilarity()])
    assert model.evaluate(p, y, verbose=0) == same.evaluate(p, y, verbose=0)
    # Where axis=1 is not the last axis, keras_lite (which computes over the last axis) refuses it.
    cube = np.ones((2, 3, 2), "float32")
    for call in (
        lambda: keras.losses.CosineSimilarity(axis=1)(cube, cube),
        lambda: keras.metrics.CosineSimilarity(axis=1).update_state(cube, cube),
        lambda: keras.losses.SparseCategoricalCrossentropy(axis=1)(np.zeros((2, 3)), cube),
    ):
        with pytest.raises(keras.NotSupportedError, match="axis=1"):
            call()
    with pytest.raises(ValueError, match="axis"):
        keras.losses.CosineSimilarity(axis="last")
