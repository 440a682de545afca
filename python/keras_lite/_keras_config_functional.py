"""A Functional model's ``config.json`` tree, read: its layers made and called on one another as the file's
``inbound_nodes`` say (``_keras_config_write.functional_config`` writes such trees; the layers themselves are
read by ``_keras_config_read``).

The tree may also be the dict Keras's ``model.get_config()`` returns, never written as JSON: it holds tuples
(a call's ``args``, shapes) where JSON holds lists, so a tuple is read wherever a list is.
"""

from __future__ import annotations

from typing import Any

from . import layers as L
from ._errors import FormatError
from ._keras_config_read import _check_dtype, _describe, _dict, _input_shape, _set
from ._keras_config_sequential import _item_from_config, keras2_input_shape, least_params, spent
from ._unsupported import UnsupportedInFile, file_error


def _given(value: Any) -> bool:
    """Whether a call argument holds something: Keras writes a ``mask`` of None per input (a list or a dict of
    them) for a model called on several tensors."""
    if isinstance(value, (list, tuple, dict)):
        return any(_given(v) for v in (value.values() if isinstance(value, dict) else value))
    return _set(value)


def _tensor_ref(value: Any, made: dict[str, Any], where: str) -> Any:
    """The KerasTensor an ``inbound_nodes`` argument names (``keras_history: [layer, 0, 0]``)."""
    cfg = value.get("config") if isinstance(value, dict) else None
    history = cfg.get("keras_history") if isinstance(cfg, dict) else None
    if (
        not isinstance(value, dict)
        or value.get("class_name") != "__keras_tensor__"
        or not isinstance(history, (list, tuple))
        or len(history) != 3
        or not isinstance(history[0], str)
    ):
        raise FormatError(f"{where} is called on {value!r}, which is not a tensor keras_lite reads")
    if history[0] not in made:
        raise FormatError(f"{where} reads layer {history[0]!r}, which is not defined before it")
    if list(history[1:]) != [0, 0]:
        raise FormatError(
            f"{where} reads call {history[1]} of layer {history[0]!r}; keras_lite calls each layer once"
        )
    return made[history[0]]


def _keras2_node(node: Any) -> Any:
    """One call in tf.keras 2's layout, ``[[layer, node, tensor, kwargs], ...]``, as Keras 3 writes it (a
    ``__keras_tensor__`` per input; a list of them for a layer called on several)."""
    if (
        not isinstance(node, (list, tuple))
        or not node
        or not all(isinstance(r, (list, tuple)) and len(r) in (3, 4) for r in node)
    ):
        return node
    refs = [{"class_name": "__keras_tensor__", "config": {"keras_history": list(r[:3])}} for r in node]
    kwargs: dict[str, Any] = {}
    for ref in node:
        if len(ref) == 4:
            kwargs.update(_dict(ref[3], "an inbound node's arguments"))
    return {"args": [refs if len(refs) > 1 else refs[0]], "kwargs": kwargs}


def _structure_ref(value: Any, made: dict[str, Any], what: str) -> Any:
    """``input_layers`` / ``output_layers``: one ``[name, 0, 0]``, a list of them, or a dict of them."""

    def one(ref: Any) -> Any:
        if not isinstance(ref, (list, tuple)) or len(ref) != 3 or ref[0] not in made:
            raise FormatError(f"the model's {what} name {ref!r}, which is not one of its layers")
        return made[ref[0]]

    if isinstance(value, dict):
        return {k: one(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], str):
        return one(value)
    if isinstance(value, (list, tuple)):
        return [one(v) for v in value]
    raise FormatError(f"the model's {what} are {value!r}, not a layer reference, a list or a dict of them")


# The operations Keras records for Python's operators on symbolic tensors (``inputs / 255.0``, ``x + inputs``,
# ``-x``), which keras_lite's graph holds as the layers its own operators make (layers/_tensor_ops.py).
_OPERATIONS = ("Add", "Subtract", "Multiply", "TrueDivide", "Negative")


