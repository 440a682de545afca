"""``keras.Input`` and ``InputLayer``: a model's input width (or the shape a ``Flatten`` reads)."""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np

from .._errors import ArgumentTypeError, received
from . import _shapes
from ._keras_tensor import KerasTensor
from ._layer import Layer, _auto_name
from ._layer_args import _only, _shape_arg


class InputLayer(Layer):
    """The model's input: a width (or a shape of several dimensions for a ``Flatten``), no weights."""

    supports_masking = False
    compute_output_shape = _shapes.not_implemented

    def _built_on(self) -> None:
        return None  # Keras never runs its build()

    @staticmethod
    def _second(model_name: str, first: InputLayer | None) -> ValueError:
        """The refusal of a Sequential's second input layer: Keras 3.15.1's words when the model starts with
        one (``first``); otherwise an input after the layers, which Keras appends where no layer reads it."""
        if first is None:
            return ValueError("Sequential model may only have one input layer, and it must come first.")
        return ValueError(
            f"Sequential model '{model_name}' has already been configured to use input shape "
            f"{first.batch_shape}. You cannot add a different Input layer to it."
        )

    def __init__(
        self,
        shape: Any = None,
        batch_size: Any = None,
        dtype: Any = None,
        sparse: Any = None,
        ragged: Any = None,
        batch_shape: Any = None,
        input_tensor: Any = None,
        optional: bool = False,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        # Keras's legacy spellings: input_shape is shape, batch_input_shape is batch_shape (as Keras 3's
        # InputLayer reads them; other layers refuse batch_input_shape, as Keras 3's do).
        if "input_shape" in kwargs:
            warnings.warn(
                "Argument `input_shape` is deprecated. Use `shape` instead.", UserWarning, stacklevel=2
            )
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        for other, given in (("shape", shape), ("batch_size", batch_size)):
            if batch_shape is not None and given is not None:  # Keras's check, word for word
                raise ValueError(
                    f"You cannot pass both `{other}` and `batch_shape` at the same time. "
                    f"{received(other, given)}, {received('batch_shape', batch_shape)[10:]}"
                )
        if batch_shape is not None:
            try:
                batch_size, *rest = batch_shape
            except (TypeError, ValueError):
                raise ValueError(
                    f"batch_shape must be a tuple such as (None, width). {received('batch_shape', batch_shape)}"
                ) from None
            shape = tuple(rest)
        if shape is None:
            raise ValueError("InputLayer needs a shape. Received: shape=None")
        if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size < 0):
            arg, given = ("batch_size", batch_size) if batch_shape is None else ("batch_shape", batch_shape)
            raise ValueError(  # Keras cannot make a shape of it either
                f"The batch size must be a non-negative integer or None. {received(arg, given)}"
            )
        unsupported = (
            ("sparse", sparse),
            ("ragged", ragged),
            ("input_tensor", input_tensor),
            ("optional", optional),
        )
        for arg, value in unsupported:
            _only(arg, value, (None, False), "InputLayer")
        super().__init__(name=name if name is not None else _auto_name("input_layer"), dtype=dtype, **kwargs)
        self._tensor_name = name  # as Keras: an input named by default has a tensor named keras_tensor_<n>
        self.shape = _shape_arg(shape, "shape", nd=True)
        if batch_size is not None:
            warnings.warn(
                "keras_lite models take batches of any size: the batch dimension of the model's shapes, summary "
                f"and config stays None. Received: batch_size={batch_size!r}",
                UserWarning,
                stacklevel=3,
            )
        self.batch_size = batch_size

    def _spec(self) -> dict[str, Any]:
        raise TypeError("InputLayer has no core spec")

    @property
    def batch_shape(self) -> tuple[Any, ...]:
        """``(batch_size, *shape)``, as the config holds it."""
        return (self.batch_size, *self.shape)

    @property
    def built(self) -> bool:
        return True  # it has no weights to make, as Keras's is built when made

    def count_params(self) -> int:
        return 0

    @property
    def input(self) -> list[Any]:
        """Nothing: an input layer reads no tensor (Keras gives ``[]``)."""
        return []

    @property
    def output(self) -> KerasTensor:
        """Its tensor: the one ``keras.Input`` returned, else one made now."""
        if self._outbound is None:
            self._outbound = KerasTensor(self, self.shape, self._tensor_name)
        return self._outbound

    def get_config(self) -> dict[str, Any]:
        """Keras 3's: the batch shape, and the flags keras_lite takes as False."""
        return {
            "batch_shape": self.batch_shape,
            "dtype": "float32",
            "sparse": False,
            "ragged": False,
            "name": self.name,
            "optional": False,
        }


def Input(
    shape: Any = None,
    batch_size: Any = None,
    dtype: Any = None,
    sparse: Any = None,
    ragged: Any = None,
    batch_shape: Any = None,
    name: str | None = None,
    tensor: Any = None,
    optional: bool = False,
    **kwargs: Any,
) -> KerasTensor:
    """A symbolic input of ``shape`` (``(width,)``, or ``batch_shape=(None, width)``): the first item of a
    ``Sequential``, or what a Functional model's layers are called on. An input of several dimensions
    (``shape=(28, 28)``) is read by a ``Flatten`` layer.

    Example:
        >>> model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
        >>> x = keras.Input(shape=(3,), name="x")
        >>> model = keras.Model(x, layers.Dense(1)(layers.Dense(8, activation="relu")(x)))
    """
    if (
        kwargs
    ):  # Python's words for Keras's Input, which has no **kwargs; still a ValueError, as keras_lite's was
        raise ArgumentTypeError(f"Input() got an unexpected keyword argument {next(iter(kwargs))!r}")
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        batch_shape=batch_shape,
        input_tensor=tensor,
        optional=optional,
        name=name,
        ragged=ragged,
    )
    return layer.output


# Keras's signature, without the **kwargs that exist only to refuse as above.
Input.__signature__ = inspect.signature(Input).replace(  # type: ignore[attr-defined]
    parameters=[p for p in inspect.signature(Input).parameters.values() if p.kind is not p.VAR_KEYWORD]
)
