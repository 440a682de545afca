"""Learning-rate schedules written in Python (``LearningRateSchedule`` subclasses): trained with on every device
and every kind of data as Keras 3.15 trains with them, called once per step with that step, refused clearly
when they return something that is not a rate, and saved, loaded, pickled and cloned with their class."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers

S = keras.optimizers.schedules

from test_device import DEVICES  # noqa: E402
from test_schedules import _sgd_fit  # noqa: E402

HERE = os.path.dirname(__file__)
FIXTURE = os.path.join(HERE, "fixtures", "custom_schedule", "warmup")


class Warmup(S.LearningRateSchedule):
    """The fixture's schedule, in plain Python: a linear warmup, then 0.8 times lower every 5 steps."""

    def __init__(self, peak, warmup_steps):
        self.peak, self.warmup_steps = peak, warmup_steps

    def __call__(self, step):
        s = np.float32(step)
        ramp = np.minimum(np.float32(1.0), (s + np.float32(1.0)) / np.float32(self.warmup_steps))
        return np.float32(self.peak) * ramp * np.power(np.float32(0.8), np.floor(s / np.float32(5.0)))

    def get_config(self):
        return {"peak": self.peak, "warmup_steps": self.warmup_steps}


class Recording(S.LearningRateSchedule):
    """``rates[step]`` (the last rate past the end), noting each step it is called with."""

    def __init__(self, rates):
        self.rates, self.calls = list(rates), []

    def __call__(self, step):
        self.calls.append(step)
        return self.rates[min(int(step), len(self.rates) - 1)]

    def get_config(self):
        return {"rates": self.rates}


def _golden():
    with open(FIXTURE + ".json") as f:
        return json.load(f)


def _model(device="cpu", weights=None):
    model = keras.Sequential(
        [keras.Input((3,)), layers.Dense(4, activation="tanh"), layers.Dense(1)], device=device
    )
    if weights is not None:
        model.set_weights([np.asarray(w, np.float32) for w in weights])
    return model


@pytest.mark.parametrize("device", DEVICES)
def test_trains_as_keras_does(device):
    # Keras 3.15: Adam with the same schedule written with keras.ops, from the same weights.
    g = _golden()
    x, y = np.asarray(g["x"], np.float32), np.asarray(g["y"], np.float32)
    model = _model(device, g["w0"])
    model.compile(optimizer=keras.optimizers.Adam(Warmup(0.05, 6)), loss="mse")
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False)
    np.testing.assert_allclose(history.history["loss"], g["loss"], rtol=2e-5)
    assert model.optimizer.iterations == g["iterations"] == 15
    # After fit, learning_rate is the next step's rate, as in Keras.
    assert np.float32(model.optimizer.learning_rate) == np.float32(g["learning_rate"])


@pytest.mark.parametrize("device", DEVICES)
def test_each_step_uses_the_rate_at_its_step(device):
    schedule = Recording([0.1, 0.05, 0.2, 0.01, 0.03, 0.08, 0.0, 0.04, 0.06, 0.02, 0.07, 0.09, 0.015, 0.025])
    model, opt, (w, b), steps = _sgd_fit(schedule, device)  # NumPy's SGD with schedule(k) at batch k
    got_w, got_b = model.get_weights()
    np.testing.assert_allclose(got_w, w, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got_b, b, rtol=1e-4, atol=1e-5)
    # The fit called it once per step, in order, before any step ran (the reference's calls come after).
    fit_calls = schedule.calls[:steps]
    assert fit_calls == list(range(steps)) and steps == 15
    assert all(hasattr(s, "numpy") and s.numpy().dtype == np.int64 for s in fit_calls)


def _data():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(48, 3)).astype(np.float32)
    return x, (x @ np.array([[0.5], [1.0], [-1.0]], np.float32)).astype(np.float32)


def _batches(x, y, epochs):
    for _ in range(epochs):
        for i in range(0, len(x), 16):
            yield x[i : i + 16], y[i : i + 16]


