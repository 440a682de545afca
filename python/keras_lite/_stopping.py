"""``EarlyStopping`` and ``TerminateOnNaN``: callbacks that stop ``fit``.

`EarlyStopping` keeps the Keras 3 stopping rule and monitor logic (``_monitor``), but decides the direction in
``__init__`` when it does not depend on the model (a ``loss`` monitor, or ``mode`` min/max) and then sign-flips
``min_delta`` there, as tf.keras 2 did: course checkers assert ``EarlyStopping(min_delta=0.001).min_delta ==
-0.001`` before ``fit``. Other monitors get their direction from the compiled metrics when training begins.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from ._callback import Callback, Logs, _print
from ._errors import ArgumentTypeError
from ._monitor import MonitorCallback, check_mode, direction_without_model


def _is_number(value: object, kind: type) -> bool:
    return isinstance(value, kind) and not isinstance(value, bool)


class EarlyStopping(MonitorCallback):
    """Stop training when a monitored metric has stopped improving.

    At the end of each epoch the monitored value counts as an improvement when it beats the best so far
    by more than ``min_delta`` (the first value always does). After ``patience`` epochs in a row without
    one, ``model.stop_training`` is set.

    Args:
        monitor: Name of the quantity to monitor, a key of the epoch logs.
        min_delta: Minimum change that counts as an improvement. Stored sign-flipped for the direction,
            as in tf.keras 2: ``EarlyStopping(min_delta=0.001).min_delta == -0.001`` in ``"min"`` mode.
        patience: Number of epochs without improvement after which training stops.
        verbose: 0 is silent; 1 prints a message when training stops and when weights are restored.
        mode: ``"min"``, ``"max"`` or ``"auto"``. ``"auto"`` minimizes ``loss``/``val_loss`` and gives any
            other quantity the direction of the compiled metric of that name (accuracies up, errors down);
            a name no compiled metric has raises ``ValueError`` when training begins. An unknown mode warns
            and means ``"auto"``.
        baseline: If set, an epoch only resets the patience count when it also beats this value.
        restore_best_weights: Whether to set the model back to the weights of the best epoch when training
            ends, whether or not it stopped early (Keras 3).
        start_from_epoch: Number of epochs to ignore before monitoring starts (warm-up).

    Raises:
        ValueError: If ``monitor`` is not a str, ``patience`` or ``start_from_epoch`` is not a non-negative
            integer, or ``min_delta`` (or a ``baseline`` other than None) is not a number.

    Example:

    ```python
    early_stopping = EarlyStopping(min_delta=0.001, patience=20, restore_best_weights=True)
    model.fit(x, y, validation_data=(x_val, y_val), epochs=500, callbacks=[early_stopping], verbose=0)
    ```
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        if not isinstance(monitor, str):
            raise ValueError(f"`monitor` must be the name of a metric (a str). Received: monitor={monitor!r}")
        if not _is_number(min_delta, numbers.Real):
            raise ArgumentTypeError(f"`min_delta` must be a number. Received: min_delta={min_delta!r}")
        for name, value in (("patience", patience), ("start_from_epoch", start_from_epoch)):
            # A whole float (2.0, as a JSON config or a tuner gives it) counts, as in Keras; a negative or a
            # fractional count, which Keras compares all the same, is refused.
            whole = _is_number(value, numbers.Real) and math.isfinite(value) and value == int(value)
            if not whole or value < 0:
                raise ValueError(f"`{name}` must be a non-negative integer. Received: {name}={value!r}")
        if isinstance(baseline, np.ndarray) and baseline.ndim == 0 and baseline.dtype.kind in "iuf":
            baseline = baseline.item()  # (a 0-d array, as Keras takes it)
        if baseline is not None and not _is_number(baseline, numbers.Real):
            raise ValueError(f"`baseline` must be a number or None. Received: baseline={baseline!r}")
        super().__init__(monitor, check_mode("EarlyStopping", mode), None, min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch

        # tf.keras 2 flips the sign here; Keras 3 waits for the first epoch. Either way the test is
        # ``current < best - |min_delta|`` when minimizing, ``current > best + |min_delta|`` when maximizing.
        known = direction_without_model(monitor, self.mode)
        if known is not None:
            self._set_direction(known)

        self.wait = 0
        self.stopped_epoch = 0
        self.best: float | None = None
        self.best_weights: list[Any] | None = None
        self.best_epoch = 0

    def on_train_begin(self, logs: Logs = None) -> None:
        self._set_monitor_op()  # Keras 3 refuses an auto-mode monitor it cannot tell the direction of
        # Reset so that the instance can be reused across fit calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something improves, the current weights are the best there are.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Only restart the count when both the baseline and the previous best are beaten.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return

        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            _print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                _print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: Logs) -> float | None:
        """The monitored value in ``logs``, or `None` (with a warning) when it is missing."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(logs.keys())}",
                stacklevel=2,
            )
        return value


def _is_invalid(value: Any) -> bool:
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss becomes NaN or infinite.

    It checks the loss after every batch (which makes ``fit`` call back per batch) and, as a fallback,
    the epoch loss.

    Args:
        raise_error: If `True`, raise `RuntimeError` instead of setting ``model.stop_training``; the other
            callbacks' ``on_train_end`` then does not run.
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error
        self._stopped = False

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self._stopped = False

    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._check(logs, f"Batch {batch}", f"at batch {batch}")

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        if not self._stopped:
            self._check(logs, f"Epoch {epoch}", f"at epoch {epoch}")

    def _check(self, logs: Logs, prefix: str, where: str) -> None:
        loss = (logs or {}).get("loss")
        if loss is None or not _is_invalid(loss):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered {where}. Loss value: {loss}. Terminating training immediately."
            )
        _print(f"{prefix}: Invalid loss, terminating training")
        self._stopped = True
        self.model.stop_training = True
