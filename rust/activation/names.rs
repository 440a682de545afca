//! Activations by their Keras names: `from_name` (the defaults of Keras's signature), `with_params` (explicit
//! arguments, as Keras's functions and activation layers take them) and `name` (`activation.__name__`).

use super::Activation;
use crate::error::{Error, Result};

/// The names `Activation::from_name` accepts, in Keras's spelling. Keras's `threshold` is not one: it has no
/// defaults for its arguments (see `with_params`).
pub const NAMES: &[&str] = &[
    "linear",
    "relu",
    "sigmoid",
    "tanh",
    "elu",
    "selu",
    "silu",
    "swish",
    "gelu",
    "softplus",
    "softsign",
    "leaky_relu",
    "relu6",
    "hard_sigmoid",
    "exponential",
    "softmax",
    "mish",
    "celu",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "hard_shrink",
    "soft_shrink",
    "tanh_shrink",
    "log_sigmoid",
    "sparse_plus",
    "squareplus",
    "sparse_sigmoid",
    "log_softmax",
];

/// Keras's default `threshold` of `hard_shrink` and `soft_shrink`.
const SHRINK_THRESHOLD: f32 = 0.5;
/// Keras's default `b` of `squareplus`.
const SQUAREPLUS_B: f32 = 4.0;

impl Activation {
    /// Look an activation up by its Keras name (with its default parameters).
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name {
            "linear" => Activation::Linear,
            "relu" => Activation::Relu,
            "sigmoid" => Activation::Sigmoid,
            "tanh" => Activation::Tanh,
            "elu" => Activation::Elu { alpha: 1.0 },
            "selu" => Activation::Selu,
            "silu" | "swish" => Activation::Silu,
            "gelu" => Activation::Gelu { approximate: false },
            "softplus" => Activation::Softplus,
            "softsign" => Activation::Softsign,
            "leaky_relu" => Activation::LeakyRelu { negative_slope: 0.2 },
            "relu6" => Activation::Relu6,
            "hard_sigmoid" => Activation::HardSigmoid,
            "exponential" => Activation::Exponential,
            "softmax" => Activation::Softmax,
            "mish" => Activation::Mish,
            "celu" => Activation::Celu { alpha: 1.0 },
            "hard_silu" | "hard_swish" => Activation::HardSilu,
            "hard_tanh" => Activation::HardTanh,
            "hard_shrink" => Activation::HardShrink { threshold: SHRINK_THRESHOLD },
            "soft_shrink" => Activation::SoftShrink { threshold: SHRINK_THRESHOLD },
            "tanh_shrink" => Activation::TanhShrink,
            "log_sigmoid" => Activation::LogSigmoid,
            "sparse_plus" => Activation::SparsePlus,
            "squareplus" => Activation::Squareplus { b: SQUAREPLUS_B },
            "sparse_sigmoid" => Activation::SparseSigmoid,
            "log_softmax" => Activation::LogSoftmax,
            "threshold" => {
                return Err(Error::value(
                    "threshold() missing 2 required positional arguments: 'threshold' and 'default_value' (Keras's \
                     threshold has no defaults, so it cannot be named alone)",
                ))
            }
            _ => {
                return Err(Error::value(format!(
                    "Could not interpret activation function identifier: {name:?}. Supported: {}",
                    NAMES.join(", ")
                )))
            }
        })
    }

    /// An activation with explicit parameters, as Keras's layers and functions take them: `elu` (alpha),
    /// `gelu` (approximate, as 0 or 1), `leaky_relu` (negative_slope), `celu` (alpha), `relu` (negative_slope,
    /// max_value, threshold), `hard_shrink` and `soft_shrink` (threshold), `squareplus` (b), `threshold`
    /// (threshold, default_value); no parameters is `from_name`. A NaN parameter, or a count the function
    /// does not take, is a `ValueError`.
    pub fn with_params(name: &str, params: &[f32]) -> Result<Self> {
        if let Some(p) = params.iter().find(|p| p.is_nan()) {
            return Err(Error::value(format!("The parameters of activation {name:?} must be numbers. Received: {p}")));
        }
        Ok(match (name, params) {
            (_, []) => Self::from_name(name)?,
            ("elu", &[alpha]) => Activation::Elu { alpha },
            ("gelu", &[approximate]) => Activation::Gelu { approximate: approximate != 0.0 },
            ("leaky_relu", &[negative_slope]) => Activation::LeakyRelu { negative_slope },
            ("celu", &[alpha]) => Activation::Celu { alpha },
            ("relu", &[negative_slope, max_value, threshold]) => {
                Activation::ReluCustom { negative_slope, max_value, threshold }
            }
            ("hard_shrink", &[threshold]) => Activation::HardShrink { threshold },
            ("soft_shrink", &[threshold]) => Activation::SoftShrink { threshold },
            ("squareplus", &[b]) => Activation::Squareplus { b },
            ("threshold", &[threshold, default_value]) => Activation::Threshold { threshold, default_value },
            _ => {
                return Err(Error::value(format!("Activation {name:?} takes no such parameters. Received: {params:?}")))
            }
        })
    }

    /// The name Keras reports as `activation.__name__`.
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Elu { .. } => "elu",
            Activation::Selu => "selu",
            Activation::Silu => "silu",
            Activation::Gelu { .. } => "gelu",
            Activation::Softplus => "softplus",
            Activation::Softsign => "softsign",
            Activation::LeakyRelu { .. } => "leaky_relu",
            Activation::Relu6 => "relu6",
            Activation::HardSigmoid => "hard_sigmoid",
            Activation::Exponential => "exponential",
            Activation::Softmax => "softmax",
            Activation::ReluCustom { .. } => "relu",
            Activation::Mish => "mish",
            Activation::Celu { .. } => "celu",
            Activation::HardSilu => "hard_silu",
            Activation::HardTanh => "hard_tanh",
            Activation::HardShrink { .. } => "hard_shrink",
            Activation::SoftShrink { .. } => "soft_shrink",
            Activation::TanhShrink => "tanh_shrink",
            Activation::LogSigmoid => "log_sigmoid",
            Activation::SparsePlus => "sparse_plus",
            Activation::Squareplus { .. } => "squareplus",
            Activation::SparseSigmoid => "sparse_sigmoid",
            Activation::Threshold { .. } => "threshold",
            Activation::LogSoftmax => "log_softmax",
        }
    }
}
