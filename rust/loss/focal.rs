//! The focal crossentropies (Lin et al., 2017) as Keras 3 computes them, with their gradients: the binary one
//! element-wise, the categorical one over each row.

use super::EPSILON;
use crate::activation::exp::exp;
use crate::activation::sigmoid;

/// Binary focal crossentropy of one element (target `t` already smoothed) and its derivative with respect to the
/// input: Keras's `w·((1 − p_t)^γ·bce)`, where bce reads the logit when there is one (`p` then its sigmoid) and
/// otherwise the probability clipped to `[ε, 1 − ε]` (no gradient where the clip binds), and `p_t` reads `p`
/// unclipped. The derivative of the power is TensorFlow's, `γ·x^(γ−1)`.
pub(super) fn binary(x: f32, t: f32, logits: bool, (gamma, alpha, balanced): (f32, f32, bool)) -> (f32, f32) {
    let (p, dp, bce, dbce) = if logits {
        let p = sigmoid(x);
        (p, p * (1.0 - p), x.max(0.0) - x * t + (-x.abs()).exp().ln_1p(), p - t)
    } else {
        let hi = 1.0 - EPSILON;
        let q = x.clamp(EPSILON, hi);
        let d = if x < EPSILON || x > hi { 0.0 } else { -(t / q) + (1.0 - t) / (1.0 - q) };
        (x, 1.0, -(t * q.ln() + (1.0 - t) * (1.0 - q).ln()), d)
    };
    let base = 1.0 - (t * p + (1.0 - t) * (1.0 - p));
    let focal = base.powf(gamma);
    let dfocal = gamma * base.powf(gamma - 1.0) * (1.0 - 2.0 * t) * dp;
    let w = if balanced { t * alpha + (1.0 - t) * (1.0 - alpha) } else { 1.0 };
    (w * (focal * bce), w * (dfocal * bce + focal * dbce))
}

/// Categorical focal crossentropy of one row and, with `grad`, its gradient times `scale`: Keras's
/// `Σ α·(1 − o)^γ·(−t·ln o)` with `o = clip(p/Σp, ε, 1 − ε)`, `p` the row's probabilities (the softmax of
/// logits when `logits`) and `t` the smoothed targets. The clip passes no gradient where it binds; no buffer
/// is needed (the probabilities of logits are recomputed in each pass), so the training loop allocates nothing.
pub(super) fn categorical(
    x: &[f32],
    t: &[f32],
    logits: bool,
    (gamma, alpha, ls): (f32, f32, f32),
    scale: f32,
    grad: Option<&mut [f32]>,
) -> f64 {
    let c = x.len() as f32;
    let smooth = |t: f32| t * (1.0 - ls) + ls / c;
    let (max, se) = if logits {
        let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        (max, x.iter().map(|&z| exp(z - max)).sum::<f32>())
    } else {
        (0.0, 1.0)
    };
    let prob = |z: f32| if logits { exp(z - max) / se } else { z };
    let sum: f32 = x.iter().map(|&z| prob(z)).sum();
    let hi = 1.0 - EPSILON;
    // The row's value, and d value / d q_j (q = p/Σp) where the clip does not bind.
    let term = |z: f32, t: f32| {
        let q = prob(z) / sum;
        let o = q.clamp(EPSILON, hi);
        let cce = -smooth(t) * o.ln();
        let modulating = (1.0 - o).powf(gamma);
        let d = if (EPSILON..=hi).contains(&q) {
            alpha * (-gamma * (1.0 - o).powf(gamma - 1.0) * cce + modulating * (-smooth(t) / o))
        } else {
            0.0
        };
        (modulating * alpha * cce, d, q)
    };
    // The value, and Σ_j dL/dq_j·q_j for the renormalisation q = p/Σp, in one pass.
    let (v, dot) = x.iter().zip(t).fold((0.0f32, 0.0f32), |(v, dot), (&z, &t)| {
        let (value, d, q) = term(z, t);
        (v + value, dot + d * q)
    });
    let Some(g) = grad else { return f64::from(v) };
    // dL/dp_k = (dL/dq_k − Σ_j dL/dq_j·q_j)/Σp.
    for ((g, &z), &t) in g.iter_mut().zip(x).zip(t) {
        *g = (term(z, t).1 - dot) / sum;
    }
    if logits {
        // Through the softmax: dL/dz_i = p_i·(dL/dp_i − Σ_k p_k·dL/dp_k).
        let dot: f32 = g.iter().zip(x).map(|(&g, &z)| g * prob(z)).sum();
        g.iter_mut().zip(x).for_each(|(g, &z)| *g = prob(z) * (*g - dot));
    }
    g.iter_mut().for_each(|g| *g *= scale);
    f64::from(v)
}
