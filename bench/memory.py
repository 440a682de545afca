"""Peak memory of the tabular fit (the workload of bench/README.md): the increase in peak RSS over the process's RSS
after imports must stay under 1.5x the input arrays plus 50 MB (issue 3).

Run: python bench/memory.py   (prints one line and exits non-zero when over the limit)

`python bench/memory.py --stream 1000000 4000000` measures a streamed fit instead: the tabular model trained
for one epoch on that many rows from a keras.utils.PyDataset that makes each 256-row batch when asked (so the
data set never exists in memory), each size in a fresh process; the peak RSS growth must not grow with the
rows (the bounded queue holds at most max_queue_size batches). Prints one line per size.
"""

from __future__ import annotations

import resource
import sys


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    import numpy as np

    import keras_lite as keras
    from keras_lite import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(32,)),
            layers.Dense(256, activation="relu"),
            layers.Dense(256, activation="relu"),
            layers.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="mae")
    base = _rss_mb()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((100_000, 32), dtype=np.float32)
    y = rng.standard_normal((100_000, 1), dtype=np.float32)
    inputs_mb = (x.nbytes + y.nbytes) / 2**20
    model.fit(x, y, batch_size=256, epochs=3, verbose=0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    grown = peak - base
    limit = 1.5 * inputs_mb + 50
    print(
        f"tabular fit: inputs {inputs_mb:.1f} MB, RSS after imports {base:.1f} MB, peak {peak:.1f} MB, "
        f"growth {grown:.1f} MB (limit {limit:.1f} MB) -> {'ok' if grown <= limit else 'OVER'}"
    )
    return 0 if grown <= limit else 1


def stream_main(rows: int) -> int:
    """Peak RSS growth of a one-epoch streamed fit over `rows` generated rows (see the module docstring)."""
    import time

    import numpy as np

    import keras_lite as keras
    from keras_lite import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(32,)),
            layers.Dense(256, activation="relu"),
            layers.Dense(256, activation="relu"),
            layers.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="mae")

    class Generated(keras.utils.PyDataset):
        def __len__(self) -> int:
            return -(-rows // 256)

        def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
            n = min(256, rows - i * 256)
            rng = np.random.default_rng(i)
            x = rng.standard_normal((n, 32), dtype=np.float32)
            return x, x[:, :1] * 2.0

    base = _rss_mb()
    t0 = time.perf_counter()
    model.fit(Generated(max_queue_size=10), epochs=1, shuffle=False, verbose=0)
    took = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    data_mb = rows * 33 * 4 / 2**20
    print(
        f"streamed fit of {rows:,} rows ({data_mb:,.0f} MB as float32 arrays): RSS after imports {base:.1f} MB, "
        f"peak {peak:.1f} MB, growth {peak - base:.1f} MB, {took:.1f} s"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--stream":
        import subprocess

        for n in sys.argv[2:]:
            subprocess.run([sys.executable, __file__, "--stream-one", n], check=True)
        sys.exit(0)
    if len(sys.argv) == 3 and sys.argv[1] == "--stream-one":
        sys.exit(stream_main(int(sys.argv[2])))
    sys.exit(main())
