"""Inference in a service: predictions from many threads at once, predicting while another thread trains, and
no memory growth over a million one-row calls. (Throughput is measured by bench/threads.py, not asserted here.)
"""

from __future__ import annotations

import os
import sys
import threading
import time

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers

# Rows x multiply-adds below 2**14 run with the GIL held, larger ones release it, and from 2**23 a call is
# split across the pool (rust/py/network.rs, rust/model.rs): the inputs below take all three paths.
ROWS = (1, 7, 300, 5000)


def _model(features=16, units=(128, 128, 1), bn=False):
    stack = [keras.Input(shape=(features,)), layers.Dense(units[0], activation="tanh")]
    stack += [layers.BatchNormalization()] if bn else []
    stack += [layers.Dense(u, activation="tanh") for u in units[1:-1]] + [layers.Dense(units[-1])]
    return keras.Sequential(stack)


def _run_threads(target, n):
    errors = []

    def wrapped(i):
        try:
            target(i)
        except BaseException as e:  # reported by the test, not lost in the thread
            errors.append(e)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a predicting thread hung"
    if errors:
        raise errors[0]


def test_many_threads_predict_the_same_as_one():
    model = _model()
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((n, 16), dtype=np.float32) for n in ROWS]
    expected = [model.predict(x, verbose=0) for x in inputs]
    calls = [
        lambda x: model.predict(x, verbose=0),
        lambda x: model(x),
        lambda x: model.predict_on_batch(x),
    ]

    def work(i):
        for k in range(60):
            j = (i + k) % len(inputs)
            out = calls[k % 3](inputs[j])
            np.testing.assert_array_equal(out, expected[j])

    _run_threads(work, 8)


def test_wide_one_row_predictions_split_across_threads_agree_from_many_threads():
    # Rows of up to 4 through 512-wide layers: each large layer's columns are split between the calling
    # thread and the thread team when it is free (rust/gemv.rs), on the calling thread otherwise. Every
    # thread must get the same numbers as a lone caller, and those must match NumPy.
    model = _model(features=11, units=(512, 512, 1))
    weights = model.get_weights()
    rng = np.random.default_rng(1)
    inputs = [rng.standard_normal((n, 11), dtype=np.float32) for n in (1, 2, 4)]
    expected = [model.predict(x, verbose=0) for x in inputs]
    for x, want in zip(inputs, expected):
        h = np.tanh(x @ weights[0] + weights[1])
        h = np.tanh(h @ weights[2] + weights[3])
        np.testing.assert_allclose(want, h @ weights[4] + weights[5], rtol=1e-5, atol=1e-5)

    def work(i):
        for k in range(200):
            j = (i + k) % len(inputs)
            out = model(inputs[j]) if k % 2 else model.predict(inputs[j], verbose=0)
            np.testing.assert_array_equal(out, expected[j])

    _run_threads(work, 8)


def test_predicting_while_training_sees_whole_steps():
    """Each prediction made while another thread trains equals the model's output for the weights before or
    after some training step: never a mix of two steps' weights (a torn read)."""
    model = _model(features=8, units=(16, 8, 1), bn=True)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="mse")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1600, 8), dtype=np.float32)
    y = np.sin(x.sum(axis=1, keepdims=True)).astype(np.float32)
    probes = [rng.standard_normal((n, 8), dtype=np.float32) for n in (1, 64, 2500)]
    snapshots = [model.get_weights()]

    class Snapshot(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            # The loop waits for this hook with no lock held, so these are exactly one step's weights.
            snapshots.append(self.model.get_weights())

    seen: list[tuple[int, bytes]] = []
    done = threading.Event()

    def predict(i):
        calls = (lambda p: model.predict(p, verbose=0), model, model.predict_on_batch)
        k = 0
        while not done.is_set():
            j = (i + k) % len(probes)
            out = calls[k % 3](probes[j])
            assert out.shape == (len(probes[j]), 1) and np.isfinite(out).all()
            seen.append((j, out.tobytes()))
            k += 1

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)  # let the predicting threads and the training loop's hooks interleave finely
    try:
        threads = [threading.Thread(target=predict, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        try:
            model.fit(x, y, batch_size=16, epochs=3, shuffle=True, verbose=0, callbacks=[Snapshot()])
        finally:
            done.set()
            for t in threads:
                t.join(timeout=60)
    finally:
        sys.setswitchinterval(old)
    assert len(snapshots) == 1 + 3 * 100  # every step was observed
    reference = _model(features=8, units=(16, 8, 1), bn=True)
    outputs: dict[tuple[int, bytes], int] = {}
    for s, weights in enumerate(snapshots):
        reference.set_weights(weights)
        for j, p in enumerate(probes):
            outputs.setdefault((j, reference.predict(p, verbose=0).tobytes()), s)
    matched = set()
    for j, out in seen:
        assert (j, out) in outputs, f"a prediction on {len(probes[j])} rows matches no whole training step"
        matched.add(outputs[(j, out)])
    assert len(seen) > 50 and len(matched) >= 3, (len(seen), sorted(matched))
    # The check has teeth: one layer's weights from one step and the rest from the next matches nothing.
    torn = snapshots[100][:2] + snapshots[101][2:]
    reference.set_weights(torn)
    assert all((j, reference.predict(p, verbose=0).tobytes()) not in outputs for j, p in enumerate(probes))


def test_threads_predicting_across_rebuild_and_set_weights():
    model = _model(features=4, units=(8, 1))
    x = np.ones((3, 4), dtype=np.float32)
    stop = threading.Event()

    def predict(i):
        while not stop.is_set():
            assert np.isfinite(model(x)).all()

    def mutate(i):
        try:
            for _ in range(200):
                model.set_weights([w + 0.001 for w in model.get_weights()])
        finally:
            stop.set()

    _run_threads(lambda i: mutate(i) if i == 0 else predict(i), 4)


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads resident memory from Linux's /proc")
@pytest.mark.parametrize("features, units", [((2), (4, 3, 1)), ((16), (128, 128, 1))], ids=["gil", "nogil"])
def test_a_million_one_row_predictions_do_not_leak(features, units):
    model = _model(features=features, units=units)
    row = np.ones((1, features), dtype=np.float32)
    calls = (lambda: model.predict(row, verbose=0), lambda: model(row), lambda: model.predict_on_batch(row))
    for k in range(1000):
        calls[k % 3]()
    before = _rss()
    start = time.perf_counter()
    for call in calls:
        for _ in range(333_334):
            call()
    grown = _rss() - before
    assert grown <= 1 << 20, f"resident memory grew by {grown / 1024:.0f} KiB over 1,000,002 predictions"
    assert time.perf_counter() - start < 60
