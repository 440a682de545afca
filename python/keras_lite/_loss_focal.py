"""Keras 3's focal losses, computed in the core with their gradients on both devices.

``BinaryFocalCrossentropy``: the binary crossentropy of each value scaled by ``(1 - p_t) ** gamma`` (``p_t`` the
probability given to the true label), so that confident, correct predictions count for little; with
``apply_class_balancing``, also by ``alpha`` for label 1 and ``1 - alpha`` for label 0. As Keras on TensorFlow
does, its crossentropy reads logits whenever there are some (``from_logits``, or a model ending in a sigmoid),
while ``p_t`` reads the probabilities.

``CategoricalFocalCrossentropy``: ``sum(alpha * (1 - o) ** gamma * -t * log(o))`` over the classes, ``o`` the
probabilities (a softmax of logits with ``from_logits``) scaled to sum to 1 and clipped to ``[1e-7, 1 - 1e-7]``;
unlike the plain crossentropy, Keras reads a final softmax's probabilities here, not its logits.
"""

from __future__ import annotations

from typing import Any

from ._crossentropy import _Smoothed
from ._errors import finite_number
from ._tensor import Tensor


class _Focal(_Smoothed):
    """A crossentropy scaled by ``(1 - p) ** gamma`` and weighted by ``alpha`` (finite numbers)."""

    def __init__(self, alpha: Any, gamma: Any, smoothed: tuple[Any, ...]) -> None:
        super().__init__(*smoothed)
        self.alpha = finite_number("alpha", alpha)
        self.gamma = finite_number("gamma", gamma)

    def _params(self) -> dict[str, Any]:
        return {**super()._params(), "gamma": self.gamma, "alpha": self.alpha}

    def get_config(self) -> dict[str, Any]:
        # Keras 3.15's order: the crossentropy's keys (axis last), then apply_class_balancing, alpha and gamma.
        config = super().get_config()
        focal = [k for k in ("apply_class_balancing", "alpha", "gamma") if k in config]
        return {**{k: v for k, v in config.items() if k not in focal}, **{k: config[k] for k in focal}}


class BinaryFocalCrossentropy(_Focal):
    """Binary focal crossentropy (Lin et al., 2017), as ``keras.losses.BinaryFocalCrossentropy``.

    Args:
        apply_class_balancing: Weigh label 1 by ``alpha`` and label 0 by ``1 - alpha``.
        alpha: The weight of label 1 when balancing (default 0.25).
        gamma: The focusing exponent (default 2.0; 0 gives the binary crossentropy).
        from_logits: Whether the predictions are logits.
        label_smoothing: Squeezes the labels towards 0.5, in ``[0, 1]``.

    Example:
        >>> model.compile(optimizer="adam", loss=keras.losses.BinaryFocalCrossentropy(gamma=2.0))
    """

    _kind = "binary_focal_crossentropy"

    def __init__(
        self,
        apply_class_balancing: bool = False,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "binary_focal_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(alpha, gamma, (from_logits, label_smoothing, axis, reduction, name, dtype))
        self.apply_class_balancing = bool(apply_class_balancing)

    def _params(self) -> dict[str, Any]:
        return {**super()._params(), "apply_class_balancing": self.apply_class_balancing}


class CategoricalFocalCrossentropy(_Focal):
    """Categorical focal crossentropy, as ``keras.losses.CategoricalFocalCrossentropy``: one-hot (or
    probability) targets, each class's crossentropy term scaled by ``alpha * (1 - o) ** gamma``.

    Args:
        alpha: The weight of every class's term (default 0.25).
        gamma: The focusing exponent (default 2.0; 0 with alpha 1 gives the categorical crossentropy).
        from_logits: Whether the predictions are logits.
        label_smoothing: Mixes the targets with the uniform distribution, in ``[0, 1]``.
    """

    _kind = "categorical_focal_crossentropy"

    def __init__(
        self,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "categorical_focal_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(alpha, gamma, (from_logits, label_smoothing, axis, reduction, name, dtype))


def binary_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """Per-sample binary focal crossentropy (the mean over the last axis)."""
    loss = BinaryFocalCrossentropy(apply_class_balancing, alpha, gamma, from_logits, label_smoothing, axis)
    return loss.call(y_true, y_pred)


def categorical_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """Per-sample categorical focal crossentropy (the sum over the classes)."""
    return CategoricalFocalCrossentropy(alpha, gamma, from_logits, label_smoothing, axis).call(y_true, y_pred)
