#!/usr/bin/env python
"""keras_lite benchmark harness: the workloads listed in bench/README.md, keras_lite beside its peers.

All contenders run in one process, on the same data and the same initial weights.

Usage (see bench/README.md):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/run.py [--only wine,tiny] [--repeat N] [--quick]

Every workload is run by keras_lite (through its public Keras API), by a NumPy implementation of the same
computation, and by PyTorch (CPU), TensorFlow-Keras and ONNX Runtime where they import. A contender that
cannot run is skipped with the reason printed. Results are printed as tables and written as JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
CONTENDERS = ["keras_lite", "numpy", "torch", "tf_keras", "onnxruntime"]
PEERS = ("torch", "tf_keras", "onnxruntime")  # each run in a process of its own
WORKLOADS = ["wine", "tabular", "small", "multiclass", "tiny", "latency", "batch", "stream"]
ENV_VARS = [
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "RAYON_NUM_THREADS",
    "KERAS_BACKEND",
    "KERAS_LITE_DEVICE",
]
SEED = 20240611
DATA_NOTE = (
    "synthetic float32 data from a fixed NumPy seed with each workload's shapes; the red-wine data set is "
    "not shipped, so 'wine' uses random features in [0, 1) and a smooth random target"
)


class Skip(Exception):
    """A contender cannot run here; the message says why."""


# ------------------------------------------------------------------------------------------------
# Workload specs and FLOP counts
# ------------------------------------------------------------------------------------------------


def workload_specs(quick: bool) -> dict[str, dict[str, Any]]:
    wine = {"n_in": 11, "units": [512, 512, 512, 1], "n_train": 1119, "n_val": 480}
    tabular = {"n_in": 32, "units": [256, 256, 1], "n_train": 100_000, "n_val": 0}
    specs: dict[str, dict[str, Any]] = {
        "wine": {"kind": "train", **wine, "batch_size": 256, "epochs": 10},
        "tabular": {"kind": "train", **tabular, "batch_size": 256, "epochs": 3},
        # A thin network in many small steps (9,375 of them): the per-step bookkeeping, not the GEMMs.
        "small": {
            "kind": "train",
            "n_in": 8,
            "units": [16, 16, 1],
            "n_train": 100_000,
            "n_val": 0,
            "batch_size": 32,
            "epochs": 3,
        },
        # The tabular fit again, fed from a keras.utils.PyDataset of 256-row batches beside the in-memory fit.
        "stream": {"kind": "train", **tabular, "batch_size": 256, "epochs": 3, "stream": True},
        # MNIST-shaped: 784 features, 10 classes as integer labels, softmax and sparse categorical crossentropy.
        "multiclass": {
            "kind": "train",
            "n_in": 784,
            "units": [256, 128, 10],
            "classes": 10,
            "n_train": 60_000,
            "n_val": 0,
            "batch_size": 128,
            "epochs": 2,
        },
        "tiny": {"kind": "latency", "n_in": 2, "units": [4, 3, 1], "calls": 5000, "budget_s": 4.0},
        "latency": {"kind": "latency", "n_in": 11, "units": wine["units"], "calls": 5000, "budget_s": 4.0},
        "batch": {
            "kind": "batch",
            "n_in": 32,
            "units": tabular["units"],
            "n_rows": 100_000,
            "big_batch": 8192,
        },
    }
    if quick:
        specs["wine"]["epochs"] = 2
        specs["tabular"].update(n_train=10_000, epochs=1)
        specs["small"].update(n_train=10_000, epochs=1)
        specs["stream"].update(n_train=10_000, epochs=1)
        specs["multiclass"].update(n_train=6_000, epochs=1)
        specs["tiny"].update(calls=300, budget_s=0.5)
        specs["latency"].update(calls=300, budget_s=0.5)
        specs["batch"].update(n_rows=10_000)
    return specs


def layer_dims(spec: dict[str, Any]) -> list[tuple[int, int]]:
    sizes = [spec["n_in"], *spec["units"]]
    return list(zip(sizes[:-1], sizes[1:]))


def forward_flops_per_row(spec: dict[str, Any]) -> int:
    return sum(2 * k * n for k, n in layer_dims(spec))


def training_flops(spec: dict[str, Any]) -> int:
    """GEMM FLOPs of a fit: forward 2mkn per Dense; backward twice that except the first layer's input
    gradient (never needed); plus the validation forward pass each epoch. Elementwise work is not counted."""
    fwd = forward_flops_per_row(spec)
    k1, n1 = layer_dims(spec)[0]
    per_train_row = 3 * fwd - 2 * k1 * n1
    return spec["epochs"] * (spec["n_train"] * per_train_row + spec["n_val"] * fwd)


# ------------------------------------------------------------------------------------------------
# Data and initial weights (shared by every contender)
# ------------------------------------------------------------------------------------------------


# After a product, NumPy's BLAS keeps its worker threads spinning for about 0.1 s (measured here: 0.1 s of
# CPU time in the 0.1 s after one `x @ w`, then none). The data are made with such products just before a
# contender's warm-up and timed fits, so without a pause that spin takes a core from the first fits.
BLAS_SPIN_S = 0.2


def make_data(spec: dict[str, Any], name: str) -> dict[str, np.ndarray]:
    """A workload's data (see DATA_NOTE), returned once NumPy's BLAS threads have gone idle."""
    data = _make_data(spec, name)
    time.sleep(BLAS_SPIN_S)
    return data


def _make_data(spec: dict[str, Any], name: str) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([SEED, sum(map(ord, name))])
    n_in = spec["n_in"]
    if spec["kind"] == "train":
        n = spec["n_train"] + spec["n_val"]
        if name == "wine":  # min-max scaled features and target, as in the course
            x = rng.random((n, n_in), dtype=np.float32)
        else:
            x = rng.standard_normal((n, n_in), dtype=np.float32)
        if spec.get("classes"):
            # Labels from a random linear teacher with noise: learnable, not separable.
            teacher = rng.standard_normal((n_in, spec["classes"])).astype(np.float32) / np.sqrt(n_in)
            scores = x @ teacher + 0.5 * rng.standard_normal((n, spec["classes"]), dtype=np.float32)
            labels = np.argmax(scores, axis=1).astype(np.float32)[:, None]
            t = spec["n_train"]
            return {"x": x[:t], "y": labels[:t], "x_val": x[t:], "y_val": labels[t:]}
        w = rng.standard_normal((n_in, 1)).astype(np.float32) / np.sqrt(n_in)
        y = np.tanh(x @ w) + 0.1 * rng.standard_normal((n, 1), dtype=np.float32)
        if name == "wine":
            y = (y - y.min()) / (y.max() - y.min())
        y = y.astype(np.float32)
        t = spec["n_train"]
        return {"x": x[:t], "y": y[:t], "x_val": x[t:], "y_val": y[t:]}
    if spec["kind"] == "latency":
        return {"x": rng.random((1, n_in), dtype=np.float32)}
    return {"x": rng.standard_normal((spec["n_rows"], n_in), dtype=np.float32)}


def glorot_weights(spec: dict[str, Any], seed: int) -> list[np.ndarray]:
    """Keras-order [kernel (in, out), bias (out,), ...] with glorot_uniform kernels and zero biases."""
    rng = np.random.default_rng(seed)
    out: list[np.ndarray] = []
    for k, n in layer_dims(spec):
        limit = np.sqrt(6.0 / (k + n))
        out.append(rng.uniform(-limit, limit, (k, n)).astype(np.float32))
        out.append(np.zeros(n, np.float32))
    return out


# ------------------------------------------------------------------------------------------------
# Environment and the NumPy GEMM floor
# ------------------------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def threadpool_info() -> list[dict[str, Any]] | str:
    try:
        import threadpoolctl
    except ImportError:
        return "threadpoolctl not installed"
    keep = ("user_api", "internal_api", "num_threads", "version", "architecture", "filepath")
    return [{k: d.get(k) for k in keep} for d in threadpoolctl.threadpool_info()]


def environment() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "env": {k: os.environ.get(k) for k in ENV_VARS},
        "threadpools": threadpool_info(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "data": DATA_NOTE,
    }


def time_product(rng: np.random.Generator, m: int, k: int, n: int, trans_a: bool, quick: bool) -> float:
    """Best seconds NumPy takes for one float32 (m x k) @ (k x n) into a preallocated output, hot (its operands
    reused), over trials of about 0.05 s. `trans_a`: A is the transpose of a stored (k x m) array, as a kernel
    gradient's is. A product with k = 1 is an outer product, which NumPy's matmul computes slowly (70 us for
    256 x 256 on this project's Intel machine, against 26 us for the broadcast multiply), so it is timed as the
    broadcast multiply."""
    a = rng.standard_normal((k, m) if trans_a else (m, k), dtype=np.float32)
    a_op = a.T if trans_a else a
    b = rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), np.float32)

    def product() -> None:
        if k == 1:
            np.multiply(a_op, b, out=c)
        else:
            np.matmul(a_op, b, out=c)

    for _ in range(3):
        product()
    trial_s = 0.02 if quick else 0.05
    reps = 1
    while True:  # pick a repetition count that makes one trial last about trial_s
        t0 = time.perf_counter()
        for _ in range(reps):
            product()
        dt = time.perf_counter() - t0
        if dt >= trial_s or reps >= 1 << 20:
            break
        reps *= 2
    best = dt / reps
    for _ in range(3 if quick else 5):
        t0 = time.perf_counter()
        for _ in range(reps):
            product()
        best = min(best, (time.perf_counter() - t0) / reps)
    return best


def step_products(spec: dict[str, Any]) -> list[tuple[int, int, int, bool]]:
    """The products of one full training step, as (m, k, n, A transposed): per Dense layer its forward
    product, its kernel gradient (inputs^T @ output gradient) and, except for the first layer, its input
    gradient (output gradient @ kernel^T). The same products `training_flops` counts."""
    rows, out = spec["batch_size"], []
    for i, (k, n) in enumerate(layer_dims(spec)):
        out += [(rows, k, n, False), (k, rows, n, True)]
        if i > 0:
            out.append((rows, n, k, False))
    return out


def measure_step_products(spec: dict[str, Any], best_gflops: float, quick: bool) -> dict[str, Any]:
    """How close NumPy itself comes to the floor on a training step's own products: each timed alone and hot
    (the best case for its BLAS), summed. Elementwise work (activations, loss, optimizer, gather) is left out,
    so no fit through these products can reach a larger fraction of the floor with NumPy's GEMM."""
    rng = np.random.default_rng(0)
    shapes = step_products(spec)
    seconds = sum(time_product(rng, m, k, n, t, quick) for m, k, n, t in shapes)
    flops = sum(2 * m * k * n for m, k, n, _ in shapes)
    return {
        "us_per_step": seconds * 1e6,
        "gflops": flops / seconds / 1e9,
        "fraction_of_floor": flops / seconds / 1e9 / best_gflops,
    }


def measure_gemm(quick: bool) -> dict[str, Any]:
    """Best float32 GEMM rate NumPy reaches here, over square and workload-shaped products."""
    shapes: list[tuple[str, int, int, int, bool]] = [
        (f"square {s}", s, s, s, False) for s in ((256, 512, 1024) if quick else (256, 512, 1024, 2048))
    ]
    shapes += [
        ("wine fwd 256x512x512", 256, 512, 512, False),
        ("wine wgrad 512x256x512 (A^T)", 512, 256, 512, True),
        ("wine val 480x512x512", 480, 512, 512, False),
        ("tabular fwd 256x256x256", 256, 256, 256, False),
        ("tabular layer1 256x32x256", 256, 32, 256, False),
        ("batch 8192x256x256", 8192, 256, 256, False),
    ]
    rng = np.random.default_rng(0)
    results = []
    for label, m, k, n, trans_a in shapes:
        seconds = time_product(rng, m, k, n, trans_a, quick)
        results.append({"shape": label, "m": m, "k": k, "n": n, "gflops": 2 * m * k * n / seconds / 1e9})
    best_row = max(results, key=lambda r: r["gflops"])
    return {"best_gflops": best_row["gflops"], "best_shape": best_row["shape"], "shapes": results}


# ------------------------------------------------------------------------------------------------
# Contenders: lazily imported, each import failure becomes a Skip with the reason
# ------------------------------------------------------------------------------------------------

_IMPORTS: dict[str, Any] = {}


def import_contender(name: str) -> Any:
    if name in _IMPORTS:
        if isinstance(_IMPORTS[name], Skip):
            raise _IMPORTS[name]
        return _IMPORTS[name]
    try:
        mod = _import(name)
    except Skip as e:
        _IMPORTS[name] = e
        raise
    except Exception as e:  # an import can fail in many ways (missing .so, ABI, ...)
        _IMPORTS[name] = Skip(f"import failed: {type(e).__name__}: {e}")
        raise _IMPORTS[name] from None
    _IMPORTS[name] = mod
    return mod


def _import(name: str) -> Any:
    if name == "keras_lite":
        try:
            import keras_lite
            from keras_lite import layers
        except ImportError as e:
            raise Skip(f"import keras_lite failed: {e}") from None
        if not hasattr(keras_lite, "Sequential"):
            raise Skip("keras_lite has no Sequential yet")
        return (keras_lite, layers)
    if name == "numpy":
        return np
    if name == "torch":
        try:
            import torch
        except ImportError as e:
            raise Skip(f"PyTorch not installed ({e})") from None
        return torch
    if name == "tf_keras":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        try:
            import keras
        except ImportError as e:
            raise Skip(f"Keras (TensorFlow) not installed ({e})") from None
        if keras.backend.backend() != "tensorflow":
            raise Skip(f"KERAS_BACKEND is {keras.backend.backend()!r}, not 'tensorflow'")
        return (keras, keras.layers)
    if name == "onnxruntime":
        try:
            import onnxruntime
        except ImportError as e:
            raise Skip(f"ONNX Runtime not installed ({e})") from None
        try:
            import onnx  # noqa: F401
        except ImportError as e:
            raise Skip(f"the 'onnx' package (used to build the graph) is not installed ({e})") from None
        return onnxruntime
    raise ValueError(name)


def version_of(name: str) -> str:
    try:
        mod = import_contender(name)
    except Skip as e:
        return f"skipped: {e}"
    if isinstance(mod, tuple):
        mod = mod[0]
    out = str(getattr(mod, "__version__", "unknown"))
    if name == "torch":
        out += f" (intra-op threads {mod.get_num_threads()})"
    if name == "onnxruntime":
        out += f" (providers {mod.get_available_providers()})"
    return out


# --- Keras API (keras_lite and TensorFlow-Keras share this code) --------------------------------


def build_keras_model(keras: Any, layers: Any, spec: dict[str, Any], weights: list[np.ndarray]) -> Any:
    """The course's way: Sequential of Dense with input_shape on the first layer, relu hidden, linear out
    (softmax for a classifier)."""
    units = spec["units"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras 3 warns about input_shape= on a layer
        model = keras.Sequential(
            [layers.Dense(units[0], activation="relu", input_shape=[spec["n_in"]])]
            + [layers.Dense(u, activation="relu") for u in units[1:-1]]
            + [layers.Dense(units[-1], activation="softmax" if spec.get("classes") else None)]
        )
    model.set_weights(weights)
    return model


def batches_of(keras: Any, x: np.ndarray, y: np.ndarray, batch_size: int) -> Any:
    """A keras.utils.PyDataset of the rows in order, `batch_size` at a time (the last partial batch kept)."""

    class Batches(keras.utils.PyDataset):
        def __len__(self) -> int:
            return -(-len(x) // batch_size)

        def __getitem__(self, i: int) -> Any:
            return x[i * batch_size : (i + 1) * batch_size], y[i * batch_size : (i + 1) * batch_size]

    return Batches()


class KerasTrainer:
    def __init__(
        self,
        lib: tuple[Any, Any],
        spec: dict[str, Any],
        data: dict,
        weights: list[np.ndarray],
        stream: bool = False,
    ):
        keras, layers = lib
        self.spec, self.data = spec, data
        self.batches = batches_of(keras, data["x"], data["y"], spec["batch_size"]) if stream else None
        self.model = build_keras_model(keras, layers, spec, weights)
        self.model.compile(
            optimizer="adam", loss="sparse_categorical_crossentropy" if spec.get("classes") else "mae"
        )

    def fit(self, epochs: int) -> dict[str, float]:
        d, s = self.data, self.spec
        val = (d["x_val"], d["y_val"]) if s["n_val"] else None
        if self.batches is not None:
            h = self.model.fit(self.batches, validation_data=val, shuffle=False, epochs=epochs, verbose=0)
            return {k: float(v[-1]) for k, v in h.history.items()}
        h = self.model.fit(
            d["x"], d["y"], validation_data=val, batch_size=s["batch_size"], epochs=epochs, verbose=0
        )
        return {k: float(v[-1]) for k, v in h.history.items()}


def keras_predictors(lib: tuple[Any, Any], spec: dict[str, Any], weights: list[np.ndarray]) -> dict:
    keras, layers = lib
    model = build_keras_model(keras, layers, spec, weights)
    fns: dict[str, Callable[[np.ndarray], Any]] = {"predict": lambda x: model.predict(x, verbose=0)}
    if spec["kind"] == "batch":
        bs = spec["big_batch"]
        fns[f"predict(batch_size={bs})"] = lambda x: model.predict(x, batch_size=bs, verbose=0)
    fns["call"] = lambda x: model(x)
    return fns


# --- NumPy -----------------------------------------------------------------------------------------


class NumpyTrainer:
    """Forward, MAE, backward and Keras Adam in float32 NumPy, with preallocated buffers and in-place ops;
    a new permutation every epoch, the last partial batch kept, validation after each epoch."""

    def __init__(self, spec: dict[str, Any], data: dict, weights: list[np.ndarray]):
        self.spec, self.data = spec, data
        self.params = [w.copy() for w in weights]
        self.m = [np.zeros_like(w) for w in weights]
        self.v = [np.zeros_like(w) for w in weights]
        self.tmp = [np.empty_like(w) for w in weights]
        self.grads = [np.empty_like(w) for w in weights]
        self.iterations = 0
        self.rng = np.random.default_rng(1)
        self.n_layers = len(weights) // 2
        b, n_in = spec["batch_size"], spec["n_in"]
        self.xb = np.empty((b, n_in), np.float32)
        self.yb = np.empty((b, 1), np.float32)
        self.acts = [np.empty((b, u), np.float32) for u in spec["units"]]
        self.deltas = [np.empty((b, u), np.float32) for u in spec["units"]]

    def _step(self, rows: int) -> float:
        p, acts, deltas = self.params, self.acts, self.deltas
        xb, yb = self.xb[:rows], self.yb[:rows]
        a = xb
        outs = []
        for i in range(self.n_layers):
            z = acts[i][:rows]
            np.matmul(a, p[2 * i], out=z)
            z += p[2 * i + 1]
            if i < self.n_layers - 1:
                np.maximum(z, 0, out=z)
            outs.append(z)
            a = z
        d = deltas[-1][:rows]
        if self.spec.get("classes"):
            # Softmax and crossentropy fused: d = (softmax(z) - onehot(y)) / rows.
            labels = yb[:, 0].astype(np.int64)
            np.subtract(a, a.max(axis=1, keepdims=True), out=d)
            np.exp(d, out=d)
            d /= d.sum(axis=1, keepdims=True)
            loss = float(-np.log(np.maximum(d[np.arange(rows), labels], 1e-7)).mean())
            d[np.arange(rows), labels] -= 1.0
            d *= np.float32(1.0 / rows)
        else:
            np.subtract(a, yb, out=d)
            loss = float(np.abs(d).mean())
            np.sign(d, out=d)
            d *= np.float32(1.0 / (rows * d.shape[1]))
        for i in range(self.n_layers - 1, -1, -1):
            a_in = xb if i == 0 else outs[i - 1]
            np.matmul(a_in.T, d, out=self.grads[2 * i])
            np.sum(d, axis=0, out=self.grads[2 * i + 1])
            if i > 0:
                d_prev = deltas[i - 1][:rows]
                np.matmul(d, p[2 * i].T, out=d_prev)
                d_prev *= outs[i - 1] > 0  # relu'(z) == (relu(z) > 0)
                d = d_prev
        self._adam()
        return loss

    def _adam(self, lr: float = 0.001, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-7) -> None:
        self.iterations += 1
        t = self.iterations
        # As Keras computes it: powers of float32(beta) in float32. float32(0.999) is 0.99900001, which moves
        # 1 - beta_2**t by 1.3e-5 relative; a float64 alpha drifts visibly from Keras within a few epochs.
        f = np.float32
        alpha = f(lr) * np.sqrt(f(1) - np.power(f(b2), f(t))) / (f(1) - np.power(f(b1), f(t)))
        for p, g, m, v, tmp in zip(self.params, self.grads, self.m, self.v, self.tmp):
            np.subtract(g, m, out=tmp)
            tmp *= np.float32(1 - b1)
            m += tmp  # m += (g - m)(1 - b1)
            np.square(g, out=tmp)
            tmp -= v
            tmp *= np.float32(1 - b2)
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += np.float32(eps)
            np.divide(m, tmp, out=tmp)
            tmp *= alpha
            p -= tmp  # w -= alpha m / (sqrt(v) + eps)

    def fit(self, epochs: int) -> dict[str, float]:
        x, y, b = self.data["x"], self.data["y"], self.spec["batch_size"]
        n = len(x)
        logs: dict[str, float] = {}
        for _ in range(epochs):
            perm = self.rng.permutation(n)
            total = 0.0
            for lo in range(0, n, b):
                idx = perm[lo : lo + b]
                rows = len(idx)
                np.take(x, idx, axis=0, out=self.xb[:rows])
                np.take(y, idx, axis=0, out=self.yb[:rows])
                total += self._step(rows) * rows
            logs = {"loss": total / n}
            if self.spec["n_val"]:
                pred = numpy_forward(self.params, self.data["x_val"])
                logs["val_loss"] = _val_loss(self.spec, pred, self.data["y_val"])
        return logs


def _val_loss(spec: dict[str, Any], pred: np.ndarray, y: np.ndarray) -> float:
    """The workload's loss on the validation rows: crossentropy of the logits for a classifier, else MAE."""
    if not spec.get("classes"):
        return float(np.abs(pred - y).mean())
    z = pred - pred.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y[:, 0].astype(np.int64)].mean())


def numpy_forward(weights: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """The matmul chain: x @ K + b, relu on every layer but the last."""
    a = x
    n = len(weights) // 2
    for i in range(n):
        a = a @ weights[2 * i]
        a += weights[2 * i + 1]
        if i < n - 1:
            np.maximum(a, 0, out=a)
    return a


# --- PyTorch ---------------------------------------------------------------------------------------


def torch_model(torch: Any, weights: list[np.ndarray]) -> Any:
    mods: list[Any] = []
    n = len(weights) // 2
    for i in range(n):
        k, b = weights[2 * i], weights[2 * i + 1]
        lin = torch.nn.Linear(k.shape[0], k.shape[1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(k.T)))
            lin.bias.copy_(torch.from_numpy(b))
        mods.append(lin)
        if i < n - 1:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


class TorchTrainer:
    def __init__(self, torch: Any, spec: dict[str, Any], data: dict, weights: list[np.ndarray]):
        self.torch, self.spec = torch, spec
        self.model = torch_model(torch, weights)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=0.001, eps=1e-7)
        self.loss_fn = torch.nn.CrossEntropyLoss() if spec.get("classes") else torch.nn.L1Loss()
        self.t = {k: torch.from_numpy(v) for k, v in data.items()}
        if spec.get("classes"):  # class ids as int64, one per row
            self.t.update({k: torch.from_numpy(data[k][:, 0].astype(np.int64)) for k in ("y", "y_val")})
        self.gen = torch.Generator().manual_seed(1)

    def fit(self, epochs: int) -> dict[str, float]:
        torch, t, b = self.torch, self.t, self.spec["batch_size"]
        n = len(t["x"])
        logs: dict[str, float] = {}
        for _ in range(epochs):
            perm = torch.randperm(n, generator=self.gen)
            total = 0.0
            self.model.train()
            for lo in range(0, n, b):
                idx = perm[lo : lo + b]
                self.opt.zero_grad(set_to_none=True)
                loss = self.loss_fn(self.model(t["x"][idx]), t["y"][idx])
                loss.backward()
                self.opt.step()
                total += loss.item() * len(idx)
            logs = {"loss": total / n}
            if self.spec["n_val"]:
                self.model.eval()
                with torch.inference_mode():
                    logs["val_loss"] = self.loss_fn(self.model(t["x_val"]), t["y_val"]).item()
        return logs


def torch_predictors(torch: Any, spec: dict[str, Any], weights: list[np.ndarray]) -> dict:
    model = torch_model(torch, weights).eval()

    def forward(x: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return model(torch.from_numpy(x)).numpy()

    return {"forward": forward}


# --- ONNX Runtime ----------------------------------------------------------------------------------


def onnx_predictors(ort: Any, spec: dict[str, Any], weights: list[np.ndarray]) -> dict:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []
    n = len(weights) // 2
    cur = "x"
    for i in range(n):
        inits.append(numpy_helper.from_array(weights[2 * i], f"W{i}"))
        inits.append(numpy_helper.from_array(weights[2 * i + 1], f"B{i}"))
        out = "y" if i == n - 1 else f"h{i}"
        gemm_out = out if i == n - 1 else f"g{i}"
        nodes.append(helper.make_node("Gemm", [cur, f"W{i}", f"B{i}"], [gemm_out]))
        if i < n - 1:
            nodes.append(helper.make_node("Relu", [gemm_out], [out]))
        cur = out
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", spec["n_in"]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", spec["units"][-1]])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    return {"run": lambda x: sess.run(None, {"x": x})[0]}


