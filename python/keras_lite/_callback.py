"""``Callback``, the base of every callback (its hooks mark which ones do nothing), and ``LambdaCallback``."""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from typing import Any, Callable, Optional, TypeVar

from ._io import print_msg

Logs = Optional[Mapping[str, Any]]
_F = TypeVar("_F", bound=Callable[..., Any])


def _default(method: _F) -> _F:
    """Mark a hook as doing nothing worth a call per batch."""
    method._keras_lite_default = True  # type: ignore[attr-defined]
    return method


def _print(message: str) -> None:
    print_msg(message)


# How many fit/evaluate/predict calls made from callbacks the current thread runs inside. A predict or
# evaluate runs its hooks on a worker thread of its own, so a hook that calls predict again, without end,
# never meets Python's recursion limit: it would start one more thread per level until the process runs out.
# The depth is handed from the calling thread to the thread that runs the hooks, and past a share of the
# recursion limit the next call raises RecursionError, as a Keras recursion of the same kind ends.
_NESTING = threading.local()


def nesting_depth() -> int:
    """The depth of the current thread: 0 outside any callback."""
    return int(getattr(_NESTING, "depth", 0))


def check_nesting(depth: int) -> None:
    """Raise RecursionError when one more call nested in callbacks at ``depth`` would be too deep."""
    limit = max(sys.getrecursionlimit() // 5, 1)
    if depth >= limit:
        raise RecursionError(
            f"maximum recursion depth exceeded: {depth} fit, evaluate or predict calls nested in each other's "
            f"callbacks (the limit is sys.getrecursionlimit() // 5 = {limit}). A callback calls the model "
            "again from a call of that same callback, without end."
        )


def run_nested(depth: int, hook: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``hook`` with the current thread's depth set to ``depth``, whichever thread runs it."""
    before = nesting_depth()
    _NESTING.depth = depth
    try:
        return hook(*args, **kwargs)
    finally:
        _NESTING.depth = before


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

    params: dict[str, Any] | None

    def __init__(self) -> None:
        self._model: Any = None
        self.params = None  # as Keras 3: set by fit, evaluate and predict (set_params)

    @property
    def model(self) -> Any:
        """The model the callback acts on. Read-only, as in Keras 3: only `set_model` changes it, so a
        callback cannot point the others, or itself, at another model in the middle of a fit."""
        return getattr(self, "_model", None)

    def set_params(self, params: dict[str, Any]) -> None:
        """Set the training parameters (``verbose``, ``epochs``, ``steps``)."""
        self.params = params

    def set_model(self, model: Any) -> None:
        """Set the model the callback acts on."""
        self._model = model

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
