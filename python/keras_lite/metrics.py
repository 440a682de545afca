"""Metrics reported by ``fit`` and ``evaluate``, as ``keras.metrics``. Computed in the Rust core.

A metric given as a string keeps that string as its name, so history keys are ``mae``, ``val_mae``, ...
``"accuracy"``/``"acc"`` (any case) is binary accuracy for a one-unit output, sparse categorical accuracy when
the targets are class ids (a sparse loss, or ``compile(loss="crossentropy")`` given one column of labels), and
categorical accuracy otherwise, as Keras 3 chooses. The sparse metrics need a sparse loss and the others a loss
whose targets are rows like the predictions: the core reads the targets one way per model.
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

    def _core_kind(self) -> str:
        """The metric as the core reads it (``"top_k_categorical_accuracy:5"``)."""
        return self._kind

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


class SparseCategoricalAccuracy(Metric):
    """Fraction of rows whose argmax is the integer class id in ``y_true``."""

    _kind, _default_name = "sparse_categorical_accuracy", "sparse_categorical_accuracy"


def _positive_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer. {received('k', k)}")
    return int(k)


class TopKCategoricalAccuracy(Metric):
    """Fraction of rows whose one-hot target class is among the ``k`` largest predictions (ties count)."""

    _kind, _default_name = "top_k_categorical_accuracy", "top_k_categorical_accuracy"

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(name, dtype)
        self.k = _positive_k(k)

    def _core_kind(self) -> str:
        return f"{self._kind}:{self.k}"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "k": self.k}


class SparseTopKCategoricalAccuracy(Metric):
    """Fraction of rows whose integer class id is among the ``k`` largest predictions (ties count)."""

    _kind, _default_name = "sparse_top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype: Any = None,
        from_sorted_ids: bool = False,
    ) -> None:
        super().__init__(name, dtype)
        self.k = _positive_k(k)
        if from_sorted_ids:
            raise NotSupportedError(
                "keras_lite's SparseTopKCategoricalAccuracy reads class scores; from_sorted_ids is not "
                f"supported yet. {received('from_sorted_ids', from_sorted_ids)}"
            )
        self.from_sorted_ids = False

    def _core_kind(self) -> str:
        return f"{self._kind}:{self.k}"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "k": self.k}


_CLASSES: list[type[Metric]] = [
    MeanAbsoluteError,
    MeanSquaredError,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
]
# Keras 3.15's keras.metrics.get: class names, their snake_case forms and the MAE/MSE aliases.
_BY_NAME: dict[str, type[Metric]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{cls._default_name: cls for cls in _CLASSES},
    "MAE": MeanAbsoluteError,
    "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mse": MeanSquaredError,
}


def is_sparse(kind: str) -> bool:
    """Whether the core metric ``kind`` reads its targets as class ids."""
    return kind.startswith("sparse_")


def resolve(identifier: Any, output_width: int, sparse: bool = False) -> tuple[str, str]:
    """Return ``(core kind, history name)`` for a metric given to ``compile``.

    ``'accuracy'``/``'acc'`` (any case) mean binary accuracy for a one-unit output, sparse categorical
    accuracy when ``sparse`` (the loss reads class ids), and categorical accuracy otherwise, as Keras 3's
    ``get_metric`` decides from the shapes of the targets and the output.
    """
    if isinstance(identifier, Metric):
        return identifier._core_kind(), identifier.name
    if isinstance(identifier, type) and issubclass(identifier, Metric) and identifier is not Metric:
        inst = identifier()
        return inst._core_kind(), inst.name
    if isinstance(identifier, str):
        # Any case, as Keras matches them (``get_metric`` in ``keras/src/trainers/compile_utils.py``).
        if identifier.lower() in ("accuracy", "acc"):
            if output_width == 1:
                return "binary_accuracy", identifier
            return ("sparse_categorical_accuracy" if sparse else "categorical_accuracy"), identifier
        cls = _BY_NAME.get(identifier)
        if cls is not None:
            return cls()._core_kind(), identifier
    supported = sorted(set(_BY_NAME) | {"accuracy", "acc"})
    unsupported_identifier("metrics", "metrics", identifier, supported)
    raise ValueError(
        f"Could not interpret metric identifier: {identifier!r}. Supported: {', '.join(supported)}"
    )
