"""Train on a CSV file without loading it: the rows are streamed from disk in chunks (pandas
``read_csv(chunksize=...)``), cut into 256-row batches and fed to ``fit`` as an iterable of ``(x, y)``
tuples, so memory holds a chunk and the core's bounded queue of batches, never the file.

    python examples/stream_csv.py --rows 1000000

The example writes a generated regression data set (8 features, a noisy linear target) to a temporary
directory first, then trains on it and reports the peak memory next to the file's size.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

import keras_lite as keras

FEATURES = [f"f{i}" for i in range(8)]
WEIGHTS = np.linspace(-1.0, 1.0, len(FEATURES)).astype(np.float32)


def write_csv(path: str, rows: int, chunk: int = 50_000, seed: int = 0) -> None:
    """Write `rows` generated rows to `path`, a chunk at a time."""
    rng = np.random.default_rng(seed)
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        x = rng.standard_normal((n, len(FEATURES))).astype(np.float32)
        y = x @ WEIGHTS + 0.1 * rng.standard_normal(n).astype(np.float32)
        frame = pd.DataFrame(x, columns=FEATURES).assign(target=y)
        frame.to_csv(
            path, mode="w" if start == 0 else "a", header=start == 0, index=False, float_format="%.6f"
        )


class CsvBatches:
    """The CSV's rows as `(x, y)` batches, read again from disk on every pass (each epoch)."""

    def __init__(self, path: str, batch_size: int = 256, chunksize: int = 8192) -> None:
        self.path, self.batch_size, self.chunksize = path, batch_size, chunksize

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for frame in pd.read_csv(self.path, chunksize=self.chunksize, dtype=np.float32):
            x = frame[FEATURES].to_numpy()
            y = frame[["target"]].to_numpy()
            for i in range(0, len(frame), self.batch_size):
                yield x[i : i + self.batch_size], y[i : i + self.batch_size]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(rows: int = 200_000, epochs: int = 2, workdir: str | None = None) -> dict[str, Any]:
    """Write the CSV, stream it through `fit` and `evaluate`; the losses, the file size and the peak RSS."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        path = os.path.join(tmp, "rows.csv")
        write_csv(path, rows)
        file_mb = os.path.getsize(path) / 2**20
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                keras.Input(shape=(len(FEATURES),)),
                keras.layers.Dense(32, activation="relu"),
                keras.layers.Dense(1),
            ]
        )
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        before = _peak_rss_mb()
        history = model.fit(CsvBatches(path), epochs=epochs, verbose=0)
        loss, mae = model.evaluate(CsvBatches(path, batch_size=4096), verbose=0)
        grown = _peak_rss_mb() - before
    return {"history": history.history, "loss": loss, "mae": mae, "file_mb": file_mb, "rss_growth_mb": grown}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    out = main(args.rows, args.epochs)
    print(f"trained on a {out['file_mb']:.1f} MB CSV: loss {out['loss']:.4f}, mae {out['mae']:.4f}")
    print(f"peak memory grew by {out['rss_growth_mb']:.1f} MB while streaming it")