class _Batches(keras.utils.PyDataset):
    def __init__(self, x, y):
        super().__init__()
        self.x, self.y = x, y

    def __len__(self):
        return 3

    def __getitem__(self, i):
        return self.x[i * 16 : (i + 1) * 16], self.y[i * 16 : (i + 1) * 16]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("data", ["generator", "generator with steps_per_epoch", "PyDataset"])
def test_streamed_data_runs_the_same_steps(device, data):
    x, y = _data()

    def fit(how):
        keras.utils.set_random_seed(3)
        model = _model(device)
        schedule = Warmup(0.05, 4)
        model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse")
        if how == "arrays":
            history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False)
        elif how == "generator":  # one pass of unknown length: a single epoch
            history = model.fit(_batches(x, y, 3), epochs=1, verbose=0)
        elif how == "generator with steps_per_epoch":
            history = model.fit(_batches(x, y, 3), epochs=3, steps_per_epoch=3, verbose=0)
        else:
            history = model.fit(_Batches(x, y), epochs=3, verbose=0, shuffle=False)
        return model, history

    want, _ = fit("arrays")
    got, _ = fit(data)
    # Keras 3.15.1 counts one step more where a generator runs out (a step that changes no weight).
    assert got.optimizer.iterations == (10 if data == "generator" else 9)
    for a, b in zip(want.get_weights(), got.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)


def test_fits_continue_the_step_count():
    # Two fits (the second from initial_epoch=2) train as one fit of 4 epochs, the schedule called at each step
    # once; train_on_batch takes the next step's rate too.
    x, y = _data()
    rates = np.linspace(0.05, 0.001, 20).tolist()

    def model_with(schedule):
        keras.utils.set_random_seed(4)
        model = _model()
        model.compile(optimizer=keras.optimizers.SGD(schedule), loss="mse")
        return model

    one, split = Recording(rates), Recording(rates)
    a, b = model_with(one), model_with(split)
    a.fit(x, y, batch_size=16, epochs=4, verbose=0, shuffle=False)
    a.train_on_batch(x[:8], y[:8])
    b.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    b.fit(x, y, batch_size=16, epochs=4, initial_epoch=2, verbose=0, shuffle=False)
    b.train_on_batch(x[:8], y[:8])
    assert one.calls == split.calls == list(range(13))
    for p, q in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize(
    "result, error, match",
    [
        (
            "0.1",
            TypeError,
            r"schedule Bad must return a number from __call__\(step\)\. Received: str '0\.1' at step 5",
        ),
        (np.ones(2), TypeError, r"Bad must return a number.*ndarray.*at step 5"),
        (True, TypeError, r"Bad must return a number.*bool True at step 5"),
        (-0.5, ValueError, r"schedule Bad gives learning_rate=-0\.5 at step 5; a learning rate must be"),
        (float("nan"), ValueError, r"Bad gives learning_rate=nan at step 5"),
        (1e39, ValueError, r"Bad gives learning_rate=inf at step 5"),
    ],
    ids=["str", "array", "bool", "negative", "nan", "overflow"],
)
def test_a_bad_rate_is_refused_before_training(result, error, match):
    class Bad(S.LearningRateSchedule):
        def __call__(self, step):
            return 0.01 if step < 5 else result

    model = _model()
    model.compile(optimizer=keras.optimizers.SGD(Bad()), loss="mse")
    before = model.get_weights()
    x, y = _data()
    with pytest.raises(error, match=match):
        model.fit(x, y, batch_size=16, epochs=2, verbose=0)  # step 5 is in the second epoch
    assert model.optimizer.iterations == 0
    for p, q in zip(before, model.get_weights()):
        np.testing.assert_array_equal(p, q)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)  # steps 0..2 are fine
    assert model.optimizer.iterations == 3


class _Boom(Exception):
    pass


class _Failing(S.LearningRateSchedule):
    def __call__(self, step):
        if step == 4:
            raise _Boom("no rate at step 4")
        return 0.01


