//! The evaluation pass (`evaluate`, and `fit`'s validation) on the CPU, batch by batch with Keras's test hooks
//! and a cancel flag, and the per-thread inference scratch that it and `predict` use.

use std::cell::RefCell;
use std::sync::atomic::Ordering;

use crate::backend::{check_matrix, check_weights, not_compiled, Control, Data};
use crate::error::{Error, Result};
use crate::hooks::EvalHooks;
use crate::infer::Scratch;
use crate::state::ModelState;

/// How many multiply-adds an evaluation does between two looks at its cancel flag: a batch of more is cut
/// into nearly equal slices of this many to twice as many (`slice_rows`); a smaller batch is one slice.
const CANCEL_MACS: usize = 1 << 27;

/// Rows per slice of an `m`-row batch through a network of `params` parameters: the batch cut into slices
/// of about equal size, each of `CANCEL_MACS` to `2 * CANCEL_MACS` multiply-adds and of at least
/// `MIN_SLICE_ROWS` rows (a batch below either is left whole). A slice of a fixed size left a short
/// remainder: a wine-sized network's 256-row validation batch ran as 252 rows and then 4, which went through
/// the row-by-row path (116 µs of a 2.1 ms validation pass, on the Intel Xeon host).
fn slice_rows(m: usize, params: usize) -> usize {
    let slices = (m.saturating_mul(params.max(1)) / CANCEL_MACS).clamp(1, (m / MIN_SLICE_ROWS).max(1));
    m.div_ceil(slices).max(1)
}

/// The fewest rows of a slice (see `slice_rows`): fewer would run the products below their blocked speed.
const MIN_SLICE_ROWS: usize = 64;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Run `f` with this thread's inference scratch (a fresh one if it is already in use).
pub(crate) fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        Err(_) => f(&mut Scratch::default()),
    })
}

/// Buffers for evaluation, reusable across calls (the trainer keeps one for its validation passes).
#[derive(Debug, Default, Clone)]
pub struct EvalScratch {
    out: Vec<f32>,
    /// A batch's logits, kept for the metrics that read them (`Metric::reads_logits`) when the output is
    /// squashed in place.
    logits: Vec<f32>,
    /// `[w·loss, metric..., w]` sums (see `backend::Averaging`).
    sums: Vec<f64>,
    /// The results.
    means: Vec<f64>,
    /// The running means handed to a batch hook.
    running: Vec<f64>,
}

impl EvalScratch {
    /// The last evaluation's `[loss, metric...]`.
    pub fn values(&self) -> &[f64] {
        &self.means
    }

    /// The last evaluation's sums `[w·loss, metric..., w]` (see `backend::Averaging`).
    pub fn sums(&self) -> &[f64] {
        &self.sums
    }

    /// The last evaluation's `[loss, metric...]`, taken out.
    pub fn into_values(self) -> Vec<f64> {
        self.means
    }
}

