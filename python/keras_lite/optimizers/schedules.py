"""Learning-rate schedules, as ``keras.optimizers.schedules``: pass one as an optimizer's ``learning_rate``.

The rate is computed in the Rust core, in float32 as Keras 3 computes it, at the optimizer's step count before
each step (batch ``k`` of a fit, counted over all epochs, uses step ``k``) on the CPU and the GPU alike;
``schedule(step)`` gives the same number from Python.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import _core, _custom
from .._errors import received
from .._tensor import Tensor, keras_scalar

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"Argument `{name}` must be a number. {received(name, value)}")
    return float(value)


def _positive(name: str, value: Any) -> None:
    if _number(name, value) <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. {received(name, value)}")


def _step(step: Any) -> int | float:
    """An optimizer step count: a number >= 0 (an int, a NumPy integer or 0-d array, ``iterations``), an int
    when it is a whole number, else the float (Keras's schedules take one: a plot calls them on ``linspace``)."""
    try:
        value = np.asarray(step, dtype=np.float64)
        ok = (
            value.shape == () and not isinstance(step, bool) and bool(value >= 0) and bool(np.isfinite(value))
        )
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"A schedule's step must be a non-negative finite number. {received('step', step)}")
    if isinstance(step, (int, np.integer)):
        return int(step)
    return min(int(value), 2**64 - 1) if value == np.floor(value) else float(value)


def _rate_at(spec: dict[str, Any], step: Any) -> float:
    """The core's rate of the schedule ``spec`` at ``step``: a step count (an int, ``iterations``) as the
    optimizer's, a float step (a plot's ``linspace``, ``2.0`` too) as a float, which Keras's
    PiecewiseConstantDecay compares with its boundaries as float32 rather than truncated."""
    s = _step(step)
    if isinstance(s, int) and np.asarray(step).dtype.kind != "f":
        return _core.learning_rate_at(spec, s)
    return _core.learning_rate_at_fraction(spec, float(s))


