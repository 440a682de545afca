"""Configs and files as Keras 3.15.1 reads and writes them (a differential sweep's findings): compile configs in
Keras's per-output forms, kept through a save and load, the module functions' names and custom_objects, legacy `.h5` files saved without the
optimizer and the metric names Keras's legacy loader gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import keras_lite as keras

X = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
Y = (X[:, :1] > 0).astype(np.float32)


def _model() -> Any:
    inp = keras.Input((3,), name="x")
    return keras.Model(inp, keras.layers.Dense(1, activation="sigmoid", name="out")(inp))


@pytest.mark.parametrize(
    "loss, metrics",
    [
        (["binary_crossentropy"], [["accuracy"]]),  # Keras keeps the lists compile was given
        ({"out": "binary_crossentropy"}, {"out": ["accuracy"]}),
        (("binary_crossentropy",), (("accuracy",),)),  # an in-memory config's tuples
    ],
)
def test_compile_configs_in_keras_s_per_output_forms(loss: Any, metrics: Any) -> None:
    model = _model()
    model.compile_from_config({"optimizer": "adam", "loss": loss, "metrics": metrics, "loss_weights": None})
    assert list(model.evaluate(X, Y, verbose=0, return_dict=True)) == ["accuracy", "loss"]
    with pytest.raises(ValueError, match="names several outputs"):
        _model().compile_from_config({"optimizer": "adam", "loss": ["mse", "mae"]})


@pytest.mark.parametrize(
    "loss, metrics",
    [
        ({"out": "mse"}, {"out": ["mae"]}),
        (["mse"], [["mae"]]),
        ("mse", ["mae"]),
        ({"out": keras.losses.MeanSquaredError()}, None),
    ],
)
@pytest.mark.parametrize("functional", [True, False])
def test_a_loaded_model_keeps_the_loss_and_metrics_structure_it_was_compiled_with(
    tmp_path: Path, functional: bool, loss: Any, metrics: Any
) -> None:
    # Keras 3.15.1, save then load_model: `loss` and the compile config's `loss` and `metrics` come back in the
    # structure compile was given ({"out": "mse"} stays a dict by output name, ["mse"] a list).
    if functional:
        model = _model()
    else:
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, name="out")])
    model.compile("adam", loss=loss, metrics=metrics)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    config = loaded.get_compile_config()
    assert config["loss"] == model.get_compile_config()["loss"]
    assert config["metrics"] == metrics
    assert type(loaded.loss) is type(loss)
    if isinstance(loss, dict):
        assert list(loaded.loss) == ["out"] and type(loaded.loss["out"]) is type(loss["out"])
    assert loaded.evaluate(X, Y, verbose=0) == model.evaluate(X, Y, verbose=0)


def test_module_functions_take_names_and_custom_objects_as_keras() -> None:
    # Keras 3.15.1: metrics.deserialize of a name gives the metric object ("acc" and the like stay names, for
    # compile to choose); serialize of a name gives the name; deserialize takes custom_objects.
    assert type(keras.metrics.deserialize("mae")).__name__ == "MeanAbsoluteError"
    assert keras.metrics.deserialize("mae").name == "mean_absolute_error"
    assert keras.metrics.deserialize("acc") == "acc"
    assert keras.regularizers.serialize("l2") == "l2" and keras.constraints.serialize("non_neg") == "non_neg"
    assert keras.initializers.serialize("glorot_uniform") == "glorot_uniform"

    class Scaled(keras.regularizers.Regularizer):
        def __init__(self, factor: float = 0.1) -> None:
            self.factor = factor

        def __call__(self, x: Any) -> Any:
            return self.factor * float(np.sum(np.square(x)))

        def get_config(self) -> dict[str, Any]:
            return {"factor": self.factor}

    made = keras.regularizers.deserialize(
        {"class_name": "Scaled", "config": {"factor": 0.5}}, {"Scaled": Scaled}
    )
    assert isinstance(made, Scaled) and made.factor == 0.5
    assert type(keras.constraints.deserialize("non_neg", custom_objects=None)).__name__ == "NonNeg"
    auc = keras.metrics.deserialize(
        keras.metrics.serialize(keras.metrics.AUC(num_thresholds=7)), custom_objects={}
    )
    assert auc.num_thresholds == 7


def test_legacy_h5_without_the_optimizer_and_metric_names_as_keras(tmp_path: Path) -> None:
    model = _model()
    model.compile(
        optimizer="adam", loss="binary_crossentropy", metrics=["mae", "mse"], weighted_metrics=["mse"]
    )
    model.fit(X, Y, epochs=1, verbose=0)
    with pytest.warns(UserWarning, match="legacy"):
        model.save(tmp_path / "bare.h5", include_optimizer=False)
    with h5py.File(tmp_path / "bare.h5", "r") as f:
        assert sorted(f.attrs) == ["backend", "keras_version", "model_config"]  # as Keras writes it
    bare = keras.models.load_model(tmp_path / "bare.h5")
    assert not bare.compiled
    np.testing.assert_array_equal(bare.predict(X, verbose=0), model.predict(X, verbose=0))
    # Keras 3's legacy loader makes a metric name its object: the keys are the objects' names.
    with pytest.warns(UserWarning, match="legacy"):
        model.save(tmp_path / "full.h5")
    keys = list(keras.models.load_model(tmp_path / "full.h5").evaluate(X, Y, verbose=0, return_dict=True))
    assert keys == ["loss", "mean_absolute_error", "mean_squared_error", "weighted_mean_squared_error"]
