"""Keras's custom-object registry, as ``keras.saving`` (and ``keras.utils``) export it: registering a class or
function under ``"package>name"``, scopes of ``custom_objects``, and looking names up. ``load_model``,
``from_config`` and the ``deserialize`` functions find what is registered or in scope (``_custom.find``), so a
file naming a registered class loads without ``custom_objects``."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

from . import _custom
from ._errors import config_fields, received
from ._unsupported import UnknownClassError

T = TypeVar("T")


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable[[T], T]:
    """A decorator that registers a class or function under ``"package>name"`` (``name`` defaults to its
    ``__name__``), so that configs naming it load without ``custom_objects``. A class needs ``get_config``."""
    if not isinstance(package, str):
        raise TypeError(
            f"register_keras_serializable's package must be a string. {received('package', package)}"
        )
    if name is not None and not isinstance(name, str):
        raise TypeError(f"register_keras_serializable's name must be a string. {received('name', name)}")

    def decorator(arg: T) -> T:
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        key = f"{package}>{name if name is not None else arg.__name__}"  # type: ignore[attr-defined]
        _custom._REGISTERED[key] = arg
        _custom._NAMES[arg] = key
        return arg

    return decorator


def get_custom_objects() -> dict[str, Any]:
    """The live dictionary of registered objects by name: what is added to it is found as registered."""
    return _custom._REGISTERED


def get_registered_name(obj: Any) -> str:
    """The name ``obj`` (a class or function) is written under: its registered name, else its ``__name__``."""
    return _custom.registered_name(obj)


def get_registered_object(
    name: str,
    custom_objects: Mapping[str, Any] | None = None,
    module_objects: Mapping[str, Any] | None = None,
) -> Any:
    """The object ``name`` stands for: from the custom-object scope, then the registered objects, then
    ``custom_objects``, then ``module_objects``; None when none has it."""
    found = _custom.scoped(name)
    if found is not None:
        return found
    for objects in (custom_objects or {}, module_objects or {}):
        if name in objects:
            return objects[name]
    return None


class CustomObjectScope:
    """``with custom_object_scope({"Name": cls}):``: configs read inside the block (``load_model``,
    ``from_config``, ``deserialize``) may name these objects, besides the registered ones. Scopes nest; the
    innermost wins."""

    def __init__(self, custom_objects: Mapping[str, Any] | None) -> None:
        if custom_objects is not None and not isinstance(custom_objects, Mapping):
            raise TypeError(
                f"custom_object_scope takes a dict of {{name: object}}. {received('custom_objects', custom_objects)}"
            )
        self.custom_objects = dict(custom_objects or {})
        self._token: Any = None

    def __enter__(self) -> CustomObjectScope:
        self._token = _custom._SCOPE.set({**_custom._SCOPE.get(), **self.custom_objects})
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        _custom._SCOPE.reset(self._token)


custom_object_scope = CustomObjectScope


# ---- any object, as Keras's serialize_keras_object and deserialize_keras_object -----------------------------
_PLAIN = (str, int, float, bool, type(None))
_MODEL_MODULES = ("keras", "keras.models", "keras.src.models.functional")


def serialize_keras_object(obj: Any) -> Any:
    """``obj`` as Keras 3 serializes it: a plain value as it is, lists, tuples and dicts item by item, a
    keras_lite object (layer, model, loss, metric, optimizer, schedule, initializer, regularizer, constraint)
    as its ``{"module", "class_name", "config", "registered_name"}`` dict, a function by its registered name,
    and a user's object with ``get_config`` by its class and registered name."""
    from . import constraints, initializers, layers, losses, metrics, optimizers, regularizers
    from ._keras_config_write import layer_config
    from .models import Model

    if isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, (list, tuple)):
        return type(obj)(serialize_keras_object(v) for v in obj)
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, Model):  # as Keras's: the tree with its compile config ({} if never compiled)
        return {**obj._keras_config(), "compile_config": obj._keras_compile_config()}
    if isinstance(obj, layers.Layer):
        if type(obj).__module__.split(".")[0] == "keras_lite":
            out = layer_config(obj, None)
            build = obj.get_build_config()  # the shape it was built or called on, as Keras records it
            return out if build is None else {**out, "build_config": build}
        return _custom.entry(type(obj), "keras.layers", obj.get_config())
    kinds: list[tuple[type, Callable[[Any], Any]]] = [
        (losses.Loss, losses.serialize),
        (metrics.Metric, metrics.serialize),
        (optimizers.Optimizer, optimizers.serialize),
        (optimizers.schedules.LearningRateSchedule, optimizers.schedules.serialize),
        (initializers.Initializer, initializers.serialize),
        (regularizers.Regularizer, regularizers.serialize),
        (constraints.Constraint, constraints.serialize),
    ]
    for kind, write in kinds:
        if isinstance(obj, kind):
            return write(obj)
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return _custom.function_entry(obj)  # "builtins" for every function, as Keras writes it
    if hasattr(obj, "get_config"):
        return _custom.entry(type(obj), "", obj.get_config())
    raise TypeError(
        f"Cannot serialize an object of type {type(obj).__name__} (it has no get_config()). {received('obj', obj)}"
    )


