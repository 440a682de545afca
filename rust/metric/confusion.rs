//! Keras's confusion-matrix metrics (`TruePositives` … `FalseNegatives`, `Precision`, `Recall`, `AUC`) as
//! weighted counts per threshold and label: a prediction `p` is positive at threshold `t` iff `p > t`, a label
//! iff `y != 0`; inputs are flattened (a one-hot row counts one decision per column), `class_id` keeps one
//! column, `top_k` keeps the k largest of a row (the first on ties) and sets the others to −1e10, AUC clips `p`
//! to [0, 1] (after a sigmoid with `from_logits`; the `AtLeast` reports clip too) and, with `multi_label`, counts each column as its own label.
//! The state is `[TP, FP, TN, FN]` per (label, threshold); the values they give are computed in `finish`.

use crate::error::{Error, Result};

pub use super::auc::divide_no_nan;
use super::auc::{self, Curve, Summation};

/// What a confusion metric reports from its counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Report {
    /// One count (0 TP, 1 FP, 2 TN, 3 FN) per threshold.
    Count(usize),
    /// `TP / (TP + FP)` per threshold.
    Precision,
    /// `TP / (TP + FN)` per threshold.
    Recall,
    /// The area under a curve.
    Auc(Curve, Summation),
    /// The largest of one rate over the thresholds where another is at least a value (Keras's
    /// `SensitivityAtSpecificity` and the like), 0 where none is.
    AtLeast(Constrained, f32),
}

/// Which rate is constrained and which is maximised: `(dependent, constrained)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constrained {
    /// Sensitivity where specificity is at least the value.
    SensitivityAtSpecificity,
    /// Specificity where sensitivity is at least the value.
    SpecificityAtSensitivity,
    /// Precision where recall is at least the value.
    PrecisionAtRecall,
    /// Recall where precision is at least the value.
    RecallAtPrecision,
}

/// A confusion metric's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Confusion {
    /// What it reports.
    pub report: Report,
    /// The thresholds (for AUC with its two ends).
    pub thresholds: Vec<f32>,
    /// Keep only the k largest predictions of a row.
    pub top_k: Option<usize>,
    /// Count only this column.
    pub class_id: Option<usize>,
    /// AUC: one set of counts per output column.
    pub multi_label: bool,
    /// AUC: the number of labels asked for (checked against the output width).
    pub num_labels: Option<usize>,
    /// AUC: per-column weights (the decisions' weights, or with `multi_label` the mean of the labels' AUCs).
    pub label_weights: Option<Vec<f32>>,
    /// AUC: apply a sigmoid to the predictions first.
    pub from_logits: bool,
    /// AUC: clip the predictions to [0, 1], as Keras's bucketed count of evenly spaced thresholds does (other
    /// thresholds compare the predictions as they are).
    pub clip: bool,
    /// Columns of the output (set by `settle`).
    pub width: usize,
}

/// The value a prediction not among the `top_k` becomes.
const NEG_INF: f32 = -1e10;

impl Confusion {
    /// A metric over `thresholds` with no other option.
    pub fn new(report: Report, thresholds: Vec<f32>) -> Self {
        Confusion {
            report,
            thresholds,
            top_k: None,
            class_id: None,
            multi_label: false,
            num_labels: None,
            label_weights: None,
            from_logits: false,
            clip: false,
            width: 0,
        }
    }

    fn is_auc(&self) -> bool {
        matches!(self.report, Report::Auc(..))
    }

    /// Count sets: one per label with `multi_label`, else one.
    pub fn labels(&self) -> usize {
        if self.multi_label {
            self.width.max(1)
        } else {
            1
        }
    }

    /// State values: 4 counts per threshold and label.
    pub fn state_width(&self) -> usize {
        4 * self.thresholds.len() * self.labels()
    }

    /// Values reported: one per threshold (a single one for AUC).
    pub fn out_len(&self) -> usize {
        if self.is_auc() || matches!(self.report, Report::AtLeast(..)) {
            1
        } else {
            self.thresholds.len()
        }
    }

