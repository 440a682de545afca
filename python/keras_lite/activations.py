"""Activation functions by name, as ``keras.activations``. Every value is computed in the Rust core.

A function with parameters (``relu``, ``leaky_relu``, ``elu``, ``hard_shrink``, ``squareplus``, ``threshold``...)
reaches the core as a *form*: the core's name and a tuple of parameters, which the activation layers (``ReLU``,
``LeakyReLU``, ``ELU``) pass to it too. A layer named with an activation (``Dense(activation="squareplus")``)
computes it with Keras's defaults.
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Callable

import numpy as np

from . import _core
from ._errors import DataTypeError, real_number, received
from ._tensor import Tensor
from ._unsupported import NotSupportedError, unsupported_identifier

ActivationFn = Callable[..., Tensor]
Form = tuple[str, tuple[float, ...]]


def _values(x: Any) -> np.ndarray:
    """``x`` as float32; None or strings are refused naming ``x`` (Keras cannot make a tensor of None; NumPy
    would make a NaN of it, or fail with a message naming nothing)."""
    arr = np.asarray(x)
    if x is None or arr.dtype.kind not in "biuf":
        raise DataTypeError(f"`x` must be numbers (an array, a tensor or a number). {received('x', x)}")
    return np.asarray(arr, dtype=np.float32)


def apply(form: Form, x: Any) -> Tensor:
    """The activation ``form`` of the values ``x`` (any shape; softmax over the last axis), from the core."""
    name, params = form
    arr = _values(x)
    out = _core.activation(name, np.ascontiguousarray(arr.reshape(1) if arr.ndim == 0 else arr), list(params))
    return out.reshape(arr.shape).view(Tensor)  # a Keras activation returns a tensor: .numpy() works


def relu_form(negative_slope: Any = 0.0, max_value: Any = None, threshold: Any = 0.0) -> Form:
    """Keras's ``relu(x, negative_slope, max_value, threshold)`` as the core's form: the plain ``relu``,
    ``leaky_relu`` or ``relu6`` where Keras itself computes those, else the general one
    (``clip(x, 0, max_value)`` above the threshold, ``negative_slope * (x - threshold)`` below)."""
    slope, limit = real_number("negative_slope", negative_slope), real_number("threshold", threshold)
    cap = math.inf if max_value is None else real_number("max_value", max_value)
    for arg, value in (("negative_slope", slope), ("max_value", cap), ("threshold", limit)):
        if math.isnan(value):
            raise ValueError(f"`{arg}` must be a number. {received(arg, value)}")
    if limit == 0 and cap == math.inf:
        return ("relu", ()) if slope == 0 else ("leaky_relu", (slope,))
    if limit == 0 and cap == 6 and slope == 0:
        return ("relu6", ())
    return ("relu", (slope, cap, limit))


def _number(arg: str, value: Any) -> float:
    """``value`` as a float; a ValueError naming ``arg`` for anything else, NaN included."""
    p = real_number(arg, value)
    if math.isnan(p):
        raise ValueError(f"`{arg}` must be a number. {received(arg, value)}")
    return p


def _one_parameter(name: str, arg: str, value: Any, default: float) -> Form:
    p = _number(arg, value)
    return (name, ()) if p == default else (name, (p,))


def _make(name: str, doc: str, **defaults: Any) -> ActivationFn:
    """The activation ``name`` as a function of ``x`` and Keras 3's arguments for it (``defaults``, which may
    also come by position, as in Keras), which keras_lite's core computes at their default values only. The
    function's signature is Keras's: ``softmax(x, axis=-1)``, ``sigmoid(x)``."""
    signature = inspect.Signature(
        [inspect.Parameter("x", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [
            inspect.Parameter(k, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=v)
            for k, v in defaults.items()
        ]
    )

    def fn(x: Any, *args: Any, **kwargs: Any) -> Tensor:
        if len(args) > len(defaults):  # Python's words, as for Keras's plain functions
            takes = (
                "1 positional argument"
                if not defaults
                else f"from 1 to {len(defaults) + 1} positional arguments"
            )
            raise TypeError(f"{name}() takes {takes} but {len(args) + 1} were given")
        try:
            options = signature.bind(x, *args, **kwargs).arguments
        except TypeError as e:  # as Python words it for a plain function
            said = str(e)
            raise TypeError(f"{name}() {'got ' if said.startswith('multiple') else ''}{said}") from None
        arr = _values(options.pop("x"))
        for key, value in options.items():
            default = defaults[key]
            if not (value is default or value == default or key == "axis" and value == arr.ndim - 1):
                raise NotSupportedError(
                    f"keras_lite computes {name} with {key}={default!r} only (its core's form). {received(key, value)}"
                )
        return apply((name, ()), arr)

    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = doc
    fn.__signature__ = signature  # type: ignore[attr-defined]
    return fn


linear = _make("linear", "Identity: ``x``.")


def relu(x: Any, negative_slope: Any = 0.0, max_value: Any = None, threshold: Any = 0.0) -> Tensor:
    """Rectified linear unit: ``max(x, 0)``; with Keras's arguments, ``min(x, max_value)`` above
    ``threshold`` and ``negative_slope * (x - threshold)`` below it."""
    return apply(relu_form(negative_slope, max_value, threshold), x)


sigmoid = _make("sigmoid", "Logistic sigmoid: ``1 / (1 + exp(-x))``.")
tanh = _make("tanh", "Hyperbolic tangent.")


def elu(x: Any, alpha: Any = 1.0) -> Tensor:
    """Exponential linear unit: ``x if x > 0 else alpha * (exp(x) - 1)``."""
    return apply(_one_parameter("elu", "alpha", alpha, 1.0), x)


selu = _make("selu", "Scaled exponential linear unit with Keras's constants.")
silu = _make("silu", "Sigmoid linear unit (swish): ``x * sigmoid(x)``.")
swish = silu


def gelu(x: Any, approximate: Any = False) -> Tensor:
    """Gaussian error linear unit: the exact ``x * Phi(x)``, or with ``approximate=True`` its tanh form
    ``0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x**3)))``."""
    if not isinstance(approximate, (bool, np.bool_)):
        raise TypeError(f"`approximate` must be a bool. {received('approximate', approximate)}")
    return apply(("gelu", (1.0,) if approximate else ()), x)


softplus = _make("softplus", "``log(1 + exp(x))``.")
softsign = _make("softsign", "``x / (1 + |x|)``.")


def leaky_relu(x: Any, negative_slope: Any = 0.2) -> Tensor:
    """``x if x > 0 else negative_slope * x``."""
    return apply(_one_parameter("leaky_relu", "negative_slope", negative_slope, 0.2), x)


relu6 = _make("relu6", "``min(max(x, 0), 6)``.")
hard_sigmoid = _make("hard_sigmoid", "``clip(x / 6 + 0.5, 0, 1)``.")
exponential = _make("exponential", "``exp(x)``.")
mish = _make("mish", "``x * tanh(softplus(x))``.")
hard_silu = _make("hard_silu", "``x * relu6(x + 3) / 6`` (hard swish).")
hard_swish = hard_silu


def celu(x: Any, alpha: Any = 1.0) -> Tensor:
    """Continuously differentiable exponential linear unit: ``max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)``."""
    return apply(_one_parameter("celu", "alpha", alpha, 1.0), x)


softmax = _make("softmax", "Softmax over the last axis.", axis=-1)
hard_tanh = _make("hard_tanh", "``clip(x, -1, 1)``: -1 below -1, 1 above 1, ``x`` between.")


def hard_shrink(x: Any, threshold: Any = 0.5) -> Tensor:
    """``x`` where ``|x| > threshold``, else 0 (also for NaN, as Keras's ``where``)."""
    return apply(_one_parameter("hard_shrink", "threshold", threshold, 0.5), x)


def soft_shrink(x: Any, threshold: Any = 0.5) -> Tensor:
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0."""
    return apply(_one_parameter("soft_shrink", "threshold", threshold, 0.5), x)


tanh_shrink = _make("tanh_shrink", "``x - tanh(x)``.")
log_sigmoid = _make("log_sigmoid", "``log(sigmoid(x)) = -softplus(-x)``.")
sparse_plus = _make("sparse_plus", "0 for ``x <= -1``, ``(x + 1)**2 / 4`` for ``-1 < x < 1``, ``x`` from 1.")


def squareplus(x: Any, b: Any = 4) -> Tensor:
    """``(x + sqrt(x**2 + b)) / 2``; ``b`` is the smoothness (Keras's default 4)."""
    return apply(_one_parameter("squareplus", "b", b, 4.0), x)


sparse_sigmoid = _make("sparse_sigmoid", "0 for ``x <= -1``, ``(x + 1) / 2`` for ``-1 < x < 1``, 1 from 1.")


def threshold(x: Any, threshold: Any, default_value: Any) -> Tensor:
    """``x`` where ``x > threshold``, else ``default_value`` (Keras gives neither argument a default): for
    example ``threshold([-1.0, 0.5, 2.0], 0.5, -3.0)`` is ``[-3.0, -3.0, 2.0]``."""
    return apply(("threshold", (_number("threshold", threshold), _number("default_value", default_value))), x)


log_softmax = _make("log_softmax", "``x - logsumexp(x)`` over the last axis (stable).", axis=-1)

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
        mish,
        celu,
        hard_silu,
        hard_tanh,
        hard_shrink,
        soft_shrink,
        tanh_shrink,
        log_sigmoid,
        sparse_plus,
        squareplus,
        sparse_sigmoid,
        threshold,
        log_softmax,
    )
}
_BY_NAME["swish"] = silu
_BY_NAME["hard_swish"] = hard_silu


