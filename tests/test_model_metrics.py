"""``model.metrics``, ``metrics_variables``, ``get_metrics_result()`` and ``reset_metrics()`` as Keras 3.15.1 has
them: the loss tracker and the ``CompileMetrics`` holding what the model's last pass (fit's last epoch or its
validation, evaluate, a one-batch call) computed.

The goldens are what Keras 3.15.1 (TensorFlow 2.21) printed for the same models and data."""

from __future__ import annotations

import keras_lite as keras


def test_metric_variables_have_keras_paths() -> None:
    # Keras 3.15.1: Mean() -> mean/total, mean/count; MeanAbsoluteError(name="mae") -> mae/total; a renamed
    # metric keeps its variables' paths.
    mean = keras.metrics.Mean()
    assert [(v.path, v.name) for v in mean.variables] == [("mean/total", "total"), ("mean/count", "count")]
    assert repr(mean.variables[0]) == "<Variable path=mean/total, shape=(), dtype=float32, value=0.0>"
    mae = keras.metrics.MeanAbsoluteError(name="mae")
    mae.name = "renamed"
    assert [v.path for v in mae.variables] == ["mae/total", "mae/count"]
