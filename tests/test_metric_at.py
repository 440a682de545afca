"""``PrecisionAtRecall``, ``RecallAtPrecision``, ``SensitivityAtSpecificity`` and ``SpecificityAtSensitivity`` in
compile, on both devices, and on their own, against values Keras 3.15.1 (TensorFlow backend) printed for the
same weights and data."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

# `evaluate(x, y, batch_size=16, sample_weight=sw, return_dict=True)` in Keras, then the two epochs of
# `fit(x, y, batch_size=16, epochs=2, shuffle=False, validation_data=(x, y))` with SGD(0.1).
GOLDEN_EVAL = {
    "loss": 0.4419626295566559,
    "par": 0.29487180709838867,
    "rap": 0.0,
    "sas": 0.21739129722118378,
    "sps": 0.3684210479259491,
    "wpar": 0.2917642891407013,
}
GOLDEN_FIT = {
    "rap": [0.1304347813129425, 0.1304347813129425],
    "sps": [0.4035087823867798, 0.0],
    "val_par": [0.29487180709838867, 0.29487180709838867],
    "wpar": [0.29487180709838867, 0.29487180709838867],
}


@pytest.mark.parametrize("device", DEVICES)
def test_rates_at_a_constraint_in_compile_as_keras(device: str) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((80, 3)).astype(np.float32)
    y = (rng.random((80, 1)) < 0.4).astype(np.float32)
    sw = rng.random(80).astype(np.float32)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, activation="sigmoid")], device=device)
    model.set_weights([np.array([[0.9], [-0.5], [0.3]], np.float32), np.array([0.1], np.float32)])
    m = keras.metrics
    metrics = [
        m.PrecisionAtRecall(0.5, name="par"),
        m.RecallAtPrecision(0.6, name="rap"),
        m.SensitivityAtSpecificity(0.7, num_thresholds=50, name="sas"),
        m.SpecificityAtSensitivity(0.4, num_thresholds=1, name="sps"),  # one threshold: 0.5, not clipped
    ]
    weighted = [m.PrecisionAtRecall(0.3, name="wpar")]
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss="binary_crossentropy",
        metrics=metrics,
        weighted_metrics=weighted,
    )
    got = model.evaluate(x, y, batch_size=16, sample_weight=sw, verbose=0, return_dict=True)
    assert got == pytest.approx(GOLDEN_EVAL, abs=1e-6)
    hist = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, validation_data=(x, y)).history
    for key, want in GOLDEN_FIT.items():
        assert hist[key] == pytest.approx(want, abs=1e-6), key


def test_rates_at_a_constraint_on_their_own() -> None:
    m = keras.metrics
    rng = np.random.default_rng(4)
    (
        rng.standard_normal((80, 3)),
        rng.random((80, 1)),
        rng.random(80),
    )  # the draws before these, as Keras's run
    y_true = np.eye(3)[rng.integers(0, 3, 30)]
    y_pred = rng.random((30, 3))
    metric = m.RecallAtPrecision(0.3, class_id=2)
    metric.update_state(y_true, y_pred, sample_weight=rng.random(30))
    assert float(metric.result()) == pytest.approx(1.0000001192092896, abs=2e-7)
    # A clipped 0 is above the lowest threshold, as in Keras's bucketed count: Keras gives 0.6666667.
    edges = m.SensitivityAtSpecificity(0.5)
    edges.update_state([0, 0, 1, 1, 1], [0.0, 0.2, 0.0, 0.5, 1.0])
    assert float(edges.result()) == pytest.approx(0.6666666865348816, rel=1e-6)
    edges.reset_state()
    assert float(edges.result()) == 0.0
    assert m.PrecisionAtRecall(0.5, class_id=1, num_thresholds=7, name="x").get_config() == {
        "name": "x",
        "dtype": "float32",
        "class_id": 1,
        "num_thresholds": 7,
        "recall": 0.5,
    }
    assert m.SpecificityAtSensitivity(0.5).name.startswith("specificity_at_sensitivity")


def test_what_the_constraint_metrics_refuse() -> None:
    m = keras.metrics
    with pytest.raises(ValueError, match="recall"):
        m.PrecisionAtRecall(1.5)
    with pytest.raises(ValueError, match="num_thresholds"):
        m.RecallAtPrecision(0.5, num_thresholds=0)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(3, activation="softmax")])
    with pytest.raises(ValueError, match="class_id"):
        model.compile(loss="categorical_crossentropy", metrics=[m.PrecisionAtRecall(0.5, class_id=3)])
