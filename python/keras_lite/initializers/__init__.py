"""Weight initializers, as ``keras.initializers`` (Keras 3.15): by name, as objects, as configs.

``layers.Dense(4, kernel_initializer="he_normal")``, ``kernel_initializer=keras.initializers.HeNormal(seed=1)``
and ``kernel_initializer={"class_name": "HeNormal", "config": {"seed": 1}}`` all work, as do Keras's names
in snake_case (``"glorot_uniform"``) and its aliases (``"normal"``, ``"uniform"``, ``"one"``, ``"zero"``,
``"IdentityInitializer"``, ``"OrthogonalInitializer"``). Calling an initializer returns a float32 NumPy array
that also has ``.numpy()`` (keras_lite's `Tensor`), where Keras returns a backend tensor.

The formulas, fans, defaults, configs and seed semantics are Keras 3.15's; the random numbers are drawn by
NumPy, so the values differ from Keras's (which come from TensorFlow's, JAX's or PyTorch's generators) while
the distribution is the same. A seeded initializer gives the same values on every call and in every run.
An unseeded one draws its seed once, from keras_lite's seed stream (``keras.utils.set_random_seed``), the
first time it is called, and reuses it from then on: like Keras's (which draws it at construction, from
Python's ``random``), one instance gives the same values on every call; a name (``"he_normal"``) makes a new
instance, so each layer gets its own values.

Keras's quirks kept: ``get("constant")`` raises ``KeyError: 'value'`` as Keras 3.15 does (a name is read as a
config without arguments, and ``Constant.from_config`` needs ``value``); use ``Constant(0.5)``. The one
difference: ``Identity(gain=2).get_config()`` is ``{"gain": 2.0}`` where Keras 3.15 returns ``{}`` and so loses
the gain when saving.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import _custom
from .._tensor import Tensor
from .._unsupported import unsupported_identifier
from ._base import Constant, Identity, Initializer, Ones, Zeros, _check_dtype, _out, _shape
from ._base import compute_fans as compute_fans  # Keras's helper, not in its public API
from ._random import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
)

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "IdentityInitializer",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "OrthogonalInitializer",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "constant",
    "deserialize",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "ones",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "serialize",
    "truncated_normal",
    "variance_scaling",
    "zeros",
]

# Keras's lower-case names for the classes.
constant = Constant
zeros = Zeros
ones = Ones
identity = IdentityInitializer = Identity
random_normal = RandomNormal
truncated_normal = TruncatedNormal
random_uniform = RandomUniform
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_uniform = HeUniform
he_normal = HeNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal
orthogonal = OrthogonalInitializer = Orthogonal

_CLASSES: tuple[type[Initializer], ...] = (
    Initializer,
    Constant,
    Identity,
    Ones,
    Zeros,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
)


def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


# The names Keras 3.15 resolves (ALL_OBJECTS_DICT): class names, their snake_case, and aliases.
_BY_NAME: dict[str, type[Initializer]] = {
    **{c.__name__: c for c in _CLASSES},
    **{_snake(c.__name__): c for c in _CLASSES},
    "IdentityInitializer": Identity,
    "OrthogonalInitializer": Orthogonal,
    "normal": RandomNormal,
    "uniform": RandomUniform,
    "one": Ones,
    "zero": Zeros,
}


_SUPPORTED = sorted(c.__name__ for c in _CLASSES if c is not Initializer)


def _is_keras_module(module: Any) -> bool:
    return module is None or (isinstance(module, str) and (module == "keras" or module.startswith("keras.")))


def known_config(value: Any) -> bool:
    """Whether ``value`` (a name or a serialized object) names one of Keras's built-in initializers."""
    if isinstance(value, str):
        return value in _BY_NAME
    return (
        isinstance(value, dict)
        and value.get("class_name") in _BY_NAME
        and _is_keras_module(value.get("module"))
    )


