"""Keras 3's ``model.weights.h5`` (also a ``.weights.h5`` file): ``layers/<group>/vars/<i>``, ``optimizer/vars/<i>``.

Keras names each layer's group after its class (``dense``, ``dense_1``, ``batch_normalization``, ...), numbered per
class in model order, with the layer's own name in the group's ``name`` attribute (a nested model's group holds its
layers' groups in its own ``layers``); loading matches groups the same
way, so weights load into a model whose layers are named differently. Optimizer variables are 0 = iterations
(int64), 1 = learning rate (float32), then the slots in the order Keras creates them.

Writing uses h5py. Reading uses keras_lite's own bounded reader (``_h5read``: numbers stored in the file only, no
libhdf5) in three steps, so that a refused file changes nothing: ``read_h5`` finds each variable's shape and type
without reading values, ``plan`` checks all of them against the model and converts them, and only then ``commit``
writes the weights and the optimizer state together.

The model is read through ``model.layers``, ``built``, ``compiled``, ``optimizer`` and ``name``, and its core
network (``model._core_network()``), which reads and writes the weights and the optimizer state under one lock.
"""

from __future__ import annotations

import io
import math
import warnings
from typing import Any, NamedTuple

import numpy as np

from . import _h5read, optimizers
from ._errors import FormatError
from .layers import InputLayer, Layer
from .layers._layer import to_snake_case


def _h5py() -> Any:
    try:
        import h5py
    except ImportError:
        raise ImportError(
            "keras_lite writes `.keras` and `.weights.h5` files with h5py: pip install h5py"
        ) from None
    return h5py


def _walk(model: Any, prefix: tuple[str, ...] = ("layers",)) -> list[tuple[tuple[str, ...], Any]]:
    """``(group path, item)`` for each item of ``model.layers``, a nested model's own items after it (under its
    group's ``layers``). Keras names each group by the item's class in snake case, numbered per class in model
    order at each level."""
    used: dict[str, int] = {}
    out: list[tuple[tuple[str, ...], Any]] = []
    for item in model.layers:
        base = to_snake_case(type(item).__name__)
        path = (*prefix, base if base not in used else f"{base}_{used[base] + 1}")
        used[base] = used[base] + 1 if base in used else 0
        out.append((path, item))
        if not isinstance(item, Layer):  # a nested model
            out.extend(_walk(item, (*path, "layers")))
    return out


def _leaves(model: Any) -> list[tuple[tuple[str, ...], Any]]:
    """The layers of ``_walk``, nested models left out: the groups that hold variables."""
    return [(path, item) for path, item in _walk(model) if isinstance(item, Layer)]


def layer_weights(model: Any, values: list[np.ndarray] | None = None) -> list[list[np.ndarray]]:
    """Every layer's weights (in ``_leaves`` order), read under one lock (a consistent set even while another
    thread trains)."""
    net, layers = model._core_network(), [layer for _, layer in _leaves(model)]
    if net is None:
        return [[] for _ in layers]
    if values is None:
        values = net.get_weights()
    out: list[list[np.ndarray]] = [[] for _ in layers]
    # The core's layers are these, InputLayers (a Functional model's inputs, which hold no weights) aside.
    core = [i for i, layer in enumerate(layers) if not isinstance(layer, InputLayer)]
    for (layer_index, *_), value in zip(net.weight_info(), values):
        out[core[layer_index]].append(value)
    return out


def _create(root: Any, path: tuple[str, ...]) -> Any:
    group = root
    for name in path:
        group = group.require_group(name)
    return group


def weights_h5(model: Any) -> bytes:
    h5py = _h5py()
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.create_group("layers")
        # Weights and optimizer state from one lock, so a save during training is a consistent step.
        net = model._core_network()
        all_values, opt = net.snapshot() if net is not None else ([], None)
        for path, item in _walk(model):
            if not isinstance(item, Layer):  # a nested model: its own (empty) variables, as Keras writes them
                _create(f, (*path, "vars")).attrs["name"] = item.name
        for (path, layer), values in zip(_leaves(model), layer_weights(model, all_values)):
            store = _create(f, (*path, "vars"))
            store.attrs["name"] = layer.name
            for i, (v, var) in enumerate(zip(values, layer.weights)):
                store.create_dataset(str(i), data=np.asarray(v, dtype=var.dtype))
        if model.compiled and net is not None:
            _write_optimizer(f, model.optimizer, opt if opt is not None else net.optimizer_state())
        for path, item in _walk(model):
            # A compiled nested model's optimizer, under the nested model's group, as Keras writes it.
            if not isinstance(item, Layer) and item.compiled and item._net is not None:
                _write_optimizer(_create(f, path), item.optimizer, item._net.optimizer_state())
        f.create_group("vars").attrs["name"] = model.name
    return buf.getvalue()


