"""The crossentropy losses of ``keras.losses``: binary, categorical and sparse categorical."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._errors import real_number, received
from ._loss_base import Loss, _axis_fits, _last_axis, _sparse_pair


class _Smoothed(Loss):
    """A crossentropy with ``from_logits`` and ``label_smoothing`` (in ``[0, 1]``) over the last axis: the binary
    and categorical ones, and their focal forms (``_loss_focal``)."""

    def __init__(
        self, from_logits: Any, label_smoothing: Any, axis: Any, reduction: str | None, name: str, dtype: Any
    ) -> None:
        super().__init__(name, reduction, dtype)
        _last_axis(axis)
        if not 0.0 <= real_number("label_smoothing", label_smoothing) <= 1.0:
            raise ValueError(
                f"label_smoothing must be in [0, 1]. {received('label_smoothing', label_smoothing)}"
            )
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis

    def _params(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class BinaryCrossentropy(_Smoothed):
    """Binary crossentropy; probabilities are clipped to ``[1e-7, 1 - 1e-7]`` unless ``from_logits``.

    When the model's last layer is a sigmoid (or a softmax), training and evaluation compute it from that
    layer's logits as ``from_logits`` would, as Keras on TensorFlow does.
    """

    _kind = "binary_crossentropy"

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "binary_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(from_logits, label_smoothing, axis, reduction, name, dtype)


class CategoricalCrossentropy(_Smoothed):
    """Crossentropy between one-hot (or probability) targets and predicted class probabilities.

    ``-sum(y_true * log(y_pred))`` over the last axis, the predictions first scaled to sum to 1 and clipped to
    ``[1e-7, 1 - 1e-7]``; ``from_logits`` applies a softmax instead, and ``label_smoothing`` mixes the targets
    with the uniform distribution. When the model's last layer is a softmax (or a sigmoid), training and
    evaluation compute it from that layer's logits as ``from_logits`` would, as Keras on TensorFlow does.
    """

    _kind = "categorical_crossentropy"

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(from_logits, label_smoothing, axis, reduction, name, dtype)


class SparseCategoricalCrossentropy(Loss):
    """Categorical crossentropy with the targets as integer class ids, one per sample.

    ``y_true`` has shape ``(n,)`` or ``(n, 1)`` and holds whole numbers in ``[0, classes)``, or
    ``ignore_class``: samples with that label get loss 0 and leave the count the default reduction divides
    by, on their own and in ``fit`` and ``evaluate`` (metrics still see them). When the model's last layer is
    a softmax (or a sigmoid), training and evaluation compute it from that layer's logits, as Keras on
    TensorFlow does.
    """

    _kind = "sparse_categorical_crossentropy"

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: str | None = "sum_over_batch_size",
        axis: int = -1,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(name, reduction, dtype)
        _last_axis(axis)
        if ignore_class is not None and (
            isinstance(ignore_class, bool) or not isinstance(ignore_class, (int, np.integer))
        ):
            raise ValueError(
                f"ignore_class must be an integer or None. {received('ignore_class', ignore_class)}"
            )
        self.from_logits = bool(from_logits)
        self.ignore_class = None if ignore_class is None else int(ignore_class)
        self.axis = axis

    def _params(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits}

    def _spec(self) -> dict[str, Any]:
        return {**super()._spec(), "ignore_class": self.ignore_class}

    def _values(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray | None]:
        _axis_fits(self.axis, y_pred)
        t, p, lead = _sparse_pair(y_true, y_pred)
        if self.ignore_class is None:
            return _core.loss_per_sample(self._spec(), t, p).reshape(lead), None
        valid = t[:, 0] != self.ignore_class
        # Keras computes the ignored samples with class 0 and then zeroes them; they weigh 0 in the reduction.
        values = _core.loss_per_sample(self._spec(), np.where(valid[:, None], t, np.float32(0)), p)
        return np.where(valid, values, np.float32(0)).reshape(lead), valid.reshape(lead)

    def get_config(self) -> dict[str, Any]:
        # As Keras 3.15 writes it: no axis.
        return {
            "name": self.name,
            "reduction": self.reduction,
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
        }
