//! Keras 3's `mish`, `celu`, `hard_silu` (`hard_swish`) and `squareplus`, and their derivatives as TensorFlow's
//! autodiff of Keras's formulas gives them (the maximum and minimum of `celu` both pass the gradient at 0, as
//! TensorFlow's do; `relu6` passes none at its kinks).

use super::{sigmoid, softplus};

/// `z·tanh(softplus(z))`.
pub(super) fn mish(z: f32) -> f32 {
    z * softplus(z).tanh()
}

/// `tanh(sp) + z·(1 − tanh²(sp))·sigmoid(z)`, `sp = softplus(z)`.
pub(super) fn mish_derivative(z: f32) -> f32 {
    let t = softplus(z).tanh();
    t + z * (1.0 - t * t) * sigmoid(z)
}

/// `max(z, 0) + α·expm1(min(z, 0)/α)`; NaN stays NaN, as in TensorFlow (f32's max and min would drop it).
pub(super) fn celu(z: f32, alpha: f32) -> f32 {
    if z.is_nan() {
        return z;
    }
    z.max(0.0) + alpha * (z.min(0.0) / alpha).exp_m1()
}

/// 1 above 0, `e^(z/α)` below, and 2 at 0 (both branches pass it, as TensorFlow's maximum and minimum).
pub(super) fn celu_derivative(z: f32, alpha: f32) -> f32 {
    let up = if z >= 0.0 { 1.0 } else { 0.0 };
    let down = if z <= 0.0 { (z.min(0.0) / alpha).exp() } else { 0.0 };
    up + down
}

/// `relu6(z + 3)/6`, Keras 3's hard sigmoid.
fn hard_sigmoid(z: f32) -> f32 {
    (z + 3.0).clamp(0.0, 6.0) / 6.0
}

/// `z·relu6(z + 3)/6`.
pub(super) fn hard_silu(z: f32) -> f32 {
    z * hard_sigmoid(z)
}

/// `relu6(z + 3)/6 + z·[−3 < z < 3]/6`.
pub(super) fn hard_silu_derivative(z: f32) -> f32 {
    let inside = z + 3.0 > 0.0 && z + 3.0 < 6.0;
    hard_sigmoid(z) + if inside { z / 6.0 } else { 0.0 }
}

/// `(z + √(z² + b))/2`, in Keras's order: so −∞ gives NaN (−∞ + ∞) and `z²` overflows from |z| ≈ 1.8e19 (+∞
/// for a large negative z too), as in Keras.
pub(super) fn squareplus(z: f32, b: f32) -> f32 {
    (z + (z * z + b).sqrt()) / 2.0
}

/// TensorFlow's gradient of it: `h + (½h/s)·(2z)` with `h = g/2`, `s = √(z² + b)`: ½g where `s` overflows,
/// NaN at ±∞ (0·∞).
pub(super) fn squareplus_gradient(z: f32, b: f32, g: f32) -> f32 {
    let h = g / 2.0;
    let s = (z * z + b).sqrt();
    h + (0.5 * h / s) * (z * 2.0)
}
