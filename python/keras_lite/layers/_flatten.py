"""``Flatten`` and ``Reshape`` to one axis: each sample's values as one row of features, so that a model can take
images or other arrays of several dimensions (``keras.Input(shape=(28, 28))``) and feed them to its Dense layers.

keras_lite's core computes on rows of features; a model whose input has several dimensions flattens its data
on the way in (``flatten_input``, from ``_trainer.inputs``), and the layer itself is the identity in the core.
It has no weights, so it is the same on every device.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _data, activations, config
from .._errors import received
from .._tensor import Tensor
from .._unsupported import NotSupportedError
from . import _input_spec, _shapes
from ._builtin import Activation
from ._keras_tensor import _symbolic, _symbolic_call
from ._layer import Layer
from ._layer_args import _shape_arg

DATA_FORMATS = ("channels_last", "channels_first")


def data_format_arg(value: Any) -> str:
    """Keras's ``data_format``: None is ``keras.config.image_data_format()`` (``"channels_last"`` by default)."""
    if value is None:
        return config.image_data_format()
    if not isinstance(value, str) or value.lower() not in DATA_FORMATS:
        raise ValueError(
            f"The `data_format` argument must be one of {set(DATA_FORMATS)}. {received('data_format', value)}"
        )
    return value.lower()


class _Flattening(Layer):
    """A layer whose output is each sample's values in one row, in the order of ``data_format``."""

    _takes_shapes = True
    data_format = "channels_last"
    supports_masking = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The input's dimensions in a model whose input has several (set by the model), else None.
        self._feature_shape: tuple[int, ...] | None = None

    def _spec(self) -> dict[str, Any]:
        # The rows reach the core flat already: there the layer passes them on as they are.
        return Activation._spec(self)  # type: ignore[arg-type]

    def _form(self) -> activations.Form:
        return ("linear", ())

    def build(self, input_shape: Any) -> None:
        """Build for inputs of ``input_shape``, ``(None, 28, 28)`` or ``(None, width)``."""
        try:
            dims = tuple(input_shape)[1:] if len(input_shape) > 1 else tuple(input_shape)
        except TypeError:
            raise TypeError(
                f"input_shape must be a tuple such as (None, 28, 28). {received('input_shape', input_shape)}"
            ) from None
        super().build((None, math.prod(_shape_arg(dims, "input_shape", nd=True))))
        self._build_shape = input_shape  # (the shape as given, what get_build_config reports)

    @property
    def input_shape(self) -> tuple[Any, ...]:
        """``(None, 28, 28)`` in a model whose input has several dimensions, else ``(None, width)``."""
        return (None, *self._feature_shape) if self._feature_shape is not None else super().input_shape

    def flatten(self, array: np.ndarray) -> np.ndarray:
        """``array`` (samples first) as ``(samples, features)`` in this layer's order; a view when it can be."""
        if array.ndim == 1:
            return array.reshape(-1, 1)
        if self.data_format == "channels_first" and array.ndim > 2:
            array = np.moveaxis(array, 1, -1)
        return array.reshape(array.shape[0], math.prod(array.shape[1:]))  # (not -1: no rows leave it open)

    def __call__(self, inputs: Any, training: Any = None) -> Tensor:
        """Flatten an array (or, on a ``keras.Input`` tensor, record the call for a Functional model)."""
        if _symbolic(inputs):
            return _symbolic_call(self, inputs, training=training)  # type: ignore[return-value]
        array = _data.to_array(inputs, "inputs")
        if array.ndim == 0:
            raise ValueError(f"Layer {self.name} needs at least a 1-D input. Received: a scalar")
        out = self.flatten(np.asarray(array, dtype=np.float32))
        self._output_width(out.shape[1])  # a Reshape checks its target
        self._called = True
        if not self._built_at_construction and self._built_on() is None:  # (Keras keeps the first build's)
            self._build_shape = array.shape
        return np.ascontiguousarray(out).view(Tensor)


class Flatten(_Flattening):
    """Flattens each sample: an input of shape ``(None, 28, 28)`` comes out as ``(None, 784)``.

    Args:
        data_format: ``"channels_last"`` (the default) keeps the values in their order;
            ``"channels_first"`` moves the second axis of an input of three or more axes last first, as Keras
            does, so that the features of one position stay together.

    Example:
        >>> model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(10)])
    """

    compute_output_shape = _shapes.flatten
    _input_spec_of = _input_spec.flatten

    def __init__(self, data_format: Any = None, **kwargs: Any) -> None:
        self.data_format = data_format_arg(data_format)
        super().__init__(**kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(_Flattening):
    """Reshapes each sample to ``target_shape``: keras_lite's layers take rows of features, so the target has one
    axis, ``(784,)`` or ``(-1,)``, and the layer flattens as ``Flatten`` does (other targets raise
    ``NotSupportedError``).
    """

    _built_at_construction = True
    compute_output_shape = _shapes.reshape

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        try:
            target = tuple(target_shape)
        except TypeError:
            raise TypeError(
                f"target_shape must be a tuple of ints. {received('target_shape', target_shape)}"
            ) from None
        if target.count(-1) > 1:
            raise ValueError(
                "There must be at most one unknown dimension (-1) in `target_shape`. "
                f"{received('target_shape', target_shape)}"
            )
        for d in target:
            if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or not (d > 0 or d == -1):
                raise ValueError(
                    "target_shape must hold positive sizes (and at most one -1). "
                    f"{received('target_shape', target_shape)}"
                )
        if len(target) != 1:
            raise NotSupportedError(
                "keras_lite layers take flat feature vectors, so Reshape takes a target of one axis, such as "
                f"(784,) or (-1,). {received('target_shape', target_shape)}"
            )
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target)

    def _output_width(self, input_width: int) -> int:
        if self.target_shape[0] not in (-1, input_width):
            raise ValueError(
                f"The total size of the tensor must be unchanged by layer {self.name!r}: it receives "
                f"{input_width} values per sample. {received('target_shape', self.target_shape)}"
            )
        return input_width

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": self.target_shape}


def shaped_prefix(layers: list[Any]) -> tuple[list[Any], Any]:
    """The leading layers of a chain that keep an input's shape (``_keeps_shapes``: Rescaling) and the layer
    after them, which flattens it when it is a Flatten. The model flattens the data on the way in, in that
    Flatten's order, and the layers before it compute on the flat values."""
    k = 0
    while k < len(layers) and layers[k]._keeps_shapes:
        k += 1
    return layers[:k], layers[k] if k < len(layers) else None


def set_shaped(keepers: list[Any], flattener: Any, dims: tuple[int, ...] | None) -> None:
    """Tell the layers that keep an input's shape the shape (None: flat) and the Flatten that orders it."""
    for layer in keepers:
        layer._feature_shape = dims
        layer._flattener = flattener if dims is not None else None


def flatten_input(layer: Any, array: np.ndarray, shape: tuple[int, ...], arg: str) -> np.ndarray:
    """``array``, the data of a model input of ``shape`` (several dimensions) that ``layer`` (a ``Flatten``)
    reads, as the core's float32 ``(samples, features)`` rows; an array of another shape is refused, as Keras
    refuses it."""
    if array.ndim != len(shape) + 1 or tuple(array.shape[1:]) != shape:
        raise ValueError(
            f"`{arg}` must have shape (samples, {', '.join(map(str, shape))}), the model's input shape (None, "
            f"{', '.join(map(str, shape))}), but it has shape {array.shape}."
        )
    return np.require(layer.flatten(array), dtype=np.float32, requirements=["C_CONTIGUOUS", "ALIGNED"])
