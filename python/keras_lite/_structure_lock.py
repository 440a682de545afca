"""The structure lock: a model's structure never changes under a running ``fit``.

Changing a model's structure (``add``, ``pop``, ``build``, ``to``, ``compile``, a layer's ``build``) and the
start and the end of a ``fit`` hold one lock; a fit counts itself in ``model._fits`` from before it checks
anything until it returns, and a change while that count is not 0 is refused with a ``RuntimeError``. So a
change can never slip in between a fit's checks and its core call, from any thread (a callback included).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any, Callable, TypeVar, cast

# Held while a structure changes and while a fit starts or ends; never while a model trains or predicts.
_STRUCTURE_LOCK = threading.RLock()


def _refuse_while_fitting(model: Any, what: str) -> None:
    """Raise ``RuntimeError`` if ``model`` is in a ``fit`` (call with ``_STRUCTURE_LOCK`` held)."""
    if model is not None and model._fits:
        raise RuntimeError(
            f"Cannot {what} while model {model.name!r} is training: fit() is running on it (this call came from "
            "a callback or another thread). fit would go on training the network it started with and then "
            "discard those epochs. Change the model before or after fit; get_weights and set_weights work "
            "during fit."
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
                self._fits += 1
                counted = True
            return fit(self, *args, **kwargs)
        finally:
            if counted:
                with _STRUCTURE_LOCK:
                    self._fits -= 1

    return cast(_F, wrapper)


@contextlib.contextmanager
def _training_over(model: Any) -> Iterator[None]:
    """Count a fit whose core has returned out of ``model._fits`` while its ``on_train_end`` hooks run (and back
    in after, for `_tracks_fit` to count it out): the training is over, so a callback may then compile the
    model or add and pop layers, as in Keras 3."""
    with _STRUCTURE_LOCK:
        model._fits -= 1
    try:
        yield
    finally:
        with _STRUCTURE_LOCK:
            model._fits += 1
