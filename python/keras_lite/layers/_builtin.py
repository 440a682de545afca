"""The layers the core runs: ``Dense``, ``Activation``, ``Dropout`` (and ``GaussianDropout``, ``GaussianNoise``) and
``BatchNormalization``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _data, activations, constraints, initializers, regularizers
from .._errors import ArgumentTypeError, boolean, real_number, received
from .._tensor import Tensor
from .._variable import Variable
from . import _input_spec, _shapes
from ._keras_tensor import _symbolic, _symbolic_call
from ._layer import Layer
from ._layer_args import _MAX_SIZE, _as_given, _initializer, _only


class Dense(Layer):
    """Densely connected layer: ``activation(inputs @ kernel + bias)``.

    Args:
        units: Positive integer, the output width.
        activation: Activation name or function; None means linear.
        use_bias: Whether to add a bias vector.
        kernel_initializer: Initializer for the kernel: a name (``"he_normal"``), a
            ``keras.initializers`` object, a config dict, or a function ``fn(shape, dtype=None)``.
            The default, ``"glorot_uniform"``, is drawn by the core with the model's seed.
        bias_initializer: Initializer for the bias (default ``"zeros"``).
        kernel_regularizer, bias_regularizer: A ``keras.regularizers`` ``L1``, ``L2`` or ``L1L2`` (object,
            name or config dict): its penalty is added to the loss of each training and test step.
        activity_regularizer: The same kinds: its penalty of the layer's output (after the activation),
            divided by the batch's rows, is added to the loss of each training and test step, as in Keras 3.14+.
        kernel_constraint, bias_constraint: A ``keras.constraints`` ``MaxNorm``, ``MinMaxNorm``, ``UnitNorm``
            or ``NonNeg``, applied after each optimizer step.

    Example:
        >>> layers.Dense(units=4, activation="relu", input_shape=[2])
    """

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        lora_rank: Any = None,
        lora_alpha: Any = None,
        quantization_config: Any = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or not 0 < units <= _MAX_SIZE:
            raise ValueError(
                f"Received an invalid value for `units`, expected a positive integer. {received('units', units)}"
            )
        kernel_init = _initializer("kernel_initializer", kernel_initializer, "Dense")
        bias_init = _initializer("bias_initializer", bias_initializer, "Dense")
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        for arg, value in (
            ("lora_rank", lora_rank),
            ("lora_alpha", lora_alpha),
            ("quantization_config", quantization_config),
        ):
            _only(arg, value, (None,), "Dense")
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.for_layer(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_init
        self.bias_initializer = bias_init
        # The default kernel initializer (or None, which Keras also reads as glorot_uniform) leaves the kernel
        # the core draws with the model's seed; a None bias is Glorot uniform too, as in Keras's add_weight.
        default = isinstance(kernel_initializer, str) and kernel_initializer in (
            "glorot_uniform",
            "GlorotUniform",
        )
        self._core_kernel = kernel_init if default else None
        self._default_bias = initializers.GlorotUniform()

    def _weight_initializers(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        kernel = self.kernel_initializer
        if kernel is not None and kernel is not self._core_kernel:
            out["kernel"] = kernel
        bias = self._default_bias if self.bias_initializer is None else self.bias_initializer
        if type(bias) is not initializers.Zeros:  # the core's biases are zeros
            out["bias"] = bias
        return out

    def _spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "kind": "dense",
            "units": self.units,
            "activation": self.activation.__name__,
            "use_bias": self.use_bias,
        }
        regs = (self.kernel_regularizer, self.bias_regularizer)
        cons = (self.kernel_constraint, self.bias_constraint)
        act = self.activity_regularizer
        if any(r is not None for r in (*regs, *cons, act)):
            spec["rules"] = (
                *((0.0, 0.0) if r is None else r._core() for r in regs),
                *(("none", 0.0, 0.0, 1.0, 0) if c is None else c._core() for c in cons),
                (0.0, 0.0) if act is None else act._core(),
            )
        return spec

    def _output_width(self, input_width: int) -> int:
        return self.units

    compute_output_shape = _shapes.dense
    lora_enabled, lora_rank, lora_alpha = False, None, None  # (keras_lite takes no LoRA arguments but None)
    _input_spec_of = _input_spec.dense

    def _check_width(self, width: int, shape: tuple[Any, ...]) -> None:
        if len(shape) < 2:  # its input_spec's min_ndim=2: Keras refuses a 1-D array (one sample has 2 axes)
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected min_ndim=2, found "
                f"ndim={len(shape)}. Full shape received: {tuple(shape)}"
            )
        super()._check_width(width, shape)

    @property
    def kernel(self) -> Variable:
        return self._require(0, "kernel")

    @property
    def bias(self) -> Variable | None:
        return self._require(1, "bias") if self.use_bias else None

    def _require(self, i: int, what: str) -> Variable:
        if not self._variables:  # Keras's words (for its kernel)
            raise AttributeError(f"You must build the layer before accessing `{what}`.")
        return self._variables[i]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": self.activation.__name__,
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,  # Keras 3.15's key; keras_lite takes None only
        }


class Activation(Layer):
    """Applies an activation function: ``layers.Activation('relu')``. Callable on arrays of any shape.

    The activation layers with parameters (``ReLU``, ``LeakyReLU``, ``ELU``, ``Softmax``) are its subclasses:
    each says which function it computes as ``_form()`` (see ``activations``) and what its config holds as
    ``_layer_config()``.
    """

    _built_at_construction = True

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.for_layer(activation)

    def _form(self) -> activations.Form:
        return (self.activation.__name__, ())

    def _layer_config(self) -> dict[str, Any]:
        return {"activation": self.activation.__name__}

    def _spec(self) -> dict[str, Any]:
        name, params = self._form()
        return {"kind": "activation", "activation": name, "parameters": list(params)}

    def __call__(self, inputs: Any, training: Any = None) -> Tensor:
        if _symbolic(inputs):
            return _symbolic_call(self, inputs, training=training)  # type: ignore[return-value]
        return activations.apply(self._form(), _data.to_array(inputs, "inputs"))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._layer_config()}


def _fraction(arg: str, value: Any, below_one: bool = False) -> int | float:
    """A rate or deviation between 0 and 1 (below 1 with ``below_one``), as Keras checks it: a Python int as
    given (Keras keeps ``Dropout(0).rate`` 0), anything else as a float."""
    wrong_type = isinstance(value, bool) or not isinstance(value, (int, float, np.number))
    if wrong_type or not 0 <= value <= 1 or below_one and value == 1:
        bound = " and below 1" if below_one else ""
        # A string or None is Keras's TypeError (its comparison fails); a number out of range its ValueError.
        raise (ArgumentTypeError if wrong_type else ValueError)(
            f"Invalid value received for argument `{arg}`. Expected a float value between 0 and 1{bound}. "
            f"{received(arg, value)}"
        )
    return _as_given(value, float(value))


class _Noise(Layer):
    """A layer that is the identity in inference and draws noise while training, in the core
    (rust/layers/dropout.rs): ``_kind`` names the draw, the attribute ``_amount_of`` names its rate or deviation;
    ``seed`` fixes it."""

    _kind = "dropout"
    _amount_of = "rate"

    _built_at_construction = True

    def __init__(self, amount: int | float, seed: int | None, **kwargs: Any) -> None:
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64
        ):
            raise ValueError(f"seed must be a non-negative integer or None. {received('seed', seed)}")
        super().__init__(**kwargs)
        setattr(self, self._amount_of, amount)
        self.seed = seed

    def _spec(self) -> dict[str, Any]:
        return {"kind": self._kind, "rate": float(getattr(self, self._amount_of)), "seed": self.seed}

    _trains_differently = True

    def __call__(self, inputs: Any, training: Any = None) -> Tensor:
        if training or _symbolic(inputs):
            return super().__call__(inputs, training)
        return np.array(_data.to_array(inputs, "inputs"), dtype=np.float32).view(Tensor)  # the identity


class Dropout(_Noise):
    """Inverted dropout while training (keep with probability ``1 - rate``, scale by ``1/(1 - rate)``)."""

    rate: float

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any) -> None:
        value = _fraction("rate", rate)
        _only("noise_shape", noise_shape, (None,), "Dropout")
        super().__init__(value, seed, **kwargs)  # (which sets `rate`)
        self.noise_shape = None

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed, "noise_shape": None}


class GaussianDropout(_Noise):
    """While training, ``x`` times a normal draw of mean 1 and deviation ``sqrt(rate / (1 - rate))`` per value
    (Keras's GaussianDropout; ``rate`` below 1, where Keras would divide by zero as it trains)."""

    _kind = "gaussian_dropout"
    rate: float

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        value = _fraction("rate", rate, below_one=True)
        super().__init__(value, seed, **kwargs)  # (which sets `rate`)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class GaussianNoise(_Noise):
    """While training, ``x`` plus a normal draw of mean 0 and deviation ``stddev`` per value (Keras's
    GaussianNoise, whose ``stddev`` is between 0 and 1)."""

    _kind = "gaussian_noise"
    _amount_of = "stddev"
    stddev: float

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        value = _fraction("stddev", stddev)
        super().__init__(value, seed, **kwargs)  # (which sets `stddev`)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class _ScaleOffset(Layer):
    """A normalization layer's learned ``gamma`` and ``beta`` (BatchNormalization, LayerNormalization)."""

    compute_output_shape = _shapes.normalized

    @property
    def gamma(self) -> Variable | None:
        """The scale (``None`` when ``scale=False``)."""
        return self._weight_by_name("gamma")

    @property
    def beta(self) -> Variable | None:
        """The offset (``None`` when ``center=False``)."""
        return self._weight_by_name("beta")


class BatchNormalization(_ScaleOffset):
    """Batch normalization over the feature axis, with moving statistics for inference.

    Training normalizes with the batch's mean and biased variance and updates
    ``moving = moving * momentum + batch * (1 - momentum)``; inference uses the moving statistics.
    ``beta_initializer``, ``gamma_initializer``, ``moving_mean_initializer`` and
    ``moving_variance_initializer`` take what ``keras.initializers.get`` takes (defaults zeros, ones,
    zeros, ones).
    """

    _computes_along_axis = True

    _input_spec_of = _input_spec.batch_normalization
    _trains_differently = True

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        renorm: bool = False,
        renorm_clipping: Any = None,
        renorm_momentum: float = 0.99,
        synchronized: bool = False,
        **kwargs: Any,
    ) -> None:
        if not isinstance(axis, (int, float, np.number)):  # int(axis) of None or a str: Keras's TypeError
            raise ArgumentTypeError(f"`axis` must be an integer. {received('axis', axis)}")
        _only("axis", axis, (-1, 1), "BatchNormalization")
        _only("renorm", renorm, (False,), "BatchNormalization")
        _only("renorm_clipping", renorm_clipping, (None,), "BatchNormalization")  # read only with renorm
        inits = {
            arg: _initializer(arg, value, "BatchNormalization")
            for arg, value in (
                ("beta_initializer", beta_initializer),
                ("gamma_initializer", gamma_initializer),
                ("moving_mean_initializer", moving_mean_initializer),
                ("moving_variance_initializer", moving_variance_initializer),
            )
        }
        for arg, value in (
            ("beta_regularizer", beta_regularizer),
            ("gamma_regularizer", gamma_regularizer),
            ("beta_constraint", beta_constraint),
            ("gamma_constraint", gamma_constraint),
        ):
            _only(arg, value, (None,), "BatchNormalization")
        momentum_value = real_number("momentum", momentum)
        if not real_number("epsilon", epsilon) >= 0:  # (0 as in Keras, which checks nothing)
            raise ValueError(f"epsilon must be 0 or more. {received('epsilon', epsilon)}")
        super().__init__(**kwargs)
        self.axis = axis
        self.momentum = momentum_value
        self.renorm_momentum = renorm_momentum  # (read only with renorm, which is refused)
        self.synchronized = boolean("synchronized", synchronized)  # (one device: nothing to synchronize)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = inits["beta_initializer"]
        self.gamma_initializer = inits["gamma_initializer"]
        self.moving_mean_initializer = inits["moving_mean_initializer"]
        self.moving_variance_initializer = inits["moving_variance_initializer"]

    def _weight_initializers(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, core in _BN_CORE_VALUES.items():
            init = getattr(self, f"{name}_initializer")
            # the core starts these at zeros or ones already (None: glorot_uniform, Layer._initial_values)
            if type(init) is not core:
                out[name] = init
        return out

    def _spec(self) -> dict[str, Any]:
        return {
            "kind": "batch_normalization",
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
        }

    def _weight_by_name(self, name: str) -> Variable | None:
        # Keras's BatchNormalization holds None in gamma, beta and its moving statistics until it is built.
        return super()._weight_by_name(name) if self.built else None

    @property
    def moving_mean(self) -> Variable | None:
        return self._weight_by_name("moving_mean")

    @property
    def moving_variance(self) -> Variable | None:
        return self._weight_by_name("moving_variance")

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            **{
                f"{name}_initializer": initializers.serialize(getattr(self, f"{name}_initializer"))
                for name in _BN_CORE_VALUES
            },
            # Keras 3's other keys, at the only values keras_lite takes (renorm_momentum as given).
            **dict.fromkeys(("beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint")),
            "synchronized": self.synchronized,
            "renorm": False,
            "renorm_clipping": None,
            "renorm_momentum": self.renorm_momentum,
        }


# The core's initial values of BatchNormalization's weights, as the initializer that gives them.
_BN_CORE_VALUES: dict[str, type[initializers.Initializer]] = {
    "beta": initializers.Zeros,
    "gamma": initializers.Ones,
    "moving_mean": initializers.Zeros,
    "moving_variance": initializers.Ones,
}
