"""Predict a car's fuel efficiency (miles per gallon) from the shipped Auto MPG data, one step at a time.

The walk follows TensorFlow's "Basic regression" tutorial: split the cars 80/20, standardize the features with a
`Normalization` layer adapted on the training part, then train and compare a one-feature linear model, a
linear model on all features, a small DNN on horsepower alone and a DNN on all features (mean absolute error,
Adam, 20% of the training part held back for validation). Two Functional-API variants follow: the same DNN
built from `keras.Input`, and a two-input DNN that joins a horsepower branch to the other features with
`Concatenate`. The all-feature DNN is saved as a `.keras` file, loaded back and scored again.

pandas is optional: with it the split is `DataFrame.sample(frac=0.8, random_state=0)` as in the tutorial;
without it, `auto_mpg.load_data(test_split=0.2, seed=0)` splits the same 392 cars another way.

Run: python examples/auto_mpg.py [--quick] [--epochs N] [--save-dir DIR]

The table at the end of one run (100 epochs, with pandas, on the CPU; about a second on two cores):

    model                  Mean absolute error [MPG]
    (predict the mean)     6.939
    horsepower_model       3.637
    linear_model           2.545
    dnn_horsepower_model   2.922
    dnn_model              1.634
    functional_dnn         1.686
    two_input_dnn          1.653
    reloaded_dnn_model     1.634
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

import keras_lite as keras
from keras_lite import layers
from keras_lite.datasets import auto_mpg

HP = auto_mpg.FEATURES.index("Horsepower")
OTHERS = [i for i in range(len(auto_mpg.FEATURES)) if i != HP]

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def load_split() -> Arrays:
    """Training features, training targets, test features, test targets as float32 arrays."""
    try:
        import pandas  # noqa: F401  (only to know whether load_frame can work)
    except ImportError:
        print("pandas is not installed: splitting with auto_mpg.load_data(test_split=0.2, seed=0) instead")
        (x_train, y_train), (x_test, y_test) = auto_mpg.load_data(test_split=0.2, seed=0)
        return x_train, y_train, x_test, y_test
    frame = auto_mpg.load_frame()  # the missing rows are already gone and Origin is one-hot
    train = frame.sample(frac=0.8, random_state=0)
    test = frame.drop(train.index)
    print("Training-set statistics (the features live on very different scales):")
    print(train.describe().transpose()[["mean", "std"]].round(2).to_string())
    features = auto_mpg.FEATURES
    return (
        train[features].to_numpy("float32"),
        train[auto_mpg.TARGET].to_numpy("float32"),
        test[features].to_numpy("float32"),
        test[auto_mpg.TARGET].to_numpy("float32"),
    )


def linear(normalizer: layers.Normalization) -> keras.Sequential:
    model = keras.Sequential([normalizer, layers.Dense(units=1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mean_absolute_error")
    return model


def compile_dnn(model: keras.Model) -> keras.Model:
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="mean_absolute_error")
    return model


def dnn(normalizer: layers.Normalization, width: int) -> keras.Model:
    return compile_dnn(
        keras.Sequential(
            [
                keras.Input(shape=(width,)),
                normalizer,
                layers.Dense(64, activation="relu"),
                layers.Dense(64, activation="relu"),
                layers.Dense(1),
            ]
        )
    )


def functional_dnn(x_train: np.ndarray) -> keras.Model:
    """The all-feature DNN again, written with the Functional API."""
    normalizer = layers.Normalization(axis=-1)
    normalizer.adapt(x_train)
    inputs = keras.Input(shape=(x_train.shape[1],), name="features")
    hidden = layers.Dense(64, activation="relu")(normalizer(inputs))
    hidden = layers.Dense(64, activation="relu")(hidden)
    outputs = layers.Dense(1)(hidden)
    return compile_dnn(keras.Model(inputs, outputs, name="functional_dnn"))


def two_input_dnn(x_train: np.ndarray) -> keras.Model:
    """Horsepower through its own small branch, joined to the other (normalized) features."""
    hp_norm = layers.Normalization(axis=None)
    hp_norm.adapt(x_train[:, HP])
    rest_norm = layers.Normalization(axis=-1)
    rest_norm.adapt(x_train[:, OTHERS])
    horsepower = keras.Input(shape=(1,), name="horsepower")
    rest = keras.Input(shape=(len(OTHERS),), name="other_features")
    hp_branch = layers.Dense(8, activation="relu")(hp_norm(horsepower))
    joined = layers.Concatenate()([hp_branch, rest_norm(rest)])
    hidden = layers.Dense(64, activation="relu")(joined)
    hidden = layers.Dense(64, activation="relu")(hidden)
    outputs = layers.Dense(1)(hidden)
    return compile_dnn(keras.Model([horsepower, rest], outputs, name="two_input_dnn"))


def two_inputs(x: np.ndarray) -> dict[str, np.ndarray]:
    return {"horsepower": x[:, HP : HP + 1], "other_features": x[:, OTHERS]}


def main(epochs: int = 100, save_dir: str | None = None) -> dict[str, float]:
    """Trains every model for ``epochs`` epochs and returns the test MAE per model (and a few checks)."""
    start = time.perf_counter()
    keras.utils.set_random_seed(0)
    x_train, y_train, x_test, y_test = load_split()
    print(f"{len(x_train)} training cars, {len(x_test)} test cars")

    # One mean and variance per feature, learnt from the training part only.
    normalizer = layers.Normalization(axis=-1)
    normalizer.adapt(x_train)
    first = x_train[:1]
    for label, row in [
        ("normalizer mean", np.asarray(normalizer.mean).ravel()),
        ("first car", first[0]),
        ("as normalized", np.asarray(normalizer(first))[0]),
    ]:
        print(f"{label:<16}", " ".join(f"{v:8.2f}" for v in row))

    # A single-feature normalizer for horsepower: axis=None keeps one mean and one variance. Giving the first
    # layer an input_shape works, though Keras (and keras_lite) warn that keras.Input is the preferred way.
    hp_train, hp_test = x_train[:, HP], x_test[:, HP]
    hp_normalizer = layers.Normalization(input_shape=[1], axis=None)
    hp_normalizer.adapt(hp_train)

    fit_args = {"epochs": epochs, "validation_split": 0.2, "verbose": 0}
    results: dict[str, float] = {}
    histories = {}

    models = {
        "horsepower_model": (linear(hp_normalizer), hp_train, hp_test),
        "linear_model": (linear(normalizer), x_train, x_test),
    }
    # The DNNs get normalizers of their own, adapted the same way, so no layer is shared between models.
    dnn_hp_normalizer = layers.Normalization(axis=None)
    dnn_hp_normalizer.adapt(hp_train)
    dnn_normalizer = layers.Normalization(axis=-1)
    dnn_normalizer.adapt(x_train)
    models["dnn_horsepower_model"] = (dnn(dnn_hp_normalizer, 1), hp_train, hp_test)
    models["dnn_model"] = (dnn(dnn_normalizer, x_train.shape[1]), x_train, x_test)
    models["functional_dnn"] = (functional_dnn(x_train), x_train, x_test)
    models["two_input_dnn"] = (two_input_dnn(x_train), two_inputs(x_train), two_inputs(x_test))

    for name, (model, train_x, test_x) in models.items():
        histories[name] = model.fit(train_x, y_train, **fit_args).history
        results[name] = float(model.evaluate(test_x, y_test, verbose=0))
        last = histories[name]
        print(f"{name:<22} loss {last['loss'][-1]:.3f}  val_loss {last['val_loss'][-1]:.3f}")

    # What the horsepower line predicts across the range of engines.
    grid = np.linspace(0.0, 250.0, 6, dtype="float32")
    line = models["horsepower_model"][0].predict(grid, verbose=0).ravel()
    print("horsepower ->  mpg:", ", ".join(f"{h:.0f} -> {m:.1f}" for h, m in zip(grid, line)))

    dnn_model = models["dnn_model"][0]
    predictions = dnn_model.predict(x_test, verbose=0).ravel()
    print("dnn_model on the first test cars (predicted / true mpg):")
    for p, t in zip(predictions[:5], y_test[:5]):
        print(f"  {p:5.1f} / {t:5.1f}")

    # Save the all-feature DNN, load it back and check it scores the same.
    folder = save_dir or tempfile.mkdtemp()
    path = os.path.join(folder, "dnn_model.keras")
    dnn_model.save(path)
    reloaded = keras.models.load_model(path)
    results["reloaded_dnn_model"] = float(reloaded.evaluate(x_test, y_test, verbose=0))
    same = abs(results["reloaded_dnn_model"] - results["dnn_model"]) <= 1e-6
    print(f"saved {path}; the reloaded model evaluates the same: {same}")

    baseline = float(np.mean(np.abs(y_test - y_train.mean())))
    print()
    print(f"{'model':<22} Mean absolute error [MPG]")
    print(f"{'(predict the mean)':<22} {baseline:.3f}")
    for name, mae in results.items():
        print(f"{name:<22} {mae:.3f}")
    print(f"({epochs} epochs each, {time.perf_counter() - start:.1f} s in all)")
    return {**results, "baseline": baseline}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="train for 30 epochs instead of 100 (for the tests)"
    )
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument(
        "--save-dir", default=None, help="where to write dnn_model.keras (a temporary folder)"
    )
    args = parser.parse_args()
    main(args.epochs or (30 if args.quick else 100), args.save_dir)
