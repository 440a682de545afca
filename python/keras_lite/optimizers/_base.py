"""The optimizer base class and its learning rate (the arguments it shares with the optimizers: _arguments)."""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np

from .._errors import ArgumentTypeError, received
from .._metric_base import to_snake_case
from .._unsupported import NotSupportedError, refuse_own_code
from ..layers._layer import _auto_name
from . import schedules
from ._arguments import _CLIPS, _KERAS_KWARGS, _float, _no_extra
from ._steps import Iterations, PythonRates
from .schedules import LearningRateSchedule

# Keras's optimizer methods that compute its steps: an optimizer of the user's that defines one computes its own.
_OWN_STEP = ("update_step", "apply_gradients", "apply", "build", "stateless_apply", "_apply_weight_decay")

_NOT_SETTABLE = (
    "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` constructor "
    "argument, hence its learning rate is not settable. If you need the learning rate to be settable, you "
    "should instantiate the optimizer with a float `learning_rate` argument."
)


def _checked_rate(value: float, given: Any) -> float:
    if not np.isfinite(value) or value < 0:
        raise ValueError(
            f"learning_rate must be a non-negative finite float. {received('learning_rate', given)}"
        )
    # Held as float32, as Keras 3 holds it in a float32 variable: Adam(0.01) reads back, and is saved, as
    # 0.009999999776482582. (A rate float32 cannot hold is left for the core to refuse, with its message.)
    with np.errstate(over="ignore"):
        rounded = float(np.float32(value))
    return rounded if np.isfinite(rounded) else value