def _write_optimizer(parent: Any, opt: Any, state: tuple[int, list[tuple[int | None, str, Any]]]) -> None:
    store = parent.create_group("optimizer").create_group("vars")
    store.attrs["name"] = opt.name
    iterations, rows = state
    by_key = {(w, s): v for w, s, v in rows}
    store.create_dataset("0", data=np.int64(iterations))
    # Keras keeps a learning-rate variable for a float rate only (none for a schedule).
    fixed = fixed_variables(opt)
    if fixed == 2:
        store.create_dataset("1", data=np.float32(opt.learning_rate))
    # Keras's optimizer makes its slots at its first step (or when a loaded model is compiled): before that,
    # the file holds the step count and the rate only.
    built = iterations > 0 or opt._built_on_load  # (the count of the state being written)
    for i, key in enumerate(keras_slot_order(opt, rows) if built else [], start=fixed):
        store.create_dataset(str(i), data=by_key[key])


# ---- optimizer slot order ----------------------------------------------------------------------------------
def _slot_groups(opt: optimizers.Optimizer) -> list[tuple[str, ...]]:
    """Keras creates slots group by group, each group interleaved per weight (``add_optimizer_variables``)."""
    if isinstance(opt, optimizers.Adam):
        return [("momentum", "velocity"), *([("velocity_hat",)] if opt.amsgrad else [])]
    if isinstance(opt, optimizers.SGD):
        return [("momentum",)] if opt.momentum != 0 else []
    if isinstance(opt, optimizers.RMSprop):
        groups: list[tuple[str, ...]] = [("velocity",)]
        groups += [("momentum",)] if opt.momentum > 0 else []
        return groups + ([("average_gradient",)] if opt.centered else [])
    if isinstance(opt, optimizers.Adagrad):
        return [("accumulator",)]
    if isinstance(opt, optimizers.Adamax):
        return [("momentum", "norm")]
    if isinstance(opt, optimizers.Lion):
        return [("momentum",)]
    if isinstance(opt, optimizers.Nadam):
        return [("momentum", "velocity")]
    if isinstance(opt, optimizers.Adadelta):
        return [("accumulated_grad", "accumulated_delta_var")]
    raise TypeError(f"keras_lite does not know the slots of optimizer {type(opt).__name__}")


def slot_counts(opt: optimizers.Optimizer) -> tuple[int, int]:
    """How many slots Keras's optimizer keeps per trainable value, and how many float32 variables beside them
    (Nadam's ``u_product``), as ``model.summary()`` counts them."""
    return sum(len(g) for g in _slot_groups(opt)), int(isinstance(opt, optimizers.Nadam))


def keras_slot_order(
    opt: optimizers.Optimizer, rows: list[tuple[int | None, str, Any]]
) -> list[tuple[int | None, str]]:
    """The core's ``(weight index, slot)`` rows (per weight, each slot) in the order Keras saves them, then
    the optimizer-wide ones (weight None: Nadam's ``u_product``, which Keras creates after the slots)."""
    weights: list[int | None] = list(dict.fromkeys(w for w, _, _ in rows if w is not None))
    order = [(w, s) for group in _slot_groups(opt) for w in weights for s in group]
    return order + [(w, s) for w, s, _ in rows if w is None]


# ---- reading -------------------------------------------------------------------------------------------------
class Stored(NamedTuple):
    """A weights file's variables for a model, found but not read: per layer, and the optimizer's (or None)."""

    layers: list[list[_h5read.Dataset] | None]  # None: not in the file, kept (legacy load_weights by name)
    optimizer: list[_h5read.Dataset] | None
    # How many optimizer variables come before the slots, when not Keras 3's for the optimizer (tf.keras 2's
    # files keep no learning-rate variable).
    fixed: int | None = None