def deserialize_keras_object(
    config: Any, custom_objects: Mapping[str, Any] | None = None, safe_mode: bool = True, **kwargs: Any
) -> Any:
    """The object a ``serialize_keras_object`` dict describes (Keras's or keras_lite's): a class or function in
    ``custom_objects``, in scope or registered first, then keras_lite's own by the dict's module. Plain values,
    and strings, come back as they are; lists item by item. ``safe_mode`` is taken as ``load_model`` takes it:
    keras_lite runs no code from a config (it has no ``Lambda`` layer), so either value reads the same.

    Raises:
        TypeError: a class or function that is neither keras_lite's nor given, in scope or registered.
    """
    if isinstance(config, _PLAIN):
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(v, custom_objects) for v in config]
    if not isinstance(config, dict) or "class_name" not in config:
        return config
    with _custom.scope(dict(custom_objects or {})), config_fields("the config"):
        if config["class_name"] == "function":
            return _function(config)
        made = _custom.made(config, None)
        if made is not None:
            return made
        return _builtin(config)


def _function(config: dict[str, Any]) -> Any:
    """The function a ``{"class_name": "function", "config": name}`` dict names: one in scope or registered,
    then an activation, loss or metric function of keras_lite's by that name."""
    found = _custom.function_named(config.get("config"))
    if found is None:
        raise UnknownClassError(
            f"Could not locate function {config.get('config')!r}: {_NOT_FOUND} {received('config', config)}"
        )
    return found


_NOT_FOUND = (
    "decorate your own classes and functions with @keras.saving.register_keras_serializable(), or pass "
    "them in custom_objects."
)


def _builtin(config: dict[str, Any]) -> Any:
    """A keras_lite object from its serialized dict, by the dict's module."""
    from . import (
        _keras_config_read,
        constraints,
        initializers,
        layers,
        losses,
        metrics,
        optimizers,
        regularizers,
    )
    from .models._config import _make

    module, name = config.get("module"), config["class_name"]
    readers = {  # a serialized object's module: the function that reads it back
        "keras.losses": losses.deserialize,
        "keras.metrics": metrics.deserialize,
        "keras.optimizers": optimizers.deserialize,
        "keras.optimizers.schedules": optimizers.schedules.deserialize,
        "keras.initializers": initializers.deserialize,
        "keras.regularizers": regularizers.deserialize,
        "keras.constraints": constraints.deserialize,
    }
    if isinstance(module, str) and module in readers:
        return readers[module](config)
    if name in ("Sequential", "Functional") and module in _MODEL_MODULES:
        return _make(config, "the config", compile=True)
    if module == "keras.layers" and name == "InputLayer":  # (a model's config reads its inputs apart)
        return layers.InputLayer.from_config(config["config"])
    if module == "keras.layers":
        return _keras_config_read.layer_from_config(config, 0)
    raise UnknownClassError(f"Could not locate class {name!r}: {_NOT_FOUND} {received('config', config)}")
