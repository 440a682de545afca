"""``ReduceLROnPlateau`` and ``LearningRateScheduler``: callbacks that set ``model.optimizer.learning_rate``.

The core applies a new rate from the next training step. As in Keras 3, where the rate is a float32 variable,
the rate these callbacks read (and log as ``learning_rate``) is the float32 value, widened to a Python float.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable

import numpy as np

from ._callback import Callback, Logs, _print
from ._errors import ArgumentTypeError
from ._monitor import MonitorCallback


def _current_lr(model: Any) -> float:
    """The model's learning rate as Keras 3 reads it: ``float(convert_to_numpy(lr))`` of a float32 variable."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError('Optimizer must have a "learning_rate" attribute.')
    return float(np.float32(float(optimizer.learning_rate)))


class ReduceLROnPlateau(MonitorCallback):
    """Reduce the learning rate when a monitored quantity has stopped improving.

    After ``patience`` epochs without an improvement of more than ``min_delta``, the rate becomes
    ``max(rate * factor, min_lr)``, and then ``cooldown`` epochs pass before the count starts again. Every
    epoch it logs the rate that epoch used as ``learning_rate`` (so ``History`` and later callbacks see it).

    Args:
        monitor: The logged quantity to watch.
        factor: What the rate is multiplied by; below 1.
        patience: Epochs without improvement before a reduction.
        verbose: 0 is silent; 1 prints a message at each reduction.
        mode: ``"auto"``, ``"min"`` or ``"max"``, as for `EarlyStopping`.
        min_delta: Smallest change that counts as an improvement.
        cooldown: Epochs after a reduction before the patience count resumes.
        min_lr: The rate is never reduced below this.

        **kwargs: Ignored with a warning, as Keras 3 ignores them (tf.keras 2's ``epsilon``).

    Raises:
        ValueError: If ``factor >= 1``.

    Example:

    ```python
    reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5, min_lr=0.001)
    model.fit(x, y, validation_split=0.2, epochs=50, callbacks=[reduce_lr])
    ```
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            # Keras 3 takes and ignores them (tf.keras 2 code passes `epsilon`, its old name of min_delta).
            warnings.warn(
                f"ReduceLROnPlateau ignores the keyword arguments {sorted(kwargs)}, as Keras 3 does "
                f"(`min_delta` is the improvement threshold). Received: {kwargs}",
                UserWarning,
                stacklevel=2,
            )
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        # Each fit starts afresh, as Keras's: no best value yet, no wait, no cooldown.
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs: Logs = None) -> None:
        self._reset()
        self._set_monitor_op()

    def in_cooldown(self) -> bool:
        """Whether a reduction happened less than ``cooldown`` epochs ago."""
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self._set_monitor_op()
        logs = logs if logs is not None else {}
        if isinstance(logs, dict):
            logs["learning_rate"] = _current_lr(self.model)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(logs.keys())}.",
                stacklevel=2,
            )
            return
        # Keras 3's order: the cooldown is counted down before the check, so cooldown=1 still lets a
        # reduction happen at the next epoch.
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = _current_lr(self.model)
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        _print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of every epoch from ``schedule(epoch, lr)``.

    Args:
        schedule: A function of the epoch index (from 0) and the current rate (a float) that returns the new
            rate, a float. A function of the epoch alone also works.
        verbose: 0 is silent; 1 prints the rate set at each epoch.

    Raises:
        ValueError: At an epoch's start, if ``schedule`` returns something other than a float (an int
            included, as in Keras 3) or a rate that is not finite.

    Example:

    ```python
    def schedule(epoch, lr):
        return lr if epoch < 10 else lr * 0.9

    model.fit(x, y, epochs=20, callbacks=[LearningRateScheduler(schedule)])
    ```
    """

    def __init__(self, schedule: Callable[..., Any], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            # Keras's call of it (when training begins) is a TypeError.
            raise ArgumentTypeError(f"`schedule` must be a function. Received: schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        try:
            learning_rate = self.schedule(epoch, _current_lr(self.model))
        except TypeError:  # a schedule of the epoch alone (the older API)
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {learning_rate}")
        if not math.isfinite(learning_rate) or learning_rate < 0:
            raise ValueError(
                "The output of the `schedule` function should be a non-negative finite learning rate. "
                f"Got: {learning_rate} at epoch {epoch}"
            )
        self.model.optimizer.learning_rate = learning_rate
        if self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {learning_rate}.")

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        if isinstance(logs, dict):
            logs["learning_rate"] = _current_lr(self.model)
