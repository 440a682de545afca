"""Python's operators on symbolic tensors build layers of the graph, as Keras 3 builds operations: the
residual ``x + inputs``, ``x - y``, ``x * y``, and a tensor with a number (``x * 0.5``, ``1 - x``,
``inputs / 255.0``, ``-x``). Golden from Keras 3.15.1 (TensorFlow 2.21) for the graph below: predictions
[-2.2649998664855957, 3.2150001525878906], then two SGD epochs' losses [7.783225059509277, 7.169563293457031].
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

L = keras.layers
X = np.arange(8, dtype="float32").reshape(2, 4) / 10


def _graph(device: str) -> Any:
    inp = keras.Input((4,))
    h = L.Dense(4, kernel_initializer="ones", bias_initializer="zeros")(inp)
    r = h + inp
    r = r * 0.5
    r = r - 1.0
    r = 2.0 - r
    r = r / 4.0
    r = -r + h * inp
    return keras.Model(inp, L.Dense(1, kernel_initializer="ones")(r)).to(device)


@pytest.mark.parametrize("device", DEVICES)
def test_operators_compute_as_keras_does(device: str, tmp_path: Path) -> None:
    model = _graph(device)
    np.testing.assert_allclose(
        model.predict(X, verbose=0).ravel(), [-2.2649998664855957, 3.2150001525878906], 1e-6
    )
    model.compile("sgd", "mse")
    history = model.fit(X, np.ones((2, 1)), epochs=2, verbose=0).history
    np.testing.assert_allclose(history["loss"], [7.783225059509277, 7.169563293457031], rtol=1e-6)
    model.save(tmp_path / "ops.keras")
    again = keras.models.load_model(tmp_path / "ops.keras")
    np.testing.assert_allclose(again.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("Add") == 2 and kinds.count("Rescaling") == 5 and kinds.count("Multiply") == 1


def test_each_operator_against_numpy() -> None:
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    xa = np.array([[1.0, -2.0, 3.0]], "float32")
    xb = np.array([[0.5, 4.0, -1.0]], "float32")
    for make, want in [
        (lambda: a + b, xa + xb),
        (lambda: a - b, xa - xb),
        (lambda: a * b, xa * xb),
        (lambda: 3.0 + a, xa + 3.0),
        (lambda: a - 3, xa - 3.0),
        (lambda: 3 - a, 3.0 - xa),
        (lambda: 2 * a, 2 * xa),
        (lambda: a / 4, xa / 4),
        (lambda: -a, -xa),
        (lambda: np.float32(2) * a - np.float64(1), 2 * xa - 1),  # (NumPy scalars leave it to the tensor)
    ]:
        model = keras.Model([a, b], make())
        np.testing.assert_allclose(model.predict([xa, xb], verbose=0), want, rtol=1e-7)


def test_other_operators_are_not_supported() -> None:
    x = keras.Input((4,))
    for op in (lambda: x[:, :2], lambda: x**2, lambda: x @ x, lambda: x / x, lambda: x + "a", lambda: x / 0):
        with pytest.raises(keras.NotSupportedError, match="symbolic tensors"):
            op()
    with pytest.raises(ValueError, match="symbolic"):
        np.asarray(x)
    assert (x.ndim, x.sparse, x.ragged) == (2, False, False)