def size_limit(model: Any) -> int:
    """The most bytes a weights file for ``model`` can need: every weight in float64 with three optimizer slots
    (AMSGrad's), plus 4 KiB of HDF5 bookkeeping per variable and per layer (h5py and Keras use about 600 bytes)
    and 1 MiB. A larger file or zip member is refused before it is read or inflated."""
    groups = len(_walk(model))
    shapes = [v.shape for v in model.weights] if model.built else []
    values = sum(math.prod(s) for s in shapes)
    return 8 * 4 * values + (4 << 10) * (4 * len(shapes) + groups + 8) + (1 << 20)


def _group(parent: _h5read.Group, name: str) -> _h5read.Group | None:
    node = parent.get(name)  # a link out of the file is refused here
    if node is not None and not isinstance(node, _h5read.Group):
        raise FormatError(f"{node.path} is a dataset where Keras writes a group")
    return node


def _vars(group: _h5read.Group) -> list[_h5read.Dataset]:
    keys = list(group.links())
    if sorted(keys, key=lambda k: (len(k), k)) != [str(i) for i in range(len(keys))]:
        shown = keys if len(keys) <= 12 else [*keys[:12], "..."]
        raise FormatError(f"{group.path} holds {shown}, not variables numbered 0, 1, ...")
    out = []
    for i in range(len(keys)):
        item = group.get(str(i))
        if not isinstance(item, _h5read.Dataset):
            raise FormatError(f"{group.path}/{i} is a group, not a variable")
        out.append(item)
    return out


def read_h5(data: bytes, model: Any) -> Stored:
    """Find the file's variables for each of ``model``'s layers (matched by class and order, as Keras does) and
    the optimizer's, checking where and how each is stored but reading no values yet."""
    root = _h5read.File(data).root
    if _group(root, "layers") is None:
        raise FormatError("the HDF5 file has no `layers` group (not Keras 3 weights)")
    per_layer: list[list[_h5read.Dataset] | None] = []
    for path, _ in _leaves(model):
        store: _h5read.Group | None = root
        for name in (*path, "vars"):
            store = None if store is None else _group(store, name)
        per_layer.append([] if store is None else _vars(store))
    group = _group(root, "optimizer")
    store = None if group is None else _group(group, "vars")
    return Stored(per_layer, None if store is None else _vars(store))


def _scalar(item: _h5read.Dataset, what: str) -> float | int:
    if item.size != 1 or len(item.shape) > 1:
        raise FormatError(f"{item.path} ({what}) has shape {item.shape}, not a single number")
    value = item.read().reshape(()).item()
    if not math.isfinite(value):
        raise FormatError(f"{item.path} ({what}) is {value}")
    return value  # type: ignore[no-any-return]


# The most steps a file's optimizer may have taken: Keras keeps them in an int64, and a count near its end
# would overflow it in the next fit, leaving a model that cannot be saved (2**62 steps are never reached).
MAX_STEPS = 2**62


def iterations(item: _h5read.Dataset) -> int:
    """The optimizer's step count: a whole number in [0, ``MAX_STEPS``)."""
    value = _scalar(item, "iterations")
    if value != int(value) or not 0 <= value < MAX_STEPS:
        raise FormatError(f"{item.path} (iterations) is {value}, not a step count")
    return int(value)


def fixed_variables(opt: optimizers.Optimizer) -> int:
    """How many variables Keras's optimizer has before its slots: the step count, and the learning rate
    unless it is a schedule."""
    return 1 if opt._schedule is not None else 2


def learning_rate(opt_vars: list[_h5read.Dataset] | None) -> float | None:
    """The file's learning-rate variable, which overrides the config's as in Keras (None if it has none; call
    for an optimizer with a float rate only: with a schedule the second variable is a slot)."""
    if opt_vars is None or len(opt_vars) < 2:
        return None
    return float(_scalar(opt_vars[1], "the learning rate"))


def _float32(item: _h5read.Dataset) -> np.ndarray:
    # A copy, not a view of the file's bytes: the core checks each array it borrows against the others on the
    # same buffer, which is quadratic when thousands of weights are views of one file.
    with np.errstate(over="ignore"):  # a float64 beyond float32's range becomes inf, as in Keras's assign
        return np.array(item.read(), dtype=np.float32, order="C")


class Plan(NamedTuple):
    """What ``commit`` writes: every weight, ``(iterations, slots in the core's order)`` or None, and the
    file's learning rate (Keras's ``load_weights`` assigns it too) or None."""

    weights: list[np.ndarray]
    optimizer: tuple[int, list[np.ndarray]] | None
    learning_rate: float | None = None


