"""Learning-rate schedules (keras.optimizers.schedules): Keras 3.15's rates, training with them on every
device, ``optimizer.learning_rate`` with one, configs and saved files."""

from __future__ import annotations

import math
import os
import pickle
import warnings

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers

S = keras.optimizers.schedules

from test_device import DEVICES  # noqa: E402

STEPS = [0, 1, 5, 10, 15, 20, 30]
# Keras 3.15's rates at STEPS.
GOLDENS = [
    (S.ExponentialDecay(0.1, 10, 0.5), [0.1, 0.093303, 0.070711, 0.05, 0.035355, 0.025, 0.0125]),
    (S.ExponentialDecay(0.1, 10, 0.5, staircase=True), [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]),
    (S.InverseTimeDecay(0.1, 10, 0.5), [0.1, 0.095238, 0.08, 0.066667, 0.057143, 0.05, 0.04]),
    (S.InverseTimeDecay(0.1, 10, 0.5, staircase=True), [0.1, 0.1, 0.1, 0.066667, 0.066667, 0.05, 0.04]),
    (S.PiecewiseConstantDecay([5, 15], [1.0, 0.5, 0.1]), [1, 1, 1, 0.5, 0.5, 0.1, 0.1]),
    (S.PolynomialDecay(0.1, 20), [0.1, 0.095005, 0.075025, 0.05005, 0.025075, 0.0001, 0.0001]),
    (S.PolynomialDecay(0.1, 20, 0.01, power=2), [0.1, 0.091225, 0.060625, 0.0325, 0.015625, 0.01, 0.01]),
    (S.PolynomialDecay(0.1, 10, 0.01, cycle=True), [0.1, 0.091, 0.055, 0.01, 0.0325, 0.01, 0.01]),
    (S.CosineDecay(0.1, 20), [0.1, 0.099384, 0.085355, 0.05, 0.014645, 0, 0]),
    (S.CosineDecay(0.1, 20, alpha=0.1), [0.1, 0.099446, 0.08682, 0.055, 0.02318, 0.01, 0.01]),
    (S.CosineDecay(0.0, 20, warmup_target=0.1, warmup_steps=10), [0, 0.01, 0.05, 0.1, 0.085355, 0.05, 0]),
    (S.CosineDecayRestarts(0.1, 10), [0.1, 0.097553, 0.05, 0.1, 0.085355, 0.05, 0.1]),
    (S.CosineDecayRestarts(0.1, 10, t_mul=1, m_mul=0.5), [0.1, 0.097553, 0.05, 0.05, 0.025, 0.025, 0.0125]),
]
IDS = [f"{type(s).__name__}-{i}" for i, (s, _) in enumerate(GOLDENS)]


@pytest.mark.parametrize("schedule, want", GOLDENS, ids=IDS)
def test_schedules_give_keras_rates(schedule, want):
    got = [schedule(step) for step in STEPS]
    assert all(isinstance(g, np.float32) for g in got)
    np.testing.assert_allclose(got, want, atol=1e-6)
    assert schedule(np.int64(5)) == schedule(np.array(5)) == schedule(5.0) == got[2]


@pytest.mark.parametrize("schedule, want", GOLDENS, ids=IDS)
def test_config_and_serialize_round_trip(schedule, want):
    cfg = schedule.get_config()
    again = type(schedule).from_config(cfg)
    assert again.get_config() == cfg
    ser = S.serialize(schedule)
    assert ser == {
        "module": "keras.optimizers.schedules",
        "class_name": type(schedule).__name__,
        "config": cfg,
        "registered_name": None,
    }
    back = S.deserialize(ser)
    assert type(back) is type(schedule) and back.get_config() == cfg
    np.testing.assert_allclose([back(s) for s in STEPS], want, atol=1e-6)


