//! The hooks of an evaluation pass (Keras's test-batch and predict-batch callbacks, and a cancel flag), and a
//! device's finished pass replayed to them batch by batch.

use std::sync::atomic::AtomicBool;

use crate::backend::{Averaging, Control, Observer};
use crate::error::Result;

/// A prediction-batch hook: `(batch index, None)` before the batch, `(batch index, Some(its outputs))` after.
pub type PredictHook<'a> = &'a mut dyn FnMut(usize, Option<&[f32]>) -> Result<()>;

/// A validation-batch hook: `(batch index, None)` before the batch, `(batch index, Some(running means))` after;
/// `Stop` after a batch ends the pass there, with the means of the batches run as its results.
pub type BatchHook<'a> = &'a mut dyn FnMut(usize, Option<&[f64]>) -> Result<Control>;

/// A validation pass's batch hook inside `fit`: the observer's `test_batch` when it wants them, and the end of
/// the pass after its first batch when `first_only` (its `test_begin` asked to stop).
pub fn validation_hook(
    obs: &mut dyn Observer,
    first_only: bool,
    step: usize,
    running: Option<&[f64]>,
) -> Result<Control> {
    let control = if obs.wants_test_batches() { obs.test_batch(step, running)? } else { Control::Continue };
    Ok(if first_only && running.is_some() { Control::Stop } else { control })
}

/// What an evaluation pass reports as it goes: Keras's test-batch hooks, and a flag that cancels it.
pub struct EvalHooks<'a> {
    /// Set to stop at the next batch with `Error::Interrupted`.
    pub cancel: &'a AtomicBool,
    /// Called before and after each batch (running means `[loss, metric...]`); `None` when nobody listens.
    pub batch: Option<BatchHook<'a>>,
}

impl<'a> EvalHooks<'a> {
    /// No hooks; stop when `cancel` is set.
    pub fn cancelled_by(cancel: &'a AtomicBool) -> Self {
        EvalHooks { cancel, batch: None }
    }
}

/// An evaluation pass's results: `[loss, metric...]` means, and each chunk's sums and rows (`report_batches`).
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The means over all rows.
    pub means: Vec<f64>,
    /// The sums of each chunk, chunks × (columns + the weights' column).
    pub per_batch: Vec<f32>,
    /// Rows per chunk (the last may have fewer).
    pub batch_rows: usize,
    /// How sums become means.
    pub averaging: Averaging,
}

impl Evaluation {
    /// Call a validation-batch hook for each batch of a pass already run: before it (`None`) and after it
    /// (the running means), from the per-batch sums. `rows` is the pass's row count. When the hook stops the
    /// pass after a batch, `means` become the running means there, as a pass that ended at that batch gives.
    pub fn report_batches(&mut self, rows: usize, hook: BatchHook<'_>) -> Result<()> {
        let cols = self.per_batch.len() / rows.div_ceil(self.batch_rows.max(1)).max(1);
        let mut sums = vec![0.0f64; cols];
        let mut running = Vec::with_capacity(cols);
        for (b, row) in self.per_batch.chunks_exact(cols.max(1)).enumerate() {
            hook(b, None)?;
            for (s, &v) in sums.iter_mut().zip(row) {
                *s += f64::from(v);
            }
            let seen = ((b + 1) * self.batch_rows).min(rows).max(1);
            self.averaging.means_into(&sums, seen, &mut running);
            if hook(b, Some(&running))? == Control::Stop {
                self.means = running;
                break;
            }
        }
        Ok(())
    }
}
