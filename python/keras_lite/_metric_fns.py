"""The per-sample metric functions of Keras 3 (``keras.metrics.mean_absolute_error``, ...), in NumPy."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._metric_base import as_float, squeeze_or_expand

EPSILON = 1e-7


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t, p = as_float(y_true, "y_true"), as_float(y_pred, "y_pred")
    t, p = squeeze_or_expand(t, p)
    return t, p


def _last_axis_mean(values: np.ndarray) -> np.ndarray:
    # Samples without features: NaN, as Keras gives, without NumPy's warning.
    if values.ndim and not values.shape[-1]:
        return np.full(values.shape[:-1], np.nan)
    return values.mean(axis=-1) if values.ndim else values


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    t, p = _pair(y_true, y_pred)
    return _last_axis_mean(np.abs(t - p))


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    t, p = _pair(y_true, y_pred)
    return _last_axis_mean(np.square(t - p))


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> np.ndarray:
    t, p = _pair(y_true, y_pred)
    return 100.0 * _last_axis_mean(np.abs((t - p) / np.maximum(np.abs(t), EPSILON)))


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    raw = np.asarray(y_pred.numpy() if hasattr(y_pred, "numpy") else y_pred)
    t, p = _pair(y_true, raw)
    # As Keras compares them: in the predictions' float precision (float32 for other kinds), against the
    # threshold made a float32 first (a float32 prediction equal to a threshold of 0.3 is not above it).
    work = raw.dtype.type if raw.dtype.kind == "f" else np.float32
    return (t == (p.astype(work) > work(np.float32(threshold)))).astype(np.float64)


def _class_ids(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Sparse labels squeezed from ``(n, 1)`` to ``(n,)`` when the predictions have the same rank."""
    if y_true.ndim == y_pred.ndim and y_true.shape[-1:] == (1,):
        y_true = y_true[..., 0]
    return y_true


def argmax(values: np.ndarray) -> np.ndarray:
    """Each row's argmax as TensorFlow's: the largest value that is not NaN (the first on ties), 0 for a row of
    NaN (NumPy's argmax takes a NaN as the largest)."""
    nan = np.isnan(values)
    if not nan.any():
        return np.argmax(values, axis=-1)
    return np.nanargmax(np.where(nan.all(axis=-1, keepdims=True), 0.0, values), axis=-1)


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    t, p = as_float(y_true, "y_true"), as_float(y_pred, "y_pred")
    return (argmax(t) == argmax(p)).astype(np.float64)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    t, p = as_float(y_true, "y_true"), as_float(y_pred, "y_pred")
    return (_class_ids(t, p) == argmax(p)).astype(np.float64)


def _in_top_k(ids: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """Whether class ``ids[i]`` is among the ``k`` largest of row ``i`` (ties count), as TensorFlow's
    ``in_top_k``: a class id outside the row, or a row with a non-finite score, is a miss."""
    rows = y_pred.reshape(-1, y_pred.shape[-1])
    flat = ids.reshape(-1).astype(np.int64)
    valid = (flat >= 0) & (flat < rows.shape[1]) & np.isfinite(rows).all(axis=1)
    target = rows[np.arange(len(flat)), np.where(valid, flat, 0)]
    hit = valid & ((rows > target[:, None]).sum(axis=1) < k)
    return hit.astype(np.float64).reshape(ids.shape)


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    t, p = as_float(y_true, "y_true"), as_float(y_pred, "y_pred")
    return _in_top_k(argmax(t), p, k)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    t, p = as_float(y_true, "y_true"), as_float(y_pred, "y_pred")
    hits = _in_top_k(_class_ids(t, p), p, k)
    # (n, 1) ids give (n, 1) hits, as Keras reshapes them to y_true's shape.
    return hits.reshape(t.shape) if t.ndim == p.ndim and hits.size == t.size else hits


def accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per value: whether ``y_pred == y_true`` (Keras's ``Accuracy``: exact equality, not a class match)."""
    t, p = _pair(y_true, y_pred)
    return (t == p).astype(np.float64)


def cosine_similarity(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per sample: the dot product of the two rows, each scaled by ``min(1/sqrt(sum(x**2)), 1e7)``, in float32."""
    t, p = _pair(y_true, y_pred)
    t, p = t.astype(np.float32), p.astype(np.float32)

    def scaled(x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            inv = np.float32(1) / np.sqrt(np.sum(x * x, axis=-1, keepdims=True, dtype=np.float32))
        return x * np.minimum(inv, np.float32(1e7))

    return np.asarray(np.sum(scaled(t) * scaled(p), axis=-1, dtype=np.float32), dtype=np.float64)
