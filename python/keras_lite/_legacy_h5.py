"""Keras's legacy HDF5 model files: ``model.save("model.h5")``, as tf.keras 2 and Keras 3 write and read them.

One HDF5 file. Its root's attributes hold the model's config (``model_config``, JSON with each layer as
``{"class_name", "config"}``) and how it was compiled (``training_config``: loss, metrics, the optimizer as
``optimizer_config``); ``model_weights`` holds a group per entry of ``model.layers`` (a nested model is one
entry), its ``weight_names`` attribute listing its weights (trainable ones first) by their paths, which are
also where the values are stored below it; ``optimizer_weights`` holds the optimizer's variables the same way
(Keras 3: the step count, the learning rate unless it is a schedule, then the slots in Keras's order).

Writing uses h5py and follows Keras 3. Reading uses keras_lite's bounded reader (``_h5read``, ``_h5attrs``):
no libhdf5, nothing outside the file, and the checks of ``_saving`` (the config read against what the file's
bytes can hold, every weight checked before any is written). Weights are matched to the model's layers in order,
as Keras does (or by name, with ``load_weights(..., by_name=True)``). A tf.keras 2.11+ file's optimizer
state has no learning-rate variable and other slot names (``Adam/m/dense/kernel:0``): its slots are found by
name, so such a model resumes training where it stopped (Keras 3 starts it with a fresh optimizer). Older files'
state (tf.keras before 2.11, standalone Keras 2) is laid out otherwise again: those models start with a fresh
optimizer, with Keras's warning.
"""

from __future__ import annotations

import io
import json
import warnings
from typing import Any

import numpy as np

from . import _h5attrs, _h5read
from . import _keras_weights as h5
from . import losses as losses_module
from ._errors import FormatError

SAVE_WARNING = (
    "You are saving your model as an HDF5 file via `model.save()` or `keras.saving.save_model(model)`. This file "
    "format is considered legacy. We recommend using instead the native Keras format, e.g. "
    "`model.save('my_model.keras')` or `keras.saving.save_model(model, 'my_model.keras')`. "
)
FRESH_OPTIMIZER = (
    "Error in loading the saved optimizer state. As a result, your model is starting with a freshly initialized "
    "optimizer."
)
MAX_JSON = 64 << 20  # bytes of a config attribute; more is not a model description


# ---- writing -------------------------------------------------------------------------------------------------
def legacy_tree(entry: Any) -> Any:
    """A ``.keras`` config tree in the legacy layout: a model's and each layer's entry without ``module``,
    ``registered_name``, ``build_config`` and (a nested model's) ``compile_config`` (the objects inside a layer's
    config keep theirs, as Keras 3 writes them)."""
    if not isinstance(entry, dict) or "class_name" not in entry:
        return entry
    dropped = ("module", "registered_name", "build_config", "compile_config")
    out = {k: v for k, v in entry.items() if k not in dropped}
    config = out.get("config")
    if isinstance(config, dict) and isinstance(config.get("layers"), list):
        out["config"] = {**config, "layers": [legacy_tree(layer) for layer in config["layers"]]}
    return out


def _unaliased(loss: Any) -> Any:
    """The function's own name for an alias ("mse" is written "mean_squared_error"), also inside the list or
    dict compile was given: Keras 3's legacy loader cannot read the aliases back (it looks for them among the
    metrics). The history's key stays "loss"."""
    if isinstance(loss, (list, tuple)):
        return type(loss)(_unaliased(v) for v in loss)
    if isinstance(loss, dict) and "class_name" not in loss:
        return {k: _unaliased(v) for k, v in loss.items()}
    if isinstance(loss, str):
        try:
            return str(losses_module.get(loss).__name__)
        except (ValueError, AttributeError):
            pass
    return loss


def _legacy_object(entry: Any) -> Any:
    """A loss or metric of a compile config as Keras 3's legacy writer serializes it, also inside the list or
    dict compile was given: a function by its name (``"categorical_crossentropy"``), an object as
    ``{"class_name", "config"}`` (its registered name for a registered class), without ``module`` and
    ``registered_name``."""
    if isinstance(entry, (list, tuple)):
        return type(entry)(_legacy_object(v) for v in entry)
    if not isinstance(entry, dict):
        return entry
    if "class_name" not in entry:
        return {k: _legacy_object(v) for k, v in entry.items()}
    if entry["class_name"] == "function":
        return entry.get("config")
    return {"class_name": entry.get("registered_name") or entry["class_name"], "config": entry.get("config")}


