"""``F1Score`` and ``FBetaScore`` in compile, on both devices, and on their own, against values Keras 3.15.1
(TensorFlow backend) printed for the same weights and data."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

PER_CLASS = [0.3999999463558197, 0.2857142388820648, 0.23076915740966797]
# `evaluate(x, y, batch_size=16, sample_weight=sw, return_dict=True)` in Keras.
GOLDEN_EVAL = {
    "f1_score": PER_CLASS,
    "f1_score_1": PER_CLASS,  # the "f1_score" string after an F1Score() of that name, renamed as Keras does
    "f1m": 0.3054944574832916,
    "f1u": 0.31147536635398865,
    "fb2": 0.31048640608787537,
    "loss": 1.3930073976516724,
    "wf1": 0.34072205424308777,
}
# The first epoch of `fit(x, y, batch_size=16, epochs=2, shuffle=False, validation_data=(x, y))`: the weighted
# metric without sample weights is unweighted.
GOLDEN_FIT = {
    "f1m": 0.3054944574832916,
    "val_f1_score": PER_CLASS,
    "val_fb2": 0.31048640608787537,
    "wf1": 0.31212449073791504,
}


@pytest.mark.parametrize("device", DEVICES)
def test_f_scores_in_compile_as_keras(device: str) -> None:
    rng = np.random.default_rng(9)
    x = rng.standard_normal((60, 4)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 60)]
    sw = rng.random(60).astype(np.float32)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")], device=device)
    model.set_weights(
        [np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32), np.zeros(3, np.float32)]
    )
    m = keras.metrics
    metrics = [
        m.F1Score(),
        m.F1Score(average="macro", name="f1m"),
        m.F1Score(average="micro", threshold=0.4, name="f1u"),
        m.FBetaScore(beta=2.0, average="weighted", name="fb2"),
        "f1_score",
    ]
    weighted = [m.F1Score(average="weighted", name="wf1")]
    model.compile(
        optimizer=keras.optimizers.SGD(0.05),
        loss="categorical_crossentropy",
        metrics=metrics,
        weighted_metrics=weighted,
    )
    got = model.evaluate(x, y, batch_size=16, sample_weight=sw, verbose=0, return_dict=True)
    assert sorted(got) == sorted(GOLDEN_EVAL)
    for key, want in GOLDEN_EVAL.items():
        np.testing.assert_allclose(got[key], want, atol=1e-6, err_msg=key)
    hist = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, validation_data=(x, y)).history
    for key, want in GOLDEN_FIT.items():
        np.testing.assert_allclose(hist[key][0], want, atol=1e-6, err_msg=key)


def test_f1_score_on_its_own() -> None:
    """Keras's docstring example, then with sample weights (Keras: [0.72727275, 0.8333333, 0.4999999])."""
    y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32)
    y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32)
    metric = keras.metrics.F1Score(threshold=0.5)
    metric.update_state(y_true, y_pred)
    np.testing.assert_allclose(metric.result(), [0.5, 0.8, 0.6666667], rtol=1e-6)
    metric.reset_state()
    metric.update_state(y_true, y_pred, sample_weight=np.array([0.5, 1.0, 2.0]))
    np.testing.assert_allclose(
        metric.result(), [0.7272727489471436, 0.8333333134651184, 0.49999991059303284], 1e-6
    )
    # Without a threshold the row's largest prediction is its positive; an all-zero row has none.
    arg = keras.metrics.F1Score(average="micro")
    arg.update_state([[0, 1], [1, 0], [0, 1]], [[0.2, 0.8], [0.5, 0.5], [0.0, 0.0]])
    # TP 2 (rows 1 and 2), FP 1 (row 2's tie), FN 1 (row 3): precision 2/3, recall 2/3.
    assert float(arg.result()) == pytest.approx(2 / 3, rel=1e-6)


def test_f_score_configs_and_refusals_are_keras_s() -> None:
    m = keras.metrics
    assert m.F1Score().get_config() == {
        "name": "f1_score",
        "dtype": "float32",
        "average": None,
        "threshold": None,
    }
    assert m.FBetaScore(beta=2.0).get_config() == {
        "name": "fbeta_score",
        "dtype": "float32",
        "average": None,
        "beta": 2.0,
        "threshold": None,
    }
    for bad in ({"average": "mean"}, {"threshold": 1.5}, {"threshold": 1}):
        with pytest.raises(ValueError):
            m.F1Score(**bad)
    with pytest.raises(ValueError, match="beta"):
        m.FBetaScore(beta=2)  # Keras wants a Python float
    with pytest.raises(ValueError, match="2D"):
        m.F1Score().update_state([1, 0], [0.3, 0.9])
    model = keras.Sequential([keras.Input((2,)), layers.Dense(3, activation="softmax")])
    # The class counts read one-hot targets: a sparse loss's class ids are refused.
    with pytest.raises(ValueError, match="class ids"):
        model.compile(loss="sparse_categorical_crossentropy", metrics=[m.F1Score()])
