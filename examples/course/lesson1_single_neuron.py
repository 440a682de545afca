"""Kaggle "Intro to Deep Learning", lesson 1: A Single Neuron (tutorial and exercise) on keras_lite.

DATA: the course reads ``red-wine.csv`` from the Kaggle dataset ``dl-course-data``, which is not shipped
with keras_lite. This script reads a generated stand-in instead (``_standin.py``: the same 12 columns,
11 features and the integer target ``quality``, 1599 rows, synthetic values).

The course's code is kept call for call, with ``from tensorflow import keras`` swapped for
``import keras_lite as keras`` and ``tf.linspace`` for ``np.linspace`` (keras_lite takes NumPy arrays).
The learntools checks of exercise 1 (``learntools/deep_learning_intro/ex1.py``) run as plain asserts.

Run: python examples/course/lesson1_single_neuron.py
"""

from __future__ import annotations

from typing import Any

import _standin
import numpy as np
import pandas as pd

import keras_lite as keras
from keras_lite import layers


def tutorial() -> Any:
    # Create a network with 1 linear unit
    model = keras.Sequential([layers.Dense(units=1, input_shape=[3])])
    assert model.layers[0].input_shape == (None, 3)
    return model


def exercise() -> dict[str, Any]:
    red_wine = pd.read_csv(_standin.csv_file("red-wine.csv"))  # '../input/dl-course-data/red-wine.csv'
    print(red_wine.head())
    print(red_wine.shape)  # (rows, columns)

    # 1) Input shape
    input_shape = [11]
    # learntools ex1 Q1
    assert type(input_shape) in [list, tuple] and len(input_shape) == 1
    assert input_shape[0] == red_wine.shape[1] - 1 == 11

    # 2) Define a linear model
    model = keras.Sequential([layers.Dense(units=1, input_shape=[11])])
    # learntools ex1 Q2
    assert len(model.layers) == 1
    dense_layer = model.layers[0]
    assert dense_layer.__class__.__name__ == "Dense"
    assert dense_layer.units == 1
    assert dense_layer.input_shape == (None, 11)

    # 3) Look at the weights
    w, b = model.weights
    print("Weights\n{}\n\nBias\n{}".format(w, b))  # noqa: UP032 (the course's code)
    # learntools ex1 Q3: the weights are tensor-like handles, not NumPy arrays (tf.is_tensor accepts
    # objects with an ``is_tensor_like`` attribute), and the kernel has shape [11, 1].
    assert type(w) is not np.ndarray
    assert getattr(w, "is_tensor_like", False) and getattr(b, "is_tensor_like", False)
    assert w.shape == (11, 1)
    assert b.shape == (1,)

    # Optional: plot the output of an untrained linear model
    model = keras.Sequential([layers.Dense(1, input_shape=[1])])
    x = np.linspace(-1.0, 1.0, 100)  # the course: tf.linspace(-1.0, 1.0, 100)
    y = model.predict(x)
    w, b = model.weights  # you could also use model.get_weights() here
    title = "Weight: {:0.2f}\nBias: {:0.2f}".format(w[0][0], b[0])  # noqa: UP032 (the course's code)
    print(title)
    if _standin.HAVE_MATPLOTLIB:  # matplotlib is optional (not a keras_lite dependency): else no plot
        import matplotlib.pyplot as plt

        plt.figure(dpi=100)
        plt.plot(x, y, "k")
        plt.xlim(-1, 1)
        plt.ylim(-1, 1)
        plt.xlabel("Input: x")
        plt.ylabel("Target y")
        plt.title(title)
        plt.show()
    return {"model": model, "x": x, "y": y, "title": title}


def main() -> dict[str, Any]:
    """Lesson 1 trains nothing, so this returns the models and the plotted values instead of histories."""
    keras.utils.set_random_seed(0)  # not in the course; makes the run repeatable
    return {"tutorial_model": tutorial(), **exercise()}


if __name__ == "__main__":
    main()