def _operation(item: dict[str, Any], made: dict[str, Any], where: str) -> Any:
    """The output tensor of a Keras operation ``item`` (module ``keras.src.ops...``): an Add, Subtract or
    Multiply layer of two tensors, or a Rescaling of a tensor by a number, under the operation's name."""
    kind, name = item.get("class_name"), _dict(item.get("config", {}), where).get("name")
    nodes = item.get("inbound_nodes")
    if kind not in _OPERATIONS:
        raise UnsupportedInFile(
            f"{where} is the operation {kind!r} of keras.ops, which keras_lite does not support in a model yet "
            f"(it reads {', '.join(_OPERATIONS)}: Python's +, -, * and / on tensors)"
        )
    if not isinstance(nodes, list) or len(nodes) != 1 or not isinstance(nodes[0], dict):
        raise FormatError(f"{where} has inbound_nodes {_describe(nodes)}: an operation is called once")
    args = nodes[0].get("args")
    if not isinstance(args, (list, tuple)) or _given(nodes[0].get("kwargs") or {}):
        raise FormatError(f"{where} is called with {_describe(nodes[0])}, which keras_lite does not read")
    tensors = [_tensor_ref(a, made, where) for a in args if isinstance(a, dict)]
    numbers = [a for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
    arity = 1 if kind == "Negative" else 2
    if len(args) != arity or not tensors or len(tensors) + len(numbers) != arity:
        raise FormatError(f"{where} ({kind}) is called on {_describe(args)}, not {arity} tensors or numbers")
    if len(tensors) == 2:
        if kind == "TrueDivide":
            raise UnsupportedInFile(
                f"{where} divides a tensor by a tensor, which keras_lite does not support yet"
            )
        return getattr(L, kind)(name=name)(tensors)
    c = numbers[0] if numbers else 0.0
    first = isinstance(args[0], dict)  # `x - c` rather than `c - x`
    if kind == "TrueDivide" and (not first or c == 0):
        raise UnsupportedInFile(
            f"{where} divides {_describe(args)}: keras_lite divides a tensor by a number only"
        )
    scale, offset = {
        "Add": (1.0, c),
        "Subtract": (1.0, -c) if first else (-1.0, c),
        "Multiply": (c, 0.0),
        "TrueDivide": (1.0 / c if c else 0.0, 0.0),
        "Negative": (-1.0, 0.0),
    }[kind]
    return L.Rescaling(float(scale), float(offset), name=name)(tensors[0])


def functional_from_config(
    tree: Any, max_params: int | None = None, training_only: list[str] | None = None
) -> tuple[Any, Any, bool, Any]:
    """The ``keras.Model(inputs, outputs, name, trainable)`` a Functional model's config.json tree describes:
    its layers made and called on one another as ``inbound_nodes`` say (in the file's order, which Keras writes
    from the inputs to the output).

    ``max_params`` and ``training_only`` are as in `sequential_from_config`.
    """
    tree = _dict(tree, "config.json")
    cfg = _dict(tree.get("config"), "the model config")
    items = cfg.get("layers")
    if not isinstance(items, (list, tuple)):
        raise FormatError("the model config has no list of layers")
    made: dict[str, Any] = {}
    least = 0
    spent_before = 0  # the parameters nested models built as they were read hold
    for i, item in enumerate(items):
        item = _dict(item, f"layer {i}")
        lcfg = _dict(item.get("config", {}), f"layer {i} config")
        name = item.get("name", lcfg.get("name"))
        where = f"layer {i} ({name!r})"
        if not isinstance(name, str):
            raise FormatError(f"{where} has no name")
        if item.get("class_name") == "InputLayer":
            _check_dtype(lcfg.get("dtype"), where)
            dims = _input_shape(lcfg.get("batch_shape", lcfg.get("batch_input_shape")), where)
            made[name] = L.Input(shape=dims, name=name)
            continue
        module = item.get("module")
        if isinstance(module, str) and module.startswith(("keras.src.ops", "keras.ops")):
            made[name] = _operation(item, made, where)
            continue
        budget = None if max_params is None else max_params - spent_before
        item, _ = keras2_input_shape(item)  # a Keras 2 layer's own input shape: its InputLayer has it
        layer = _item_from_config(item, i, training_only, budget)  # a layer, or a nested model
        spent_before += spent(layer)
        nodes = item.get("inbound_nodes")
        if isinstance(nodes, (list, tuple)):
            nodes = [_keras2_node(node) for node in nodes]
        if isinstance(nodes, list) and len(nodes) > 1:
            raise UnsupportedInFile(
                f"{where} is called {len(nodes)} times (a shared layer), which keras_lite does not support yet"
            )
        if not isinstance(nodes, list) or len(nodes) != 1 or not isinstance(nodes[0], dict):
            raise FormatError(
                f"{where} has inbound_nodes {_describe(nodes)}: keras_lite reads Keras 3's layout of layers "
                "called once"
            )
        args, kwargs = nodes[0].get("args"), nodes[0].get("kwargs") or {}
        if (
            not isinstance(args, (list, tuple))
            or len(args) != 1
            or any(_given(v) for v in _dict(kwargs, where).values())
        ):
            raise FormatError(f"{where} is called with {_describe(nodes[0])}, which keras_lite does not read")
        arg = args[0]
        if isinstance(arg, dict) and arg.get("class_name") != "__keras_tensor__":  # a model called by names
            inputs: Any = {k: _tensor_ref(t, made, where) for k, t in arg.items()}
            first = next(iter(inputs.values()), None)
        elif isinstance(arg, (list, tuple)):
            inputs = [_tensor_ref(t, made, where) for t in arg]
            first = inputs[0] if inputs else None
        else:
            inputs = first = _tensor_ref(arg, made, where)
        if first is None:
            raise FormatError(f"{where} is called on no tensors")
        width = first._width
        least += least_params([layer], width)
        if max_params is not None and least > max_params - spent_before:  # (a call builds a nested model)
            raise FormatError(
                f"the config describes a model of at least {least + spent_before:,} parameters, more than the "
                f"file's weights can hold ({max_params:,})"
            )
        try:  # (a training=False the call was given stays in the model's config, as in Keras's)
            out = layer(inputs, training=False) if kwargs.get("training") is False else layer(inputs)
        except (TypeError, ValueError) as e:
            raise file_error(f"{where}: {e}", e) from None
        # A nested model built with a list or a dict of its one output gives it in that structure; the file
        # names the tensor itself (``[name, 0, 0]``), as Keras reads it from the call's flat outputs.
        made[name] = (
            next(iter(out.values())) if isinstance(out, dict) else out[0] if isinstance(out, list) else out
        )
    inputs = _structure_ref(cfg.get("input_layers"), made, "input_layers")
    outputs = _structure_ref(cfg.get("output_layers"), made, "output_layers")
    if isinstance(outputs, (list, dict)) and len(outputs) != 1:
        raise UnsupportedInFile(
            f"the model has {len(outputs)} outputs; keras_lite loads models with one output (several are not supported yet)"
        )
    return inputs, outputs, bool(cfg.get("trainable", True)), cfg.get("name")
