//! Metrics, accumulated over an epoch as (sum of per-sample values, sample count), as Keras's
//! `MeanMetricWrapper` does: mae, mse, binary_accuracy (`p > threshold`), categorical accuracy (argmax).

use crate::error::{Error, Result};

/// A metric computed from predictions and targets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// Mean absolute error.
    MeanAbsoluteError,
    /// Mean squared error.
    MeanSquaredError,
    /// Fraction of `(p > threshold) == t`.
    BinaryAccuracy { threshold: f32 },
    /// Fraction of rows whose argmax matches the one-hot target's argmax.
    CategoricalAccuracy,
}

impl Metric {
    /// Look a metric up by canonical name.
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name {
            "mae" => Metric::MeanAbsoluteError,
            "mse" => Metric::MeanSquaredError,
            "binary_accuracy" => Metric::BinaryAccuracy { threshold: 0.5 },
            "categorical_accuracy" => Metric::CategoricalAccuracy,
            _ => return Err(Error::value(format!("Unknown metric: {name:?}"))),
        })
    }

    /// The sum over rows of per-sample values; `pred` and `target` rows are `width` wide.
    pub fn sum(&self, pred: &[f32], target: &[f32], width: usize) -> f64 {
        if width == 0 {
            return 0.0;
        }
        let rows = pred.chunks_exact(width);
        match *self {
            Metric::CategoricalAccuracy => {
                rows.zip(target.chunks_exact(width)).map(|(p, t)| f64::from(u8::from(argmax(p) == argmax(t)))).sum()
            }
            m => {
                let inv = 1.0 / width as f64;
                rows.zip(target.chunks_exact(width))
                    .map(|(p, t)| {
                        let s: f32 = p.iter().zip(t).map(|(&p, &t)| m.element(p, t)).sum();
                        s as f64 * inv
                    })
                    .sum()
            }
        }
    }

    fn element(&self, p: f32, t: f32) -> f32 {
        match *self {
            Metric::MeanAbsoluteError => (p - t).abs(),
            Metric::MeanSquaredError => (p - t) * (p - t),
            Metric::BinaryAccuracy { threshold } => f32::from(u8::from((p > threshold) as u8 as f32 == t)),
            _ => 0.0,
        }
    }
}

fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_accuracy_is_strict() {
        let m = Metric::BinaryAccuracy { threshold: 0.5 };
        assert_eq!(m.sum(&[0.5, 0.51, 0.2, 0.9], &[0.0, 1.0, 1.0, 0.0], 1), 2.0);
    }

    #[test]
    fn categorical() {
        let p = [0.1, 0.7, 0.2, 0.5, 0.3, 0.2];
        assert_eq!(Metric::CategoricalAccuracy.sum(&p, &[0.0, 1.0, 0.0, 0.0, 0.0, 1.0], 3), 1.0);
    }
}
