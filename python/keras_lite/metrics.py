"""Metrics reported by ``fit`` and ``evaluate``, as ``keras.metrics``. Computed in the Rust core.

A metric given as a string keeps that string as its name, so history keys are ``mae``, ``val_mae``, ...
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._errors import received
from ._unsupported import NotSupportedError, unsupported_identifier


class Metric:
    """A metric the core can accumulate: ``kind`` is its core name, ``name`` the history key."""

    _kind = ""
    _default_name = ""
    dtype = "float32"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        if dtype not in (None, "float32", np.float32):
            raise NotSupportedError(f"keras_lite computes metrics in float32. {received('dtype', dtype)}")
        self.name = name or self._default_name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise NotSupportedError(
            f"keras_lite does not support calling a metric object ({type(self).__name__}) yet: its metrics are "
            "computed in the core by fit and evaluate, given to compile(metrics=[...])."
        )

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}


class MeanAbsoluteError(Metric):
    """Mean of ``|y_true - y_pred|``."""

    _kind, _default_name = "mae", "mean_absolute_error"


class MeanSquaredError(Metric):
    """Mean of ``(y_true - y_pred)**2``."""

    _kind, _default_name = "mse", "mean_squared_error"


class BinaryAccuracy(Metric):
    """Fraction of ``(y_pred > threshold) == y_true``; the threshold is 0.5."""

    _kind, _default_name = "binary_accuracy", "binary_accuracy"

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5) -> None:
        super().__init__(name, dtype)
        if threshold != 0.5:
            raise ValueError(
                f"keras_lite's BinaryAccuracy uses threshold 0.5. {received('threshold', threshold)}"
            )
        self.threshold = threshold


class CategoricalAccuracy(Metric):
    """Fraction of rows whose argmax matches the one-hot target's argmax."""

    _kind, _default_name = "categorical_accuracy", "categorical_accuracy"


_BY_NAME: dict[str, type[Metric]] = {
    "MAE": MeanAbsoluteError,
    "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "MeanAbsoluteError": MeanAbsoluteError,
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "MeanSquaredError": MeanSquaredError,
    "binary_accuracy": BinaryAccuracy,
    "BinaryAccuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "CategoricalAccuracy": CategoricalAccuracy,
}


def resolve(identifier: Any, output_width: int) -> tuple[str, str]:
    """Return ``(core kind, history name)`` for a metric given to ``compile``.

    ``'accuracy'``/``'acc'`` mean binary accuracy for a one-unit output and categorical accuracy otherwise,
    as Keras decides from the output shape.
    """
    if isinstance(identifier, Metric):
        return identifier._kind, identifier.name
    if isinstance(identifier, type) and issubclass(identifier, Metric) and identifier is not Metric:
        inst = identifier()
        return inst._kind, inst.name
    if isinstance(identifier, str):
        # Any case, as Keras matches them (``get_metric`` in ``keras/src/trainers/compile_utils.py``).
        if identifier.lower() in ("accuracy", "acc"):
            return ("binary_accuracy" if output_width == 1 else "categorical_accuracy"), identifier
        cls = _BY_NAME.get(identifier)
        if cls is not None:
            return cls._kind, identifier
    supported = sorted(set(_BY_NAME) | {"accuracy", "acc"})
    unsupported_identifier("metrics", "metrics", identifier, supported)
    raise ValueError(
        f"Could not interpret metric identifier: {identifier!r}. Supported: {', '.join(supported)}"
    )