def predictors(name: str, spec: dict[str, Any], weights: list[np.ndarray]) -> dict:
    lib = import_contender(name)
    if name in ("keras_lite", "tf_keras"):
        return keras_predictors(lib, spec, weights)
    if name == "numpy":
        return {"forward": lambda x: numpy_forward(weights, x)}
    if name == "torch":
        return torch_predictors(lib, spec, weights)
    if name == "onnxruntime":
        return onnx_predictors(lib, spec, weights)
    raise ValueError(name)


def trainer(name: str, spec: dict[str, Any], data: dict, weights: list[np.ndarray], api: str = "fit") -> Any:
    lib = import_contender(name)
    if name in ("keras_lite", "tf_keras"):
        return KerasTrainer(lib, spec, data, weights, stream=api == STREAM_API)
    if spec.get("stream"):
        raise Skip("the stream workload compares Keras's PyDataset with in-memory arrays (Keras APIs only)")
    if name == "numpy":
        return NumpyTrainer(spec, data, weights)
    if name == "torch":
        return TorchTrainer(lib, spec, data, weights)
    raise Skip("inference only (no training API)")


# ------------------------------------------------------------------------------------------------
# Runners
# ------------------------------------------------------------------------------------------------


def _error_row(name: str, api: str, e: BaseException) -> dict[str, Any]:
    if isinstance(e, Skip):
        return {"contender": name, "api": api, "status": "skipped", "reason": str(e)}
    tb = traceback.format_exception_only(type(e), e)[-1].strip()
    return {"contender": name, "api": api, "status": "error", "reason": tb}


