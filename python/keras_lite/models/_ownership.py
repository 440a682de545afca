"""Layers in several models: which model's network holds a layer's weights, and how another takes them.

A layer can be in more than one model: a model put in a ``Sequential`` (``Sequential([model, Softmax()])``, an
autoencoder of an encoder and a decoder), or one layer added to two models. Each model computes in its own core
network, so a layer's weights live in one network at a time, its holder's (``layer._holder``); a model whose
network lost some of its layers to another is *stale* until it takes them back. Before a stale model computes,
saves or hands out its weights, it claims its layers: it copies their current values into its own network, which
holds them from then on, and the model that held them becomes stale in turn. So every model sees the values the
last of them trained or set, as models sharing Keras variables do; each model's optimizer state stays its own,
as each Keras optimizer keeps its own slots for a variable it shares.

A model whose layers another model is training (``fit`` running, from a callback or another thread) reads or is
built on a copy of their current values and stays stale; training it then is refused: the running fit would go on
training values nobody holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._structure_lock import _STRUCTURE_LOCK

if TYPE_CHECKING:
    from ..layers import Layer
    from ._model import Model


class Holder:
    """A model's side of the holding: whether its network lacks some of its layers' current weights (``_stale``)
    and so whether the predict fast path may run on it (``_fast``), kept in step whenever either changes."""

    _direct = True  # whether x goes to the core as it is (one flat input)
    _behind = False
    _fast = True  # _direct and not _stale: the predict fast path's one test
    _placements: list[tuple[Any, ...]] = []  # (layer, index, weight base, width, weight info) in the network

    @property
    def _direct_input(self) -> bool:
        return self._direct

    @_direct_input.setter
    def _direct_input(self, value: bool) -> None:
        self._direct = value
        self._fast = value and not self._behind

    @property
    def _stale(self) -> bool:
        """Whether another model's network holds some of this model's layers: it claims them before it next
        computes, saves or hands out weights."""
        return self._behind

    @_stale.setter
    def _stale(self, value: bool) -> None:
        self._behind = value
        self._fast = self._direct and not value


def _holder(layer: Layer) -> Any:
    return layer._holder() if layer._holder is not None else None


def _busy(layer: Layer, model: Model) -> Any:
    """The model training ``layer``'s weights now, unless that is ``model`` (None: nobody else)."""
    holder = _holder(layer)
    return holder if holder is not None and holder is not model and holder._fits else None


def _training_elsewhere(layer: Layer, holder: Model, model: Model, what: str) -> RuntimeError:
    return RuntimeError(
        f"Cannot {what} model {model.name!r} while model {holder.name!r} is training its layer {layer.name!r}: "
        f"fit() or train_on_batch() is running on {holder.name!r} (this call came from a callback or another "
        f"thread), and it would go on training the weights {model.name!r} takes. Call it after that fit returns."
    )


def attach(model: Model, net: Any, layer: Layer, place: tuple[int, int, int, list[Any]]) -> bool:
    """Make ``net``, the network ``model`` is building, hold ``layer``'s weights at ``place`` (index, weight base,
    width, weight info; the values are the caller's to write), unless another model trains them now: then
    ``net`` holds a copy and ``model`` will be stale. Returns whether ``net`` holds them."""
    if _busy(layer, model) is not None:
        net.set_layer_trainable(place[0], layer.trainable and model._trainable)
        return False
    layer._attach(net, *place, model)
    return True


def claim(model: Model, train: bool) -> None:
    """Make ``model``'s network hold the current values of all its layers' weights (see the module's text).

    ``train``: the caller is about to change them (fit, set_weights, load_weights), so a layer another model
    is training is a ``RuntimeError`` rather than a copy.
    """
    with _STRUCTURE_LOCK:
        net = model._net
        if not model._stale or net is None:  # (none: a model emptied by pop holds no weights)
            return
        # Every weight's current value, written in one step (a predict running meanwhile sees either all the old
        # values or all the new ones); the layers move only then, so their handles never read a half-written net.
        values = [
            np.ascontiguousarray(v, dtype=np.float32)
            for layer, *_ in model._placements
            for v in layer.get_weights()
        ]
        behind = False
        moving = []
        for layer, index, base, width, info in model._placements:
            if layer._owner is net:
                continue
            holder = _busy(layer, model)
            if holder is None:
                moving.append((layer, index, base, width, info))
            elif train:
                raise _training_elsewhere(layer, holder, model, "train or set the weights of")
            else:
                behind = True  # a copy of the values now; the layer stays with the model training it
        if values:
            net.set_weights(values)
        for layer, index, base, width, info in moving:
            layer._attach(net, index, base, width, info, model)
            net.set_layer_trainable(index, layer.trainable and model._trainable)
        model._stale = behind
