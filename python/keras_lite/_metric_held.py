"""The values a compiled metric object holds after a pass of its model.

``fit``, ``evaluate`` and the one-batch calls run their metrics in the core, which reports each pass's final
values (the loss, then each metric's) and not its running sums. A model keeps the last pass's values in a
`PassValues`; each metric object it compiled (its loss tracker, and those of its ``CompileMetrics``) has a
`Held` that says where its value lies there. Its ``result()`` is that value until the metric is updated or
reset by hand (``update_state``, ``reset_state``, ``model.reset_metrics()``), and again after the next pass,
as Keras's metric objects hold what the model's last pass accumulated in them. Its state variables do not hold
the core's sums: they stay zero through the model's passes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._tensor import Tensor


class PassValues:
    """A model's last pass's values, as the core reports them (``None`` before its first pass), and how many
    passes it has recorded."""

    def __init__(self, values: list[float] | None = None, passes: int = 0) -> None:
        self.values = values
        self.passes = passes
        self._touched: list[Any] = []  # metrics updated or reset by hand since the last pass

    def record(self, values: list[float]) -> None:
        """Keep ``values``, the pass's final values: the held metrics now give them. A metric updated by hand
        since the last pass starts over, as Keras resets its metrics at each pass."""
        if self._touched:
            for metric in self._touched:
                for variable in metric._variables:
                    variable.assign(0.0)
            self._touched = []
        self.values = values
        self.passes += 1


class Held:
    """Where a compiled metric's value lies in its model's `PassValues`: ``size`` values from ``start``, a
    vector when ``vector`` (several thresholds, one per output), else a scalar."""

    __slots__ = ("box", "start", "size", "vector", "since")

    def __init__(self, box: PassValues, start: int, size: int, vector: bool) -> None:
        self.box, self.start, self.size, self.vector = box, start, size, vector
        self.since = box.passes  # a pass recorded after this one is the metric's

    def value(self) -> Tensor | None:
        """The metric's value in the last pass, or None where it has none (none since the metric was
        attached, or updated or reset by hand)."""
        box = self.box
        if box.values is None or box.passes <= self.since:
            return None
        part = box.values[self.start : self.start + self.size]
        if len(part) != self.size:
            return None
        return np.asarray(part if self.vector else part[0], dtype=np.float32).view(Tensor)

    def release(self, metric: Any) -> None:
        """``metric`` was updated or reset by hand: its own state gives its result until the next pass."""
        self.since = self.box.passes
        if metric not in self.box._touched:
            self.box._touched.append(metric)
