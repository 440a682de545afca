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

    def interrupt() -> None:
        time.sleep(0.3)
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)

    killer = threading.Thread(target=interrupt)
    killer.start()
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
