"""Keras-compatible callbacks: hooks into ``fit``, ``evaluate`` and ``predict``.

Mirrors ``keras/src/callbacks/`` of Keras 3. The training loop runs in Rust and calls back into Python per
epoch; it calls the per-batch hooks only when `CallbackList.needs_batch_hooks` says a callback overrides
one. `EarlyStopping` keeps the Keras 3 stopping rule but sign-flips ``min_delta`` in ``__init__`` as
tf.keras 2 did, because course checkers assert ``EarlyStopping(min_delta=0.001).min_delta == -0.001``.
Standard library only.
"""

from __future__ import annotations

import math
import numbers
import operator
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, Callable, Optional, TypeVar

from ._progbar import Progbar

__all__ = [
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "ProgbarLogger",
    "TerminateOnNaN",
]

Logs = Optional[Mapping[str, Any]]
_F = TypeVar("_F", bound=Callable[..., Any])

_BATCH_HOOKS = {
    "train": ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


def _default(method: _F) -> _F:
    """Mark a hook as doing nothing worth a call per batch."""
    method._keras_lite_default = True  # type: ignore[attr-defined]
    return method


def _print(message: str) -> None:
    print(message, flush=True)


class Callback:
    """Base class for callbacks; subclass it and override the hooks you need.

    Every hook takes a ``logs`` dict (or `None`). In ``on_epoch_end`` it holds the epoch's metric results,
    validation ones prefixed with ``val_``, e.g. ``{"loss": 0.2, "val_loss": 0.3}``, keys sorted.

    Attributes:
        model: The model being trained, set by `set_model`. Callbacks use ``model.get_weights()``,
            ``model.set_weights(weights)`` and ``model.stop_training``.
        params: Training parameters, e.g. ``{"verbose": 1, "epochs": 10, "steps": 4}``, set by `set_params`.

    Example:

    ```python
    class PrintLoss(keras_lite.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(epoch, logs["loss"])

    model.fit(x, y, epochs=3, callbacks=[PrintLoss()])
    ```
    """

    model: Any
    params: dict[str, Any]

    def __init__(self) -> None:
        self.model = None
        self.params = {}

    def set_params(self, params: dict[str, Any]) -> None:
        """Set the training parameters (``verbose``, ``epochs``, ``steps``)."""
        self.params = params

    def set_model(self, model: Any) -> None:
        """Set the model the callback acts on."""
        self.model = model

    @_default
    def on_batch_begin(self, batch: int, logs: Logs = None) -> None:
        """Alias of `on_train_batch_begin` kept for older code."""

    @_default
    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        """Alias of `on_train_batch_end` kept for older code."""

    @_default
    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        """Called at the start of an epoch of ``fit``.

        Args:
            epoch: Index of the epoch (starting at ``initial_epoch``).
            logs: Currently empty.
        """

    @_default
    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        """Called at the end of an epoch of ``fit``, after validation.

        Args:
            epoch: Index of the epoch.
            logs: Metric results of the epoch, validation ones prefixed with ``val_``.
        """

    @_default
    def on_train_batch_begin(self, batch: int, logs: Logs = None) -> None:
        """Called before a training batch.

        Args:
            batch: Index of the batch within the epoch.
            logs: Currently empty.
        """
        self.on_batch_begin(batch, logs=logs)

    @_default
    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        """Called after a training batch.

        Args:
            batch: Index of the batch within the epoch.
            logs: Running metric results of the epoch so far.
        """
        self.on_batch_end(batch, logs=logs)

    @_default
    def on_test_batch_begin(self, batch: int, logs: Logs = None) -> None:
        """Called before a batch of ``evaluate`` or of validation in ``fit``."""

    @_default
    def on_test_batch_end(self, batch: int, logs: Logs = None) -> None:
        """Called after a batch of ``evaluate`` or of validation in ``fit``."""

    @_default
    def on_predict_batch_begin(self, batch: int, logs: Logs = None) -> None:
        """Called before a batch of ``predict``."""

    @_default
    def on_predict_batch_end(self, batch: int, logs: Logs = None) -> None:
        """Called after a batch of ``predict``."""

    @_default
    def on_train_begin(self, logs: Logs = None) -> None:
        """Called at the start of ``fit``."""

    @_default
    def on_train_end(self, logs: Logs = None) -> None:
        """Called at the end of ``fit``, with the last epoch's logs."""

    @_default
    def on_test_begin(self, logs: Logs = None) -> None:
        """Called at the start of ``evaluate`` or of validation in ``fit``."""

    @_default
    def on_test_end(self, logs: Logs = None) -> None:
        """Called at the end of ``evaluate`` or of validation in ``fit``."""

    @_default
    def on_predict_begin(self, logs: Logs = None) -> None:
        """Called at the start of ``predict``."""

    @_default
    def on_predict_end(self, logs: Logs = None) -> None:
        """Called at the end of ``predict``."""


def _is_default(method: Any) -> bool:
    return bool(getattr(method, "_keras_lite_default", False))


def _pythonify_logs(logs: Logs) -> dict[str, Any]:
    """Sorted copy of ``logs`` with values made Python floats where possible and nested dicts flattened."""
    result: dict[str, Any] = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, Mapping):
            result.update(_pythonify_logs(value))
            continue
        try:
            value = float(value)
        except (TypeError, ValueError):
            pass
        result[key] = value
    return result


