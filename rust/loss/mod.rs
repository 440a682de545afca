//! Losses as Keras 3 defines them: a per-sample value (most reduce the last axis with a mean), and a batch
//! value that is the mean over samples (Keras's `sum_over_batch_size`). Each writes the gradient of the batch
//! value with respect to its input. ε = 1e-7.
//!
//! Element-wise, then the mean over the row: MAE `|p−t|`, MSE `(p−t)²`, Huber `½e² if |e|≤δ else δ|e|−½δ²`,
//! binary crossentropy `−[t·ln p + (1−t)·ln(1−p)]` (`p` clipped to `[ε, 1−ε]`) or from logits
//! `max(z,0) − z·t + ln(1+e^{−|z|})`, binary focal crossentropy `w·(1−p_t)^γ·bce` (`p_t = t·p + (1−t)(1−p)`,
//! `w = t·α + (1−t)(1−α)` with class balancing, else 1; bce as above, from the logits when there are some, `p`
//! then their sigmoid), categorical focal crossentropy `Σ α·(1−o)^γ·(−t·ln o)` (`o` the clipped, renormalised
//! probabilities, of the softmax of logits when there are some), MAPE `100·|t−p|/max(|t|,ε)`, MSLE `(ln(max(p,ε)+1) − ln(max(t,ε)+1))²`,
//! log-cosh `d + softplus(−2d) − ln 2`, Poisson `p − t·ln(p+ε)`, hinge `max(1−t·p, 0)` and its square (labels
//! that are all 0 or 1 in a batch become `2t−1`). Per row: categorical crossentropy `−Σ t·ln q` with `q` the
//! renormalised, clipped probabilities, or `−Σ t·log_softmax(z)` from logits; its sparse form reads a class
//! id; KL divergence `Σ t·ln(t/p)` (both clipped to `[ε, 1]`); categorical hinge
//! `max(max((1−t)·p) − Σ t·p + 1, 0)`; cosine similarity `−Σ (t·s_t)·(p·s_p)` with `s_x = min(1/√Σx², 1e7)`.
//! The sparse form masks the samples whose label is its `ignore_class` (loss and gradient 0); reduce.rs turns
//! the batch's values into the reduction's.

mod focal;
mod reduce;
mod rows;

pub use reduce::{Reduction, Scales};

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
    /// Binary focal crossentropy: the binary crossentropy scaled by `(1 − p_t)^gamma`, and by `alpha` (class
    /// 1) or `1 − alpha` (class 0) when `balanced`.
    BinaryFocalCrossentropy { from_logits: bool, label_smoothing: f32, gamma: f32, alpha: f32, balanced: bool },
    /// Categorical focal crossentropy: each class's crossentropy term scaled by `alpha·(1 − o)^gamma`, `o` the
    /// clipped, renormalised probability.
    CategoricalFocalCrossentropy { from_logits: bool, label_smoothing: f32, gamma: f32, alpha: f32 },
    /// Categorical crossentropy against one-hot targets.
    CategoricalCrossentropy { from_logits: bool, label_smoothing: f32 },
    /// Categorical crossentropy against class ids (targets one value wide); samples labelled `ignore_class`
    /// count for nothing.
    SparseCategoricalCrossentropy { from_logits: bool, ignore_class: Option<i32> },
    /// Mean absolute percentage error.
    MeanAbsolutePercentageError,
    /// Mean squared logarithmic error.
    MeanSquaredLogarithmicError,
    /// Log-cosh.
    LogCosh,
    /// Poisson.
    Poisson,
    /// Kullback-Leibler divergence.
    KlDivergence,
    /// Hinge.
    Hinge,
    /// Squared hinge.
    SquaredHinge,
    /// Categorical hinge.
    CategoricalHinge,
    /// The negative cosine similarity of prediction and target rows.
    CosineSimilarity,
}

