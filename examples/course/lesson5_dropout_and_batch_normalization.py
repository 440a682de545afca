"""Kaggle "Intro to Deep Learning", lesson 5: Dropout and Batch Normalization (tutorial and exercise) on keras_lite.

DATA: the course reads ``red-wine.csv`` (tutorial), ``spotify.csv`` and ``concrete.csv`` (exercise) from
the Kaggle dataset ``dl-course-data``, which is not shipped with keras_lite. This script reads generated
stand-ins instead (``_standin.py``): red wine with 11 features and ``quality`` (1599 rows); Spotify songs
with 12 numeric features and ``playlist_genre`` (18 features after one-hot encoding, 4000 rows instead of
about 33000); concrete with 8 unscaled features and ``CompressiveStrength`` (1030 rows). The values are
synthetic.

The course's code is kept call for call, with ``from tensorflow import keras`` swapped for
``import keras_lite as keras``. The exercise's scikit-learn preprocessing (``make_column_transformer``
with ``StandardScaler`` and ``OneHotEncoder``, and ``GroupShuffleSplit``) is done with pandas by
``_standin``, because scikit-learn is not installed. To keep the run short, the tutorial's 1024-unit
network trains for 8 epochs instead of 100 and the concrete models for 20 instead of 100; the Spotify
model keeps its 50. The learntools checks of exercise 5 run as plain asserts.

Run: python examples/course/lesson5_dropout_and_batch_normalization.py
"""

from __future__ import annotations

from typing import Any

import _standin
import pandas as pd

import keras_lite as keras
from keras_lite import layers

TUTORIAL_EPOCHS = 8  # the course: 100
CONCRETE_EPOCHS = 20  # the course: 100


