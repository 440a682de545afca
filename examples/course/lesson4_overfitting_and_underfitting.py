"""Kaggle "Intro to Deep Learning", lesson 4: Overfitting and Underfitting (tutorial and exercise) on keras_lite.

DATA: the course reads ``red-wine.csv`` (tutorial) and ``spotify.csv`` (exercise) from the Kaggle dataset
``dl-course-data``, which is not shipped with keras_lite. This script reads generated stand-ins instead
(``_standin.py``): red wine with 11 features and ``quality`` (1599 rows); Spotify songs with the course's
12 numeric audio features, ``playlist_genre`` (6 genres, so 18 features after one-hot encoding),
``track_artist`` and ``track_popularity`` (4000 rows instead of about 33000). The values are synthetic.

The course's code is kept call for call, with ``from tensorflow import keras`` swapped for
``import keras_lite as keras``. The exercise's scikit-learn preprocessing (``make_column_transformer``
with ``StandardScaler`` and ``OneHotEncoder``, and ``GroupShuffleSplit``) is done with pandas by
``_standin``, because scikit-learn is not installed. To keep the run short the tutorial trains for at most
50 epochs instead of 500 (its early-stopping callback usually ends it sooner anyway); the exercise keeps
its 50. The learntools checks of exercise 4 run as plain asserts.

Run: python examples/course/lesson4_overfitting_and_underfitting.py
"""

from __future__ import annotations

from typing import Any

import _standin
import pandas as pd

import keras_lite as keras
from keras_lite import callbacks, layers
from keras_lite.callbacks import EarlyStopping

TUTORIAL_EPOCHS = 50  # the course: 500, with early stopping


def tutorial() -> Any:
    early_stopping = EarlyStopping(
        min_delta=0.001,  # minimium amount of change to count as an improvement
        patience=20,  # how many epochs to wait before stopping
        restore_best_weights=True,
    )

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
        epochs=TUTORIAL_EPOCHS,
        callbacks=[early_stopping],  # put your callbacks in a list
        verbose=0,  # turn off training log
    )

    history_df = pd.DataFrame(history.history)
    if _standin.HAVE_MATPLOTLIB:  # pandas' .plot() needs matplotlib, which is optional: else no plot
        history_df.loc[:, ["loss", "val_loss"]].plot()
    print("Minimum validation loss: {}".format(history_df["val_loss"].min()))
    # Not in the course: restore_best_weights leaves the model with the weights of the callback's best
    # epoch (the last one that beat the best before it by more than min_delta; Keras 3 restores them
    # whether or not training stopped early), so evaluating now gives that epoch's val_loss.
    restored = model.evaluate(X_valid, y_valid, batch_size=256, verbose=0)
    best = history_df["val_loss"][early_stopping.best_epoch]
    assert best == early_stopping.best and abs(restored - best) < 1e-5, (restored, best, early_stopping.best)
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


def exercise() -> dict[str, Any]:
    X_train, X_valid, y_train, y_valid, input_shape = _spotify_data()

    # A linear model: low capacity.
    model = keras.Sequential(
        [
            layers.Dense(1, input_shape=input_shape),
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
        batch_size=512,
        epochs=50,
        verbose=0,  # suppress output since we'll plot the curves
    )
    history_df = pd.DataFrame(history.history)
    if _standin.HAVE_MATPLOTLIB:  # pandas' .plot() needs matplotlib, which is optional: else no plot
        history_df.loc[0:, ["loss", "val_loss"]].plot()
    print("Minimum Validation Loss: {:0.4f}".format(history_df["val_loss"].min()))
    if _standin.HAVE_MATPLOTLIB:
        # Start the plot at epoch 10
        history_df.loc[10:, ["loss", "val_loss"]].plot()
    print("Minimum Validation Loss: {:0.4f}".format(history_df["val_loss"].min()))
    assert len(history_df.loc[10:, ["loss", "val_loss"]]) == 40
    linear_history = history

    # 1) Evaluate Baseline, then add capacity.
    model = keras.Sequential(
        [
            layers.Dense(128, activation="relu", input_shape=input_shape),
            layers.Dense(64, activation="relu"),
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
        batch_size=512,
        epochs=50,
    )
    history_df = pd.DataFrame(history.history)
    if _standin.HAVE_MATPLOTLIB:  # pandas' .plot() needs matplotlib, which is optional: else no plot
        history_df.loc[:, ["loss", "val_loss"]].plot()
    print("Minimum Validation Loss: {:0.4f}".format(history_df["val_loss"].min()))
    capacity_history = history

    # 3) Define Early Stopping Callback
    early_stopping = callbacks.EarlyStopping(
        patience=5,
        min_delta=0.001,
        restore_best_weights=True,
    )
    # learntools ex4 Q3, before any fit (tf.keras 2 stored min_delta sign-flipped at construction)
    assert early_stopping.patience == 5
    assert early_stopping.min_delta == -0.001
    assert early_stopping.restore_best_weights

    model = keras.Sequential(
        [
            layers.Dense(128, activation="relu", input_shape=input_shape),
            layers.Dense(64, activation="relu"),
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
        batch_size=512,
        epochs=50,
        callbacks=[early_stopping],
    )
    history_df = pd.DataFrame(history.history)
    if _standin.HAVE_MATPLOTLIB:  # pandas' .plot() needs matplotlib, which is optional: else no plot
        history_df.loc[:, ["loss", "val_loss"]].plot()
    print("Minimum Validation Loss: {:0.4f}".format(history_df["val_loss"].min()))
    assert history.params["epochs"] == 50 and len(history_df) <= 50
    return {
        "exercise_linear": linear_history,
        "exercise_capacity": capacity_history,
        "exercise_early_stopping": history,
    }


def main() -> dict[str, Any]:
    """Trains the tutorial and exercise models and returns their ``History`` objects by name."""
    keras.utils.set_random_seed(0)  # not in the course; makes the run repeatable
    return {"tutorial": tutorial(), **exercise()}


if __name__ == "__main__":
    main()
