//! Activation functions, forward `y = f(z)` and backward `dz = dy · f'(z)`, over row-major batches.
//!
//! Formulas follow Keras 3 (`keras/src/activations/activations.py`): e.g. selu `scale·(z if z>0 else
//! alpha·(eᶻ−1))`, hard_sigmoid `clip(z/6 + 1/2, 0, 1)`, gelu the exact `z·Φ(z)`, softmax over the last axis.

use crate::error::{Error, Result};

const SELU_ALPHA: f32 = 1.673_263_2;
const SELU_SCALE: f32 = 1.050_701;

/// An activation function with its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Activation {
    /// `z`
    Linear,
    /// `max(z, 0)`
    Relu,
    /// `1 / (1 + e⁻ᶻ)`
    Sigmoid,
    /// `tanh z`
    Tanh,
    /// `z if z > 0 else alpha·(eᶻ − 1)`
    Elu { alpha: f32 },
    /// `scale·elu(z, alpha)` with Keras's fixed constants.
    Selu,
    /// `z·sigmoid(z)` (Keras's `swish` is this function).
    Silu,
    /// `z·Φ(z)`, or the tanh approximation when `approximate`.
    Gelu { approximate: bool },
    /// `ln(1 + eᶻ)`
    Softplus,
    /// `z / (1 + |z|)`
    Softsign,
    /// `z if z > 0 else negative_slope·z`
    LeakyRelu { negative_slope: f32 },
    /// `min(max(z, 0), 6)`
    Relu6,
    /// `clip(z/6 + 0.5, 0, 1)`
    HardSigmoid,
    /// `eᶻ`
    Exponential,
    /// `eᶻ / Σ eᶻ` over each row.
    Softmax,
    /// Keras's `relu(z, negative_slope, max_value, threshold)` in general (the `ReLU` layer):
    /// `min(z, max_value) if z > threshold else negative_slope·(z − threshold)`; no cap is `max_value = ∞`.
    ReluCustom { negative_slope: f32, max_value: f32, threshold: f32 },
    /// `z·tanh(softplus(z))`
    Mish,
    /// `max(z, 0) + α·expm1(min(z, 0)/α)`
    Celu { alpha: f32 },
    /// `z·relu6(z + 3)/6` (hard_swish)
    HardSilu,
}

