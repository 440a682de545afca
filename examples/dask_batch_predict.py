"""Score a partitioned dataframe with a keras_lite model on a Dask cluster of worker processes.

Run: python examples/dask_batch_predict.py [--rows 200000] [--partitions 16] [--workers 2] [--model m.keras]

The model is shipped to the workers once: ``client.scatter(model, broadcast=True)`` pickles it a single time
(keras_lite models pickle compactly: config, weights and optimizer state as bytes) and every worker keeps its
copy in memory; each ``map_partitions`` task then refers to that copy instead of carrying the model in its
graph. The script checks the distributed scores against ``model.predict`` on the whole frame locally.
Install the extra with ``pip install ".[dask]"`` from a checkout of keras_lite.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

import keras_lite as keras
from keras_lite import layers


def predict_partition(part: pd.DataFrame, model: Any, columns: list[str]) -> pd.DataFrame:
    """One partition's predictions, as a frame with the partition's index (runs on a worker)."""
    x = np.ascontiguousarray(part[columns].to_numpy(dtype=np.float32))
    if len(x) == 0:
        return pd.DataFrame({"score": np.zeros(0, dtype=np.float32)}, index=part.index)
    return pd.DataFrame({"score": model.predict(x, verbose=0)[:, 0]}, index=part.index)


def score(client: Any, model: Any, frame: Any, columns: list[str]) -> Any:
    """Lazy dask frame of ``model``'s scores for ``frame[columns]`` (one output unit)."""
    [shipped] = client.scatter([model], broadcast=True)  # one copy per worker, sent once
    meta = pd.DataFrame({"score": pd.Series(dtype=np.float32)})
    return frame.map_partitions(predict_partition, shipped, columns, meta=meta)


def demo_model(features: int, seed: int = 0) -> keras.Sequential:
    """A small regression model trained for one epoch on synthetic data."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [keras.Input(shape=(features,)), layers.Dense(32, activation="relu"), layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mae")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2000, features), dtype=np.float32)
    model.fit(x, x.sum(axis=1, keepdims=True), epochs=1, verbose=0)
    return model


def make_frame(rows: int, features: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((rows, features), dtype=np.float32)
    return pd.DataFrame(data, columns=[f"f{i}" for i in range(features)])


def local_cluster(workers: int = 2) -> Any:
    """A loopback-only cluster of worker processes, one thread each, no dashboard."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )


def main(argv: list[str] | None = None) -> int:
    import dask.dataframe as dd
    from distributed import Client

    parser = argparse.ArgumentParser(description="Batch scoring with map_partitions on a LocalCluster.")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--features", type=int, default=8)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--model", help="a .keras file (default: train a small demo model)")
    args = parser.parse_args(argv)

    model = keras.models.load_model(args.model) if args.model else demo_model(args.features)
    features = model.input_shape[1]
    frame = make_frame(args.rows, features)
    columns = list(frame.columns)
    with local_cluster(args.workers) as cluster, Client(cluster) as client:
        start = time.perf_counter()
        scores = score(client, model, dd.from_pandas(frame, npartitions=args.partitions), columns).compute()
        elapsed = time.perf_counter() - start
    local = model.predict(frame.to_numpy(dtype=np.float32), verbose=0)[:, 0]
    ok = scores.index.equals(frame.index) and np.allclose(scores["score"].to_numpy(), local, rtol=1e-6)
    print(
        f"scored {len(scores):,} rows in {args.partitions} partitions on {args.workers} worker processes "
        f"in {elapsed:.2f} s; matches a local predict: {ok}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
