"""A user's classes in saved configs: the module Keras 3 writes for one, and the ``custom_objects`` a
``load_model`` call names them with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any


def module_of(obj: Any) -> str | None:
    """``obj.__module__``, or None for a class or function defined in the script being run (``__main__``), as
    Keras's ``serialize_keras_object`` writes it."""
    module = getattr(obj, "__module__", None)
    return None if module == "__main__" else module


# The ``custom_objects`` of the ``load_model`` call running in this context (Keras's custom object scope).
_SCOPE: ContextVar[dict[str, Any]] = ContextVar("keras_lite_custom_objects", default={})  # noqa: B039 - never mutated


@contextmanager
def scope(custom_objects: dict[str, Any] | None) -> Iterator[None]:
    """Make ``custom_objects`` the classes a config being read may name, for the ``with`` block."""
    token = _SCOPE.set(dict(custom_objects or {}))
    try:
        yield
    finally:
        _SCOPE.reset(token)


def find(config: dict[str, Any]) -> Any:
    """The class of ``custom_objects`` that a serialized object names (by its registered name, then its class
    name), or None."""
    objects = _SCOPE.get()
    for key in (config.get("registered_name"), config.get("class_name")):
        if isinstance(key, str) and key in objects:
            return objects[key]
    return None


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
