//! Metrics, accumulated over an epoch as (sum of per-sample values, sample count), as Keras's
//! `MeanMetricWrapper` does: mae, mse, mape, binary_accuracy (`p > threshold`), categorical accuracy (argmax),
//! its sparse form (targets are class ids), and top-k accuracy (the target class scores among the k highest;
//! ties count as hits, as TensorFlow's `in_top_k`); RMSE is the root of the mse mean. The stateful metrics
//! (confusion counts, precision, recall, AUC, R²) also keep a state vector of sums (`extra_width` values) from
//! which `finish` computes their values once per report, the same on every backend. A loss can be a metric
//! too (Keras's crossentropy, hinge, KL divergence, Poisson, MSLE and log-cosh metrics): the mean of its
//! per-sample values, read from the logits of a final sigmoid or softmax where the loss itself would read
//! them (see `reads_logits`).

pub mod auc;
pub mod confusion;
pub mod fbeta;
pub mod r2;
mod spec;

use crate::error::{Error, Result};
use crate::loss::Loss;

pub use confusion::{Confusion, Report};
pub use fbeta::FBeta;
pub use r2::R2;

/// A metric computed from predictions and targets.
#[derive(Debug, Clone, PartialEq)]
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
    /// Mean of `100·|y − p| / max(|y|, 1e-7)`.
    MeanAbsolutePercentageError,
    /// The square root of the mean squared error's mean.
    RootMeanSquaredError,
    /// Counts per threshold: TP … FN, precision, recall, AUC.
    Confusion(Box<Confusion>),
    /// The coefficient of determination.
    R2(R2),
    /// The mean of a loss's per-sample values.
    Loss(Loss),
    /// Fraction of values equal to their targets (Keras's `Accuracy`).
    ExactAccuracy,
    /// Mean over rows of the cosine of the angle between prediction and target.
    CosineSimilarity,
    /// F-beta scores from per-column counts.
    FBeta(FBeta),
}

impl Metric {
    /// Look a metric up by canonical name; top-k ones take `name:k` (k defaults to 5), and others their
    /// options as `name:key=value;key=value` (see spec.rs).
    pub fn from_name(spec: &str) -> Result<Self> {
        spec::parse(spec)
    }

    /// Whether its targets are class ids (one per row) rather than rows like the predictions.
    pub fn sparse_targets(&self) -> bool {
        matches!(
            self,
            Metric::SparseCategoricalAccuracy
                | Metric::SparseTopKCategoricalAccuracy { .. }
                | Metric::Loss(Loss::SparseCategoricalCrossentropy { .. })
        )
    }

    /// Whether it reads the logits of a final sigmoid or softmax instead of the output, where there are such
    /// logits: the crossentropy metrics, as Keras on TensorFlow computes them (the output of its sigmoid and
    /// softmax carries their logits, which its crossentropy reads whatever the loss is).
    pub fn reads_logits(&self) -> bool {
        matches!(self, Metric::Loss(l) if l.reads_final_logits())
    }

