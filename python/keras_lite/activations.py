"""Activation functions by name, as ``keras.activations``. Every value is computed in the Rust core."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import _core
from ._errors import received
from ._tensor import Tensor
from ._unsupported import NotSupportedError, unsupported_identifier

ActivationFn = Callable[..., Tensor]


def _make(name: str, doc: str, **defaults: Any) -> ActivationFn:
    """The activation ``name`` as a function of ``x`` and Keras 3's keyword arguments for it (``defaults``),
    which keras_lite's core computes at their default values only."""

    def fn(x: Any, **options: Any) -> Tensor:
        arr = np.asarray(x, dtype=np.float32)
        for key, value in options.items():
            if key not in defaults:
                raise TypeError(f"{name}() got an unexpected keyword argument {key!r}")
            default = defaults[key]
            if not (value is default or value == default or key == "axis" and value == arr.ndim - 1):
                raise NotSupportedError(
                    f"keras_lite computes {name} with {key}={default!r} only (its core's form). {received(key, value)}"
                )
        out = _core.activation(name, np.ascontiguousarray(arr.reshape(1) if arr.ndim == 0 else arr))
        return out.reshape(arr.shape).view(Tensor)  # a Keras activation returns a tensor: .numpy() works

    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


linear = _make("linear", "Identity: ``x``.")
relu = _make(
    "relu", "Rectified linear unit: ``max(x, 0)``.", negative_slope=0.0, max_value=None, threshold=0.0
)
sigmoid = _make("sigmoid", "Logistic sigmoid: ``1 / (1 + exp(-x))``.")
tanh = _make("tanh", "Hyperbolic tangent.")
elu = _make("elu", "Exponential linear unit (alpha=1): ``x if x > 0 else exp(x) - 1``.", alpha=1.0)
selu = _make("selu", "Scaled exponential linear unit with Keras's constants.")
silu = _make("silu", "Sigmoid linear unit (swish): ``x * sigmoid(x)``.")
swish = silu
gelu = _make("gelu", "Gaussian error linear unit, exact form ``x * Phi(x)``.", approximate=False)
softplus = _make("softplus", "``log(1 + exp(x))``.")
softsign = _make("softsign", "``x / (1 + |x|)``.")
leaky_relu = _make("leaky_relu", "``x if x > 0 else 0.2 * x``.", negative_slope=0.2)
relu6 = _make("relu6", "``min(max(x, 0), 6)``.")
hard_sigmoid = _make("hard_sigmoid", "``clip(x / 6 + 0.5, 0, 1)``.")
exponential = _make("exponential", "``exp(x)``.")
softmax = _make("softmax", "Softmax over the last axis.", axis=-1)

_BY_NAME: dict[str, ActivationFn] = {
    f.__name__: f
    for f in (
        linear,
        relu,
        sigmoid,
        tanh,
        elu,
        selu,
        silu,
        gelu,
        softplus,
        softsign,
        leaky_relu,
        relu6,
        hard_sigmoid,
        exponential,
        softmax,
    )
}
_BY_NAME["swish"] = silu


def get(identifier: str | ActivationFn | None) -> ActivationFn:
    """Return the activation function for ``identifier`` (a name, one of this module's functions, or None).

    Raises:
        ValueError: for an unknown name or a function keras_lite cannot run in its core.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier)
        if fn is None:
            unsupported_identifier("activations", "activation", identifier, sorted(_BY_NAME))
            raise ValueError(
                f"Could not interpret activation function identifier: {identifier!r}. "
                f"Supported: {', '.join(sorted(_BY_NAME))}"
            )
        return fn
    if callable(identifier) and _BY_NAME.get(getattr(identifier, "__name__", "")) is identifier:
        return identifier
    raise (NotSupportedError if callable(identifier) else ValueError)(
        "Could not interpret activation function identifier: keras_lite runs activations in its core and "
        f"supports the named ones ({', '.join(sorted(_BY_NAME))}); custom activation functions are not "
        f"supported yet. {received('activation', identifier)}"
    )


def serialize(fn: ActivationFn) -> str:
    """The name under which ``fn`` is saved."""
    return fn.__name__


__all__ = [
    "elu",
    "exponential",
    "gelu",
    "get",
    "hard_sigmoid",
    "leaky_relu",
    "linear",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "swish",
    "tanh",
]
