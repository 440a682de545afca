#!/usr/bin/env python
"""What a GPU fit pays before its first step: two-step fits (`steps_per_epoch=2`) of gpu-large's network on
all of a data set and on one small slice of it, the difference being the cost of uploading the rest; then
a check that the whole data set arrived (a one-layer model evaluates it alike on the GPU and the CPU).

    python bench/gpu_upload.py [--rows 1000000] [--repeat 5] [--allow-software]
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from gpu_large import BATCH, base_parser, keras_model, make_data


def main() -> int:
    ap = base_parser(__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if args.allow_software:
        os.environ["KERAS_LITE_ALLOW_SOFTWARE_GPU"] = "1"
    import keras_lite as keras

    x, y = make_data(args.rows)
    model = keras_model(keras, "gpu")
    small = 2 * BATCH

    def two_steps(rows: int) -> float:
        t0 = time.perf_counter()
        model.fit(x[:rows], y[:rows], batch_size=BATCH, epochs=1, steps_per_epoch=2, verbose=0)
        return time.perf_counter() - t0

    two_steps(small)  # compiles the kernels
    times = {
        rows: statistics.median(two_steps(rows) for _ in range(args.repeat)) for rows in (small, args.rows)
    }
    mb = (args.rows - small) * (x.shape[1] + y.shape[1]) * 4 / 1e6
    extra = times[args.rows] - times[small]
    print(f"adapter: {keras.config.get_device().get('adapter')}")
    print(f"two-step fit, median of {args.repeat}: {small:,} rows {times[small] * 1e3:.1f} ms, ", end="")
    print(f"{args.rows:,} rows {times[args.rows] * 1e3:.1f} ms")
    print(f"uploading {mb:.0f} MB more: {extra * 1e3:.1f} ms ({mb / 1e3 / max(extra, 1e-9):.1f} GB/s)")
    # The upload is whole: a one-layer model evaluates all rows alike on the GPU and the CPU.
    lin = [
        keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Dense(1)], device=d)
        for d in ("cpu", "gpu")
    ]
    lin[1].set_weights(lin[0].get_weights())
    losses = []
    for m in lin:
        m.compile(optimizer="adam", loss="mse")
        losses.append(m.evaluate(x, y, batch_size=BATCH, verbose=0))
    print(f"evaluate over all rows: cpu {losses[0]:.7g}, gpu {losses[1]:.7g}")
    keras.config.set_device("cpu")
    return 0 if abs(losses[1] - losses[0]) <= 1e-5 * abs(losses[0]) else 1


if __name__ == "__main__":
    sys.exit(main())
