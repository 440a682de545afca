"""Kaggle "Intro to Deep Learning", lesson 6: Binary Classification (tutorial and exercise) on keras_lite.

DATA: the course reads ``ion.csv`` (tutorial) and ``hotel.csv`` (exercise) from the Kaggle dataset
``dl-course-data``, which is not shipped with keras_lite. This script reads generated stand-ins instead
(``_standin.py``): radar returns with an index column, 34 numeric columns (one of them constant, dropped
by the course's preprocessing, leaving 33 features) and ``Class`` 'good'/'bad' (351 rows); hotel bookings
with ``is_canceled``, the course's 14 numeric and 8 categorical features (the month as a name) and a few
missing values (4000 rows instead of about 119000). The values are synthetic.

The course's code is kept call for call, with ``from tensorflow import keras`` swapped for
``import keras_lite as keras``. The exercise's scikit-learn preprocessing (``SimpleImputer`` and
``StandardScaler`` on the numbers, ``SimpleImputer`` and ``OneHotEncoder(handle_unknown='ignore')`` on
the categories, ``train_test_split(stratify=y)``) is done with pandas by ``_standin``, because scikit-learn
is not installed. The tutorial keeps its 1000 epochs (its network is tiny and early stopping ends it);
the exercise trains for at most 30 epochs instead of 200 to keep the run short. The learntools checks of
exercise 6 run as plain asserts.

Run: python examples/course/lesson6_binary_classification.py
"""

from __future__ import annotations

from typing import Any

import _standin
import pandas as pd

import keras_lite as keras
from keras_lite import layers

EXERCISE_EPOCHS = 30  # the course: 200, with early stopping


