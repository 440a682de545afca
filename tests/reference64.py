"""Float64 NumPy references for keras_lite's ops, shared by test_ops.py and test_gradients.py.

Formulas follow Keras 3 (its activations, losses and BatchNormalization). Everything here computes in float64 from
whatever values it is given, so a test feeds it the float32 values keras_lite saw and compares with a
float32 tolerance.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_erf = np.vectorize(math.erf, otypes=[np.float64])


def sigmoid64(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # = 1 / (1 + e^-x), without overflow warnings


def softmax64(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


REF_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "sigmoid": sigmoid64,
    "tanh": np.tanh,
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0.0))),
    "silu": lambda x: x * sigmoid64(x),
    "swish": lambda x: x * sigmoid64(x),
    "gelu": lambda x: 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0))),  # exact form, approximate=False
    "softplus": lambda x: np.logaddexp(0.0, x),
    "softsign": lambda x: x / (1.0 + np.abs(x)),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),  # Keras 3 default negative_slope=0.2
    "relu6": lambda x: np.clip(x, 0.0, 6.0),
    "hard_sigmoid": lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),  # Keras 3: relu6(x + 3) / 6
    "exponential": np.exp,
    "softmax": softmax64,
    "mish": lambda x: x * np.tanh(np.logaddexp(0.0, x)),
    "celu": lambda x: np.maximum(x, 0.0) + np.expm1(np.minimum(x, 0.0)),  # alpha=1
    "hard_silu": lambda x: x * np.clip(x + 3.0, 0.0, 6.0) / 6.0,
    "hard_swish": lambda x: x * np.clip(x + 3.0, 0.0, 6.0) / 6.0,
    # Keras 3.15's (keras/src/backend/tensorflow/nn.py), with their default arguments.
    "hard_tanh": lambda x: np.clip(x, -1.0, 1.0),
    "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0.0),
    "soft_shrink": lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0.0)),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "log_sigmoid": lambda x: -np.logaddexp(0.0, -x),
    "sparse_plus": lambda x: np.where(x <= -1, 0.0, np.where(x < 1, 0.25 * (x + 1) ** 2, x)),
    "squareplus": lambda x: (x + np.sqrt(x * x + 4.0)) / 2,
    "sparse_sigmoid": lambda x: np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, 0.5 * (x + 1))),
    "log_softmax": lambda x: (
        (x - x.max(axis=-1, keepdims=True))
        - np.log(np.exp(x - x.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True))
    ),
}
ACTIVATION_NAMES = sorted(REF_ACTIVATIONS)


def ref_activation(name: str, x: Any) -> np.ndarray:
    return REF_ACTIVATIONS[name](np.asarray(x, dtype=np.float64))


def ref_loss_per_sample(
    kind: str,
    y_true: Any,
    y_pred: Any,
    *,
    delta: float = 1.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """Keras's per-sample loss: the element loss averaged over the last axis.

    ``kind`` is ``mae``, ``mse``, ``huber`` or ``bce``; for ``bce`` without ``from_logits`` the predictions
    are clipped to ``[1e-7, 1 - 1e-7]`` as float32 rounds those bounds.
    """
    t = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(y_pred, dtype=np.float64)
    if kind == "mae":
        e = np.abs(t - p)
    elif kind == "mse":
        e = np.square(t - p)
    elif kind == "huber":
        a = np.abs(p - t)
        e = np.where(a <= delta, 0.5 * a * a, delta * a - 0.5 * delta * delta)
    elif kind == "bce":
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
        if from_logits:
            e = np.maximum(p, 0.0) - p * t + np.log1p(np.exp(-np.abs(p)))
        else:
            # In float32, 1 - 1e-7 rounds to 0.99999988.
            lo = float(np.float32(1e-7))
            hi = float(np.float32(1.0) - np.float32(1e-7))
            q = np.clip(p, lo, hi)
            e = -(t * np.log(q) + (1.0 - t) * np.log(1.0 - q))
    else:
        raise ValueError(kind)
    return e.mean(axis=-1)


def forward64(model: Any, params: list[np.ndarray], x: Any, training: bool = True) -> tuple[np.ndarray, Any]:
    """A keras_lite Sequential's forward pass in float64, from its layers' settings and ``params``.

    ``params`` are the model's weights in Keras order (``model.get_weights()`` order). ``training`` selects
    batch statistics in BatchNormalization (biased variance; a layer with ``trainable=False`` always uses
    its moving statistics) and applies Dropout with rate 0 or 1 (other rates are random).

    Returns ``(output, logits)`` where ``logits`` is the input of a final sigmoid or softmax (from a Dense
    layer's activation or an Activation layer), else None: Keras on TensorFlow computes binary crossentropy
    from it, whichever of the two it is.
    """
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    i = 0
    logits = None
    for layer in model.layers:
        kind = type(layer).__name__
        logits = None
        if kind == "Dense":
            z = a @ params[i]
            i += 1
            if layer.use_bias:
                z = z + params[i]
                i += 1
            a = ref_activation(layer.activation.__name__, z)
            logits = z if layer.activation.__name__ in ("sigmoid", "softmax") else None
        elif kind == "Activation":
            z = a
            a = ref_activation(layer.activation.__name__, z)
            logits = z if layer.activation.__name__ in ("sigmoid", "softmax") else None
        elif kind == "Dropout":
            if training and layer.rate > 0:
                if layer.rate < 1:
                    raise ValueError("forward64 applies Dropout with rate 0 or 1 only")
                a = np.zeros_like(a)
        elif kind == "BatchNormalization":
            gamma, beta, moving_mean, moving_var = params[i : i + 4]
            i += 4
            if training and layer.trainable:
                mean, var = a.mean(axis=0), a.var(axis=0)
            else:
                mean, var = moving_mean, moving_var
            a = (a - mean) / np.sqrt(var + layer.epsilon) * gamma + beta
        else:
            raise ValueError(f"forward64 does not know {kind}")
    assert i == len(params), "params do not match the model's layers"
    return a, logits


def loss64(loss: Any, model: Any, params: list[np.ndarray], x: Any, y: Any, training: bool = True) -> float:
    """The batch loss Keras reports for ``model`` with ``params`` on ``(x, y)`` (sum over batch size).

    ``loss`` is ``mae``, ``mse``, ``huber``, ``binary_crossentropy`` or a ``keras_lite.losses`` instance.
    """
    out, logits = forward64(model, params, x, training)
    y64 = np.asarray(y, dtype=np.float64)
    if y64.ndim == 1:
        y64 = y64[:, None]
    kind, kw = _loss_kind(loss)
    if kind == "bce" and not kw.get("from_logits") and logits is not None:
        kw = {**kw, "from_logits": True}
        out = logits
    return float(ref_loss_per_sample(kind, y64, out, **kw).mean())


def _loss_kind(loss: Any) -> tuple[str, dict[str, Any]]:
    names = {"mae": "mae", "mse": "mse", "huber": "huber", "binary_crossentropy": "bce"}
    if isinstance(loss, str):
        return names[loss], {}
    kind = names[loss._kind]
    if kind == "huber":
        return kind, {"delta": loss.delta}
    if kind == "bce":
        return kind, {"from_logits": loss.from_logits, "label_smoothing": loss.label_smoothing}
    return kind, {}


def numeric_gradients(
    f: Callable[[list[np.ndarray]], float], params: list[np.ndarray], which: list[int], h: float = 1e-6
) -> list[np.ndarray]:
    """Central finite differences of ``f(params)`` with respect to ``params[k]`` for each k in ``which``."""
    params = [np.array(p, dtype=np.float64) for p in params]
    grads = []
    for k in which:
        g = np.zeros_like(params[k])
        flat, gflat = params[k].reshape(-1), g.reshape(-1)
        for j in range(flat.size):
            old = flat[j]
            flat[j] = old + h
            up = f(params)
            flat[j] = old - h
            down = f(params)
            flat[j] = old
            gflat[j] = (up - down) / (2 * h)
        grads.append(g)
    return grads