def serialize(initializer: Any) -> Any:
    """``initializer`` as Keras 3 serializes it: ``{"module", "class_name", "config", "registered_name"}``.

    A built-in's module is ``keras.initializers``; another ``Initializer`` subclass is written as Keras writes
    a custom object (its module and class name, with ``registered_name`` the class name), and a function as
    Keras writes a function (its name). ``None`` stays ``None``.
    """
    if initializer is None or isinstance(initializer, str):  # a name stays a name, as in Keras
        return initializer
    cls = type(initializer)
    if isinstance(initializer, Initializer):
        return _custom.entry(cls, "keras.initializers", initializer.get_config())
    if callable(initializer):
        return _custom.function_entry(initializer, _custom.module_of(initializer))
    raise ValueError(f"Could not serialize initializer: {initializer!r}")


def deserialize(config: Any, custom_objects: Any = None) -> Initializer:
    """The initializer a name or a serialized object (``{"class_name": ..., "config": {...}}``) describes.

    Raises:
        ValueError: an unknown name or class, or a config its class refuses.
        KeyError: ``Constant``'s config without ``value`` (as in Keras).
    """
    return _deserialize(config, custom_objects, "initializer")


def _deserialize(config: Any, custom_objects: Any, arg: str) -> Initializer:
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict):
        raise ValueError(f"Could not interpret initializer identifier: {config!r}")
    custom = _custom.made(config, custom_objects)  # a class in scope or registered
    if custom is not None:
        return custom  # type: ignore[no-any-return]
    name = config.get("class_name")
    objects = {**_BY_NAME, **(custom_objects or {})}
    cls = objects.get(name) if isinstance(name, str) else None
    if cls is None or not (name in (custom_objects or {}) or _is_keras_module(config.get("module"))):
        if isinstance(name, str):
            unsupported_identifier("initializers", arg, name, _SUPPORTED)
        raise ValueError(
            f"Could not interpret initializer identifier: {name!r}. Supported: {', '.join(_SUPPORTED)}, "
            "their snake_case names (he_normal) and Keras's aliases (normal, uniform, one, zero)"
        )
    cfg = config.get("config", {})
    if cfg is None:
        cfg = {}
    if not isinstance(cfg, dict):
        raise ValueError(f"The config of initializer {name!r} must be a dict. Received: {cfg!r}")
    try:
        return cls.from_config(dict(cfg))  # type: ignore[no-any-return]
    except TypeError as e:
        raise ValueError(
            f"Could not interpret initializer identifier {name!r} with config {cfg!r}: {e}"
        ) from None


def get(identifier: Any) -> Any:
    """The initializer for ``identifier``: a name (``"he_normal"``), a serialized object, an initializer
    (returned as it is), an initializer class (instantiated), a function ``fn(shape, dtype=None)``, or an
    array (used as the values, for a weight of its shape). ``None`` gives ``None``.

    Raises:
        ValueError: for anything else, naming it (``NotSupportedError`` for a Keras initializer keras_lite
            lacks).
    """
    return _get(identifier, "initializer")


def _get(identifier: Any, arg: str) -> Any:
    """``get``, whose errors name ``arg``, the argument ``identifier`` came in."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return _deserialize(identifier, None, arg)
    if isinstance(identifier, type):
        if issubclass(identifier, Initializer):
            return identifier()
        raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
    if isinstance(identifier, (np.ndarray, np.generic)):
        return _from_array(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")


def _from_array(values: Any) -> Callable[..., Tensor]:
    array = np.asarray(values)

    def initialize_fn(shape: Any, dtype: Any = None) -> Tensor:
        _check_dtype(dtype)
        if _shape(shape) != array.shape:
            raise ValueError(
                f"Expected `shape` to be {array.shape} for direct tensor as initializer. Received shape={shape}"
            )
        return _out(array)

    return initialize_fn


def initial_value(initializer: Any, shape: tuple[int, ...], where: str) -> np.ndarray:
    """``initializer(shape)`` as a contiguous float32 array of exactly ``shape``, or a ValueError naming
    ``where`` (the layer and weight) when a custom initializer returns something else."""
    values = np.asarray(initializer(shape, dtype="float32"))
    if values.shape != shape:
        raise ValueError(
            f"The initializer for {where} returned values of shape {values.shape}; the weight has shape {shape}"
        )
    return np.ascontiguousarray(values, dtype=np.float32)
