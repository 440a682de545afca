//! Keras's `R2Score`: per output column the weighted sums `Σw·(y−c)`, `Σw·(y−c)²`, `Σw·(y−ŷ)²` and `Σw` of
//! the targets less a shift `c` (the fifth value: one of the targets, so that the total below does not cancel
//! away a variance that is small beside the mean; R² does not depend on it); then
//! `r2 = 1 − residual / (Σw(y−c)² − (Σw(y−c))²/Σw)`, read as Keras's float32 sums give it (a residual or total
//! beyond float32's range is infinite there, and an infinite r2 is 0), aggregated as a uniform mean, a mean
//! weighted by each column's total, or not at all, and adjusted for `num_regressors` p > 0 as
//! `1 − (1 − r2)(n − 1)/(n − p − 1)` with n the number of target values (kept as r2 when p ≥ n − 1).

use crate::error::{Error, Result};

use super::auc::divide_no_nan;

/// How the per-column scores become the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    /// Their mean.
    Uniform,
    /// Their mean weighted by each column's total sum of squares.
    VarianceWeighted,
    /// One value per column.
    None,
}

/// An `R2Score`'s configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct R2 {
    /// `class_aggregation`.
    pub aggregation: Aggregation,
    /// `num_regressors`.
    pub num_regressors: usize,
    /// Output columns (set by `settle`).
    pub width: usize,
}

impl R2 {
    /// Parse Keras's `class_aggregation` (`None` given as "none").
    pub fn aggregation(s: &str) -> Result<Aggregation> {
        match s {
            "uniform_average" => Ok(Aggregation::Uniform),
            "variance_weighted_average" => Ok(Aggregation::VarianceWeighted),
            "none" | "None" => Ok(Aggregation::None),
            _ => Err(Error::value(format!(
                "Invalid value for argument `class_aggregation`. Expected one of (None, 'uniform_average', \
                 'variance_weighted_average'). Received: class_aggregation={s:?}"
            ))),
        }
    }

    /// State values: four sums and the shift per column.
    pub fn state_width(&self) -> usize {
        STATE * self.width
    }

    /// Values reported.
    pub fn out_len(&self) -> usize {
        if self.aggregation == Aggregation::None {
            self.width
        } else {
            1
        }
    }

    /// Add the sums of `pred` against `target` (rows `width` wide, weighted per row by `w`) to `state`:
    /// `[Σw(y−c), Σw(y−c)², Σw(y−ŷ)², Σw, c]` per column, the batch's sums taken about its first row and then
    /// moved to the state's shift (see [`merge`]).
    pub fn accumulate(&self, pred: &[f32], target: &[f32], w: Option<&[f32]>, state: &mut [f64]) {
        let width = self.width.max(1);
        for c in 0..width.min(target.len()) {
            let shift = f64::from(target[c]);
            let mut batch = [0.0, 0.0, 0.0, 0.0, shift];
            for (r, (p, t)) in pred.chunks_exact(width).zip(target.chunks_exact(width)).enumerate() {
                let wt = w.map_or(1.0, |w| f64::from(w[r]));
                let (y, d) = (f64::from(t[c]) - shift, f64::from(t[c]) - f64::from(p[c]));
                batch[0] += wt * y;
                batch[1] += wt * y * y;
                batch[2] += wt * d * d;
                batch[3] += wt;
            }
            merge(&mut state[STATE * c..STATE * (c + 1)], &batch);
        }
    }

    /// Its values from the summed `state` over `rows` rows, appended to `out`.
    pub fn finish(&self, state: &[f64], rows: usize, out: &mut Vec<f64>) {
        let cols = state.chunks_exact(STATE).map(|s| {
            let total = s[1] - s[0] * (s[0] / s[3]);
            // Keras's sums are float32: one past its range is infinite there, and so is the score (then 0).
            let f32_inf = |v: f64| (v as f32).is_infinite();
            let raw = match (f32_inf(s[2]), f32_inf(total)) {
                (false, false) => 1.0 - s[2] / total,
                (true, false) => f64::NEG_INFINITY,
                (false, true) => 1.0,
                (true, true) => f64::NAN,
            };
            (total, if f32_inf(raw) { 0.0 } else { raw })
        });
        let start = out.len();
        let score = match self.aggregation {
            Aggregation::None => {
                out.extend(cols.map(|(_, r)| r));
                None
            }
            Aggregation::Uniform => Some(cols.map(|(_, r)| r).sum::<f64>() / self.width.max(1) as f64),
            Aggregation::VarianceWeighted => {
                let (num, den) = cols.fold((0.0, 0.0), |(n, d), (t, r)| (n + t * r, d + t));
                Some(num / den)
            }
        };
        if let Some(s) = score {
            out.push(s);
        }
        let (n, p) = ((rows * self.width) as f64, self.num_regressors as f64);
        if p > 0.0 && p < n - 1.0 {
            for v in &mut out[start..] {
                *v = 1.0 - (1.0 - *v) * divide_no_nan(n - 1.0, n - p - 1.0);
            }
        }
    }
}

/// Values per column of the state.
pub const STATE: usize = 5;

/// Add one column's state `src` to `dst` (`[Σw(y−c), Σw(y−c)², Σw(y−ŷ)², Σw, c]` each), moving its sums from
/// its shift to `dst`'s (`dst` takes `src`'s when it holds no weight yet): the sums of two passes, batches or
/// devices with different shifts add up to those of one shift.
pub fn merge(dst: &mut [f64], src: &[f64]) {
    if src[3] == 0.0 {
        return;
    }
    if dst[3] == 0.0 {
        dst.copy_from_slice(&src[..STATE]);
        return;
    }
    let delta = src[4] - dst[4];
    dst[0] += src[0] + src[3] * delta;
    dst[1] += src[1] + 2.0 * delta * src[0] + src[3] * delta * delta;
    dst[2] += src[2];
    dst[3] += src[3];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r2(agg: Aggregation, p_: usize, pred: &[f32], y: &[f32], width: usize) -> Vec<f64> {
        let m = R2 { aggregation: agg, num_regressors: p_, width };
        let mut state = vec![0.0; m.state_width()];
        m.accumulate(pred, y, None, &mut state);
        let mut out = Vec::new();
        m.finish(&state, y.len() / width, &mut out);
        out
    }

    #[test]
    fn keras_goldens() {
        // [[1],[4],[3]] vs [[2],[4],[4]] gives 0.5714285; p=1 on [[1],[4],[3],[5]] vs [[2],[4],[4],[5]] .6571429.
        assert!((r2(Aggregation::Uniform, 0, &[2.0, 4.0, 4.0], &[1.0, 4.0, 3.0], 1)[0] - 0.571_428_5).abs() < 1e-6);
        let adj = r2(Aggregation::Uniform, 1, &[2.0, 4.0, 4.0, 5.0], &[1.0, 4.0, 3.0, 5.0], 1)[0];
        assert!((adj - 0.657_142_9).abs() < 1e-6);
        // Too few values for the regressors: r2 is kept.
        let kept = r2(Aggregation::Uniform, 3, &[2.0, 4.0, 4.0], &[1.0, 4.0, 3.0], 1)[0];
        assert!((kept - 0.571_428_5).abs() < 1e-6);
        assert_eq!(r2(Aggregation::None, 0, &[1.0, 0.0, 2.0, 1.0], &[1.0, 1.0, 3.0, 2.0], 2).len(), 2);
        assert!(R2::aggregation("mean").is_err());
    }
}
