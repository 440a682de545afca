//! Keras 3's `mish`, `celu` and `hard_silu` (`hard_swish`), and their derivatives as TensorFlow's autodiff of
//! Keras's formulas gives them (the maximum and minimum of `celu` both pass the gradient at 0, as TensorFlow's
//! do; `relu6` passes none at its kinks).

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
