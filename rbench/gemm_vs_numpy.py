"""keras_lite's packed GEMM against NumPy's (OpenBLAS) on the training workloads' products, 1 and 2 threads.

Runs `gemmbench` builds (one or several, e.g. an old and a new one) and a NumPy worker in alternated rounds,
so that load from other processes hits all of them alike, and prints the best and median GFLOP/s per
product, thread count and contender. Usage (after `cargo build --release --example gemmbench`):

    python rbench/gemm_vs_numpy.py --rounds 5 --bin new=target/release/examples/gemmbench [--bin old=/tmp/gb_old]

NumPy runs with OpenBLAS's own core detection (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed), as
bench/run.py's floor does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

# (name, m, k, n, A stored transposed, B stored transposed): as in rbench/gemmbench.rs.
SHAPES = [
    ("wine1.fwd", 256, 11, 512, False, False),
    ("wine1.dW", 11, 256, 512, True, False),
    ("wine2.fwd", 256, 512, 512, False, False),
    ("wine2.dW", 512, 256, 512, True, False),
    ("wine2.dX", 256, 512, 512, False, True),
    ("tab1.fwd", 256, 32, 256, False, False),
    ("tab1.dW", 32, 256, 256, True, False),
    ("tab2.fwd", 256, 256, 256, False, False),
    ("tab2.dW", 256, 256, 256, True, False),
    ("tab2.dX", 256, 256, 256, False, True),
    ("mc1.fwd", 128, 784, 256, False, False),
    ("mc1.dW", 784, 128, 256, True, False),
    ("mc2.fwd", 128, 256, 128, False, False),
    ("mc2.dW", 256, 128, 128, True, False),
    ("mc2.dX", 128, 128, 256, False, True),
    ("mc3.fwd", 128, 128, 10, False, False),
    ("mc3.dW", 128, 128, 10, True, False),
    ("mc3.dX", 128, 10, 128, False, True),
    ("sq512", 512, 512, 512, False, False),
]


def numpy_worker(threads: int, only: str) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    for name, m, k, n, at, bt in SHAPES:
        if only not in name:
            continue
        a = rng.standard_normal((k, m) if at else (m, k), dtype=np.float32)
        b = rng.standard_normal((n, k) if bt else (k, n), dtype=np.float32)
        a_op, b_op = (a.T if at else a), (b.T if bt else b)
        c = np.empty((m, n), np.float32)
        np.matmul(a_op, b_op, out=c)
        flops = 2.0 * m * k * n
        best = float("inf")
        for _ in range(int(4e9 / flops) + 1):
            t0 = time.perf_counter()
            np.matmul(a_op, b_op, out=c)
            best = min(best, time.perf_counter() - t0)
        print(f"gemm {name} {m} {k} {n} threads={threads} {flops / best / 1e9:.1f}", flush=True)


def parse(out: str, label: str, into: dict[tuple[str, str, int], list[float]]) -> None:
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 7 and f[0] == "gemm":
            into.setdefault((label, f[1], int(f[5].split("=")[1])), []).append(float(f[6]))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--bin", action="append", default=[], help="LABEL=PATH of a gemmbench build")
    p.add_argument("--no-numpy", action="store_true")
    p.add_argument("--filter", default="", help="only the products whose name contains this")
    p.add_argument("--numpy-worker", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.numpy_worker:
        numpy_worker(args.numpy_worker, args.filter)
        return
    bins = [b.split("=", 1) for b in args.bin] or [["kl", "target/release/examples/gemmbench"]]
    results: dict[tuple[str, str, int], list[float]] = {}
    np_env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    for _ in range(args.rounds):
        for label, path in bins:
            env = dict(os.environ, KERAS_LITE_NUM_THREADS="2")
            parse(
                subprocess.run(
                    [path, "1", args.filter], env=env, capture_output=True, text=True, check=True
                ).stdout,
                label,
                results,
            )
        if not args.no_numpy:
            for t in (1, 2):
                env = dict(np_env, OPENBLAS_NUM_THREADS=str(t))
                cmd = [sys.executable, __file__, "--numpy-worker", str(t), "--filter", args.filter]
                parse(
                    subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout,
                    "numpy",
                    results,
                )
    labels = [b[0] for b in bins] + ([] if args.no_numpy else ["numpy"])
    head = f"{'product':<10} {'m x k x n':<14} {'thr':>3}"
    for label in labels:
        head += f" {label + ' best':>11} {label + ' med':>10}"
    print(head)
    for name, m, k, n, _, _ in SHAPES:
        if args.filter not in name:
            continue
        for t in (1, 2):
            row = f"{name:<10} {f'{m}x{k}x{n}':<14} {t:>3}"
            for label in labels:
                v = results.get((label, name, t), [])
                row += f" {max(v):>11.1f} {statistics.median(v):>10.1f}" if v else f" {'-':>11} {'-':>10}"
            print(row)
    for label in labels[:-1] if not args.no_numpy else labels:
        if not args.no_numpy:
            ratios = []
            for name, *_ in SHAPES:
                kl, nb = results.get((label, name, 2), []), results.get(("numpy", name, 2), [])
                if kl and nb:
                    ratios.append(max(kl) / max(nb))
            print(
                f"{label}: geometric mean of best/NumPy best at 2 threads: {statistics.geometric_mean(ratios):.3f}"
            )


if __name__ == "__main__":
    main()
