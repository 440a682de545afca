"""``model(x, training=True)``: the training-mode forward pass of one batch, run by the core
(``_core.call_training``): Dropout drops with its seed generator and scales by ``1 / (1 - rate)``, and a trainable
BatchNormalization normalizes with the batch's statistics and updates its moving statistics with its momentum,
as Keras 3 does; no gradient or optimizer step. A frozen BatchNormalization keeps to its moving statistics, as
in Keras.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import _core
from .._tensor import Tensor
from ..layers._keras_tensor import _functional_call, _symbolic
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
