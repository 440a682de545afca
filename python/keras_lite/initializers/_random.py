"""The random initializers: normal, truncated normal and uniform draws, ``VarianceScaling`` and the Glorot, He
and LeCun initializers made from it, and ``Orthogonal``. NumPy draws them, from the initializer's seed."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import numpy as np

from .. import config as _config
from .._errors import received
from .._tensor import Tensor
from .._unsupported import NotSupportedError
from ._base import Initializer, _check_dtype, _number, _out, _shape, compute_fans

# The standard deviation of a standard normal cut at +-2, which VarianceScaling divides by so that its
# truncated draws have the standard deviation it promises (Keras's constant).
_TRUNCATED_STD = 0.87962566103423978


# Set while a model file is loaded whose weights replace the initial ones (``weights_from_file``).
_FROM_FILE: ContextVar[bool] = ContextVar("keras_lite_weights_from_file", default=False)


@contextlib.contextmanager
def weights_from_file() -> Iterator[None]:
    """Within the block, initial values are about to be replaced by a file's: ``Orthogonal`` (whose QR takes
    the cube of a matrix's side, minutes for a 16,000-wide layer a file may declare) takes its seed as usual
    but skips the decomposition."""
    token = _FROM_FILE.set(True)
    try:
        yield
    finally:
        _FROM_FILE.reset(token)


# ---- random -----------------------------------------------------------------------------------------------


class RandomInitializer(Initializer):
    """An initializer that draws random numbers: from its ``seed`` (an integer), or, with ``seed=None``, from
    a seed drawn from keras_lite's seed stream the first time it is called. Either way one instance gives
    the same values on every call, as in Keras."""

    def __init__(self, seed: int | None = None) -> None:
        if isinstance(seed, dict):
            raise NotSupportedError(
                "keras_lite does not support keras.random.SeedGenerator seeds yet: give an integer seed. "
                f"{received('seed', seed)}"
            )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"`seed` argument should be an integer or None. {received('seed', seed)}")
        self._init_seed = None if seed is None else int(seed)
        self.seed: int | None = self._init_seed

    def _rng(self) -> np.random.Generator:
        if self.seed is None:
            self.seed = _config.next_seed()
        # A negative seed (Keras takes any integer) maps to its own stream.
        return np.random.default_rng(self.seed if self.seed >= 0 else [-self.seed, 1])

    def get_config(self) -> dict[str, Any]:
        return {"seed": self._init_seed}


def _truncated_normal(rng: np.random.Generator, shape: tuple[int, ...], mean: float, stddev: float) -> Any:
    """Normal draws, those more than two standard deviations from the mean drawn again."""
    z = rng.standard_normal(shape)
    bad = np.abs(z) > 2.0
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2.0
    return mean + stddev * z


class RandomNormal(RandomInitializer):
    """Normal draws with ``mean`` and ``stddev``."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean = _number("mean", mean)
        self.stddev = _number("stddev", stddev)
        super().__init__(seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        _check_dtype(dtype)
        # mean + stddev·z (the draws NumPy's normal() makes), which a negative stddev mirrors, as in Keras.
        return _out(self.mean + self.stddev * self._rng().standard_normal(_shape(shape)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Normal draws with ``mean`` and ``stddev``, those beyond two standard deviations drawn again."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean = _number("mean", mean)
        self.stddev = _number("stddev", stddev)
        super().__init__(seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        _check_dtype(dtype)
        return _out(_truncated_normal(self._rng(), _shape(shape), self.mean, self.stddev))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Uniform draws in ``[minval, maxval)``."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None) -> None:
        self.minval = _number("minval", minval)
        self.maxval = _number("maxval", maxval)
        super().__init__(seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        _check_dtype(dtype)
        rng, low, high = self._rng(), self.minval, self.maxval
        if low > high:  # Keras draws low + (high - low) * u all the same (NumPy's uniform refuses it)
            return _out(low + (high - low) * rng.random(_shape(shape)))
        return _out(rng.uniform(low, high, _shape(shape)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


class VarianceScaling(RandomInitializer):
    """Draws whose variance is ``scale / n``, ``n`` being the fan ``mode`` names (``fan_in``, ``fan_out`` or
    their average ``fan_avg``; at least 1).

    ``distribution="truncated_normal"`` (or ``"normal"``) draws a normal cut at two standard deviations,
    scaled so that its standard deviation is ``sqrt(scale / n)``; ``"untruncated_normal"`` a normal with that
    standard deviation; ``"uniform"`` uniform draws in ``[-sqrt(3 scale / n), sqrt(3 scale / n)]``.
    ``input_axes`` and ``output_axes`` (Keras 3.15) choose the axes that make up the fans.
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
        input_axes: Any = None,
        output_axes: Any = None,
    ) -> None:
        scale = _number("scale", scale)
        if not scale > 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in _MODES:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Please use one of {_MODES}")
        dist = distribution.lower() if isinstance(distribution, str) else distribution
        if dist == "normal":
            dist = "truncated_normal"
        if dist not in _DISTRIBUTIONS:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution!r}. Please use one of {_DISTRIBUTIONS}"
            )
        self.scale, self.mode, self.distribution = scale, mode, dist
        self.input_axes = None if input_axes is None else [int(a) for a in input_axes]
        self.output_axes = None if output_axes is None else [int(a) for a in output_axes]
        super().__init__(seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        _check_dtype(dtype)
        shape = _shape(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        s = self.scale / max(1.0, fan)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            return _out(_truncated_normal(rng, shape, 0.0, math.sqrt(s) / _TRUNCATED_STD))
        if self.distribution == "untruncated_normal":
            return _out(rng.normal(0.0, math.sqrt(s), shape))
        limit = math.sqrt(3.0 * s)
        return _out(rng.uniform(-limit, limit, shape))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling whose scale, mode and distribution are fixed: its config is the seed and axes."""

    _fixed: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed: int | None = None, input_axes: Any = None, output_axes: Any = None) -> None:
        scale, mode, distribution = self._fixed
        super().__init__(scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self._init_seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_FixedVarianceScaling):
    """Glorot (Xavier) uniform: uniform in ``[-limit, limit]``, ``limit = sqrt(6 / (fan_in + fan_out))``.
    Keras's default for kernels."""

    _fixed = (1.0, "fan_avg", "uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with standard deviation ``sqrt(2 / (fan_in + fan_out))``."""

    _fixed = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """He uniform: uniform in ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)``."""

    _fixed = (2.0, "fan_in", "uniform")


class HeNormal(_FixedVarianceScaling):
    """He normal: truncated normal with standard deviation ``sqrt(2 / fan_in)``."""

    _fixed = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """LeCun uniform: uniform in ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)``."""

    _fixed = (1.0, "fan_in", "uniform")


class LecunNormal(_FixedVarianceScaling):
    """LeCun normal: truncated normal with standard deviation ``sqrt(1 / fan_in)``."""

    _fixed = (1.0, "fan_in", "truncated_normal")


class Orthogonal(RandomInitializer):
    """An orthogonal matrix times ``gain``, from the QR decomposition of normal draws: orthogonal columns,
    or rows when there are fewer rows than columns. A shape of more than two axes is made as the matrix
    ``(prod(shape[:-1]), shape[-1])``."""

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        self.gain = _number("gain", gain)
        super().__init__(seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        _check_dtype(dtype)
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        rng = self._rng()  # (the seed is taken either way, so that what is drawn after it does not change)
        if _FROM_FILE.get():
            return _out(np.zeros(shape))
        a = rng.standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return _out(self.gain * q.reshape(shape))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "gain": self.gain}