    /// Check the options against an output `width` columns wide and keep it.
    pub fn settle(&mut self, width: usize) -> Result<()> {
        self.width = width;
        if self.thresholds.is_empty() || self.thresholds.iter().any(|t| !t.is_finite()) {
            return Err(Error::value(format!("Threshold values must be in [0, 1]. Received: {:?}", self.thresholds)));
        }
        if let Some(k) = self.top_k.filter(|&k| k > width) {
            return Err(Error::value(format!(
                "top_k must be at most the model's output width: input must have last dimension >= k = {k} but is \
                 {width}. Received: top_k={k}"
            )));
        }
        if let Some(c) = self.class_id.filter(|&c| c >= width) {
            return Err(Error::value(format!(
                "class_id must be less than the model's output width {width}. Received: class_id={c}"
            )));
        }
        if let Some(n) = self.num_labels.filter(|&n| self.multi_label && n != width) {
            return Err(Error::value(format!(
                "num_labels must match the model's output width {width}. Received: num_labels={n}"
            )));
        }
        if let Some(lw) = &self.label_weights {
            if lw.len() != width || lw.iter().any(|&v| !v.is_finite() || v < 0.0) {
                return Err(Error::value(format!(
                    "label_weights must hold {width} non-negative values, one per output column. Received: \
                     label_weights={lw:?}"
                )));
            }
        }
        Ok(())
    }

    /// A prediction `p` as it is compared with the thresholds; with `top_k`, `in_top` says whether it is among
    /// its row's k largest (see [`TopCut`]).
    fn value(&self, mut p: f32, in_top: bool) -> f32 {
        if !in_top {
            p = NEG_INF;
        }
        if self.is_auc() && self.from_logits {
            p = crate::activation::sigmoid(p);
        }
        if self.clip {
            p = p.clamp(0.0, 1.0);
        }
        p
    }

    /// Add the counts of `pred` against `target` (rows `width` wide, weighted per row by `w`) to `state`.
    pub fn accumulate(&self, pred: &[f32], target: &[f32], w: Option<&[f32]>, state: &mut [f64]) {
        let (width, n_thr) = (self.width.max(1), self.thresholds.len());
        let cols = match self.class_id {
            Some(c) => c..c + 1,
            None => 0..width,
        };
        for (r, (row, t)) in pred.chunks_exact(width).zip(target.chunks_exact(width)).enumerate() {
            let rw = w.map_or(1.0, |w| f64::from(w[r]));
            let mut cut = self.top_k.map(|k| TopCut::of(row, k, cols.start));
            for c in cols.clone() {
                let mut wt = rw;
                if let (Some(lw), false) = (&self.label_weights, self.multi_label) {
                    wt *= f64::from(lw[c]);
                }
                let p = self.value(row[c], cut.as_mut().is_none_or(|cut| cut.next(row[c])));
                let label = if self.multi_label { c } else { 0 };
                let base = label * n_thr * 4;
                // Positive labels add to TP or FN, negative ones to FP or TN.
                let (above, below) = if t[c] != 0.0 { (0, 3) } else { (1, 2) };
                for (i, &thr) in self.thresholds.iter().enumerate() {
                    state[base + 4 * i + if p > thr { above } else { below }] += wt;
                }
            }
        }
    }

