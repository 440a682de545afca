"""An object of the user's own class that computes its own way (a regularizer's or a constraint's
``__call__``, an optimizer's ``update_step``, a compiled metric's ``update_state``) is refused with
`NotSupportedError`: keras_lite's core computes its built-in classes, and would otherwise run the base class's
computation in its place without a word (Keras 3.15.1 runs the user's code: with the regularizer below its
evaluate gave 5.0, keras_lite's core 4.0). Subclasses that only rename or configure a built-in one work.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import keras_lite as keras


class MyL2(keras.regularizers.Regularizer):
    def __init__(self, factor: float = 0.5) -> None:
        self.factor = factor

    def __call__(self, w: Any) -> Any:
        return self.factor * np.square(w).sum()


class DoubledL2(keras.regularizers.L2):
    def __call__(self, w: Any) -> Any:
        return 2.0 * self.l2 * np.square(w).sum()


class NamedL2(keras.regularizers.L2):
    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


class Clip(keras.constraints.Constraint):
    def __call__(self, w: Any) -> Any:
        return np.clip(w, -0.5, 0.5)


class ClippedMaxNorm(keras.constraints.MaxNorm):
    def __call__(self, w: Any) -> Any:
        return np.clip(w, -0.5, 0.5)


class HalfStepSGD(keras.optimizers.SGD):
    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        pass


class ZeroPredMAE(keras.metrics.MeanAbsoluteError):
    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        super().update_state(y_true, np.zeros_like(y_pred), sample_weight)


@pytest.mark.parametrize("regularizer", [MyL2(), DoubledL2(0.1)])
def test_a_regularizer_of_ones_own_is_refused(regularizer: Any) -> None:
    for arg in ("kernel_regularizer", "bias_regularizer", "activity_regularizer"):
        with pytest.raises(
            keras.NotSupportedError, match=f"regularizers.*{type(regularizer).__name__} defines __call__"
        ):
            keras.layers.Dense(1, **{arg: regularizer})
    assert float(regularizer(np.ones((2, 2)))) > 0  # (on its own it computes as written)


def test_a_layer_assigned_one_after_build_refuses_it_too() -> None:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_regularizer="l2")])
    with pytest.raises(keras.NotSupportedError, match="MyL2 defines __call__"):
        model.layers[0].kernel_regularizer = MyL2()
    assert isinstance(model.layers[0].kernel_regularizer, keras.regularizers.L2)  # (kept as it was)


@pytest.mark.parametrize("constraint", [Clip(), ClippedMaxNorm(100.0), keras.constraints.Constraint()])
def test_a_constraint_of_ones_own_is_refused(constraint: Any) -> None:
    with pytest.raises(keras.NotSupportedError, match="constraint"):
        keras.layers.Dense(1, kernel_constraint=constraint)


def test_an_optimizer_of_ones_own_is_refused_at_compile() -> None:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(keras.NotSupportedError, match="HalfStepSGD defines update_step"):
        model.compile(optimizer=HalfStepSGD(0.1), loss="mse")

    class Plain(keras.optimizers.Optimizer):
        pass

    with pytest.raises(keras.NotSupportedError, match="optimizer of your own"):
        model.compile(optimizer=Plain(0.1), loss="mse")


def test_a_compiled_metric_of_ones_own_is_refused_and_works_on_its_own() -> None:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(keras.NotSupportedError, match="ZeroPredMAE"):
        model.compile(optimizer="sgd", loss="mse", metrics=[ZeroPredMAE(name="zmae")])
    metric = ZeroPredMAE()
    metric.update_state([[2.0]], [[5.0]])
    assert float(metric.result()) == 2.0


def test_subclasses_that_only_configure_a_built_in_one_train() -> None:
    x, y = np.array([[1.0, 2.0], [3.0, -1.0]], "float32"), np.array([[1.0], [0.0]], "float32")
    models = []
    for reg in (keras.regularizers.L2(0.1), NamedL2(0.1)):
        m = keras.Sequential(
            [keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones", kernel_regularizer=reg)]
        )
        m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        models.append(m.fit(x, y, verbose=0, shuffle=False).history)
    assert models[0] == models[1]
