"""What ``fit(verbose=1)`` prints on each device: an epoch's first and last drawn lines show the same losses on
the GPU as on the CPU, one-batch epochs included (the GPU's first line showed the zeros its epoch starts from,
in-memory and streamed, as its running means were not read back for an epoch's only step)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LOSS = re.compile(r"loss: ([0-9.e+-]+)")


class Batches(keras.utils.PyDataset):
    """The rows in order, 32 at a time."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        super().__init__()
        self.x, self.y = x, y

    def __len__(self) -> int:
        return -(-len(self.x) // 32)

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return self.x[32 * i : 32 * (i + 1)], self.y[32 * i : 32 * (i + 1)]


def printed_losses(
    device: str, rows: int, streamed: bool, capsys: pytest.CaptureFixture[str]
) -> list[tuple[float, float]]:
    """Per epoch, the loss on its first and on its last drawn line."""
    keras.utils.set_random_seed(1)
    x = np.random.default_rng(0).standard_normal((rows, 4)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)], device=device)
    model.set_weights([np.zeros((4, 1), np.float32), np.zeros(1, np.float32)])
    model.compile(optimizer="sgd", loss="mse")
    capsys.readouterr()
    if streamed:
        model.fit(Batches(x, y), epochs=3, verbose=1)
    else:
        model.fit(x, y, batch_size=32, epochs=3, verbose=1, shuffle=False)
    out = ANSI.sub("", capsys.readouterr().out)
    epochs = []
    for text in re.split(r"Epoch \d+/\d+", out)[1:]:
        values = [float(m.group(1)) for line in re.split(r"[\r\n]", text) if (m := LOSS.search(line))]
        epochs.append((values[0], values[-1]))
    return epochs


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("streamed", [False, True], ids=["arrays", "pydataset"])
@pytest.mark.parametrize("rows", [32, 96], ids=["one_batch", "three_batches"])
def test_first_and_last_lines_show_the_cpus_losses(
    device: str, streamed: bool, rows: int, capsys: pytest.CaptureFixture[str]
) -> None:
    got = printed_losses(device, rows, streamed, capsys)
    want = printed_losses("cpu", rows, streamed, capsys)
    assert len(got) == 3
    assert all(
        first > 0 and last > 0 for first, last in got
    )  # a fit that starts from zero weights has a loss
    np.testing.assert_allclose(got, want, rtol=1e-4)
