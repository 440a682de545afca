"""Merge layers, as ``keras.layers``: ``Concatenate``, ``Add``, ``Subtract``, ``Multiply``, ``Average``,
``Maximum`` and ``Minimum``, and their function forms (``layers.concatenate([a, b])``, ...).

Each joins a list of ``(batch, width)`` inputs into one: side by side (Concatenate), or element by element over
inputs of one width. The core computes them (rust/layers/); they have no weights. Called on arrays, an input may
also be 1-D (one row of features, giving a 1-D output, as Keras gives for 1-D arrays) or have more axes (its
samples along all but the last).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core, _data, config
from .._errors import received
from .._tensor import Tensor
from .._unsupported import NotSupportedError
from . import _shapes
from ._keras_tensor import _symbolic, _symbolic_call
from ._layer import Layer
from ._layer_args import _build_width, axis_on_last


class _Merge(Layer):
    """What the merge layers share: a list input, one core kind, no weights."""

    _kind = ""
    compute_output_shape = _shapes.merged

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

    def build(self, input_shape: Any) -> None:
        """Build on a list of input shapes, as Keras's merge layers are: there are no weights, so this checks
        the widths (Keras's errors) and records the shapes, which ``get_build_config()`` reports."""
        shapes = input_shape if isinstance(input_shape, (list, tuple)) else None
        if shapes is None or not all(isinstance(s, (list, tuple)) for s in shapes):
            self._merge_width([_build_width(input_shape)], False)  # not a list of shapes: Keras's error
            return
        self._merge_width([_build_width(s) for s in shapes], True)
        self._build_shape = [tuple(s) for s in shapes]
        self._called = True

    @property
    def input_shape(self) -> Any:
        if self._input_widths is None:
            raise AttributeError(
                f"The layer {self.name!r} has never been called and thus has no defined input shape."
            )
        return [(None, w) for w in self._input_widths]

    def __call__(self, inputs: Any, training: Any = None) -> Any:
        """Merge a list of KerasTensors (recording the call) or of arrays (computed now).

        An array's last axis holds its features and the axes before it its samples: ``(batch, width)``,
        ``(batch, ..., width)``, or 1-D ``(width,)``, one row of features whose output is 1-D again (as Keras
        gives for a list of 1-D arrays). Beside inputs of more axes, a 1-D input is a column of samples, as
        Keras reads it there.
        """
        if _symbolic(inputs):
            return _symbolic_call(self, inputs, training=training)
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: inputs={inputs!r} (not a list of tensors)"
            )
        arrays = [_merge_input(x, f"inputs[{i}]") for i, x in enumerate(inputs)]
        shapes = [a.shape for a in arrays]
        self._check_count(shapes)
        if all(a.ndim == 1 for a in arrays):
            lead: tuple[int, ...] = ()
            self._check_1d(shapes)
        else:
            rank = max(a.ndim for a in arrays)
            # Keras gives a lower-rank input axes of 1 after its batch axis (a 1-D input becomes a column)
            arrays = [a.reshape(a.shape[:1] + (1,) * (rank - a.ndim) + a.shape[1:]) for a in arrays]
            lead = self._lead(shapes, [a.shape for a in arrays])
        widths = [a.shape[-1] for a in arrays]
        self._merge_width(widths, True)
        net = _core.Model.graph(widths, [(self._spec(), list(range(len(widths))))], config.next_seed())
        rows = np.hstack([a.reshape(-1, a.shape[-1]) for a in arrays])
        out = net.predict(np.ascontiguousarray(rows), Tensor)
        self._called = True  # built by its first call, as Keras builds it
        return out.reshape(*lead, out.shape[-1]).view(Tensor)

    def _check_count(self, shapes: list[tuple[int, ...]]) -> None:
        """Keras's error for a number of inputs the layer does not take (Subtract takes 2)."""

    def _check_1d(self, shapes: list[tuple[int, ...]]) -> None:
        """Keras's error for 1-D inputs the layer cannot merge: element by element, they need one length."""
        if len({s[0] for s in shapes}) > 1:
            raise ValueError(
                f"Cannot merge tensors with different batch sizes. Received tensors with shapes {shapes}"
            )

    def _lead(self, shapes: list[tuple[int, ...]], expanded: list[tuple[int, ...]]) -> tuple[int, ...]:
        """The output's axes before its features, for inputs of ``shapes`` (given one rank, ``expanded``).

        Raises Keras's ``ValueError`` where Keras refuses the shapes, and `NotSupportedError` where Keras
        broadcasts one input's axes against another's (only the features' widths are checked after this).
        """
        if len({s[0] for s in shapes}) > 1:
            raise ValueError(
                f"Cannot merge tensors with different batch sizes. Received tensors with shapes {shapes}"
            )
        lead = expanded[0][:-1]
        if all(e == expanded[0] for e in expanded) or all(len(s) == 2 for s in shapes):
            return lead  # (batch, width) inputs: _merge_width checks their widths
        out = shapes[0][1:]
        for s in shapes[1:]:
            out = _shapes.elementwise(out, s[1:])
        raise NotSupportedError(
            f"keras_lite's {type(self).__name__} does not broadcast inputs of different shapes against each "
            f"other yet: its inputs must have one shape. Received: input shapes {shapes}"
        )


def _merge_input(value: Any, arg: str) -> np.ndarray[Any, np.dtype[np.float32]]:
    """One array of a merge layer's list, as float32 with at least one axis and one value."""
    array = np.asarray(_data.to_array(value, arg), dtype=np.float32)
    if array.ndim == 0:
        raise ValueError(f"`{arg}` must be an array of samples, not a single number. {received(arg, value)}")
    if array.size == 0:
        raise ValueError(f"`{arg}` is empty: its shape is {array.shape}. {received(arg, value)}")
    return array


class Concatenate(_Merge):
    """Joins a list of inputs side by side along the feature axis: widths ``a + b + ...``.

    Args:
        axis: The axis to join along: ``-1`` (or ``1``), the features.
    """

    _kind = "concatenate"
    compute_output_shape = _shapes.concatenated

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

    def _check_1d(self, shapes: list[tuple[int, ...]]) -> None:
        """1-D inputs of any lengths join into one row, along axis -1 (axis 1 they do not have)."""
        if self.axis == 1:
            raise ValueError(
                "A `Concatenate` layer with axis=1 joins axis 1, which 1-D inputs do not have: join them with "
                f"axis=-1. Received: axis=1, input_shape={shapes}"
            )

    def _lead(self, shapes: list[tuple[int, ...]], expanded: list[tuple[int, ...]]) -> tuple[int, ...]:
        """Keras joins inputs of one rank whose axes match but for the features; else its ValueError."""
        axis_on_last(self, shapes)
        lead = shapes[0][:-1]
        if any(len(s) != len(shapes[0]) or s[:-1] != lead for s in shapes):
            raise ValueError(
                "A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. "
                f"Received: input_shape={shapes}"
            )
        return lead

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Add(_Merge):
    """The element-wise sum of inputs of one width."""

    _kind = "add"


class Subtract(_Merge):
    """``inputs[0] - inputs[1]``, element-wise: exactly two inputs of one width."""

    _kind = "subtract"

    def _check_count(self, shapes: list[tuple[int, ...]]) -> None:
        if len(shapes) != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape={shapes}"
            )

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
