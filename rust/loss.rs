//! Losses: per-sample value = mean over the last axis, batch value = mean over samples (Keras's
//! `sum_over_batch_size`). Each writes the gradient of the batch value with respect to its input.
//!
//! MAE `|p−t|`, MSE `(p−t)²`, Huber `½e² if |e|≤δ else δ|e|−½δ²`, binary crossentropy
//! `−[t·ln p + (1−t)·ln(1−p)]` with `p` clipped to `[1e-7, 1−1e-7]`, or from logits
//! `max(z,0) − z·t + ln(1+e^{−|z|})`.

use crate::activation::sigmoid;
use crate::error::{Error, Result};

/// Keras's `backend.epsilon()`.
pub const EPSILON: f32 = 1e-7;

/// A loss function and its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Loss {
    /// Mean absolute error.
    MeanAbsoluteError,
    /// Mean squared error.
    MeanSquaredError,
    /// Huber loss with threshold `delta`.
    Huber { delta: f32 },
    /// Binary crossentropy on probabilities, or on logits when `from_logits`.
    BinaryCrossentropy { from_logits: bool, label_smoothing: f32 },
}

impl Loss {
    /// Look a loss up by canonical name: `mae`, `mse`, `huber`, `binary_crossentropy`.
    pub fn from_name(name: &str, delta: f32, from_logits: bool, label_smoothing: f32) -> Result<Self> {
        Ok(match name {
            "mae" => Loss::MeanAbsoluteError,
            "mse" => Loss::MeanSquaredError,
            "huber" => {
                if delta.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                    return Err(Error::value(format!("Huber delta must be positive. Received: delta={delta}")));
                }
                Loss::Huber { delta }
            }
            "binary_crossentropy" => {
                if !(0.0..=1.0).contains(&label_smoothing) {
                    return Err(Error::value(format!(
                        "label_smoothing must be in [0, 1]. Received: label_smoothing={label_smoothing}"
                    )));
                }
                Loss::BinaryCrossentropy { from_logits, label_smoothing }
            }
            _ => return Err(Error::value(format!("Unknown loss: {name:?}"))),
        })
    }

    /// Whether this loss may be computed from a final sigmoid's logits instead of its output, as Keras on
    /// TensorFlow does: its binary cross-entropy reads the logits the sigmoid was applied to.
    pub fn takes_sigmoid_logits(&self) -> bool {
        matches!(self, Loss::BinaryCrossentropy { from_logits: false, .. })
    }

    /// The sum over the batch of per-sample losses, and (when `grad` is given) `grad ← ∂(batch mean)/∂input`.
    ///
    /// `input` holds predictions, or logits when `logits` (which the caller sets for binary crossentropy
    /// computed through a final sigmoid, or with `from_logits`). Rows are `width` wide; `target` has the same
    /// shape as `input`.
    pub fn sum(&self, input: &[f32], target: &[f32], width: usize, logits: bool, grad: Option<&mut [f32]>) -> f64 {
        if width == 0 || input.is_empty() {
            return 0.0;
        }
        let rows = input.len() / width;
        let inv_width = 1.0 / width as f64;
        let scale = 1.0 / (rows * width) as f32;
        let mut total = 0.0f64;
        match grad {
            Some(g) => {
                for ((i, t), g) in
                    input.chunks_exact(width).zip(target.chunks_exact(width)).zip(g.chunks_exact_mut(width))
                {
                    let mut row = 0.0f32;
                    for ((&p, &t), g) in i.iter().zip(t).zip(g.iter_mut()) {
                        let (v, d) = self.element(p, t, logits);
                        row += v;
                        *g = d * scale;
                    }
                    total += row as f64 * inv_width;
                }
            }
            None => {
                for (i, t) in input.chunks_exact(width).zip(target.chunks_exact(width)) {
                    let row: f32 = i.iter().zip(t).map(|(&p, &t)| self.element(p, t, logits).0).sum();
                    total += row as f64 * inv_width;
                }
            }
        }
        total
    }

    /// Element loss and its derivative with respect to the prediction (or logit).
    #[inline]
    fn element(&self, p: f32, t: f32, logits: bool) -> (f32, f32) {
        match *self {
            Loss::MeanAbsoluteError => {
                let e = p - t;
                (
                    e.abs(),
                    if e > 0.0 {
                        1.0
                    } else if e < 0.0 {
                        -1.0
                    } else {
                        0.0
                    },
                )
            }
            Loss::MeanSquaredError => {
                let e = p - t;
                (e * e, 2.0 * e)
            }
            Loss::Huber { delta } => {
                let e = p - t;
                let a = e.abs();
                if a <= delta {
                    (0.5 * e * e, e)
                } else {
                    (delta * a - 0.5 * delta * delta, delta * e.signum())
                }
            }
            Loss::BinaryCrossentropy { from_logits, label_smoothing } => {
                let t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing;
                if logits || from_logits {
                    let z = p;
                    let v = z.max(0.0) - z * t + (-z.abs()).exp().ln_1p();
                    (v, sigmoid(z) - t)
                } else {
                    let hi = 1.0 - EPSILON;
                    let q = p.clamp(EPSILON, hi);
                    let v = -(t * q.ln() + (1.0 - t) * (1.0 - q).ln());
                    // Clipping passes no gradient outside [eps, 1-eps], as tf.clip_by_value.
                    let d = if p < EPSILON || p > hi { 0.0 } else { -(t / q) + (1.0 - t) / (1.0 - q) };
                    (v, d)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mae_keras_example() {
        // keras.losses.MeanAbsoluteError()([[0,1],[0,0]], [[1,1],[1,0]]) == 0.5
        // (the tf-keras MeanAbsoluteError docstring example).
        let v = Loss::MeanAbsoluteError.sum(&[1.0, 1.0, 1.0, 0.0], &[0.0, 1.0, 0.0, 0.0], 2, false, None);
        assert!((v / 2.0 - 0.5).abs() < 1e-7);
    }

    #[test]
    fn bce_clipped_golden_values() {
        let l = Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 };
        let a = l.sum(&[1.0], &[0.0], 1, false, None);
        let b = l.sum(&[0.0], &[1.0], 1, false, None);
        assert!((a - 15.942385).abs() < 1e-5, "{a}");
        assert!((b - 16.118095).abs() < 1e-5, "{b}");
        // A saturated wrong prediction through the logits path scores the logit itself.
        let c = l.sum(&[50.0], &[0.0], 1, true, None);
        assert!((c - 50.0).abs() < 1e-5);
    }

    #[test]
    fn gradients_match_finite_differences() {
        let losses = [
            Loss::MeanAbsoluteError,
            Loss::MeanSquaredError,
            Loss::Huber { delta: 1.0 },
            Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.1 },
            Loss::BinaryCrossentropy { from_logits: true, label_smoothing: 0.0 },
        ];
        let p = [0.3f32, 0.8, 0.45, 0.1, 2.5, 0.6];
        let t = [0.0f32, 1.0, 1.0, 0.0, 1.0, 0.0];
        for l in losses {
            let mut g = [0.0f32; 6];
            l.sum(&p, &t, 3, false, Some(&mut g));
            for i in 0..6 {
                let h = 1e-3;
                let mut pp = p;
                pp[i] += h;
                let mut pm = p;
                pm[i] -= h;
                let num = (l.sum(&pp, &t, 3, false, None) - l.sum(&pm, &t, 3, false, None)) / 2.0 / 2.0 / h as f64;
                assert!((g[i] as f64 - num).abs() < 1e-3, "{l:?} {i}: {} vs {num}", g[i]);
            }
        }
    }
}
