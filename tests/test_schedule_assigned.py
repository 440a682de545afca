"""A learning-rate schedule assigned to a compiled model's optimizer (``optimizer.learning_rate = schedule``),
before its first fit or between fits, built in or written in Python, on each device; goldens from Keras 3.15.1
(TensorFlow 2.21 backend).

Keras applies an assignment made before the first fit at once. One made after a fit it reports at once
(``optimizer.learning_rate`` reads the schedule's rate) but trains with from its next trace, i.e. after the
next ``compile``; keras_lite applies it at the next step, so its weights here equal Keras's after a recompile.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

X = np.arange(24, dtype="float32").reshape(8, 3) / 10.0
Y = X @ np.array([[0.5], [-1.0], [2.0]], "float32") + 0.25

# Keras 3.15.1: Adam(0.02) for one epoch of two batches, then ExponentialDecay(0.05, 3, 0.5) for two more.
AFTER_A_FIT = [
    [[0.40711909532546997, 0.1936948001384735], [0.4082252085208893, 0.19275566935539246]],
    [[0.4091894030570984, 0.19193492829799652]],
    [0.2223156839609146, -0.21960413455963135],
    [[0.8096559047698975], [-0.2949354946613312]],
    [0.12204639613628387],
]
# The same schedule for all three epochs, assigned after compile and before the first fit.
BEFORE_THE_FIRST_FIT = [
    [[0.45276057720184326, 0.14800100028514862], [0.4540250599384308, 0.1469026803970337]],
    [[0.4551239013671875, 0.14595139026641846]],
    [0.2695901691913605, -0.2662164270877838],
    [[0.855402410030365], [-0.2500555217266083]],
    [0.16930189728736877],
]
# Adam(0.02) for one epoch, then `Falling` (below) for two.
FALLING_AFTER_A_FIT = [
    [[0.37317609786987305, 0.22694440186023712], [0.3738290071487427, 0.2263873964548111]],
    [[0.37439829111099243, 0.22590060532093048]],
    [0.1821659952402115, -0.1809660941362381],
    [[0.7745304107666016], [-0.32734620571136475]],
    [0.08213230222463608],
]


class Falling(keras.optimizers.schedules.LearningRateSchedule):
    """A schedule written in Python: 0.05 / (1 + step)."""

    def __call__(self, step: Any) -> Any:
        return 0.05 / (1.0 + float(step))


def _model(device: str) -> Any:
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(2, activation="relu"), keras.layers.Dense(1)], device=device
    )
    model.set_weights(
        [
            np.full((3, 2), 0.3, "float32"),
            np.array([0.1, -0.1], "float32"),
            np.array([[0.7], [-0.4]], "float32"),
            np.zeros(1, "float32"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    return model


def _fit(model: Any, epochs: int) -> None:
    model.fit(X, Y, batch_size=4, epochs=epochs, shuffle=False, verbose=0)


def _assert_weights(model: Any, want: list[Any]) -> None:
    kernel = np.array(want[0] + want[1], "float32")
    for got, expected in zip(model.get_weights(), [kernel, *want[2:]]):
        np.testing.assert_allclose(got, np.array(expected, "float32"), rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("device", DEVICES)
def test_a_schedule_assigned_between_fits_drives_the_next_steps(device: str) -> None:
    model = _model(device)
    _fit(model, 1)
    model.optimizer.learning_rate = keras.optimizers.schedules.ExponentialDecay(0.05, 3, 0.5)
    # Read at the step count (2) at once, as Keras: 0.05 * 0.5 ** (2 / 3) in float32.
    assert float(model.optimizer.learning_rate) == 0.031498026102781296
    _fit(model, 2)
    assert float(model.optimizer.learning_rate) == 0.012500000186264515
    _assert_weights(model, AFTER_A_FIT)
    # A schedule in force takes no number, as Keras's TypeError.
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        model.optimizer.learning_rate = 0.1
    assert "ExponentialDecay" in str(model.optimizer.get_config()["learning_rate"])


@pytest.mark.parametrize("device", DEVICES)
def test_a_schedule_assigned_before_the_first_fit_drives_every_step(device: str) -> None:
    model = _model(device)
    model.optimizer.learning_rate = keras.optimizers.schedules.ExponentialDecay(0.05, 3, 0.5)
    _fit(model, 3)
    assert float(model.optimizer.learning_rate) == 0.012500000186264515
    _assert_weights(model, BEFORE_THE_FIRST_FIT)


@pytest.mark.parametrize("device", DEVICES)
def test_a_python_schedule_assigned_between_fits(device: str) -> None:
    model = _model(device)
    _fit(model, 1)
    model.optimizer.learning_rate = Falling()
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05 / 3, rel=1e-7)
    _fit(model, 2)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05 / 7, rel=1e-7)
    _assert_weights(model, FALLING_AFTER_A_FIT)
    # One schedule replaces another; train_on_batch reads it too.
    model.optimizer.learning_rate = keras.optimizers.schedules.ExponentialDecay(0.05, 3, 0.5)
    before = model.get_weights()
    model.train_on_batch(X[:4], Y[:4])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05 * 0.5 ** (7 / 3), rel=1e-6)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_a_schedule_assigned_from_a_callback_during_fit_is_refused_and_nothing_changes() -> None:
    model = _model("cpu")
    seen: list[BaseException] = []

    class Assign(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            try:
                self.model.optimizer.learning_rate = Falling()
            except RuntimeError as e:
                seen.append(e)

    model.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0, callbacks=[Assign()])
    assert len(seen) == 2 and "setting a learning-rate schedule" in str(seen[0])
    assert "while this model is training" in str(seen[0])
    # The float rate stays, settable as before.
    assert float(model.optimizer.learning_rate) == pytest.approx(0.02)
    model.optimizer.learning_rate = 0.01
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)


def test_a_schedule_replaces_the_one_the_optimizer_was_made_with() -> None:
    model = _model("cpu")
    model.compile(
        optimizer=keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(0.5, 1, 0.5)), loss="mse"
    )
    _fit(model, 1)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.125)
    model.optimizer.learning_rate = keras.optimizers.schedules.PiecewiseConstantDecay([3], [0.1, 0.01])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1)
    _fit(model, 1)
    assert int(model.optimizer.iterations) == 4
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
