"""A user's classes and functions in saved configs: the module Keras 3 writes for one, the registry
``keras.saving.register_keras_serializable`` fills, and the ``custom_objects`` scopes (a ``load_model`` call's,
``custom_object_scope``) that name them."""

from __future__ import annotations

import inspect
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any


def module_of(obj: Any) -> str | None:
    """``obj.__module__``, or None for a class or function defined in the script being run (``__main__``), as
    Keras's ``serialize_keras_object`` writes it."""
    module = getattr(obj, "__module__", None)
    return None if module == "__main__" else module


# The ``custom_objects`` of the ``load_model`` call or ``custom_object_scope`` running in this context.
_SCOPE: ContextVar[dict[str, Any]] = ContextVar("keras_lite_custom_objects", default={})  # noqa: B039 - never mutated

# What ``register_keras_serializable`` registered (and what users add through ``get_custom_objects()``): the
# objects by name, and the registered name of each registered object.
_REGISTERED: dict[str, Any] = {}
_NAMES: dict[Any, str] = {}


@contextmanager
def scope(custom_objects: dict[str, Any] | None) -> Iterator[None]:
    """Add ``custom_objects`` to the classes a config being read may name, for the ``with`` block."""
    token = _SCOPE.set({**_SCOPE.get(), **(custom_objects or {})})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def find(config: dict[str, Any]) -> Any:
    """The class that a serialized object names (by its registered name, then its class name), among the
    ``custom_objects`` in scope, then the registered objects; None when neither has it."""
    for objects in (_SCOPE.get(), _REGISTERED):
        for key in (config.get("registered_name"), config.get("class_name")):
            if isinstance(key, str) and key in objects:
                return objects[key]
    return None


def scoped(name: str) -> Any:
    """The object ``name`` stands for in the innermost custom-object scope, else among the registered ones;
    None when neither has it."""
    for objects in (_SCOPE.get(), _REGISTERED):
        if name in objects:
            return objects[name]
    return None


def function_named(name: Any) -> Any:
    """The function a serialized function's name stands for: one in the custom-object scope or registered, then
    a keras_lite activation, loss or metric function; None when none is. (Those modules are read as loaded,
    which ``import keras_lite`` does, so that the metric and loss bases below them can look names up too.)"""
    if not isinstance(name, str):
        return None
    found = scoped(name)
    if found is not None:
        return found
    for module in ("keras_lite.activations", "keras_lite.losses", "keras_lite.metrics"):
        fn = getattr(sys.modules.get(module), name, None)
        if inspect.isfunction(fn):
            return fn
    return None


def entry(cls: type, builtin_module: str, config: Any) -> dict[str, Any]:
    """``{"module", "class_name", "config", "registered_name"}`` for an object of class ``cls``, as Keras 3
    writes it: a keras_lite class under ``builtin_module`` with no registered name; a user's class under its
    own module (None for ``__main__``) and its registered name (its class name when not registered)."""
    builtin = cls.__module__.split(".")[0] == "keras_lite"
    return {
        "module": builtin_module if builtin else module_of(cls),
        "class_name": cls.__name__,
        "config": config,
        "registered_name": None if builtin else registered_name(cls),
    }


def function_entry(fn: Any, module: str | None = "builtins") -> dict[str, Any]:
    """A function as Keras 3 serializes it: its registered name (else its own), under ``"builtins"`` (the
    initializers write their function's own ``module``, as keras_lite always has). A lambda is written by its
    name, ``<lambda>``, which nothing reads back (keras_lite writes no code), with a warning, as Keras warns."""
    name = registered_name(fn) if hasattr(fn, "__name__") else type(fn).__name__
    if name == "<lambda>":
        warnings.warn(
            "The object being serialized includes a `lambda`, which keras_lite writes by its name only, so the "
            "config cannot be read back. Use a named function, registered with "
            "`@keras.saving.register_keras_serializable()`.",
            UserWarning,
            stacklevel=3,
        )
    return {"module": module, "class_name": "function", "config": name, "registered_name": "function"}


def names(value: Any) -> bool:
    """Whether ``value`` is a serialized object whose class is in scope or registered."""
    return isinstance(value, dict) and find(value) is not None


def registered_name(obj: Any) -> str:
    """The name a class or function is written under: its registered name, else its own name."""
    try:
        return _NAMES[obj]
    except (KeyError, TypeError):  # not registered, or unhashable
        return str(obj.__name__)


def of_compiled(model: Any) -> dict[str, Any]:
    """The user's classes that ``model``'s compile config names (its optimizer's learning-rate schedule), by
    class name: what compiling a copy of it from that config needs."""
    rates = getattr(getattr(model, "optimizer", None), "_rates", None)
    if rates is None:
        return {}
    cls = type(rates.schedule)
    return {cls.__name__: cls}


def made(config: Any, custom_objects: Any) -> Any:
    """The object a serialized config describes when ``custom_objects`` names its class (by its registered
    name, then its class name; also those of the ``load_model`` call running), made by the class's
    ``from_config`` or its constructor, as Keras makes it; None when no such class is named."""
    if not isinstance(config, dict):
        return None
    with scope({**_SCOPE.get(), **(custom_objects if isinstance(custom_objects, dict) else {})}):
        cls = find(config)
    if not isinstance(cls, type):
        return None
    cfg = config.get("config", {})
    return cls.from_config(cfg) if hasattr(cls, "from_config") else cls(**cfg)
