"""``Rescaling``: ``x * scale + offset``, computed by the core on both devices (rust/layers/rescale.rs) in float32,
a product then a sum, as Keras computes it. The scale and the offset are numbers, or arrays that broadcast over
each sample's values (one value per feature, as ``[0.5, 2.0]`` does for two features)."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .. import _core, _data, config
from .._errors import received
from .._tensor import Tensor, from_record, to_record
from ._keras_tensor import _symbolic
from ._layer import Layer


def _factor(value: Any, arg: str) -> Any:
    """``scale`` or ``offset`` as given (Keras keeps it so), once checked to be real numbers."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return value
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        array = None
    if array is None or array.dtype.kind not in "iuf" or array.size == 0:
        raise ValueError(
            f"Rescaling's `{arg}` must be a number or an array of numbers. {received(arg, value)}"
        )
    return value


def _serialize(value: Any) -> Any:
    """A factor as Keras 3 writes it in a config: a number as itself, a list or tuple as a list, an array (of
    one or more dimensions) as its ``__numpy__`` record."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return to_record(value)
    if isinstance(value, (np.ndarray, np.generic)):
        return value.item()
    if isinstance(value, tuple):
        return [_serialize(v) for v in value]
    return value


class Rescaling(Layer):
    """Rescales values: ``x * scale + offset`` (``scale=1/255`` takes pixel values to ``[0, 1]``;
    ``scale=1/127.5, offset=-1`` to ``[-1, 1]``). Nothing is trained; the gradient passes through scaled.

    It may read a model's input of several dimensions on the way to a ``Flatten``
    (``keras.Input((28, 28)), Rescaling(1 / 255), Flatten()``), keeping its shape.

    Args:
        scale: A number, or an array broadcast over each sample (one value per feature, or per channel of an
            input of several dimensions; with ``keras.config.image_data_format() == "channels_first"`` an
            array's axes are read as Keras reads them, channels first: ``(C,)`` as ``(C, 1, 1)``).
        offset: A number or an array broadcast over each sample, added after the product (default ``0.0``);
            Keras reads its axes as given, whatever the image data format.

    Example:
        >>> layers.Rescaling(1 / 255)(np.array([[0, 51, 255]]))
    """

    _keeps_shapes = True

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = _factor(scale, "scale")
        self.offset = _factor(offset, "offset")
        self.supports_masking = True
        # In a model whose input has several dimensions: that shape, and the Flatten that orders its values.
        self._feature_shape: tuple[int, ...] | None = None
        self._flattener: Any = None

    def _spec(self) -> dict[str, Any]:
        dims, order = self._feature_shape, self._flattener
        return {
            "kind": "rescale",
            "scale": self._values("scale", dims, order),
            "offset": self._values("offset", dims, order),
        }

    def _array(self, arg: str) -> np.ndarray:
        """The factor as float32, its axes read as Keras reads them: with the image data format channels
        first, Keras gives the scale (not the offset) trailing axes of 1 up to three, (C,) → (C, 1, 1)."""
        array = np.asarray(getattr(self, arg), dtype=np.float32)
        if arg == "scale" and array.ndim > 0 and config.image_data_format() == "channels_first":
            array = array.reshape(array.shape + (1,) * (3 - array.ndim))
        return array

    def _sample(self, arg: str, dims: tuple[int, ...]) -> np.ndarray:
        """The factor broadcast over one sample of shape ``dims``: ``(1, *dims)``, or a ValueError when it would
        change the output's shape (it varies along the batch, or has more dimensions than a sample)."""
        array, sample = self._array(arg), (1, *dims)
        try:
            fits = array.ndim <= len(sample) and np.broadcast_shapes(array.shape, sample) == sample
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(
                f"Rescaling layer {self.name!r}: `{arg}` of shape {array.shape} does not broadcast over samples of "
                f"shape {dims} without changing their shape: give one value, or one per feature or channel."
            )
        return np.broadcast_to(array, sample)

    def _values(
        self, arg: str, dims: tuple[int, ...] | None = None, order: Any = None, rank: int = 2
    ) -> list[float]:
        """The factor for the core's rows: one value, or one per value of a row. Flat rows (``dims`` None, the
        input ``rank`` axes, batch included) take one per feature (the core checks their count against the
        width); a sample of shape ``dims`` is flattened as ``order`` (the model's Flatten) flattens the data,
        or row-major. A factor with more axes than the input, or varying along its batch, would change the
        output's shape (Keras broadcasts it into a larger output): refused."""
        array = self._array(arg)
        if dims is None:
            if array.ndim > rank or (array.size != 1 and any(d != 1 for d in array.shape[:-1])):
                raise ValueError(
                    f"Rescaling layer {self.name!r}: `{arg}` of shape {array.shape} does not broadcast over "
                    f"inputs of {rank} {'axis' if rank == 1 else 'axes'} without changing their shape: give one value, or one "
                    "per feature."
                )
            return [float(v) for v in array.reshape(-1)]
        if array.size == 1 and array.ndim <= len(dims) + 1:
            return [float(array.reshape(-1)[0])]
        sample = self._sample(arg, dims)
        flat = order.flatten(np.ascontiguousarray(sample)) if order is not None else sample.reshape(1, -1)
        return [float(v) for v in flat[0]]

    def __call__(self, inputs: Any, training: Any = None) -> Tensor:
        """Rescale an array (or record the call on a ``keras.Input`` tensor). An array of several dimensions is
        rescaled whole, the factors broadcast over each sample as NumPy broadcasts them."""
        if training or _symbolic(inputs):
            return super().__call__(inputs, training)
        array = np.asarray(_data.to_array(inputs, "inputs"), dtype=np.float32)
        if array.ndim <= 2 or 0 in array.shape:
            for arg in ("scale", "offset"):  # (checked against this input's axes: a 1-D input has one)
                self._values(arg, rank=max(array.ndim, 1))
            return super().__call__(array, training)
        dims = array.shape[1:]
        spec = {
            "kind": "rescale",
            "scale": self._values("scale", dims),
            "offset": self._values("offset", dims),
        }
        net = _core.Model(math.prod(dims), [spec], config.next_seed())
        return (
            net.predict(np.ascontiguousarray(array.reshape(len(array), -1))).reshape(array.shape).view(Tensor)
        )

    @property
    def input_shape(self) -> tuple[Any, ...]:
        return (None, *self._feature_shape) if self._feature_shape is not None else super().input_shape

    @property
    def output_shape(self) -> tuple[Any, ...]:
        return self.input_shape if self._feature_shape is not None else super().output_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": _serialize(self.scale), "offset": _serialize(self.offset)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Any:
        """The layer ``get_config()`` describes (``custom_objects``, Keras's argument, holds nothing it needs)."""
        if not isinstance(config, dict):
            raise TypeError(f"from_config expects a dict. {received('config', config)}")
        config = {**config}
        for arg in ("scale", "offset"):
            if arg in config:
                config[arg] = from_record(config[arg])
        return cls(**config)