class LearningRateSchedule:
    """Base class. The built-in schedules (below) run in the core. A subclass of your own overrides
    ``__call__(self, step)``, which gets the optimizer's step count (an ``int`` that also has ``.numpy()``) and
    returns the rate as a number, and ``get_config()`` to be saved; a fit calls it in Python once for each
    step it runs, before the core runs the step.

    Example:
        >>> class Warmup(keras_lite.optimizers.schedules.LearningRateSchedule):
        ...     def __init__(self, peak, warmup_steps):
        ...         self.peak, self.warmup_steps = peak, warmup_steps
        ...     def __call__(self, step):
        ...         return self.peak * min(1.0, (int(step) + 1) / self.warmup_steps)
        ...     def get_config(self):
        ...         return {"peak": self.peak, "warmup_steps": self.warmup_steps}
    """

    def __call__(self, step: Any) -> Any:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` in order to be "
            "serializable."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        """The schedule ``get_config()`` describes."""
        return cls(**config)


class _CoreSchedule(LearningRateSchedule):
    """A schedule the core evaluates: ``_core_spec`` describes it to the core."""

    _kind = ""

    def _core_spec(self) -> dict[str, Any]:
        raise NotImplementedError

    def __call__(self, step: Any) -> Any:
        """The learning rate at optimizer step ``step`` (a float32 scalar); given an array or list of steps (as
        ``schedule(np.arange(100))`` to plot it), their rates, a float32 array of its shape, as Keras gives."""
        if isinstance(step, (list, tuple, np.ndarray)) and np.ndim(step) > 0:
            steps, spec = np.asarray(step), self._core_spec()
            rates = [_rate_at(spec, s) for s in steps.reshape(-1)]
            return np.asarray(rates, dtype=np.float32).reshape(steps.shape).view(Tensor)
        return keras_scalar(np.float32(_rate_at(self._core_spec(), step)))  # (a float32 with .numpy())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()  # type: ignore[attr-defined]

    __hash__ = object.__hash__


class ExponentialDecay(_CoreSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; ``staircase`` floors the fraction."""

    _kind = "exponential_decay"

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        _number("initial_learning_rate", initial_learning_rate)
        _number("decay_rate", decay_rate)
        _positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def _core_spec(self) -> dict[str, Any]:
        return {
            "kind": self._kind,
            "initial_learning_rate": float(self.initial_learning_rate),
            "decay_steps": float(self.decay_steps),
            "decay_rate": float(self.decay_rate),
            "staircase": bool(self.staircase),
        }

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class InverseTimeDecay(ExponentialDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``; ``staircase`` floors the fraction."""

    _kind = "inverse_time_decay"

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ) -> None:
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)


class PiecewiseConstantDecay(_CoreSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while ``boundaries[i-1] < step <=
    boundaries[i]``, ``values[-1]`` after the last boundary (boundaries are cast to the step's type, as Keras
    casts them: to integers for a step count, to float32 for a float step)."""

    _kind = "piecewise_constant_decay"

    def __init__(self, boundaries: Any, values: Any, name: str = "PiecewiseConstant") -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length "
                f"{len(values)}."
            )
        steps = [_number("boundaries", b) for b in boundaries]
        for v in values:
            _number("values", v)
        # Keras 3.15.1 checks neither: with no boundary it fails at the first call (IndexError), and with
        # boundaries out of order it adds up the pieces that overlap.
        if not steps:
            raise ValueError(
                "Argument `boundaries` must hold at least one step (for a rate that never changes, pass the one "
                f"value as the optimizer's learning_rate). {received('boundaries', boundaries)}"
            )
        if any(b < a for a, b in zip(steps, steps[1:])):
            raise ValueError(
                f"Argument `boundaries` must be in increasing order. {received('boundaries', boundaries)}"
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def _core_spec(self) -> dict[str, Any]:
        boundaries = [float(b) for b in self.boundaries]  # (the core reads them as the step's type)
        if any(b != b for b in boundaries):  # NaN, which Keras cannot cast to a step count either
            raise ValueError(f"`boundaries` must not hold NaN. {received('boundaries', self.boundaries)}")
        return {
            "kind": self._kind,
            "boundaries": boundaries,
            "values": [float(v) for v in self.values],
        }

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(_CoreSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end``, the step capped at ``decay_steps``; with
    ``cycle``, ``decay_steps`` grows to the first multiple of itself at or above the step instead."""

    _kind = "polynomial_decay"

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        _number("initial_learning_rate", initial_learning_rate)
        _number("end_learning_rate", end_learning_rate)
        _number("power", power)
        _positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def _core_spec(self) -> dict[str, Any]:
        return {
            "kind": self._kind,
            "initial_learning_rate": float(self.initial_learning_rate),
            "decay_steps": float(self.decay_steps),
            "end_learning_rate": float(self.end_learning_rate),
            "power": float(self.power),
            "cycle": bool(self.cycle),
        }

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class CosineDecay(_CoreSchedule):
    """Cosine decay to ``alpha`` times the start over ``decay_steps`` steps; with ``warmup_target``, first a
    linear warmup from ``initial_learning_rate`` to it over ``warmup_steps`` steps, then the decay from it."""

    _kind = "cosine_decay"

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        _number("initial_learning_rate", initial_learning_rate)
        _number("alpha", alpha)
        _number("warmup_steps", warmup_steps)
        if warmup_target is not None:
            _number("warmup_target", warmup_target)
        _positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def _core_spec(self) -> dict[str, Any]:
        return {
            "kind": self._kind,
            "initial_learning_rate": float(self.initial_learning_rate),
            "decay_steps": float(self.decay_steps),
            "alpha": float(self.alpha),
            "warmup_target": None if self.warmup_target is None else float(self.warmup_target),
            "warmup_steps": float(self.warmup_steps),
        }

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(_CoreSchedule):
    """SGDR: cosine decay over ``first_decay_steps``, restarted with each period ``t_mul`` times longer and
    its peak ``m_mul`` times the last."""

    _kind = "cosine_decay_restarts"

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: int,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ) -> None:
        for arg, v in (("initial_learning_rate", initial_learning_rate), ("t_mul", t_mul), ("m_mul", m_mul)):
            _number(arg, v)
        _number("alpha", alpha)
        _positive("first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def _core_spec(self) -> dict[str, Any]:
        return {
            "kind": self._kind,
            "initial_learning_rate": float(self.initial_learning_rate),
            "first_decay_steps": float(self.first_decay_steps),
            "t_mul": float(self._t_mul),
            "m_mul": float(self._m_mul),
            "alpha": float(self.alpha),
        }

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


_BY_NAME: dict[str, type[LearningRateSchedule]] = {
    cls.__name__: cls
    for cls in (
        ExponentialDecay,
        InverseTimeDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict[str, Any]:
    """The schedule as Keras 3 writes it: ``{"module", "class_name", "config", "registered_name"}``."""
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise ValueError(
            "Could not serialize the learning-rate schedule. "
            f"{received('learning_rate_schedule', learning_rate_schedule)}"
        )
    cls = type(learning_rate_schedule)
    return _custom.entry(cls, "keras.optimizers.schedules", learning_rate_schedule.get_config())


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> LearningRateSchedule:
    """The schedule ``serialize`` (or Keras's) describes; ``custom_objects`` maps other class names."""
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(f"Could not deserialize a learning-rate schedule. {received('config', config)}")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _BY_NAME.get(name)
    if cls is None:
        raise ValueError(
            f"Unknown learning-rate schedule: {name!r}. Supported: {', '.join(sorted(_BY_NAME))} "
            f"(or pass custom_objects). {received('class_name', name)}"
        )
    inner = config.get("config", {})
    if not isinstance(inner, dict):
        raise ValueError(f"A learning-rate schedule's config must be a dict. {received('config', inner)}")
    return cls.from_config(inner)  # type: ignore[no-any-return]
