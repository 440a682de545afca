"""A model's architecture as data, as Keras 3 writes it: ``get_config``, ``from_config`` and ``to_json`` (the
methods of `ConfigMethods`, a base of ``Model``), and ``keras.models.clone_model`` and ``model_from_json``.

The layout is the one the ``.keras`` writer uses (``_keras_config_write``), and reading goes through the
loader's own reader, so a config or a JSON string Keras 3 wrote is read as a ``.keras`` file's would be. A
model made from a config has new weights, initialized from its layers' configs, as in Keras.
"""

from __future__ import annotations

import json
from typing import Any, cast

from .. import _custom, _keras_config_read, _keras_config_sequential
from .._errors import ArgumentTypeError, FormatError, config_fields, received
from .._unsupported import NotSupportedError, file_error

_FUNCTIONAL_KEYS = ("input_layers", "output_layers")

# The model classes by Keras class name, filled in by ``_sequential`` and ``_functional`` (which import this).
CLASSES = _keras_config_sequential.MODEL_CLASSES


def _make(tree: dict[str, Any], what: str, compile: bool = False) -> Any:
    """A new model, its weights initialized fresh, from a ``{"class_name", "config"}`` tree; compiled as its
    ``compile_config`` says when ``compile`` and the tree has one (as Keras's ``model_from_json`` does)."""
    cls = CLASSES["Functional" if tree.get("class_name") == "Functional" else "Sequential"]
    model = cls.__new__(cls)
    try:
        with config_fields(what):
            model._init_from_config(tree)
            if compile and tree.get("compile_config"):
                _compile_from_config(model, tree["compile_config"])
    except FormatError as e:  # (a ValueError; also a NotSupportedError or TypeError where it is one)
        family = type(e) if isinstance(e, (NotSupportedError, TypeError)) else ValueError
        raise family(f"Cannot make a model from {what}: {e}") from None
    except RecursionError:  # lists or dicts nested thousands deep (a JSON string's, or a dict's)
        raise ValueError(f"Cannot make a model from {what}: it nests lists or dicts too deeply") from None
    return model


def _compile_from_config(model: Any, config: Any) -> None:
    _keras_config_read.compile_from_config(model, config)
    if model._optimizer is not None:
        # Keras's compile_from_config builds a built model's optimizer: its slots exist before any step.
        model._optimizer._built_on_load = model.built


class ConfigMethods:
    """``get_config``, ``from_config`` and ``to_json`` for ``Model`` (see ``_keras_config_write``)."""

    def _keras_config(self, shape: tuple[int, ...] | None = None) -> dict[str, Any]:
        """The model's Keras 3 ``config.json`` tree, without ``compile_config`` (what saving writes); ``shape``:
        the input shape a Sequential it is nested in gives it."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The model's architecture as Keras 3 lays it out (a Sequential's ``name``, ``trainable``, ``dtype``,
        ``layers``; a Functional's ``layers`` with their ``inbound_nodes``, ``input_layers``, ``output_layers``);
        ``from_config`` makes the model back from it."""
        return dict(self._keras_config()["config"])

    @classmethod
    def from_config(cls, config: Any, custom_objects: Any = None) -> Any:
        """A new model (fresh weights) from what ``get_config`` returns, Keras's or keras_lite's.

        ``Sequential.from_config`` reads a Sequential's config; ``Model.from_config`` (and
        ``Functional.from_config``) a Functional model's, or a Sequential's.
        """
        if not isinstance(config, dict):
            raise TypeError(f"config must be a dict, as get_config() returns. {received('config', config)}")
        Sequential = CLASSES["Sequential"]
        functional = all(k in config for k in _FUNCTIONAL_KEYS)
        if issubclass(cls, Sequential) and functional:
            raise ValueError(
                "Sequential.from_config reads a Sequential model's config; this one describes a Functional "
                "model (it has `input_layers` and `output_layers`): use keras.Model.from_config"
            )
        if not functional and not issubclass(cls, Sequential) and issubclass(cls, CLASSES["Functional"]):
            raise ValueError(
                "Functional.from_config reads a Functional model's config, with `input_layers` and "
                f"`output_layers`. Received: config with keys {sorted(map(str, config))}"
            )
        tree = {"class_name": "Functional" if functional else "Sequential", "config": config}
        with _custom.scope(_objects(custom_objects)):
            return _make(tree, "the config")

    def to_json(self, **kwargs: Any) -> str:
        """The model's architecture as a JSON string, Keras 3's ``{"module", "class_name", "config",
        "registered_name", "compile_config"}`` tree (``compile_config`` is ``{}`` for a model never compiled);
        ``keras.models.model_from_json`` makes the model back from it. ``kwargs`` go to ``json.dumps``
        (``indent=2``)."""
        tree = self._keras_config()
        tree["compile_config"] = self._keras_compile_config()
        return json.dumps(tree, **kwargs)

    def _keras_compile_config(self) -> dict[str, Any]:
        raise NotImplementedError

    def get_compile_config(self) -> dict[str, Any]:
        """How the model was compiled (optimizer, loss, metrics), as Keras 3 serializes it; ``{}`` before
        ``compile``, as in Keras 3.15. ``compile_from_config`` reads it back."""
        return self._keras_compile_config()

    def compile_from_config(self, config: Any) -> None:
        """Compile the model as a ``get_compile_config()`` dict (keras_lite's or Keras 3's) says, with a new
        optimizer.

        Raises:
            ValueError: the config names something keras_lite cannot compile with.
        """
        try:
            with config_fields("the compile config"):
                _compile_from_config(self, config)
        except RecursionError:  # lists or dicts nested thousands deep
            raise ValueError("compile_from_config: the config nests lists or dicts too deeply") from None


