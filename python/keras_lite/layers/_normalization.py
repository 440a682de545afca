"""``Normalization``: ``(x − mean)/max(√variance, 1e-7)`` (or its inverse) computed by the core, with statistics
given to it or computed from data by ``adapt`` (``_adapt``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _data
from .._errors import received
from .._structure_lock import _STRUCTURE_LOCK, _refuse_while_fitting
from .._tensor import Tensor
from .._unsupported import NotSupportedError
from .._variable import Variable
from . import _adapt
from ._keras_tensor import _symbolic
from ._layer import Layer

# The axes keras_lite's 2-D inputs can keep: the feature axis (per feature) or none (one mean and variance).
_PER_FEATURE = ((-1,), (1,))


def _axis_tuple(axis: Any) -> tuple[int, ...]:
    if axis is None:
        return ()
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        return (int(axis),)
    try:
        out = tuple(axis)
    except TypeError:
        raise TypeError(f"axis must be an int, a tuple of ints or None. {received('axis', axis)}") from None
    if not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in out):
        raise TypeError(f"axis must be an int, a tuple of ints or None. {received('axis', axis)}")
    return tuple(int(a) for a in out)


def _stat_values(value: Any, arg: str) -> np.ndarray:
    """A given mean or variance as a float64 array, refusing what is not real-numeric."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"`{arg}` must be a number or an array of numbers. {received(arg, value)}") from None
    return arr