def test_constructor_arguments_as_keras():
    assert S.ExponentialDecay(0.1, 10, 0.5).get_config() == {
        "initial_learning_rate": 0.1,
        "decay_steps": 10,
        "decay_rate": 0.5,
        "staircase": False,
        "name": "ExponentialDecay",
    }
    assert S.PiecewiseConstantDecay([1], [1.0, 0.5]).get_config()["name"] == "PiecewiseConstant"
    assert S.CosineDecayRestarts(0.1, 10).get_config() == {
        "initial_learning_rate": 0.1,
        "first_decay_steps": 10,
        "t_mul": 2.0,
        "m_mul": 1.0,
        "alpha": 0.0,
        "name": "SGDRDecay",
    }
    for make in (
        lambda: S.ExponentialDecay(0.1, 0, 0.5),
        lambda: S.InverseTimeDecay(0.1, -1, 0.5),
        lambda: S.PolynomialDecay(0.1, 0),
        lambda: S.CosineDecay(0.1, 0),
    ):
        with pytest.raises(ValueError, match=r"`decay_steps` must be > 0"):
            make()
    with pytest.raises(ValueError, match=r"`first_decay_steps` must be > 0"):
        S.CosineDecayRestarts(0.1, 0)
    with pytest.raises(ValueError, match=r"length of boundaries should be 1 less"):
        S.PiecewiseConstantDecay([1, 2], [1.0, 0.5])
    with pytest.raises(ValueError, match=r"step"):
        S.ExponentialDecay(0.1, 10, 0.5)(-1)
    with pytest.raises(ValueError, match=r"Unknown learning-rate schedule"):
        S.deserialize({"class_name": "WarmUp", "config": {}})


def _sgd_fit(schedule, device="cpu", epochs=3, batch_size=8, rows=40):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(rows, 4)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5], [0.0]], np.float32) + 0.3).astype(np.float32)
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(1)], device=device)
    w0, b0 = (v.astype(np.float32) for v in model.get_weights())
    opt = keras.optimizers.SGD(learning_rate=schedule)
    model.compile(optimizer=opt, loss="mse")
    model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    # NumPy: batch k (over all epochs) uses the schedule's rate at step k.
    w, b, k = w0.copy(), b0.copy(), 0
    for _ in range(epochs):
        for i in range(0, rows, batch_size):
            xb, yb = x[i : i + batch_size], y[i : i + batch_size]
            err = xb @ w + b - yb
            gw = (2.0 / err.size) * xb.T @ err
            gb = (2.0 / err.size) * err.sum(axis=0)
            lr = np.float32(schedule(k))
            w, b, k = (w - lr * gw).astype(np.float32), (b - lr * gb).astype(np.float32), k + 1
    return model, opt, (w, b), k


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    "schedule",
    [
        S.PiecewiseConstantDecay([4, 9], [0.1, 0.03, 0.01]),
        S.ExponentialDecay(0.1, 5, 0.5),
        S.CosineDecay(0.0, 8, alpha=0.1, warmup_target=0.1, warmup_steps=4),
        S.CosineDecayRestarts(0.1, 3, t_mul=2.0, m_mul=0.7),
    ],
    ids=lambda s: type(s).__name__,
)
def test_fit_uses_the_rate_of_each_step(device, schedule):
    model, opt, (w, b), steps = _sgd_fit(schedule, device)
    got_w, got_b = model.get_weights()
    np.testing.assert_allclose(got_w, w, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got_b, b, rtol=1e-4, atol=1e-5)
    # After fit, learning_rate is the next step's rate.
    assert opt.iterations == steps == 15
    assert float(opt.learning_rate) == float(schedule(steps))
    assert np.float32(opt.learning_rate) == schedule(steps)


def test_step_zero_uses_step_zero_rate():
    # Keras: PiecewiseConstantDecay([0], [1.0, 0.1]) with SGD, w = 1, gradient 2: w = -1 after one step.
    model = keras.Sequential([keras.Input(shape=(1,)), layers.Dense(1, use_bias=False)])
    model.set_weights([np.ones((1, 1), np.float32)])
    opt = keras.optimizers.SGD(S.PiecewiseConstantDecay([0], [1.0, 0.1]))
    assert float(opt.learning_rate) == 1.0
    model.compile(optimizer=opt, loss="mae")  # d|2w + 10|/dw = 2 at w = 1
    model.fit(np.array([[2.0]], np.float32), np.array([[-10.0]], np.float32), epochs=1, verbose=0)
    assert model.get_weights()[0][0, 0] == -1.0
    assert math.isclose(float(opt.learning_rate), 0.1, rel_tol=1e-6)


def test_learning_rate_is_not_settable_with_a_schedule():
    opt = keras.optimizers.Adam(S.ExponentialDecay(0.01, 10, 0.9))
    message = (
        "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` constructor "
        "argument, hence its learning rate is not settable. If you need the learning rate to be settable, you "
        "should instantiate the optimizer with a float `learning_rate` argument."
    )
    with pytest.raises(TypeError) as info:
        opt.learning_rate = 0.1
    assert str(info.value) == message
    with pytest.raises(TypeError):
        opt.learning_rate.assign(0.1)
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)])
    model.compile(optimizer=opt, loss="mse")
    with pytest.raises(TypeError):
        opt.learning_rate = 0.1
    assert np.float32(opt.learning_rate) == np.float32(0.01)
    assert opt.get_config()["learning_rate"] == S.serialize(opt._schedule)