    /// `sum` weighted per row: `Σ w·value` (Keras's `weighted_metrics`).
    pub fn weighted_sum(&self, pred: &[f32], target: &[f32], width: usize, weights: Option<&[f32]>) -> f64 {
        if let Metric::Loss(l) = self {
            return l.weighted_sum(pred, target, width, false, weights, None);
        }
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
        match self {
            Metric::Confusion(_) | Metric::R2(_) | Metric::FBeta(_) => 0.0,
            Metric::Loss(l) => l.sum(pred, target, width, false, None),
            Metric::CosineSimilarity => {
                rows.zip(target.chunks_exact(width)).map(|(p, t)| f64::from(cosine(p, t))).sum()
            }
            Metric::CategoricalAccuracy => {
                rows.zip(target.chunks_exact(width)).map(|(p, t)| f64::from(u8::from(argmax(p) == argmax(t)))).sum()
            }
            Metric::SparseCategoricalAccuracy => {
                rows.zip(target).map(|(p, &t)| f64::from(u8::from(argmax(p) as f32 == t))).sum()
            }
            &Metric::TopKCategoricalAccuracy { k } => hits(&|r| argmax(&target[r * width..(r + 1) * width]), k),
            &Metric::SparseTopKCategoricalAccuracy { k } => hits(&|r| class_of(target[r], width), k),
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

    /// Values it keeps beside its scalar sum (0 for the mean-type metrics).
    pub fn extra_width(&self) -> usize {
        match self {
            Metric::Confusion(c) => c.state_width(),
            Metric::R2(r) => r.state_width(),
            Metric::FBeta(f) => f.state_width(),
            _ => 0,
        }
    }

    /// Values it reports (a vector for several thresholds, or R² per column).
    pub fn out_len(&self) -> usize {
        match self {
            Metric::Confusion(c) => c.out_len(),
            Metric::R2(r) => r.out_len(),
            Metric::FBeta(f) => f.out_len(),
            _ => 1,
        }
    }

    /// Whether its value is its scalar sum's mean (no state, no final step).
    pub fn is_mean(&self) -> bool {
        !matches!(self, Metric::Confusion(_) | Metric::R2(_) | Metric::FBeta(_) | Metric::RootMeanSquaredError)
    }

    /// Check its options against the model's output `width` and keep what depends on it.
    pub fn settle(&mut self, width: usize) -> Result<()> {
        match self {
            Metric::Confusion(c) => c.settle(width),
            Metric::R2(r) => {
                r.width = width;
                Ok(())
            }
            Metric::FBeta(f) => {
                f.width = width;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Add a batch to its scalar sum and its state `extra` (`extra_width` values); `w` weights the rows of a
    /// `weighted_metrics` entry.
    pub fn accumulate(&self, out: Outputs<'_>, target: &[f32], w: Option<&[f32]>, sum: &mut f64, extra: &mut [f64]) {
        let (pred, width) = (out.pred, out.width);
        match self {
            Metric::Confusion(c) => c.accumulate(pred, target, w, extra),
            Metric::R2(r) => r.accumulate(pred, target, w, extra),
            Metric::FBeta(f) => f.accumulate(pred, target, w, extra),
            Metric::Loss(l) => match out.logits.filter(|_| self.reads_logits()) {
                Some(z) => *sum += l.weighted_sum(z, target, width, true, w, None),
                None => *sum += self.weighted_sum(pred, target, width, w),
            },
            m => *sum += m.weighted_sum(pred, target, width, w),
        }
    }

    /// Append its values to `out`, from its scalar sum's `mean` and its summed state over `rows` rows.
    pub fn finish(&self, mean: f64, extra: &[f64], rows: usize, out: &mut Vec<f64>) {
        match self {
            Metric::Confusion(c) => c.finish(extra, out),
            Metric::R2(r) => r.finish(extra, rows, out),
            Metric::FBeta(f) => f.finish(extra, out),
            Metric::RootMeanSquaredError => out.push(mean.sqrt()),
            _ => out.push(mean),
        }
    }

    fn element(&self, p: f32, t: f32) -> f32 {
        match *self {
            Metric::MeanAbsoluteError => (p - t).abs(),
            Metric::MeanSquaredError | Metric::RootMeanSquaredError => (p - t) * (p - t),
            Metric::MeanAbsolutePercentageError => 100.0 * ((t - p) / t.abs().max(1e-7)).abs(),
            Metric::BinaryAccuracy { threshold } => f32::from(u8::from((p > threshold) as u8 as f32 == t)),
            Metric::ExactAccuracy => f32::from(u8::from(p == t)),
            _ => 0.0,
        }
    }
}

/// A batch's outputs as the metrics read them: the predictions (rows `width` wide) and, where the network ends
/// in a sigmoid or softmax, that activation's input (see `Metric::reads_logits`).
#[derive(Clone, Copy)]
pub struct Outputs<'a> {
    pub pred: &'a [f32],
    pub logits: Option<&'a [f32]>,
    pub width: usize,
}

impl<'a> Outputs<'a> {
    /// Predictions without logits.
    pub fn new(pred: &'a [f32], width: usize) -> Self {
        Outputs { pred, logits: None, width }
    }
}

/// Add a batch of outputs and targets to a pass's sums `[w·loss, metric..., w, state...]` (see
/// `backend::Averaging`): each metric's sum (the ones from `weighted_from` on weighted by `w`), the weights
/// (the rows when there are none), and the stateful metrics' states.
pub fn accumulate_all(
    metrics: &[Metric],
    weighted_from: usize,
    out: Outputs<'_>,
    target: &[f32],
    w: Option<&[f32]>,
    sums: &mut [f64],
) {
    let n = metrics.len();
    let rows = out.pred.len() / out.width.max(1);
    let (head, states) = sums.split_at_mut(n + 2);
    let mut at = 0;
    for (i, (sum, metric)) in head[1..=n].iter_mut().zip(metrics).enumerate() {
        let extra = &mut states[at..at + metric.extra_width()];
        at += extra.len();
        metric.accumulate(out, target, if i >= weighted_from { w } else { None }, sum, extra);
    }
    head[n + 1] += w.map_or(rows as f64, |w| w.iter().map(|&v| f64::from(v)).sum());
}

/// Refuse metrics that cannot read the targets as `loss` takes them: class ids (a sparse loss) or rows like
/// the predictions; and a sparse crossentropy metric beside a loss that ignores a label, which names no class.
pub fn check_with_loss(metrics: &[Metric], loss: &Loss) -> Result<()> {
    if let Some(m) = metrics.iter().find(|m| m.sparse_targets() != loss.target_width(2).eq(&1)) {
        let (want, have) = if m.sparse_targets() {
            ("class ids", "rows like the predictions")
        } else {
            ("rows like the predictions", "class ids")
        };
        return Err(Error::value(format!(
            "The metric {m:?} reads targets as {want}, but the loss {loss:?} takes {have}. Received: \
             metrics=[{m:?}] with that loss"
        )));
    }
    let sparse_ce = |m: &&Metric| matches!(m, Metric::Loss(Loss::SparseCategoricalCrossentropy { .. }));
    if let (Some(c), Some(m)) = (loss.ignored_label(), metrics.iter().find(sparse_ce)) {
        // Its class ids would include the ignored label, which names no class (Keras's sparse crossentropy
        // raises at such a label).
        return Err(Error::value(format!(
            "The metric {m:?} reads every target as a class id, but the loss ignores the label {c}, which is \
             not one. Received: metrics=[{m:?}] with loss {loss:?}"
        )));
    }
    Ok(())
}

/// Add the sums `src` of some rows to `dst`'s (both laid out as `accumulate_all` fills them): each value added,
/// and each R² state merged, its shift moved to `dst`'s ([`r2::merge`]). The sums of batches or chunks taken
/// apart (a stream's, a device's) so make the sums of their rows taken together.
pub fn add_sums(metrics: &[Metric], dst: &mut [f64], src: &[f64]) {
    let head = metrics.len() + 2;
    for (d, s) in dst[..head].iter_mut().zip(&src[..head]) {
        *d += s;
    }
    let mut at = head;
    for m in metrics {
        let width = m.extra_width();
        let (d, s) = (&mut dst[at..at + width], &src[at..at + width]);
        if let Metric::R2(_) = m {
            for (d, s) in d.chunks_exact_mut(r2::STATE).zip(s.chunks_exact(r2::STATE)) {
                r2::merge(d, s);
            }
        } else {
            d.iter_mut().zip(s).for_each(|(d, s)| *d += s);
        }
        at += width;
    }
}

/// Add sums laid out as `add_sums` takes them, one row of `dst.len()` float32 values each (a device's sums of
/// its steps or chunks), to `dst`.
pub fn add_rows(metrics: &[Metric], dst: &mut [f64], rows: &[f32]) {
    let mut row64 = vec![0.0; dst.len()];
    for row in rows.chunks_exact(dst.len().max(1)) {
        row64.iter_mut().zip(row).for_each(|(a, &v)| *a = f64::from(v));
        add_sums(metrics, dst, &row64);
    }
}

/// A pass's values `[loss, metric values...]` from its sums `[w·loss, metric..., w, state...]` over `rows`
/// rows (see `backend::Averaging`), into `out`.
pub fn finish_all(metrics: &[Metric], weighted_from: usize, sums: &[f64], rows: usize, out: &mut Vec<f64>) {
    let n = metrics.len();
    let w = sums.get(n + 1).copied().unwrap_or(0.0);
    let div = |s: f64, den: f64| if den == 0.0 { 0.0 } else { s / den };
    out.clear();
    out.push(div(sums[0], rows as f64));
    let mut at = n + 2;
    for (i, m) in metrics.iter().enumerate() {
        let extra = &sums[at..at + m.extra_width()];
        at += extra.len();
        m.finish(div(sums[i + 1], if i >= weighted_from { w } else { rows as f64 }), extra, rows, out);
    }
}

/// Keras's `cosine_similarity` of a row: each side scaled by `min(1/√Σx², 1/ε)` (ε = 1e-7), then their dot
/// product, in float32.
fn cosine(p: &[f32], t: &[f32]) -> f32 {
    let inv = |v: &[f32]| (1.0 / v.iter().map(|x| x * x).sum::<f32>().sqrt()).min(1e7);
    let (ip, it) = (inv(p), inv(t));
    p.iter().zip(t).map(|(&p, &t)| (t * it) * (p * ip)).sum()
}

/// A class id as an index (out of range ids are `width`, which no prediction matches).
fn class_of(t: f32, width: usize) -> usize {
    if t >= 0.0 && t.fract() == 0.0 && (t as usize) < width {
        t as usize
    } else {
        width
    }
}

/// Whether `class` is among the `k` highest of `p`: fewer than `k` values beat it (ties are hits). A row with
/// a NaN or infinite value is a miss whatever its class, as TensorFlow's `in_top_k` decides (it cannot rank it).
fn in_top_k(p: &[f32], class: usize, k: usize) -> bool {
    p.get(class).is_some_and(|&v| p.iter().all(|x| x.is_finite()) && p.iter().filter(|&&x| x > v).count() < k)
}

/// TensorFlow's argmax: the largest value that is not NaN (the first on ties), 0 when all are NaN.
fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] || (v[best].is_nan() && !x.is_nan()) {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests;
