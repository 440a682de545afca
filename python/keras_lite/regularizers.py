"""Weight regularizers, as ``keras.regularizers``: ``L1``, ``L2`` and ``L1L2``.

The core computes them for ``Dense``'s ``kernel_regularizer`` and ``bias_regularizer``: the penalty of each
trainable weight is added to the loss of every training and test step (so to ``loss``, ``val_loss`` and
``evaluate()``, never to a metric) and its gradient to the weight's.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from . import _custom
from ._tensor import Tensor
from ._unsupported import NotSupportedError, _module_getattr, refuse_own_code

__all__ = ["L1", "L1L2", "L2", "Regularizer", "deserialize", "get", "l1", "l1_l2", "l2", "serialize"]


def _factor(name: str, value: Any) -> float:
    """``value`` as a float (as Keras keeps it; applied in float32), refused when negative or not finite."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if isinstance(value, bool) or not math.isfinite(v) or v < 0:
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative float.Received: {name}={value}"
        )
    return v


class Regularizer:
    """Base class of the regularizers (keras_lite computes its built-in ones only)."""

    l1: float = 0.0
    l2: float = 0.0

    def __call__(self, x: Any) -> Any:
        # In float32, term by term, as Keras computes it; a float32 scalar that also reads like Keras's tensor
        # (``penalty.numpy()``).
        w = np.asarray(x, dtype=np.float32)
        penalty = np.float32(0.0)
        if self.l1:
            penalty = penalty + np.float32(self.l1) * np.abs(w).sum(dtype=np.float32)
        if self.l2:
            penalty = penalty + np.float32(self.l2) * np.square(w).sum(dtype=np.float32)
        return np.asarray(penalty, dtype=np.float32).view(Tensor)

    def _core(self) -> tuple[float, float]:
        """``(l1, l2)``, the penalty's factors as the core computes it (a subclass computing its own is refused)."""
        refuse_own_code(self, "regularizer", ("__call__",), "L1, L2, L1L2")
        return self.l1, self.l2

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"{object.__repr__(self)} does not implement get_config()")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)

    def __repr__(self) -> str:
        if type(self).get_config is Regularizer.get_config:
            return object.__repr__(self)  # a subclass without a config: Python's, as Keras's
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """``l1·Σ|x| + l2·Σx²``."""

    def __init__(self, l1: float | None = 0.0, l2: float | None = 0.0) -> None:
        # None is no penalty, as in Keras 3.
        self.l1 = _factor("l1", 0.0 if l1 is None else l1)
        self.l2 = _factor("l2", 0.0 if l2 is None else l2)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1·Σ|x|``."""

    def __init__(self, l1: float | None = 0.01) -> None:
        # Keras 3.15 keeps L1's factor as a float32 tensor (its config shows 0.009999999776482582 for 0.01),
        # L2's and L1L2's as Python floats. None is the default, as in Keras.
        self.l1 = float(np.float32(_factor("l1", 0.01 if l1 is None else l1)))

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2·Σx²``."""

    def __init__(self, l2: float | None = 0.01) -> None:
        self.l2 = _factor("l2", 0.01 if l2 is None else l2)  # None is the default, as in Keras

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


l1 = L1
l2 = L2
l1_l2 = L1L2
_BY_NAME: dict[str, type[Regularizer]] = {"L1": L1, "L2": L2, "L1L2": L1L2, "l1": L1, "l2": L2, "l1l2": L1L2}
# Keras 3's public names (keras/api/regularizers): reading one keras_lite lacks (OrthogonalRegularizer) raises
# NotSupportedError naming it, an AttributeError too, as in the other modules (see _unsupported.install; set
# through vars() as there, so that type checkers still see the module's real names only).
_KERAS_NAMES = frozenset(
    "L1 L1L2 L2 OrthogonalRegularizer Regularizer deserialize get l1 l1_l2 l2 orthogonal_regularizer "
    "serialize".split()
)
# The identifier strings Keras 3 resolves to a regularizer keras_lite lacks.
_KERAS_ONLY = ("OrthogonalRegularizer", "orthogonal_regularizer")
vars(sys.modules[__name__])["__getattr__"] = _module_getattr(
    sys.modules[__name__], "regularizers", _KERAS_NAMES
)


def serialize(regularizer: Any) -> Any:
    """``regularizer`` as Keras 3 serializes it (``None`` stays ``None``, a name stays a name)."""
    if regularizer is None or isinstance(regularizer, str):
        return regularizer
    return {
        "module": "keras.regularizers",
        "class_name": type(regularizer).__name__,
        "config": regularizer.get_config(),
        "registered_name": None,
    }


def deserialize(config: Any, custom_objects: Any = None) -> Regularizer:
    """A regularizer from its name or its ``serialize`` dict; a class named in ``custom_objects`` is made from its
    config, as Keras makes it."""
    custom = _custom.made(config, custom_objects)
    if custom is not None:
        return custom  # type: ignore[no-any-return]
    if isinstance(config, str):
        if config in _KERAS_ONLY:
            raise NotSupportedError(
                f"keras_lite does not support the regularizer {config!r} (keras.regularizers) yet. "
                f"Supported: L1, L2, L1L2. Received: identifier={config!r}"
            )
        if config not in _BY_NAME:
            raise ValueError(f"Could not interpret regularizer identifier: {config}")
        return _BY_NAME[config]()
    if isinstance(config, dict) and isinstance(config.get("class_name"), str):
        cls = _BY_NAME.get(config["class_name"])
        if cls is None:
            raise NotSupportedError(
                f"keras_lite supports the regularizers L1, L2 and L1L2 only. Received: {config['class_name']}"
            )
        return cls.from_config(dict(config.get("config") or {}))
    raise ValueError(f"Could not interpret regularizer identifier: {config}")


def get(identifier: Any) -> Regularizer | None:
    """A regularizer from ``None``, a name, a config dict or an object."""
    if isinstance(identifier, Regularizer):
        identifier._core()  # (refuses one computing its own penalty)
        return identifier
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        raise NotSupportedError(
            "keras_lite computes regularizers in its core and does not support custom regularizer functions or "
            f"objects yet. Supported: L1, L2, L1L2. Received: {identifier!r}"
        )
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
