"""``SparseCategoricalCrossentropy(ignore_class=...)`` on a model that ends in a softmax or a sigmoid, as Keras
3.15.1 on TensorFlow computes it: Keras multiplies the output by the mask of kept rows before the crossentropy,
so it cannot read the activation's logits as it does without ``ignore_class``. It takes the probabilities
(clipped to [1e-7, 1 - 1e-7], so a saturated output has a large loss and no gradient), or, with
``from_logits=True``, the probabilities as logits, without its from_logits warning. On every device.

Goldens: a live Keras 3.15.1 run of the function ``run`` below (``keras`` in place of ``keras_lite``): one
Dense(3) layer, its kernel set, the bias zero, x = ones((3, 1)), labels [2, 1, 0], SGD(0.1), batch 3.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

SATURATED = [[100.0, 0.0, -100.0]]
MILD = [[2.0, 0.5, -1.0]]

# name: (loss arguments, activation, kernel, Keras's evaluate, Keras's loss over two epochs)
CASES: dict[str, tuple[dict[str, Any], str, list[list[float]], float, list[float]]] = {
    # The two rows kept are saturated at the wrong class: -log(1e-7 / (1 + 1e-7)) each.
    "ignored_row_saturated": (
        {"ignore_class": 0},
        "softmax",
        SATURATED,
        16.11809539794922,
        [16.11809539794922] * 2,
    ),
    # The softmax's output taken as logits.
    "from_logits": (
        {"ignore_class": 0, "from_logits": True},
        "softmax",
        SATURATED,
        1.55144464969635,
        [1.55144464969635] * 2,
    ),
    # No label is -1, so no row is left out, but the output is still masked: (2 * 16.118 + 2e-7) / 3.
    "nothing_ignored": (
        {"ignore_class": -1},
        "softmax",
        SATURATED,
        10.745396614074707,
        [10.745396614074707] * 2,
    ),
    "mild_softmax": (
        {"ignore_class": 0},
        "softmax",
        MILD,
        2.4913113117218018,
        [2.4913113117218018, 2.308849573135376],
    ),
    # A sigmoid's three outputs, normalized by their sum.
    "mild_sigmoid": (
        {"ignore_class": 1},
        "sigmoid",
        MILD,
        1.2923153638839722,
        [1.2923153638839722, 1.276016354560852],
    ),
}
# Keras's weights after the two epochs where they moved (the saturated ones have no gradient).
KERNEL_AFTER = {
    "mild_softmax": [[1.846951961517334, 0.561717689037323, -0.9086697697639465]],
    "mild_sigmoid": [[2.000084400177002, 0.4734238088130951, -0.9498224854469299]],
}
X = np.ones((3, 1), np.float32)
Y = np.array([2, 1, 0])


def run(
    device: str, loss_args: dict[str, Any], activation: str, kernel: list[list[float]]
) -> tuple[Any, ...]:
    model = keras.Sequential(
        [keras.Input(shape=(1,)), keras.layers.Dense(3, activation=activation)], device=device
    )
    model.set_weights([np.array(kernel, np.float32), np.zeros(3, np.float32)])
    model.compile(
        optimizer=keras.optimizers.SGD(0.1), loss=keras.losses.SparseCategoricalCrossentropy(**loss_args)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras gives no from_logits warning here
        evaluated = model.evaluate(X, Y, verbose=0)
        history = model.fit(X, Y, epochs=2, batch_size=3, verbose=0, shuffle=False).history["loss"]
    return evaluated, history, model.get_weights()[0]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_ignore_class_takes_probabilities_as_keras(device: str, name: str) -> None:
    loss_args, activation, kernel, want_eval, want_history = CASES[name]
    evaluated, history, after = run(device, loss_args, activation, kernel)
    np.testing.assert_allclose(evaluated, want_eval, rtol=1e-6)
    np.testing.assert_allclose(history, want_history, rtol=1e-6)
    np.testing.assert_allclose(after, KERNEL_AFTER.get(name, kernel), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("device", DEVICES)
def test_without_ignore_class_the_logits_are_still_read(device: str) -> None:
    """The same saturated model without ``ignore_class``: the crossentropy of the logits, 100 for each row
    at the wrong class (Keras 3.15.1: evaluate 100.0, then 99.86666870117188 after one SGD step)."""
    model = keras.Sequential(
        [keras.Input(shape=(1,)), keras.layers.Dense(3, activation="softmax")], device=device
    )
    model.set_weights([np.array(SATURATED, np.float32), np.zeros(3, np.float32)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=keras.losses.SparseCategoricalCrossentropy())
    history = model.fit(X, Y, epochs=2, batch_size=3, verbose=0, shuffle=False).history["loss"]
    np.testing.assert_allclose(history, [100.0, 99.86666870117188], rtol=1e-6)
