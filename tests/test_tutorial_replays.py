"""The dense-network tutorials people follow after the Kaggle course, replayed against Keras 3.15.1.

Each flow below is a tutorial's model code, shortened to small generated data of the tutorial's shapes: TensorFlow's
"Classification on imbalanced data", "Overfit and underfit", "Basic regression" (Auto MPG), "Basic
classification" (Fashion MNIST) and "Load a pandas DataFrame", and keras.io's "Structured data classification
from scratch" and "Imbalanced classification: credit card fraud". A flow takes the library as an argument, so
the very same code ran under Keras 3.15.1 (TensorFlow 2.21 backend) to make the goldens: every dense layer is
given the same seeded weights, and training runs with ``shuffle=False``, so the histories, evaluations,
predictions, summaries and messages must agree. The ``GOLDEN_*`` dicts are what Keras 3.15.1 returned (floats
rounded to 5 decimals); keras_lite's values must equal them within float32 rounding.

Left out, as keras_lite refuses them clearly (checked at the end): ``keras.Input(dtype="int64")``, a Layer
subclass of one's own (keras.io's ``Classifier``) and ``keras.ops``; the tutorials' tf.data pipelines are
replaced by arrays, string lookups by one-hot columns made with numpy.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

import keras_lite
from replay import assert_matches, error_text, plain
from replay import seed_dense_kernels as _set_weights

pytestmark = pytest.mark.filterwarnings(
    "ignore:(Do not pass an `input_shape`|Argument `input_shape`):UserWarning"
)


def _summary(model: Any) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary(line_length=76)
    return out.getvalue()


def _untimed(printed: str) -> str:
    """Printed progress with its times (``0s``, ``12ms/step``) as ``T``."""
    return re.sub(r"\b\d+(ms|us|s)\b", "T", printed)


# ---- TensorFlow "Classification on imbalanced data" (credit-card fraud, 29 features) -------------------------
def imbalanced(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    rng = np.random.RandomState(0)
    x = rng.normal(size=(300, 29)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 2.0).astype("float32").reshape(-1, 1)  # (n, 1), as the tutorial's labels
    y[:6] = 1.0
    train_x, val_x, test_x, train_y, val_y, test_y = (
        x[:200],
        x[200:250],
        x[250:],
        y[:200],
        y[200:250],
        y[250:],
    )
    neg, pos = np.bincount(train_y[:, 0].astype(int))

    def make_model(output_bias: Any = None, rate: float = 0.5) -> Any:
        bias = keras.initializers.Constant(output_bias) if output_bias is not None else "zeros"
        m = keras.Sequential(
            [
                keras.layers.Dense(16, activation="relu", input_shape=(29,)),
                keras.layers.Dropout(rate),
                keras.layers.Dense(1, activation="sigmoid", bias_initializer=bias),
            ]
        )
        metrics = [
            keras.metrics.BinaryCrossentropy(name="cross entropy"),
            keras.metrics.MeanSquaredError(name="Brier score"),
            keras.metrics.TruePositives(name="tp"),
            keras.metrics.FalsePositives(name="fp"),
            keras.metrics.TrueNegatives(name="tn"),
            keras.metrics.FalseNegatives(name="fn"),
            keras.metrics.BinaryAccuracy(name="accuracy"),
            keras.metrics.Precision(name="precision"),
            keras.metrics.Recall(name="recall"),
            keras.metrics.AUC(name="auc"),
            keras.metrics.AUC(name="prc", curve="PR"),
        ]
        m.compile(
            optimizer=keras.optimizers.Adam(learning_rate=1e-3),
            loss=keras.losses.BinaryCrossentropy(),
            metrics=metrics,
        )
        _set_weights(m, 1)
        return m

    out: dict[str, Any] = {"neg_pos": [neg, pos]}
    model = make_model()
    out["summary"] = _summary(model)
    out["predict"] = model.predict(train_x[:4], verbose=0)
    out["evaluate"] = model.evaluate(train_x, train_y, batch_size=64, verbose=0)
    out["metrics_names"] = model.metrics_names
    initial_bias = np.log([pos / neg])
    model = make_model(output_bias=initial_bias)
    out["bias"] = model.layers[-1].get_weights()[1]
    out["evaluate_with_bias"] = model.evaluate(train_x, train_y, batch_size=64, verbose=0, return_dict=True)
    initial_weights = os.path.join(folder, "initial.weights.h5")
    model.save_weights(initial_weights)
    fit = {"batch_size": 64, "validation_data": (val_x, val_y), "verbose": 0, "shuffle": False}

    model = make_model(rate=0.0)  # no dropout from here on: its random masks differ between libraries
    model.load_weights(initial_weights)
    model.layers[-1].bias.assign([0.0])
    out["zero_bias_loss"] = model.fit(train_x, train_y, epochs=2, **fit).history["loss"]

    model = make_model(rate=0.0)
    model.load_weights(initial_weights)
    early = keras.callbacks.EarlyStopping(
        monitor="val_prc", verbose=1, patience=2, mode="max", restore_best_weights=True
    )
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        history = model.fit(train_x, train_y, epochs=20, callbacks=[early], **fit)
    out["early_printed"] = printed.getvalue()
    out["early_epochs"] = [history.epoch, early.stopped_epoch, early.best]
    out["early_val_prc"] = history.history["val_prc"]
    out["baseline_results"] = dict(
        zip(model.metrics_names, model.evaluate(test_x, test_y, batch_size=64, verbose=0))
    )

    total = neg + pos
    class_weight = {0: (1 / neg) * (total / 2.0), 1: (1 / pos) * (total / 2.0)}
    model = make_model(rate=0.0)
    model.load_weights(initial_weights)
    out["weighted_history"] = model.fit(train_x, train_y, epochs=2, class_weight=class_weight, **fit).history
    out["weighted_predict"] = model.predict(test_x[:4], batch_size=64, verbose=0)

    positive = (
        train_y[:, 0] != 0
    )  # oversampled positives, shuffled, in place of the tutorial's tf.data pipeline
    picks = np.random.RandomState(3).choice(np.arange(positive.sum()), (~positive).sum())
    res_x = np.concatenate([train_x[positive][picks], train_x[~positive]])
    res_y = np.concatenate([np.ones(len(picks)), np.zeros(len(picks))]).reshape(-1, 1)
    order = np.random.RandomState(4).permutation(len(res_x))
    model = make_model(rate=0.0)
    model.load_weights(initial_weights)
    model.layers[-1].bias.assign([0.0])
    resampled = model.fit(res_x[order], res_y[order], epochs=2, steps_per_epoch=3, **fit).history
    out["resampled"] = {k: resampled[k] for k in ("loss", "tp", "auc", "val_prc")}
    return plain(out)


# What `imbalanced(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_IMBALANCED: dict[str, Any] = {
    "neg_pos": [190, 10],
    "summary": 'Model: "sequential"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ dense (Dense)                   │ (None, 16)             │           480 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dropout (Dropout)               │ (None, 16)             │             0 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dense_1 (Dense)                 │ (None, 1)              │            17 │\n"
    "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
    " Total params: 497 (1.94 KB)\n"
    " Trainable params: 497 (1.94 KB)\n"
    " Non-trainable params: 0 (0.00 B)\n",
    "predict": [[0.54541], [0.63231], [0.48578], [0.2482]],
    "evaluate": [0.76569, 0.76569, 0.28124, 5.0, 93.0, 97.0, 5.0, 0.51, 0.05102, 0.5, 0.48158, 0.04423],
    "metrics_names": ["loss", "compile_metrics"],
    "bias": [-2.94444],
    "evaluate_with_bias": {
        "Brier score": 0.0501,
        "accuracy": 0.95,
        "auc": 0.48895,
        "cross entropy": 0.21367,
        "fn": 10.0,
        "fp": 0.0,
        "loss": 0.21367,
        "prc": 0.04474,
        "precision": 0.0,
        "recall": 0.0,
        "tn": 190.0,
        "tp": 0.0,
    },
    "zero_bias_loss": [0.75931, 0.73457],
    "early_printed": "Epoch 5: early stopping\nRestoring model weights from the end of the best epoch: 3.\n",
    "early_epochs": [[0, 1, 2, 3, 4], 4, 0.1584],
    "early_val_prc": [0.15635, 0.15733, 0.1584, 0.15668, 0.15837],
    "baseline_results": {"loss": 0.18366, "compile_metrics": 0.18366},
    "weighted_history": {
        "Brier score": [0.05016, 0.05007],
        "accuracy": [0.95, 0.95],
        "auc": [0.48763, 0.50158],
        "cross entropy": [0.21401, 0.21206],
        "fn": [10.0, 10.0],
        "fp": [0.0, 0.0],
        "loss": [1.54938, 1.5158],
        "prc": [0.04463, 0.04608],
        "precision": [0.0, 0.0],
        "recall": [0.0, 0.0],
        "tn": [190.0, 190.0],
        "tp": [0.0, 0.0],
        "val_Brier score": [0.05407, 0.05408],
        "val_accuracy": [0.94, 0.94],
        "val_auc": [0.65248, 0.64539],
        "val_cross entropy": [0.2135, 0.21337],
        "val_fn": [3.0, 3.0],
        "val_fp": [0.0, 0.0],
        "val_loss": [0.2135, 0.21337],
        "val_prc": [0.15862, 0.15804],
        "val_precision": [0.0, 0.0],
        "val_recall": [0.0, 0.0],
        "val_tn": [47.0, 47.0],
        "val_tp": [0.0, 0.0],
    },
    "weighted_predict": [[0.04258], [0.0266], [0.05314], [0.04418]],
    "resampled": {
        "loss": [0.72585, 0.73058],
        "tp": [51.0, 59.0],
        "auc": [0.5342, 0.51244],
        "val_prc": [0.15664, 0.1565],
    },
}


def test_imbalanced_data_tutorial(tmp_path: Any) -> None:
    assert_matches(imbalanced(keras_lite, str(tmp_path)), GOLDEN_IMBALANCED)


# ---- TensorFlow "Overfit and underfit" (Higgs, 28 features) ----------------------------------------------------
def overfit(keras: ModuleType) -> dict[str, Any]:
    keras.backend.clear_session()
    rng = np.random.RandomState(1)
    x = rng.normal(size=(150, 28)).astype("float32")
    y = (x[:, :3].sum(1) + 0.5 * rng.normal(size=150) > 0).astype("float32").reshape(-1, 1)
    steps_per_epoch = 4
    schedule = keras.optimizers.schedules.InverseTimeDecay(
        0.001, decay_steps=steps_per_epoch * 1000, decay_rate=1
    )
    out: dict[str, Any] = {"rates": [schedule(s) for s in (0, 1000, 4000, 40000)]}
    layers, l2 = keras.layers, keras.regularizers.l2

    def compile_and_fit(name: str, model: Any, epochs: int = 3) -> None:
        model.compile(
            optimizer=keras.optimizers.Adam(schedule),
            loss=keras.losses.BinaryCrossentropy(from_logits=True),
            metrics=[
                keras.metrics.BinaryCrossentropy(from_logits=True, name="binary_crossentropy"),
                "accuracy",
            ],
        )
        _set_weights(model, 7)
        stop = keras.callbacks.EarlyStopping(monitor="val_binary_crossentropy", patience=200)
        history = model.fit(
            x[:100],
            y[:100],
            batch_size=25,
            steps_per_epoch=steps_per_epoch,
            epochs=epochs,
            validation_data=(x[100:], y[100:]),
            callbacks=[stop],
            verbose=0,
            shuffle=False,
        )
        out[name] = [history.history, model.optimizer.learning_rate, model.optimizer.iterations]

    compile_and_fit(
        "tiny", keras.Sequential([layers.Dense(16, activation="elu", input_shape=(28,)), layers.Dense(1)])
    )
    sizes = [64, 64, 64]
    medium = keras.Sequential(
        [keras.Input((28,)), *[layers.Dense(n, activation="elu") for n in sizes], layers.Dense(1)]
    )
    compile_and_fit("medium", medium)
    out["medium_summary"] = _summary(medium)
    regularized = keras.Sequential(
        [
            layers.Dense(64, activation="elu", kernel_regularizer=l2(0.001), input_shape=(28,)),
            layers.Dense(64, activation="elu", kernel_regularizer=l2(0.001)),
            layers.Dense(1),
        ]
    )
    compile_and_fit("l2", regularized, epochs=2)
    out["l2_losses"] = [float(v) for v in regularized.losses]
    combined = keras.Sequential(
        [
            layers.Dense(64, kernel_regularizer=l2(0.0001), activation="elu", input_shape=(28,)),
            layers.Dropout(0.5),
            layers.Dense(1),
        ]
    )
    combined.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryCrossentropy(from_logits=True, name="binary_crossentropy"), "accuracy"],
    )
    _set_weights(combined, 8)
    out["combined_evaluate"] = combined.evaluate(x[100:], y[100:], verbose=0, return_dict=True)
    out["combined_keys"] = list(combined.fit(x, y, epochs=1, verbose=0).history)
    return plain(out)


# What `overfit(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_OVERFIT: dict[str, Any] = {
    "rates": [0.001, 0.0008, 0.0005, 9e-05],
    "tiny": [
        {
            "accuracy": [0.6, 0.62, 0.65],
            "binary_crossentropy": [0.7217, 0.7024, 0.68548],
            "loss": [0.7217, 0.7024, 0.68548],
            "val_accuracy": [0.5, 0.52, 0.52],
            "val_binary_crossentropy": [0.76563, 0.75434, 0.74356],
            "val_loss": [0.76563, 0.75434, 0.74356],
        },
        0.001,
        12,
    ],
    "medium": [
        {
            "accuracy": [0.53, 0.59, 0.73],
            "binary_crossentropy": [0.69586, 0.61052, 0.55134],
            "loss": [0.69586, 0.61052, 0.55134],
            "val_accuracy": [0.52, 0.54, 0.6],
            "val_binary_crossentropy": [0.66379, 0.62853, 0.59981],
            "val_loss": [0.66379, 0.62853, 0.59981],
        },
        0.001,
        12,
    ],
    "medium_summary": 'Model: "sequential_1"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ dense_2 (Dense)                 │ (None, 64)             │         1,856 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dense_3 (Dense)                 │ (None, 64)             │         4,160 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dense_4 (Dense)                 │ (None, 64)             │         4,160 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dense_5 (Dense)                 │ (None, 1)              │            65 │\n"
    "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
    " Total params: 30,724 (120.02 KB)\n"
    " Trainable params: 10,241 (40.00 KB)\n"
    " Non-trainable params: 0 (0.00 B)\n"
    " Optimizer params: 20,483 (80.02 KB)\n",
    "l2": [
        {
            "accuracy": [0.57, 0.61],
            "binary_crossentropy": [0.69095, 0.61525],
            "loss": [0.8169, 0.7407],
            "val_accuracy": [0.6, 0.58],
            "val_binary_crossentropy": [0.67316, 0.64527],
            "val_loss": [0.79878, 0.77044],
        },
        0.001,
        8,
    ],
    "l2_losses": [0.06198, 0.06318],
    "combined_evaluate": {"accuracy": 0.4, "binary_crossentropy": 0.72639, "loss": 0.73294},
    "combined_keys": ["accuracy", "binary_crossentropy", "loss"],
}


def test_overfit_and_underfit_tutorial() -> None:
    assert_matches(overfit(keras_lite), GOLDEN_OVERFIT)


# ---- TensorFlow "Basic regression" (Auto MPG, the data keras_lite ships) ------------------------------------------
def regression(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    frame = keras_lite.datasets.auto_mpg.load_frame()
    train = frame.sample(frac=0.8, random_state=0)
    test = frame.drop(train.index)
    train_features, test_features = train.copy(), test.copy()
    train_labels, test_labels = train_features.pop("Miles_per_Gallon"), test_features.pop("Miles_per_Gallon")
    layers = keras.layers

    horsepower = np.array(train_features["Horsepower"])
    horsepower_normalizer = layers.Normalization(input_shape=[1], axis=None)
    horsepower_normalizer.adapt(horsepower)
    out: dict[str, Any] = {"hp_stats": [horsepower_normalizer.mean, horsepower_normalizer.variance]}
    out["hp_stat_shape"] = list(np.shape(horsepower_normalizer.mean))
    horsepower_model = keras.Sequential([horsepower_normalizer, layers.Dense(units=1)])
    _set_weights(horsepower_model, 3)
    out["hp_summary"] = _summary(horsepower_model)
    out["hp_predict"] = horsepower_model.predict(horsepower[:4], verbose=0)
    horsepower_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mean_absolute_error")
    history = horsepower_model.fit(
        train_features["Horsepower"], train_labels, epochs=4, verbose=0, validation_split=0.2, shuffle=False
    )
    table = pd.DataFrame(history.history)
    table["epoch"] = history.epoch
    out["hp_history"] = table.to_dict("list")
    line = horsepower_model.predict(np.linspace(0.0, 250, 251), verbose=0)
    out["hp_line"] = [list(line.shape), line[::125]]
    out["hp_test"] = horsepower_model.evaluate(test_features["Horsepower"], test_labels, verbose=0)

    normalizer = layers.Normalization(axis=-1)
    normalizer.adapt(np.array(train_features))
    out["first_normalized"] = normalizer(np.array(train_features[:1]))
    dnn = keras.Sequential(
        [
            normalizer,
            layers.Dense(64, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(1),
        ]
    )
    dnn.compile(loss="mean_absolute_error", optimizer=keras.optimizers.Adam(0.001))
    dnn.predict(
        train_features[:2], verbose=0
    )  # builds it (its summary would then show a batch of 2 in Keras)
    _set_weights(dnn, 6)
    out["dnn_history"] = dnn.fit(
        train_features, train_labels, validation_split=0.2, verbose=0, epochs=2, shuffle=False
    ).history
    out["dnn_test"] = dnn.evaluate(test_features, test_labels, verbose=0)
    path = os.path.join(folder, "dnn_model.keras")
    dnn.save(path)
    reloaded = keras.models.load_model(path)
    out["reloaded"] = [
        reloaded.evaluate(test_features, test_labels, verbose=0),
        reloaded.predict(test_features[:3], verbose=0),
    ]
    hp_path = os.path.join(folder, "horsepower.keras")
    horsepower_model.save(hp_path)
    hp_reloaded = keras.models.load_model(hp_path)
    out["hp_reloaded"] = [
        hp_reloaded.predict(horsepower[:3], verbose=0),
        hp_reloaded.layers[0].get_config()["axis"],
    ]
    return plain(out)


# What `regression(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_REGRESSION: dict[str, Any] = {
    "hp_stats": [[104.86943], [1446.69946]],
    "hp_stat_shape": [1],
    "hp_summary": 'Model: "sequential"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ normalization (Normalization)   │ (None, 1)              │             3 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dense (Dense)                   │ (None, 1)              │             2 │\n"
    "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
    " Total params: 5 (24.00 B)\n"
    " Trainable params: 2 (8.00 B)\n"
    " Non-trainable params: 3 (16.00 B)\n",
    "hp_predict": [[-1.40462], [-0.79329], [2.59253], [-1.96892]],
    "hp_history": {
        "loss": [22.86214, 22.06061, 21.26046, 20.46042],
        "val_loss": [22.93974, 22.13971, 21.33969, 20.53967],
        "epoch": [0, 1, 2, 3],
    },
    "hp_line": [[251, 1], [[-1.40949], [4.0848], [9.57909]]],
    "hp_test": 20.87942,
    "first_normalized": [
        [-0.87074, -1.01107, -0.7853, -1.02694, -0.38037, -0.51722, 0.77591, -0.46589, -0.49602]
    ],
    "dnn_history": {"loss": [23.06666, 22.15563], "val_loss": [23.03531, 21.99878]},
    "dnn_test": 22.32811,
    "reloaded": [22.32811, [[1.90016], [2.51295], [2.83559]]],
    "hp_reloaded": [[[1.88708], [2.45849], [5.6232]], []],
}


def test_basic_regression_tutorial(tmp_path: Any) -> None:
    assert_matches(regression(keras_lite, str(tmp_path)), GOLDEN_REGRESSION)


# ---- TensorFlow "Basic classification" (Fashion MNIST shapes) ----------------------------------------------------
def classification(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    rng = np.random.RandomState(2)
    train_images = rng.randint(0, 256, size=(60, 28, 28)).astype(np.uint8) / 255.0
    train_labels = rng.randint(0, 10, size=60).astype(np.uint8)
    test_images = rng.randint(0, 256, size=(20, 28, 28)).astype(np.uint8) / 255.0
    test_labels = rng.randint(0, 10, size=20).astype(np.uint8)
    model = keras.Sequential(
        [
            keras.layers.Flatten(input_shape=(28, 28)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    _set_weights(model, 9)
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    out: dict[str, Any] = {"summary": _summary(model)}
    out["history"] = model.fit(train_images, train_labels, epochs=2, shuffle=False, verbose=0).history
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)
    out["evaluate"] = [test_loss, test_acc, _untimed(printed.getvalue())]
    probability_model = keras.Sequential([model, keras.layers.Softmax()])
    predictions = probability_model.predict(test_images, verbose=0)
    out["predictions"] = [predictions[0], int(np.argmax(predictions[0])), predictions.sum(axis=1)[:3]]
    single = probability_model.predict(np.expand_dims(test_images[1], 0), verbose=0)
    out["single"] = [single, int(np.argmax(single[0]))]
    out["probability_summary"] = _summary(probability_model)
    out["uncompiled"] = error_text(lambda: probability_model.evaluate(test_images, test_labels, verbose=0))
    probability_model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    out["probability_evaluate"] = probability_model.evaluate(test_images, test_labels, verbose=0)
    path = os.path.join(folder, "probability.keras")
    probability_model.save(path)
    reloaded = keras.models.load_model(path)
    out["reloaded"] = [reloaded.predict(test_images[:2], verbose=0), _summary(reloaded)]
    return plain(out)


# What `classification(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_CLASSIFICATION: dict[str, Any] = {
    "summary": 'Model: "sequential"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ flatten (Flatten)               │ (None, 784)            │             0 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dense (Dense)                   │ (None, 128)            │       100,480 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dense_1 (Dense)                 │ (None, 10)             │         1,290 │\n"
    "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
    " Total params: 101,770 (397.54 KB)\n"
    " Trainable params: 101,770 (397.54 KB)\n"
    " Non-trainable params: 0 (0.00 B)\n",
    "history": {"accuracy": [0.06667, 0.23333], "loss": [2.42436, 2.17197]},
    "evaluate": [2.35481, 0.1, "1/1 - T - T/step - accuracy: 0.1000 - loss: 2.3548\n"],
    "predictions": [
        [0.13278, 0.06572, 0.10219, 0.14328, 0.08678, 0.14666, 0.08362, 0.11349, 0.08292, 0.04256],
        5,
        [1.0, 1.0, 1.0],
    ],
    "single": [
        [[0.14225, 0.09312, 0.10954, 0.11925, 0.07931, 0.08907, 0.13037, 0.10819, 0.08353, 0.04537]],
        0,
    ],
    "probability_summary": 'Model: "sequential_1"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ sequential (Sequential)         │ (None, 10)             │       101,770 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ softmax (Softmax)               │ (None, 10)             │             0 │\n"
    "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
    " Total params: 101,770 (397.54 KB)\n"
    " Trainable params: 101,770 (397.54 KB)\n"
    " Non-trainable params: 0 (0.00 B)\n",
    "uncompiled": "ValueError: You must call `compile()` before using the model.",
    "probability_evaluate": [2.35481, 0.1],
    "reloaded": [
        [
            [0.13278, 0.06572, 0.10219, 0.14328, 0.08678, 0.14666, 0.08362, 0.11349, 0.08292, 0.04256],
            [0.14225, 0.09312, 0.10954, 0.11925, 0.07931, 0.08907, 0.13037, 0.10819, 0.08353, 0.04537],
        ],
        'Model: "sequential_1"\n'
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
        "│ sequential (Sequential)         │ (None, 10)             │       101,770 │\n"
        "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
        "│ softmax (Softmax)               │ (None, 10)             │             0 │\n"
        "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
        " Total params: 203,542 (795.09 KB)\n"
        " Trainable params: 101,770 (397.54 KB)\n"
        " Non-trainable params: 0 (0.00 B)\n"
        " Optimizer params: 101,772 (397.55 KB)\n",
    ],
}


def test_basic_classification_tutorial(tmp_path: Any) -> None:
    got = classification(keras_lite, str(tmp_path))
    # keras_lite's uncompiled-model error is a ValueError subclass of its own: the message is Keras's
    assert got.pop("uncompiled") == "NotCompiledError: You must call `compile()` before using the model."
    want = dict(GOLDEN_CLASSIFICATION)
    assert want.pop("uncompiled") == "ValueError: You must call `compile()` before using the model."
    assert_matches(got, want)


# ---- TensorFlow "Load a pandas DataFrame" (heart disease columns): one keras.Input per column, fed dict(df) ---------
def dataframe(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    rng = np.random.RandomState(5)
    n = 48
    frame = pd.DataFrame(
        {
            "age": rng.randint(29, 77, n),
            "thalach": rng.randint(71, 202, n),
            "trestbps": rng.randint(94, 200, n),
            "chol": rng.randint(126, 564, n),
            "oldpeak": np.round(rng.uniform(0, 6.2, n), 1),
            "target": rng.randint(0, 2, n),
        }
    )
    target = frame.pop("target")
    layers = keras.layers
    inputs = {name: keras.Input(shape=(1,), name=name, dtype="float32") for name in frame}
    normalized = []
    for name in frame:
        norm = layers.Normalization(axis=None)
        norm.adapt(np.array(frame[name]))
        normalized.append(norm(inputs[name]))
    x = layers.Concatenate(axis=-1)(normalized)
    x = layers.Dense(10, activation="relu")(x)
    model = keras.Model(inputs, layers.Dense(1)(x))
    _set_weights(model, 12)
    model.compile(
        optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"]
    )
    out: dict[str, Any] = {"summary": _summary(model), "input_names": [t.name for t in model.inputs]}
    out["history"] = model.fit(dict(frame), target, epochs=2, batch_size=16, verbose=0, shuffle=False).history
    out["predict"] = model.predict(dict(frame.iloc[:3]), verbose=0)
    out["evaluate"] = model.evaluate(dict(frame), target, verbose=0, return_dict=True)
    fewer = {name: column for name, column in dict(frame).items() if name != "age"}
    out["missing_column"] = error_text(lambda: model.predict(fewer, verbose=0))
    path = os.path.join(folder, "dataframe.keras")
    model.save(path)
    out["reloaded"] = keras.models.load_model(path).predict(dict(frame.iloc[:3]), verbose=0)
    return plain(out)


# What `dataframe(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_DATAFRAME: dict[str, Any] = {
    "summary": 'Model: "functional"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩\n"
    "│ age (InputLayer)    │ (None, 1)         │          0 │ -                 │\n"
    "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
    "│ thalach             │ (None, 1)         │          0 │ -                 │\n"
    "│ (InputLayer)        │                   │            │                   │\n"
    "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
    "│ trestbps            │ (None, 1)         │          0 │ -                 │\n"
    "│ (InputLayer)        │                   │            │                   │\n"
    "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
    "│ chol (InputLayer)   │ (None, 1)         │          0 │ -                 │\n"
    "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
    "│ oldpeak             │ (None, 1)         │          0 │ -                 │\n"
    "│ (InputLayer)        │                   │            │                   │\n"
    "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
    "│ normalization       │ (None, 1)         │          3 │ age[0][0]         │\n"
    "│ (Normalization)     │                   │            │                   │\n"
    "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
    "│ normalization_1     │ (None, 1)         │          3 │ thalach[0][0]     │\n"
    "│ (Normalization)     │                   │            │                   │\n"
    "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
    "│ normalization_2     │ (None, 1)         │          3 │ trestbps[0][0]    │\n"
    "│ (Normalization)     │                   │            │                   │\n"
    "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
    "│ normalization_3     │ (None, 1)         │          3 │ chol[0][0]        │\n"
    "│ (Normalization)     │                   │            │                   │\n"
    "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
    "│ normalization_4     │ (None, 1)         │          3 │ oldpeak[0][0]     │\n"
    "│ (Normalization)     │                   │            │                   │\n"
    "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
    "│ concatenate         │ (None, 5)         │          0 │ normalization[0]… │\n"
    "│ (Concatenate)       │                   │            │ normalization_1[… │\n"
    "│                     │                   │            │ normalization_2[… │\n"
    "│                     │                   │            │ normalization_3[… │\n"
    "│                     │                   │            │ normalization_4[… │\n"
    "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
    "│ dense (Dense)       │ (None, 10)        │         60 │ concatenate[0][0] │\n"
    "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
    "│ dense_1 (Dense)     │ (None, 1)         │         11 │ dense[0][0]       │\n"
    "└─────────────────────┴───────────────────┴────────────┴───────────────────┘\n"
    " Total params: 86 (364.00 B)\n"
    " Trainable params: 71 (284.00 B)\n"
    " Non-trainable params: 15 (80.00 B)\n",
    "input_names": ["age", "chol", "oldpeak", "thalach", "trestbps"],
    "history": {"accuracy": [0.5625, 0.54167], "loss": [0.69006, 0.68833]},
    "predict": [[0.12782], [0.89974], [0.498]],
    "evaluate": {"accuracy": 0.54167, "loss": 0.68747},
    "missing_column": 'ValueError: Missing data for input "age". You passed a data dictionary with keys '
    "['thalach', 'trestbps', 'chol', 'oldpeak']. Expected the following keys: ['age', 'chol', "
    "'oldpeak', 'thalach', 'trestbps']",
    "reloaded": [[0.12782], [0.89974], [0.498]],
}


def test_pandas_dataframe_tutorial(tmp_path: Any) -> None:
    assert_matches(dataframe(keras_lite, str(tmp_path)), GOLDEN_DATAFRAME)


# ---- keras.io "Structured data classification from scratch" and "Imbalanced classification: credit card fraud" --
def keras_io_examples(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    layers = keras.layers
    rng = np.random.RandomState(6)
    n = 60
    numeric = {
        "age": rng.randint(29, 77, n),
        "chol": rng.randint(126, 564, n),
        "oldpeak": rng.uniform(0, 6.2, n),
    }
    vocab = {"cp": [0, 1, 2, 3, 4], "thal": ["fixed", "normal", "reversible"]}
    raw = {"cp": rng.randint(0, 5, n), "thal": rng.choice(vocab["thal"], n)}
    labels = rng.randint(0, 2, n)
    # The lookups (IntegerLookup, StringLookup with output_mode="binary") done with numpy: one-hot float columns.
    columns = {k: v.astype("float32")[:, None] for k, v in numeric.items()}
    columns.update({k: (raw[k][:, None] == np.array(vocab[k])).astype("float32") for k in vocab})
    inputs, encoded = {}, []
    for name, column in columns.items():
        inputs[name] = layers.Input(name=name, shape=(column.shape[1],), dtype="float32")
        if name in numeric:
            norm = layers.Normalization()
            norm.adapt(column[:48])
            encoded.append(norm(inputs[name]))
        else:
            encoded.append(inputs[name])
    features = layers.concatenate(encoded)
    output = layers.Dense(1, activation="sigmoid")(layers.Dense(32, activation="relu")(features))
    model = keras.Model(inputs, output)  # the example's Dropout(0.5) left out: its masks are random
    _set_weights(model, 22)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    out: dict[str, Any] = {"features": list(features.shape)}
    train = {k: v[:48] for k, v in columns.items()}
    val = {k: v[48:] for k, v in columns.items()}
    fit = {"epochs": 2, "batch_size": 16, "verbose": 0, "shuffle": False}
    out["history"] = model.fit(train, labels[:48], validation_data=(val, labels[48:]), **fit).history
    sample = {"age": 60, "chol": 233, "oldpeak": 2.3, "cp": 1, "thal": "fixed"}
    sample.update({k: [int(sample[k] == value) for value in vocab[k]] for k in vocab})
    out["sample"] = model.predict({name: np.array([value]) for name, value in sample.items()}, verbose=0)

    # credit card fraud: 30 standardized features, class weights 1/count, a checkpoint per epoch, verbose=2
    x = rng.normal(size=(250, 30)).astype("float32") * rng.uniform(0.5, 50, size=30).astype("float32")
    y = (rng.uniform(size=(250, 1)) < 0.06).astype("uint8")
    train_x, val_x, train_y, val_y = x[:-50], x[-50:], y[:-50], y[-50:]
    counts = np.bincount(train_y[:, 0])
    mean, std = np.mean(train_x, axis=0), np.std(train_x, axis=0)
    train_x, val_x = (train_x - mean) / std, (val_x - mean) / std
    fraud = keras.Sequential(
        [
            keras.Input(shape=train_x.shape[1:]),
            *[layers.Dense(64, activation="relu") for _ in range(3)],
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    _set_weights(fraud, 23)
    fraud.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss="binary_crossentropy",
        metrics=[
            keras.metrics.FalseNegatives(name="fn"),
            keras.metrics.FalsePositives(name="fp"),
            keras.metrics.TrueNegatives(name="tn"),
            keras.metrics.TruePositives(name="tp"),
            keras.metrics.Precision(name="precision"),
            keras.metrics.Recall(name="recall"),
        ],
    )
    checkpoint = keras.callbacks.ModelCheckpoint(os.path.join(folder, "fraud_model_at_epoch_{epoch}.keras"))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        history = fraud.fit(
            train_x,
            train_y,
            batch_size=64,
            epochs=2,
            verbose=2,
            callbacks=[checkpoint],
            validation_data=(val_x, val_y),
            class_weight={0: 1.0 / counts[0], 1: 1.0 / counts[1]},
            shuffle=False,
        )
    out["fraud_printed"] = _untimed(printed.getvalue())
    out["fraud_history"] = history.history
    out["checkpoints"] = sorted(name for name in os.listdir(folder) if name.startswith("fraud"))
    second = keras.models.load_model(os.path.join(folder, "fraud_model_at_epoch_2.keras"))
    out["checkpoint_evaluate"] = second.evaluate(val_x, val_y, verbose=0)
    return plain(out)


# What `keras_io_examples(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_KERAS_IO: dict[str, Any] = {
    "features": [None, 11],
    "history": {
        "accuracy": [0.54167, 0.54167],
        "loss": [0.74567, 0.74027],
        "val_accuracy": [0.5, 0.5],
        "val_loss": [0.70661, 0.70757],
    },
    "sample": [[0.58624]],
    "fraud_printed": "Epoch 1/2\n"
    "4/4 - T - T/step - fn: 4.0000 - fp: 58.0000 - loss: 0.0079 - precision: 0.0000e+00 - "
    "recall: 0.0000e+00 - tn: 138.0000 - tp: 0.0000e+00 - val_fn: 4.0000 - val_fp: 0.0000e+00 "
    "- val_loss: 0.4732 - val_precision: 0.0000e+00 - val_recall: 0.0000e+00 - val_tn: 46.0000 "
    "- val_tp: 0.0000e+00\n"
    "Epoch 2/2\n"
    "4/4 - T - T/step - fn: 4.0000 - fp: 0.0000e+00 - loss: 0.0067 - precision: 0.0000e+00 - "
    "recall: 0.0000e+00 - tn: 196.0000 - tp: 0.0000e+00 - val_fn: 4.0000 - val_fp: 0.0000e+00 "
    "- val_loss: 0.3400 - val_precision: 0.0000e+00 - val_recall: 0.0000e+00 - val_tn: 46.0000 "
    "- val_tp: 0.0000e+00\n",
    "fraud_history": {
        "fn": [4.0, 4.0],
        "fp": [58.0, 0.0],
        "loss": [0.00789, 0.00672],
        "precision": [0.0, 0.0],
        "recall": [0.0, 0.0],
        "tn": [138.0, 196.0],
        "tp": [0.0, 0.0],
        "val_fn": [4.0, 4.0],
        "val_fp": [0.0, 0.0],
        "val_loss": [0.47322, 0.34005],
        "val_precision": [0.0, 0.0],
        "val_recall": [0.0, 0.0],
        "val_tn": [46.0, 46.0],
        "val_tp": [0.0, 0.0],
    },
    "checkpoints": ["fraud_model_at_epoch_1.keras", "fraud_model_at_epoch_2.keras"],
    "checkpoint_evaluate": [0.34005, 4.0, 0.0, 46.0, 0.0, 0.0, 0.0],
}


def test_keras_io_structured_data_and_fraud_examples(tmp_path: Any) -> None:
    assert_matches(keras_io_examples(keras_lite, str(tmp_path)), GOLDEN_KERAS_IO)


# ---- what these tutorials use that keras_lite refuses, each with a message naming it -----------------------------
def test_int64_inputs_are_refused_clearly() -> None:
    # The pandas tutorial's integer columns and keras.io's one-hot inputs are keras.Input(dtype="int64") there
    # (Keras 3.15.1 makes an int64 KerasTensor); keras_lite computes in float32: feed those columns as float32.
    with pytest.raises(keras_lite.NotSupportedError, match=r"float32 only\. Received: dtype='int64'"):
        keras_lite.Input(shape=(3,), name="cp", dtype="int64")


def test_a_layer_subclass_and_keras_ops_are_refused_clearly() -> None:
    class Classifier(keras_lite.layers.Layer):  # keras.io's, reduced
        def call(self, inputs: Any) -> Any:
            return inputs

    with pytest.raises(keras_lite.NotSupportedError, match="custom layers.*Received: Classifier"):
        Classifier()
    with pytest.raises(AttributeError, match="keras.ops"):
        keras_lite.ops.convert_to_tensor([1.0])  # type: ignore[attr-defined]
