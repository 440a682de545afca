"""``Discretization`` and ``CategoryEncoding``: values made integer ids (by their bin among sorted boundaries, or
truncated), kept or encoded one-hot, multi-hot or as counts. The core computes them on both devices; nothing in
them is trained and no gradient passes through them. ``Discretization.adapt`` finds boundaries at the data's
quantiles with Keras 3's approximate summaries (``_summarize``, ``_merge``, ``_compress``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import received
from .._structure_lock import _STRUCTURE_LOCK
from .._tensor import Tensor
from .._unsupported import NotSupportedError
from . import _adapt, _shapes
from ._keras_tensor import _symbolic
from ._layer import Layer
from ._layer_args import _as_given

_ENCODINGS = ("one_hot", "multi_hot", "count")


def _refuse_sparse(sparse: Any, name: str) -> None:
    if sparse:
        raise NotSupportedError(
            f"keras_lite's {name} gives dense outputs only (its networks hold dense arrays). "
            f"{received('sparse', sparse)}"
        )


def _whole(value: Any, arg: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{arg}` must be an integer. {received(arg, value)}")
    return int(value)


class _Encoding(Layer):
    """What both layers share: the core's ``encode`` spec, and a 1-D input read as Keras reads it."""

    output_mode = "multi_hot"
    supports_masking = False

    def _bins(self) -> list[float] | None:
        return None

    def _depth(self) -> int:
        raise NotImplementedError

    def _spec(self) -> dict[str, Any]:
        return {"kind": "encode", "bins": self._bins(), "depth": self._depth(), "mode": self.output_mode}

    def _output_width(self, input_width: int) -> int:
        self._one_feature(input_width)
        return input_width if self.output_mode == "int" else self._depth()

    def _check_width(self, width: int, shape: tuple[Any, ...]) -> None:
        self._one_feature(width)
        super()._check_width(width, shape)

    def _one_feature(self, width: int) -> None:
        """One-hot encodes one value per row: several features would make a 3-D output (Keras gives one)."""
        if self.output_mode == "one_hot" and width != 1:
            raise NotSupportedError(
                f"keras_lite's {type(self).__name__} encodes one value per row one-hot (its input has one "
                f"feature); {width} features would make a 3-D output, which keras_lite's networks do not hold. "
                "Use multi_hot or count, or one feature per layer. Received: input width "
                f"{width}"
            )

    def __call__(self, inputs: Any, training: Any = None) -> Tensor:
        """Apply the layer to an array (or record it on a ``keras.Input`` tensor). A 1-D array is one row of
        values, except with ``one_hot``, where it is one value per row, as in Keras."""
        if not _symbolic(inputs):
            array = np.asarray(inputs)
            if self.output_mode == "one_hot" and array.ndim == 1:
                return super().__call__(array.reshape(-1, 1), training)
            if self.output_mode in ("multi_hot", "count") and array.ndim > 2:
                # Keras takes 1-D or 2-D inputs here (and bins a 3-D one along its second axis).
                raise ValueError(
                    f"Layer {self.name!r} ({type(self).__name__}) with output_mode={self.output_mode!r} takes "
                    f"1-D or 2-D inputs. Received: inputs with shape {array.shape}"
                )
        return super().__call__(inputs, training)


class CategoryEncoding(_Encoding):
    """Encodes integer ids (categories numbered ``0 .. num_tokens - 1``) as ``num_tokens`` columns.

    ``one_hot`` encodes one id per row (an input of one feature); ``multi_hot`` sets the column of each id the
    row holds (any number of features) and ``count`` counts them. An id is the input value truncated toward
    zero; ids outside ``0 .. num_tokens - 1`` set nothing (TensorFlow's one-hot behaviour).

    Args:
        num_tokens: The number of categories.
        output_mode: ``"multi_hot"`` (default; ``"binary"`` is its old name), ``"one_hot"`` or ``"count"``.
        sparse: False (keras_lite's outputs are dense).

    Example:
        >>> layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")(np.array([[3], [0]]))
    """

    def __init__(
        self, num_tokens: Any = None, output_mode: str = "multi_hot", sparse: bool = False, **kwargs: Any
    ):
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in _ENCODINGS:
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of tokens is not known beforehand, use "
                "the IntegerLookup layer instead."
            )
        num_tokens = _whole(num_tokens, "num_tokens")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        _refuse_sparse(sparse, "CategoryEncoding")
        super().__init__(**kwargs)
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = False

    def _depth(self) -> int:
        return self.num_tokens

    compute_output_shape = _shapes.category_encoding

    def __call__(self, inputs: Any, training: Any = None, count_weights: Any = None) -> Tensor:
        if count_weights is not None:
            raise NotSupportedError(
                "keras_lite's CategoryEncoding counts each id once (count_weights is not supported yet). "
                f"{received('count_weights', type(count_weights).__name__)}"
            )
        return super().__call__(inputs, training)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode}