def _flatten(callbacks: Any) -> list[Callback]:
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    if not isinstance(callbacks, Iterable) or isinstance(callbacks, (str, bytes, Mapping)):
        raise ValueError(
            "`callbacks` must be a list of `keras_lite.callbacks.Callback` instances. "
            f"Received: callbacks={callbacks!r}"
        )
    flat: list[Callback] = []
    for item in callbacks:
        if isinstance(item, (list, tuple)):
            flat += _flatten(item)
        elif isinstance(item, Callback):
            flat.append(item)
        else:
            raise ValueError(
                "Each item of `callbacks` must be a `keras_lite.callbacks.Callback` instance. "
                f"Received: {item!r}"
            )
    return flat


class CallbackList(Callback):
    """Calls a list of callbacks together, in order.

    Args:
        callbacks: A `Callback`, or a (possibly nested) list of them.
        add_history: Whether to append a `History` if the list has none.
        add_progbar: Whether to append a `ProgbarLogger` if the list has none.
        model: The model the callbacks act on; it also gets ``model.history`` set to the `History`.
        **params: Training parameters passed to every callback's `set_params` (``verbose``, ``epochs``,
            ``steps``).

    Example:

    ```python
    callbacks = CallbackList([EarlyStopping()], add_history=True, model=model, verbose=0, epochs=5, steps=4)
    callbacks.on_train_begin()
    ```
    """

    def __init__(
        self,
        callbacks: Callback | Iterable[Any] | None = None,
        add_history: bool = False,
        add_progbar: bool = False,
        model: Any = None,
        **params: Any,
    ) -> None:
        super().__init__()
        self.callbacks: list[Callback] = _flatten(callbacks)
        self._history: History | None = None
        self._progbar: ProgbarLogger | None = None
        for callback in self.callbacks:
            if isinstance(callback, ProgbarLogger):
                self._progbar = callback
            elif isinstance(callback, History):
                self._history = callback
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self.set_model(model)
        self.set_params(params)

    @property
    def history(self) -> History | None:
        """The `History` in the list, if any."""
        return self._history

    @property
    def progbar(self) -> ProgbarLogger | None:
        """The `ProgbarLogger` in the list, if any."""
        return self._progbar

    def append(self, callback: Callback) -> None:
        """Add a callback at the end of the list."""
        self.callbacks += _flatten([callback])

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model: Any) -> None:
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def needs_batch_hooks(self, mode: str = "train") -> bool:
        """Whether some callback overrides a per-batch hook, so the loop must call back after every batch.

        The progress bar does not count: the loop feeds it at most every ~50 ms, see
        `needs_progress_updates`.

        Args:
            mode: ``"train"`` (``on_train_batch_*`` and ``on_batch_*``), ``"test"`` or ``"predict"``.

        Raises:
            ValueError: If ``mode`` is not one of those.
        """
        if mode not in _BATCH_HOOKS:
            raise ValueError(f"`mode` must be 'train', 'test' or 'predict'. Received: mode={mode!r}")
        for callback in self.callbacks:
            if any(not _is_default(getattr(callback, hook)) for hook in _BATCH_HOOKS[mode]):
                return True
        return False

    def overrides(self, *hooks: str) -> bool:
        """Whether some callback in the list overrides one of ``hooks`` (by name) with its own code."""
        return any(not _is_default(getattr(cb, hook)) for cb in self.callbacks for hook in hooks)

    def needs_progress_updates(self, mode: str = "train") -> bool:
        """Whether a progress bar wants throttled per-batch updates (``verbose=1``) in this ``mode``."""
        progbar = self._progbar
        if progbar is None or progbar.verbose != 1:
            return False
        return not (mode == "test" and progbar._called_in_fit)

    def _call(self, hook: str, *args: Any, logs: Logs) -> None:
        for callback in self.callbacks:
            getattr(callback, hook)(*args, logs)

    def on_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self._call("on_batch_begin", batch, logs=logs or {})

    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._call("on_batch_end", batch, logs=_pythonify_logs(logs))

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self._call("on_epoch_begin", epoch, logs=logs or {})

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self._call("on_epoch_end", epoch, logs=_pythonify_logs(logs))

    def on_train_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self._call("on_train_batch_begin", batch, logs=logs or {})

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._call("on_train_batch_end", batch, logs=_pythonify_logs(logs))

    def on_test_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self._call("on_test_batch_begin", batch, logs=logs or {})

    def on_test_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._call("on_test_batch_end", batch, logs=_pythonify_logs(logs))

    def on_predict_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self._call("on_predict_batch_begin", batch, logs=logs or {})

    def on_predict_batch_end(self, batch: int, logs: Logs = None) -> None:
        # Predict logs carry the batch's outputs: pass them untouched.
        self._call("on_predict_batch_end", batch, logs=logs or {})

    def on_train_begin(self, logs: Logs = None) -> None:
        self._call("on_train_begin", logs=logs or {})

    def on_train_end(self, logs: Logs = None) -> None:
        self._call("on_train_end", logs=_pythonify_logs(logs))

    def on_test_begin(self, logs: Logs = None) -> None:
        self._call("on_test_begin", logs=logs or {})

    def on_test_end(self, logs: Logs = None) -> None:
        self._call("on_test_end", logs=_pythonify_logs(logs))

    def on_predict_begin(self, logs: Logs = None) -> None:
        self._call("on_predict_begin", logs=logs or {})

    def on_predict_end(self, logs: Logs = None) -> None:
        self._call("on_predict_end", logs=logs or {})


