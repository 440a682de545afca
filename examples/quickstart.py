"""Train the course's model on the Auto MPG data that ships with keras_lite and print its history.

Run: python examples/quickstart.py
"""

from __future__ import annotations

import numpy as np

import keras_lite as keras
from keras_lite import layers
from keras_lite.datasets import auto_mpg


def main() -> None:
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_valid, y_valid) = auto_mpg.load_data()
    # Min-max scale with the training set's range, as the course does for its data.
    lo, hi = x_train.min(axis=0), x_train.max(axis=0)
    scale = np.where(hi > lo, hi - lo, 1.0)
    x_train, x_valid = (x_train - lo) / scale, (x_valid - lo) / scale

    model = keras.Sequential(
        [
            keras.Input(shape=(x_train.shape[1],)),
            layers.Dense(512, activation="relu"),
            layers.Dense(512, activation="relu"),
            layers.Dense(512, activation="relu"),
            layers.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="mae")
    history = model.fit(
        x_train, y_train, validation_data=(x_valid, y_valid), batch_size=64, epochs=20, verbose=2
    )
    print({key: [round(v, 3) for v in values] for key, values in history.history.items()})


if __name__ == "__main__":
    main()
