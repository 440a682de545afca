"""The arguments every optimizer shares, checked as the optimizers take them: numbers, the weight decay, the
gradient clipping and Keras 3's common keyword arguments (those keras_lite cannot honour refused by name)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._errors import ArgumentTypeError, received
from .._unsupported import NotSupportedError


def _float(name: str, value: Any) -> float:
    if name == "learning_rate" and callable(value):
        raise NotSupportedError(
            "keras_lite takes a float or a keras.optimizers.schedules.LearningRateSchedule as learning_rate, not "
            "a function: for a rate that changes as training goes, subclass LearningRateSchedule (its "
            f"__call__(step) gets the optimizer's step count). {received(name, value)}"
        )
    if isinstance(value, bool) or not isinstance(value, (float, np.floating)):
        # Keras's arithmetic on a string or None is a TypeError; keras_lite raised (and still is) a ValueError.
        wrong_type = not isinstance(value, (int, np.integer)) or isinstance(value, bool)
        raise (ArgumentTypeError if wrong_type else ValueError)(
            f"Argument `{name}` should be float, LearningRateSchedule, or Callable. {received(name, value)}"
            if name == "learning_rate"
            else f"Argument `{name}` must be a float. {received(name, value)}"
        )
    return float(value)


def _number(name: str, value: Any) -> float:
    """A float hyper-parameter, which also takes a whole number (an int, not a bool), as Keras does."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return float(value)
    return _float(name, value)


# Keras 3's keyword arguments of every optimizer besides the learning rate, the weight decay and the clipping,
# in the order of its get_config, with the values keras_lite runs with (others are refused; ema_momentum, which
# matters only with use_ema, is kept as given).
_KERAS_KWARGS = {
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


_CLIPS = ("clipnorm", "clipvalue", "global_clipnorm")

# The arguments every optimizer names after its own hyper-parameters, in Keras 3's order, for the base class.
_SHARED = ("weight_decay", *_CLIPS, *_KERAS_KWARGS, "name")


def shared(given: dict[str, Any]) -> dict[str, Any]:
    """The arguments an optimizer's ``__init__`` hands to the base class, from its ``locals()``: the ones all
    optimizers share (by name) and any other keyword it was given."""
    return {k: given[k] for k in _SHARED} | given.get("kwargs", {})


def _take_clip(kwargs: dict[str, Any], opt: Any) -> None:
    """Move Keras's gradient clipping arguments from ``kwargs`` onto ``opt`` (at most one, a positive number)."""
    given = {k: kwargs.pop(k) for k in _CLIPS if k in kwargs}
    set_ = {k: v for k, v in given.items() if v is not None}
    if len(set_) > 1:
        raise ValueError(
            "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
            + ", ".join(f"{k}={v!r}" for k, v in set_.items())
        )
    for k, v in set_.items():
        if (
            isinstance(v, bool)
            or not isinstance(v, (int, float, np.integer, np.floating))
            or not 0 < float(v) < np.inf
        ):
            raise ValueError(f"{k} must be a positive number. {received(k, v)}")
        setattr(opt, k, float(v))


def weight_decay_value(value: Any, none_ok: bool = True) -> float | None:
    """``weight_decay`` checked: None (where allowed) or a non-negative finite number, as a float."""
    if value is None and none_ok:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"Argument `weight_decay` must be a float. {received('weight_decay', value)}")
    if not 0 <= float(value) < np.inf:
        raise ValueError(
            f"weight_decay must be a non-negative finite float. {received('weight_decay', value)}"
        )
    return float(value)


def _off(name: str, value: Any) -> bool:
    """Whether Keras's argument ``name`` leaves its feature off: its default, or for ``use_ema`` and
    ``gradient_accumulation_steps`` any value Keras reads as false (``0``, ``None``)."""
    if value is _KERAS_KWARGS[name]:
        return True
    falsy = value is None or isinstance(value, (bool, int, float, np.bool_, np.number)) and not value
    return name in ("use_ema", "gradient_accumulation_steps") and falsy


def _no_extra(kwargs: dict[str, Any], cls: str, opt: Any) -> None:
    """Take Keras's common keyword arguments in ``kwargs`` onto ``opt``; refuse those keras_lite lacks."""
    _take_clip(kwargs, opt)
    if "weight_decay" in kwargs:
        opt.weight_decay = weight_decay_value(kwargs.pop("weight_decay"))
    if "ema_momentum" in kwargs:
        opt.ema_momentum = _number("ema_momentum", kwargs.pop("ema_momentum"))
    if kwargs.pop("decay", None) is not None:
        # Keras 3's words: it ignores the argument (the Keras 2 inverse-time decay) and trains on.
        warnings.warn("Argument `decay` is no longer supported and will be ignored.", stacklevel=3)
    kwargs = {k: v for k, v in kwargs.items() if not (k in _KERAS_KWARGS and _off(k, v))}
    keras = {k: v for k, v in kwargs.items() if k in _KERAS_KWARGS}
    if keras:
        raise NotSupportedError(
            f"keras_lite's {cls} does not support {', '.join(keras)} yet. "
            f"Received: {', '.join(f'{k}={v!r}' for k, v in keras.items())}"
        )
    if "lr" in kwargs:
        raise ValueError(
            f"Argument `lr` is no longer supported: use `learning_rate`. {received('lr', kwargs['lr'])}"
        )
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments passed to {cls}: {kwargs}")