@pytest.mark.parametrize("device", DEVICES)
def test_the_schedules_own_error_reaches_the_caller(device):
    x, y = _data()
    model = _model(device)
    model.compile(optimizer=keras.optimizers.SGD(_Failing()), loss="mse")
    with pytest.raises(_Boom, match="no rate at step 4"):
        model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert model.optimizer.iterations == 0  # in memory: every rate is known before the first step
    # Streamed, each step's rate is evaluated as its batch is read: the steps before the failing one ran.
    with pytest.raises(_Boom, match="no rate at step 4"):
        model.fit(_batches(x, y, 2), epochs=2, steps_per_epoch=3, verbose=0)
    assert model.optimizer.iterations == 4


def test_a_subclass_without_call_raises_keras_error_when_training():
    class Incomplete(S.LearningRateSchedule):
        pass

    model = _model()
    model.compile(optimizer=keras.optimizers.Adam(Incomplete()), loss="mse")
    with pytest.raises(NotImplementedError, match="'Incomplete' must override `__call__"):
        model.fit(*_data(), verbose=0)


def test_a_function_as_learning_rate_is_refused_with_the_way_to_do_it():
    with pytest.raises(
        keras.NotSupportedError, match=r"subclass LearningRateSchedule.*Received: learning_rate="
    ):
        keras.optimizers.Adam(learning_rate=lambda: 0.01)


def test_learning_rate_reads_the_schedule_and_cannot_be_set():
    schedule = Warmup(0.05, 6)
    opt = keras.optimizers.Adam(schedule)
    assert np.float32(opt.learning_rate) == schedule(0)
    model = _model()
    model.compile(optimizer=opt, loss="mse")
    model.fit(*_data(), batch_size=16, epochs=2, verbose=0)
    assert np.float32(opt.learning_rate) == schedule(6)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1
    with pytest.raises(TypeError, match="not settable"):
        reduce = keras.callbacks.ReduceLROnPlateau(
            monitor="loss", patience=0, min_delta=1e9
        )  # reduces at once
        model.fit(*_data(), epochs=2, verbose=0, callbacks=[reduce])
    assert opt.get_config()["learning_rate"] == {
        "module": __name__,
        "class_name": "Warmup",
        "config": {"peak": 0.05, "warmup_steps": 6},
        "registered_name": "Warmup",
    }


def test_a_class_of_the_running_script_is_written_with_no_module():
    # Keras writes module null for a class defined in __main__.
    class Script(Warmup):
        pass

    Script.__module__ = "__main__"
    assert S.serialize(Script(0.1, 2))["module"] is None


def test_a_keras_file_loads_with_custom_objects_and_trains_on_as_keras():
    g = _golden()
    with pytest.raises(
        ValueError, match=r"schedule Warmup.*not a built-in.*custom_objects=\{'Warmup': \.\.\.\}"
    ):
        keras.models.load_model(FIXTURE + ".keras")
    # Keras 3.15.1's model loaded with compile=False has no `optimizer` attribute.
    assert not hasattr(keras.models.load_model(FIXTURE + ".keras", compile=False), "optimizer")
    model = keras.models.load_model(FIXTURE + ".keras", custom_objects={"Warmup": Warmup})
    schedule = model.optimizer._schedule
    assert type(schedule) is Warmup and schedule.get_config() == {"peak": 0.05, "warmup_steps": 6}
    assert model.optimizer.iterations == g["iterations"]
    x, y = np.asarray(g["x"], np.float32), np.asarray(g["y"], np.float32)
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(history.history["loss"][0], g["resume_loss"], rtol=2e-5)
    for got, want in zip(model.get_weights(), g["resume_weights"]):
        np.testing.assert_allclose(got, np.asarray(want, np.float32), rtol=1e-4, atol=1e-6)


def _trained():
    model = _model()
    model.compile(optimizer=keras.optimizers.Adam(Warmup(0.05, 6)), loss="mse")
    model.fit(*_data(), batch_size=16, epochs=2, verbose=0, shuffle=False)
    return model