/// The names `Activation::from_name` accepts, in Keras's spelling.
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
];

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
            _ => {
                return Err(Error::value(format!(
                    "Could not interpret activation function identifier: {name:?}. Supported: {}",
                    NAMES.join(", ")
                )))
            }
        })
    }

    /// An activation with explicit parameters, as Keras's layers and functions take them: `elu` (alpha),
    /// `gelu` (approximate, as 0 or 1), `leaky_relu` (negative_slope), `relu` (negative_slope, max_value,
    /// threshold); no parameters is
    /// `from_name`. A NaN parameter, or a count the function does not take, is a `ValueError`.
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
        }
    }

    /// Whether `backward` needs the pre-activation `z` (otherwise the output `y` suffices).
    pub fn needs_input(&self) -> bool {
        matches!(
            self,
            Activation::Silu
                | Activation::Gelu { .. }
                | Activation::Softplus
                | Activation::Softsign
                | Activation::ReluCustom { .. }
                | Activation::Mish
                | Activation::Celu { .. }
                | Activation::HardSilu
        )
    }

    /// Apply in place: `v ← f(v)`, rows of `width` values (only softmax looks across a row).
    pub fn forward_inplace(&self, v: &mut [f32], width: usize) {
        match *self {
            Activation::Linear => {}
            // `x < 0 → 0` rather than `max(x, 0)`: NaN must stay NaN, as in TensorFlow and NumPy.
            // A select rather than a conditional store, so that the loop vectorizes.
            Activation::Relu => v.iter_mut().for_each(|x| *x = if *x < 0.0 { 0.0 } else { *x }),
            Activation::Softmax => softmax_rows(v, width),
            act => v.iter_mut().for_each(|x| *x = act.scalar(*x)),
        }
    }

    /// `y = f(z)` into a separate buffer of the same length.
    pub fn forward(&self, z: &[f32], y: &mut [f32], width: usize) {
        y.copy_from_slice(z);
        self.forward_inplace(y, width);
    }

    /// Whether f costs an exponential, logarithm or error function per value (tens of nanoseconds), so that
    /// a large batch's rows are worth cutting between the thread team.
    pub fn costly(&self) -> bool {
        !matches!(
            self,
            Activation::Linear
                | Activation::Relu
                | Activation::Softsign
                | Activation::LeakyRelu { .. }
                | Activation::Relu6
                | Activation::HardSigmoid
                | Activation::ReluCustom { .. }
        )
    }

    /// f of one value (softmax excepted: it needs its row, and returns 1 here as for a one-wide row).
    pub fn scalar(&self, z: f32) -> f32 {
        match *self {
            Activation::Linear => z,
            Activation::Relu => {
                if z < 0.0 {
                    0.0
                } else {
                    z
                }
            }
            Activation::Sigmoid => sigmoid(z),
            Activation::Tanh => z.tanh(),
            Activation::Elu { alpha } => {
                if z > 0.0 {
                    z
                } else {
                    alpha * z.exp_m1()
                }
            }
            Activation::Selu => SELU_SCALE * if z > 0.0 { z } else { SELU_ALPHA * z.exp_m1() },
            Activation::Silu => z * sigmoid(z),
            Activation::Gelu { approximate } => {
                if approximate {
                    let c = (2.0f32 / std::f32::consts::PI).sqrt();
                    0.5 * z * (1.0 + (c * (z + 0.044715 * z * z * z)).tanh())
                } else {
                    (0.5 * z as f64 * (1.0 + erf(z as f64 / std::f64::consts::SQRT_2))) as f32
                }
            }
            Activation::Softplus => softplus(z),
            Activation::Softsign => z / (1.0 + z.abs()),
            Activation::LeakyRelu { negative_slope } => {
                if z > 0.0 {
                    z
                } else {
                    negative_slope * z
                }
            }
            Activation::Relu6 => z.clamp(0.0, 6.0),
            Activation::HardSigmoid => (z / 6.0 + 0.5).clamp(0.0, 1.0),
            Activation::Exponential => z.exp(),
            Activation::Softmax => 1.0,
            Activation::Mish => more::mish(z),
            Activation::Celu { alpha } => more::celu(z, alpha),
            Activation::HardSilu => more::hard_silu(z),
            Activation::ReluCustom { negative_slope, max_value, threshold } => {
                if z > threshold {
                    z.min(max_value)
                } else if negative_slope == 0.0 && !z.is_nan() {
                    0.0 // not 0·(−∞)
                } else {
                    negative_slope * (z - threshold)
                }
            }
        }
    }

    /// Backward in place: `g ← g · f'(z)`, given the input `z` and output `y` of the forward pass.
    ///
    /// `z` is read only by activations whose `needs_input()` is true; others may pass `y` for it.
    pub fn backward_inplace(&self, z: &[f32], y: &[f32], g: &mut [f32], width: usize) {
        match *self {
            Activation::Linear => {}
            Activation::Relu => g.iter_mut().zip(y).for_each(|(g, &y)| *g = if y <= 0.0 { 0.0 } else { *g }),
            Activation::Sigmoid => g.iter_mut().zip(y).for_each(|(g, &y)| *g *= y * (1.0 - y)),
            Activation::Tanh => g.iter_mut().zip(y).for_each(|(g, &y)| *g *= 1.0 - y * y),
            Activation::Elu { alpha } => g.iter_mut().zip(y).for_each(|(g, &y)| {
                if y <= 0.0 {
                    *g *= y + alpha
                }
            }),
            Activation::Selu => g
                .iter_mut()
                .zip(y)
                .for_each(|(g, &y)| *g *= if y < 0.0 { y + SELU_SCALE * SELU_ALPHA } else { SELU_SCALE }),
            Activation::Silu => g.iter_mut().zip(z).for_each(|(g, &z)| {
                let s = sigmoid(z);
                *g *= s * (1.0 + z * (1.0 - s));
            }),
            Activation::Gelu { approximate } => g.iter_mut().zip(z).for_each(|(g, &z)| {
                *g *= gelu_derivative(z, approximate);
            }),
            Activation::Softplus => g.iter_mut().zip(z).for_each(|(g, &z)| *g *= sigmoid(z)),
            Activation::Softsign => g.iter_mut().zip(z).for_each(|(g, &z)| {
                let d = 1.0 + z.abs();
                *g /= d * d;
            }),
            Activation::LeakyRelu { negative_slope } => g.iter_mut().zip(y).for_each(|(g, &y)| {
                if y <= 0.0 {
                    *g *= negative_slope
                }
            }),
            Activation::Relu6 => g.iter_mut().zip(y).for_each(|(g, &y)| {
                if y <= 0.0 || y >= 6.0 {
                    *g = 0.0
                }
            }),
            Activation::HardSigmoid => {
                g.iter_mut().zip(y).for_each(|(g, &y)| *g = if y <= 0.0 || y >= 1.0 { 0.0 } else { *g / 6.0 })
            }
            Activation::Exponential => g.iter_mut().zip(y).for_each(|(g, &y)| *g *= y),
            // TensorFlow's gradient of Keras's composition: the cap passes z = max_value (clip's gradient),
            // and z = threshold is 0 from both sides (a `where` and relu's `features > 0`).
            Activation::ReluCustom { negative_slope, max_value, threshold } => {
                g.iter_mut().zip(z).for_each(|(g, &z)| {
                    *g *= if z > threshold {
                        if z <= max_value {
                            1.0
                        } else {
                            0.0
                        }
                    } else if z < threshold {
                        negative_slope
                    } else {
                        0.0
                    }
                })
            }
            Activation::Mish => g.iter_mut().zip(z).for_each(|(g, &z)| *g *= more::mish_derivative(z)),
            Activation::Celu { alpha } => g.iter_mut().zip(z).for_each(|(g, &z)| *g *= more::celu_derivative(z, alpha)),
            Activation::HardSilu => g.iter_mut().zip(z).for_each(|(g, &z)| *g *= more::hard_silu_derivative(z)),
            Activation::Softmax => {
                if width > 0 {
                    for (gr, yr) in g.chunks_exact_mut(width).zip(y.chunks_exact(width)) {
                        let dot: f32 = gr.iter().zip(yr).map(|(a, b)| a * b).sum();
                        gr.iter_mut().zip(yr).for_each(|(g, &y)| *g = y * (*g - dot));
                    }
                }
            }
        }
    }
}