    /// Its values from the summed `state`, appended to `out`.
    pub fn finish(&self, state: &[f64], out: &mut Vec<f64>) {
        let n_thr = self.thresholds.len();
        let at = |i: usize, k: usize| state[4 * i + k];
        match self.report {
            Report::Count(k) => out.extend((0..n_thr).map(|i| at(i, k))),
            Report::Precision => out.extend((0..n_thr).map(|i| divide_no_nan(at(i, 0), at(i, 0) + at(i, 1)))),
            Report::Recall => out.extend((0..n_thr).map(|i| divide_no_nan(at(i, 0), at(i, 0) + at(i, 3)))),
            Report::AtLeast(which, value) => {
                // In float32, as Keras's variables and its `divide_no_nan`.
                let rate = |a: f64, b: f64| if a + b == 0.0 { 0.0 } else { a as f32 / (a + b) as f32 };
                let best = (0..n_thr).fold(0.0f32, |best, i| {
                    let (tp, fp, tn, fn_) = (at(i, 0), at(i, 1), at(i, 2), at(i, 3));
                    let (sensitivity, specificity, precision) = (rate(tp, fn_), rate(tn, fp), rate(tp, fp));
                    let (dependent, constrained) = match which {
                        Constrained::SensitivityAtSpecificity => (sensitivity, specificity),
                        Constrained::SpecificityAtSensitivity => (specificity, sensitivity),
                        Constrained::PrecisionAtRecall => (precision, sensitivity),
                        Constrained::RecallAtPrecision => (sensitivity, precision),
                    };
                    if constrained >= value {
                        best.max(dependent)
                    } else {
                        best
                    }
                });
                out.push(f64::from(best));
            }
            Report::Auc(curve, summation) => {
                let labels = self.labels();
                let per = |l: usize| auc::area(&state[l * 4 * n_thr..(l + 1) * 4 * n_thr], curve, summation);
                let value = match (&self.label_weights, self.multi_label) {
                    (Some(lw), true) => {
                        let total: f64 = lw.iter().map(|&v| f64::from(v)).sum();
                        divide_no_nan((0..labels).map(|l| f64::from(lw[l]) * per(l)).sum(), total)
                    }
                    _ => (0..labels).map(per).sum::<f64>() / labels as f64,
                };
                out.push(value);
            }
        }
    }
}

/// Which values of a row are among its `k` largest, the first ones winning ties: a value's rank is the number
/// of values above it plus the equal ones before it, and it is kept if its rank is below k (a NaN, never
/// above nor equal to anything, has rank 0 and moves no other's). Found as the row's k-th largest value `t`
/// (equal values counted one by one), in at most k passes over the row, rather than by ranking each value
/// against the row (k·width comparisons a row instead of width²); shaders/counts.wgsl does the same.
struct TopCut {
    /// The k-th largest value, or `None` when the row has at most k values that are not NaN (all are kept).
    t: Option<f32>,
    /// How many values equal to `t` are kept: k less the number of values above `t`.
    left: usize,
    /// Values equal to `t` seen so far, in column order.
    seen: usize,
}

impl TopCut {
    /// The cut of `row` for its `k` largest, with the values equal to it in columns before `from` seen.
    fn of(row: &[f32], k: usize, from: usize) -> TopCut {
        let (mut above, mut prev) = (0, None::<f32>);
        for _ in 0..k {
            // The largest value below the last round's (any value in the first round); NaNs never are.
            let below = |v: f32| prev.is_none_or(|q| v < q);
            let Some(best) = row.iter().copied().filter(|&v| below(v) && !v.is_nan()).reduce(f32::max) else {
                break;
            };
            let equal = row.iter().filter(|&&v| v == best).count();
            if above + equal >= k {
                let seen = row[..from.min(row.len())].iter().filter(|&&v| v == best).count();
                return TopCut { t: Some(best), left: k - above, seen };
            }
            above += equal;
            prev = Some(best);
        }
        TopCut { t: None, left: 0, seen: 0 }
    }

