"""A metric's state variables and a layer's weights take arithmetic and comparisons as Keras 3's variables do,
so that a custom metric written as keras.io's guides write one runs (``self.count.assign(self.count + n)``,
``return self.total / self.count``). Keras 3.15.1 printed, for the metric below after one update:
result 1.5, total / count 1.5, total * 2 6.0, 2 - total -1.0, total > 0 True; and for a Dense(2) of ones on
3 inputs: (kernel ** 2).sum() 6.0, (kernel > 0).all() True.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import keras_lite as keras


class MeanAbs(keras.metrics.Metric):
    def __init__(self, name: str = "mean_abs", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        err = np.abs(np.asarray(y_true, "float32") - np.asarray(y_pred, "float32"))
        self.total.assign(self.total + err.sum())
        self.count.assign(self.count + len(err))

    def result(self) -> Any:
        return self.total / self.count


def test_a_metric_computes_with_its_variables() -> None:
    m = MeanAbs()
    m.update_state([1.0, 2.0], [0.0, 0.0])
    assert float(m.result()) == 1.5
    assert float(m.total / m.count) == 1.5
    assert float(m.total * 2) == 6.0 and float(2 - m.total) == -1.0
    assert bool(m.total > 0) and not bool(m.total <= 0)
    assert float(m.total**2) == 9.0 and float(-m.total) == -3.0 and float(abs(-m.total)) == 3.0
    m.total.assign_sub(1.0)
    assert float(m.total) == 2.0
    assert not m.total.trainable
    m.reset_state()
    assert float(m.total) == 0.0


def test_weights_take_powers_and_comparisons() -> None:
    layer = keras.layers.Dense(2, kernel_initializer="ones")
    layer(np.ones((1, 3), "float32"))
    assert float(np.asarray(layer.kernel**2).sum()) == 6.0
    assert bool(np.asarray(layer.kernel > 0).all())
    np.testing.assert_array_equal(layer.kernel + 1, np.full((3, 2), 2.0))
    np.testing.assert_array_equal(1 - layer.kernel, np.zeros((3, 2)))
    np.testing.assert_array_equal(np.ones((1, 3)) @ layer.kernel, [[3.0, 3.0]])
    assert layer.kernel != layer.bias and {layer.kernel: 1}[layer.kernel] == 1  # (identity, as a dict key)
