//! Activation functions, forward `y = f(z)` and backward `dz = dy · f'(z)`, over row-major batches.
//!
//! Formulas follow Keras 3 (`keras/src/activations/activations.py`): e.g. selu `scale·(z if z>0 else
//! alpha·(eᶻ−1))`, hard_sigmoid `clip(z/6 + 1/2, 0, 1)`, gelu the exact `z·Φ(z)`, softmax and log_softmax over
//! the last axis; Keras 3.15's hard_tanh, shrinks, sparse_plus, squareplus, sparse_sigmoid and threshold are
//! piecewise.rs's, with the gradients TensorFlow gives them at their kinks.

const SELU_ALPHA: f32 = 1.673_263_2;
const SELU_SCALE: f32 = 1.050_701;
/// 2⁻²⁵: `eᶻ` rounds to 1 in f32 for `−2⁻²⁵ ≤ z ≤ 0`.
const EXP_IS_ONE: f32 = 2.980_232_2e-8;

/// `eᶻ − 1` for `z ≤ 0` as TensorFlow's elu and selu compute it (`exp(z) − 1`) where that matters: 0 where `eᶻ`
/// rounds to 1, so the output is 0 there and selu's gradient the positive side's, as in Keras; `expm1` below.
fn elu_exp_m1(z: f32) -> f32 {
    if z >= -EXP_IS_ONE {
        0.0
    } else {
        z.exp_m1()
    }
}

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
    /// `clip(z, 0, max_value) if z > threshold else negative_slope·(z − threshold)`; no cap is
    /// `max_value = ∞` (then `z` above the threshold, negative too).
    ReluCustom { negative_slope: f32, max_value: f32, threshold: f32 },
    /// `z·tanh(softplus(z))`
    Mish,
    /// `max(z, 0) + α·expm1(min(z, 0)/α)`
    Celu { alpha: f32 },
    /// `z·relu6(z + 3)/6` (hard_swish)
    HardSilu,
    /// `clip(z, −1, 1)`
    HardTanh,
    /// `z if |z| > threshold else 0`
    HardShrink { threshold: f32 },
    /// `z − threshold` above `threshold`, `z + threshold` below `−threshold`, else 0.
    SoftShrink { threshold: f32 },
    /// `z − tanh z`
    TanhShrink,
    /// `−softplus(−z)`, i.e. `ln sigmoid(z)`.
    LogSigmoid,
    /// 0 up to −1, `(z + 1)²/4` up to 1, then `z`.
    SparsePlus,
    /// `(z + √(z² + b))/2`
    Squareplus { b: f32 },
    /// 0 up to −1, `(z + 1)/2` up to 1, then 1.
    SparseSigmoid,
    /// `z if z > threshold else default_value` (Keras's has no defaults: parameters only, see `with_params`).
    Threshold { threshold: f32, default_value: f32 },
    /// `z − ln Σ eᶻ` over each row.
    LogSoftmax,
}

impl Activation {
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
                | Activation::HardTanh
                | Activation::HardShrink { .. }
                | Activation::SoftShrink { .. }
                | Activation::TanhShrink
                | Activation::LogSigmoid
                | Activation::SparsePlus
                | Activation::Squareplus { .. }
                | Activation::SparseSigmoid
                | Activation::Threshold { .. }
        )
    }

    /// Whether f looks across each row (softmax, log_softmax) rather than at one value.
    pub fn row_wise(&self) -> bool {
        matches!(self, Activation::Softmax | Activation::LogSoftmax)
    }

    /// Apply in place: `v ← f(v)`, rows of `width` values (only softmax and log_softmax look across a row).
    pub fn forward_inplace(&self, v: &mut [f32], width: usize) {
        match *self {
            Activation::Linear => {}
            // `x < 0 → 0` rather than `max(x, 0)`: NaN must stay NaN, as in TensorFlow and NumPy.
            // A select rather than a conditional store, so that the loop vectorizes.
            Activation::Relu => v.iter_mut().for_each(|x| *x = if *x < 0.0 { 0.0 } else { *x }),
            Activation::Softmax => rows::softmax(v, width),
            Activation::LogSoftmax => rows::log_softmax(v, width),
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
                | Activation::HardTanh
                | Activation::HardShrink { .. }
                | Activation::SoftShrink { .. }
                | Activation::SparsePlus
                | Activation::Squareplus { .. }
                | Activation::SparseSigmoid
                | Activation::Threshold { .. }
        )
    }

    /// f of one value (softmax and log_softmax excepted: they need their row, and return here what a one-wide
    /// row gives, 1 and 0).
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
                    alpha * elu_exp_m1(z)
                }
            }
            Activation::Selu => SELU_SCALE * if z > 0.0 { z } else { SELU_ALPHA * elu_exp_m1(z) },
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
            Activation::HardTanh => z.clamp(-1.0, 1.0),
            Activation::HardShrink { threshold } => piecewise::hard_shrink(z, threshold),
            Activation::SoftShrink { threshold } => piecewise::soft_shrink(z, threshold),
            Activation::TanhShrink => z - z.tanh(),
            Activation::LogSigmoid => -softplus(-z),
            Activation::SparsePlus => piecewise::sparse_plus(z),
            Activation::Squareplus { b } => more::squareplus(z, b),
            Activation::SparseSigmoid => piecewise::sparse_sigmoid(z),
            Activation::Threshold { threshold, default_value } => {
                if z > threshold {
                    z
                } else {
                    default_value
                }
            }
            Activation::LogSoftmax => {
                if z.is_finite() {
                    0.0
                } else {
                    f32::NAN // z − max for ±∞ or NaN
                }
            }
            Activation::ReluCustom { negative_slope, max_value, threshold } => {
                if z > threshold {
                    // a cap clips to [0, cap], so a value between a negative threshold and 0 is 0
                    if max_value < f32::INFINITY {
                        z.min(max_value).max(0.0)
                    } else {
                        z
                    }
                } else if negative_slope == 0.0 && (threshold != 0.0 || !z.is_nan()) {
                    0.0 // not 0·(−∞); NaN is 0 where a threshold's `where` reads it (Keras)
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
            Activation::Softmax => rows::softmax_backward(y, g, width),
            Activation::LogSoftmax => rows::log_softmax_backward(y, g, width),
            // The rest as TensorFlow's gradients of Keras's formulas give them (piecewise.rs, more.rs): a `where`
            // passes `g` on the branch it took and 0 on the other.
            act @ (Activation::HardTanh
            | Activation::HardShrink { .. }
            | Activation::SoftShrink { .. }
            | Activation::TanhShrink
            | Activation::LogSigmoid
            | Activation::SparsePlus
            | Activation::Squareplus { .. }
            | Activation::SparseSigmoid
            | Activation::Threshold { .. }) => {
                g.iter_mut().zip(z).for_each(|(g, &z)| *g = piecewise::gradient(act, z, *g))
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
mod names;
mod piecewise;
mod rows;
pub use erf::erf;
pub use names::NAMES;
#[cfg(test)]
mod tests;