    /// Whether the next column's value `p` is kept.
    fn next(&mut self, p: f32) -> bool {
        let Some(t) = self.t else { return true };
        let kept = !(p < t || (p == t && self.seen >= self.left));
        self.seen += usize::from(p == t);
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(m: &Confusion, p: &[f32], t: &[f32], w: Option<&[f32]>) -> Vec<f64> {
        let mut state = vec![0.0; m.state_width()];
        m.accumulate(p, t, w, &mut state);
        let mut out = Vec::new();
        m.finish(&state, &mut out);
        out
    }

    #[test]
    fn keras_goldens() {
        // K3-run: y [0,1,1,1,0], p [.6,.4,.9,.51,.1] give TP 2, TN 1, FP 1, FN 1; 0.5 is negative.
        let (y, p) = ([0.0, 1.0, 1.0, 1.0, 0.0], [0.6, 0.4, 0.9, 0.51, 0.1]);
        for (k, want) in [(0, 2.0), (1, 1.0), (2, 1.0), (3, 1.0)] {
            let mut m = Confusion::new(Report::Count(k), vec![0.5]);
            m.settle(1).unwrap();
            assert_eq!(run(&m, &p, &y, None), vec![want]);
        }
        // Precision(thresholds=[.3,.7]) on y [0,1,1,1], p [.5,.2,.8,.6] gives [2/3, 1].
        let mut m = Confusion::new(Report::Precision, vec![0.3, 0.7]);
        m.settle(1).unwrap();
        let got = run(&m, &[0.5, 0.2, 0.8, 0.6], &[0.0, 1.0, 1.0, 1.0], None);
        assert!((got[0] - 2.0 / 3.0).abs() < 1e-12 && got[1] == 1.0);
        // Docstring: P on [0,1,1,1] vs [1,0,1,1] is 2/3, and 1.0 with sw [0,0,1,0].
        let mut m = Confusion::new(Report::Precision, vec![0.5]);
        m.settle(1).unwrap();
        assert!((run(&m, &[1.0, 0.0, 1.0, 1.0], &[0.0, 1.0, 1.0, 1.0], None)[0] - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(run(&m, &[1.0, 0.0, 1.0, 1.0], &[0.0, 1.0, 1.0, 1.0], Some(&[0.0, 0.0, 1.0, 0.0])), vec![1.0]);
        // Recall(class_id=1) on y [[0,1,0],[0,1,0]], p [[.2,.7,.1],[.6,.3,.1]] gives 0.5.
        let mut m = Confusion::new(Report::Recall, vec![0.5]);
        m.class_id = Some(1);
        m.settle(3).unwrap();
        assert_eq!(run(&m, &[0.2, 0.7, 0.1, 0.6, 0.3, 0.1], &[0.0, 1.0, 0.0, 0.0, 1.0, 0.0], None), vec![0.5]);
        assert!(m.clone().settle(1).is_err());
    }

    fn auc(t: usize, curve: Curve, s: Summation, p: &[f32], y: &[f32], w: Option<&[f32]>) -> f64 {
        let mut m = Confusion::new(Report::Auc(curve, s), auc::even_thresholds(t).unwrap());
        m.settle(1).unwrap();
        run(&m, p, y, w)[0]
    }

    #[test]
    fn auc_goldens() {
        // Docstring: AUC(num_thresholds=3) on y [0,0,1,1], p [0,.5,.3,.9] gives 0.75, 1.0 with sw [1,0,0,1].
        let (p, y) = ([0.0, 0.5, 0.3, 0.9], [0.0, 0.0, 1.0, 1.0]);
        let (roc, interp) = (Curve::Roc, Summation::Interpolation);
        assert!((auc(3, roc, interp, &p, &y, None) - 0.75).abs() < 1e-9);
        assert!((auc(3, roc, interp, &p, &y, Some(&[1.0, 0.0, 0.0, 1.0])) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn top_k_keeps_the_first_of_ties() {
        let mut m = Confusion::new(Report::Count(0), vec![-1e10]);
        m.top_k = Some(1);
        m.settle(3).unwrap();
        // Row [.5,.5,0]: only column 0 survives; both labels positive gives one true positive.
        assert_eq!(run(&m, &[0.5, 0.5, 0.0], &[1.0, 1.0, 0.0], None), vec![1.0]);
    }

    /// The cut keeps exactly the values whose rank (values above plus equal ones before) is below k, for rows
    /// with ties, NaNs, signed zeros and infinities, any k, counted from any first column (a `class_id`).
    #[test]
    fn top_cut_keeps_the_values_ranked_below_k() {
        let pool = [0.5, 0.25, 0.0, -0.0, 1.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -3.0, 0.75];
        let mut r = crate::rng::Rng::new(9, 0);
        for case in 0..3000 {
            let width = 1 + case % 9;
            let mut u = vec![0.0; width];
            r.fill_uniform(&mut u, 1.0);
            let row: Vec<f32> = u.iter().map(|&x| pool[((x.abs() * 97.0) as usize) % pool.len()]).collect();
            for k in 1..=width + 1 {
                let rank = |c: usize| {
                    let p = row[c];
                    row.iter().enumerate().filter(|&(j, &v)| v > p || (v == p && j < c)).count()
                };
                for from in 0..width {
                    let mut cut = TopCut::of(&row, k, from);
                    for c in from..width {
                        assert_eq!(cut.next(row[c]), rank(c) < k, "{row:?} k={k} from={from} c={c}");
                    }
                }
            }
        }
    }
}
