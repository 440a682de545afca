"""The structure lock: a model's structure never changes under a running ``fit``.

Changing a model's structure (``add``, ``pop``, ``build``, ``to``, ``compile``, a layer's ``build``) and the
start and the end of a ``fit`` hold one lock; a fit counts itself in ``model._fits`` from before it checks
anything until it returns, and a change while that count is not 0 is refused with a ``RuntimeError``. So a
change can never slip in between a fit's checks and its core call, from any thread (a callback included).

A process forked while other threads fit (or hold the lock) keeps only the forking thread: the child counts only
that thread's fits, and finds the lock free, rather than refusing every change, or waiting, forever.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import os
import threading
import weakref
from collections.abc import Iterator
from typing import Any, Callable, TypeVar, cast

# Held while a structure changes and while a fit starts or ends; never while a model trains or predicts.
_STRUCTURE_LOCK = threading.RLock()

# The models in a fit now, with how many fits each thread runs on them (changed with _STRUCTURE_LOCK held).
_FITTING: weakref.WeakKeyDictionary[Any, collections.Counter[int]] = weakref.WeakKeyDictionary()


def _count_fit(model: Any, change: int) -> None:
    """Add ``change`` to the fits this thread runs on ``model`` (call with ``_STRUCTURE_LOCK`` held)."""
    model._fits += change
    counts = _FITTING.setdefault(model, collections.Counter())
    counts[threading.get_ident()] += change
    if not +counts:  # (no thread's count above 0)
        del _FITTING[model]


# Whether the thread forking now got the lock before the fork (so that the child finds it free).
_FORK_HOLDS = threading.local()


def _before_fork() -> None:
    # Held only for short changes; a holder that outlasts the wait is left out of the child (see below).
    _FORK_HOLDS.held = _STRUCTURE_LOCK.acquire(timeout=2.0)


def _after_fork_in_parent() -> None:
    if getattr(_FORK_HOLDS, "held", False):
        _FORK_HOLDS.held = False
        _STRUCTURE_LOCK.release()


def _after_fork_in_child() -> None:
    if getattr(_FORK_HOLDS, "held", False):
        _FORK_HOLDS.held = False
        _STRUCTURE_LOCK.release()
    else:  # held by a thread the child does not have: a fresh, free lock
        _STRUCTURE_LOCK._at_fork_reinit()  # type: ignore[attr-defined]
    me = threading.get_ident()
    for model, counts in list(_FITTING.items()):
        model._fits = counts[me]  # the fits of the other threads do not run here
        _FITTING[model] = collections.Counter({me: counts[me]})
        if not counts[me]:
            del _FITTING[model]


if hasattr(os, "register_at_fork"):  # (not on Windows, which has no fork)
    os.register_at_fork(
        before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child
    )


def _refuse_while_fitting(model: Any, what: str) -> None:
    """Raise ``RuntimeError`` if ``model`` is in a ``fit`` (call with ``_STRUCTURE_LOCK`` held)."""
    if model is not None and model._fits:
        raise RuntimeError(
            f"Cannot {what} while model {model.name!r} is training: fit() or train_on_batch() is running on it "
            "(this call came from a callback or another thread). fit would go on training the network it started "
            "with and then discard those epochs. Change the model before or after fit; get_weights and "
            "set_weights work during fit."
        )


_F = TypeVar("_F", bound=Callable[..., Any])


def _changes_structure(what: str) -> Callable[[_F], _F]:
    """Run the method under the structure lock, refusing it (``RuntimeError``) while the model is in a fit."""

    def decorate(method: _F) -> _F:
        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            with _STRUCTURE_LOCK:
                _refuse_while_fitting(self, what)
                return method(self, *args, **kwargs)

        return cast(_F, wrapper)

    return decorate


def _tracks_fit(fit: _F) -> _F:
    """Count the model as fitting (``model._fits``) from before ``fit`` checks anything until it returns."""

    @functools.wraps(fit)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        counted = False
        try:
            with _STRUCTURE_LOCK:
                _count_fit(self, 1)
                counted = True
            return fit(self, *args, **kwargs)
        finally:
            if counted:
                with _STRUCTURE_LOCK:
                    _count_fit(self, -1)

    return cast(_F, wrapper)


# The thread whose fit made each History (a fit's, for ``_fit_result``).
_HISTORY_THREAD: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def _fit_result(model: Any, own: Any) -> Any:
    """What ``fit`` returns: ``model.history`` as in Keras 3 (a fit of the model from its ``on_train_end``, or a
    callback, may have replaced it), unless a fit on another thread set it: then ``own``, this fit's History."""
    current = getattr(model, "history", None)
    try:
        made_by = _HISTORY_THREAD.get(current, threading.get_ident())
    except TypeError:  # (not a History: something a callback assigned)
        return current
    return current if own is None or made_by == threading.get_ident() else own


def _fit_history(history: Any) -> None:
    """Record ``history`` (a fit's, or None) as made by a fit on this thread."""
    if history is not None:
        _HISTORY_THREAD[history] = threading.get_ident()


@contextlib.contextmanager
def _training_over(model: Any) -> Iterator[None]:
    """Count a fit whose core has returned out of ``model._fits`` while its ``on_train_end`` hooks run (and back
    in after, for `_tracks_fit` to count it out): the training is over, so a callback may then compile the
    model or add and pop layers, as in Keras 3."""
    with _STRUCTURE_LOCK:
        _count_fit(model, -1)
    try:
        yield
    finally:
        with _STRUCTURE_LOCK:
            _count_fit(model, 1)
