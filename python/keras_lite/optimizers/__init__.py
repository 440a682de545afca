"""Optimizers with Keras 3's defaults and update rules (the updates run in the Rust core)."""

from __future__ import annotations

from typing import Any, overload

from .._errors import received
from .._unsupported import unsupported_identifier
from . import schedules
from ._arguments import _CLIPS as _CLIPS
from ._arguments import _number, shared, weight_decay_value
from ._base import LearningRate, Optimizer
from ._more import Adadelta, Adagrad, Adamax, Lion, Nadam

__all__ = [
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "LearningRate",
    "Lion",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "SGD",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]


class Adam(Optimizer):
    """Adam with epsilon added to the uncorrected ``sqrt(v)`` (Keras's "epsilon hat")."""

    _kind = "adam"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
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
        self.amsgrad = bool(amsgrad)

    _hyper = (
        "beta_1",
        "beta_2",
        "epsilon",
        "amsgrad",
    )


class AdamW(Adam):
    """Adam with decoupled weight decay: ``w -= w * weight_decay * learning_rate`` before each Adam step."""

    _kind = "adamw"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
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
        super().__init__(
            learning_rate,
            beta_1,
            beta_2,
            epsilon,
            amsgrad,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        self.weight_decay = weight_decay_value(weight_decay, none_ok=False)


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum."""

    _kind = "sgd"

    def __init__(
        self,
        learning_rate: Any = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
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
        m = _number("momentum", momentum)
        if not 0 <= m <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. {received('momentum', momentum)}")
        self.momentum = m
        self.nesterov = bool(nesterov)

    _hyper = ("momentum", "nesterov")


class RMSprop(Optimizer):
    """RMSprop with epsilon inside the square root."""

    _kind = "rmsprop"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
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
        self.momentum = _number("momentum", momentum)
        self.epsilon = _number("epsilon", epsilon)
        self.centered = bool(centered)

    _hyper = (
        "rho",
        "momentum",
        "epsilon",
        "centered",
    )


_BY_NAME: dict[str, Any] = {
    "adam": Adam,
    "adamw": AdamW,
    "sgd": SGD,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
    "adamax": Adamax,
    "lion": Lion,
    "nadam": Nadam,
}


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """The optimizer as Keras 3's ``optimizers.serialize`` writes it: its module, class name and config."""
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"serialize takes an optimizer. {received('optimizer', optimizer)}")
    cfg = optimizer.get_config()
    return {
        "module": "keras.optimizers",
        "class_name": type(optimizer).__name__,
        "config": cfg,
        "registered_name": None,
    }


def deserialize(config: Any, custom_objects: Any = None) -> Optimizer:
    """The optimizer a ``serialize`` dict describes (its class, hyper-parameters and learning-rate schedule)."""
    if not isinstance(config, dict):
        raise TypeError(f"deserialize takes a dict from serialize(). {received('config', config)}")
    cls = _BY_NAME.get(str(config.get("class_name")).lower())
    if cls is None:
        unsupported_identifier(
            "optimizers", "optimizer", config.get("class_name"), sorted(_BY_NAME), lower=True
        )
        raise ValueError(f"Could not interpret optimizer config. {received('config', config)}")
    return cls.from_config(config.get("config", {}))  # type: ignore[no-any-return]


@overload
def get(identifier: None) -> None: ...
@overload
def get(identifier: Any) -> Optimizer: ...
def get(identifier: Any) -> Optimizer | None:
    """Resolve an optimizer given as a name (any case), an instance or a ``serialize`` dict; names get
    default hyper-parameters. ``None`` stays ``None``, as in Keras."""
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is not None:
            return cls()
        unsupported_identifier("optimizers", "optimizer", identifier, sorted(_BY_NAME), lower=True)
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. Supported: {', '.join(sorted(_BY_NAME))}"
    )
