"""Keras's loss functions given to ``compile`` as metrics, beyond the ones its metric classes wrap: the focal
crossentropies (``keras.metrics.binary_focal_crossentropy`` is ``keras.losses``'s) and
``keras.losses.cosine_similarity`` (``-cos``, not the ``CosineSimilarity`` metric's ``+cos``). Each is the mean of
the loss's per-sample values, in ``metrics`` and ``weighted_metrics``, on both devices, with Keras 3.15.1's values
(tests/fixtures/metric_loss_fn_golden.json, from make_metric_loss_fn_goldens.py); files keep them as Keras
writes and reads them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from fixtures.metric_loss_fn_data import HEADS, data, functions

GOLDEN = json.load(open(os.path.join(os.path.dirname(__file__), "fixtures", "metric_loss_fn_golden.json")))
D = data()


def _model(head: str, device: str = "cpu") -> keras.Sequential:
    activation, width, loss = HEADS[head]
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(width, activation=activation)], device=device
    )
    model.set_weights(D[head]["weights"])
    fns = functions(keras, activation)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss, metrics=fns, weighted_metrics=fns)
    return model


def _close(got: dict, want: dict, where: str) -> None:
    assert sorted(got) == sorted(want), where
    for key, value in want.items():
        # The categorical focal loss of a one-unit sigmoid is about 1e-22 (its one renormalised class is
        # clipped to 1 - 1e-7): equal in absolute terms only.
        np.testing.assert_allclose(got[key], value, rtol=2e-5, atol=1e-12, err_msg=f"{where}: {key}")


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("head", sorted(HEADS))
def test_loss_functions_as_metrics_train_and_evaluate_as_keras(device: str, head: str) -> None:
    model = _model(head, device)
    y, sw = D[head]["y"], D["sw"]
    history = model.fit(D["x"], y, sample_weight=sw, batch_size=16, epochs=2, shuffle=False, verbose=0)
    _close(history.history, GOLDEN[head]["history"], f"{head} fit")
    values = model.evaluate(D["x"], y, sample_weight=sw, batch_size=16, verbose=0, return_dict=True)
    _close(values, GOLDEN[head]["evaluate"], f"{head} evaluate")


def test_files_keep_them_and_read_keras_s_cosine_similarity_as_the_loss(tmp_path: Path) -> None:
    model = _model("linear")
    y, sw = D["linear"]["y"], D["sw"]
    model.fit(D["x"], y, sample_weight=sw, batch_size=16, epochs=2, shuffle=False, verbose=0)
    written = model.get_compile_config()["metrics"]
    # Keras 3.15.1 writes each as {"module": "builtins", "class_name": "function", "config": <its name>, ...}.
    assert [(e["module"], e["class_name"], e["config"]) for e in written] == [
        ("builtins", "function", "binary_focal_crossentropy"),
        ("builtins", "function", "categorical_focal_crossentropy"),
        ("builtins", "function", "cosine_similarity"),
    ]
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.get_compile_config()["metrics"] == written
    values = loaded.evaluate(D["x"], y, sample_weight=sw, batch_size=16, verbose=0, return_dict=True)
    _close(values, GOLDEN["linear"]["evaluate"], "loaded")
    # A compile config naming only the function "cosine_similarity" (as Keras writes
    # keras.losses.cosine_similarity) is the loss: Keras 3.15.1 evaluates it negative.
    fresh = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    fresh.set_weights(model.get_weights())
    entry = {
        "module": "builtins",
        "class_name": "function",
        "config": "cosine_similarity",
        "registered_name": "function",
    }
    fresh.compile_from_config({"optimizer": "sgd", "loss": "mse", "metrics": [entry]})
    got = fresh.evaluate(D["x"], y, batch_size=16, verbose=0, return_dict=True)
    assert got["cosine_similarity"] == pytest.approx(
        GOLDEN["linear"]["evaluate"]["cosine_similarity"], rel=2e-5
    )


def test_what_compile_refuses() -> None:
    softmax = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    # Keras on TensorFlow would read the softmax's logits for the crossentropy and its probabilities for the
    # focal factor; keras_lite refuses that pairing, for a metric as for the loss.
    with pytest.raises(ValueError, match="binary_focal_crossentropy on a softmax output"):
        softmax.compile(loss="categorical_crossentropy", metrics=[keras.metrics.binary_focal_crossentropy])
    # A loss object: Keras averages its per-batch values, each batch counting once whatever its size.
    # The refusal names what computes that loss per sample: the metric class of that name, else the function.
    for loss, instead in [
        (
            keras.losses.Huber(delta=2.0),
            r"its function keras.losses.huber \(which computes the loss with its default",
        ),
        (
            keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
            "the metric keras.metrics.CategoricalCrossentropy",
        ),
        (
            type("MyLoss", (keras.losses.Loss,), {"call": lambda self, t, p: t - p})(),
            "a metric class or a loss",
        ),
    ]:
        with pytest.raises(keras.NotSupportedError, match=f"a loss object as a metric.*Pass {instead}"):
            softmax.compile(loss="categorical_crossentropy", metrics=[loss])
    # The model is left as it was (uncompiled), and compiling it afterwards works.
    assert not softmax.compiled and not hasattr(softmax, "optimizer")  # Keras 3.15.1: no such attribute yet
    softmax.compile(loss="categorical_crossentropy", metrics=[keras.losses.categorical_focal_crossentropy])
    assert softmax.evaluate(D["x"], D["softmax"]["y"], verbose=0, return_dict=True).keys() == {
        "loss",
        "categorical_focal_crossentropy",
    }
