"""Peak memory of the tabular fit (the workload of bench/README.md): the increase in peak RSS over the process's RSS
after imports must stay under 1.5x the input arrays plus 50 MB (issue 3).

Run: python bench/memory.py   (prints one line and exits non-zero when over the limit)
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


if __name__ == "__main__":
    sys.exit(main())
