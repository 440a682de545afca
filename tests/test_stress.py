"""Load and non-finite training: 8 threads predicting while one trains, repeated fit/predict cycles with
memory checked for growth, and a loss that becomes NaN/inf.

How the concurrent predictions are checked. The model promises that a prediction sees the weights either
before or after a training step, never a torn mix. The training thread records, from
``on_train_batch_end``, the time and a copy of the weights after every step (the loop waits for that
callback before the next step, so step ``k`` is applied after record ``k-1`` and before record ``k``).
A prediction that ran over ``[start, end]`` can therefore only have used a weight set ``k`` with
``t[k-1] < end`` and ``t[k+1] > start``; the test recomputes those candidates' outputs in float64 NumPy and
requires one of them to match. Every prediction is also checked for shape, dtype and finiteness.

``KERAS_LITE_STRESS_SECONDS`` sets how long the threads run (default 5).

A prediction large enough to be split across a thread pool, made while another thread trains, once
deadlocked (a pool worker waiting inside the prediction ran the queued fit, which blocked on the lock beneath
it; training and inference now have separate pools). That case runs in a child process with a watchdog, so
that a regression cannot stall CI.
"""

from __future__ import annotations

import bisect
import gc
import math
import os
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers

SECONDS = float(os.environ.get("KERAS_LITE_STRESS_SECONDS", "5"))
PREDICTORS = 8
# Seconds between the outputs a thread keeps for the exact check (all are checked for shape and finiteness).
KEEP_EVERY = 0.01
TOLERANCE = 1e-4


