"""One-row prediction throughput from 1 thread and from 2 threads (issue 6 asks for >= 1.7x on 2 cores).

Run: python bench/threads.py [--seconds 2] [--models tiny,wine]

Each thread calls ``model.predict(row, verbose=0)`` on its own (1, features) float32 row for ``--seconds``;
the figure is total calls per second. ``tiny`` is Dense 4-3-1 on 2 features (the per-call overhead
workload of bench/README.md); ``wine`` is Dense 512-512-512-1 on 11 features (a service's call). Prints one line per model.
Speed is measured here, never asserted in a unit test.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import threading
import time
from typing import Any

import numpy as np

import keras_lite as keras
from keras_lite import layers

MODELS = {"tiny": (2, [4, 3, 1]), "wine": (11, [512, 512, 512, 1])}


def build(name: str) -> keras.Sequential:
    features, units = MODELS[name]
    stack = [layers.Dense(u, activation="relu") for u in units[:-1]] + [layers.Dense(units[-1])]
    return keras.Sequential([keras.Input(shape=(features,)), *stack])


def throughput(model: keras.Sequential, threads: int, seconds: float) -> float:
    """Total one-row predictions per second over ``threads`` threads."""
    width = model.input_shape[1]
    counts = [0] * threads
    start = threading.Barrier(threads + 1)
    stop = threading.Event()

    def work(i: int) -> None:
        row = np.random.default_rng(i).standard_normal((1, width), dtype=np.float32)
        n = 0
        start.wait()
        while not stop.is_set():
            for _ in range(100):
                model.predict(row, verbose=0)
            n += 100
        counts[i] = n

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in pool:
        t.join()
    return sum(counts) / (time.perf_counter() - t0)


def _spin_count(seconds: float, out: Any) -> None:
    n, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        n += 1
    out.put(n)


def machine_ceiling(seconds: float = 1.0) -> float:
    """How much more work 2 processes get done than 1 (about 2.0 on two free cores; less when shared)."""
    counts = []
    for k in (1, 2):
        q: Any = multiprocessing.Queue()
        procs = [multiprocessing.Process(target=_spin_count, args=(seconds, q)) for _ in range(k)]
        for p in procs:
            p.start()
        total = sum(q.get() for _ in procs)
        for p in procs:
            p.join()
        counts.append(total)
    return counts[1] / counts[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--models", default="tiny,wine")
    args = parser.parse_args()
    print(
        f"cpus={os.cpu_count()} load={os.getloadavg()[0]:.2f} "
        f"machine ceiling (2 processes vs 1, pure spin) {machine_ceiling():.2f}x"
    )
    for name in args.models.split(","):
        model = build(name)
        throughput(model, 1, 0.2)  # warm up (thread-local scratch, caches)
        one = throughput(model, 1, args.seconds)
        two = throughput(model, 2, args.seconds)
        print(
            f"{name:5s} 1 thread {one:12,.0f}/s  {1e6 / one:8.2f} us/call | "
            f"2 threads {two:12,.0f}/s | ratio {two / one:.2f}x"
        )


if __name__ == "__main__":
    main()
