#!/usr/bin/env python
"""What a GPU fit pays to upload its data: one-epoch fits of a one-unit model (Dense(1) on gpu-large's 64
inputs, so that a step costs little) on all of a data set and on a slice of two batches, and a two-epoch fit
on all of it; the upload of the rest is the one-epoch difference less what the second epoch cost. Then a
check that the whole data set arrived (the model evaluates it alike on the GPU and the CPU).

    python bench/gpu_upload.py [--rows 1000000] [--repeat 5] [--allow-software]
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from gpu_large import BATCH, base_parser, make_data


def main() -> int:
    ap = base_parser(__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if args.allow_software:
        os.environ["KERAS_LITE_ALLOW_SOFTWARE_GPU"] = "1"
    import keras_lite as keras

    x, y = make_data(args.rows)
    lin = [
        keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Dense(1)], device=d)
        for d in ("cpu", "gpu")
    ]
    lin[1].set_weights(lin[0].get_weights())
    for m in lin:
        m.compile(optimizer="adam", loss="mse")
    model, small = lin[1], 2 * BATCH

    def fit(rows: int, epochs: int) -> float:
        t0 = time.perf_counter()
        model.fit(x[:rows], y[:rows], batch_size=BATCH, epochs=epochs, verbose=0)
        return time.perf_counter() - t0

    fit(small, 1)  # compiles the kernels
    fit(args.rows, 1)  # the rows' last, shorter batch too
    one_small, one, two = (
        statistics.median(fit(rows, epochs) for _ in range(args.repeat))
        for rows, epochs in ((small, 1), (args.rows, 1), (args.rows, 2))
    )
    mb = (args.rows - small) * (x.shape[1] + y.shape[1]) * 4 / 1e6
    upload = one - one_small - (two - one)
    keras.config.set_device("gpu")
    print(f"adapter: {keras.config.get_device().get('adapter')}")
    times = f"one epoch on {small:,} rows {one_small * 1e3:.1f} ms, on {args.rows:,} rows {one * 1e3:.1f} ms"
    print(f"one-unit model, medians of {args.repeat}: {times}, two epochs {two * 1e3:.1f} ms")
    print(f"uploading {mb:.0f} MB more: {upload * 1e3:.1f} ms ({mb / 1e3 / max(upload, 1e-9):.1f} GB/s)")
    # The upload is whole: the model, its weights copied to the CPU's, evaluates all rows alike on both.
    lin[0].set_weights(model.get_weights())
    losses = [m.evaluate(x, y, batch_size=BATCH, verbose=0) for m in lin]
    print(f"evaluate over all rows: cpu {losses[0]:.7g}, gpu {losses[1]:.7g}")
    keras.config.set_device("cpu")
    return 0 if abs(losses[1] - losses[0]) <= 1e-5 * abs(losses[0]) else 1


if __name__ == "__main__":
    sys.exit(main())
