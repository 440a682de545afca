"""Per-call time of one training step on one batch: ``train_on_batch`` of the small workload's model (Dense
16-16-1 on 8 features, adam, mae, 32 rows), beside ``test_on_batch`` and ``predict_on_batch``, and PyTorch's
hand-written step on the same model (``zero_grad``, forward, ``backward``, ``step``) when torch is installed.
Custom training loops (a GAN's alternating steps, a loop over a generator of batches) call these once per batch, so
what a call costs beyond its arithmetic is what they pay.

Run: python bench/on_batch.py [--calls 2000]

Prints, for each call, the fastest and the median of ``--calls`` timed calls (after 50 untimed ones) in
microseconds. Speed is measured here, never asserted in a unit test.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np


def timed(call: Callable[[], object], calls: int) -> tuple[float, float]:
    """The fastest and the median time of `calls` calls, in microseconds."""
    for _ in range(50):
        call()
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[0] * 1e6, times[len(times) // 2] * 1e6


def keras_lite_calls(x: np.ndarray, y: np.ndarray) -> dict[str, Callable[[], object]]:
    import keras_lite as keras
    from keras_lite import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(x.shape[1],)),
            layers.Dense(16, activation="relu"),
            layers.Dense(16, activation="relu"),
            layers.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="mae")
    return {
        "keras_lite train_on_batch": lambda: model.train_on_batch(x, y),
        "keras_lite test_on_batch": lambda: model.test_on_batch(x, y),
        "keras_lite predict_on_batch": lambda: model.predict_on_batch(x),
    }


def torch_calls(x: np.ndarray, y: np.ndarray) -> dict[str, Callable[[], object]]:
    try:
        import torch
    except ImportError:
        return {}
    net = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 1),
    )
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step() -> float:
        opt.zero_grad()
        loss = (net(xt) - yt).abs().mean()
        loss.backward()
        opt.step()
        return loss.item()

    return {f"PyTorch {torch.__version__} step": step}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (32, 8)).astype(np.float32)
    y = np.tanh(x.sum(axis=1, keepdims=True)).astype(np.float32)
    print(f"cpus={os.cpu_count()} load={os.getloadavg()[0]:.2f} one batch of {len(x)} rows, Dense 16-16-1")
    for name, call in {**keras_lite_calls(x, y), **torch_calls(x, y)}.items():
        fastest, median = timed(call, args.calls)
        print(f"{name:34s} fastest {fastest:8.1f} us   median {median:8.1f} us")


if __name__ == "__main__":
    main()
