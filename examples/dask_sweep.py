"""A hyperparameter sweep on a Dask cluster: each worker process trains keras_lite models, the best is saved.

Run: python examples/dask_sweep.py [--workers 2] [--epochs 20] [--out best.keras]

The data are scattered to the workers once; ``client.map`` runs one training per grid point. Each returns its
validation loss and the trained model itself (keras_lite models pickle compactly, so sending them back is
cheap). Every run is seeded, so the sweep gives the same losses as running the grid locally, which the
script checks before saving the best model as a Keras 3 ``.keras`` file.
Install the extra with ``pip install ".[dask]"`` from a checkout of keras_lite.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from typing import Any

import numpy as np

import keras_lite as keras
from keras_lite import layers


def grid(units=(8, 32), learning_rate=(0.001, 0.01), dropout=(0.0, 0.2)) -> list[dict[str, Any]]:
    """Every combination of the given values, as keyword dicts for ``train``."""
    keys = ("units", "learning_rate", "dropout")
    return [dict(zip(keys, values)) for values in itertools.product(units, learning_rate, dropout)]


def train(params: dict[str, Any], data: tuple[np.ndarray, ...], epochs: int = 20, seed: int = 0) -> tuple:
    """Train one model for ``params`` on ``data = (x, y, x_val, y_val)``; returns (params, val_loss, model)."""
    x, y, x_val, y_val = data
    keras.utils.set_random_seed(seed)
    stack: list[Any] = [keras.Input(shape=(x.shape[1],)), layers.Dense(params["units"], activation="relu")]
    if params["dropout"]:
        stack.append(layers.Dropout(params["dropout"]))
    stack.append(layers.Dense(1))
    model = keras.Sequential(stack)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=params["learning_rate"]), loss="mae")
    model.fit(x, y, batch_size=64, epochs=epochs, verbose=0)
    return params, float(model.evaluate(x_val, y_val, verbose=0)), model


def make_data(rows: int = 2000, features: int = 8, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, features), dtype=np.float32)
    y = (np.sin(x[:, :1]) + 0.5 * x[:, 1:2] ** 2 + 0.1 * rng.standard_normal((rows, 1))).astype(np.float32)
    cut = int(rows * 0.8)
    return x[:cut], y[:cut], x[cut:], y[cut:]


def sweep(client: Any, points: list[dict[str, Any]], data: tuple[np.ndarray, ...], epochs: int = 20) -> list:
    """Train every grid point on the cluster; results sorted by validation loss (best first)."""
    [shared] = client.scatter([data], broadcast=True)  # the data travel to each worker once
    futures = client.map(train, points, data=shared, epochs=epochs, pure=False)
    return sorted(client.gather(futures), key=lambda r: r[1])


def main(argv: list[str] | None = None) -> int:
    from distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description="Hyperparameter sweep on a LocalCluster.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--out", default="best.keras", help="where the best model is saved")
    parser.add_argument("--no-check", action="store_true", help="skip re-running the grid locally")
    args = parser.parse_args(argv)

    data = make_data()
    points = grid()
    start = time.perf_counter()
    cluster = LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    with cluster, Client(cluster) as client:
        results = sweep(client, points, data, args.epochs)
    elapsed = time.perf_counter() - start
    for params, loss, _ in results:
        print(f"val_loss {loss:.4f}  {params}")
    best_params, best_loss, best = results[0]
    best.save(args.out)
    print(
        f"{len(points)} models on {args.workers} workers in {elapsed:.1f} s; best {best_params} saved to {args.out}"
    )
    if args.no_check:
        return 0
    local = {json_key(p): loss for p, loss, _ in (train(p, data, args.epochs) for p in points)}
    ok = all(np.isclose(local[json_key(p)], loss, rtol=1e-5) for p, loss, _ in results)
    print(f"matches a local run of the grid: {ok}")
    return 0 if ok else 1


def json_key(params: dict[str, Any]) -> str:
    return repr(sorted(params.items()))


if __name__ == "__main__":
    sys.exit(main())