def forward(weights: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """The Dense(tanh) -> Dense model in float64."""
    k1, b1, k2, b2 = (w.astype(np.float64) for w in weights)
    return np.tanh(x.astype(np.float64) @ k1 + b1) @ k2 + b2


def test_eight_threads_predict_while_one_trains() -> None:
    keras.utils.set_random_seed(5)
    width = 32
    model = keras.Sequential(
        [keras.Input(shape=(width,)), layers.Dense(32, activation="tanh"), layers.Dense(1)]
    )
    # Noisy targets and a large step keep the weights moving for the whole run, so that a torn mix of two
    # steps would not match either of them.
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    rng = np.random.default_rng(0)
    x_train = rng.normal(size=(512, width)).astype(np.float32)
    y_train = (x_train[:, :4].sum(axis=1) + rng.normal(scale=2.0, size=512)).astype(np.float32)
    # Row counts that take two predict paths: GIL held (4) and GIL released (256). Split across the pool
    # (thousands of rows) deadlocks, see test_a_pool_sized_predict_while_training_does_not_deadlock.
    probes = [rng.normal(size=(rows, width)).astype(np.float32) for rows in (4, 256)]

    times: list[float] = [-math.inf]
    weight_sets: list[list[np.ndarray]] = [model.get_weights()]

    def record(batch: int, logs: Any) -> None:
        times.append(time.perf_counter())
        weight_sets.append(model.get_weights())

    recorder = keras.callbacks.LambdaCallback(on_train_batch_end=record)
    stop = threading.Event()
    errors: list[BaseException] = []
    fits = [0]

    def train() -> None:
        try:
            while not stop.is_set():
                model.fit(x_train, y_train, batch_size=16, epochs=1, verbose=0, callbacks=[recorder])
                fits[0] += 1
        except BaseException as exc:  # noqa: B036 - report anything, a PanicException included
            errors.append(exc)

    kept: list[list[tuple[float, float, int, np.ndarray]]] = [[] for _ in range(PREDICTORS)]
    calls = [0] * PREDICTORS

    def predict(i: int) -> None:
        probe_index = i % 2
        probe = probes[probe_index]
        how = [
            lambda: model.predict(probe, verbose=0),
            lambda: model(probe),
            lambda: model.predict_on_batch(probe),
        ]
        try:
            while not stop.is_set():
                start = time.perf_counter()
                out = how[calls[i] % 3]()
                end = time.perf_counter()
                assert out.shape == (probe.shape[0], 1) and out.dtype == np.float32
                assert np.isfinite(out).all()
                if not kept[i] or start - kept[i][-1][0] >= KEEP_EVERY:
                    kept[i].append((start, end, probe_index, out))
                calls[i] += 1
        except BaseException as exc:  # noqa: B036
            errors.append(exc)

    threads_before = threading.active_count()
    # Daemon threads: should one hang, the test fails below instead of keeping the interpreter alive.
    workers = [threading.Thread(target=train, daemon=True)] + [
        threading.Thread(target=predict, args=(i,), daemon=True) for i in range(PREDICTORS)
    ]
    for w in workers:
        w.start()
    time.sleep(SECONDS)
    stop.set()
    for w in workers:
        w.join(timeout=60)
    assert not any(w.is_alive() for w in workers), "a worker did not stop"
    assert threading.active_count() == threads_before
    assert not errors, f"{len(errors)} worker errors, first: {errors[0]!r}"

    steps = len(weight_sets) - 1
    print(f"\n{steps} training steps in {fits[0]} fits; predictions per thread: {calls}")
    assert steps >= 20, "training made almost no progress under load"
    assert min(calls) >= 5, "a predicting thread was starved"
    assert model.optimizer.iterations >= steps

    # Every kept prediction equals the output of a weight set that was live while it ran.
    checked = candidates_total = 0
    for per_thread in kept:
        for start, end, probe_index, out in per_thread:
            newest = min(bisect.bisect_left(times, end), steps)  # t[k-1] < end
            oldest = max(bisect.bisect_right(times, start) - 1, 0)  # t[k+1] > start
            ks = range(oldest, newest + 1)
            candidates_total += len(ks)
            errs = [np.abs(forward(weight_sets[k], probes[probe_index]) - out).max() for k in ks]
            assert errs and min(errs) < TOLERANCE, (
                f"a prediction over [{start:.6f}, {end:.6f}] matches none of the {len(ks)} weight sets live "
                f"then (closest max error {min(errs, default=math.inf):.3g}): a torn read"
            )
            checked += 1
    print(
        f"{checked} predictions matched a live weight set ({candidates_total / max(checked, 1):.1f} candidates each)"
    )
    assert checked >= PREDICTORS * 5
    # The check can tell steps apart: one step moves the outputs by far more than the tolerance.
    moves = [
        np.abs(forward(weight_sets[k], probes[1]) - forward(weight_sets[k + 1], probes[1])).max()
        for k in range(0, steps, max(steps // 50, 1))
    ]
    print(f"one step moves the outputs by {np.median(moves):.3g} (median), tolerance {TOLERANCE}")
    assert np.median(moves) > 10 * TOLERANCE
    # ... and would reject a torn read: the first layer of one step with the second layer of the next.
    k = steps // 2
    torn = forward(weight_sets[k][:2] + weight_sets[k + 1][2:], probes[1])
    assert (
        min(np.abs(forward(weight_sets[j], probes[1]) - torn).max() for j in range(k - 1, k + 3)) > TOLERANCE
    )


# The child trains in one thread and predicts 8192 rows (split across the pool) in four others, and exits
# with 3 as soon as nothing has made progress for 3 s (with the bug, within a few seconds on 2 cores).
_POOL_PREDICT_CHILD = textwrap.dedent(
    """
    import os, sys, threading, time
    import numpy as np
    import keras_lite as keras
    from keras_lite import layers

    rng = np.random.default_rng(0)
    model = keras.Sequential([keras.Input(shape=(32,)), layers.Dense(32, activation="tanh"), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = rng.normal(size=(512, 32)).astype(np.float32)
    probe = rng.normal(size=(8192, 32)).astype(np.float32)
    done = [0, 0]

    def train():
        while True:
            model.fit(x, x[:, 0], batch_size=16, epochs=1, verbose=0)
            done[0] += 1

    def predict():
        while True:
            out = model.predict(probe, verbose=0)
            assert out.shape == (8192, 1) and np.isfinite(out).all()
            done[1] += 1

    for target in (train, predict, predict, predict, predict):
        threading.Thread(target=target, daemon=True).start()
    start, last, seen = time.monotonic(), time.monotonic(), (0, 0)
    while time.monotonic() - start < float(sys.argv[1]):
        time.sleep(0.2)
        if tuple(done) != seen:
            seen, last = tuple(done), time.monotonic()
        elif time.monotonic() - last > 3:
            print(f"stalled: {done[0]} fits and {done[1]} predictions, then no progress for 3 s", flush=True)
            os._exit(3)
    print(f"ok: {done[0]} fits and {done[1]} predictions", flush=True)
    os._exit(0)
    """
)


def test_a_pool_sized_predict_while_training_does_not_deadlock() -> None:
    seconds = max(4 * SECONDS, 20.0)  # only a fixed build runs the whole window
    proc = subprocess.run(
        [sys.executable, "-c", _POOL_PREDICT_CHILD, str(seconds)],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    print(proc.stdout, proc.stderr[-2000:])
    assert proc.returncode == 0, proc.stdout or proc.stderr[-2000:]


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc")
def test_repeated_fit_predict_cycles_do_not_grow_memory() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 8)).astype(np.float32)
    y = x[:, :2].sum(axis=1)
    kept = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(16, activation="relu"), layers.Dense(1)])
    kept.compile(optimizer="adam", loss="mse", metrics=["mae"])

    def cycle() -> None:
        model = keras.Sequential(
            [
                keras.Input(shape=(8,)),
                layers.Dense(16, activation="relu"),
                layers.Dropout(0.1),
                layers.Dense(1),
            ]
        )
        model.compile(optimizer="rmsprop", loss="mae", metrics=["mse"])
        model.fit(x, y, batch_size=32, epochs=1, verbose=0, validation_split=0.2)
        assert model.predict(x, verbose=0).shape == (256, 1)
        model.evaluate(x, y, verbose=0)
        model.set_weights(model.get_weights())
        for bad in (lambda: model.fit(x[:, :3], y, verbose=0), lambda: model.predict(np.full((2, 8), "a"))):
            with pytest.raises((ValueError, TypeError)):
                bad()
        kept.fit(x, y, batch_size=64, epochs=1, verbose=0)
        kept.predict(x, verbose=0)
        kept(x[:7])

    warm_up, cycles = 20, 200
    for _ in range(warm_up):
        cycle()
    gc.collect()
    start = rss_mb()
    samples = []
    for i in range(cycles):
        cycle()
        if i % 50 == 49:
            gc.collect()
            samples.append(rss_mb())
    growth = samples[-1] - start
    print(
        f"\nRSS after {warm_up} warm-up cycles: {start:.1f} MB; every 50 cycles: {samples}; growth {growth:+.1f} MB"
    )
    assert growth < 20, f"RSS grew by {growth:.1f} MB over {cycles} fit/predict cycles"


