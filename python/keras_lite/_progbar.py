"""The Keras 3 progress bar: ``4/4 ━━━━━━━━━━━━━━━━━━━━ 1s 56ms/step - loss: 0.6810``.

Reproduces the console output of Keras 3's ``keras.utils.Progbar`` (``keras/src/utils/progbar.py``) as driven
by ``fit``/``evaluate``/``predict``. Values are shown as given, not averaged over steps: every caller in
keras_lite passes running means that are already averaged (Keras 3.16's ``ProgbarLogger`` asks for the
same with ``stateless_metrics=set()``). Standard library only.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterable, Mapping
from typing import Any, Optional, Union

import numpy as np

from ._io import BAR_CHAR, print_msg

ValuesArg = Optional[Union[Mapping[str, object], Iterable[tuple[str, object]]]]

_BOLD = "\x1b[1m"
_GREEN = "\x1b[32m"
_WHITE = "\x1b[37m"
_RESET = "\x1b[0m"


def write_console(message: str) -> None:
    """Write ``message`` as is (no newline added) where Keras's messages go: ``sys.stdout``, flushed, or the
    ``absl`` logger with interactive logging off (see ``_io.print_msg``)."""
    print_msg(message, line_break=False)


def format_value(value: object, by_size: bool = True) -> str:
    """Format one metric value the way Keras does: ``0.6810``, or ``1.2000e-04`` when ``|v| <= 1e-3``; a vector
    (a metric of several thresholds, R² per output) as its mean, as Keras's bar shows it.

    ``by_size=False`` is Keras's ``verbose=2`` line, which compares the value itself with 1e-3, so that every
    negative value takes the exponent form there (``-5.0000e-01``) while the bar shows ``-0.5000``.
    """
    try:
        array = np.asarray(value, dtype=np.float64)
        # (a number as is: the mean of -0.0 would be 0.0, and Keras prints -0.0000e+00)
        value = float(array) if array.ndim == 0 else float(np.mean(array))
    except (TypeError, ValueError):
        return str(value)
    if (abs(value) if by_size else value) > 1e-3:
        return f"{value:.4f}"
    return f"{value:.4e}"


def format_eta(eta: float) -> str:
    """Format a remaining time as ``42s``, ``3:07`` or ``1:02:03`` (Keras's ETA format)."""
    if eta > 3600:
        return f"{int(eta // 3600)}:{int(eta % 3600 // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"


def format_time_per_unit(time_per_unit: float, unit_name: str) -> str:
    """Format a step duration as `` 2s/step``, `` 56ms/step`` or `` 840us/step`` (leading space included)."""
    if time_per_unit >= 1 or time_per_unit == 0:
        return f" {time_per_unit:.0f}s/{unit_name}"
    if time_per_unit >= 1e-3:
        return f" {time_per_unit * 1e3:.0f}ms/{unit_name}"
    return f" {time_per_unit * 1e6:.0f}us/{unit_name}"


def _dynamic_display() -> bool:
    """Whether ``\\r`` can redraw the line; Keras says yes on any POSIX system."""
    isatty = getattr(sys.stdout, "isatty", None)
    return (
        (isatty is not None and bool(isatty()))
        or "ipykernel" in sys.modules
        or "posix" in sys.modules
        or "PYCHARM_HOSTED" in os.environ
    )


class Progbar:
    """Displays a progress bar like Keras 3.

    Args:
        target: Total number of steps expected, `None` if unknown.
        width: Width of the bar in characters.
        verbose: Verbosity mode: 0 (silent), 1 (a bar redrawn in place), 2 (one line when finalized).
        interval: Minimum time in seconds between two redraws in verbose mode 1.
        stateful_metrics: Names of the values shown as given; the others are averaged over the steps (weighted
            by the steps each update covers), as Keras's bar does by default. Give at most one of this and
        stateless_metrics: Names of the values averaged; the others are shown as given (``set()``: all are,
            as the training loop's bar shows its running means).
        unit_name: Display name for step counts (usually ``"step"`` or ``"sample"``).

    Example:

    ```python
    bar = Progbar(target=4)
    for step in range(1, 5):
        bar.update(step, [("loss", 0.5)])
    # 4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 1ms/step - loss: 0.5000
    ```
    """

    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Any = None,
        stateless_metrics: Any = None,
        unit_name: str = "step",
    ) -> None:
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be provided.")
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics is not None else None
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics is not None else None
        if self.stateful_metrics is None and self.stateless_metrics is None:
            self.stateful_metrics = set()
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self._dynamic_display = _dynamic_display()
        self._seen_so_far = 0
        self._values: dict[str, list[Any]] = {}  # name: [sum, steps], shown as sum / steps
        self._values_order: list[str] = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step: float | None = None
        self._prev_total_width = 0

    def update(self, current: int, values: ValuesArg = None, finalize: bool | None = None) -> None:
        """Updates the progress bar.

        Args:
            current: Number of steps done so far (1-based index of the current step).
            values: ``(name, value)`` pairs or a dict of the latest values to display, shown as given.
                Names keep the order in which they were first seen.
            finalize: Whether this is the last update. If `None`, it is ``current >= target``.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target

        items = values.items() if isinstance(values, Mapping) else (values or [])
        for name, value in items:
            if name not in self._values:
                self._values_order.append(name)
            if self.stateful_metrics is not None:
                averaged = name not in self.stateful_metrics
            else:
                averaged = name in (self.stateless_metrics or set())
            if averaged and not finalize:  # as Keras: the final update shows its values as given
                value = np.asarray(value, dtype=np.float64)  # a number, or a metric's vector
                steps = max(current - self._seen_so_far, 1)
                total = self._values.get(name)
                # (inf - inf is NaN, as in Keras, without NumPy's warning)
                with np.errstate(invalid="ignore", over="ignore"):
                    self._values[name] = (
                        [value * steps, steps]
                        if total is None
                        else [total[0] + value * steps, total[1] + steps]
                    )
            else:
                self._values[name] = [value, 1]
        self._seen_so_far = current

        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._draw_bar(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize and self.target is not None and self.target > 0:
            numdigits = int(math.log10(self.target)) + 1
            line = f"{int(current):{numdigits}d}/{self.target} - {now - self._start:.0f}s -"
            line += format_time_per_unit(time_per_unit, self.unit_name)
            write_console(line + self._format_values(by_size=False) + "\n")
        self._last_update = now

    def add(self, n: int, values: ValuesArg = None) -> None:
        """Advance the bar by ``n`` steps; see `update`."""
        self.update(self._seen_so_far + n, values)

    def _draw_bar(self, current: int, now: float, time_per_unit: float, finalize: bool) -> None:
        """Redraw the verbose=1 line in place."""
        message = ("\b" * self._prev_total_width + "\r") if self._dynamic_display else "\n"
        # ANSI escapes take no room on screen; count them to pad over a longer previous line.
        escape_len = 0
        if self.target is not None and self.target > 0:
            numdigits = int(math.log10(self.target)) + 1
            bar = f"{_BOLD}{int(current):{numdigits}d}/{self.target}{_RESET} "
            escape_len += len(_BOLD) + len(_RESET)
            done = int(self.width * current / self.target)
            if done > 0:
                bar += f"{_GREEN}{BAR_CHAR * done}{_RESET}"
                escape_len += len(_GREEN) + len(_RESET)
            bar += f"{_WHITE}{BAR_CHAR * (self.width - done)}{_RESET}"
            escape_len += len(_WHITE) + len(_RESET)
        else:
            bar = f"{int(current):7d}/Unknown"

        if self.target is not None and self.target > 0 and not finalize:
            clock = format_eta(time_per_unit * (self.target - current))
        else:
            clock = f"{now - self._start:.0f}s"
        info = f" {_BOLD}{clock}{_RESET}"
        escape_len += len(_BOLD) + len(_RESET)
        info += format_time_per_unit(time_per_unit, self.unit_name)
        info += self._format_values()

        total_width = len(bar) + len(info) - escape_len
        message += bar + info
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        write_console(message)
        self._prev_total_width = total_width

    def _format_values(self, by_size: bool = True) -> str:
        return "".join(f" - {name}: {format_value(self._mean(name), by_size)}" for name in self._values_order)

    def _mean(self, name: str) -> Any:
        total, steps = self._values[name]
        return total if steps == 1 else np.asarray(total, dtype=np.float64) / steps

    def _estimate_step_duration(self, current: int, now: float) -> float:
        """Seconds per step, leaving out the (slow, compiling) first step once there are more."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step


def first_step(steps: int | None, verbose: int, start: float, logs: dict[str, Any]) -> Progbar | None:
    """The bar of an ``evaluate`` or ``predict`` that started at ``start``, drawn after its first batch with that
    batch's ``logs``, as Keras's bar draws itself (its later redraws come at most every 50 ms, so a quick run
    shows this draw and the final one); None unless ``verbose`` is 1. ``report`` finishes it."""
    if verbose != 1 or steps == 0:
        return None
    bar = Progbar(steps, verbose=1, stateless_metrics=set())
    bar._start = start
    bar.update(1, list(logs.items()), finalize=False)
    return bar


def report(steps: int, verbose: int, start: float, logs: dict[str, Any], bar: Progbar | None = None) -> None:
    """The finished bar of an ``evaluate`` or ``predict`` that started at ``start`` (``time.time()``) and ran
    ``steps`` batches: the line Keras's bar ends with, over ``bar`` (from `first_step`) when given."""
    if bar is None:
        bar = Progbar(steps, verbose=verbose, stateless_metrics=set())
        bar._start = start
    bar.target = steps  # (a stream's count, unknown until it ran out)
    bar.update(steps, list(logs.items()), finalize=True)