def tutorial() -> Any:
    red_wine = pd.read_csv(_standin.csv_file("red-wine.csv"))  # '../input/dl-course-data/red-wine.csv'

    # Create training and validation splits
    df_train = red_wine.sample(frac=0.7, random_state=0)
    df_valid = red_wine.drop(df_train.index)

    # Split features and target (this time the data is left unscaled, to show batch normalization
    # stabilizing the training)
    X_train = df_train.drop("quality", axis=1)
    X_valid = df_valid.drop("quality", axis=1)
    y_train = df_train["quality"]
    y_valid = df_valid["quality"]

    model = keras.Sequential(
        [
            layers.Dense(1024, activation="relu", input_shape=[11]),
            layers.Dropout(0.3),
            layers.BatchNormalization(),
            layers.Dense(1024, activation="relu"),
            layers.Dropout(0.3),
            layers.BatchNormalization(),
            layers.Dense(1024, activation="relu"),
            layers.Dropout(0.3),
            layers.BatchNormalization(),
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
        epochs=TUTORIAL_EPOCHS,
        verbose=0,
    )

    # Show the learning curves
    history_df = pd.DataFrame(history.history)
    if _standin.HAVE_MATPLOTLIB:  # pandas' .plot() needs matplotlib, which is optional: else no plot
        history_df.loc[:, ["loss", "val_loss"]].plot()
    return history


def _spotify_data() -> tuple[Any, Any, Any, Any, list[int]]:
    spotify = pd.read_csv(_standin.csv_file("spotify.csv"))  # '../input/dl-course-data/spotify.csv'

    X = spotify.copy().dropna()
    y = X.pop("track_popularity")
    artists = X["track_artist"]

    features_num = [
        "danceability",
        "energy",
        "key",
        "loudness",
        "mode",
        "speechiness",
        "acousticness",
        "instrumentalness",
        "liveness",
        "valence",
        "tempo",
        "duration_ms",
    ]
    features_cat = ["playlist_genre"]

    # The course: make_column_transformer((StandardScaler(), features_num), (OneHotEncoder(), features_cat))
    # scikit-learn is not installed, so the same transform is done with pandas.
    preprocessor = _standin.ColumnPreprocessor(features_num, features_cat)

    # We'll do a "grouped" split to keep all of an artist's songs in one
    # split or the other. This is to help prevent signal leakage.
    # (The course's group_split uses sklearn's GroupShuffleSplit(train_size=0.75); _standin.group_split
    # does the same with pandas.)
    X_train, X_valid, y_train, y_valid = _standin.group_split(X, y, artists)

    X_train = preprocessor.fit_transform(X_train)
    X_valid = preprocessor.transform(X_valid)
    y_train = y_train / 100  # popularity is on a scale 0-100, so this rescales to 0-1.
    y_valid = y_valid / 100

    input_shape = [X_train.shape[1]]
    print("Input shape: {}".format(input_shape))  # noqa: UP032 (the course's code)
    assert input_shape == [18]
    return X_train, X_valid, y_train, y_valid, input_shape


def _dense_check(model: Any, activations: list[str], units: list[int]) -> None:
    dense = [layer for layer in model.layers if layer.__class__.__name__ == "Dense"]
    assert [layer.activation.__name__ for layer in dense] == activations
    assert [layer.units for layer in dense] == units


def exercise() -> dict[str, Any]:
    # Spotify, loaded and preprocessed as in exercise 4.
    X_train, X_valid, y_train, y_valid, input_shape = _spotify_data()

    # 1) Add Dropout to Spotify Model
    model = keras.Sequential(
        [
            layers.Dense(128, activation="relu", input_shape=input_shape),
            layers.Dropout(0.3),
            layers.Dense(64, activation="relu"),
            layers.Dropout(0.3),
            layers.Dense(1),
        ]
    )
    # learntools ex5 Q1 (the checker compares class names with ``is``; ``==`` is the same test here)
    layer_classes = [layer.__class__.__name__ for layer in model.layers]
    assert layer_classes == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    _dense_check(model, ["relu", "relu", "linear"], [128, 64, 1])
    assert [layer.rate for layer in model.layers if layer.__class__.__name__ == "Dropout"] == [0.3, 0.3]

    model.compile(
        optimizer="adam",
        loss="mae",
    )
    history = model.fit(
        X_train,
        y_train,
        validation_data=(X_valid, y_valid),
        batch_size=512,
        epochs=50,
        verbose=0,
    )
    history_df = pd.DataFrame(history.history)
    if _standin.HAVE_MATPLOTLIB:  # pandas' .plot() needs matplotlib, which is optional: else no plot
        history_df.loc[:, ["loss", "val_loss"]].plot()
    print("Minimum Validation Loss: {:0.4f}".format(history_df["val_loss"].min()))
    dropout_history = history

    # Concrete, without any standardization this time.
    concrete = pd.read_csv(_standin.csv_file("concrete.csv"))  # '../input/dl-course-data/concrete.csv'
    df = concrete.copy()

    df_train = df.sample(frac=0.7, random_state=0)
    df_valid = df.drop(df_train.index)

    X_train = df_train.drop("CompressiveStrength", axis=1)
    X_valid = df_valid.drop("CompressiveStrength", axis=1)
    y_train = df_train["CompressiveStrength"]
    y_valid = df_valid["CompressiveStrength"]

    input_shape = [X_train.shape[1]]

    model = keras.Sequential(
        [
            layers.Dense(512, activation="relu", input_shape=input_shape),
            layers.Dense(512, activation="relu"),
            layers.Dense(512, activation="relu"),
            layers.Dense(1),
        ]
    )
    model.compile(
        optimizer="sgd",  # SGD is more sensitive to differences of scale
        loss="mae",
        metrics=["mae"],
    )
    history = model.fit(
        X_train,
        y_train,
        validation_data=(X_valid, y_valid),
        batch_size=64,
        epochs=CONCRETE_EPOCHS,
        verbose=0,
    )

    history_df = pd.DataFrame(history.history)
    if _standin.HAVE_MATPLOTLIB:  # pandas' .plot() needs matplotlib, which is optional: else no plot
        history_df.loc[0:, ["loss", "val_loss"]].plot()
    print(("Minimum Validation Loss: {:0.4f}").format(history_df["val_loss"].min()))
    # The course: "Trying to train this network on this dataset will usually fail. Even when it does
    # converge (due to a lucky weight initialization), it tends to converge to a very large number."
    unscaled_history = history

    # 3) Add Batch Normalization Layers
    model = keras.Sequential(
        [
            layers.BatchNormalization(input_shape=input_shape),
            layers.Dense(512, activation="relu"),
            layers.BatchNormalization(),
            layers.Dense(512, activation="relu"),
            layers.BatchNormalization(),
            layers.Dense(512, activation="relu"),
            layers.BatchNormalization(),
            layers.Dense(1),
        ]
    )
    # learntools ex5 Q3
    layer_classes = [layer.__class__.__name__ for layer in model.layers]
    assert layer_classes == ["BatchNormalization", "Dense"] * 4
    _dense_check(model, ["relu", "relu", "relu", "linear"], [512, 512, 512, 1])
    assert model.layers[0].input_shape == (None, 8)

    model.compile(
        optimizer="sgd",
        loss="mae",
        metrics=["mae"],
    )
    EPOCHS = CONCRETE_EPOCHS  # the course: EPOCHS = 100
    history = model.fit(
        X_train,
        y_train,
        validation_data=(X_valid, y_valid),
        batch_size=64,
        epochs=EPOCHS,
        verbose=0,
    )

    history_df = pd.DataFrame(history.history)
    if _standin.HAVE_MATPLOTLIB:  # pandas' .plot() needs matplotlib, which is optional: else no plot
        history_df.loc[0:, ["loss", "val_loss"]].plot()
    print(("Minimum Validation Loss: {:0.4f}").format(history_df["val_loss"].min()))
    assert history.params["epochs"] == EPOCHS
    return {
        "exercise_dropout": dropout_history,
        "exercise_unscaled": unscaled_history,
        "exercise_batchnorm": history,
    }


def main() -> dict[str, Any]:
    """Trains the tutorial and exercise models and returns their ``History`` objects by name."""
    keras.utils.set_random_seed(0)  # not in the course; makes the run repeatable
    return {"tutorial": tutorial(), **exercise()}


if __name__ == "__main__":
    main()