def tutorial() -> Any:
    ion = pd.read_csv(_standin.csv_file("ion.csv"), index_col=0)  # '../input/dl-course-data/ion.csv'
    print(ion.head())  # the course: display(ion.head())

    df = ion.copy()
    df["Class"] = df["Class"].map({"good": 0, "bad": 1})

    df_train = df.sample(frac=0.7, random_state=0)
    df_valid = df.drop(df_train.index)

    max_ = df_train.max(axis=0)
    min_ = df_train.min(axis=0)

    df_train = (df_train - min_) / (max_ - min_)
    df_valid = (df_valid - min_) / (max_ - min_)
    # drop the empty feature in column 2 (the course: df_train.dropna(axis=1, inplace=True); pandas 3.1
    # deprecates inplace=, so the result is assigned instead)
    df_train = df_train.dropna(axis=1)
    df_valid = df_valid.dropna(axis=1)

    X_train = df_train.drop("Class", axis=1)
    X_valid = df_valid.drop("Class", axis=1)
    y_train = df_train["Class"]
    y_valid = df_valid["Class"]
    assert X_train.shape[1] == X_valid.shape[1] == 33

    model = keras.Sequential(
        [
            layers.Dense(4, activation="relu", input_shape=[33]),
            layers.Dense(4, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer="adam",
        loss="binary_crossentropy",
        metrics=["binary_accuracy"],
    )

    early_stopping = keras.callbacks.EarlyStopping(
        patience=10,
        min_delta=0.001,
        restore_best_weights=True,
    )

    history = model.fit(
        X_train,
        y_train,
        validation_data=(X_valid, y_valid),
        batch_size=512,
        epochs=1000,
        callbacks=[early_stopping],
        verbose=0,  # hide the output because we have so many epochs
    )

    history_df = pd.DataFrame(history.history)
    if _standin.HAVE_MATPLOTLIB:  # pandas' .plot() needs matplotlib, which is optional: else no plot
        # Start the plot at epoch 5
        history_df.loc[5:, ["loss", "val_loss"]].plot()
        history_df.loc[5:, ["binary_accuracy", "val_binary_accuracy"]].plot()

    print(
        ("Best Validation Loss: {:0.4f}" + "\nBest Validation Accuracy: {:0.4f}").format(
            history_df["val_loss"].min(), history_df["val_binary_accuracy"].max()
        )
    )
    assert list(history_df.loc[5:, ["binary_accuracy", "val_binary_accuracy"]].columns) == [
        "binary_accuracy",
        "val_binary_accuracy",
    ]
    return history


def exercise() -> Any:
    hotel = pd.read_csv(_standin.csv_file("hotel.csv"))  # '../input/dl-course-data/hotel.csv'

    X = hotel.copy()
    y = X.pop("is_canceled")

    X["arrival_date_month"] = X["arrival_date_month"].map(
        {
            "January": 1,
            "February": 2,
            "March": 3,
            "April": 4,
            "May": 5,
            "June": 6,
            "July": 7,
            "August": 8,
            "September": 9,
            "October": 10,
            "November": 11,
            "December": 12,
        }
    )

    features_num = [
        "lead_time",
        "arrival_date_week_number",
        "arrival_date_day_of_month",
        "stays_in_weekend_nights",
        "stays_in_week_nights",
        "adults",
        "children",
        "babies",
        "is_repeated_guest",
        "previous_cancellations",
        "previous_bookings_not_canceled",
        "required_car_parking_spaces",
        "total_of_special_requests",
        "adr",
    ]
    features_cat = [
        "hotel",
        "arrival_date_month",
        "meal",
        "market_segment",
        "distribution_channel",
        "reserved_room_type",
        "deposit_type",
        "customer_type",
    ]

    # The course:
    #   transformer_num = make_pipeline(SimpleImputer(strategy="constant"), StandardScaler())
    #   transformer_cat = make_pipeline(SimpleImputer(strategy="constant", fill_value="NA"),
    #                                   OneHotEncoder(handle_unknown='ignore'))
    #   preprocessor = make_column_transformer((transformer_num, features_num),
    #                                          (transformer_cat, features_cat))
    # scikit-learn is not installed, so the same transform is done with pandas.
    preprocessor = _standin.ColumnPreprocessor(features_num, features_cat, impute=True)

    # stratify - make sure classes are evenlly represented across splits
    # (the course: train_test_split(X, y, stratify=y, train_size=0.75), done here with pandas)
    X_train, X_valid, y_train, y_valid = _standin.stratified_split(X, y, train_size=0.75)

    X_train = preprocessor.fit_transform(X_train)
    X_valid = preprocessor.transform(X_valid)

    input_shape = [X_train.shape[1]]
    print("Input shape: {}".format(input_shape))  # noqa: UP032 (the course's code)

    # 1) Define Model
    model = keras.Sequential(
        [
            layers.BatchNormalization(input_shape=input_shape),
            layers.Dense(256, activation="relu"),
            layers.BatchNormalization(),
            layers.Dropout(0.3),
            layers.Dense(256, activation="relu"),
            layers.BatchNormalization(),
            layers.Dropout(0.3),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    # learntools ex6 Q1 (the checker compares class names with ``is``; ``==`` is the same test here)
    layer_classes = [layer.__class__.__name__ for layer in model.layers]
    assert layer_classes == [
        "BatchNormalization",
        "Dense",
        "BatchNormalization",
        "Dropout",
        "Dense",
        "BatchNormalization",
        "Dropout",
        "Dense",
    ]
    dense = [layer for layer in model.layers if layer.__class__.__name__ == "Dense"]
    assert [layer.activation.__name__ for layer in dense] == ["relu", "relu", "sigmoid"]
    assert [layer.units for layer in dense] == [256, 256, 1]

    # 2) Add Optimizer, Loss, and Metric
    model.compile(
        optimizer="adam",
        loss="binary_crossentropy",
        metrics=["binary_accuracy"],
    )
    # learntools ex6 Q2: the compile arguments as tf.keras 2 kept them
    assert model.optimizer.__class__.__name__.lower() == "adam"
    assert model.compiled_loss._losses.lower() == "binary_crossentropy"
    assert model.compiled_metrics._metrics[0] == "binary_accuracy"

    early_stopping = keras.callbacks.EarlyStopping(
        patience=5,
        min_delta=0.001,
        restore_best_weights=True,
    )
    history = model.fit(
        X_train,
        y_train,
        validation_data=(X_valid, y_valid),
        batch_size=512,
        epochs=EXERCISE_EPOCHS,
        callbacks=[early_stopping],
    )

    history_df = pd.DataFrame(history.history)
    if _standin.HAVE_MATPLOTLIB:  # pandas' .plot() needs matplotlib, which is optional: else no plot
        history_df.loc[:, ["loss", "val_loss"]].plot(title="Cross-entropy")
        history_df.loc[:, ["binary_accuracy", "val_binary_accuracy"]].plot(title="Accuracy")
    assert history.params["epochs"] == EXERCISE_EPOCHS
    return history


def main() -> dict[str, Any]:
    """Trains the tutorial and exercise models and returns their ``History`` objects by name."""
    keras.utils.set_random_seed(0)  # not in the course; makes the run repeatable
    return {"tutorial": tutorial(), "exercise": exercise()}


if __name__ == "__main__":
    main()
