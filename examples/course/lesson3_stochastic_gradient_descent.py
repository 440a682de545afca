"""Kaggle "Intro to Deep Learning", lesson 3: Stochastic Gradient Descent (tutorial and exercise) on keras_lite.

DATA: the course reads ``red-wine.csv`` (tutorial) and ``fuel.csv`` (exercise) from the Kaggle dataset
``dl-course-data``, which is not shipped with keras_lite. This script reads generated stand-ins instead
(``_standin.py``): red wine with 11 features and ``quality`` (1599 rows); fuel economy with 9 numeric and
4 text columns and the target ``FE`` (1107 rows), which preprocess to the course's 50 features. The values
are synthetic.

The course's code is kept call for call, with ``from tensorflow import keras`` swapped for
``import keras_lite as keras``. The exercise's scikit-learn preprocessing
(``make_column_transformer(StandardScaler(), OneHotEncoder(sparse=False))``) is done with pandas by
``_standin.ColumnPreprocessor``, because scikit-learn is not installed. The epoch counts are the course's
(10 and 200). The learntools checks of exercise 3 run as plain asserts.

Run: python examples/course/lesson3_stochastic_gradient_descent.py
"""

from __future__ import annotations

from typing import Any

import _standin
import numpy as np
import pandas as pd

import keras_lite as keras
from keras_lite import layers


def tutorial() -> Any:
    red_wine = pd.read_csv(_standin.csv_file("red-wine.csv"))  # '../input/dl-course-data/red-wine.csv'

    # Create training and validation splits
    df_train = red_wine.sample(frac=0.7, random_state=0)
    df_valid = red_wine.drop(df_train.index)
    print(df_train.head(4))  # the course: display(df_train.head(4))

    # Scale to [0, 1]
    max_ = df_train.max(axis=0)
    min_ = df_train.min(axis=0)
    df_train = (df_train - min_) / (max_ - min_)
    df_valid = (df_valid - min_) / (max_ - min_)

    # Split features and target
    X_train = df_train.drop("quality", axis=1)
    X_valid = df_valid.drop("quality", axis=1)
    y_train = df_train["quality"]
    y_valid = df_valid["quality"]
    print(X_train.shape)

    model = keras.Sequential(
        [
            layers.Dense(512, activation="relu", input_shape=[11]),
            layers.Dense(512, activation="relu"),
            layers.Dense(512, activation="relu"),
            layers.Dense(1),
        ]
    )
    model.compile(
        optimizer="adam",
        loss="mae",
    )
    history = model.fit(
        X_train,
        y_train,
        validation_data=(X_valid, y_valid),
        batch_size=256,
        epochs=10,
    )

    # convert the training history to a dataframe
    history_df = pd.DataFrame(history.history)
    if _standin.HAVE_MATPLOTLIB:  # pandas' .plot() needs matplotlib, which is optional: else no plot
        # use Pandas native plot method
        history_df["loss"].plot()
    assert list(history_df.columns) == ["loss", "val_loss"] and len(history_df) == 10
    return history


def exercise() -> dict[str, Any]:
    fuel = pd.read_csv(_standin.csv_file("fuel.csv"))  # '../input/dl-course-data/fuel.csv'

    X = fuel.copy()
    # Remove target
    y = X.pop("FE")

    # The course:
    #   preprocessor = make_column_transformer(
    #       (StandardScaler(), make_column_selector(dtype_include=np.number)),
    #       (OneHotEncoder(sparse=False), make_column_selector(dtype_include=object)),
    #   )
    # scikit-learn is not installed, so the same transform is done with pandas. (exclude=np.number picks
    # the text columns under both pandas 2's object and pandas 3's str dtype.)
    preprocessor = _standin.ColumnPreprocessor(
        numeric=list(X.select_dtypes(include=np.number).columns),
        categorical=list(X.select_dtypes(exclude=np.number).columns),
    )

    X = preprocessor.fit_transform(X)
    y = np.log(y)  # log transform target instead of standardizing

    input_shape = [X.shape[1]]
    print("Input shape: {}".format(input_shape))  # noqa: UP032 (the course's code)
    assert input_shape == [50]
    print(fuel.head())
    print(pd.DataFrame(X[:10, :]).head())

    model = keras.Sequential(
        [
            layers.Dense(128, activation="relu", input_shape=input_shape),
            layers.Dense(128, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(1),
        ]
    )

    # 1) Add Loss and Optimizer
    model.compile(
        optimizer="adam",
        loss="mae",
    )
    # learntools ex3 Q1: the compile arguments as tf.keras 2 kept them
    assert model.compiled_loss._losses == "mae"
    assert model.optimizer.__class__.__name__.lower() == "adam"

    # 2) Train Model
    history = model.fit(
        X,
        y,
        batch_size=128,
        epochs=200,
    )
    # learntools ex3 Q2
    assert history.params["epochs"] == 200

    history_df = pd.DataFrame(history.history)
    if _standin.HAVE_MATPLOTLIB:  # pandas' .plot() needs matplotlib, which is optional: else no plot
        # Start the plot at epoch 5. You can change this to get a different view.
        history_df.loc[5:, ["loss"]].plot()
    assert list(history_df.loc[5:, ["loss"]].columns) == ["loss"]

    # 3) Evaluate Training, then the learning-rate / batch-size experiment. The course animates SGD on a
    # linear model with learntools' ``animate_sgd`` (TensorFlow code outside the Keras API); this stand-in
    # trains the same linear model on the same kind of data (y = 3x + 2 plus noise) with keras_lite's SGD,
    # without the animation.
    learning_rate = 0.05
    batch_size = 32
    num_examples = 256
    steps = 50  # total training steps (batches seen)
    true_w, true_b = 3.0, 2.0
    rng = np.random.default_rng(0)
    x_line = rng.normal(size=num_examples)
    y_line = true_w * x_line + true_b + rng.normal(0, 0.5, num_examples)
    linear = keras.Sequential([layers.Dense(1, input_shape=[1])])
    linear.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate), loss="mse")
    sgd_history = linear.fit(
        x_line,
        y_line,
        batch_size=batch_size,
        epochs=-(-steps * batch_size // num_examples),
        verbose=0,
    )
    w, b = linear.weights
    print(f"SGD stand-in: w = {w[0][0]:0.2f} (true {true_w}), b = {b[0]:0.2f} (true {true_b})")
    return {"exercise": history, "sgd": sgd_history}


def main() -> dict[str, Any]:
    """Trains the tutorial and exercise models and returns their ``History`` objects by name."""
    keras.utils.set_random_seed(0)  # not in the course; makes the run repeatable
    return {"tutorial": tutorial(), **exercise()}


if __name__ == "__main__":
    main()