def plan(model: Any, stored: Stored, skip_mismatch: bool = False) -> Plan:
    """Check every variable against ``model`` and convert it; raise before anything is written."""
    layers = [layer for _, layer in _leaves(model)]
    want = [[v.shape for v in layer.weights] for layer in layers]
    current = None
    values: list[np.ndarray] = []
    for i, (layer, shapes, got) in enumerate(zip(layers, want, stored.layers)):
        if got is None:
            current = layer_weights(model) if current is None else current
            values.extend(current[i])
            continue
        if [g.shape for g in got] == shapes:
            values.extend(_float32(g) for g in got)
            continue
        found = [g.shape for g in got]
        msg = (
            f"layer {layer.name!r} ({type(layer).__name__}) expects {len(shapes)} weights of shapes {shapes}, "
            f"the file has {len(got)} of shapes {found if len(found) <= 12 else [*found[:12], '...']}"
        )
        if not skip_mismatch:
            raise FormatError(msg)
        warnings.warn(f"Skipping weights: {msg}", UserWarning, stacklevel=3)
        current = layer_weights(model) if current is None else current
        values.extend(current[i])
    optimizer = _optimizer_plan(model, stored.optimizer, stored.fixed, skip_mismatch)
    scheduled = model._optimizer is not None and (stored.fixed or fixed_variables(model.optimizer)) == 1
    lr = learning_rate(stored.optimizer) if optimizer is not None and not scheduled else None
    with np.errstate(over="ignore"):  # a rate beyond float32's range is refused below, not warned about
        out_of_range = lr is not None and not (np.isfinite(np.float32(lr)) and lr >= 0)
    if out_of_range:
        raise FormatError(f"the optimizer's learning rate is {lr}, not a non-negative float32 number")
    return Plan(values, optimizer, lr)


def _optimizer_plan(
    model: Any, opt_vars: list[_h5read.Dataset] | None, fixed: int | None = None, skip_mismatch: bool = False
) -> tuple[int, list[np.ndarray]] | None:
    net = model._core_network()
    if opt_vars is None or not model.compiled or net is None:
        return None
    fixed = fixed or fixed_variables(model.optimizer)
    if len(opt_vars) < fixed:
        return None
    _, rows = net.optimizer_state()
    order = keras_slot_order(model.optimizer, rows)
    built = model.optimizer._has_slots
    # Keras loads a state only into an optimizer of as many variables; keras_lite also restores a full state
    # into one that has not stepped yet, but not an empty one over a built optimizer's state, which Keras keeps.
    if len(opt_vars) not in (fixed, fixed + len(order)) or (len(opt_vars) == fixed and built and order):
        _skip_optimizer(model, fixed + len(order), len(opt_vars))
        return None
    steps = iterations(opt_vars[0])
    if fixed == 2:
        learning_rate(opt_vars)  # checked even where unused: a corrupt file is refused whole
    if len(opt_vars) == fixed:  # Keras saves an optimizer that never stepped without its slots
        return steps, [v for _, _, v in rows]
    current = {(w, s): v for w, s, v in rows}
    by_key = dict(zip(_file_order(order, opt_vars[fixed:], current), opt_vars[fixed:]))
    if not built and any(by_key[key].shape != current[key].shape for key in order):
        # Another model's state (as many slots, other shapes): Keras's optimizer has no slots before its first
        # step, so it skips the file's whole; keras_lite, which restores a state that fits into an optimizer
        # that never stepped, skips one that does not fit, with Keras's warning (its count of variables).
        _skip_optimizer(model, fixed, len(opt_vars))
        return None
    # Keras assigns the variables in its order and stops at the first that does not fit: with skip_mismatch
    # the ones before it keep the file's values, that one and the later ones their own.
    fits = len(order)
    for i, key in enumerate(order):
        item = by_key[key]
        if item.shape != current[key].shape:
            msg = f"{item.path} ({key[1]} of weight {key[0]}) has shape {item.shape}, expected {current[key].shape}"
            if not skip_mismatch:
                raise FormatError(msg)
            warnings.warn(
                f"Skipping weights: the optimizer's {msg}; it and the later slots keep their values",
                UserWarning,
                stacklevel=3,
            )
            fits = i
            break
    loaded = set(order[:fits])
    return steps, [_float32(by_key[(w, s)]) if (w, s) in loaded else v for w, s, v in rows]


