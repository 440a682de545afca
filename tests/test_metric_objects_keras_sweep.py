"""Metric objects and functions on their own, where a sweep against Keras 3.15.1 found keras_lite apart: the
values below are Keras 3.15.1's (TensorFlow 2.21), printed by the same calls."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import keras_lite as keras

M = keras.metrics


def test_a_prediction_equal_to_a_threshold_is_not_above_it_in_float32() -> None:
    # float32(0.3) > 0.3 in float64, but not in float32, where Keras (and the core) compare.
    p = np.array([0.3], "float32")
    assert np.asarray(M.binary_accuracy(np.array([1.0]), p, threshold=0.3)).tolist() == [0.0]
    assert float(M.BinaryAccuracy(threshold=0.7)([[1.0]], np.array([[0.7]], "f4"))) == 0.0
    assert float(M.Recall(thresholds=0.3)([1.0], p)) == 0.0
    assert float(M.Precision(thresholds=0.3)([1.0], p)) == 0.0
    tp = M.TruePositives(thresholds=[0, 0.2, 0.4, 0.6, 0.8, 1.0])([1.0, 1.0], np.array([0.2, 0.8], "float32"))
    assert np.asarray(tp).tolist() == [2, 1, 1, 1, 0, 0]
    assert float(M.AUC(thresholds=[0.3])([1.0, 0.0], np.array([0.3, 0.1], "float32"))) == 0.5


def test_float64_predictions_are_compared_in_float64_against_a_float32_threshold() -> None:
    # Keras 3.15.1: the function compares in the predictions' precision with the threshold made a float32
    # first, and the class passes the arrays to it as they are.
    above, below = np.array([0.50000001, 0.30000001]), np.array([0.30000001])
    assert np.asarray(M.binary_accuracy(np.array([1.0, 1.0]), above, threshold=0.5)).tolist() == [1.0, 0.0]
    assert np.asarray(M.binary_accuracy(np.array([1.0]), below, threshold=0.3)).tolist() == [0.0]
    assert float(M.BinaryAccuracy(threshold=0.5)(np.array([1.0, 1.0]), above)) == 0.5
    assert float(M.BinaryAccuracy(threshold=0.3)(np.array([1.0]), below)) == 0.0


def test_state_variables_are_arrays() -> None:
    mean = M.Mean()
    mean.update_state([1.0, 2.0])
    assert np.asarray(mean.variables[0]).tolist() == 3.0 and np.asarray(mean.variables[1]).tolist() == 2.0
    assert np.asarray(mean.variables[0]).shape == ()
    r2 = M.R2Score()
    r2.update_state(np.array([[1.0], [2.0]]), np.array([[1.5], [2.5]]))
    assert [np.asarray(v).shape for v in r2.variables] == [tuple(v.shape) for v in r2.variables]


def test_samples_without_features() -> None:
    # A (0,) pair is one sample with no features: the mean over them is NaN, the sum 0 (Keras 3.15.1).
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no NumPy warning about it
        for fn in (M.mean_squared_error, M.hinge, M.poisson, M.binary_crossentropy, M.log_cosh, M.huber):
            assert np.isnan(np.asarray(fn(np.zeros(0), np.zeros(0)))), fn.__name__
            assert np.isnan(np.asarray(fn(np.zeros((2, 0)), np.zeros((2, 0))))).all(), fn.__name__
        assert float(np.asarray(M.kl_divergence(np.zeros(0), np.zeros(0)))) == 0.0
        assert float(np.asarray(M.categorical_crossentropy(np.zeros((2, 0)), np.zeros((2, 0)))).sum()) == 0.0
    hinge = M.Hinge()
    hinge.update_state(np.zeros(0), np.zeros(0))  # as Keras: the metric takes it (and is NaN from then on)
    assert np.isnan(float(hinge.result()))
    kld = M.KLDivergence()
    kld.update_state(np.zeros(0), np.zeros(0))
    kld.update_state(np.ones(3), np.full(3, 0.5))
    assert float(kld.result()) == pytest.approx(1.0397207736968994, rel=1e-6)


def test_mean_metric_wrapper_config_names_its_function() -> None:
    wrapper = M.MeanMetricWrapper(keras.losses.huber, name="h", delta=2.0)
    config = wrapper.get_config()
    assert config == {
        "name": "h",
        "dtype": "float32",
        "fn": {
            "module": "builtins",
            "class_name": "function",
            "config": "huber",
            "registered_name": "function",
        },
        "delta": 2.0,
    }
    again = M.MeanMetricWrapper.from_config(config)
    again.update_state([[3.0]], [[0.0]])
    assert float(again.result()) == 4.0  # huber(3, delta=2) = 2·3 − 2²/2
    back = M.deserialize(M.serialize(M.MeanMetricWrapper(M.mean_squared_error, name="w")))
    back.update_state([[1.0], [2.0]], [[0.0], [0.0]])
    assert (type(back).__name__, back.name, float(back.result())) == ("MeanMetricWrapper", "w", 2.5)
    # The built-in metrics make their own function: their configs have no fn, as Keras's.
    assert M.MeanSquaredError().get_config() == {"name": "mean_squared_error", "dtype": "float32"}
    assert M.CosineSimilarity().get_config() == {"name": "cosine_similarity", "dtype": "float32"}


def test_sparse_top_k_keeps_the_labels_shape() -> None:
    scores = np.array([[0.2, 0.8], [0.6, 0.4]], "float32")
    assert np.asarray(M.sparse_top_k_categorical_accuracy(np.array([[1], [0]]), scores, k=1)).shape == (2, 1)
    assert np.asarray(M.sparse_top_k_categorical_accuracy(np.array([1, 0]), scores, k=1)).shape == (2,)


@pytest.mark.parametrize(
    "metric",
    [
        M.PrecisionAtRecall(0.5),
        M.RecallAtPrecision(0.5),
        M.SensitivityAtSpecificity(0.5),
        M.SpecificityAtSensitivity(0.5),
    ],
)
def test_the_at_rate_metrics_keep_keras_s_four_variables(metric: M.Metric) -> None:
    names = ["true_positives", "false_positives", "true_negatives", "false_negatives"]
    assert [(v.name, tuple(v.shape)) for v in metric.variables] == [(n, (200,)) for n in names]
    metric.update_state([1.0, 0.0, 1.0], np.array([0.9, 0.2, 0.6], "float32"))
    # Each variable's sum over the 200 thresholds, as Keras 3.15.1 gives them for these inputs.
    assert [float(np.asarray(v).sum()) for v in metric.variables] == [300.0, 40.0, 160.0, 100.0]


def test_a_lambda_in_a_config_warns_that_it_cannot_be_read_back() -> None:
    metric = M.MeanMetricWrapper(lambda t, p: t - p, name="diff")
    with pytest.warns(UserWarning, match="includes a `lambda`.*cannot be read back"):
        config = metric.get_config()
    with pytest.raises(TypeError, match="Could not locate the function .<lambda>."):
        M.MeanMetricWrapper.from_config(config)
