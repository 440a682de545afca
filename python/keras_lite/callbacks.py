"""Keras-compatible callbacks: hooks into ``fit``, ``evaluate`` and ``predict``.

Mirrors ``keras/src/callbacks/`` of Keras 3. The training loop runs in Rust and calls back into Python per
epoch; it calls the per-batch hooks only when `CallbackList.needs_batch_hooks` says a callback overrides
one. Here: `CallbackList`, `History`, `ProgbarLogger`; `Callback` and `LambdaCallback` are in ``_callback``,
`EarlyStopping` and `TerminateOnNaN` in ``_stopping``, `ModelCheckpoint` and `BackupAndRestore` in
``_checkpoint``, `ReduceLROnPlateau` and `LearningRateScheduler` in ``_lr_callbacks``, `CSVLogger` in
``_csv_logger``, `TensorBoard` in ``_tensorboard``, `RemoteMonitor` in ``_remote_monitor``; the monitor logic
the first three share is ``_monitor``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._callback import (
    Callback,
    LambdaCallback,
    Logs,
    _default,
    _is_default,
    _print,
    check_nesting,
    nesting_depth,
    run_nested,
)
from ._checkpoint import BackupAndRestore, ModelCheckpoint
from ._csv_logger import CSVLogger
from ._errors import ArgumentTypeError
from ._lr_callbacks import LearningRateScheduler, ReduceLROnPlateau
from ._progbar import Progbar
from ._remote_monitor import RemoteMonitor
from ._stopping import EarlyStopping, TerminateOnNaN
from ._tensorboard import TensorBoard

__all__ = [
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "RemoteMonitor",
    "TensorBoard",
    "TerminateOnNaN",
]

_BATCH_HOOKS = {
    "train": ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


def _pythonify_logs(logs: Logs, sort: bool = True) -> dict[str, Any]:
    """Copy of ``logs`` (sorted by key unless ``sort`` is false) with values made Python floats where possible
    and nested dicts flattened."""
    result: dict[str, Any] = {}
    items = (logs or {}).items()
    for key, value in sorted(items) if sort else items:
        if isinstance(value, Mapping):
            result.update(_pythonify_logs(value, sort))
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
        else:  # (Keras 3.15.1 fails with a TypeError, for a class, or an AttributeError)
            raise ArgumentTypeError(
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
        # Hooks run one level deeper than the call that makes this list (see ``_callback.check_nesting``).
        self._depth = nesting_depth() + 1
        check_nesting(self._depth - 1)
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
        # As Keras 3 calls them: a batch hook gets ``logs=`` by keyword (``def on_train_batch_end(self,
        # batch, **kwargs)`` works), the other hooks by position.
        by_keyword = "_batch_" in hook
        # (A list the user made and passed to fit is called by fit's own list, already one level down.)
        depth = max(getattr(self, "_depth", 1), nesting_depth())
        for callback in self.callbacks:
            if by_keyword:
                run_nested(depth, getattr(callback, hook), *args, logs=logs)
            else:
                run_nested(depth, getattr(callback, hook), *args, logs)

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
            ``{"loss": [0.9, 0.7], "val_loss": [1.0, 0.8]}``; keys come sorted from the training loop, then
            the ones earlier callbacks added to the logs (``learning_rate``), as in Keras 3.
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
        # Not re-sorted: a key a callback before this one added (``learning_rate``) comes last, as in Keras 3.
        for key, value in _pythonify_logs(logs, sort=False).items():
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
        self.progbar = Progbar(
            target=self.target, verbose=self.verbose, unit_name="step", stateless_metrics=set()
        )

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