def model_from_json(json_string: Any, custom_objects: Any = None) -> Any:
    """A new model (fresh weights) from ``model.to_json()``'s string, keras_lite's or Keras 3's, as
    ``keras.models.model_from_json``; compiled (with a new optimizer) when the string has a ``compile_config``.

    Raises:
        ValueError: the string is not JSON, or describes something keras_lite does not support.
    """
    if not isinstance(json_string, (str, bytes, bytearray)):
        raise TypeError(f"json_string must be a str. {received('json_string', json_string)}")
    try:
        tree = _keras_config_read.keras2_model_tree(json.loads(json_string))
    except (ValueError, RecursionError) as e:  # (RecursionError: arrays nested thousands deep)
        raise ValueError(f"json_string is not valid JSON ({e})") from None
    if not isinstance(tree, dict) or not isinstance(tree.get("config"), dict):
        raise ValueError(
            'json_string must describe a model, as {"class_name": ..., "config": {...}}. '
            f"{received('json_string', json_string[:80])}"
        )
    if tree.get("class_name") not in ("Sequential", "Functional"):
        raise file_error(
            "keras_lite makes Sequential and Functional models from JSON. "
            f"Received: class_name={tree.get('class_name')!r}",
            kind="models",
            name=tree.get("class_name"),
        )
    with _custom.scope(_objects(custom_objects)):
        return _make(tree, "json_string", compile=True)


def _objects(custom_objects: Any) -> dict[str, Any]:
    """``custom_objects`` as given (None for none): the classes a config may name besides keras_lite's own and
    the registered ones (a learning-rate schedule, a metric)."""
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise ArgumentTypeError(
            f"custom_objects must be a dict of {{name: class}}. {received('custom_objects', custom_objects)}"
        )
    return dict(custom_objects or {})


def clone_model(
    model: Any,
    input_tensors: Any = None,
    clone_function: Any = None,
    call_function: Any = None,
    recursive: bool = False,
    **kwargs: Any,
) -> Any:
    """A new model with ``model``'s architecture and new weights (initialized from its layers' configs, as
    Keras's ``clone_model`` does), on the same device; compiled as ``model`` was (a new optimizer) when it was.

    ``input_tensors``, ``clone_function`` and ``call_function`` raise `NotSupportedError`.
    """
    if not isinstance(model, ConfigMethods):
        raise ValueError(f"Expected `model` argument to be a `Model` instance. {received('model', model)}")
    for arg, value in (
        ("input_tensors", input_tensors),
        ("clone_function", clone_function),
        ("call_function", call_function),
    ):
        if value is not None:
            raise NotSupportedError(
                f"keras_lite's clone_model rebuilds the model from its config only; `{arg}` is not supported "
                f"yet. {received(arg, value)}"
            )
    if kwargs:
        raise TypeError(f"clone_model() got unexpected keyword arguments {sorted(kwargs)}")
    tree = _uncompiled_nested(model._keras_config())
    tree["compile_config"] = model._keras_compile_config()
    sequential = isinstance(model, CLASSES["Sequential"])
    if not sequential and isinstance(tree.get("config"), dict):
        # Keras calls a Functional model's layers anew into a new Functional, trainable itself (its layers
        # keep their flags), where its config would have made one of the model's `trainable`.
        tree["config"]["trainable"] = True
    with _custom.scope(_custom.of_compiled(model)):
        clone = _make(tree, "the model", compile=True)
    if sequential:  # Keras makes it with the model's `trainable`, which from_config leaves unread
        clone._trainable = cast(Any, model)._trainable
    device = cast(Any, model)._device  # (a Model: ConfigMethods is its base)
    if clone._device != device:
        clone.to(device)
    return clone


def _uncompiled_nested(tree: Any) -> Any:
    """``tree`` with its nested models' compile configs emptied, at any depth: Keras's clone_model makes each
    nested model from its ``get_config()``, which holds none, so the clone's nested models are not compiled."""
    if isinstance(tree, dict):
        return {k: {} if k == "compile_config" else _uncompiled_nested(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_uncompiled_nested(v) for v in tree]
    return tree