STREAM_API = "fit(PyDataset)"


def run_train(name: str, spec: dict[str, Any], data: dict, w0: list[np.ndarray], repeat: int) -> list:
    if not spec.get("stream"):
        return run_train_api(name, spec, data, w0, repeat, "fit")
    rows = run_train_api(name, spec, data, w0, repeat, "fit")
    if name in ("keras_lite", "tf_keras"):
        rows += run_train_api(name, spec, data, w0, repeat, STREAM_API)
        if rows[0]["status"] == "ok" and rows[1]["status"] == "ok":
            rows[1]["vs_in_memory"] = rows[1]["median_s"] / rows[0]["median_s"]
    return rows


# Timed fits of a cheap training run (and calls of a cheap batch predict): repeated until this many seconds
# of them, at most CHEAP_MAX_REPEAT.
CHEAP_BUDGET_S = 2.0
CHEAP_MAX_REPEAT = 15


def run_train_api(
    name: str, spec: dict[str, Any], data: dict, w0: list[np.ndarray], repeat: int, api: str
) -> list:
    row: dict[str, Any] = {"contender": name, "api": api}
    try:
        tr = trainer(name, spec, data, w0, api)
        t0 = time.perf_counter()
        tr.fit(1)  # warm-up: builds plans, traces graphs, touches every buffer
        row["first_call_s"] = time.perf_counter() - t0
        times: list[float] = []
        logs: dict[str, float] = {}
        i = 0
        # At least `repeat` fits; a cheap fit is repeated until CHEAP_BUDGET_S of timed fits (at most
        # CHEAP_MAX_REPEAT), so that one fit slowed by another process moves the median of a 20 ms fit no
        # more than that of a 1 s one.
        while i < repeat or (sum(times) < CHEAP_BUDGET_S and i < max(repeat, CHEAP_MAX_REPEAT)):
            gc.collect()
            t0 = time.perf_counter()
            out = tr.fit(spec["epochs"])
            times.append(time.perf_counter() - t0)
            if i == 0:
                logs = out
            if times[-1] > 30 and i + 1 < repeat:  # not cheap: one more repeat is enough
                repeat = min(repeat, i + 2)
            i += 1
    except Exception as e:
        return [_error_row(name, api, e)]
    row.update(status="ok", median_s=statistics.median(times), min_s=min(times), times_s=times)
    # Per training step: the timed fits run `epochs` epochs, the warm-up fit one.
    per_epoch = -(-spec["n_train"] // spec["batch_size"])
    row["us_per_step"] = row["median_s"] / (per_epoch * spec["epochs"]) * 1e6
    row["first_us_per_step"] = row["first_call_s"] / per_epoch * 1e6
    row.update({f"final_{k}": v for k, v in logs.items()})
    return [row]


def measure_latency(fn: Callable[[], Any], calls: int, budget_s: float) -> dict[str, Any]:
    for _ in range(max(5, min(50, calls // 20))):
        fn()
    times = []
    deadline = time.perf_counter() + budget_s
    min_calls = min(calls, 50)
    for i in range(calls):
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
        if i >= min_calls and time.perf_counter() > deadline:
            break
    us = np.array(times) / 1e3
    return {
        "p50_us": float(np.percentile(us, 50)),
        "p99_us": float(np.percentile(us, 99)),
        "mean_us": float(us.mean()),
        "calls": len(us),
    }


def _as_numpy(out: Any) -> np.ndarray:
    return np.asarray(out.numpy() if hasattr(out, "numpy") else out, dtype=np.float32)


def run_predict(name: str, spec: dict[str, Any], data: dict, w0: list[np.ndarray], repeat: int) -> list:
    try:
        fns = predictors(name, spec, w0)
    except Exception as e:
        return [_error_row(name, "predict", e)]
    x = data["x"]
    expected = numpy_forward(w0, x)
    rows = []
    for api, fn in fns.items():
        row: dict[str, Any] = {"contender": name, "api": api}
        try:
            gc.collect()
            got = _as_numpy(fn(x))
            row["max_abs_diff_vs_numpy"] = float(np.max(np.abs(got.reshape(expected.shape) - expected)))
            if spec["kind"] == "latency":
                row.update(measure_latency(lambda fn=fn: fn(x), spec["calls"], spec["budget_s"]))
            else:
                times: list[float] = []
                # As for training: a cheap predict is repeated until CHEAP_BUDGET_S of them.
                while len(times) < repeat or (sum(times) < CHEAP_BUDGET_S and len(times) < CHEAP_MAX_REPEAT):
                    gc.collect()
                    t0 = time.perf_counter()
                    fn(x)
                    times.append(time.perf_counter() - t0)
                row.update(median_s=statistics.median(times), min_s=min(times), times_s=times)
            row["status"] = "ok"
        except Exception as e:
            row = _error_row(name, api, e)
        rows.append(row)
    return rows


def metric_of(kind: str) -> str:
    return "p50_us" if kind == "latency" else "median_s"


def keras_lite_pair(api: str) -> str:
    """Which keras_lite row a row is compared with: like for like for Keras APIs, else the direct call."""
    if api in ("fit", "call", STREAM_API) or api.startswith("predict"):
        return api
    return "call"


def add_ratios(kind: str, rows: list[dict[str, Any]], floor_s: float | None) -> None:
    key = metric_of(kind)
    kl = {r["api"]: r[key] for r in rows if r["contender"] == "keras_lite" and r["status"] == "ok"}
    for r in rows:
        if r["status"] != "ok":
            continue
        pair = keras_lite_pair(r["api"])
        if r["contender"] != "keras_lite" and pair in kl and kl[pair] > 0:
            r["vs_keras_lite"] = {"keras_lite_api": pair, "ratio": r[key] / kl[pair]}
        if floor_s is not None:
            r["fraction_of_floor"] = floor_s / r[key]
    if kind == "train":
        add_torch_ratios(rows)


def add_torch_ratios(rows: list[dict[str, Any]]) -> None:
    """On keras_lite's `fit` row: PyTorch's time over keras_lite's, warm (the medians of the timed fits) and
    cold (the 1-epoch warm-up fits, `first s`, where PyTorch pays its one-time set-up)."""
    ok = [r for r in rows if r["status"] == "ok" and r["api"] == "fit"]
    kl = next((r for r in ok if r["contender"] == "keras_lite"), None)
    torch = next((r for r in ok if r["contender"] == "torch"), None)
    if kl and torch and kl["median_s"] > 0 and kl["first_call_s"] > 0:
        kl["vs_torch"] = {
            "warm": torch["median_s"] / kl["median_s"],
            "cold": torch["first_call_s"] / kl["first_call_s"],
        }


# ------------------------------------------------------------------------------------------------
# Printing
# ------------------------------------------------------------------------------------------------


def _fmt(v: float | None, unit: str = "") -> str:
    if v is None:
        return "-"
    if unit == "us":
        return f"{v:,.1f}" if v < 1000 else f"{v:,.0f}"
    return f"{v:.3f}" if v < 100 else f"{v:.1f}"


def _fmt_ratio(r: float) -> str:
    return f"{r:.3g}x" if r < 100 else f"{r:,.0f}x"


def describe(name: str, spec: dict[str, Any]) -> str:
    arch = "-".join(str(u) for u in [spec["n_in"], *spec["units"]])
    if spec["kind"] == "train":
        val = f" + {spec['n_val']:,} val" if spec["n_val"] else ""
        head = (
            "relu, softmax out, adam, sparse categorical crossentropy"
            if spec.get("classes")
            else "relu, adam, mae"
        )
        fed = ", fed from a keras.utils.PyDataset and from arrays" if spec.get("stream") else ""
        return (
            f"train {arch} {head}, {spec['n_train']:,} train{val} rows, "
            f"batch {spec['batch_size']}, {spec['epochs']} epochs{fed}"
        )
    if spec["kind"] == "latency":
        return (
            f"one-row predict through {arch}, up to {spec['calls']:,} calls or {spec['budget_s']} s per row"
        )
    return f"predict {spec['n_rows']:,} x {spec['n_in']} rows through {arch}"


def print_workload(name: str, w: dict[str, Any]) -> None:
    spec, kind = w["spec"], w["spec"]["kind"]
    print(f"\n== {name}: {describe(name, spec)}")
    if w.get("flops"):
        print(
            f"   {w['flops'] / 1e9:.2f} GFLOP; floor {w['floor_s']:.4f} s at {w['gemm_gflops']:.1f} GFLOP/s "
            "(best NumPy f32 GEMM)"
        )
    if "numpy_step_products" in w:
        p = w["numpy_step_products"]
        print(
            f"   NumPy's products of one step alone and hot: {p['us_per_step']:.1f} us = {p['gflops']:.1f} "
            f"GFLOP/s = {p['fraction_of_floor']:.3f} of the floor"
        )
    if kind == "latency":
        head = f"   {'contender':<12} {'api':<26} {'p50 us':>10} {'p99 us':>10} {'calls':>6} {'x kl':>8}"
        head += f" {'max|diff|':>9}  kl row"
    else:
        head = f"   {'contender':<12} {'api':<26} {'median s':>9} {'min s':>8} {'first s':>8} {'x kl':>8}"
        head += f" {'of floor':>8}" + (f" {'us/step':>8}" if kind == "train" else "")
        head += "  final loss / val" if kind == "train" else f" {'max|diff|':>9}  kl row"
    print(head)
    for r in w["rows"]:
        if r["status"] != "ok":
            print(f"   {r['contender']:<12} {r['api']:<26} {r['status']}: {r['reason']}")
            continue
        ratio = r.get("vs_keras_lite", {})
        x_kl = _fmt_ratio(ratio["ratio"]) if ratio else ("1.00x" if r["contender"] == "keras_lite" else "-")
        pair = ratio.get("keras_lite_api", "")
        diff = f"{r['max_abs_diff_vs_numpy']:.1e}" if "max_abs_diff_vs_numpy" in r else ""
        if kind == "latency":
            line = f"   {r['contender']:<12} {r['api']:<26} {_fmt(r['p50_us'], 'us'):>10} "
            line += f"{_fmt(r['p99_us'], 'us'):>10} {r['calls']:>6} {x_kl:>8} {diff:>9}  {pair}"
        else:
            frac = f"{r['fraction_of_floor']:.3f}" if "fraction_of_floor" in r else "-"
            line = f"   {r['contender']:<12} {r['api']:<26} {_fmt(r['median_s']):>9} {_fmt(r['min_s']):>8} "
            line += f"{_fmt(r.get('first_call_s')):>8} {x_kl:>8} {frac:>8}"
            if kind == "train":
                line += f" {_fmt(r.get('us_per_step'), 'us'):>8}"
                val = r.get("final_val_loss")
                line += f"  {r.get('final_loss', float('nan')):.4f}" + (
                    f" / {val:.4f}" if val is not None else ""
                )
                if "vs_in_memory" in r:
                    line += f"  ({r['vs_in_memory']:.2f}x the in-memory fit)"
            else:
                line += f" {diff:>9}  {pair}"
        print(line)
    for r in w["rows"]:
        if "vs_torch" in r:
            t = r["vs_torch"]
            print(
                f"   keras_lite {r['us_per_step']:,.2f} us/step ({r['first_us_per_step']:,.2f} in its first fit); "
                f"PyTorch / keras_lite: warm {_fmt_ratio(t['warm'])} (median s), cold {_fmt_ratio(t['cold'])} "
                "(first s: the 1-epoch warm-up fits)"
            )


def summary(workloads: dict[str, Any]) -> list[dict[str, Any]]:
    """One line per (workload, keras_lite API): each contender's matching row, as time and ratio."""
    out = []
    for name, w in workloads.items():
        kind = w["spec"]["kind"]
        key = metric_of(kind)
        apis = (
            (["fit", STREAM_API] if w["spec"].get("stream") else ["fit"])
            if kind == "train"
            else ["predict", "call"]
        )
        for api in apis:
            line: dict[str, Any] = {"workload": name, "api": api, "metric": key}
            for c in CONTENDERS:
                rows = [
                    r
                    for r in w["rows"]
                    if r["contender"] == c
                    and r["status"] == "ok"
                    and (
                        r["api"] == api
                        if c in ("keras_lite", "tf_keras")
                        else keras_lite_pair(r["api"]) == api
                    )
                ]
                if rows:
                    best = min(rows, key=lambda r: r[key])
                    line[c] = {"value": best[key], "ratio": best.get("vs_keras_lite", {}).get("ratio")}
            if len(line) > 3:
                out.append(line)
    return out


def print_summary(lines: list[dict[str, Any]]) -> None:
    print("\n== summary: peer time / keras_lite time (above 1.00x: keras_lite is faster)")
    print(f"   {'workload':<9} {'api':<8} {'metric':<9}" + "".join(f" {c:>18}" for c in CONTENDERS))
    for line in lines:
        cells = []
        for c in CONTENDERS:
            cell = line.get(c)
            if not cell:
                cells.append(f" {'-':>18}")
                continue
            v = _fmt(cell["value"], "us" if line["metric"] == "p50_us" else "")
            r = f" ({_fmt_ratio(cell['ratio'])})" if cell["ratio"] is not None else ""
            cells.append(f" {v + r:>18}")
        print(f"   {line['workload']:<9} {line['api']:<8} {line['metric']:<9}" + "".join(cells))


# ------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------


def print_gemm(gemm: dict[str, Any]) -> None:
    for s in gemm["shapes"]:
        print(f"   {s['shape']:<30} {s['gflops']:8.1f} GFLOP/s")
    print(f"   best: {gemm['best_gflops']:.1f} GFLOP/s ({gemm['best_shape']})")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--only", default=",".join(WORKLOADS), help=f"comma-separated workloads ({','.join(WORKLOADS)})"
    )
    p.add_argument(
        "--contenders",
        default=",".join(CONTENDERS),
        help=f"comma-separated contenders ({','.join(CONTENDERS)})",
    )
    p.add_argument(
        "--repeat", type=int, default=3, help="timed repeats for training and batch predict (median)"
    )
    p.add_argument("--quick", action="store_true", help="smaller sizes and fewer calls: a smoke test")
    p.add_argument("--json", default=str(HERE / "results.json"), help="where to write the JSON results")
    p.add_argument("--worker", help=argparse.SUPPRESS)  # internal: run one peer, write rows to --json
    args = p.parse_args(argv)
    for attr, known in (("only", WORKLOADS), ("contenders", CONTENDERS)):
        chosen = [s.strip() for s in getattr(args, attr).split(",") if s.strip()]
        bad = [s for s in chosen if s not in known]
        if bad or not chosen:
            p.error(f"--{attr}: unknown {bad or 'empty list'}; choose from {','.join(known)}")
        setattr(args, attr, chosen)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    return args


def run_contender(c: str, args: argparse.Namespace, specs: dict[str, Any]) -> dict[str, Any]:
    """All chosen workloads for one contender, in this process. Returns its version info and rows."""
    info: dict[str, Any] = {"version": version_of(c)}
    if c in PEERS:
        info["threadpools"] = threadpool_info()
    rows: dict[str, list] = {}
    for name in args.only:
        print(f"   {c}: {name} ...", flush=True)
        spec = specs[name]
        run = run_train if spec["kind"] == "train" else run_predict
        rows[name] = run(c, spec, make_data(spec, name), glorot_weights(spec, seed=SEED), args.repeat)
    info["rows"] = rows
    return info


def run_peer_isolated(c: str, args: argparse.Namespace) -> dict[str, Any]:
    """A peer runs in its own process, so its thread pools and libraries (TensorFlow, PyTorch and ONNX
    Runtime each bring some, and two of them embed LLVM) never share a process with keras_lite's timing."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rows.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", c, "--json", str(out)]
        cmd += ["--only", ",".join(args.only), "--repeat", str(args.repeat)] + (
            ["--quick"] if args.quick else []
        )
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
        proc = subprocess.run(cmd, stdout=None, stderr=subprocess.PIPE, text=True, env=env)
        if proc.returncode == 0 and out.exists():
            return json.loads(out.read_text())
    tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
    reason = f"worker process exited with {proc.returncode}: {tail}"
    rows = {name: [{"contender": c, "api": "-", "status": "error", "reason": reason}] for name in args.only}
    return {"version": f"error: {reason}", "rows": rows}


def worker_main(args: argparse.Namespace) -> int:
    specs = workload_specs(args.quick)
    info = run_contender(args.worker, args, specs)
    Path(args.json).write_text(json.dumps(info))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker_main(args)
    specs = workload_specs(args.quick)
    env = environment()
    print(
        "keras_lite benchmark"
        + (" (--quick: reduced sizes, not comparable to full runs)" if args.quick else "")
    )
    print(
        f"   python {env['python']}, numpy {env['numpy']}, {env['cpu']} x{env['cpu_count']}, "
        f"{env['platform']}"
    )
    set_vars = ", ".join(f"{k}={v}" for k, v in env["env"].items() if v is not None)
    print(f"   env: {set_vars or '(none of ' + ', '.join(ENV_VARS) + ' set)'}")
    if env["env"].get("OPENBLAS_CORETYPE") or env["env"].get("OPENBLAS_L2_SIZE"):
        print(
            "   WARNING: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set and can slow NumPy's GEMM; for "
            "benchmarking run `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/run.py`"
        )
    print(f"   data: {DATA_NOTE}")
    tp = env["threadpools"]
    for d in tp if isinstance(tp, list) else []:
        print(
            f"   threadpool: {d['internal_api']} {d['version']} ({d['architecture']}), "
            f"{d['num_threads']} threads, {d['filepath']}"
        )
    if isinstance(tp, str):
        print(f"   threadpool: {tp}")
    if env["load_average"]:
        load = env["load_average"]
        print(f"   load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (other work skews timings)")

    # The GEMM floor is measured before anything else is imported, and again at the end; the best counts.
    print("\nmeasuring NumPy f32 GEMM rate ...", flush=True)
    gemm = measure_gemm(args.quick)
    print_gemm(gemm)

    contenders: dict[str, Any] = {}
    print("\nrunning ...", flush=True)
    for c in args.contenders:
        contenders[c] = run_peer_isolated(c, args) if c in PEERS else run_contender(c, args, specs)

    print("\nmeasuring NumPy f32 GEMM rate again ...", flush=True)
    gemm_end = measure_gemm(args.quick)
    print_gemm(gemm_end)
    best = max(gemm["best_gflops"], gemm_end["best_gflops"])
    print(f"   best of both: {best:.1f} GFLOP/s (the floor below uses it)")

    print()
    for c, info in contenders.items():
        print(f"   {c}: {info['version']}")
    workloads: dict[str, Any] = {}
    for name in args.only:
        spec = specs[name]
        w: dict[str, Any] = {"spec": spec, "rows": []}
        floor_s = None
        if spec["kind"] == "train":
            w["flops"] = training_flops(spec)
        elif spec["kind"] == "batch":
            w["flops"] = spec["n_rows"] * forward_flops_per_row(spec)
        if "flops" in w:
            floor_s = w["flops"] / (best * 1e9)
            w.update(floor_s=floor_s, gemm_gflops=best)
        if spec["kind"] == "train":
            w["numpy_step_products"] = measure_step_products(spec, best, args.quick)
        for c in args.contenders:
            w["rows"] += contenders[c]["rows"][name]
        add_ratios(spec["kind"], w["rows"], floor_s)
        workloads[name] = w
        print_workload(name, w)

    lines = summary(workloads)
    print_summary(lines)
    result = {
        "meta": {
            **env,
            "contenders": {
                c: {k: v for k, v in info.items() if k != "rows"} for c, info in contenders.items()
            },
            "quick": args.quick,
            "repeat": args.repeat,
            "argv": sys.argv[1:],
        },
        "gemm": {"best_gflops": best, "start": gemm, "end": gemm_end},
        "workloads": workloads,
        "summary": lines,
    }
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
