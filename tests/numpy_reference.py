"""A plain NumPy (float32) re-implementation of Keras training for MLPs of Dense layers.

This is the reference the keras_lite tests compare against: same initial weights, no shuffling,
the same Adam, losses and epoch bookkeeping as Keras 3.
It is written for clarity, not speed.

Conventions
-----------
* ``weights`` is a Keras-order list ``[kernel_0 (in, out), bias_0 (out,), kernel_1, bias_1, ...]``,
  exactly what ``model.get_weights()`` returns for a Sequential of Dense layers.
* ``activations`` is a list of activation names, one per Dense layer (``"relu"``, ``"linear"``,
  ``"sigmoid"``, ``"tanh"``; ``None`` means linear).  The default (``None`` for the whole list)
  is relu on every layer except a linear last layer, which is what the course's regression
  models use.
* All arithmetic is float32 unless a caller passes float64 arrays on purpose (the finite-difference
  test does); functions keep the dtype of the weights they are given.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "Adam",
    "backward",
    "default_activations",
    "evaluate_reference",
    "fit_reference",
    "forward",
    "forward_with_cache",
    "glorot_uniform_weights",
    "loss_and_grad",
    "loss_value",
    "mae",
    "mae_grad",
    "mse",
    "mse_grad",
]


# --------------------------------------------------------------------------------------------
# Activations: name -> (forward(z), derivative(z, a)) where a = forward(z).
# The derivative is taken at the pre-activation z; TF's relu gradient is 1 where z > 0, else 0.
# --------------------------------------------------------------------------------------------


def _linear(z: np.ndarray) -> np.ndarray:
    return z


def _linear_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0).astype(z.dtype, copy=False)


def _relu_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return (z > 0).astype(z.dtype)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    one = z.dtype.type(1)
    return (one / (one + np.exp(-z))).astype(z.dtype, copy=False)


def _sigmoid_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return a * (a.dtype.type(1) - a)


def _tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z)


def _tanh_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return a.dtype.type(1) - a * a


ACTIVATIONS = {
    "linear": (_linear, _linear_grad),
    "relu": (_relu, _relu_grad),
    "sigmoid": (_sigmoid, _sigmoid_grad),
    "tanh": (_tanh, _tanh_grad),
}


def _activation(name: str | None):
    key = "linear" if name is None else name
    try:
        return ACTIVATIONS[key]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; known: {sorted(ACTIVATIONS)}") from None


def default_activations(n_layers: int) -> list[str]:
    """relu on every hidden layer, linear on the output layer."""
    return ["relu"] * (n_layers - 1) + ["linear"]


def _layers(weights: Sequence[np.ndarray], activations: Sequence[str | None] | None):
    if len(weights) % 2:
        raise ValueError(f"weights must be [kernel, bias] pairs, got {len(weights)} arrays")
    n_layers = len(weights) // 2
    if activations is None:
        activations = default_activations(n_layers)
    if len(activations) != n_layers:
        raise ValueError(f"{n_layers} Dense layers but {len(activations)} activations")
    return [(weights[2 * i], weights[2 * i + 1], activations[i]) for i in range(n_layers)]


def glorot_uniform_weights(
    sizes: Sequence[int], seed: int = 0, dtype: np.dtype = np.float32
) -> list[np.ndarray]:
    """Keras-style initial weights: glorot_uniform kernels, zero biases.

    ``sizes`` is ``[n_inputs, units_0, units_1, ...]``.
    """
    rng = np.random.default_rng(seed)
    out: list[np.ndarray] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        out.append(rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype))
        out.append(np.zeros((fan_out,), dtype=dtype))
    return out


# --------------------------------------------------------------------------------------------
# Forward / backward
# --------------------------------------------------------------------------------------------


def forward_with_cache(
    weights: Sequence[np.ndarray], x: np.ndarray, activations: Sequence[str | None] | None = None
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Forward pass returning the output and, per layer, (layer input, pre-activation z, output a)."""
    layers = _layers(weights, activations)
    a = np.asarray(x, dtype=weights[0].dtype)
    cache = []
    for kernel, bias, act in layers:
        fn, _ = _activation(act)
        z = a @ kernel + bias
        out = fn(z)
        cache.append((a, z, out))
        a = out
    return a, cache


