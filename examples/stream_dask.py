"""Train on the partitions of a Dask DataFrame, one partition computed at a time: an iterable of
`(x, y)` batches walks the partitions in order (each epoch again), so only one partition is in memory
beside the core's bounded queue of batches. Needs the optional dask extra: ``pip install ".[dask]"``.

    python examples/stream_dask.py --partitions 20

The frame here is built lazily with ``dask.dataframe.from_map`` (each partition generated when computed); a
real one would come from ``dd.read_parquet`` or ``dd.read_csv`` the same way.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd

import keras_lite as keras

FEATURES = [f"f{i}" for i in range(6)]
WEIGHTS = np.array([0.5, -1.0, 2.0, 0.0, 1.5, -0.5], np.float32)


def make_partition(i: int, rows: int = 20_000) -> pd.DataFrame:
    """Partition `i`: `rows` generated rows, the same every time it is computed."""
    rng = np.random.default_rng(i)
    x = rng.standard_normal((rows, len(FEATURES))).astype(np.float32)
    y = x @ WEIGHTS + 0.05 * rng.standard_normal(rows).astype(np.float32)
    return pd.DataFrame(x, columns=FEATURES).assign(target=y.astype(np.float32))


class PartitionBatches:
    """A Dask DataFrame's rows as `(x, y)` batches, one computed partition at a time."""

    def __init__(self, frame: Any, batch_size: int = 256) -> None:
        self.frame, self.batch_size = frame, batch_size

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for i in range(self.frame.npartitions):
            part = self.frame.get_partition(i).compute(scheduler="synchronous")
            x = part[FEATURES].to_numpy(np.float32)
            y = part[["target"]].to_numpy(np.float32)
            for s in range(0, len(part), self.batch_size):
                yield x[s : s + self.batch_size], y[s : s + self.batch_size]


def main(partitions: int = 10, epochs: int = 2) -> dict[str, Any]:
    """Stream the frame through `fit` and `evaluate`, and predict one partition."""
    frame = dd.from_map(make_partition, range(partitions))
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(len(FEATURES),)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(PartitionBatches(frame), epochs=epochs, verbose=0)
    loss = model.evaluate(PartitionBatches(frame, batch_size=4096), verbose=0)
    first = frame.get_partition(0).compute(scheduler="synchronous")
    pred = model.predict(first[FEATURES].to_numpy(np.float32), verbose=0)
    return {"history": history.history, "loss": loss, "pred_rows": len(pred)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--partitions", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    out = main(args.partitions, args.epochs)
    print(f"loss per epoch {[round(v, 4) for v in out['history']['loss']]}; evaluate loss {out['loss']:.4f}")