impl Loss {
    /// Look a loss up by canonical name (Keras's function names; `mae`, `mse`).
    pub fn from_name(name: &str, delta: f32, from_logits: bool, label_smoothing: f32) -> Result<Self> {
        let smoothing = || -> Result<f32> {
            if !(0.0..=1.0).contains(&label_smoothing) {
                return Err(Error::value(format!(
                    "label_smoothing must be in [0, 1]. Received: label_smoothing={label_smoothing}"
                )));
            }
            Ok(label_smoothing)
        };
        Ok(match name {
            "mae" => Loss::MeanAbsoluteError,
            "mse" => Loss::MeanSquaredError,
            "huber" => {
                if delta.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                    return Err(Error::value(format!("Huber delta must be positive. Received: delta={delta}")));
                }
                Loss::Huber { delta }
            }
            "binary_crossentropy" => Loss::BinaryCrossentropy { from_logits, label_smoothing: smoothing()? },
            "categorical_crossentropy" => Loss::CategoricalCrossentropy { from_logits, label_smoothing: smoothing()? },
            "sparse_categorical_crossentropy" => {
                Loss::SparseCategoricalCrossentropy { from_logits, ignore_class: None }
            }
            "mean_absolute_percentage_error" => Loss::MeanAbsolutePercentageError,
            "mean_squared_logarithmic_error" => Loss::MeanSquaredLogarithmicError,
            "log_cosh" => Loss::LogCosh,
            "poisson" => Loss::Poisson,
            "kl_divergence" => Loss::KlDivergence,
            "hinge" => Loss::Hinge,
            "squared_hinge" => Loss::SquaredHinge,
            "categorical_hinge" => Loss::CategoricalHinge,
            "cosine_similarity" => Loss::CosineSimilarity,
            _ => return Err(Error::value(format!("Unknown loss: {name:?}"))),
        })
    }

    /// A focal crossentropy with Keras's arguments: `binary_focal_crossentropy` (with `balanced`, Keras's
    /// `apply_class_balancing`) or `categorical_focal_crossentropy`; a NaN or infinite `gamma` or `alpha`, or a
    /// label smoothing outside `[0, 1]`, is a `ValueError`.
    pub fn focal(
        name: &str,
        from_logits: bool,
        label_smoothing: f32,
        (gamma, alpha, balanced): (f32, f32, bool),
    ) -> Result<Self> {
        if !(0.0..=1.0).contains(&label_smoothing) || !gamma.is_finite() || !alpha.is_finite() {
            return Err(Error::value(format!(
                "{name} takes label_smoothing in [0, 1] and finite gamma and alpha. Received: \
                 label_smoothing={label_smoothing}, gamma={gamma}, alpha={alpha}"
            )));
        }
        Ok(match name {
            "binary_focal_crossentropy" => {
                Loss::BinaryFocalCrossentropy { from_logits, label_smoothing, gamma, alpha, balanced }
            }
            "categorical_focal_crossentropy" => {
                Loss::CategoricalFocalCrossentropy { from_logits, label_smoothing, gamma, alpha }
            }
            _ => return Err(Error::value(format!("Unknown focal loss: {name:?}"))),
        })
    }

    /// Whether this loss reads the logits of a final sigmoid or softmax in place of its output, as Keras on
    /// TensorFlow does: each of the three crossentropies, given either activation (Keras takes the logits
    /// either one left on its output, whichever the loss expects), with `from_logits` or without it (Keras
    /// then warns that the output is not logits, and reads them). Not the sparse one with `ignore_class`:
    /// Keras multiplies the output by the mask of rows kept first, and a product has no logits to read, so it
    /// takes the probabilities (clipped, or as logits with `from_logits`), as keras_lite then does.
    pub fn reads_final_logits(&self) -> bool {
        matches!(
            self,
            Loss::BinaryCrossentropy { .. }
                | Loss::CategoricalCrossentropy { .. }
                | Loss::SparseCategoricalCrossentropy { ignore_class: None, .. }
                | Loss::BinaryFocalCrossentropy { from_logits: false, .. }
        )
    }

    /// A binary focal crossentropy of a final softmax's output reads the logits for its crossentropy and the
    /// softmax's probabilities for its focal factor, as Keras on TensorFlow does; keras_lite refuses that pairing
    /// (it would read one or the other).
    pub fn check_final_activation(&self, last: Option<crate::activation::Activation>) -> Result<()> {
        if matches!(self, Loss::BinaryFocalCrossentropy { from_logits: false, .. })
            && last == Some(crate::activation::Activation::Softmax)
        {
            return Err(Error::value(
                "binary_focal_crossentropy on a softmax output is not supported: end the model with a sigmoid \
                 (or a linear layer and from_logits=True)",
            ));
        }
        Ok(())
    }

    /// Width of a target row for outputs `output` wide: one class id for the sparse loss.
    pub fn target_width(&self, output: usize) -> usize {
        if matches!(self, Loss::SparseCategoricalCrossentropy { .. }) {
            1
        } else {
            output
        }
    }

    /// Whether a sample's loss depends on the other samples of its batch: the hinge losses read the labels as
    /// `2t − 1` only when every label of the batch is 0 or 1, so a pass over the rows in other chunks than the
    /// caller's batches would give another value.
    pub fn batch_dependent(&self) -> bool {
        matches!(self, Loss::Hinge | Loss::SquaredHinge)
    }

    /// The label this loss ignores (the sparse form's `ignore_class`), as targets hold it.
    pub fn ignored_label(&self) -> Option<f32> {
        match self {
            Loss::SparseCategoricalCrossentropy { ignore_class: Some(c), .. } => Some(*c as f32),
            _ => None,
        }
    }

    /// Whether the sample whose target row is `t` counts (it is not masked).
    #[inline]
    pub fn counts(&self, t: &[f32]) -> bool {
        self.ignored_label().is_none_or(|c| t.first() != Some(&c))
    }

    /// The reduction's factors for a batch of targets `target` (rows `target_width` wide) and `weights`.
    /// Reads the batch only where the factors depend on it.
    pub fn scales(&self, reduction: Reduction, target: &[f32], tw: usize, weights: Option<&[f32]>) -> Scales {
        let rows = target.len() / tw.max(1);
        let masks = self.ignored_label().is_some();
        if !reduction.reads_batch(masks, weights.is_some()) {
            return reduction.scales(rows, rows, None, masks);
        }
        let kept = target.chunks_exact(tw.max(1)).enumerate().filter(|(_, t)| self.counts(t));
        let (valid, sum) =
            kept.fold((0usize, 0.0f64), |(n, s), (r, _)| (n + 1, s + weights.map_or(1.0, |w| f64::from(w[r]))));
        reduction.scales(rows, valid, weights.map(|_| sum), masks)
    }

    /// Check targets (`rows × target_width`) this loss can read: class ids must be whole numbers in
    /// `0..classes` (or the ignored class). `arg` names them in the error.
    pub fn check_targets(&self, target: &[f32], output: usize, arg: &str) -> Result<()> {
        if let Loss::SparseCategoricalCrossentropy { .. } = self {
            let ignored = self.ignored_label();
            let bad = |t: f32| Some(t) != ignored && (t.fract() != 0.0 || t < 0.0 || t >= output as f32);
            if let Some((r, &t)) = target.iter().enumerate().find(|(_, &t)| bad(t)) {
                return Err(Error::value(format!(
                    "{arg} must hold class ids in [0, {output}) for sparse_categorical_crossentropy with {output} \
                     outputs. Received: {arg}[{r}]={t}"
                )));
            }
        }
        Ok(())
    }

    /// The sum over the batch of per-sample losses, and (when `grad` is given) `grad ← ∂(batch mean)/∂input`.
    ///
    /// `input` holds predictions (rows `width` wide), or logits when `logits` (which the caller sets for a
    /// loss computed through a final activation, or with `from_logits`); `target` rows are
    /// `target_width(width)` wide.
    pub fn sum(&self, input: &[f32], target: &[f32], width: usize, logits: bool, grad: Option<&mut [f32]>) -> f64 {
        self.weighted_sum(input, target, width, logits, None, grad)
    }

    /// `weighted_sum` under `reduction`, times compile's loss weight `weight`: the batch's contribution to the
    /// epoch's loss sum (Keras's tracker weights a batch's value by its rows), and the gradient of the batch
    /// value.
    #[allow(clippy::too_many_arguments)]
    pub fn reduced_sum(
        &self,
        (reduction, weight): (Reduction, f32),
        input: &[f32],
        target: &[f32],
        width: usize,
        logits: bool,
        weights: Option<&[f32]>,
        grad: Option<&mut [f32]>,
    ) -> f64 {
        let (tw, rows) = (self.target_width(width), input.len() / width.max(1));
        let k = self.scales(reduction, &target[..(rows * tw).min(target.len())], tw, weights).times(weight);
        if k == Scales::ONE {
            return self.weighted_sum(input, target, width, logits, weights, grad);
        }
        let total = match grad {
            Some(g) => {
                let total = self.weighted_sum(input, target, width, logits, weights, Some(&mut *g));
                g.iter_mut().for_each(|d| *d *= k.grad);
                total
            }
            None => self.weighted_sum(input, target, width, logits, weights, None),
        };
        total * f64::from(k.sum)
    }

    /// `sum` with a weight per row (Keras's `sample_weight`): `Σ w·loss`, and the gradient of
    /// `Σ w·loss / rows`, Keras's default reduction (masked samples count in the rows).
    pub fn weighted_sum(
        &self,
        input: &[f32],
        target: &[f32],
        width: usize,
        logits: bool,
        weights: Option<&[f32]>,
        grad: Option<&mut [f32]>,
    ) -> f64 {
        if width == 0 || input.is_empty() {
            return 0.0;
        }
        let rows = input.len() / width;
        let tw = self.target_width(width);
        let hinge01 = self.reads_hinge01(target);
        let ctx = rows::Row { loss: *self, width, rows, logits: logits || self.reads_logits(), hinge01 };
        let fast = weights.is_none() && matches!(self, Loss::MeanAbsoluteError | Loss::MeanSquaredError);
        let grad = match grad {
            Some(g) if fast => return ctx.elementwise_sum(input, target, g),
            other => other,
        };
        let mut total = 0.0f64;
        match grad {
            Some(g) => {
                // Row `r`'s weighted loss, its gradient written to `g` (the row's).
                let row = |r: usize, i: &[f32], t: &[f32], g: &mut [f32]| {
                    let v = ctx.value(i, t, Some(&mut *g));
                    match weights {
                        Some(w) => {
                            g.iter_mut().for_each(|d| *d *= w[r]);
                            v * f64::from(w[r])
                        }
                        None => v,
                    }
                };
                if rows * width >= reduce::SPLIT_ROWS_MIN && ctx.costly() {
                    if let Some(total) = reduce::split_rows(input, target, g, (width, tw), &row) {
                        return total;
                    }
                }
                let it = input.chunks_exact(width).zip(target.chunks_exact(tw)).zip(g.chunks_exact_mut(width));
                for (r, ((i, t), g)) in it.enumerate() {
                    total += row(r, i, t, g);
                }
            }
            None => {
                for (r, (i, t)) in input.chunks_exact(width).zip(target.chunks_exact(tw)).enumerate() {
                    total += ctx.value(i, t, None) * weights.map_or(1.0, |w| f64::from(w[r]));
                }
            }
        }
        total
    }

    /// Each row's loss (Keras's per-sample values, with `reduction=None`) into `out`, from predictions rows
    /// `width` wide; the hinges read labels as `2t − 1` when every target given is 0 or 1, as Keras decides it
    /// over the `y_true` of one call.
    pub fn per_sample(&self, input: &[f32], target: &[f32], width: usize, out: &mut Vec<f32>) {
        let tw = self.target_width(width).max(1);
        let hinge01 = self.reads_hinge01(target);
        let ctx = rows::Row { loss: *self, width, rows: 1, logits: self.reads_logits(), hinge01 };
        let rows = input.chunks_exact(width.max(1)).zip(target.chunks_exact(tw));
        out.extend(rows.map(|(i, t)| ctx.value(i, t, None) as f32));
    }

    /// Whether a hinge loss reads `targets` as 0/1 labels (as `2t − 1`): every one of them is 0 or 1.
    fn reads_hinge01(&self, targets: &[f32]) -> bool {
        matches!(self, Loss::Hinge | Loss::SquaredHinge) && targets.iter().all(|&t| t == 0.0 || t == 1.0)
    }

    fn reads_logits(&self) -> bool {
        matches!(
            self,
            Loss::BinaryCrossentropy { from_logits: true, .. }
                | Loss::CategoricalCrossentropy { from_logits: true, .. }
                | Loss::SparseCategoricalCrossentropy { from_logits: true, .. }
                | Loss::BinaryFocalCrossentropy { from_logits: true, .. }
                | Loss::CategoricalFocalCrossentropy { from_logits: true, .. }
        )
    }
}

#[cfg(test)]
mod tests;
