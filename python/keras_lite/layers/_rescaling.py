"""``Rescaling``: ``x * scale + offset``, computed by the core on both devices (rust/layers/rescale.rs) in float32,
a product then a sum, as Keras computes it. The scale and the offset are numbers, or arrays that broadcast over
each sample's values (one value per feature, as ``[0.5, 2.0]`` does for two features)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._errors import received
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
        raise ValueError(f"Rescaling's `{arg}` must be a number or an array of numbers. {received(arg, value)}")
    return value


def _serialize(value: Any) -> Any:
    """A factor as Keras 3 writes it in a config: a number as itself, a list or tuple as a list, an array (of
    one or more dimensions) as its ``__numpy__`` record."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return {"class_name": "__numpy__", "config": {"value": value.tolist(), "dtype": str(value.dtype)}}
    if isinstance(value, (np.ndarray, np.generic)):
        return value.item()
    if isinstance(value, tuple):
        return [_serialize(v) for v in value]
    return value


def _deserialize(value: Any) -> Any:
    if isinstance(value, dict) and value.get("class_name") in ("__numpy__", "__tensor__"):
        inner = value.get("config", {})
        return np.array(inner.get("value"), dtype=inner.get("dtype", "float32"))
    return value


class Rescaling(Layer):
    """Rescales values: ``x * scale + offset`` (``scale=1/255`` takes pixel values to ``[0, 1]``;
    ``scale=1/127.5, offset=-1`` to ``[-1, 1]``). Nothing is trained; the gradient passes through scaled.

    Args:
        scale: A number, or an array broadcast over each sample (one value per feature).
        offset: The same, added after the product (default ``0.0``).

    Example:
        >>> layers.Rescaling(1 / 255)(np.array([[0, 51, 255]]))
    """

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = _factor(scale, "scale")
        self.offset = _factor(offset, "offset")
        self.supports_masking = True

    def _spec(self) -> dict[str, Any]:
        return {"kind": "rescale", "scale": self._values("scale"), "offset": self._values("offset")}

    def _values(self, arg: str) -> list[float]:
        """The factor for the core's rows: one value, or one per feature (the core checks their count against
        the input's width). One that varies along another axis would change the output's shape."""
        array = np.asarray(getattr(self, arg), dtype=np.float32)
        if array.size != 1 and any(d != 1 for d in array.shape[:-1]):
            raise ValueError(
                f"Rescaling layer {self.name!r}: `{arg}` of shape {array.shape} does not broadcast over rows of "
                "features without changing their shape: give one value, or one per feature."
            )
        return [float(v) for v in array.reshape(-1)]

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": _serialize(self.scale), "offset": _serialize(self.offset)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        if not isinstance(config, dict):
            raise TypeError(f"from_config expects a dict. {received('config', config)}")
        config = {**config}
        for arg in ("scale", "offset"):
            if arg in config:
                config[arg] = _deserialize(config[arg])
        return cls(**config)

