"""``LayerNormalization``: each row normalized over its features by the core, ``γ·(x − mean)/√(var + ε) + β``,
with the same statistics in training and inference (the row's own)."""

from __future__ import annotations

from typing import Any

from .. import initializers
from .._errors import real_number, received
from ._builtin import _ScaleOffset
from ._layer_args import _as_given, _initializer, _only

# The core's initial values of the weights, as the initializer that gives them.
_CORE_VALUES: dict[str, type[initializers.Initializer]] = {
    "gamma": initializers.Ones,
    "beta": initializers.Zeros,
}


class LayerNormalization(_ScaleOffset):
    """Normalizes each sample over its features: ``gamma * (x - mean) / sqrt(variance + epsilon) + beta`` with
    the sample's mean and (biased) variance; ``gamma`` and ``beta`` (one per feature) are trained.

    Args:
        axis: The feature axis, -1 (or 1, or ``[-1]``): keras_lite's inputs are (batch, features).
        epsilon: Added to the variance, > 0 (default 1e-3).
        center: Whether to learn ``beta``; scale: whether to learn ``gamma``.
        beta_initializer, gamma_initializer: As ``keras.initializers.get`` takes them (zeros, ones).
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: None (others raise
            ``NotSupportedError``); ``rms_scaling`` (deprecated in Keras 3): False.
    """

    _computes_along_axis = True

    def __init__(
        self,
        axis: Any = -1,
        epsilon: Any = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(axis, bool) or not isinstance(axis, (int, list, tuple)):
            raise TypeError(
                f"Expected an int or a list/tuple of ints for the argument 'axis'. {received('axis', axis)}"
            )
        _only(
            "axis",
            axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis,
            (-1, 1),
            "LayerNormalization",
        )
        _only("rms_scaling", kwargs.pop("rms_scaling", False), (False,), "LayerNormalization")
        inits = {
            arg: _initializer(arg, value, "LayerNormalization")
            for arg, value in (
                ("beta_initializer", beta_initializer),
                ("gamma_initializer", gamma_initializer),
            )
        }
        for arg, value in (
            ("beta_regularizer", beta_regularizer),
            ("gamma_regularizer", gamma_regularizer),
            ("beta_constraint", beta_constraint),
            ("gamma_constraint", gamma_constraint),
        ):
            _only(arg, value, (None,), "LayerNormalization")
        if not real_number("epsilon", epsilon) >= 0:  # (0 as in Keras, which checks nothing)
            raise ValueError(f"epsilon must be 0 or more. {received('epsilon', epsilon)}")
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = _as_given(epsilon, float(epsilon))
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = inits["beta_initializer"]
        self.gamma_initializer = inits["gamma_initializer"]

    @property
    def axis(self) -> Any:
        """The feature axis as Keras 3 holds it: a list once given as a list or tuple, and once built."""
        return [self._axis] if self.built and isinstance(self._axis, int) else self._axis

    @axis.setter
    def axis(self, value: Any) -> None:
        self._axis = list(value) if isinstance(value, (list, tuple)) else value

    def _spec(self) -> dict[str, Any]:
        return {
            "kind": "layer_normalization",
            "epsilon": float(self.epsilon),
            "center": self.center,
            "scale": self.scale,
        }

    def _weight_initializers(self) -> dict[str, Any]:
        inits = {name: getattr(self, f"{name}_initializer") for name in _CORE_VALUES}
        return {name: init for name, init in inits.items() if type(init) is not _CORE_VALUES[name]}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": False,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": None,
            "gamma_regularizer": None,
            "beta_constraint": None,
            "gamma_constraint": None,
        }