class Normalization(Layer):
    """Normalizes continuous features: ``(x - mean) / max(sqrt(variance), 1e-7)``.

    The statistics come from ``mean`` and ``variance`` given together (no weights), or from ``adapt(data)``
    (non-trainable weights ``mean``, ``variance`` and ``count``, which Keras 3 leaves 0). ``invert=True``
    applies the inverse, ``mean + x * max(sqrt(variance), 1e-7)``.

    Args:
        axis: The axis that keeps its own statistics: ``-1`` (or ``1``), one mean and variance per feature;
            ``None``, one for all values.
        mean, variance: A number or one value per feature (broadcast as Keras does), or None.
        invert: Whether to undo the normalization instead.

    Example:
        >>> norm = layers.Normalization()
        >>> norm.adapt(x_train)
        >>> model = keras.Sequential([keras.Input((x_train.shape[1],)), norm, layers.Dense(1)])
    """

    _int64_weights = ("count",)  # Keras's int64 counter, held by the core as a float it never reads

    def __init__(
        self, axis: Any = -1, mean: Any = None, variance: Any = None, invert: bool = False, **kwargs: Any
    ) -> None:
        axes = _axis_tuple(axis)
        if axes and axes not in _PER_FEATURE:
            raise NotSupportedError(
                "keras_lite's Normalization takes (batch, features) inputs and keeps axis=-1 (per feature) or "
                f"axis=None (one mean and variance) only. {received('axis', axis)}"
            )
        if (mean is None) != (variance is None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be set. "
                f"Received: mean={mean} and variance={variance}"
            )
        fixed = None
        if mean is not None:
            m, v = _stat_values(mean, "mean"), _stat_values(variance, "variance")
            if m.shape != v.shape:
                raise ValueError(
                    "When setting values directly, `mean` and `variance` must have the same shape. "
                    f"Received: mean shape {m.shape} and variance shape {v.shape}"
                )
            if m.ndim > len(axes):
                raise ValueError(
                    f"The rank of `mean` must be less than or equal to the number of axes ({len(axes)}). "
                    f"Received: mean shape {m.shape} for axis {axes}"
                )
            if m.size == 0:
                raise ValueError(f"`mean` and `variance` must not be empty. Received: mean shape {m.shape}")
            fixed = (m.reshape(-1), v.reshape(-1))
        super().__init__(**kwargs)
        self.axis = axes
        self.invert = bool(invert)
        self.input_mean = mean
        self.input_variance = variance
        self._fixed = fixed
        # Keras shapes the statistics like the data last adapted on: of rank 1 after 1-D data.
        self._stat_rank = 2

    def _spec(self) -> dict[str, Any]:
        fixed = self._fixed
        return {
            "kind": "normalization",
            "invert": self.invert,
            "scalar": not self.axis,
            "mean": None if fixed is None else fixed[0].tolist(),
            "variance": None if fixed is None else fixed[1].tolist(),
        }

    def _built_alone_on(self, shape: tuple[int, ...]) -> None:
        super()._built_alone_on(shape)
        self._stat_rank = len(shape)  # (adapted on 1-D data: the statistics are of rank 1, as Keras's)

    # ---- statistics ----------------------------------------------------------------------------------
    def _stat(self, slot: int, given: np.ndarray | None) -> Tensor | None:
        """A statistic as Keras 3 exposes it after adapting: broadcast to ``(1, features)`` (``(1, 1)`` with
        axis=None), of rank 1 when the layer was last adapted on 1-D data (``(features,)``, ``(1,)`` with
        axis=None), as Keras shapes it like the data it built on; None before the layer is built."""
        if self._input_width is None:
            return None
        values = given if given is not None else self._variables[slot].numpy()
        width = self._input_width if self.axis else 1
        shape = (1, width) if self._stat_rank == 2 else (width,)
        return np.broadcast_to(np.asarray(values, np.float32), shape).copy().view(Tensor)

    @property
    def mean(self) -> Tensor | None:
        """The mean the layer applies, shaped ``(1, features)`` (None until it is built)."""
        return self._stat(0, None if self._fixed is None else self._fixed[0])

    @property
    def variance(self) -> Tensor | None:
        """The variance the layer applies, shaped ``(1, features)`` (None until it is built)."""
        return self._stat(1, None if self._fixed is None else self._fixed[1])

    @property
    def adapt_mean(self) -> Variable:
        return self._weight("mean")

    @property
    def adapt_variance(self) -> Variable:
        return self._weight("variance")

    @property
    def count(self) -> Variable:
        return self._weight("count")

    def _weight(self, name: str) -> Variable:
        found = next((v for v in self._variables if v.name == name), None)
        if found is None:
            why = "it was given its mean and variance" if self._fixed is not None else "it is not built yet"
            raise AttributeError(f"Layer {self.name!r} has no weight {name!r}: {why}.")
        return found

    def adapt(self, data: Any, batch_size: Any = None, steps: Any = None) -> None:
        """Compute the mean and (population) variance of ``data`` and make them the layer's statistics.

        Each call starts afresh. ``data`` is an array (or anything ``np.asarray`` reads, such as a nested list),
        or an iterable of batches (a list of arrays, a generator), whose statistics are merged as Keras merges
        them, which equals the statistics of all rows together. A pandas DataFrame is refused, as by Keras 3:
        pass ``df.to_numpy()``.

        Args:
            data: The values, shaped ``(rows, features)`` (or ``(rows,)`` with ``axis=None``).
            batch_size: Rows per batch when ``data`` is an array (the result does not depend on it).
            steps: The most batches to read from an iterable (all of them when None).

        Raises:
            ValueError: non-finite values, a width other than the layer's, or statistics given as arguments.
            TypeError: data that is neither an array nor an iterable of arrays.
        """
        if self._fixed is not None:
            raise ValueError(
                f"Layer {self.name!r} was given its mean and variance, so adapt() has nothing to compute. "
                "Create the layer without `mean` and `variance` to adapt it."
            )
        per_feature = bool(self.axis)
        first, batches = _adapt.batches(data, batch_size, steps)
        width = _adapt.width(first, per_feature)
        with _STRUCTURE_LOCK:
            _refuse_while_fitting(self._live_model(), f"adapt its layer {self.name!r}")
            if self._input_width is not None and width != self._input_width and per_feature:
                raise ValueError(
                    f"The layer was built with input_shape=(None, {self._input_width}), but adapt() is being "
                    f"called with data with an incompatible shape, data.shape={tuple(np.shape(first))}"
                )
            mean, var = _adapt.moments(batches, per_feature, width)
            if self._owner is None:
                self.build((None, width))
                if isinstance(data, np.ndarray):  # Keras builds on an array's whole shape
                    self._build_shape = data.shape
            self.adapt_mean.assign(mean.reshape(self.adapt_mean.shape))
            self.adapt_variance.assign(var.reshape(self.adapt_variance.shape))
            self._stat_rank = 1 if np.ndim(first) == 1 else 2

    def __call__(self, inputs: Any, training: Any = None) -> Tensor:
        """Apply the layer (inference mode); with axis=None a 1-D input is a column of values, as in Keras."""
        if not self.axis and self._input_width in (None, 1) and not _symbolic(inputs):
            array = _data.to_array(inputs, "inputs")
            if array.ndim == 1:
                return super().__call__(array.reshape(-1, 1), training).reshape(array.shape).view(Tensor)
        return super().__call__(inputs, training)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": np.array(self.input_mean).tolist(),
            "variance": np.array(self.input_variance).tolist(),
        }