/// Loss and metrics over `rows` rows in inference mode; results in `scratch.values()` (over the batches run,
/// when a batch hook stopped the pass). `lock` gives the model's state: it is called once per batch and its
/// guard dropped before the batch's hooks run, so a hook may take the model's lock itself (a caller without
/// hooks may hand out one guard held throughout).
pub fn evaluate_with<G: std::ops::Deref<Target = ModelState>>(
    lock: &mut dyn FnMut() -> Result<G>,
    d: Data<'_>,
    batch_size: usize,
    scratch: &mut EvalScratch,
    hooks: &mut EvalHooks<'_>,
) -> Result<()> {
    let (x, y, rows) = (d.x, d.y, d.rows);
    let (iw, ow, tw, cols, averaging, reads_logits) = {
        let st = lock()?;
        let compiled = st.compiled.as_ref().ok_or_else(not_compiled)?;
        let ow = st.net.output_dim();
        check_matrix(x, rows, st.net.input_dim, "x", "inputs")?;
        check_matrix(y, rows, compiled.loss.target_width(ow), "y", "targets")?;
        compiled.loss.check_targets(y, ow, "y")?;
        check_weights(d.w, rows, "sample_weight")?;
        let tw = compiled.loss.target_width(ow);
        let reads_logits = compiled.metrics.iter().any(crate::metric::Metric::reads_logits);
        (st.net.input_dim, ow, tw, compiled.sum_columns(), compiled.averaging(), reads_logits)
    };
    if rows == 0 {
        return Err(Error::value("evaluate needs at least one sample. Received: x with 0 rows"));
    }
    // Never more than the data: a huge batch_size needs no huge buffer, and `chunk * ow` stays within y.len().
    let chunk = batch_size.clamp(1, rows);
    let EvalScratch { out, logits: logit_copy, sums, means, running } = scratch;
    sums.clear();
    sums.resize(cols, 0.0);
    if out.len() < chunk * ow {
        crate::error::try_resize(out, chunk * ow, 0.0, "the evaluation buffer")?;
    }
    if reads_logits && logit_copy.len() < chunk * ow {
        crate::error::try_resize(logit_copy, chunk * ow, 0.0, "the evaluation buffer")?;
    }
    let seen = with_scratch(|s| -> Result<usize> {
        for (batch, start) in (0..rows).step_by(chunk).enumerate() {
            if hooks.cancel.load(Ordering::Relaxed) {
                return Err(Error::Interrupted);
            }
            if let Some(f) = hooks.batch.as_mut() {
                f(batch, None)?;
            }
            let m = chunk.min(rows - start);
            {
                let st = lock()?;
                let compiled = st.compiled.as_ref().ok_or_else(not_compiled)?;
                let net = &st.net;
                let shape = (net.input_dim, net.output_dim(), compiled.loss.target_width(ow), compiled.sum_columns());
                if shape != (iw, ow, tw, cols) {
                    return Err(Error::State("the model was rebuilt or recompiled during evaluation".into()));
                }
                let logits = net.loss_logits(&compiled.loss);
                // The logits of a final sigmoid or softmax, for the metrics that read them.
                let metric_logits = crate::network::final_logits(&net.layers).filter(|_| reads_logits);
                let inferred = logits.or(metric_logits.map(|(at, _)| at));
                let o = &mut out[..m * ow];
                let xs = &x[start * iw..(start + m) * iw];
                let ys = &y[start * tw..(start + m) * tw];
                // The batch's rows are inferred a slice at a time, so that a cancel is seen within a few
                // milliseconds even in a large batch; each row's result does not depend on the slicing, and
                // the loss and metrics are then summed over the whole batch as before.
                let slice = slice_rows(m, net.params.len());
                let mut activity = 0.0;
                for (os, xr) in o.chunks_mut(slice * ow.max(1)).zip(xs.chunks(slice * iw.max(1))) {
                    if hooks.cancel.load(Ordering::Relaxed) {
                        return Err(Error::Interrupted);
                    }
                    net.infer_to(xr, xr.len() / iw.max(1), os, s, true, inferred)?;
                    activity += s.activity;
                }
                let w = d.w.map(|w| &w[start..start + m]);
                let loss = |o: &[f32], logits: bool| {
                    compiled.loss.reduced_sum((compiled.reduction, compiled.loss_weight), o, ys, ow, logits, w, None)
                };
                let mut loss_sum = logits.map(|_| loss(o, true));
                let mut output_activity = 0.0;
                if let Some((_, activation)) = inferred.and_then(|_| crate::network::final_logits(&net.layers)) {
                    if metric_logits.is_some() {
                        logit_copy[..o.len()].copy_from_slice(o);
                    }
                    activation.forward_inplace(o, ow);
                    // The output layer's own activity penalty, at its activation's output.
                    if let Some(p) = net.layers.last().and_then(|l| crate::network_rules::activity_of(&l.spec)) {
                        output_activity = p.value(o);
                    }
                }
                sums[0] += *loss_sum.get_or_insert_with(|| loss(o, false));
                if net.has_weight_rules() {
                    // The weights' penalty, added to each batch's mean loss as Keras's test step does.
                    // And the layers' activity penalties: each `p(y)/m` for the batch's mean loss, `m` times.
                    sums[0] += net.penalty() * m as f64 + activity;
                }
                sums[0] += output_activity;
                let z = metric_logits.map(|_| &logit_copy[..o.len()]);
                let outputs = crate::metric::Outputs { pred: o, logits: z, width: ow };
                crate::metric::accumulate_all(&compiled.metrics, compiled.weighted_from, outputs, ys, w, sums);
            }
            if let Some(f) = hooks.batch.as_mut() {
                averaging.means_into(sums, start + m, running);
                if f(batch, Some(running))? == Control::Stop {
                    // The pass ends here: its results are those of the rows seen.
                    return Ok(start + m);
                }
            }
        }
        Ok(rows)
    })?;
    averaging.means_into(sums, seen, means);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{slice_rows, CANCEL_MACS, MIN_SLICE_ROWS};

    /// A batch is cut into slices of nearly equal size (the last at most one row short per slice before
    /// it), each at least `MIN_SLICE_ROWS` rows (or the whole batch) and, unless that floor decides, of
    /// `CANCEL_MACS` to `2 * CANCEL_MACS` multiply-adds.
    #[test]
    fn batches_are_cut_into_nearly_equal_slices() {
        for params in [1, 1000, 532_993, 2_000_000, 50_000_000, 1 << 31] {
            for m in [1, 4, 63, 64, 65, 128, 224, 256, 257, 1000, 4096, 100_000] {
                let slice = slice_rows(m, params);
                let slices = m.div_ceil(slice);
                let last = m - (slices - 1) * slice;
                assert!(slice >= m.min(MIN_SLICE_ROWS), "m {m}, params {params}: slice {slice}");
                assert!(last + slices > slice, "m {m}, params {params}: slice {slice}, last {last}");
                let macs = (m * params) as u128;
                if macs < CANCEL_MACS as u128 {
                    assert_eq!(slice, m, "m {m}, params {params}: a small batch is left whole");
                } else if m * params / CANCEL_MACS <= m / MIN_SLICE_ROWS {
                    let per = (slice * params) as u128;
                    let bounds = CANCEL_MACS as u128..=2 * CANCEL_MACS as u128 + params as u128;
                    assert!(bounds.contains(&per), "m {m}, params {params}: {per} multiply-adds a slice");
                }
            }
        }
        // The wine network's 256-row validation batch is one slice, not 252 rows and 4.
        assert_eq!(slice_rows(256, 532_993), 256);
    }
}
