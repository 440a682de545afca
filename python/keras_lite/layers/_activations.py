"""The activation layers: ``ReLU``, ``LeakyReLU``, ``ELU``, ``Softmax`` and ``Identity``, and ``PReLU``.

All but PReLU are an ``Activation`` whose function the core computes from its form (``activations.Form``),
with Keras 3's arguments, checks and config keys; like ``Activation`` they have no weights. ``PReLU`` learns its
slope, one weight per feature. Each keeps the input's shape.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, cast

import numpy as np

from .. import activations, initializers
from .._errors import ArgumentTypeError, real_number, received
from .._tensor import Tensor
from .._unsupported import NotSupportedError
from .._variable import Variable
from . import _input_spec
from ._builtin import Activation
from ._keras_tensor import _symbolic
from ._layer import Layer
from ._layer_args import _as_given, _initializer, _only, axis_on_last


def _at_least_zero(arg: str, value: Any, problem: str) -> int | float:
    """``value`` when it is a number >= 0 (Keras's check for these arguments), a Python int as given and
    anything else as a float; else a ValueError saying Keras's ``problem`` with it."""
    number = float(value) if isinstance(value, numbers.Real) and not isinstance(value, bool) else math.nan
    if not number >= 0:  # NaN fails too; a string is Keras's TypeError (its comparison fails)
        raise (ValueError if isinstance(value, numbers.Real) else ArgumentTypeError)(
            f"{problem} {received(arg, value)}"
        )
    return _as_given(value, number)


def _relu_arg(arg: str, value: Any, none: str = "None or ") -> int | float:
    return _at_least_zero(arg, value, f"{arg} of a ReLU layer cannot be {none}a negative value.")


class ReLU(Activation):
    """Rectified linear unit with Keras's arguments: ``min(x, max_value)`` for ``x > threshold``, else
    ``negative_slope * (x - threshold)``; the defaults give ``max(x, 0)``.

    Args:
        max_value: The cap, a number >= 0, or None for none.
        negative_slope: The slope below the threshold, >= 0.
        threshold: Where the function leaves the negative slope, >= 0.
    """

    def __init__(
        self, max_value: Any = None, negative_slope: Any = 0.0, threshold: Any = 0.0, **kwargs: Any
    ) -> None:
        cap = None if max_value is None else _relu_arg("max_value", max_value, none="")  # None: no cap
        slope = _relu_arg("negative_slope", negative_slope)
        limit = _relu_arg("threshold", threshold)
        Layer.__init__(self, **kwargs)
        self.max_value, self.negative_slope, self.threshold = cap, slope, limit

    def _form(self) -> activations.Form:
        return activations.relu_form(self.negative_slope, self.max_value, self.threshold)

    def _layer_config(self) -> dict[str, Any]:
        return {
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


class LeakyReLU(Activation):
    """``x if x > 0 else negative_slope * x`` (Keras's default slope here is 0.3; the ``leaky_relu`` function's
    is 0.2). ``alpha=`` is the deprecated spelling of ``negative_slope``, as in Keras."""

    def __init__(self, negative_slope: Any = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.", stacklevel=2)
        slope = _at_least_zero(
            "negative_slope",
            negative_slope,
            "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. Expected a float.",
        )
        Layer.__init__(self, **kwargs)
        self.negative_slope = slope

    def _form(self) -> activations.Form:
        return ("leaky_relu", (float(self.negative_slope),))

    def _layer_config(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope}


class ELU(Activation):
    """Exponential linear unit: ``x if x > 0 else alpha * (exp(x) - 1)``."""

    def __init__(self, alpha: Any = 1.0, **kwargs: Any) -> None:
        value = real_number("alpha", alpha)
        if not math.isfinite(value):
            raise ValueError(f"`alpha` must be a finite number. {received('alpha', alpha)}")
        Layer.__init__(self, **kwargs)
        self.alpha = _as_given(alpha, value)

    def _form(self) -> activations.Form:
        return ("elu", (float(self.alpha),))

    def _layer_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()  # Keras 3's ELU lists alpha second, after the name
        return {"name": config.pop("name"), "alpha": config.pop("alpha"), **config}


class Softmax(Activation):
    """Softmax over the feature axis: ``exp(x - max) / sum(exp(x - max))`` along each row."""

    _computes_along_axis = True

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if axis is not None and not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise ValueError(
                f"axis must be an integer, a tuple of integers or None. {received('axis', axis)}"
            )
        if (
            axis is None or len(axes) != 1 or axes[0] not in (-1, 1)
        ):  # valid Keras: over other or several axes
            raise NotSupportedError(
                "keras_lite's Softmax normalizes along the feature axis of (batch, features) values only: "
                f"axis -1 (or 1). {received('axis', axis)}"
            )
        Layer.__init__(self, **kwargs)
        self.axis = axis

    def _form(self) -> activations.Form:
        return ("softmax", ())

    def _layer_config(self) -> dict[str, Any]:
        return {"axis": self.axis}

    def __call__(self, inputs: Any, training: Any = None, mask: Any = None) -> Tensor:
        if mask is not None:
            raise NotSupportedError(
                f"keras_lite's Softmax does not take a mask yet. {received('mask', mask)}"
            )
        if not _symbolic(inputs):  # (Activation's call reads the array without Layer's checks)
            axis_on_last(self, [np.shape(inputs)])
        return super().__call__(inputs, training)


class Identity(Activation):
    """Returns its input unchanged (Keras's ``layers.Identity``)."""

    def __init__(self, **kwargs: Any) -> None:
        Layer.__init__(self, **kwargs)

    def _form(self) -> activations.Form:
        return ("linear", ())

    def _layer_config(self) -> dict[str, Any]:
        return {}


class PReLU(Layer):
    """Parametric ReLU: ``x if x > 0 else alpha * x``, with a trainable ``alpha`` per feature that the core
    trains with the other weights (on the CPU and the GPU).

    Args:
        alpha_initializer: ``alpha``'s initializer (default ``"Zeros"``: the layer starts as relu), as
            ``keras.initializers.get`` takes it.
        alpha_regularizer, alpha_constraint: None (others raise ``NotSupportedError``).
        shared_axes: None, one alpha per feature (others raise ``NotSupportedError``).
    """

    _input_spec_of = _input_spec.prelu

    def __init__(
        self,
        alpha_initializer: Any = "Zeros",
        alpha_regularizer: Any = None,
        alpha_constraint: Any = None,
        shared_axes: Any = None,
        **kwargs: Any,
    ) -> None:
        init = _initializer("alpha_initializer", alpha_initializer, "PReLU")
        for arg, value in (
            ("alpha_regularizer", alpha_regularizer),
            ("alpha_constraint", alpha_constraint),
            ("shared_axes", shared_axes),
        ):
            _only(arg, value, (None,), "PReLU")
        super().__init__(**kwargs)
        self.alpha_initializer = init

    def _spec(self) -> dict[str, Any]:
        return {"kind": "prelu"}

    def _weight_initializers(self) -> dict[str, Any]:
        # The core starts alpha at zeros, Keras's default.
        return {} if type(self.alpha_initializer) is initializers.Zeros else {"alpha": self.alpha_initializer}

    @property
    def alpha(self) -> Variable:
        """The slopes below zero, one per feature."""
        return cast(Variable, self._weight_by_name("alpha"))  # a built PReLU always has it

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": None,
            "alpha_constraint": None,
            "shared_axes": None,
        }
