"""The loss metrics of ``keras.metrics``: the mean of a loss function's per-sample values, as Keras's
``MeanMetricWrapper`` over ``keras.losses``'s functions (crossentropies, hinges, KL divergence, Poisson, MSLE,
log-cosh). On their own they compute in NumPy through ``keras_lite.losses``; in ``compile`` the core
accumulates them on both devices, a crossentropy from the logits of a final sigmoid or softmax as Keras on
TensorFlow does (whatever the loss).
"""

from __future__ import annotations

from typing import Any

from . import losses
from ._errors import received
from ._metric_base import MeanMetricWrapper
from ._unsupported import NotSupportedError


def _options(**given: Any) -> str:
    """The core's option string for the options that differ from their defaults (``from_logits=1``)."""
    parts = [f"{k}={v}" for k, v in given.items() if v]
    return ":" + ";".join(parts) if parts else ""


class _LossMetric(MeanMetricWrapper):
    """A loss function's mean; ``_kind`` is the core's name for the loss."""

    _direction = "down"

    def _core_kind(self) -> str:
        return self._kind


class BinaryCrossentropy(_LossMetric):
    """Mean binary crossentropy (``keras.losses.binary_crossentropy``)."""

    _kind = "binary_crossentropy"

    def __init__(
        self,
        name: str = "binary_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
    ) -> None:
        # The loss checks the options now, not at the first update.
        losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing)
        super().__init__(
            losses.binary_crossentropy,
            name,
            dtype,
            from_logits=bool(from_logits),
            label_smoothing=label_smoothing,
        )
        self.from_logits, self.label_smoothing = bool(from_logits), label_smoothing

    def _core_kind(self) -> str:
        smoothing = repr(float(self.label_smoothing)) if self.label_smoothing else ""
        return self._kind + _options(from_logits=int(self.from_logits), label_smoothing=smoothing)


class CategoricalCrossentropy(_LossMetric):
    """Mean categorical crossentropy over one-hot (or probability) targets."""

    _kind = "categorical_crossentropy"

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
        axis: int = -1,
    ) -> None:
        losses.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        super().__init__(
            losses.categorical_crossentropy,
            name,
            dtype,
            from_logits=bool(from_logits),
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits, self.label_smoothing, self.axis = bool(from_logits), label_smoothing, axis

    def _core_kind(self) -> str:
        smoothing = repr(float(self.label_smoothing)) if self.label_smoothing else ""
        return self._kind + _options(from_logits=int(self.from_logits), label_smoothing=smoothing)


class SparseCategoricalCrossentropy(_LossMetric):
    """Mean categorical crossentropy over integer class ids."""

    _kind = "sparse_categorical_crossentropy"

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        ignore_class: int | None = None,
        axis: int = -1,
    ) -> None:
        if ignore_class is not None:
            # Keras leaves the ignored samples out of the mean (a mask); keras_lite's mean counts every sample.
            raise NotSupportedError(
                "keras_lite's SparseCategoricalCrossentropy metric has no ignore_class yet (the loss has). "
                f"{received('ignore_class', ignore_class)}"
            )
        losses.SparseCategoricalCrossentropy(from_logits=from_logits, axis=axis)
        super().__init__(
            losses.sparse_categorical_crossentropy,
            name,
            dtype,
            from_logits=bool(from_logits),
            ignore_class=None,
            axis=axis,
        )
        self.from_logits, self.ignore_class, self.axis = bool(from_logits), None, axis

    def _core_kind(self) -> str:
        return self._kind + _options(from_logits=int(self.from_logits))


class _Plain(_LossMetric):
    """A loss metric without options: its loss function is ``_fn``. Each class spells its default name in its
    own signature, as Keras does; ``name=None`` gives the auto name of the class (``log_cosh_error``)."""

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(type(self)._fn, name, dtype)

    @staticmethod
    def _fn(y_true: Any, y_pred: Any) -> Any:
        raise NotImplementedError


class KLDivergence(_Plain):
    """Mean Kullback-Leibler divergence."""

    _kind = "kl_divergence"
    _fn = staticmethod(losses.kl_divergence)

    def __init__(self, name: str | None = "kl_divergence", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class Poisson(_Plain):
    """Mean Poisson loss."""

    _kind = "poisson"
    _fn = staticmethod(losses.poisson)

    def __init__(self, name: str | None = "poisson", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class Hinge(_Plain):
    """Mean hinge loss (labels that are all 0 or 1 in a batch read as -1 and 1)."""

    _kind = "hinge"
    _fn = staticmethod(losses.hinge)

    def __init__(self, name: str | None = "hinge", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class SquaredHinge(_Plain):
    """Mean squared hinge loss."""

    _kind = "squared_hinge"
    _fn = staticmethod(losses.squared_hinge)

    def __init__(self, name: str | None = "squared_hinge", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class CategoricalHinge(_Plain):
    """Mean categorical hinge loss."""

    _kind = "categorical_hinge"
    _fn = staticmethod(losses.categorical_hinge)

    def __init__(self, name: str | None = "categorical_hinge", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_Plain):
    """Mean of ``(log(y_pred + 1) - log(y_true + 1))**2``."""

    _kind = "mean_squared_logarithmic_error"
    _fn = staticmethod(losses.mean_squared_logarithmic_error)

    def __init__(self, name: str | None = "mean_squared_logarithmic_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class LogCoshError(_Plain):
    """Mean log-cosh error. Keras names it ``"logcosh"`` (a name it refuses as a metric identifier: the
    identifier is ``"log_cosh_error"``)."""

    _kind = "log_cosh"
    _fn = staticmethod(losses.log_cosh)

    def __init__(self, name: str | None = "logcosh", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


CLASSES: list[type[_LossMetric]] = [
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    KLDivergence,
    Poisson,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    MeanSquaredLogarithmicError,
    LogCoshError,
]
