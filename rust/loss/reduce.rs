//! How a batch's per-sample losses become the value a step minimizes, as Keras 3's `reduce_weighted_values`:
//! with `v = w·m·l` (w the sample weight, m 0 for a sample the loss masks, such as a label equal to
//! `ignore_class`), `sum_over_batch_size`/`mean` give `Σv / D` with D the rows (the unmasked rows when the
//! loss masks), `sum` gives `Σv`, `mean_with_sample_weight` gives `Σv / Σ(w·m)` (the rows when there are
//! neither weights nor a mask), and `none` keeps the vector, whose gradient is that of `Σv`. A zero D gives 0
//! (`divide_no_nan`). Keras's loss tracker weights a batch's value by its rows, except for `none`, whose
//! elements it averages one by one.

use std::cell::RefCell;

use crate::error::{Error, Result};
use crate::team::Disjoint;

/// Values (rows × width) from which `split_rows` is worth a hand-off to the thread team.
pub(super) const SPLIT_ROWS_MIN: usize = 1024;

thread_local! {
    /// Each row's loss while the rows are computed by several threads (grown once per thread).
    static ROW_VALUES: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

/// Row `r`'s loss from its input and target values, its gradient written to the third slice.
pub(super) type RowLoss<'a> = dyn Fn(usize, &[f32], &[f32], &mut [f32]) -> f64 + Sync + 'a;

/// `Σ_r row(r, input_r, target_r, grad_r)` in row order, the rows (`width` values of input and gradient,
/// `tw` of target) computed by the thread team: each row's value is kept, then they are summed here in order,
/// so the total has the bits of a loop over the rows on one thread. `None`, having done nothing, with one
/// thread or when re-entered (a row computing a loss itself): the caller then runs that loop.
pub(super) fn split_rows(
    input: &[f32],
    target: &[f32],
    grad: &mut [f32],
    (width, tw): (usize, usize),
    row: &RowLoss<'_>,
) -> Option<f64> {
    let rows = (input.len() / width).min(target.len() / tw.max(1)).min(grad.len() / width);
    let parts = crate::pool::threads().min(rows);
    if parts < 2 {
        return None;
    }
    ROW_VALUES.with(|cell| {
        let mut values = cell.try_borrow_mut().ok()?;
        values.clear();
        values.resize(rows, 0.0);
        let (out, grads) = (Disjoint::new(&mut values[..]), Disjoint::new(&mut grad[..rows * width]));
        crate::team::parallel(parts, &|t| {
            let (r0, r1) = (t * rows / parts, (t + 1) * rows / parts);
            // SAFETY: the parts' row ranges are disjoint and inside both buffers, which outlive the job.
            let (vals, g) = unsafe { (out.slice(r0, r1 - r0), grads.slice(r0 * width, (r1 - r0) * width)) };
            for (k, (v, g)) in vals.iter_mut().zip(g.chunks_exact_mut(width)).enumerate() {
                let r = r0 + k;
                *v = row(r, &input[r * width..][..width], &target[r * tw..][..tw], g);
            }
        });
        Some(values.iter().fold(0.0, |total, &v| total + v))
    })
}

/// A loss reduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reduction {
    /// `sum_over_batch_size` (and its alias `mean`): the weighted sum over the rows counted.
    #[default]
    SumOverBatchSize,
    /// `sum`: the weighted sum.
    Sum,
    /// `mean_with_sample_weight`: the weighted sum over the sum of the weights.
    MeanWithSampleWeight,
    /// `none` (or Python's `None`): no reduction; training minimizes the sum.
    None,
}

/// The factors a batch's loss sum and gradient take under a reduction, relative to the default (the mean
/// over the batch's rows).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scales {
    /// Multiplies the gradient of the batch mean.
    pub grad: f32,
    /// Multiplies `Σ w·m·l`, the batch's contribution to the epoch sum that is divided by the rows seen.
    pub sum: f32,
}

impl Scales {
    /// The default reduction's factors.
    pub const ONE: Scales = Scales { grad: 1.0, sum: 1.0 };

    /// These factors times compile's `loss_weights` factor `weight` (Keras multiplies the reduced loss by it).
    pub fn times(self, weight: f32) -> Scales {
        Scales { grad: self.grad * weight, sum: self.sum * weight }
    }
}

impl Reduction {
    /// A reduction by Keras's name (`None` for Python's `None`).
    pub fn from_name(name: Option<&str>) -> Result<Self> {
        Ok(match name {
            Option::None | Some("none") => Reduction::None,
            Some("sum_over_batch_size" | "mean") => Reduction::SumOverBatchSize,
            Some("sum") => Reduction::Sum,
            Some("mean_with_sample_weight") => Reduction::MeanWithSampleWeight,
            Some(other) => {
                return Err(Error::value(format!(
                    "Invalid value for argument `reduction`. Expected one of 'sum_over_batch_size', 'sum', \
                     'mean', 'mean_with_sample_weight', 'none' or None. Received: reduction={other:?}"
                )))
            }
        })
    }

    /// Whether a batch's factors depend on its targets or weights (not on its row count alone), when the
    /// loss `masks` samples.
    pub fn reads_batch(self, masks: bool, weighted: bool) -> bool {
        match self {
            Reduction::SumOverBatchSize => masks,
            Reduction::MeanWithSampleWeight => masks || weighted,
            Reduction::Sum | Reduction::None => false,
        }
    }

    /// The factors for a batch of `rows` rows, of which `valid` are not masked, whose kept weights sum to
    /// `weight_sum` (`Σ w·m`; `None` without weights). `masks`: the loss masks samples.
    pub fn scales(self, rows: usize, valid: usize, weight_sum: Option<f64>, masks: bool) -> Scales {
        let n = rows as f64;
        let over = |d: f64| {
            let k = if d == 0.0 { 0.0 } else { (n / d) as f32 };
            Scales { grad: k, sum: k }
        };
        match self {
            Reduction::SumOverBatchSize if masks => over(valid as f64),
            Reduction::SumOverBatchSize => Scales::ONE,
            Reduction::Sum => Scales { grad: n as f32, sum: n as f32 },
            Reduction::MeanWithSampleWeight => match weight_sum {
                Some(s) => over(s),
                Option::None if masks => over(valid as f64),
                Option::None => Scales::ONE,
            },
            Reduction::None => Scales { grad: n as f32, sum: 1.0 },
        }
    }
}