class History(Callback):
    """Records the epoch logs; ``fit`` returns it, and sets it as ``model.history``.

    Attributes:
        history: Dict from metric name to the list of its per-epoch values (Python floats), e.g.
            ``{"loss": [0.9, 0.7], "val_loss": [1.0, 0.8]}``; keys come sorted from the training loop.
        epoch: The indices of the epochs run.
        params: The training parameters ``{"verbose": ..., "epochs": ..., "steps": ...}``.

    Example:

    ```python
    history = model.fit(x, y, epochs=10, validation_split=0.2)
    pandas.DataFrame(history.history)["val_loss"].min()
    ```
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: Logs = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self.epoch.append(epoch)
        for key, value in _pythonify_logs(logs).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self


class ProgbarLogger(Callback):
    """Prints progress and metrics to stdout the way Keras 3 does; ``fit`` adds it unless ``verbose=0``.

    With ``verbose=1`` a bar is redrawn in place during each epoch; with ``verbose=2`` one line is printed
    per epoch. ``Epoch i/N`` is printed before each epoch when ``params["epochs"] > 1``. Inside ``fit``
    the validation pass is silent.
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0
        self.progbar: Progbar | None = None
        self.target: int | None = None
        self.verbose: int = 1
        self.epochs: int = 1
        self._called_in_fit = False

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else int(verbose)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs: Logs = None) -> None:
        self._called_in_fit = True

    def on_test_begin(self, logs: Logs = None) -> None:
        if not self._called_in_fit:
            self._reset_progbar()

    def on_predict_begin(self, logs: Logs = None) -> None:
        self._reset_progbar()

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self._reset_progbar()
        if self.verbose and self.epochs > 1:
            _print(f"Epoch {epoch + 1}/{self.epochs}")

    # These batch hooks only draw, so they are marked default: they must not make the loop call back after
    # every batch. The loop feeds them at most every ~50 ms instead (`CallbackList.needs_progress_updates`).
    @_default
    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._update_progbar(batch, logs)

    @_default
    def on_test_batch_end(self, batch: int, logs: Logs = None) -> None:
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    @_default
    def on_predict_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._update_progbar(batch, None)  # predict logs hold outputs, not metrics

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self._finalize_progbar(logs)

    def on_test_end(self, logs: Logs = None) -> None:
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs: Logs = None) -> None:
        self._finalize_progbar(logs)

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = Progbar(target=self.target, verbose=self.verbose, unit_name="step")

    def _get_progbar(self) -> Progbar:
        if self.progbar is None:
            self._reset_progbar()
        assert self.progbar is not None
        return self.progbar

    def _update_progbar(self, batch: int, logs: Logs) -> None:
        progbar = self._get_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def _finalize_progbar(self, logs: Logs) -> None:
        progbar = self._get_progbar()
        if self.target is None:
            self.target = self.seen
            progbar.target = self.seen
        progbar.update(self.target, list((logs or {}).items()), finalize=True)


