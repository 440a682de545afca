"""Ctrl-C during fit: KeyboardInterrupt promptly, a consistent model that trains and predicts again, and no
thread left running (keras_lite's pool and team threads stay, idle, for the next call)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers


def busy_native_threads() -> list[str]:
    """keras_lite's native threads (pools, thread team) that the kernel reports as running."""
    busy = []
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:  # the thread has just exited
            continue
        name, state = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2]
        if name.startswith("keras_lite") and state == "R":
            busy.append(name)
    return busy


def wait_until_idle(seconds: float = 2.0) -> list[str]:
    """Poll until no keras_lite thread runs (helpers spin for well under a millisecond after a job)."""
    deadline = time.monotonic() + seconds
    while (busy := busy_native_threads()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return busy


def _sigint_after(seconds: float, sent: list[float]) -> threading.Thread:
    """A thread that sends this process SIGINT after `seconds`, noting the moment in `sent`."""

    def interrupt() -> None:
        time.sleep(seconds)
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)

    killer = threading.Thread(target=interrupt)
    killer.start()
    return killer


@pytest.fixture(autouse=True)
def _sigint_raises() -> Iterator[None]:
    """Python's own SIGINT handler for the test, whatever this process inherited (a shell's background job
    starts with SIGINT ignored, and then Python installs no handler)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="signals go to the main thread"
)
def test_sigint_during_fit_raises_keyboard_interrupt_and_leaves_a_usable_model() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20_000, 32)).astype(np.float32)
    y = x[:, :1] * 2.0
    model = keras.Sequential(
        [keras.Input(shape=(32,)), layers.Dense(128, activation="relu"), layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mse")
    threads_before = threading.active_count()
    sent: list[float] = []
    killer = _sigint_after(0.3, sent)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=10_000, verbose=0)
    latency = time.perf_counter() - sent[0]
    killer.join()
    print(f"KeyboardInterrupt {latency * 1e3:.1f} ms after SIGINT")
    # Generous bound for a loaded CI machine; the loop checks every 10 ms and stops at the next batch.
    assert latency < 2.0
    assert threading.active_count() == threads_before
    if os.path.isdir("/proc/self/task"):
        assert wait_until_idle() == []
    weights = model.get_weights()
    assert all(np.isfinite(w).all() for w in weights)
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x[:2000], y[:2000], epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(x[:5], verbose=0).shape == (5, 1)
    assert np.isfinite(before)


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="signals go to the main thread"
)
def test_sigint_during_a_short_fit_with_a_slow_callback_stops_it() -> None:
    # A fit of little work (a few small batches, or train_on_batch) runs on the calling thread with its
    # callbacks: Ctrl-C during a callback raises there, and the fit ends with it, the model usable.
    x = np.linspace(-1, 1, 192, dtype=np.float32).reshape(64, 3)
    y = x.sum(axis=1, keepdims=True)
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    batches: list[int] = []

    class Slow(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(batch)
            time.sleep(0.2)

    sent: list[float] = []
    killer = _sigint_after(0.5, sent)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=8, epochs=8, verbose=0, callbacks=[Slow()])
    latency = time.perf_counter() - sent[0]
    killer.join()
    assert latency < 2.0
    assert 1 <= len(batches) < 64
    assert int(model.optimizer.iterations) == len(batches)
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert int(model.optimizer.iterations) == len(batches) + 8


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="signals go to the main thread"
)
def test_sigint_stops_a_train_on_batch_waiting_for_another_threads_fit() -> None:
    # train_on_batch of a model another thread is fitting waits for that fit, answering Ctrl-C meanwhile.
    rng = np.random.default_rng(1)
    x = rng.normal(size=(20_000, 32)).astype(np.float32)
    y = x[:, :1] * 2.0
    model = keras.Sequential([keras.Input(shape=(32,)), layers.Dense(64, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    stop = threading.Event()

    class StopWhenAsked(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if stop.is_set():
                self.model.stop_training = True

    fitting = threading.Thread(
        target=lambda: model.fit(x, y, epochs=1000, verbose=0, callbacks=[StopWhenAsked()])
    )
    fitting.start()
    time.sleep(0.3)
    sent: list[float] = []
    killer = _sigint_after(0.5, sent)
    try:
        with pytest.raises(KeyboardInterrupt):
            model.train_on_batch(x[:32], y[:32])
        assert time.perf_counter() - sent[0] < 2.0
    finally:
        stop.set()
        fitting.join()
        killer.join()
    assert np.isfinite(model.train_on_batch(x[:32], y[:32]))