def forward(
    weights: Sequence[np.ndarray], x: np.ndarray, activations: Sequence[str | None] | None = None
) -> np.ndarray:
    """``model(x)`` / ``model.predict(x)`` for a Sequential of Dense layers."""
    return forward_with_cache(weights, x, activations)[0]


def backward(
    weights: Sequence[np.ndarray],
    cache: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    grad_out: np.ndarray,
    activations: Sequence[str | None] | None = None,
) -> list[np.ndarray]:
    """Gradients of the loss w.r.t. each weight (Keras order), given dLoss/dOutput."""
    layers = _layers(weights, activations)
    grads: list[np.ndarray] = [np.empty(0)] * len(weights)
    da = grad_out
    for i in range(len(layers) - 1, -1, -1):
        kernel, _bias, act = layers[i]
        a_in, z, a_out = cache[i]
        _, dfn = _activation(act)
        dz = da * dfn(z, a_out)
        grads[2 * i] = a_in.T @ dz
        grads[2 * i + 1] = dz.sum(axis=0)
        if i > 0:  # the first layer's input gradient is never needed
            da = dz @ kernel.T
    return grads


# --------------------------------------------------------------------------------------------
# Losses: per-sample value = mean over the last axis; reduction = sum over batch / batch size.
# --------------------------------------------------------------------------------------------