def _skip_optimizer(model: Any, has: int, saved: int) -> None:
    """Keras's warning for an optimizer state it does not load (``has`` variables where the file has ``saved``)."""
    warnings.warn(
        f"Skipping variable loading for optimizer {model.optimizer.name!r}, because it has {has} variables "
        f"whereas the saved optimizer has {saved} variables. ",
        UserWarning,
        stacklevel=4,
    )


def pickled_optimizer(model: Any, steps: int, blob: bytes, saved: Any) -> tuple[int, list[np.ndarray]] | None:
    """A pickle's optimizer state for ``model``'s optimizer (``saved``: the shapes of its slots, absent from older
    pickles). None, with Keras's warning, where the trainable weights changed between the optimizer's build
    and the pickle (``trainable = False`` on a model, then one of its layers made trainable again): the
    optimizer starts afresh there, as Keras's does."""
    _, rows = model._core_network().optimizer_state()
    shapes = [tuple(v.shape) for _, _, v in rows]
    sizes = [math.prod(s) for s in shapes]
    flat = np.frombuffer(blob, dtype=np.float32)
    given = shapes if saved is None else [tuple(int(n) for n in s) for s in saved]
    if flat.size != sum(math.prod(s) for s in given):  # (a damaged pickle)
        raise FormatError(f"{flat.size} values of optimizer state where its shapes need {given}")
    if given != shapes:
        fixed = fixed_variables(model.optimizer)
        _skip_optimizer(model, fixed + len(rows), fixed + len(given))
        return None
    ends = np.cumsum(sizes)[:-1]
    return steps, [np.ascontiguousarray(p.reshape(s)) for p, s in zip(np.split(flat, ends), shapes)]


def _file_order(
    order: list[tuple[int | None, str]], items: list[_h5read.Dataset], current: dict[Any, np.ndarray]
) -> list[tuple[int | None, str]]:
    """The order of the file's slots: Keras's present one, or the one of Keras releases before 3.10 (which
    made the optimizer-wide variables, Nadam's ``u_product``, before the slots) where the shapes fit that one
    only. Keras 3.15 refuses such a file; the shapes leave no doubt, so keras_lite reads it."""
    wide = [key for key in order if key[0] is None]
    older = wide + [key for key in order if key[0] is not None]

    def fits(keys: list[tuple[int | None, str]]) -> bool:
        return all(item.shape == current[key].shape for item, key in zip(items, keys))

    return older if wide and not fits(order) and fits(older) else order


def state_fits(model: Any, opt_vars: list[_h5read.Dataset], fixed: int) -> bool:
    """Whether ``opt_vars`` (``fixed`` variables, then the slots) have the count and the shapes of the compiled
    ``model``'s optimizer state in Keras's order: a file whose layout is only presumed (tf.keras 2's) is read
    only then."""
    _, rows = model._core_network().optimizer_state()
    order = keras_slot_order(model.optimizer, rows)
    if len(opt_vars) != fixed + len(order):
        return False
    shapes = {(w, s): v.shape for w, s, v in rows}
    return all(item.shape == shapes[key] for item, key in zip(opt_vars[fixed:], order))


def commit(model: Any, planned: Plan) -> None:
    """Write a checked ``Plan``: the weights and the optimizer state load together, under one lock of the core
    (which checks both again before writing either), or not at all."""
    if planned.weights or planned.optimizer is not None:
        model._core_network(write=True).load_state(planned.weights or None, planned.optimizer)
    lr = planned.learning_rate
    # Checked by `plan`, so this assignment cannot be refused. The file holds float32: a rate that rounds to
    # it already is the file's and keeps its exact value.
    if lr is not None and np.float32(model.optimizer.learning_rate) != np.float32(lr):
        model.optimizer.learning_rate = lr


def load_nested_optimizers(data: bytes, model: Any) -> None:
    """Restore the state of each compiled nested model's optimizer that the file holds (Keras's skip warning
    when it does not fit: a nested model saved frozen has no slots to take the file's)."""
    root = _h5read.File(data).root
    for path, item in _walk(model):
        if isinstance(item, Layer) or not item.compiled or item._net is None:
            continue
        store: _h5read.Group | None = root
        for name in (*path, "optimizer", "vars"):
            store = None if store is None else _group(store, name)
        state = None if store is None else _optimizer_plan(item, _vars(store))
        if state is not None:
            item._net.set_optimizer_state(state[0], state[1])
