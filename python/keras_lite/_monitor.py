"""The monitor logic `EarlyStopping`, `ModelCheckpoint` and `ReduceLROnPlateau` share (Keras 3's
``MonitorCallback``): the mode, the direction of a monitored quantity, and what counts as an improvement.

In ``"auto"`` mode the direction comes from the model: ``loss`` (or ``val_loss``) is minimized, any other name
takes the direction of the compiled metric (or weighted metric) with exactly that name, as its class gives it
(accuracies, f-scores, AUC up; errors and crossentropies down), and a name no compiled metric has is refused,
as Keras 3 refuses it.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any, Callable

import numpy as np

from . import losses as losses_module
from . import metrics as metrics_module
from ._callback import Callback


def check_mode(owner: str, mode: Any) -> str:
    """``mode`` if it is ``"auto"``, ``"min"`` or ``"max"``; anything else warns and means ``"auto"``."""
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{owner} mode '{mode}' is unknown, fallback to auto mode.", stacklevel=3)
        return "auto"
    return str(mode)


def _kind_directions() -> dict[str, str]:
    """``{core kind: "up" | "down"}``, each metric class's ``_direction`` by its kind (Keras 3 reads the direction
    off the metric objects: an f-score, a cosine similarity, an ``*_at_*`` metric go up)."""
    classes = [
        c
        for c in vars(metrics_module).values()
        if isinstance(c, type) and issubclass(c, metrics_module.Metric)
    ]
    return {c._kind.split(":")[0]: c._direction for c in classes if c._kind and c._direction}


def _compiled_metric_directions(model: Any) -> dict[str, str]:
    """``{name: "up" | "down"}`` for the metrics and weighted metrics ``model`` was compiled with, by their
    history names (``weighted_accuracy``) and their own names (none when it was not compiled)."""
    given = [
        *(getattr(model, "_compile_metrics", None) or []),
        *(getattr(model, "_compile_weighted", None) or []),
    ]
    keys = list(getattr(model, "_metric_names", None) or ["loss"])[1:]  # (the history's, in compile order)
    net, loss = getattr(model, "_net", None), getattr(model, "_loss_obj", None)
    sparse = losses_module.is_sparse(loss) if loss is not None else False
    table = _kind_directions()
    directions: dict[str, str] = {}
    for i, identifier in enumerate(given):
        try:
            kind, name = metrics_module.resolve(identifier, net.output_dim if net is not None else 1, sparse)
        except ValueError:
            continue
        # A name's class ("auc": AUC), else the object given; else the direction of the kind's class.
        named = metrics_module._BY_NAME.get(identifier) if isinstance(identifier, str) else identifier
        found = getattr(named, "_direction", None) or table.get(kind.split(":")[0])
        if found:
            directions.setdefault(name, found)
            if i < len(keys):
                directions[keys[i]] = found
    return directions


def direction(owner: str, monitor: str, mode: str, model: Any) -> str:
    """``"min"`` or ``"max"``: how ``monitor`` improves.

    Raises:
        ValueError: In ``"auto"`` mode, when ``monitor`` is neither a loss nor a metric ``model`` was compiled
            with, so the direction cannot be told.
    """
    if mode in ("min", "max"):
        return mode
    name = monitor.removeprefix("val_")
    if name == "loss":
        return "min"
    found = _compiled_metric_directions(model).get(name) if model is not None else None
    if found is None:
        raise ValueError(
            f"{owner} callback received monitor={monitor}, but Keras isn't able to automatically determine "
            "whether that metric should be maximized or minimized. Pass `mode='max'` in order to monitor "
            "based on the highest metric value, or pass `mode='min'` in order to use the lowest value."
        )
    return "max" if found == "up" else "min"


def direction_without_model(monitor: str, mode: str) -> str | None:
    """The direction when it does not depend on the model's metrics (a given mode, or a loss), else None."""
    if mode in ("min", "max"):
        return mode
    return "min" if monitor.removeprefix("val_") == "loss" else None


class MonitorCallback(Callback):
    """A callback that watches one quantity of the epoch logs for improvements.

    ``min_delta`` is stored as its absolute value and negated once the quantity is known to be minimized, so
    that a value improves on ``best`` when ``monitor_op(value - min_delta, best)`` (both sides rounded to float32,
    as Keras compares them as tensors); a ``best`` of None is
    always improved on. ``monitor_op`` is None until the direction is known (`_set_monitor_op`).
    """

    def __init__(
        self, monitor: str = "val_loss", mode: str = "auto", baseline: Any = None, min_delta: Any = 0
    ):
        super().__init__()
        if not isinstance(monitor, str):
            raise ValueError(f"`monitor` must be the name of a metric (a str). Received: monitor={monitor!r}")
        self.monitor = monitor
        self.mode = check_mode(type(self).__name__, mode)
        self.best: Any = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op: Callable[[Any, Any], bool] | None = None

    def _set_direction(self, which: str) -> None:
        self.monitor_op = operator.lt if which == "min" else operator.gt
        if which == "min":
            self.min_delta = -abs(self.min_delta)

    def _set_monitor_op(self) -> None:
        """Decide the direction from the mode, the name and the model's compiled metrics (see `direction`)."""
        if self.monitor_op is None:
            self._set_direction(direction(type(self).__name__, self.monitor, self.mode, self.model))

    def _is_improvement(self, value: Any, reference: Any) -> bool:
        if reference is None:
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        assert self.monitor_op is not None
        # Keras compares tensors: the two sides are float32 (a value that moves by exactly min_delta can go
        # either way, as there).
        with np.errstate(over="ignore", invalid="ignore"):
            shifted, reference = np.float32(value - self.min_delta), np.float32(reference)
        return bool(self.monitor_op(shifted, reference))
