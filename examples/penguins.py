"""Classify the penguins that ship with keras_lite, the way a Keras script after the course does it: integer
labels with sparse categorical crossentropy, class weights for the rarer species, a cosine learning-rate schedule
and a checkpoint of the best epoch, which is loaded back and scored.

Run: python examples/penguins.py [--epochs N] [--checkpoint PATH]
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

import keras_lite as keras
from keras_lite import layers
from keras_lite.datasets import penguins


def main(epochs: int = 40, checkpoint: str | None = None) -> dict[str, float]:
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = penguins.load_data()
    # Standardize with the training set's statistics.
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

    # Weigh each species inversely to its share of the training set, as scikit-learn's "balanced" does.
    counts = np.bincount(y_train, minlength=len(penguins.CLASS_NAMES))
    class_weight = {c: float(len(y_train) / (len(counts) * n)) for c, n in enumerate(counts)}

    steps = epochs * int(np.ceil(len(x_train) / 32))
    schedule = keras.optimizers.schedules.CosineDecay(1e-2, decay_steps=steps, alpha=0.05)
    model = keras.Sequential(
        [
            keras.Input(shape=(x_train.shape[1],)),
            layers.Dense(32, activation="relu"),
            layers.Dense(16, activation="relu"),
            layers.Dense(len(penguins.CLASS_NAMES), activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    folder = tempfile.mkdtemp() if checkpoint is None else None
    path = checkpoint or os.path.join(folder or ".", "best.keras")
    best = keras.callbacks.ModelCheckpoint(path, monitor="val_accuracy", save_best_only=True)
    history = model.fit(
        x_train,
        y_train,
        validation_data=(x_test, y_test),
        class_weight=class_weight,
        batch_size=32,
        epochs=epochs,
        callbacks=[best],
        verbose=0,
    )
    restored = keras.models.load_model(path)
    loss, accuracy = restored.evaluate(x_test, y_test, verbose=0)
    print(f"class weights: { {penguins.CLASS_NAMES[c]: round(w, 3) for c, w in class_weight.items()} }")
    print(
        f"best val_accuracy {max(history.history['val_accuracy']):.3f}; the checkpoint scores {accuracy:.3f}"
    )
    print(f"learning rate after training: {float(model.optimizer.learning_rate):.5f}")
    return {"val_accuracy": max(history.history["val_accuracy"]), "restored_accuracy": float(accuracy)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--checkpoint", default=None)
    args = parser.parse_args()
    main(args.epochs, args.checkpoint)
