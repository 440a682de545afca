"""Differences a randomized sweep of compiled losses, metrics and weights against Keras 3.15.1 (TensorFlow
backend) found. Each golden value is what Keras 3.15.1 gave for the same model, data and compile arguments;
the comment above it says how it was produced."""

from __future__ import annotations

import json
from typing import Any

import h5py
import numpy as np
import pytest

import keras_lite as keras

# Keras 3.15.1: keras.optimizers.SGD(0.05, momentum=0.5) as model.get_compile_config()["optimizer"] gives it
# (json.dumps of the dict, after model.compile(optimizer, loss=["mae"], ...)).
SGD_COMPILED = {
    "module": "keras.optimizers",
    "class_name": "SGD",
    "config": {
        "name": "sgd",
        "learning_rate": 0.05000000074505806,
        "weight_decay": None,
        "clipnorm": None,
        "global_clipnorm": None,
        "clipvalue": None,
        "use_ema": False,
        "ema_momentum": 0.99,
        "ema_overwrite_frequency": None,
        "loss_scale_factor": None,
        "gradient_accumulation_steps": None,
        "momentum": 0.5,
        "nesterov": False,
    },
    "registered_name": None,
}


def _model() -> keras.Model:
    inputs = keras.Input((2,))
    return keras.Model(inputs, keras.layers.Dense(1, name="out")(inputs))


def test_the_compile_config_holds_the_optimizer_config_keras_writes() -> None:
    model = _model()
    model.compile(keras.optimizers.SGD(0.05, momentum=0.5), loss="mae")
    assert json.dumps(model.get_compile_config()["optimizer"]) == json.dumps(SGD_COMPILED)
    # Keras 3.15.1, Adam(0.002): the same keys in the same order, then beta_1, beta_2, epsilon, amsgrad.
    model.compile(keras.optimizers.Adam(0.002), loss="mae")
    assert list(model.get_compile_config()["optimizer"]["config"]) == [
        *list(SGD_COMPILED["config"])[:11],
        "beta_1",
        "beta_2",
        "epsilon",
        "amsgrad",
    ]


@pytest.mark.parametrize(
    ("loss", "metrics", "weighted", "want"),
    [
        # Keras 3.15.1, model.compile(SGD(0.05), loss=["mae"], metrics={"out": ["mse"]},
        # weighted_metrics=("mae",)): get_compile_config() gives loss ['mae'], metrics {'out': ['mse']},
        # weighted_metrics ('mae',), and model.loss is ['mae'] (a ListWrapper).
        (["mae"], {"out": ["mse"]}, ("mae",), (["mae"], {"out": ["mse"]}, ("mae",))),
        # Keras 3.15.1, compile("sgd", loss={"out": "mse"}, metrics=[["mae"]]): {'out': 'mse'}, [['mae']], None.
        ({"out": "mse"}, [["mae"]], None, ({"out": "mse"}, [["mae"]], None)),
        # Keras 3.15.1, compile(SGD(0.05), loss="mse", metrics={"out": "mae"}, weighted_metrics=["mae"]):
        # mse, {'out': 'mae'}, ['mae'].
        ("mse", {"out": "mae"}, ["mae"], ("mse", {"out": "mae"}, ["mae"])),
        # Keras 3.15.1, compile(SGD(0.05), loss="mse", weighted_metrics=["mae"]): metrics None (keras_lite
        # wrote []), weighted_metrics ['mae'].
        ("mse", None, ["mae"], ("mse", None, ["mae"])),
    ],
)
def test_the_compile_config_and_model_loss_keep_the_structure_compile_was_given(
    loss: Any, metrics: Any, weighted: Any, want: tuple[Any, Any, Any]
) -> None:
    model = _model()
    model.compile(keras.optimizers.SGD(0.05), loss=loss, metrics=metrics, weighted_metrics=weighted)
    config = model.get_compile_config()
    assert (config["loss"], config["metrics"], config["weighted_metrics"]) == want
    assert type(config["weighted_metrics"]) is type(want[2])
    assert model.loss == want[0]
    # A compile that leaves the loss out keeps it (Keras 3.15.1: model.loss is still what the first compile
    # was given, and training uses it).
    model.compile(keras.optimizers.SGD(0.1))
    assert model.loss == want[0]
    # And the model trains and evaluates as with the bare values.
    x, y = np.ones((4, 2), np.float32), np.ones((4, 1), np.float32)
    model.set_weights([np.full((2, 1), 0.25, np.float32), np.zeros(1, np.float32)])
    bare = _model()
    bare.compile(
        keras.optimizers.SGD(0.1), loss="mse" if "mse" in str(want[0]) else "mae", metrics=["mse", "mae"]
    )
    bare.set_weights(model.get_weights())
    assert model.evaluate(x, y, verbose=0, return_dict=True)["loss"] == bare.evaluate(x, y, verbose=0)[0]


def test_a_legacy_h5_file_writes_a_listed_alias_by_its_function_name(tmp_path: Any) -> None:
    model = _model()
    model.compile(keras.optimizers.SGD(0.05), loss=["mse"], metrics=["mae"])
    path = str(tmp_path / "m.h5")
    with pytest.warns(UserWarning, match="legacy"):
        model.save(path)
    with h5py.File(path) as f:
        training = json.loads(f.attrs["training_config"])
    # Keras 3.15.1's legacy loader read this file back (model.loss ListWrapper([mean_squared_error]), the list
    # kept, and evaluate gave keras_lite's values); it cannot read the alias "mse" there.
    assert training["loss"] == ["mean_squared_error"]
    loss = keras.models.load_model(path).loss  # the function, as Keras's legacy loader deserializes the name
    assert [fn.__name__ for fn in loss] == ["mean_squared_error"] and all(callable(fn) for fn in loss)


def _softmax_classifier() -> keras.Model:
    inputs = keras.Input((3,))
    return keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))


@pytest.mark.parametrize(
    ("loss", "kwargs", "message"),
    [
        # "crossentropy" settles on the sparse loss at the first fit: the core's refusal of a metric that reads
        # rows named it by its internal form ("MeanSquaredError", "Loss(SparseCategoricalCrossentropy {...})").
        (
            "ce",
            {"metrics": [keras.metrics.MeanSquaredError()]},
            "The metric 'mean_squared_error' reads targets as rows like the predictions, but the loss "
            "'sparse_categorical_crossentropy' takes class ids. Received: metrics=['mean_squared_error'] with "
            "loss='sparse_categorical_crossentropy'",
        ),
        (
            keras.losses.SparseCategoricalCrossentropy(ignore_class=0),
            {"weighted_metrics": ["sparse_categorical_crossentropy"]},
            "The metric 'sparse_categorical_crossentropy' reads every target as a class id, but the loss "
            "'sparse_categorical_crossentropy' ignores the label 0, which is not one (the metric has no "
            "ignore_class). Received: weighted_metrics=['sparse_categorical_crossentropy'] with "
            "loss=SparseCategoricalCrossentropy(ignore_class=0)",
        ),
    ],
)
def test_a_metric_refused_beside_the_loss_is_named_as_given(loss: Any, kwargs: Any, message: str) -> None:
    model = _softmax_classifier()
    x, y = np.ones((4, 3), np.float32), np.array([0, 1, 2, 1])
    with pytest.raises(ValueError) as caught:
        model.compile(keras.optimizers.SGD(0.1), loss, **kwargs)
        model.fit(x, y, verbose=0)
    assert str(caught.value) == message
