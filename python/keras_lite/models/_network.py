"""A model's core network, built from its wiring: what ``Sequential`` and ``Functional`` share.

The wiring (``model._wiring()``) lists every layer the network computes, nested models' layers in their place,
with the values each reads: input ``i`` is value ``i``, the ``j``-th layer's result value ``n_inputs + j``. A
chain from one input is built as the core's stack of layers (``_core.Model``), anything else as its graph
(``_core.Model.graph``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _core, config
from ..layers import Layer
from ..layers._attributes import forget_activity_losses
from ..layers._layer import _auto_name
from . import _ownership

if TYPE_CHECKING:
    from ._model import Model

Wired = list[tuple["Layer", list[int]]]


class Wiring:
    """A network's layers in order, each with the values it reads, placed item by item: a layer, or a nested model
    whose own wiring goes in its place."""

    def __init__(self, inputs: int) -> None:
        self.inputs = inputs
        self.layers: Wired = []

    def place(self, item: Any, reads: list[int]) -> int:
        """Add ``item`` (a layer or a model) reading the values ``reads``; returns the value of its result."""
        if isinstance(item, Layer):
            self.layers.append((item, reads))
            return self.inputs + len(self.layers) - 1
        nodes, outputs = item._wiring()
        values = list(reads)  # the nested model's numbering: its inputs, then each of its layers' results
        for layer, layer_reads in nodes:
            values.append(self.place(layer, [values[r] for r in layer_reads]))
        return values[outputs[0]]  # type: ignore[no-any-return]


def is_chain(wiring: Wired, inputs: int) -> bool:
    """Whether ``wiring`` runs each layer on the one before's result, from one input."""
    return inputs == 1 and all(reads == [j] for j, (_, reads) in enumerate(wiring))


def _widths(model: Model, wiring: Wired, input_widths: list[int]) -> list[int]:
    """Each layer's width (its input's; a merge layer's its output's). A layer built elsewhere keeps its width,
    as in Keras 3 (another is refused); the model's own are rebuilt at the new one."""
    sizes = list(input_widths)  # each value's width
    widths = []
    for layer, reads in wiring:
        merge_width = getattr(layer, "_merge_width", None)
        if merge_width is None:
            width = sizes[reads[0]]
            if layer._owner is not model._net:
                layer._check_width(width, (None, width))
            sizes.append(layer._output_width(width))
        else:
            width = merge_width([sizes[r] for r in reads], True)
            sizes.append(width)
        widths.append(width)
    return widths


def build(
    model: Model,
    wiring: Wired,
    input_widths: list[int],
    graph: bool,
    finish: Callable[[Any], None] | None = None,
) -> None:
    """Build ``model``'s core network (``graph``: as the core's graph even where it is a chain) and make it the
    model's, each layer keeping its weights where their shapes still fit, else starting from its initializers.
    ``finish`` (moving it to the model's device, compiling it) runs on the new network before the model takes it,
    so that another thread never finds the model with a network not yet compiled; the model takes it even if
    ``finish`` raises, as when that step came after."""
    forget_activity_losses(model)  # (Keras's build calls the model on KerasTensors, which clears them)
    widths = _widths(model, wiring, input_widths)
    specs = [layer._spec() for layer, _ in wiring]
    if graph or not is_chain(wiring, len(input_widths)):
        net = _core.Model.graph(
            input_widths, [(s, r) for s, (_, r) in zip(specs, wiring)], config.next_seed()
        )
    else:
        net = _core.Model(input_widths[0], specs, config.next_seed())
    by_layer: list[list[Any]] = [[] for _ in wiring]  # one pass: a scan per layer is quadratic
    for t in net.weight_info():
        by_layer[t[0]].append(t)
    # All values are made before any layer is attached, so that an initializer's error leaves them as they were.
    starts: list[list[tuple[int, np.ndarray]]] = []
    for (layer, _), info in zip(wiring, by_layer):
        prev = layer.get_weights() if layer.built and layer._input_width is not None else None
        if prev and [p.shape for p in prev] == [tuple(t[2]) for t in info]:
            starts.append([(j, np.ascontiguousarray(p, dtype=np.float32)) for j, p in enumerate(prev)])
        else:
            starts.append(layer._initial_values(info))
    base = 0
    placements = []
    held = True  # whether the new network holds every layer (see _ownership.attach)
    for i, ((layer, _), width, info) in enumerate(zip(wiring, widths, by_layer)):
        held &= _ownership.attach(model, net, layer, (i, base, width, info))
        for j, values in starts[i]:
            net.set_weight(base + j, values)
        placements.append((layer, i, base, width, info))
        # What the core computes for the layer, and the models that compute it: a later change of an attribute
        # it reads is handed to them (layers/_attributes.py).
        object.__setattr__(layer, "_built_spec", specs[i])
        layer.__dict__.setdefault("_built_in", weakref.WeakSet()).add(model)
        base += len(info)
    if not model._trainable:
        for i in range(len(wiring)):
            net.set_layer_trainable(i, False)
    try:
        if finish is not None:
            finish(net)
    finally:
        model._net, model._placements, model._stale = net, placements, not held
    if not graph:
        # A Sequential's build (the one caller without ``graph``): Keras 3 builds a Sequential as a Functional
        # model of its layers, which takes the next automatic "functional" name, so a Functional model made
        # after it is "functional_1" (its summary, its config and the keys of its outputs say so).
        _auto_name("functional")
