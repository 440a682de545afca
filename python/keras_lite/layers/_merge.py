"""Merge layers, as ``keras.layers``: ``Concatenate``, ``Add``, ``Subtract``, ``Multiply``, ``Average``,
``Maximum`` and ``Minimum``, and their function forms (``layers.concatenate([a, b])``, ...).

Each joins a list of ``(batch, width)`` inputs into one: side by side (Concatenate), or element by element over
inputs of one width. The core computes them (rust/layers/); they have no weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core, _data, config
from .._errors import received
from .._tensor import Tensor
from .._unsupported import NotSupportedError
from ._keras_tensor import _symbolic, _symbolic_call
from ._layer import Layer


class _Merge(Layer):
    """What the merge layers share: a list input, one core kind, no weights."""

    _kind = ""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._input_widths: list[int] | None = None

    def _spec(self) -> dict[str, Any]:
        return {"kind": self._kind}

    def _check_list(self, widths: list[int], is_list: bool) -> None:
        if not is_list:
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: input_shape={(None, widths[0])} (not a list of shapes)"
            )
        if not widths:
            raise ValueError(
                "A merge layer should be called on a list of at least 1 input. Received 0 inputs. "
                "Full input_shape received: []"
            )

    def _merge_width(self, widths: list[int], is_list: bool) -> int:
        """The output width for inputs of ``widths`` (element-wise: all one width), or Keras's ValueError."""
        self._check_list(widths, is_list)
        for w in widths[1:]:
            if w != widths[0]:
                if 1 in (w, widths[0]):
                    raise NotSupportedError(
                        f"keras_lite's {type(self).__name__} does not broadcast a width-1 input against a wider "
                        f"one yet: its inputs must have one width. Received: input widths {widths}"
                    )
                raise ValueError(
                    f"Inputs have incompatible shapes. Received shapes ({widths[0]},) and ({w},)"
                )
        self._input_widths = list(widths)
        return widths[0]

    @property
    def input_shape(self) -> Any:
        if self._input_widths is None:
            raise AttributeError(
                f"The layer {self.name!r} has never been called and thus has no defined input shape."
            )
        return [(None, w) for w in self._input_widths]

    def __call__(self, inputs: Any, training: Any = None) -> Any:
        """Merge a list of KerasTensors (recording the call) or of arrays (computed now)."""
        if _symbolic(inputs):
            return _symbolic_call(self, inputs)
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: inputs={inputs!r} (not a list of tensors)"
            )
        arrays = [_data.to_matrix(x, f"inputs[{i}]") for i, x in enumerate(inputs)]
        rows = {a.shape[0] for a in arrays}
        if len(rows) > 1:
            raise ValueError(
                "Cannot merge tensors with different batch sizes. "
                f"Received tensors with shapes {[a.shape for a in arrays]}"
            )
        widths = [a.shape[1] for a in arrays]
        self._merge_width(widths, True)
        net = _core.Model.graph(widths, [(self._spec(), list(range(len(widths))))], config.next_seed())
        return net.predict(np.ascontiguousarray(np.hstack(arrays)), Tensor)


class Concatenate(_Merge):
    """Joins a list of inputs side by side along the feature axis: widths ``a + b + ...``.

    Args:
        axis: The axis to join along: ``-1`` (or ``1``), the features.
    """

    _kind = "concatenate"

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"axis must be an integer. {received('axis', axis)}")
        if axis not in (-1, 1):
            raise NotSupportedError(
                f"keras_lite's Concatenate joins (batch, features) inputs along the features only: axis must "
                f"be -1 or 1. {received('axis', axis)}"
            )
        super().__init__(**kwargs)
        self.axis = int(axis)

    def _merge_width(self, widths: list[int], is_list: bool) -> int:
        if not is_list or not widths:
            raise ValueError(
                "A `Concatenate` layer should be called on a list of at least 1 input. "
                f"Received: input_shape={(None, widths[0]) if widths and not is_list else []}"
            )
        self._input_widths = list(widths)
        return sum(widths)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Add(_Merge):
    """The element-wise sum of inputs of one width."""

    _kind = "add"


class Subtract(_Merge):
    """``inputs[0] - inputs[1]``, element-wise: exactly two inputs of one width."""

    _kind = "subtract"

    def _merge_width(self, widths: list[int], is_list: bool) -> int:
        if is_list and len(widths) != 2:
            raise ValueError(
                "A `Subtract` layer should be called on exactly 2 inputs. "
                f"Received: input_shape={[(None, w) for w in widths]}"
            )
        return super()._merge_width(widths, is_list)


class Multiply(_Merge):
    """The element-wise product of inputs of one width."""

    _kind = "multiply"


class Average(_Merge):
    """The element-wise mean of inputs of one width: their sum divided by how many there are."""

    _kind = "average"


class Maximum(_Merge):
    """The element-wise maximum of inputs of one width."""

    _kind = "maximum"


class Minimum(_Merge):
    """The element-wise minimum of inputs of one width."""

    _kind = "minimum"


def concatenate(inputs: Any, axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis=axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def add(inputs: Any, **kwargs: Any) -> Any:
    """``Add(**kwargs)(inputs)``."""
    return Add(**kwargs)(inputs)


def subtract(inputs: Any, **kwargs: Any) -> Any:
    """``Subtract(**kwargs)(inputs)``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Any, **kwargs: Any) -> Any:
    """``Multiply(**kwargs)(inputs)``."""
    return Multiply(**kwargs)(inputs)


def average(inputs: Any, **kwargs: Any) -> Any:
    """``Average(**kwargs)(inputs)``."""
    return Average(**kwargs)(inputs)


def maximum(inputs: Any, **kwargs: Any) -> Any:
    """``Maximum(**kwargs)(inputs)``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Any, **kwargs: Any) -> Any:
    """``Minimum(**kwargs)(inputs)``."""
    return Minimum(**kwargs)(inputs)
