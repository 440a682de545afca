"""``model(x)``: the warning Keras gives when ``x`` is not in the structure of the model's inputs, and
``model(x, training=True)``: the training-mode forward pass of one batch, run by the core
(``_core.call_training``): Dropout drops with its seed generator and scales by ``1 / (1 - rate)``, and a trainable
BatchNormalization normalizes with the batch's statistics and updates its moving statistics with its momentum,
as Keras 3 does; no gradient or optimizer step. A frozen BatchNormalization keeps to its moving statistics, as
in Keras.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .. import _core
from .._tensor import Tensor
from ..layers._keras_tensor import KerasTensor, _functional_call, _symbolic
from . import _trainer

if TYPE_CHECKING:
    from ._model import Model


def call_training(model: Model, x: Any) -> Tensor:
    """The outputs of ``model(x, training=True)`` (a float32 array that also has Keras's ``.numpy()``)."""
    if _symbolic(x):
        raise _functional_call(f"model {model.name!r}")
    xa = _trainer.inputs(model, x, "inputs")
    model._ensure_built(xa.shape[1], train=True)  # moving statistics change
    out: Tensor = _core.call_training(model._net, xa).view(Tensor)
    return out


def warn_structure(names: list[str], listed: bool, inputs: Any) -> None:
    """Keras's UserWarning for a model of one input called on data in another structure than its inputs were
    given in (``listed``: a list of the tensor named ``names[0]``): an array (not a tensor) for a list, or a
    list or tuple of one array for a bare tensor. Keras reads the data all the same, and so does keras_lite."""
    if len(names) != 1:
        return
    if listed:  # called on what is not a list or tuple
        if not hasattr(inputs, "shape") or isinstance(inputs, (Tensor, KerasTensor)):
            return
        expected, got = str(names), f"Tensor(shape={tuple(inputs.shape)})"
    else:  # called on a list or tuple
        if len(inputs) != 1 or not hasattr(inputs[0], "shape") or isinstance(inputs[0], KerasTensor):
            return
        item = f"Tensor(shape={tuple(inputs[0].shape)})"
        expected, got = names[0], str([item] if isinstance(inputs, list) else (item,))
    warnings.warn(
        f"The structure of `inputs` doesn't match the expected structure.\nExpected: {expected}\n"
        f"Received: inputs={got}",
        stacklevel=3,
    )


def _shown(value: Any) -> str:
    return f"Tensor(shape={tuple(getattr(value, 'shape', ()))})"


def check_structure(structure: Any, tensors: list[Any], x: Any) -> None:
    """Keras 3's warning for data given to a Functional model in another structure than its inputs (which it
    reads all the same): a dict for a model of one bare input, an array for one built from a dict, a dict with
    keys besides a dict-built model's. ``structure`` is the model's (``_tensor_list``'s: None, ``list`` or the
    keys); checked by fit, evaluate, predict and calls, as Keras checks each."""
    keyed = isinstance(structure, list)
    expected = {k: t.name for k, t in zip(sorted(structure), tensors)} if keyed else tensors[0].name
    if isinstance(x, dict) and structure is None:
        got: Any = [_shown(x.get(tensors[0].name))]
    elif isinstance(x, dict) and keyed and set(x) > set(structure):  # (one missing is an error instead)
        got = {k: _shown(v) for k, v in x.items()}
    elif keyed and len(tensors) == 1 and not isinstance(x, (dict, list, tuple)):
        got = _shown(x)
    else:
        return
    warnings.warn(
        f"The structure of `inputs` doesn't match the expected structure.\nExpected: {expected}\nReceived: "
        f"inputs={got}",
        UserWarning,
        stacklevel=5,
    )