def _align(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keras ``squeeze_or_expand_to_same_rank`` (a rank-1 y_true becomes (n, 1)), cast to y_pred's dtype."""
    y_true = np.asarray(y_true).astype(y_pred.dtype, copy=False)
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = y_true[..., None]
    elif y_pred.ndim == y_true.ndim - 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true shape {y_true.shape} does not match y_pred shape {y_pred.shape}")
    return y_true, y_pred


def _n_samples(y_pred: np.ndarray) -> int:
    return int(np.prod(y_pred.shape[:-1])) if y_pred.ndim > 1 else 1


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> np.floating:
    y_true, y_pred = _align(y_true, y_pred)
    per_sample = np.mean(np.abs(y_true - y_pred), axis=-1)
    return np.sum(per_sample) / y_pred.dtype.type(per_sample.size)


def mae_grad(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """d mae / d y_pred.  TF's abs gradient is sign(x), so it is 0 where y_pred == y_true."""
    y_true, y_pred = _align(y_true, y_pred)
    scale = y_pred.dtype.type(1.0 / (_n_samples(y_pred) * y_pred.shape[-1]))
    return np.sign(y_pred - y_true) * scale


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> np.floating:
    y_true, y_pred = _align(y_true, y_pred)
    per_sample = np.mean(np.square(y_true - y_pred), axis=-1)
    return np.sum(per_sample) / y_pred.dtype.type(per_sample.size)


def mse_grad(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    y_true, y_pred = _align(y_true, y_pred)
    scale = y_pred.dtype.type(2.0 / (_n_samples(y_pred) * y_pred.shape[-1]))
    return (y_pred - y_true) * scale


LOSSES = {
    "mae": (mae, mae_grad),
    "mean_absolute_error": (mae, mae_grad),
    "mse": (mse, mse_grad),
    "mean_squared_error": (mse, mse_grad),
}


def _loss(name: str):
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; known: {sorted(LOSSES)}") from None


def loss_value(
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    loss: str = "mae",
    activations: Sequence[str | None] | None = None,
) -> np.floating:
    return _loss(loss)[0](y, forward(weights, x, activations))


def loss_and_grad(
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    loss: str = "mae",
    activations: Sequence[str | None] | None = None,
) -> tuple[np.floating, list[np.ndarray]]:
    """One batch: the Keras loss value and its gradient w.r.t. every weight (Keras order)."""
    loss_fn, grad_fn = _loss(loss)
    out, cache = forward_with_cache(weights, x, activations)
    value = loss_fn(y, out)
    grads = backward(weights, cache, grad_fn(y, out), activations)
    return value, grads


# --------------------------------------------------------------------------------------------
# Adam, exactly as keras/src/optimizers/adam.py computes it (float32, epsilon-hat).
# --------------------------------------------------------------------------------------------


class Adam:
    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
    ) -> None:
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.iterations = 0
        self.m: list[np.ndarray] | None = None
        self.v: list[np.ndarray] | None = None

    def apply(self, params: list[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """One ``apply_gradients``: updates ``params`` in place, then increments ``iterations``."""
        if self.m is None or self.v is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        for p, g, m, v in zip(params, grads, self.m, self.v):
            t = p.dtype.type
            local_step = t(self.iterations + 1)
            beta_1_power = np.power(t(self.beta_1), local_step)
            beta_2_power = np.power(t(self.beta_2), local_step)
            alpha = t(self.learning_rate) * np.sqrt(t(1) - beta_2_power) / (t(1) - beta_1_power)
            g = np.asarray(g, dtype=p.dtype)
            m += (g - m) * t(1 - self.beta_1)
            v += (np.square(g) - v) * t(1 - self.beta_2)
            p -= (m * alpha) / (np.sqrt(v) + t(self.epsilon))
        self.iterations += 1


# --------------------------------------------------------------------------------------------
# fit / evaluate
# --------------------------------------------------------------------------------------------


def _batches(n: int, batch_size: int):
    """Keras batching: ceil(n / batch_size) steps, the last partial batch kept."""
    for start in range(0, n, batch_size):
        yield start, min(start + batch_size, n)


class _Mean:
    """keras.metrics.Mean weighted by batch size, with float32 total and count."""

    def __init__(self) -> None:
        self.total = np.float32(0)
        self.count = np.float32(0)

    def update(self, value, weight: int) -> None:
        self.total = np.float32(self.total + np.float32(value) * np.float32(weight))
        self.count = np.float32(self.count + np.float32(weight))

    def result(self) -> float:
        return float(self.total / self.count) if self.count else 0.0


def evaluate_reference(
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int = 32,
    loss: str = "mae",
    activations: Sequence[str | None] | None = None,
) -> float:
    """``model.evaluate(x, y, batch_size)``: batch-size-weighted mean of the per-batch losses."""
    loss_fn, _ = _loss(loss)
    dtype = weights[0].dtype
    x = np.asarray(x, dtype=dtype)
    y = np.asarray(y, dtype=dtype)
    tracker = _Mean()
    for lo, hi in _batches(len(x), batch_size):
        tracker.update(loss_fn(y[lo:hi], forward(weights, x[lo:hi], activations)), hi - lo)
    return tracker.result()


def fit_reference(
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    x_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    batch_size: int = 32,
    epochs: int = 1,
    lr: float = 0.001,
    loss: str = "mae",
    activations: Sequence[str | None] | None = None,
) -> tuple[dict[str, list[float]], list[np.ndarray]]:
    """``model.fit(x, y, validation_data=(x_val, y_val), batch_size, epochs, shuffle=False)`` with Adam(lr).

    Returns ``(history, final_weights)`` where ``history`` has the keys Keras would give, sorted:
    ``'loss'`` (the batch-size-weighted running mean over each epoch's batches, each batch's loss
    taken before its update) and, with validation data, ``'val_loss'`` (evaluated after the epoch
    with the final weights, same batch size).  ``weights`` is not modified.
    """
    params = [np.array(w, copy=True) for w in weights]
    dtype = params[0].dtype
    x = np.asarray(x, dtype=dtype)
    y = np.asarray(y, dtype=dtype)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)}")
    has_val = x_val is not None and y_val is not None
    opt = Adam(learning_rate=lr)
    history: dict[str, list[float]] = {"loss": []}
    if has_val:
        history["val_loss"] = []
    for _ in range(epochs):
        tracker = _Mean()
        for lo, hi in _batches(len(x), batch_size):
            value, grads = loss_and_grad(params, x[lo:hi], y[lo:hi], loss, activations)
            tracker.update(value, hi - lo)
            opt.apply(params, grads)
        history["loss"].append(tracker.result())
        if has_val:
            history["val_loss"].append(
                evaluate_reference(params, x_val, y_val, batch_size, loss, activations)
            )
    return history, params
