"""Keras 3's ``model.weights.h5`` (also a ``.weights.h5`` file): ``layers/<group>/vars/<i>``, ``optimizer/vars/<i>``.

Keras names each layer's group after its class (``dense``, ``dense_1``, ``batch_normalization``, ...), numbered per
class in model order, with the layer's own name in the group's ``name`` attribute; loading matches groups the same
way, so weights load into a model whose layers are named differently. Optimizer variables are 0 = iterations
(int64), 1 = learning rate (float32), then the slots in the order Keras creates them. Reading accepts numeric
datasets stored in the file only (no links to other files, no object data).
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import numpy as np

from . import _keras_format as fmt
from ._keras_format import FormatError


def _h5py() -> Any:
    try:
        import h5py
    except ImportError:
        raise ImportError(
            "keras_lite reads and writes `.keras` and `.weights.h5` files with h5py: pip install h5py"
        ) from None
    return h5py


def _group_names(model: Any) -> list[str]:
    """Keras names each layer's group by its class in snake case, numbered per class in model order."""
    from .layers import _snake

    used: dict[str, int] = {}
    out = []
    for layer in model._layers:
        base = _snake(type(layer).__name__)
        out.append(base if base not in used else f"{base}_{used[base] + 1}")
        used[base] = used[base] + 1 if base in used else 0
    return out


def layer_weights(model: Any, values: list[np.ndarray] | None = None) -> list[list[np.ndarray]]:
    """Every layer's weights, read under one lock (a consistent set even while another thread trains)."""
    if model._net is None:
        return [[] for _ in model._layers]
    if values is None:
        values = model._net.get_weights()
    out: list[list[np.ndarray]] = [[] for _ in model._layers]
    for (layer_index, *_), value in zip(model._net.weight_info(), values):
        out[layer_index].append(value)
    return out


def weights_h5(model: Any) -> bytes:
    h5py = _h5py()
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        root = f.create_group("layers")
        # Weights and optimizer state from one lock, so a save during training is a consistent step.
        all_values, opt = model._net.snapshot() if model._net is not None else ([], None)
        for group, layer, values in zip(_group_names(model), model._layers, layer_weights(model, all_values)):
            store = root.create_group(group).create_group("vars")
            store.attrs["name"] = layer.name
            for i, v in enumerate(values):
                store.create_dataset(str(i), data=v)
        if model.compiled and model._net is not None:
            store = f.create_group("optimizer").create_group("vars")
            store.attrs["name"] = model.optimizer.name
            iterations, rows = opt if opt is not None else model._net.optimizer_state()
            by_key = {(w, s): v for w, s, v in rows}
            store.create_dataset("0", data=np.int64(iterations))
            store.create_dataset("1", data=np.float32(model.optimizer.learning_rate))
            for i, key in enumerate(fmt.keras_slot_order(model.optimizer, rows), start=2):
                store.create_dataset(str(i), data=by_key[key])
        f.create_group("vars").attrs["name"] = model.name
    return buf.getvalue()


def _numeric(group: Any, key: str, where: str) -> np.ndarray:
    h5py = _h5py()
    link = group.get(key, getlink=True)
    if not isinstance(link, h5py.HardLink) or not isinstance(group[key], h5py.Dataset):
        raise FormatError(f"{where}/{key} is not a dataset stored in the file")
    data = np.asarray(group[key][()])
    if data.dtype.kind not in "biuf":
        raise FormatError(f"{where}/{key} holds {data.dtype} data, not numbers")
    return data


def _group(f: Any, path: str) -> Any:
    """The group at ``path`` if every step to it is a group stored in this file (no links elsewhere), or None."""
    h5py = _h5py()
    node = f
    for part in path.split("/"):
        if not isinstance(node.get(part, getlink=True), h5py.HardLink) or not isinstance(
            node[part], h5py.Group
        ):
            return None
        node = node[part]
    return node


def _vars(group: Any, where: str) -> list[np.ndarray]:
    keys = list(group.keys())
    if sorted(keys, key=lambda k: (len(k), k)) != [str(i) for i in range(len(keys))]:
        raise FormatError(f"{where} holds {keys}, not variables numbered 0, 1, ...")
    return [_numeric(group, str(i), where) for i in range(len(keys))]


def read_h5(data: bytes, model: Any) -> tuple[list[list[np.ndarray]], list[np.ndarray] | None]:
    """The file's weights for each of ``model``'s layers (matched by class and order, as Keras does) and the
    optimizer variables, if any."""
    h5py = _h5py()
    try:
        f = h5py.File(io.BytesIO(data), "r")
    except OSError:
        raise FormatError("the weights are not a valid HDF5 file (truncated or corrupted)") from None
    with f:
        if _group(f, "layers") is None:
            raise FormatError("the HDF5 file has no `layers` group (not Keras 3 weights)")
        per_layer = []
        for name in _group_names(model):
            group = _group(f, f"layers/{name}/vars")
            per_layer.append([] if group is None else _vars(group, f"layers/{name}/vars"))
        group = _group(f, "optimizer/vars")
        opt = None if group is None else _vars(group, "optimizer/vars")
    return per_layer, opt


def apply_weights(model: Any, per_layer: list[list[np.ndarray]], skip_mismatch: bool = False) -> None:
    current = layer_weights(model)
    values: list[np.ndarray] = []
    for layer, want, got in zip(model._layers, current, per_layer):
        shapes = [w.shape for w in want]
        if [tuple(g.shape) for g in got] != shapes:
            msg = (
                f"layer {layer.name!r} ({type(layer).__name__}) expects {len(want)} weights of shapes {shapes}, "
                f"the file has {len(got)} of shapes {[tuple(g.shape) for g in got]}"
            )
            if not skip_mismatch:
                raise FormatError(msg)
            warnings.warn(f"Skipping weights: {msg}", UserWarning, stacklevel=3)
            values.extend(want)
            continue
        values.extend(np.ascontiguousarray(g, dtype=np.float32) for g in got)
    if values:
        model._net.set_weights(values)


def apply_optimizer(model: Any, opt_vars: list[np.ndarray] | None) -> None:
    if opt_vars is None or not model.compiled or model._net is None or len(opt_vars) < 2:
        return
    _, rows = model._net.optimizer_state()
    order = fmt.keras_slot_order(model.optimizer, rows)
    if len(opt_vars) == 2:  # Keras saves an optimizer that never stepped without its slots
        slots = {(w, s): v for w, s, v in rows}
    elif len(opt_vars) == 2 + len(order):
        slots = {key: v for key, v in zip(order, opt_vars[2:])}
    else:
        warnings.warn(
            f"Skipping variable loading for optimizer {model.optimizer.name!r}, because it has "
            f"{2 + len(order)} variables whereas the saved optimizer has {len(opt_vars)} variables.",
            UserWarning,
            stacklevel=3,
        )
        return
    arrays = []
    for w, s, v in rows:
        got = slots[(w, s)]
        if got.shape != v.shape:
            raise FormatError(f"optimizer slot {s} of weight {w} has shape {got.shape}, expected {v.shape}")
        arrays.append(np.ascontiguousarray(got, dtype=np.float32))
    model._net.set_optimizer_state(int(opt_vars[0]), arrays)
