"""TensorFlow's beginner quickstart on keras_lite: MNIST digits through Flatten, Dense and Dropout, a loss on
the logits, and probabilities from a softmax of the predictions.

The data set is downloaded on first use into Keras's cache, ``~/.keras/datasets/mnist.npz``, from the
address Keras downloads it from (a copy Keras downloaded is used as it is). The quickstart's last step,
``Sequential([model, Softmax()])``, nests the trained model in another that shares its weights.

Run: python examples/mnist.py [--epochs N]
"""

from __future__ import annotations

import argparse

import numpy as np

import keras_lite as keras


def main(epochs: int = 5) -> dict[str, float]:
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train, x_test = x_train / 255.0, x_test / 255.0

    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(10),
        ]
    )
    predictions = model(x_train[:1]).numpy()  # logits of the first image, untrained
    print("untrained probabilities:", keras.activations.softmax(predictions).numpy().round(3))
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    print("untrained loss (about -log(1/10) = 2.3):", loss_fn(y_train[:1], predictions).numpy())
    model.compile(optimizer="adam", loss=loss_fn, metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=2)

    probability_model = keras.Sequential([model, keras.layers.Softmax()])
    probabilities = probability_model(x_test[:5]).numpy()
    print("probabilities of the first five test images:")
    print(np.round(probabilities, 3))
    print("predicted digits:", probabilities.argmax(axis=1), "true digits:", y_test[:5])
    # The same as a softmax of the trained model's own predictions: the two models share its weights.
    direct = keras.activations.softmax(model.predict(x_test[:5], verbose=0)).numpy()
    return {
        "loss": float(loss),
        "accuracy": float(accuracy),
        "mismatch": float(abs(direct - probabilities).max()),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    main(parser.parse_args().epochs)