def _as_float32(value: Any) -> Any:
    """A Python or NumPy number as float32 (as a tensor op converts it); anything else as it is."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        with np.errstate(over="ignore"):
            return np.float32(value)
    return value


class LearningRate(float):
    """``optimizer.learning_rate``: the rate the next training step uses, as Keras 3's scalar variable.

    With a schedule it is the schedule's rate at the optimizer's step count, and cannot be set. It is a ``float`` (so JSON, ``isinstance(lr, float)`` and arithmetic work as on a number) whose reads
    (``float(lr)``, ``lr.numpy()``, arithmetic, comparisons, f-strings with a format spec) give the rate in force. Change it with
    ``lr.assign(x)`` or ``optimizer.learning_rate = x``, between fits or from a callback during one: the next
    optimizer step (on the CPU or the GPU) uses the new rate, and a saved file records it.
    """

    shape: tuple[int, ...] = ()
    dtype = "float32"
    name = "learning_rate"
    __hash__ = float.__hash__
    _optimizer: Optimizer

    def __new__(cls, optimizer: Optimizer) -> LearningRate:
        self = super().__new__(cls, optimizer._current_lr())
        self._optimizer = optimizer
        return self

    @property
    def path(self) -> str:
        return f"{self._optimizer.name}/learning_rate"

    @property
    def value(self) -> float:
        return self._optimizer._current_lr()

    def __reduce__(self) -> tuple[Any, ...]:
        # A copy or a pickle is the number, not a handle on the optimizer.
        return (float, (float(self),))

    def numpy(self) -> np.float32:
        """The rate as a float32 NumPy scalar."""
        return np.float32(self._optimizer._current_lr())

    def assign(self, value: Any) -> LearningRate:
        """Set the rate; returns this handle."""
        self._optimizer.learning_rate = value
        return self

    def __float__(self) -> float:
        return float(self._optimizer._current_lr())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(np.float32(self._optimizer._current_lr()), dtype=dtype)

    def __bool__(self) -> bool:
        return bool(self._optimizer._current_lr())

    def __format__(self, spec: str) -> str:
        # `f"{lr}"` is Keras's str(), the repr; a format spec (which Keras refuses) formats the rate.
        return format(float(self), spec) if spec else repr(self)

    def __repr__(self) -> str:
        # Keras 3.15.1 shows the float32 value as a Python float: value=0.0010000000474974513 for 0.001.
        return (
            f"<Variable path={self.path}, shape=(), dtype=float32, value={float(np.float32(float(self)))!r}>"
        )

    # Compared as Keras 3 compares its float32 variable with a number: in float32 (lr == 0.01 is true).
    def __eq__(self, other: Any) -> bool:
        return bool(self.numpy() == _as_float32(other))

    def __ne__(self, other: Any) -> bool:
        return bool(self.numpy() != _as_float32(other))

    def __lt__(self, other: Any) -> bool:
        return bool(self.numpy() < _as_float32(other))

    def __le__(self, other: Any) -> bool:
        return bool(self.numpy() <= _as_float32(other))

    def __gt__(self, other: Any) -> bool:
        return bool(self.numpy() > _as_float32(other))

    def __ge__(self, other: Any) -> bool:
        return bool(self.numpy() >= _as_float32(other))

    def __neg__(self) -> float:
        return -float(self)

    def __add__(self, other: Any) -> Any:
        return float(self) + other

    def __radd__(self, other: Any) -> Any:
        return other + float(self)

    def __sub__(self, other: Any) -> Any:
        return float(self) - other

    def __rsub__(self, other: Any) -> Any:
        return other - float(self)

    def __mul__(self, other: Any) -> Any:
        return float(self) * other

    def __rmul__(self, other: Any) -> Any:
        return other * float(self)

    def __truediv__(self, other: Any) -> Any:
        return float(self) / other

    def __rtruediv__(self, other: Any) -> Any:
        return other / float(self)

    def __pow__(self, other: Any, mod: Any = None) -> Any:
        return pow(float(self), other, mod)


# The attributes besides the learning rate whose assignment changes how an optimizer trains: each optimizer's own
# (its ``_hyper``), and these.
_TRAINING_ATTRIBUTES = frozenset(("weight_decay", *_CLIPS, *_KERAS_KWARGS))


class Optimizer:
    """Base class. ``iterations`` counts the steps taken since the model was compiled with it."""

    _kind = ""
    # A hyper-parameter was assigned since the core last read them (``_take_changes``).
    _changed = False
    # Keras 3's common hyper-parameters, at the values keras_lite runs with (others are refused).
    weight_decay: Any = None
    clipnorm: Any = None
    clipvalue: Any = None
    global_clipnorm: Any = None
    use_ema = False
    ema_momentum = 0.99
    ema_overwrite_frequency: Any = None
    loss_scale_factor: Any = None
    gradient_accumulation_steps: Any = None

    def __init__(
        self,
        learning_rate: Any,
        weight_decay: Any = None,
        clipnorm: Any = None,
        clipvalue: Any = None,
        global_clipnorm: Any = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: Any = None,
        loss_scale_factor: Any = None,
        gradient_accumulation_steps: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        # Keras 3's common arguments, in its order: those keras_lite runs with are kept, the rest refused by name.
        common = {
            "weight_decay": weight_decay,
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "global_clipnorm": global_clipnorm,
            "use_ema": use_ema,
            "ema_momentum": ema_momentum,
            "ema_overwrite_frequency": ema_overwrite_frequency,
            "loss_scale_factor": loss_scale_factor,
            "gradient_accumulation_steps": gradient_accumulation_steps,
        }
        _no_extra({**common, **kwargs}, type(self).__name__, self)
        self._no_decay: tuple[list[Any], str | None] = ([], None)  # exclude_from_weight_decay's
        self._schedule: LearningRateSchedule | None = None
        self._rates: PythonRates | None = None  # a schedule written in Python: its rates for the core
        if isinstance(learning_rate, LearningRateSchedule):
            self._set_schedule(learning_rate)
        else:
            self._lr = _checked_rate(_float("learning_rate", learning_rate), learning_rate)
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(
                f"Argument `name` must be a string and cannot contain character `/`. {received('name', name)}"
            )
        # Keras's auto name: the class's in snake case, numbered after the first ("adam", "adam_1", "rm_sprop").
        self.name = name or _auto_name(to_snake_case(type(self).__name__))
        self._network: Any = None  # the core network of the model compiled with it
        self._model: Any = None  # a weak reference to that model: one model per optimizer
        # Keras builds the variables of a loaded, compiled model's optimizer before any step (summary counts them).
        self._built_on_load = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # What a constructor assigns is no change: each subclass's __init__ ends with none recorded.
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None:

            @functools.wraps(init)
            def constructed(self: Any, *args: Any, **kw: Any) -> None:
                init(self, *args, **kw)
                object.__setattr__(self, "_changed", False)

            cls.__init__ = constructed  # type: ignore[method-assign]

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name in _TRAINING_ATTRIBUTES or name in type(self)._hyper:
            object.__setattr__(self, "_changed", True)

    def _take_changes(self, compiling: bool = False) -> None:
        """Check the hyper-parameters assigned since the core last read them (``optimizer.beta_1 = 0.8``) as
        the constructor checks them, and hand them to the core of the model compiled with the optimizer, whose
        next step uses them (Keras: its next trace). ``compiling``: the compile about to run reads them."""
        if not self._changed:
            return
        # The constructor's checks and conversions, on a copy (the rate aside: a schedule of the user's may
        # not deserialize without its custom objects).
        fresh = type(self).from_config({**self.get_config(), "learning_rate": 0.001})
        for name in (*type(self)._hyper, *_TRAINING_ATTRIBUTES):
            if name in vars(fresh):
                object.__setattr__(self, name, getattr(fresh, name))
        model = self._model() if self._model is not None else None
        if not compiling and self._network is not None and model is not None:
            try:
                self._network.reconfigure_optimizer(self._spec(self._network, model))
            except ValueError as e:
                given = ", ".join(f"{k}={getattr(self, k)!r}" for k in type(self)._hyper)
                raise ValueError(f"{e} Received: {type(self).__name__}({given})") from None
        object.__setattr__(self, "_changed", False)

    @property
    def _has_slots(self) -> bool:
        """Whether Keras's optimizer would have made its slot variables by now: after a step, or once a built
        model loaded or compiled from a config compiled it (``_built_on_load``). Saving, loading and summary()
        follow it."""
        return self.iterations > 0 or self._built_on_load

    @property
    def built(self) -> bool:
        """Whether the optimizer has made its slot variables, as Keras's ``built``: False when made, True
        after its first step or once a loaded model's compile built it."""
        return self._has_slots

    @property
    def learning_rate(self) -> LearningRate:
        """The learning rate: a number-like handle; assign a float (or ``.assign(x)``) to change it."""
        return LearningRate(self)

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        attached = self._network is not None and self._model is not None and self._model() is not None
        if isinstance(value, LearningRateSchedule):
            # As Keras: a schedule replaces the rate or schedule before, at any step count.
            before = (self._schedule, self._rates, self._lr)
            self._set_schedule(value)
            if attached:
                try:
                    self._network.set_learning_rate(self._schedule_spec())  # refused while the model trains
                except BaseException:
                    self._schedule, self._rates, self._lr = before
                    raise
            return
        if self._schedule is not None:
            raise TypeError(_NOT_SETTABLE)
        if isinstance(value, LearningRate):
            value = float(value)
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value[()]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ArgumentTypeError(  # Keras's ValueError (it cannot make a tensor of None)
                "keras_lite sets the learning rate to a number or (before compile()) a LearningRateSchedule. "
                f"{received('learning_rate', value)}"
            )
        lr = _checked_rate(float(value), value)
        if attached:
            self._network.set_learning_rate(lr)  # the core refuses what float32 cannot hold
        self._lr = lr

    @property
    def iterations(self) -> Iterations:
        """Number of optimizer steps applied: an ``int`` that also reads as Keras 3's int64 variable
        (``optimizer.iterations.numpy()``)."""
        steps = Iterations(0 if self._network is None else int(self._network.iterations))
        steps.path = f"{self.name}/iteration"
        return steps

    def _set_schedule(self, schedule: LearningRateSchedule) -> None:
        # Each step's rate is the schedule's (the float rate is unused): the core evaluates a built-in one,
        # Python the user's own (``_steps.PythonRates``).
        self._schedule, self._lr = schedule, 0.0
        # (A subclass of a built-in schedule that overrides __call__ is the user's own: Python evaluates it.)
        builtin = isinstance(schedule, schedules._CoreSchedule)
        core = builtin and type(schedule).__call__ is schedules._CoreSchedule.__call__
        self._rates = None if core else PythonRates(schedule)

    def _current_lr(self) -> float:
        """The rate the next step uses: the schedule's at ``iterations``, or the float rate."""
        if self._schedule is not None:
            return float(np.float32(self._schedule(self.iterations)))
        return self._lr

    _hyper: tuple[
        str, ...
    ] = ()  # each subclass's hyper-parameters, as the core reads them besides the learning rate

    def _core_params(self) -> dict[str, Any]:
        return {"learning_rate": self._lr, **{k: getattr(self, k) for k in self._hyper}}

    def _spec(self, net: Any = None, model: Any = None) -> dict[str, Any]:
        """The optimizer as the core reads it: its kind, its hyper-parameters, its schedule (or None), its
        clipping and weight decay, and (given the core network it compiles, and its model) the weights the decay
        skips."""
        supported = "Adam, AdamW, SGD, RMSprop, Adagrad, Adadelta, Adamax, Nadam, Lion"
        refuse_own_code(self, "optimizer", _OWN_STEP, supported)
        if not self._kind:  # (the base class, or a subclass of it)
            raise NotSupportedError(
                "keras_lite computes optimizer steps in its core and does not support an optimizer of your own "
                f"yet. Supported: {supported}. Received: {type(self).__name__}"
            )
        schedule = self._schedule_spec()
        clip = next(((k, float(getattr(self, k))) for k in _CLIPS if getattr(self, k) is not None), None)
        no_decay = self._skipped(net, model) if net is not None and self.weight_decay is not None else []
        spec = {"kind": self._kind, **self._core_params(), "schedule": schedule, "clip": clip}
        return {**spec, "weight_decay": self.weight_decay, "no_decay": no_decay}

    def _schedule_spec(self) -> dict[str, Any] | None:
        """The schedule as the core reads it (its rates' table for one written in Python), or None."""
        rates = getattr(self, "_rates", None)
        if rates is not None:
            return rates.spec()
        return None if self._schedule is None else self._schedule._core_spec()  # type: ignore[attr-defined]

    def exclude_from_weight_decay(self, var_list: Any = None, var_names: Any = None) -> None:
        """Leave out of the weight decay the variables in ``var_list`` and those whose name ``var_names`` (regular
        expressions, e.g. ``["bias"]``) match. keras_lite reads them at ``compile``: call it before."""
        if self._network is not None:
            raise NotSupportedError(
                "keras_lite applies exclude_from_weight_decay() when the model compiles with the optimizer: call it "
                "before compile()"
            )
        variables = list(var_list or [])
        if any(not hasattr(v, "_layer") for v in variables):
            raise TypeError(
                f"var_list must hold a model's variables (layer.weights). Received: var_list={var_list!r}"
            )
        names = [var_names] if isinstance(var_names, str) else list(var_names or [])
        if any(not isinstance(n, str) for n in names):
            raise TypeError(f"var_names must be a list of strings. Received: var_names={var_names!r}")
        self._no_decay = (variables, "|".join(sorted(set(names))) if names else None)

    def _skipped(self, net: Any, model: Any) -> list[int]:
        """The indices of ``net``'s weights that ``exclude_from_weight_decay`` leaves out of the decay."""
        variables, pattern = self._no_decay
        out = {
            v._layer._owner_weight_base + v._slot
            for v in variables
            if getattr(v._layer, "_owner", None) is net
        }
        if pattern is not None:
            # Keras on TensorFlow searches the variable's full name ("sequential/dense_b/kernel:0"), so a layer's
            # name excludes its weights; the short name ("kernel") when the model is not at hand.
            info = net.weight_info()
            weights = model.weights if model is not None else []
            if len(weights) == len(info):
                names = [f"{v.path}:0" for v in weights]
            else:
                names = [name for _, name, _, _ in info]
            out |= {i for i, name in enumerate(names) if re.search(pattern, name)}
        return sorted(out)

    def get_config(self) -> dict[str, Any]:
        """Hyper-parameters with Keras's names and keys, in Keras's order (the gradient clipping too; a schedule
        as ``keras.optimizers.schedules.serialize`` gives it), which ``from_config`` reads back."""
        own = self._core_params()
        lr = own.pop("learning_rate")
        return {
            "name": self.name,
            "learning_rate": lr if self._schedule is None else schedules.serialize(self._schedule),
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            **{k: getattr(self, k) for k in _KERAS_KWARGS},
            **own,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Any:
        """The optimizer ``get_config`` describes (a serialized schedule as its learning rate)."""
        if not isinstance(config, dict):
            raise TypeError(f"from_config expects a dict. {received('config', config)}")
        if isinstance(config.get("learning_rate"), dict):
            config = {
                **config,
                "learning_rate": schedules.deserialize(config["learning_rate"], custom_objects),
            }
        return cls(**config)

    def __repr__(self) -> str:
        lr = self._schedule if self._schedule is not None else self._lr
        return f"<{type(self).__name__} learning_rate={lr!r}>"
