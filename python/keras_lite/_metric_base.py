"""The stateful metric object of ``keras.metrics`` (Keras 3's ``Metric``), and the reduction metrics.

A metric keeps float32 state variables: ``update_state(y_true, y_pred, sample_weight=None)`` adds a batch,
``result()`` reads the value (a 0-d ``Tensor``, or a vector where Keras gives one), ``reset_state()`` zeroes
it, and calling the metric updates it and returns the result. Computed in NumPy on the host.
"""

from __future__ import annotations

import functools
import inspect
import numbers
from typing import Any, Callable

import numpy as np

from . import _custom
from ._errors import DataTypeError, received
from ._metric_held import Held
from ._tensor import Tensor
from ._unsupported import NotSupportedError
from ._value_ops import ValueOps
from .layers._layer import _auto_name, to_snake_case


def to_result(value: Any) -> Tensor:
    """A metric's result as the codebase returns values: a float32 ``Tensor`` (0-d or a vector)."""
    return np.asarray(value, dtype=np.float32).view(Tensor)


def as_float(value: Any, what: str) -> np.ndarray:
    """``value`` as a float64 array; anything not real-numeric is a `DataTypeError` naming ``what`` (Keras's
    ValueError, 'could not convert string to float')."""
    arr = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    if arr.dtype.kind == "O" and all(isinstance(v, numbers.Real) for v in arr.flat):
        arr = arr.astype(np.float64)  # numbers in an object array, as Keras converts them
    if arr.dtype.kind not in "biuf":
        raise DataTypeError(f"{what} must be a real numeric array. Received: {what} with dtype {arr.dtype}")
    return arr.astype(np.float64)


def squeeze_or_expand(
    x1: np.ndarray, x2: np.ndarray, expand_rank_1: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Keras's ``squeeze_or_expand_to_same_rank``: make ranks equal when they differ by a trailing 1."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def divide_no_nan(a: Any, b: Any) -> np.ndarray:
    """``a / b``, 0 where ``b`` is 0 (Keras's ``ops.divide_no_nan``)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


class StateVariable(ValueOps):
    """One float32 state variable of a metric (Keras's metric ``Variable``): ``numpy()``, ``assign``. Its
    ``path`` is ``"<metric name>/<name>"``, the metric's name when it made the variable (as Keras's)."""

    dtype = "float32"
    trainable = False

    def __init__(self, name: str, shape: tuple[int, ...] = (), path: str | None = None) -> None:
        self.name = name
        self.path = path or name
        self.value = np.zeros(shape, dtype=np.float32)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def numpy(self) -> Any:
        return self.value.copy() if self.value.ndim else self.value[()]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.value.astype(dtype) if dtype is not None else self.value.copy()

    def __float__(self) -> float:
        return float(self.value)

    def assign(self, value: Any) -> None:
        self.value = np.broadcast_to(np.asarray(value, dtype=np.float32), self.value.shape).copy()

    def assign_add(self, value: Any) -> None:
        # np.asarray: a 0-d sum is a NumPy scalar, which __array__ must not hand out.
        total = np.asarray(self.value + np.asarray(value, dtype=np.float32), dtype=np.float32)
        if total.shape != self.value.shape:  # (Keras assigns the sum, which must keep the variable's shape)
            raise ValueError(
                "The shape of the target variable and the shape of the target value in `variable.assign(value)` "
                f"must match. variable.shape={self.value.shape}, Received: value.shape={total.shape}"
            )
        self.value = total

    def assign_sub(self, value: Any) -> None:
        self.assign_add(-np.asarray(value, dtype=np.float32))

    def __repr__(self) -> str:
        return f"<Variable path={self.path}, shape={self.shape}, dtype=float32, value={self.value}>"


class Metric:
    """A Keras metric: state variables updated batch by batch, a ``result()``, ``reset_state()``.

    ``name`` defaults to the class name in snake_case, numbered from the second one on (``auc``, ``auc_1``),
    as Keras's ``auto_name``; ``_direction`` is ``"up"`` when higher is better, ``"down"`` when lower is.
    Subclasses known to the core also have a ``_kind`` that ``compile(metrics=[...])`` runs in the core.
    """

    _kind = ""
    _direction: str | None = None
    dtype = "float32"
    _held: Held | None = None  # a compiled metric's value in its model's last pass (see _metric_held)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A compiled metric's result is its model's last pass's value until it is updated or reset by hand.
        super().__init_subclass__(**kwargs)
        for name, wrap in (
            ("result", _held_first),
            ("update_state", _releasing),
            ("reset_state", _releasing),
        ):
            own = cls.__dict__.get(name)
            if own is not None:
                setattr(cls, name, wrap(own))

    def __init__(self, dtype: Any = None, name: str | None = None) -> None:
        if dtype not in (None, "float32", np.float32):
            raise NotSupportedError(f"keras_lite computes metrics in float32. {received('dtype', dtype)}")
        if name is not None and not isinstance(name, str):
            raise ValueError(f"Argument `name` must be a string. {received('name', name)}")
        self.name = name or _auto_name(to_snake_case(type(self).__name__))
        self._variables: list[StateVariable] = []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    def _core_kind(self) -> str:
        """The metric as the core reads it (``"top_k_categorical_accuracy:5"``); ``""`` when it has none."""
        return self._kind

    def _core_size(self, output_width: int) -> int:
        """How many values the core reports for it on a model with ``output_width`` outputs."""
        return 1

    def add_variable(
        self,
        shape: Any = (),
        initializer: Any = None,
        dtype: Any = None,
        aggregation: str = "sum",
        name: str | None = None,
    ) -> Any:
        """A new float32 state variable, zero at the start and after ``reset_state()``."""
        init = (
            initializer if isinstance(initializer, str) or initializer is None else type(initializer).__name__
        )
        if init not in (None, "zeros", "zero", "Zeros"):
            raise NotSupportedError(
                f"keras_lite's metric variables start at zero. {received('initializer', initializer)}"
            )
        dims = tuple(int(d) for d in np.atleast_1d(shape)) if np.ndim(shape) else ()
        name = name or f"variable_{len(self._variables)}"
        var = StateVariable(name, dims, f"{self.name}/{name}")
        self._variables.append(var)
        return var

    def add_weight(
        self, shape: Any = (), initializer: Any = None, dtype: Any = None, name: str | None = None
    ) -> Any:
        """``add_variable`` under Keras's older name, which takes no ``aggregation`` (Keras's order)."""
        return self.add_variable(shape, initializer, dtype, name=name)

    @property
    def variables(self) -> list[Any]:
        return list(self._variables)

    def reset_state(self) -> None:
        """Set every state variable back to zero."""
        if self._held is not None:
            self._held.release(self)
        for var in self._variables:
            var.assign(0.0)

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define update_state")

    def result(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define result")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Update the state with this batch, then return ``result()``."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        return cls(**config)


def _held_first(result: Callable[..., Any]) -> Callable[..., Any]:
    """``result`` giving the value its model's last pass left the metric, while it holds one."""

    @functools.wraps(result)
    def held_or_own(self: Metric) -> Any:
        held = self._held
        value = None if held is None else held.value()
        return result(self) if value is None else value

    return held_or_own


