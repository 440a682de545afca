"""``optimizer.iterations``, and the rates of a learning-rate schedule written in Python.

The core evaluates the built-in schedules itself. A ``LearningRateSchedule`` subclass of the user's is Python
code, which the core never calls (it trains with the GIL released, and a schedule may read the model that the
running step has locked), so Python evaluates it here, ahead of the core: a fit restarts the core's
``RateTable`` at the optimizer's step count, then appends the rates of all the steps an in-memory fit is about
to run, or, for streamed data, of each step as its batch is read (``_stream.Feeder``). The schedule is called
once per step with that step, as Keras calls it with ``optimizer.iterations``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core

# The largest finite float32.
_F32_MAX = float(np.finfo(np.float32).max)


class Iterations(int):
    """``optimizer.iterations``: the step count, an ``int`` with the reads of Keras 3's int64 variable."""

    shape: tuple[int, ...] = ()
    dtype = "int64"
    path = "iteration"  # the optimizer's gives its name: "adam/iteration"

    @property
    def value(self) -> int:
        return int(self)

    def __repr__(self) -> str:
        # Also its str() and f-string, as Keras 3.15.1 prints its variable: print(opt.iterations).
        return f"<Variable path={self.path}, shape=(), dtype=int64, value={int(self)}>"

    def numpy(self) -> np.int64:
        """The count as an int64 NumPy scalar."""
        return np.int64(self)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(np.int64(self), dtype=dtype)

    def __reduce__(self) -> tuple[Any, ...]:
        return (int, (int(self),))


class PythonRates:
    """A schedule of the user's and the core's table of its rates (the compiled optimizer holds the same
    table)."""

    def __init__(self, schedule: Any) -> None:
        self.schedule = schedule
        self.table = _core.RateTable(type(schedule).__name__)

    def __reduce__(self) -> tuple[Any, ...]:
        # A copy evaluates for its own optimizer: a fresh table.
        return (PythonRates, (self.schedule,))

    def spec(self) -> dict[str, Any]:
        """The schedule as the core's optimizer description reads it."""
        return {"kind": "table", "table": self.table}

    def restart(self, first: int) -> None:
        """Forget the rates held; the next appended is step ``first``'s."""
        self.table.restart(int(first))

    def extend(self, steps: int) -> None:
        """Evaluate the schedule at the next ``steps`` steps and append their rates."""
        first = self.table.end
        self.table.extend([self.rate(s) for s in range(first, first + steps)])

    def rate(self, step: int) -> float:
        """The schedule's rate at ``step`` (the core rounds it to the float32 the optimizer applies): a
        ``TypeError`` when it is not a number, a ``ValueError`` when it is negative, NaN or infinite."""
        value = self.schedule(Iterations(step))
        if type(value) is not float:
            number = isinstance(value, (int, np.integer, np.floating)) and not isinstance(value, bool)
            value = float(value) if number else self._number(value, step)
        if not 0.0 <= value <= _F32_MAX:  # (NaN too) - or just above, which rounds down to the largest
            with np.errstate(over="ignore"):
                rounded = np.float32(value)
            if not (value > 0 and np.isfinite(rounded)):
                raise ValueError(
                    f"The learning-rate schedule {type(self.schedule).__name__} gives learning_rate={rounded} at "
                    f"step {step}; a learning rate must be a non-negative finite float."
                )
        return value

    def _number(self, value: Any, step: int) -> float:
        """A NumPy number or one-element array as a float; anything else is a ``TypeError``."""
        try:
            array = np.asarray(value)
            ok = array.size == 1 and array.dtype.kind in "iuf" and not isinstance(value, bool)
        except Exception:  # noqa: BLE001 - anything NumPy cannot read is not a number
            ok = False
        if not ok:
            raise TypeError(
                f"The learning-rate schedule {type(self.schedule).__name__} must return a number from "
                f"__call__(step). Received: {type(value).__name__} {value!r:.80} at step {step}"
            )
        return float(array.reshape(()))


def restarted(optimizer: Any) -> PythonRates | None:
    """``optimizer`` (a compiled model's) ready for a training call: the hyper-parameters assigned since the
    core read them handed to it, and its Python-evaluated rates restarted at its step count, which this returns
    (None when the core evaluates its rate)."""
    optimizer._take_changes()
    rates: PythonRates | None = getattr(optimizer, "_rates", None)
    if rates is not None:
        rates.restart(int(optimizer.iterations))
    return rates
