"""``KerasTensor``, what ``keras.Input`` returns, and the refusal of calls on one (the Functional API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._unsupported import NotSupportedError

if TYPE_CHECKING:
    from ._input_layer import InputLayer


class KerasTensor:
    """What ``keras.Input`` returns: a symbolic ``(None, width)`` input for a ``Sequential``."""

    def __init__(self, layer: InputLayer) -> None:
        self._keras_history = (layer, 0, 0)
        self.shape = (None, *layer.shape)
        self.dtype = "float32"
        self.name = layer.name

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype=float32, name={self.name}>"


def _functional_call(what: str) -> NotSupportedError:
    """The error for calling a layer or model on ``keras.Input(...)``: that builds a Functional model."""
    return NotSupportedError(
        f"keras_lite does not support the Functional API yet: calling {what} on a symbolic keras.Input(...) "
        "builds a graph, which keras_lite cannot run. Build the model as keras.Sequential([keras.Input("
        "shape=(features,)), layers.Dense(...), ...]) instead, and call it on arrays."
    )


def _symbolic(inputs: Any) -> bool:
    return isinstance(inputs, KerasTensor) or (
        isinstance(inputs, (list, tuple)) and any(isinstance(i, KerasTensor) for i in inputs)
    )
