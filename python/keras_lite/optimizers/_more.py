"""Adagrad, Adamax, Lion, Nadam and Adadelta with Keras 3's defaults and update rules (the updates run in the
Rust core)."""

from __future__ import annotations

from typing import Any

from .._errors import received
from ._arguments import _number, shared
from ._base import Optimizer


class Adagrad(Optimizer):
    """Adagrad: ``accumulator += g**2``, ``w -= lr * g / sqrt(accumulator + epsilon)``."""

    _kind = "adagrad"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
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
        super().__init__(learning_rate, **shared(locals()))
        self.initial_accumulator_value = _number("initial_accumulator_value", initial_accumulator_value)
        self.epsilon = _number("epsilon", epsilon)

    _hyper = (
        "initial_accumulator_value",
        "epsilon",
    )


class Adamax(Optimizer):
    """Adamax: ``m += (g - m)(1 - beta_1)``, ``u = max(beta_2 u, |g|)``,
    ``w -= lr m / ((1 - beta_1**t)(u + epsilon))``."""

    _kind = "adamax"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
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
        super().__init__(learning_rate, **shared(locals()))
        self.beta_1 = _number("beta_1", beta_1)
        self.beta_2 = _number("beta_2", beta_2)
        self.epsilon = _number("epsilon", epsilon)

    _hyper = ("beta_1", "beta_2", "epsilon")


class Lion(Optimizer):
    """Lion: ``w -= lr sign(beta_1 m + (1 - beta_1) g)``, then ``m = beta_2 m + (1 - beta_2) g``."""

    _kind = "lion"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
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
        super().__init__(learning_rate, **shared(locals()))
        self.beta_1 = _number("beta_1", beta_1)
        self.beta_2 = _number("beta_2", beta_2)
        if not 0 < self.beta_1 <= 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates to SignSGD. "
                f"{received('beta_1', beta_1)}."
            )

    _hyper = ("beta_1", "beta_2")


class Nadam(Optimizer):
    """Nadam (Adam with Nesterov momentum), with Keras 3's momentum schedule ``u_t = beta_1 (1 - 0.5 * 0.96**t)``
    and its running product ``u_product``, which a saved file holds after the slots."""

    _kind = "nadam"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
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
        super().__init__(learning_rate, **shared(locals()))
        self.beta_1 = _number("beta_1", beta_1)
        self.beta_2 = _number("beta_2", beta_2)
        self.epsilon = _number("epsilon", epsilon)
        for arg, given in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0 <= getattr(self, arg) <= 1:
                raise ValueError(f"Argument `{arg}` must be in the [0, 1] range. {received(arg, given)}")
        if not 0 <= self.epsilon < float("inf"):
            raise ValueError(
                f"Argument `epsilon` must be a non-negative finite float. {received('epsilon', epsilon)}"
            )

    _hyper = ("beta_1", "beta_2", "epsilon")


class Adadelta(Optimizer):
    """Adadelta: ``a = rho * a + (1 - rho) * g**2``, ``delta = -sqrt(d + epsilon) * g / sqrt(a + epsilon)``,
    ``d = rho * d + (1 - rho) * delta**2``, ``w += learning_rate * delta``."""

    _kind = "adadelta"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.95,
        epsilon: float = 1e-7,
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
        super().__init__(learning_rate, **shared(locals()))
        self.rho = _number("rho", rho)
        self.epsilon = _number("epsilon", epsilon)

    _hyper = ("rho", "epsilon")