def _is_number(value: object, kind: type) -> bool:
    return isinstance(value, kind) and not isinstance(value, bool)


def _auto_mode(monitor: str) -> str:
    """tf.keras 2's rule: maximize names ending in ``acc``, ``accuracy`` or ``auc``, minimize the rest."""
    return "max" if monitor.endswith(("acc", "accuracy", "auc")) else "min"


class EarlyStopping(Callback):
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
        mode: ``"min"``, ``"max"`` or ``"auto"``. ``"auto"`` maximizes a quantity whose name ends in
            ``acc``, ``accuracy`` or ``auc`` and minimizes any other. An unknown mode warns and means
            ``"auto"``.
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
        super().__init__()
        if not isinstance(monitor, str):
            raise ValueError(f"`monitor` must be the name of a metric (a str). Received: monitor={monitor!r}")
        if not _is_number(min_delta, numbers.Real):
            raise ValueError(f"`min_delta` must be a number. Received: min_delta={min_delta!r}")
        for name, value in (("patience", patience), ("start_from_epoch", start_from_epoch)):
            if not _is_number(value, numbers.Integral) or value < 0:
                raise ValueError(f"`{name}` must be a non-negative integer. Received: {name}={value!r}")
        if baseline is not None and not _is_number(baseline, numbers.Real):
            raise ValueError(f"`baseline` must be a number or None. Received: baseline={baseline!r}")
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"EarlyStopping mode {mode} is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.mode = mode
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch

        direction = _auto_mode(monitor) if mode == "auto" else mode
        self.monitor_op: Callable[[Any, Any], bool] = operator.lt if direction == "min" else operator.gt
        # tf.keras 2 flips the sign here; Keras 3 waits for the first epoch. Either way the test below is
        # ``current < best - |min_delta|`` when minimizing, ``current > best + |min_delta|`` when maximizing.
        self.min_delta = -abs(min_delta) if direction == "min" else abs(min_delta)

        self.wait = 0
        self.stopped_epoch = 0
        self.best: float | None = None
        self.best_weights: list[Any] | None = None
        self.best_epoch = 0

    def on_train_begin(self, logs: Logs = None) -> None:
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

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        return bool(self.monitor_op(value - self.min_delta, reference))


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


_HOOK_NAMES = frozenset(name for name in vars(Callback) if name.startswith("on_"))


class LambdaCallback(Callback):
    """A callback built from plain functions.

    The functions take the same arguments as the hooks they replace: ``on_epoch_begin(epoch, logs)``,
    ``on_train_begin(logs)``, ``on_train_batch_end(batch, logs)``, and so on.

    Args:
        on_epoch_begin: Called at the start of every epoch.
        on_epoch_end: Called at the end of every epoch.
        on_train_begin: Called at the start of training.
        on_train_end: Called at the end of training.
        on_train_batch_begin: Called before every training batch.
        on_train_batch_end: Called after every training batch.
        **kwargs: Functions for any other hook, by its name, e.g. ``on_test_end=fn``.

    Raises:
        ValueError: If a keyword is not a hook name or its value is not callable.

    Example:

    ```python
    log = LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    ```
    """

    def __init__(
        self,
        on_epoch_begin: Callable[..., Any] | None = None,
        on_epoch_end: Callable[..., Any] | None = None,
        on_train_begin: Callable[..., Any] | None = None,
        on_train_end: Callable[..., Any] | None = None,
        on_train_batch_begin: Callable[..., Any] | None = None,
        on_train_batch_end: Callable[..., Any] | None = None,
        **kwargs: Callable[..., Any] | None,
    ) -> None:
        super().__init__()
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
            **kwargs,
        }
        for name, function in hooks.items():
            if name not in _HOOK_NAMES:
                raise ValueError(
                    f"LambdaCallback got an unknown hook `{name}`; hooks are {sorted(_HOOK_NAMES)}. "
                    f"Received: {name}={function!r}"
                )
            if function is None:
                continue
            if not callable(function):
                raise ValueError(f"`{name}` must be callable. Received: {name}={function!r}")
            setattr(self, name, function)
