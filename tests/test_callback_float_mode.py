"""A fit computes its steps with subnormal floats flushed to zero (as TensorFlow's CPU kernels do), and none of
that reaches Python: callbacks, on whichever thread they run (a long fit's pool thread, or the calling thread of
a short fit and of ``train_on_batch``), and the caller after the fit, compute with gradual underflow."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES


def _underflows_gradually() -> bool:
    """Whether half the smallest normal float32 and float64 stay subnormal (bits compared: in a flushed mode
    a subnormal also compares equal to zero)."""
    half32 = np.float32(np.finfo(np.float32).tiny) * np.float32(0.5)
    half64 = struct.pack("<d", 2.2250738585072014e-308 * 0.5)
    return int(np.asarray(half32).view(np.uint32)) != 0 and half64 != bytes(8)


class Probe(keras.callbacks.Callback):
    """Records, at each hook, whether Python computes with gradual underflow there."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, bool]] = []

    def _note(self, hook: str) -> None:
        self.seen.append((hook, _underflows_gradually()))

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._note("epoch_begin")

    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        self._note("batch_begin")

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self._note("batch_end")

    def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
        self._note("test_batch_end")

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self._note("epoch_end")


def _model(device: str, width: int) -> Any:
    model = keras.Sequential(
        [keras.Input((width,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)],
        device=device,
    )
    model.compile(optimizer="adam", loss="mse")
    return model


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("rows", [64, 20_000])  # a short fit (on the calling thread) and a long one
def test_callbacks_and_the_caller_compute_with_gradual_underflow(device: str, rows: int) -> None:
    assert _underflows_gradually()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 8)).astype("float32")
    # Targets whose gradients reach the subnormal range: the steps run flushed all the same.
    y = (x[:, :1] * np.float32(1e-30)).astype("float32")
    model = _model(device, 8)
    probe = Probe()
    model.fit(x, y, batch_size=32, epochs=2, validation_split=0.25, verbose=0, callbacks=[probe])
    hooks = {hook for hook, _ in probe.seen}
    assert hooks == {"epoch_begin", "batch_begin", "batch_end", "test_batch_end", "epoch_end"}
    assert all(gradual for _, gradual in probe.seen), [h for h, g in probe.seen if not g][:5]
    assert _underflows_gradually(), "the caller's mode after the fit"
    model.train_on_batch(x[:32], y[:32])
    model.evaluate(x[:64], y[:64], verbose=0, callbacks=[probe])
    assert _underflows_gradually()