/// Numerically safe logistic function.
pub fn sigmoid(z: f32) -> f32 {
    if z >= 0.0 {
        // 1 − e/(1 + e) rather than 1/(1 + e): it rounds as the exact value does (below 1 until z = 17.33, as
        // TensorFlow's), where 1 + e rounds to 1 from z = 16.64 and the derivative y(1 − y) would be 0 there.
        let e = (-z).exp();
        1.0 - e / (1.0 + e)
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + eᶻ)` without overflow.
pub fn softplus(z: f32) -> f32 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// Softmax of each row of `width` values: `e^{v−max}` (all rows' exponentials at once, see `exp`), each
/// row's sum in order, then times its reciprocal.
fn softmax_rows(v: &mut [f32], width: usize) {
    if width == 0 {
        return;
    }
    let len = v.len() / width * width;
    let v = &mut v[..len];
    for row in v.chunks_exact_mut(width) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        row.iter_mut().for_each(|x| *x -= max);
    }
    exp::exp_in_place(v);
    for row in v.chunks_exact_mut(width) {
        let inv = 1.0 / row.iter().fold(0.0f32, |sum, &x| sum + x);
        row.iter_mut().for_each(|x| *x *= inv);
    }
}

fn gelu_derivative(z: f32, approximate: bool) -> f32 {
    if approximate {
        let c = (2.0f32 / std::f32::consts::PI).sqrt();
        let inner = c * (z + 0.044715 * z * z * z);
        let t = inner.tanh();
        0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * c * (1.0 + 3.0 * 0.044715 * z * z)
    } else {
        let z = z as f64;
        let cdf = 0.5 * (1.0 + erf(z / std::f64::consts::SQRT_2));
        let pdf = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        (cdf + z * pdf) as f32
    }
}

mod erf;
pub mod exp;
mod more;
pub use erf::erf;
#[cfg(test)]
mod tests;
