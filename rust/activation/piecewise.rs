//! Keras 3.15's piecewise activations and the gradients TensorFlow's autodiff gives Keras's formulas
//! (`keras/src/backend/tensorflow/nn.py`), kinks and NaN included:
//!
//! - hard_tanh `clip(z, −1, 1)`: TensorFlow's minimum and maximum pass the gradient at ±1 (g there), not at NaN.
//! - hard_shrink `where(|z| > t, z, 0)`, soft_shrink `where(z > t, z − t, where(z < −t, z + t, 0))`, threshold
//!   `where(z > t, z, default_value)`: g only where the strict comparison holds, so 0 at ±t; a NaN input gives
//!   0 (the default value for threshold) and gradient 0, as Keras's `where` does.
//! - sparse_plus `where(z ≤ −1, 0, where(z < 1, ¼(z + 1)², z))`: 0 at −1, 1 at 1; the untaken square's
//!   gradient is multiplied by 0, so it is NaN at ±∞ (0·∞) and at NaN.
//! - sparse_sigmoid `where(z ≤ −1, 0, where(z ≥ 1, 1, ½(z + 1)))`: 0 at ±1, and ½ at NaN (both comparisons
//!   false: the middle branch).
//! - tanh_shrink `z − tanh z`: `g − g·(1 − tanh²z)`, as the subtraction and TanhGrad compose it (0 below
//!   |z| ≈ 2.4e-4, where 1 − tanh² rounds to 1).
//! - log_sigmoid `−softplus(−z)`: `g·sigmoid(−z)`; squareplus: see more.rs.

use super::{more, sigmoid, Activation};

/// `z if |z| > t else 0` (NaN gives 0).
pub(super) fn hard_shrink(z: f32, t: f32) -> f32 {
    if z.abs() > t {
        z
    } else {
        0.0
    }
}

/// `z − t` above `t`, `z + t` below `−t`, else 0 (NaN gives 0).
pub(super) fn soft_shrink(z: f32, t: f32) -> f32 {
    if z > t {
        z - t
    } else if z < -t {
        z + t
    } else {
        0.0
    }
}

/// 0 up to −1, `¼·(z + 1)²` below 1, `z` from 1 (NaN stays NaN).
pub(super) fn sparse_plus(z: f32) -> f32 {
    if z <= -1.0 {
        0.0
    } else if z < 1.0 {
        0.25 * ((z + 1.0) * (z + 1.0))
    } else {
        z
    }
}

/// 0 up to −1, 1 from 1, `½·(z + 1)` between (NaN stays NaN).
pub(super) fn sparse_sigmoid(z: f32) -> f32 {
    if z <= -1.0 {
        0.0
    } else if z >= 1.0 {
        1.0
    } else {
        0.5 * (z + 1.0)
    }
}

/// `g` where `keep`, else 0 (a `where`'s gradient: 0 even for a NaN or infinite `g`).
fn pass(keep: bool, g: f32) -> f32 {
    if keep {
        g
    } else {
        0.0
    }
}

/// The gradient with respect to `z` of the activations above, given `g` with respect to their output; `g`
/// itself for any other activation (mod.rs applies those).
pub(super) fn gradient(act: Activation, z: f32, g: f32) -> f32 {
    match act {
        Activation::HardTanh => pass((-1.0..=1.0).contains(&z), g),
        Activation::HardShrink { threshold } => pass(z.abs() > threshold, g),
        Activation::SoftShrink { threshold } => pass(z > threshold || z < -threshold, g),
        Activation::Threshold { threshold, .. } => pass(z > threshold, g),
        Activation::SparseSigmoid => pass(!(z <= -1.0 || z >= 1.0), 0.5 * g),
        Activation::SparsePlus => {
            if !z.is_finite() {
                f32::NAN // 0 times the square's infinite (or NaN) slope
            } else if z <= -1.0 {
                0.0
            } else if z < 1.0 {
                // TensorFlow: (¼g)·2·(z + 1), the same value (the factors are powers of two).
                0.5 * g * (z + 1.0)
            } else {
                g
            }
        }
        Activation::TanhShrink => {
            let t = z.tanh();
            g - g * (1.0 - t * t)
        }
        Activation::LogSigmoid => g * sigmoid(-z),
        Activation::Squareplus { b } => more::squareplus_gradient(z, b, g),
        _ => g,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tf.GradientTape of Keras 3.15.1's functions (TensorFlow 2.21) at their kinks, beside them, and at NaN.
    #[test]
    fn kinks_and_nan_follow_tensorflow() {
        let nan = f32::NAN;
        let cases: [(Activation, f32, f32, f32); 20] = [
            // (activation, z, f(z), f'(z))
            (Activation::HardTanh, -1.0, -1.0, 1.0),
            (Activation::HardTanh, 1.0, 1.0, 1.0),
            (Activation::HardTanh, 1.000_000_1, 1.0, 0.0),
            (Activation::HardShrink { threshold: 0.5 }, 0.5, 0.0, 0.0),
            (Activation::HardShrink { threshold: 0.5 }, -0.500_000_1, -0.500_000_1, 1.0),
            (Activation::HardShrink { threshold: 0.5 }, nan, 0.0, 0.0),
            (Activation::SoftShrink { threshold: 0.5 }, -0.5, 0.0, 0.0),
            (Activation::SoftShrink { threshold: 0.5 }, 0.500_000_1, 1.192_092_9e-7, 1.0),
            (Activation::SoftShrink { threshold: 1.0 }, nan, 0.0, 0.0),
            (Activation::SparsePlus, -1.0, 0.0, 0.0),
            (Activation::SparsePlus, 1.0, 1.0, 1.0),
            (Activation::SparsePlus, -0.999_999_9, 3.552_713_7e-15, 5.960_464_5e-8),
            (Activation::SparsePlus, f32::NEG_INFINITY, 0.0, nan),
            (Activation::SparseSigmoid, -1.0, 0.0, 0.0),
            (Activation::SparseSigmoid, 1.0, 1.0, 0.0),
            (Activation::SparseSigmoid, nan, nan, 0.5),
            (Activation::Threshold { threshold: 0.5, default_value: -3.0 }, 0.5, -3.0, 0.0),
            (Activation::Threshold { threshold: 0.5, default_value: -3.0 }, nan, -3.0, 0.0),
            (Activation::TanhShrink, 1e-8, 0.0, 0.0),
            (Activation::HardTanh, nan, nan, 0.0),
        ];
        let same = |a: f32, b: f32| a == b || (a.is_nan() && b.is_nan());
        for (act, z, want_y, want_g) in cases {
            let y = act.scalar(z);
            let mut g = [1.0f32];
            act.backward_inplace(&[z], &[y], &mut g, 1);
            assert!(same(y, want_y) && same(g[0], want_g), "{act:?} at {z}: {y}, {} vs {want_y}, {want_g}", g[0]);
        }
    }
}
