//! Keras's `FBetaScore` and `F1Score` (β = 1): per output column the weighted sums `[TP, FP, FN, Σw·y]` of a
//! decision `d` (`p > threshold`, or without a threshold `p` at its row's maximum and `|p| > 1e-9`) against the
//! target `y` taken as a number (`TP = Σw·d·y`, `FP = Σw·d·(1−y)`, `FN = Σw·(1−d)·y`); then with ε = 1e-7
//! `precision = TP/(TP+FP+ε)`, `recall = TP/(TP+FN+ε)`, `f = (1+β²)·pr/(β²p + r + ε)`, reported per column, as
//! their mean (`macro`), their mean weighted by each column's `Σw·y` (`weighted`), or from the columns' sums
//! (`micro`).

use crate::error::{Error, Result};

/// Sums kept per column.
pub const STATE: usize = 4;

/// Keras's `backend.epsilon()`.
const EPSILON: f64 = 1e-7;

/// Keras's `average`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Average {
    /// One value per column.
    None,
    /// From the sums over the columns.
    Micro,
    /// The columns' mean.
    Macro,
    /// The columns' mean weighted by their targets' sums.
    Weighted,
}

/// An `FBetaScore`'s configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FBeta {
    pub beta: f32,
    /// Without one, a row's largest prediction is its positive.
    pub threshold: Option<f32>,
    pub average: Average,
    /// Output columns (set when compiled).
    pub width: usize,
}

impl FBeta {
    /// From Keras's arguments (`average` given as "none" for None); each checked as Keras checks it.
    pub fn new(beta: f32, threshold: Option<f32>, average: &str) -> Result<Self> {
        let average = match average {
            "none" | "None" => Average::None,
            "micro" => Average::Micro,
            "macro" => Average::Macro,
            "weighted" => Average::Weighted,
            _ => {
                return Err(Error::value(format!(
                    "Invalid `average` argument value. Expected one of: {{None, 'micro', 'macro', 'weighted'}}. \
                     Received: average={average}"
                )))
            }
        };
        if beta.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !beta.is_finite() {
            return Err(Error::value(format!(
                "Invalid `beta` argument value. It should be > 0. Received: beta={beta}"
            )));
        }
        if let Some(t) = threshold.filter(|t| !(*t > 0.0 && *t <= 1.0)) {
            return Err(Error::value(format!(
                "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. Received: threshold={t}"
            )));
        }
        Ok(FBeta { beta, threshold, average, width: 0 })
    }

    /// State values: the four sums per column.
    pub fn state_width(&self) -> usize {
        STATE * self.width
    }

    /// Values reported.
    pub fn out_len(&self) -> usize {
        if self.average == Average::None {
            self.width
        } else {
            1
        }
    }

    /// Whether `p`, in a row whose largest value is `max`, is a positive decision.
    #[inline]
    pub fn decides(&self, p: f32, max: f32) -> bool {
        match self.threshold {
            Some(t) => p > t,
            None => p >= max && p.abs() > 1e-9,
        }
    }

    /// Add a batch (rows `width` wide; `w` per row) to `state`.
    pub fn accumulate(&self, pred: &[f32], target: &[f32], w: Option<&[f32]>, state: &mut [f64]) {
        let width = self.width.max(1);
        for (r, (p, t)) in pred.chunks_exact(width).zip(target.chunks_exact(width)).enumerate() {
            let rw = w.map_or(1.0, |w| f64::from(w[r]));
            let max = p.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            for ((s, &p), &y) in state.chunks_exact_mut(STATE).zip(p).zip(t) {
                let (d, y) = (f64::from(u8::from(self.decides(p, max))), f64::from(y));
                s[0] += rw * d * y;
                s[1] += rw * d * (1.0 - y);
                s[2] += rw * (1.0 - d) * y;
                s[3] += rw * y;
            }
        }
    }

    /// Append the result to `out`.
    pub fn finish(&self, state: &[f64], out: &mut Vec<f64>) {
        let b2 = f64::from(self.beta) * f64::from(self.beta);
        let score = |s: &[f64]| {
            let precision = s[0] / (s[0] + s[1] + EPSILON);
            let recall = s[0] / (s[0] + s[2] + EPSILON);
            precision * recall / (b2 * precision + recall + EPSILON) * (1.0 + b2)
        };
        let columns = state.chunks_exact(STATE);
        match self.average {
            Average::None => out.extend(columns.map(score)),
            Average::Micro => {
                let mut total = [0.0; STATE];
                columns.for_each(|s| total.iter_mut().zip(s).for_each(|(t, v)| *t += v));
                out.push(score(&total));
            }
            Average::Macro => out.push(columns.clone().map(score).sum::<f64>() / self.width.max(1) as f64),
            Average::Weighted => {
                let support: f64 = columns.clone().map(|s| s[3]).sum();
                out.push(columns.map(|s| score(s) * (s[3] / (support + EPSILON))).sum());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keras's docstring example: F1Score(threshold=0.5) gives [0.5, 0.8, 0.6666667].
    #[test]
    fn keras_example() {
        let mut f = FBeta::new(1.0, Some(0.5), "none").unwrap();
        f.width = 3;
        let t = [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0];
        let p = [0.2, 0.6, 0.7, 0.2, 0.6, 0.6, 0.6, 0.8, 0.0];
        let mut state = vec![0.0; f.state_width()];
        f.accumulate(&p, &t, None, &mut state);
        let mut out = Vec::new();
        f.finish(&state, &mut out);
        for (got, want) in out.iter().zip([0.5, 0.8, 0.6666667]) {
            assert!((got - want).abs() < 1e-6, "{out:?}");
        }
        assert!(FBeta::new(0.0, None, "none").is_err() && FBeta::new(1.0, Some(1.5), "none").is_err());
        assert!(FBeta::new(1.0, None, "mean").is_err());
    }
}