def get(identifier: str | dict[str, Any] | ActivationFn | None) -> ActivationFn:
    """Return the activation function for ``identifier`` (a name, one of this module's functions, Keras's
    serialized form of one, or None).

    Raises:
        ValueError: for an unknown name or a function keras_lite cannot run in its core.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        return deserialize(identifier)
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


def for_layer(identifier: str | dict[str, Any] | ActivationFn | None) -> ActivationFn:
    """``get(identifier)`` for a layer, which calls its activation with the inputs alone: Keras's ``threshold``,
    whose arguments have no defaults, cannot be one (Keras's layer fails when called; keras_lite says so here)."""
    fn = get(identifier)
    if fn is threshold:
        raise TypeError(
            "threshold() missing 2 required positional arguments: 'threshold' and 'default_value' (a layer "
            f"calls its activation with the inputs alone). {received('activation', identifier)}"
        )
    return fn


def serialize(activation: ActivationFn) -> str:
    """The name under which the function ``activation`` is saved."""
    if not callable(activation):  # Keras's ValueError (a name is not a function it can serialize)
        raise ValueError(f"serialize takes an activation function. {received('activation', activation)}")
    return activation.__name__


def deserialize(config: Any, custom_objects: Any = None) -> ActivationFn:
    """The activation function ``config`` names: a name, or Keras's serialized form of a function
    (``{"class_name": "function", "config": "relu", ...}``)."""
    if isinstance(config, dict) and config.get("class_name") == "function":
        config = config.get("config")
    if not isinstance(config, str):
        raise ValueError(f"Could not interpret activation function identifier: {config!r}")
    return get(config)


__all__ = [
    "celu",
    "deserialize",
    "elu",
    "exponential",
    "gelu",
    "get",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "squareplus",
    "swish",
    "tanh",
    "tanh_shrink",
    "threshold",
]