def _same_after_one_more_epoch(first, *others):
    for m in others:
        assert type(m.optimizer._schedule) is Warmup and m.optimizer.iterations == first.optimizer.iterations
    for m in (first, *others):
        m.fit(*_data(), batch_size=16, epochs=1, verbose=0, shuffle=False)
    for m in others:
        for p, q in zip(first.get_weights(), m.get_weights()):
            np.testing.assert_array_equal(p, q)


def test_save_load_and_pickle_keep_the_schedule(tmp_path):
    model = _trained()
    model.save(tmp_path / "m.keras")
    back = keras.models.load_model(tmp_path / "m.keras", custom_objects={"Warmup": Warmup})
    twin = pickle.loads(pickle.dumps(model))
    _same_after_one_more_epoch(model, back, twin)
    clone = keras.models.clone_model(model)  # new weights, compiled as the model was: a new optimizer
    assert type(clone.optimizer._schedule) is Warmup and clone.optimizer.iterations == 0
    clone.fit(*_data(), verbose=0)


def test_a_schedule_may_read_the_model_during_a_streamed_fit():
    # The schedule runs on the thread reading the batches while the core trains: reading the model there (its
    # step count, a prediction) must not wait on the running step forever.
    x, y = _data()
    model = _model()

    class Reading(S.LearningRateSchedule):
        def __call__(self, step):
            model.predict(x[:2], verbose=0)
            return 0.01 * (1 + int(model.optimizer.iterations) % 2)

    model.compile(optimizer=keras.optimizers.SGD(Reading()), loss="mse")
    done = []
    thread = threading.Thread(
        target=lambda: done.append(model.fit(_batches(x, y, 3), epochs=3, steps_per_epoch=3, verbose=0)),
        daemon=True,
    )
    thread.start()
    thread.join(120)
    assert done and model.optimizer.iterations == 9


_KERAS_SIDE = """
import os, sys, numpy as np
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import keras
from keras import ops

class Warmup(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, peak, warmup_steps):
        self.peak, self.warmup_steps = peak, warmup_steps
    def __call__(self, step):
        s = ops.cast(step, "float32")
        return self.peak * ops.minimum(1.0, (s + 1.0) / self.warmup_steps) * ops.power(0.8, ops.floor(s / 5.0))
    def get_config(self):
        return {"peak": self.peak, "warmup_steps": self.warmup_steps}

folder = sys.argv[1]
model = keras.models.load_model(os.path.join(folder, "m.keras"), custom_objects={"Warmup": Warmup})
data = np.load(os.path.join(folder, "data.npz"))
model.fit(data["x"], data["y"], batch_size=16, epochs=1, verbose=0, shuffle=False)
np.savez(os.path.join(folder, "out.npz"), it=int(model.optimizer.iterations), *model.get_weights())
"""


def test_keras_loads_the_file_and_trains_on_alike(tmp_path):
    pytest.importorskip("keras")  # the real Keras 3 (not installed on CI)
    model = _trained()
    model.save(tmp_path / "m.keras")
    x, y = _data()
    np.savez(tmp_path / "data.npz", x=x, y=y)
    script = tmp_path / "keras_side.py"
    script.write_text(textwrap.dedent(_KERAS_SIDE))
    run = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-3000:]
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    out = np.load(tmp_path / "out.npz")
    assert int(out["it"]) == model.optimizer.iterations == 9
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(out[f"arr_{i}"], w, rtol=1e-4, atol=1e-6)


def test_a_built_in_schedule_with_its_own_call_is_evaluated_in_python():
    # Subclassing ExponentialDecay and overriding __call__ makes it the user's schedule: the core must not run
    # the built-in formula in its place.
    class Doubled(S.ExponentialDecay):
        def __call__(self, step):
            return 2 * super().__call__(step)

    schedule = Doubled(0.05, 4, 0.5)
    model, _, (w, b), _ = _sgd_fit(schedule)
    got_w, got_b = model.get_weights()
    np.testing.assert_allclose(got_w, w, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got_b, b, rtol=1e-4, atol=1e-5)
