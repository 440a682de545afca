"""Kaggle "Intro to Deep Learning", lesson 2: Deep Neural Networks (tutorial and exercise) on keras_lite.

DATA: the course reads ``concrete.csv`` from the Kaggle dataset ``dl-course-data``, which is not shipped
with keras_lite. This script reads a generated stand-in instead (``_standin.py``: the same 9 columns,
8 unscaled mix features and the target ``CompressiveStrength``, 1030 rows, synthetic values).

The course's code is kept call for call, with ``from tensorflow import keras`` swapped for
``import keras_lite as keras`` and ``tf.linspace`` for ``np.linspace`` (keras_lite takes NumPy arrays).
The learntools checks of exercise 2 (``learntools/deep_learning_intro/ex2.py``) run as plain asserts.

Run: python examples/course/lesson2_deep_neural_networks.py
"""

from __future__ import annotations

from typing import Any

import _standin
import numpy as np
import pandas as pd

import keras_lite as keras
from keras_lite import layers


def tutorial() -> Any:
    model = keras.Sequential(
        [
            # the hidden ReLU layers
            layers.Dense(units=4, activation="relu", input_shape=[2]),
            layers.Dense(units=3, activation="relu"),
            # the linear output layer
            layers.Dense(units=1),
        ]
    )
    assert [layer.units for layer in model.layers] == [4, 3, 1]
    return model


def exercise() -> dict[str, Any]:
    concrete = pd.read_csv(_standin.csv_file("concrete.csv"))  # '../input/dl-course-data/concrete.csv'
    print(concrete.head())

    # 1) Input Shape
    input_shape = [8]
    # learntools ex2 Q1
    assert type(input_shape) in [list, tuple] and len(input_shape) == 1
    assert input_shape[0] == concrete.shape[1] - 1 == 8

    # 2) Define a Model with Hidden Layers
    model = keras.Sequential(
        [
            layers.Dense(512, activation="relu", input_shape=input_shape),
            layers.Dense(512, activation="relu"),
            layers.Dense(512, activation="relu"),
            layers.Dense(1),
        ]
    )
    # learntools ex2 Q2
    assert len(model.layers) == 4
    assert [layer.__class__.__name__ for layer in model.layers] == ["Dense", "Dense", "Dense", "Dense"]
    assert model.layers[0].input_shape == (None, 8)
    assert [layer.activation.__name__ for layer in model.layers] == ["relu", "relu", "relu", "linear"]
    assert [layer.units for layer in model.layers] == [512, 512, 512, 1]
    deep_model = model

    # 3) Activation Layers: each activation in its own Activation layer
    model = keras.Sequential(
        [
            layers.Dense(32, input_shape=[8]),
            layers.Activation("relu"),
            layers.Dense(32),
            layers.Activation("relu"),
            layers.Dense(1),
        ]
    )
    # learntools ex2 Q3 (the checker compares class names with ``is``; ``==`` is the same test here)
    layer_classes = [layer.__class__.__name__ for layer in model.layers]
    assert layer_classes == ["Dense", "Activation", "Dense", "Activation", "Dense"]
    assert model.layers[0].input_shape == (None, 8)
    assert [layer.activation.__name__ for layer in model.layers] == [
        "linear",
        "relu",
        "linear",
        "relu",
        "linear",
    ]
    assert [layer.units for layer in model.layers if layer.__class__.__name__ == "Dense"] == [32, 32, 1]
    # Not in the course: the model the exercise started from, given the same weights, computes the same
    # function, since ``Dense(32), Activation('relu')`` is ``Dense(32, activation='relu')``.
    fused = keras.Sequential(
        [
            layers.Dense(32, activation="relu", input_shape=[8]),
            layers.Dense(32, activation="relu"),
            layers.Dense(1),
        ]
    )
    fused.set_weights(model.get_weights())
    x_concrete = concrete.drop("CompressiveStrength", axis=1).to_numpy()[:5]
    np.testing.assert_allclose(
        model.predict(x_concrete, verbose=0), fused.predict(x_concrete, verbose=0), rtol=1e-5
    )

    # Optional: Alternatives to ReLU. The course asks to change 'relu' to 'elu', 'selu', 'swish'...;
    # this script draws all four.
    curves = {}
    for name in ["relu", "elu", "selu", "swish"]:
        activation_layer = layers.Activation(name)
        x = np.linspace(-3.0, 3.0, 100)  # the course: tf.linspace(-3.0, 3.0, 100)
        y = activation_layer(x)  # once created, a layer is callable just like a function
        curves[name] = y
        if _standin.HAVE_MATPLOTLIB:  # matplotlib is optional (not a keras_lite dependency): else no plot
            import matplotlib.pyplot as plt

            plt.figure(dpi=100)
            plt.plot(x, y)
            plt.xlim(-3, 3)
            plt.xlabel("Input")
            plt.ylabel("Output")
            plt.show()
    np.testing.assert_allclose(curves["relu"], np.maximum(x, 0.0), rtol=1e-6)
    return {"deep_model": deep_model, "activation_model": model, "x": x, "curves": curves}


def main() -> dict[str, Any]:
    """Lesson 2 trains nothing, so this returns the models and activation curves instead of histories."""
    keras.utils.set_random_seed(0)  # not in the course; makes the run repeatable
    return {"tutorial_model": tutorial(), **exercise()}


if __name__ == "__main__":
    main()
