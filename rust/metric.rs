//! Metrics, accumulated over an epoch as (sum of per-sample values, sample count), as Keras's
//! `MeanMetricWrapper` does: mae, mse, binary_accuracy (`p > threshold`), categorical accuracy (argmax), its
//! sparse form (targets are class ids), and top-k accuracy (the target class scores among the k highest; ties
//! count as hits, as TensorFlow's `in_top_k`).

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
    /// Fraction of rows whose argmax is the target class id.
    SparseCategoricalAccuracy,
    /// Fraction of rows whose one-hot target's class is among the `k` highest predictions.
    TopKCategoricalAccuracy { k: usize },
    /// Fraction of rows whose target class id is among the `k` highest predictions.
    SparseTopKCategoricalAccuracy { k: usize },
}

impl Metric {
    /// Look a metric up by canonical name; top-k ones take `name:k` (k defaults to 5).
    pub fn from_name(spec: &str) -> Result<Self> {
        let (name, k) = match spec.split_once(':') {
            Some((name, k)) => {
                let k = k
                    .parse::<usize>()
                    .ok()
                    .filter(|&k| k > 0)
                    .ok_or_else(|| Error::value(format!("k must be a positive integer. Received: k={k:?}")))?;
                (name, k)
            }
            None => (spec, 5),
        };
        Ok(match name {
            "mae" => Metric::MeanAbsoluteError,
            "mse" => Metric::MeanSquaredError,
            "binary_accuracy" => Metric::BinaryAccuracy { threshold: 0.5 },
            "categorical_accuracy" => Metric::CategoricalAccuracy,
            "sparse_categorical_accuracy" => Metric::SparseCategoricalAccuracy,
            "top_k_categorical_accuracy" => Metric::TopKCategoricalAccuracy { k },
            "sparse_top_k_categorical_accuracy" => Metric::SparseTopKCategoricalAccuracy { k },
            _ => return Err(Error::value(format!("Unknown metric: {spec:?}"))),
        })
    }

    /// Whether its targets are class ids (one per row) rather than rows like the predictions.
    pub fn sparse_targets(&self) -> bool {
        matches!(self, Metric::SparseCategoricalAccuracy | Metric::SparseTopKCategoricalAccuracy { .. })
    }

    /// `sum` weighted per row: `Σ w·value` (Keras's `weighted_metrics`).
    pub fn weighted_sum(&self, pred: &[f32], target: &[f32], width: usize, weights: Option<&[f32]>) -> f64 {
        match weights {
            None => self.sum(pred, target, width),
            Some(w) => (0..w.len().min(pred.len() / width.max(1)))
                .map(|r| {
                    let tw = if self.sparse_targets() { 1 } else { width };
                    let p = &pred[r * width..(r + 1) * width];
                    f64::from(w[r]) * self.sum(p, &target[r * tw..(r + 1) * tw], width)
                })
                .sum(),
        }
    }

    /// The sum over rows of per-sample values; `pred` rows are `width` wide, `target` rows `width` wide, or
    /// one class id with `sparse_targets`.
    pub fn sum(&self, pred: &[f32], target: &[f32], width: usize) -> f64 {
        if width == 0 {
            return 0.0;
        }
        let rows = pred.chunks_exact(width);
        let hits = |class: &dyn Fn(usize) -> usize, k: usize| -> f64 {
            rows.clone().enumerate().map(|(r, p)| f64::from(u8::from(in_top_k(p, class(r), k)))).sum()
        };
        match *self {
            Metric::CategoricalAccuracy => {
                rows.zip(target.chunks_exact(width)).map(|(p, t)| f64::from(u8::from(argmax(p) == argmax(t)))).sum()
            }
            Metric::SparseCategoricalAccuracy => {
                rows.zip(target).map(|(p, &t)| f64::from(u8::from(argmax(p) as f32 == t))).sum()
            }
            Metric::TopKCategoricalAccuracy { k } => hits(&|r| argmax(&target[r * width..(r + 1) * width]), k),
            Metric::SparseTopKCategoricalAccuracy { k } => hits(&|r| class_of(target[r], width), k),
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

/// A class id as an index (out of range ids are `width`, which no prediction matches).
fn class_of(t: f32, width: usize) -> usize {
    if t >= 0.0 && t.fract() == 0.0 && (t as usize) < width {
        t as usize
    } else {
        width
    }
}

/// Whether `class` is among the `k` highest of `p`: fewer than `k` values beat it (ties are hits).
fn in_top_k(p: &[f32], class: usize, k: usize) -> bool {
    p.get(class).is_some_and(|&v| p.iter().filter(|&&x| x > v).count() < k)
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
    fn sparse_and_top_k() {
        let p = [0.1, 0.7, 0.2, 0.5, 0.3, 0.2];
        assert_eq!(Metric::SparseCategoricalAccuracy.sum(&p, &[1.0, 2.0], 3), 1.0);
        // Keras's golden: k=1 on [[0,0,1],[0,1,0]] vs [[.1,.9,.8],[.05,.95,0]] gives 0.5.
        let p = [0.1, 0.9, 0.8, 0.05, 0.95, 0.0];
        let one_hot = [0.0, 0.0, 1.0, 0.0, 1.0, 0.0];
        assert_eq!(Metric::TopKCategoricalAccuracy { k: 1 }.sum(&p, &one_hot, 3), 1.0);
        assert_eq!(Metric::TopKCategoricalAccuracy { k: 2 }.sum(&p, &one_hot, 3), 2.0);
        assert_eq!(Metric::SparseTopKCategoricalAccuracy { k: 1 }.sum(&p, &[2.0, 1.0], 3), 1.0);
        // Ties count as hits, as TensorFlow's in_top_k.
        assert_eq!(Metric::SparseTopKCategoricalAccuracy { k: 1 }.sum(&[0.5, 0.5, 0.0], &[0.0], 3), 1.0);
        assert_eq!(
            Metric::from_name("top_k_categorical_accuracy:3").unwrap(),
            Metric::TopKCategoricalAccuracy { k: 3 }
        );
        assert!(Metric::from_name("top_k_categorical_accuracy:0").is_err());
    }

    #[test]
    fn categorical() {
        let p = [0.1, 0.7, 0.2, 0.5, 0.3, 0.2];
        assert_eq!(Metric::CategoricalAccuracy.sum(&p, &[0.0, 1.0, 0.0, 0.0, 0.0, 1.0], 3), 1.0);
    }
}
