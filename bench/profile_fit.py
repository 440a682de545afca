#!/usr/bin/env python
"""Run one benchmark workload's keras_lite fit a few times, for a sampling profiler.

    perf record -F 999 --call-graph dwarf,16384 -o tabular.perf -- python bench/profile_fit.py tabular
    perf script -i tabular.perf | inferno-collapse-perf | inferno-flamegraph > tabular.svg

The workload's data, model and warm-up are bench/run.py's, so the profile is of the very run it times.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (this file is not named profile.py: that would shadow the standard module in bench/ runs)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    train = [w for w, s in run.workload_specs(False).items() if s["kind"] == "train"]
    p.add_argument("workload", choices=train)
    p.add_argument("--repeat", type=int, default=3, help="timed fits after the warm-up (default 3)")
    p.add_argument(
        "--stream", action="store_true", help="feed the fit from a PyDataset (the stream workload's way)"
    )
    args = p.parse_args(argv)
    spec = run.workload_specs(False)[args.workload]
    data = run.make_data(spec, args.workload)
    weights = run.glorot_weights(spec, run.SEED)
    api = run.STREAM_API if args.stream or spec.get("stream") else "fit"
    tr = run.trainer("keras_lite", spec, data, weights, api)
    tr.fit(1)
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        tr.fit(spec["epochs"])
        print(f"{args.workload}: {time.perf_counter() - t0:.3f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
