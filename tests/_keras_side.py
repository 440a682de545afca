"""Run by tests/test_saving.py in a subprocess with real Keras 3: load keras_lite-written files, predict, resume.

    python tests/_keras_side.py jobs.json

``jobs.json`` is a list of ``{"model": path, "x": path, "out": path, "resume": path or null}``. For each job this
writes ``out`` (an ``.npz``) with ``pred`` (Keras's predictions on ``x``: an ``.npy``, or an ``.npz`` of one array
per input name) and, when ``resume`` names an ``.npz`` of ``x``/``y`` (or ``x_<input name>``/``y``), ``w0, w1, ...`` and ``iterations`` after ``fit(x, y, batch_size=16, epochs=1, shuffle=False)``
from the loaded optimizer state; ``loaded_iterations`` is the loaded optimizer's step count. Kept out of the test process so that TensorFlow's threads and memory never
mix with keras_lite's thread and leak tests.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402


def run_jobs(folder: Any, jobs: list[dict[str, Any]]) -> None:
    """Run ``jobs`` (written to ``folder/jobs.json``) through this script with real Keras, in a subprocess;
    an AssertionError carrying Keras's error output when it fails. (For the tests, which import it.)"""
    import subprocess

    path = os.path.join(folder, "jobs.json")
    with open(path, "w") as f:
        json.dump(jobs, f)
    run = subprocess.run([sys.executable, __file__, path], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]


def resumed_in_keras(folder: Any, model: Any, x: Any, y: Any, shown: Any = None) -> tuple[Any, Any]:
    """Save ``model`` (compiled) to ``folder/m.keras``; Keras loads it, predicts ``shown`` (default ``x``: an
    array, or a dict by input name) and trains one epoch on ``(x, y)``, as ``model`` then does here. Returns
    this side's prediction and Keras's ``out`` (``pred``, ``w0, w1, ...``, ``iterations``)."""
    shown = x if shown is None else shown
    path = lambda name: os.path.join(folder, name)  # noqa: E731
    model.save(path("m.keras"))
    if isinstance(x, dict):
        np.savez(path("x.npz"), **shown)
        np.savez(path("resume.npz"), y=y, **{f"x_{k}": v for k, v in x.items()})
    else:
        np.save(path("x.npy"), shown)
        np.savez(path("resume.npz"), x=x, y=y)
    pred = model.predict(shown, verbose=0)
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    shown_file = path("x.npz") if isinstance(x, dict) else path("x.npy")
    run_jobs(
        folder,
        [{"model": path("m.keras"), "x": shown_file, "out": path("out.npz"), "resume": path("resume.npz")}],
    )
    return pred, np.load(path("out.npz"))


def main(jobs_path: str) -> None:
    import keras

    with open(jobs_path) as f:
        jobs = json.load(f)
    for job in jobs:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a skipped optimizer state must fail the test, not pass quietly
            model = keras.models.load_model(job["model"])
        x = (
            dict(np.load(job["x"])) if job["x"].endswith(".npz") else np.load(job["x"])
        )  # npz: x by input name
        out: dict[str, np.ndarray] = {"pred": model.predict(x, verbose=0)}
        if getattr(model, "optimizer", None) is not None:
            out["loaded_iterations"] = np.int64(model.optimizer.iterations.numpy())
        if job.get("resume"):
            data = np.load(job["resume"])
            names = [k[2:] for k in data.files if k.startswith("x_")]
            fit_x = {k: data[f"x_{k}"] for k in names} if names else data["x"]
            model.fit(fit_x, data["y"], batch_size=16, epochs=1, shuffle=False, verbose=0)
            out.update({f"w{i}": w for i, w in enumerate(model.get_weights())})
            out["iterations"] = np.int64(model.optimizer.iterations.numpy())
        np.savez(job["out"], **out)


if __name__ == "__main__":
    main(sys.argv[1])