def _training_config(compile_config: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in compile_config.items() if k != "optimizer"}
    for key in ("loss", "metrics", "weighted_metrics"):
        out[key] = _legacy_object(out.get(key))
    out["loss"] = _unaliased(out.get("loss"))
    opt = compile_config["optimizer"]
    out["optimizer_config"] = {"class_name": opt["class_name"], "config": opt["config"]}
    return out


def _variables(item: Any) -> list[Any]:
    """A layer's or a nested model's variables in Keras's legacy order (trainable ones first)."""
    return list(item.trainable_weights) + list(item.non_trainable_weights)


def _key(variable: Any) -> tuple[int, int]:
    """A variable's identity in the model: its layer and its place there (paths need not be unique)."""
    return id(variable._layer), variable._slot


# The most bytes an attribute may hold in an HDF5 object header (64 KiB, less the message's own fields).
_ATTRIBUTE_MOST = 64512


def _names(group: Any, name: str, values: list[bytes]) -> None:
    # As Keras writes it: h5py's own type for a list of byte strings (an empty list is an empty float array).
    # A list too large for one attribute is written in numbered parts of equal count (``name0``, ``name1``,
    # ...), each within the limit, as Keras splits it (and `_strings` joins them).
    width = max((len(v) for v in values), default=0)
    parts = 1
    while parts < len(values) and -(-len(values) // parts) * width > _ATTRIBUTE_MOST:
        parts += 1
    if parts == 1:
        group.attrs[name] = values
        return
    for i, part in enumerate(np.array_split(np.array(values), parts)):
        group.attrs[f"{name}{i}"] = part


def model_h5(model: Any, include_optimizer: bool, keras_version: str) -> bytes:
    """The legacy HDF5 file of ``model``: its config, its compile config (when compiled), its weights and (with
    ``include_optimizer``) its optimizer's state, weights and state read together under one lock."""
    h5py = h5._h5py()
    net = model._core_network()
    values, opt = net.snapshot() if net is not None else ([], None)
    flat = [x for ws in h5.layer_weights(model, values) for x in ws]
    by_key = {_key(v): value for v, value in zip(model.weights, flat)}
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.attrs["keras_version"] = keras_version
        f.attrs["backend"] = "keras_lite"
        f.attrs["model_config"] = json.dumps(legacy_tree(model._keras_config())).encode("utf8")
        if model.compiled and include_optimizer:  # (as Keras: without the optimizer, no training config)
            f.attrs["training_config"] = json.dumps(_training_config(model._keras_compile_config())).encode(
                "utf8"
            )
        group = f.create_group("model_weights")
        _names(group, "layer_names", [item.name.encode("utf8") for item in model.layers])
        group.attrs["backend"] = b"keras_lite"
        group.attrs["keras_version"] = keras_version.encode("utf8")
        for item in sorted(model.layers, key=lambda item: item.name):
            store = group.create_group(item.name)
            variables = _variables(item)
            _names(store, "weight_names", [v.path.encode("utf8") for v in variables])
            for v in variables:
                store.create_dataset(v.path, data=np.asarray(by_key[_key(v)], dtype=v.dtype))
        _names(group.create_group("top_level_model_weights"), "weight_names", [])
        if include_optimizer and model.compiled and net is not None:
            _write_optimizer(f, model, opt if opt is not None else net.optimizer_state())
    return buf.getvalue()


def _write_optimizer(f: Any, model: Any, state: tuple[int, list[Any]]) -> None:
    iterations, rows = state
    optimizer, weights = model.optimizer, model.weights
    by_key = {(w, s): v for w, s, v in rows}
    named: list[tuple[str, Any]] = [("iteration", np.int64(iterations))]
    if h5.fixed_variables(optimizer) == 2:
        named.append(("learning_rate", np.float32(optimizer.learning_rate)))
    built = iterations > 0 or optimizer._built_on_load  # (Keras makes its slots at its first step)
    for w, s in h5.keras_slot_order(optimizer, rows) if built else []:
        # Keras names a slot after its weight's path and the slot ("sequential_dense_kernel_momentum").
        name = s if w is None else f"{weights[w].path.replace('/', '_')}_{s}"
        named.append((name, by_key[(w, s)]))
    group = f.create_group("optimizer_weights")
    paths = [f"{optimizer.name}/{name}" for name, _ in named]
    _names(group, "weight_names", [p.encode("utf8") for p in paths])
    for path, (_, value) in zip(paths, named):
        group.create_dataset(path, data=value)


# ---- reading -------------------------------------------------------------------------------------------------
def _strings(attrs: dict[str, Any], name: str, where: str) -> list[str]:
    """A list-of-names attribute, joined from Keras's numbered chunks (``layer_names0``, ``layer_names1``, ...)
    when it was too large for one; an empty numeric array (what h5py makes of an empty list) is no names."""
    if name in attrs:
        parts = [attrs[name]]
    else:
        parts = []
        while f"{name}{len(parts)}" in attrs:
            parts.append(attrs[f"{name}{len(parts)}"])
    out: list[str] = []
    for part in parts:
        if isinstance(part, np.ndarray) and part.size == 0:
            continue
        if isinstance(part, str):
            part = [part]
        if not isinstance(part, list):
            raise FormatError(f"{where}'s {name} attribute is not a list of names")
        out += part
    return out


def _dataset(group: _h5read.Group, path: str) -> _h5read.Dataset:
    """The dataset at ``path`` (slash-separated) below ``group``."""
    node: Any = group
    for part in path.split("/"):
        node = node.get(part) if isinstance(node, _h5read.Group) and part else None
        if node is None:
            raise FormatError(f"{group.path} names the weight {path!r}, which it does not hold")
    if not isinstance(node, _h5read.Dataset):
        raise FormatError(f"{group.path}/{path} is a group, not a weight")
    return node  # type: ignore[no-any-return]


def _saved_layers(weights: _h5read.Group) -> list[tuple[str, list[_h5read.Dataset], list[str]]]:
    """The file's layers that hold weights, in order, each with its weights and their names."""
    where = weights.path or "the root group"
    out = []
    for name in _strings(_h5attrs.attributes(weights), "layer_names", where):
        group = h5._group(weights, name)
        if group is None:
            raise FormatError(f"{where} lists layer {name!r} but has no group for it")
        names = _strings(_h5attrs.attributes(group), "weight_names", group.path)
        if names:
            out.append((name, [_dataset(group, n) for n in names], names))
    return out


def _by_leaf(
    model: Any, matched: list[tuple[Any, list[_h5read.Dataset]]]
) -> list[list[_h5read.Dataset] | None]:
    """Datasets matched to entries of ``model.layers`` (in legacy order), as ``_keras_weights.Stored`` lists them:
    per layer, nested models' layers one by one, in each layer's own order."""
    found: dict[tuple[int, int], _h5read.Dataset] = {}
    for item, datasets in matched:
        variables = _variables(item)
        if len(datasets) != len(variables):
            raise FormatError(
                f"layer {item.name!r} ({type(item).__name__}) expects {len(variables)} weights, the file has "
                f"{len(datasets)}"
            )
        found.update({_key(v): d for v, d in zip(variables, datasets)})
    # A layer the file does not hold (load_weights by name) is None: its weights are kept.
    return [
        [found[_key(v)] for v in layer.weights] if all(_key(v) in found for v in layer.weights) else None
        for _, layer in h5._leaves(model)
    ]


def read_weights(
    root: _h5read.Group, model: Any, by_name: bool = False, skip_mismatch: bool = False
) -> list[list[_h5read.Dataset] | None]:
    """The datasets of a legacy file (its ``model_weights`` group, or its root for a weights-only file) for
    each of ``model``'s layers: matched in order (Keras's topological loading) or by layer name."""
    group = h5._group(root, "model_weights") or root
    saved = _saved_layers(group)
    holders = [item for item in model.layers if _variables(item)]
    if by_name:
        found = {name: datasets for name, datasets, _ in saved}
        matched = []
        for item in holders:
            datasets = found.get(item.name)
            if datasets is None:
                continue
            if len(datasets) != len(_variables(item)) and skip_mismatch:
                warnings.warn(
                    f"Skipping loading of weights for layer {item.name!r} due to mismatch in the number of "
                    f"weights ({len(_variables(item))} vs {len(datasets)}).",
                    UserWarning,
                    stacklevel=4,
                )
                continue
            matched.append((item, datasets))
    else:
        if len(saved) != len(holders):
            raise FormatError(
                f"Layer count mismatch when loading weights from file. Model expected {len(holders)} layers, "
                f"found {len(saved)} saved layers."
            )
        matched = [(item, datasets) for item, (_, datasets, _) in zip(holders, saved)]
    return _by_leaf(model, matched)


def keras3(attrs: dict[str, Any]) -> bool:
    """Whether a legacy file's attributes say Keras 3 wrote it."""
    version = attrs.get("keras_version")
    return isinstance(version, str) and version.startswith("3.")


def read_optimizer(root: _h5read.Group, attrs: dict[str, Any]) -> list[_h5read.Dataset] | None:
    """A Keras 3 file's optimizer variables in the order Keras 3 writes them; None when the file has none or is
    tf.keras 2's (see `keras2_optimizer`)."""
    group = h5._group(root, "optimizer_weights")
    if group is None or not keras3(attrs):
        return None
    names = _strings(_h5attrs.attributes(group), "weight_names", group.path)
    return [_dataset(group, n) for n in names]


# tf.keras 2.11+'s optimizers keep Keras 3's update rules under other slot names ("Adam/m/dense/kernel:0").
_KERAS2_SLOTS = {
    "m": "momentum",
    "v": "velocity",
    "vhat": "velocity_hat",
    "u": "norm",
    **{s: s for s in ("velocity", "momentum", "average_gradient", "accumulator")},
    **{s: s for s in ("accumulated_grad", "accumulated_delta_var")},
}


def keras2_optimizer(root: _h5read.Group, model: Any) -> list[_h5read.Dataset] | None:
    """A tf.keras 2 file's optimizer variables, the step count then the slots in Keras 3's order, each slot
    found by its name (its kind, and the weight named as in the file's ``weight_names``), for the compiled
    ``model``; None, with Keras's warning of a fresh optimizer, when the file has them in another layout (tf.keras
    before 2.11, standalone Keras 2) or not for every slot of this optimizer."""
    group = h5._group(root, "optimizer_weights")
    if group is None:
        return None
    index = _weight_indices(root, model)
    iteration = None
    by_key: dict[tuple[int | None, str], _h5read.Dataset] = {}
    for name in _strings(_h5attrs.attributes(group), "weight_names", group.path):
        parts = name.split("/")
        if parts[-1] == "iteration:0" and len(parts) <= 2:
            iteration = _dataset(group, name)
            continue
        slot = _KERAS2_SLOTS.get(parts[1]) if len(parts) > 2 else None
        w = index.get("/".join(parts[2:]))
        if slot is None or w is None:
            by_key = {}
            break
        by_key[(w, slot)] = _dataset(group, name)
    _, rows = model._core_network().optimizer_state()
    order = h5.keras_slot_order(model.optimizer, rows)
    if iteration is None or set(by_key) != set(order):
        warnings.warn(FRESH_OPTIMIZER, UserWarning, stacklevel=4)
        return None
    return [iteration, *(by_key[key] for key in order)]


def _weight_indices(root: _h5read.Group, model: Any) -> dict[str, int]:
    """Each of the file's weight names (``dense/kernel:0``), as matched in order to ``model``'s layers: its
    index in ``model.weights``."""
    group = h5._group(root, "model_weights") or root
    position = {_key(v): i for i, v in enumerate(model.weights)}
    holders = [item for item in model.layers if _variables(item)]
    out: dict[str, int] = {}
    for item, (_, _datasets, names) in zip(holders, _saved_layers(group)):
        out.update({n: position[_key(v)] for n, v in zip(names, _variables(item)) if _key(v) in position})
    return out


def config_attr(attrs: dict[str, Any], name: str) -> Any:
    """A JSON attribute (None when absent)."""
    text = attrs.get(name)
    if text is None:
        return None
    if not isinstance(text, str) or len(text) > MAX_JSON:
        raise FormatError(f"the file's {name} attribute is not a JSON text")
    return json.loads(text)