def _releasing(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` (``update_state``, ``reset_state``), after which the metric's own state gives its result."""

    @functools.wraps(method)
    def released(self: Metric, *args: Any, **kwargs: Any) -> Any:
        if self._held is not None:
            self._held.release(self)
        return method(self, *args, **kwargs)

    return released


def samplewise(
    values: np.ndarray, sample_weight: Any, reduce: Callable[..., np.ndarray]
) -> tuple[np.ndarray, np.ndarray | None]:
    """Keras's ``reduce_to_samplewise_values``: per-sample (weighted) values and the per-sample weights."""
    weights = None
    if sample_weight is not None:
        weights = as_float(sample_weight, "sample_weight")
        values, weights = squeeze_or_expand(values, weights)
        if values.ndim > weights.ndim:
            values = reduce(values, axis=tuple(range(weights.ndim, values.ndim)))
        try:
            weights = np.broadcast_to(weights, values.shape)
        except ValueError:
            raise ValueError(
                f"sample_weight of shape {weights.shape} does not broadcast to the values' shape {values.shape}"
            ) from None
        values = values * weights
        if weights.ndim > 1:
            weights = reduce(weights, axis=tuple(range(1, weights.ndim)))
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, weights


class Mean(Metric):
    """The weighted mean of the values given: ``total += Σ w·v``, ``count += Σ w`` (or the number of values)."""

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")
        self.count = self.add_variable(name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        vals, weights = samplewise(as_float(values, "values"), sample_weight, np.mean)
        self.total.assign_add(np.sum(vals))
        if weights is not None:
            self.count.assign_add(np.sum(weights))
        else:
            self.count.assign_add(vals.shape[0] if vals.ndim else 1)

    def result(self) -> Tensor:
        return to_result(divide_no_nan(self.total.value, self.count.value))


class Sum(Metric):
    """The weighted sum of the values given."""

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        vals, _ = samplewise(as_float(values, "values"), sample_weight, np.sum)
        self.total.assign_add(np.sum(vals))

    def result(self) -> Tensor:
        return to_result(self.total.value)


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over the samples, weighted by ``sample_weight``."""

    def __init__(
        self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        if not callable(fn):
            raise ValueError(f"MeanMetricWrapper needs a function fn(y_true, y_pred). {received('fn', fn)}")
        super().__init__(name=name or _auto_name(to_snake_case(type(self).__name__)), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        try:
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
        except ValueError as e:  # NumPy's words name neither argument (Keras: "Incompatible shapes")
            if "could not be broadcast" not in str(e):
                raise
            raise ValueError(
                f"y_true and y_pred have incompatible shapes. Received: y_true.shape={np.shape(y_true)}, "
                f"y_pred.shape={np.shape(y_pred)}"
            ) from None
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict[str, Any]:
        """Keras's: the name and dtype, the function (unless the class makes its own, as the built-in metrics
        do) and its keyword arguments."""
        config = super().get_config()
        if "fn" in inspect.signature(type(self).__init__).parameters:
            config["fn"] = _custom.function_entry(self._fn)
        return {**config, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        """The metric a ``get_config`` dict describes; its ``fn``, when written as Keras writes a function, is
        found by name (in scope or registered, then keras_lite's losses and metrics)."""
        config = dict(config)
        fn = config.get("fn")
        if isinstance(fn, dict) and fn.get("class_name") == "function":
            found = _custom.function_named(fn.get("config"))
            if found is None:
                raise TypeError(
                    f"Could not locate the function {fn.get('config')!r} of this MeanMetricWrapper: register it "
                    f"with @keras.saving.register_keras_serializable() or pass it in custom_objects. {received('fn', fn)}"
                )
            config["fn"] = found
        return cls(**config)