class Discretization(_Encoding):
    """Buckets continuous values by bin boundaries: ``b[i-1] <= x < b[i]`` gives bin ``i`` (``0`` below the
    first boundary, ``len(b)`` from the last one up; NaN falls in the last bin, as on TensorFlow).

    The boundaries are given (``bin_boundaries``, sorted) or found by ``adapt(data)`` at the data's quantiles
    (``num_bins``), with Keras 3's approximate quantile summaries (``epsilon`` their precision), so the same
    data gives Keras's boundaries. ``output_mode`` ``"int"`` keeps the bin numbers (int32 when the layer is
    called on its own, float32 inside a model); ``"one_hot"``, ``"multi_hot"`` and ``"count"`` encode them in
    ``len(bin_boundaries) + 1`` columns, as ``CategoryEncoding`` does.

    Example:
        >>> layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])(np.array([[-1.5, 1.0, 3.4, 0.5]]))
    """

    compute_output_shape = _shapes.discretization

    def __init__(
        self,
        bin_boundaries: Any = None,
        num_bins: Any = None,
        epsilon: float = 0.01,
        output_mode: str = "int",
        sparse: bool = False,
        dtype: Any = None,
        name: str | None = None,
    ) -> None:
        if sparse and output_mode == "int":
            raise ValueError(
                "`sparse=True` may only be used if `output_mode` is `'one_hot'`, `'multi_hot'`, or `'count'`. "
                f"Received: sparse={sparse} and output_mode={output_mode}"
            )
        if output_mode not in ("int", *_ENCODINGS):
            raise ValueError(
                "Invalid value for argument output_mode. Expected one of {'int', 'one_hot', 'multi_hot', 'count'}. "
                f"Received: output_mode={output_mode}"
            )
        if num_bins is not None:
            num_bins = _whole(num_bins, "num_bins")
            if num_bins < 0:
                raise ValueError(
                    f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`"
                )
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                "Both `num_bins` and `bin_boundaries` should not be set. "
                f"Received: `num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`"
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        _refuse_sparse(sparse, "Discretization")
        super().__init__(name=name, dtype=dtype)
        self.bin_boundaries = None if bin_boundaries is None else _sorted_boundaries(bin_boundaries)
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False

    def _bins(self) -> list[float]:
        if self.bin_boundaries is None:
            raise ValueError(
                "You need to either pass the `bin_boundaries` argument at construction time or call "
                f"`adapt(dataset)` before you can start using the `Discretization` layer ({self.name!r}: keras_lite "
                "builds a model with the layer's boundaries, so adapt it before building the model)."
            )
        return [float(b) for b in self.bin_boundaries]

    def _depth(self) -> int:
        return len(self._bins()) + 1

    def adapt(self, data: Any, steps: Any = None) -> None:
        """Set the boundaries at the quantiles of ``data`` that split it into ``num_bins`` bins.

        ``data`` is an array (or anything ``np.asarray`` reads) or an iterable of batches (at most ``steps`` of
        them); every value counts, whatever its column. Each call starts afresh. The boundaries are part of
        what the layer computes, so adapt it before a model with it is built (a layer in a built model is a
        ``ValueError``; a ``Sequential`` without an ``Input`` builds at its first fit).
        """
        if self.num_bins is None:
            raise ValueError(
                "Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, use "
                "`num_bins` instead."
            )
        if self.num_bins == 0:
            raise ValueError(
                "`num_bins` must be positive to adapt a Discretization layer. Received: num_bins=0"
            )
        with _STRUCTURE_LOCK:
            if self._live_model() is not None and self._owner is not None:
                # The boundaries are part of the layer's computation, not weights: its model's network holds them.
                raise ValueError(
                    f"Layer {self.name!r} is in a built model: keras_lite sets a Discretization layer's boundaries "
                    "before the model is built. Call adapt() first, then build the model with the layer."
                )
        _, batches = _adapt.batches(data, None, steps)
        summary = np.zeros((2, 0), np.float32)
        for batch in batches:
            values = np.asarray(batch, dtype=np.float32)
            if np.isnan(values).any():
                # Keras would learn a NaN boundary, which keras_lite's sorted boundaries cannot hold.
                raise ValueError(
                    f"Layer {self.name!r} cannot adapt to data with NaN values. Received: data with "
                    f"{int(np.isnan(values).sum())} NaN values"
                )
            summary = _merge(_summarize(values, self.epsilon), summary, self.epsilon)
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()
        self._owner, self._variables = (
            None,
            [],
        )  # built on its own: the next call builds with these boundaries

    def __call__(self, inputs: Any, training: Any = None) -> Tensor:
        out = super().__call__(inputs, training)
        if self.output_mode == "int" and not _symbolic(out):
            return out.astype(np.int32).view(Tensor)
        return out

    @property
    def _output_dtype(self) -> str:
        """The dtype of its output tensor in a graph, as Keras's: int32 bins, float32 encodings."""
        return "int32" if self.output_mode == "int" else "float32"

    def get_config(self) -> dict[str, Any]:
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": "float32",
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Any:
        """The layer ``get_config()`` describes; an adapted layer's config holds both its ``num_bins`` and the
        boundaries it found (``custom_objects``, Keras's argument, holds nothing it needs)."""
        if not isinstance(config, dict):
            raise TypeError(f"from_config expects a dict. {received('config', config)}")
        config = dict(config)
        boundaries = config.pop("bin_boundaries", None) if config.get("num_bins") is not None else None
        config.pop("trainable", None)
        layer = cls(**config)
        if boundaries is not None:
            layer.bin_boundaries = _sorted_boundaries(boundaries)
        return layer


def _sorted_boundaries(values: Any) -> list[int | float]:
    """Boundaries as a list of numbers, refused unless sorted (TensorFlow's Bucketize refuses others); a list's
    Python ints are kept as given, as Keras 3 keeps them (its config writes ``[0, 1]``), the rest as floats."""
    try:
        array = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(
            f"bin_boundaries must be a list of numbers. {received('bin_boundaries', values)}"
        ) from None
    if np.isnan(array).any() or np.any(np.diff(array) < 0):
        raise ValueError(
            "Discretization's bin_boundaries must be sorted in increasing order, without NaN. "
            f"{received('bin_boundaries', values)}"
        )
    if isinstance(values, list):
        return [_as_given(v, float(v)) for v in values]
    return [float(v) for v in array.tolist()]


# ---- Keras 3's approximate quantiles (its discretization.py: summarize, merge_summaries, compress_summary) -----
# A summary is a (2, k) float32 array: sorted values and the weight (number of data values) each stands for.


def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Every ``step``-th sorted value (``step`` = the values over ``1/epsilon``, at least 1), each weighing
    ``step``, starting from value ``step - 1``."""
    ordered = np.sort(values.reshape(-1))
    step = max(ordered.size / (1.0 / epsilon), 1)
    picked = ordered[int(step - 1) :: int(step)]
    return np.stack([picked, np.ones_like(picked) * step])


def _merge(a: np.ndarray, b: np.ndarray, epsilon: float) -> np.ndarray:
    """Two summaries as one, ordered by value (a new batch's first, then the running one, whose order ties
    keep), then compressed."""
    both = np.concatenate((a, b), axis=1)
    return _compress(both[:, np.argsort(both[0])], epsilon)


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """At most ``1/epsilon`` entries: the values (and weights) interpolated at cumulative-weight fractions
    ``epsilon, 2·epsilon, ..., 1``; a summary already that small is kept."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    where = cumulative / cumulative[-1]
    values = np.interp(fractions, where, summary[0])
    at = np.interp(fractions, where, cumulative)
    weights = at - np.concatenate(([0.0], at[:-1]))
    return np.stack((values, weights)).astype(np.float32)