@pytest.mark.parametrize("device", DEVICES)
def test_a_bad_rate_is_refused_before_training(device):
    # The rate turns negative at step 7 (the second epoch): the fit is refused before any step, naming the
    # schedule and the step, and the model is unchanged.
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)], device=device)
    model.compile(optimizer=keras.optimizers.SGD(S.PiecewiseConstantDecay([6], [0.1, -0.1])), loss="mse")
    before = model.get_weights()
    x, y = np.ones((20, 2), np.float32), np.zeros((20, 1), np.float32)
    with pytest.raises(ValueError, match=r"PiecewiseConstantDecay.*learning_rate=-0\.1 at step 7"):
        model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.optimizer.iterations == 0
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)  # steps 0..4 are fine
    assert model.optimizer.iterations == 5


def test_keras_file_round_trip(tmp_path):
    schedule = S.CosineDecay(0.05, 30, alpha=0.1, warmup_target=0.1, warmup_steps=5)
    model, opt, _, _ = _sgd_fit(schedule)
    model.save(tmp_path / "m.keras")
    back = keras.models.load_model(tmp_path / "m.keras")
    assert type(back.optimizer._schedule) is S.CosineDecay
    assert back.optimizer._schedule.get_config() == schedule.get_config()
    assert back.optimizer.iterations == opt.iterations == 15
    assert float(back.optimizer.learning_rate) == float(opt.learning_rate)
    for a, b in zip(model.get_weights(), back.get_weights()):
        np.testing.assert_array_equal(a, b)
    # Both continue identically.
    x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(8, 4)
    y = x.sum(axis=1, keepdims=True)
    model.fit(x, y, epochs=2, verbose=0, shuffle=False)
    back.fit(x, y, epochs=2, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), back.get_weights()):
        np.testing.assert_array_equal(a, b)
    twin = pickle.loads(pickle.dumps(back))
    assert twin.optimizer._schedule.get_config() == schedule.get_config()


FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "inference_only", "lr_schedule.keras")


def test_a_keras_file_with_a_schedule_loads_compiled():
    # Written by Keras 3.15 (Adam with ExponentialDecay, trained 2 epochs): the optimizer's variables are the
    # step count and the slots, with no learning-rate variable.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = keras.models.load_model(FIXTURE)
    sched = model.optimizer._schedule
    assert isinstance(sched, S.ExponentialDecay) and sched.get_config()["decay_steps"] == 100
    steps = model.optimizer.iterations
    assert steps > 0
    assert math.isclose(float(model.optimizer.learning_rate), 0.01 * 0.9 ** (steps / 100), rel_tol=1e-6)
    _, slots = model._core_network().optimizer_state()
    assert any(np.any(v != 0) for _, _, v in slots)
    x = np.load(FIXTURE.replace(".keras", ".x.npy"))
    want = np.load(FIXTURE.replace(".keras", ".pred.npy"))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6)
    model.fit(x, want, epochs=1, verbose=0)  # and trains on from the file's step count
    assert model.optimizer.iterations > steps


def test_fractional_steps_as_keras_computes_them():
    # Keras 3.15.1 calls its schedules on any float step (TensorFlow's "Overfit and underfit" plots one on
    # np.linspace(0, 100000)); these are its rates, rounded to 7 decimals as printed.
    cases = [
        (
            S.InverseTimeDecay(0.001, 20_000, 1),
            np.linspace(0, 100000, 5),
            [0.001, 0.0004444, 0.0002857, 0.0002105, 0.0001667],
        ),
        (S.InverseTimeDecay(0.001, 20_000, 1), 1500.5, 0.0009302),
        (S.ExponentialDecay(0.1, 100, 0.5), 1500.5, 3e-06),
        (S.CosineDecay(0.1, 1000), 1500.5, 0.0),
        (S.PiecewiseConstantDecay([100, 200], [0.1, 0.01, 0.001]), 1500.5, 0.001),
        (S.PiecewiseConstantDecay([100, 200], [0.1, 0.01, 0.001]), 100.5, 0.01),
        (S.ExponentialDecay(0.1, 100, 0.5), np.float32(3.0), 0.097942),
    ]
    for schedule, step, want in cases:
        np.testing.assert_allclose(np.round(np.asarray(schedule(step)), 7), want, rtol=1e-6, atol=1e-7)
    for bad in (-0.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="non-negative finite number"):
            S.ExponentialDecay(0.1, 100, 0.5)(bad)