# --- non-finite training -------------------------------------------------------------------------------

_rng = np.random.default_rng(2)
XN = _rng.normal(size=(256, 4)).astype(np.float32)
YN = (XN.sum(axis=1) * 1e4).astype(np.float32)  # large targets: squared errors near 1e9


def diverging_model() -> keras.Sequential:
    """mse on large targets with SGD at learning_rate=10: the weights overflow within two epochs."""
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=10.0), loss="mse")
    return model


def test_a_diverging_loss_is_reported_as_non_finite_in_the_history() -> None:
    model = diverging_model()
    history = model.fit(XN, YN, batch_size=32, epochs=6, verbose=0, validation_data=(XN[:32], YN[:32]))
    loss, val_loss = history.history["loss"], history.history["val_loss"]
    print(f"\nloss per epoch: {loss}")
    assert len(loss) == 6  # nothing stops training by itself
    assert math.isfinite(loss[0])
    assert not math.isfinite(loss[-1]) and not math.isfinite(val_loss[-1])
    assert any(math.isnan(v) for v in loss) or any(math.isinf(v) for v in loss)
    assert not np.isfinite(model.predict(XN[:4], verbose=0)).all()


def test_terminate_on_nan_stops_at_the_first_non_finite_batch(capsys: pytest.CaptureFixture[str]) -> None:
    model = diverging_model()
    batch_losses: list[float] = []
    seen = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: batch_losses.append(logs["loss"])
    )
    history = model.fit(
        XN, YN, batch_size=32, epochs=50, verbose=0, callbacks=[seen, keras.callbacks.TerminateOnNaN()]
    )
    first_bad = next(i for i, v in enumerate(batch_losses) if not math.isfinite(v))
    assert len(batch_losses) == first_bad + 1, "training went on after a non-finite batch loss"
    assert model.optimizer.iterations == first_bad + 1
    assert len(history.epoch) < 50 and not math.isfinite(history.history["loss"][-1])
    assert "Invalid loss, terminating training" in capsys.readouterr().out


def test_terminate_on_nan_raise_error_and_the_model_recovers() -> None:
    model = diverging_model()
    initial = model.get_weights()
    threads = threading.active_count()
    with pytest.raises(RuntimeError, match="NaN or Inf loss"):
        model.fit(
            XN,
            YN,
            batch_size=32,
            epochs=50,
            verbose=0,
            callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)],
        )
    assert threading.active_count() == threads
    # Usable again: finite weights back in, a sane optimizer, and training is finite.
    model.set_weights(initial)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-3), loss="mse")
    history = model.fit(XN, YN / 1e4, batch_size=32, epochs=2, verbose=0)
    assert all(math.isfinite(v) for v in history.history["loss"])
    assert np.isfinite(model.predict(XN, verbose=0)).all()
