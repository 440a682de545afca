//! The evaluation pass (`evaluate`, and `fit`'s validation) on the CPU, batch by batch with Keras's test hooks
//! and a cancel flag, and the per-thread inference scratch that it and `predict` use.

use std::cell::RefCell;
use std::sync::atomic::Ordering;

use crate::backend::{check_matrix, check_weights, not_compiled, Data, EvalHooks};
use crate::error::{Error, Result};
use crate::infer::Scratch;
use crate::state::ModelState;

/// About how many multiply-adds an evaluation does between two looks at its cancel flag.
const CANCEL_MACS: usize = 1 << 27;

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

/// Loss and metrics over `rows` rows in inference mode; results in `scratch.values()`. `lock` gives the
/// model's state: it is called once per batch and its guard dropped before the batch's hooks run, so a hook
/// may take the model's lock itself (a caller without hooks may hand out one guard held throughout).
pub fn evaluate_with<G: std::ops::Deref<Target = ModelState>>(
    lock: &mut dyn FnMut() -> Result<G>,
    d: Data<'_>,
    batch_size: usize,
    scratch: &mut EvalScratch,
    hooks: &mut EvalHooks<'_>,
) -> Result<()> {
    let (x, y, rows) = (d.x, d.y, d.rows);
    let (iw, ow, tw, cols, averaging) = {
        let st = lock()?;
        let compiled = st.compiled.as_ref().ok_or_else(not_compiled)?;
        let ow = st.net.output_dim();
        check_matrix(x, rows, st.net.input_dim, "x", "inputs")?;
        check_matrix(y, rows, compiled.loss.target_width(ow), "y", "targets")?;
        compiled.loss.check_targets(y, ow, "y")?;
        check_weights(d.w, rows, "sample_weight")?;
        let tw = compiled.loss.target_width(ow);
        (st.net.input_dim, ow, tw, compiled.sum_columns(), compiled.averaging())
    };
    if rows == 0 {
        return Err(Error::value("evaluate needs at least one sample. Received: x with 0 rows"));
    }
    // Never more than the data: a huge batch_size needs no huge buffer, and `chunk * ow` stays within y.len().
    let chunk = batch_size.clamp(1, rows);
    let EvalScratch { out, sums, means, running } = scratch;
    sums.clear();
    sums.resize(cols, 0.0);
    if out.len() < chunk * ow {
        crate::error::try_resize(out, chunk * ow, 0.0, "the evaluation buffer")?;
    }
    with_scratch(|s| -> Result<()> {
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
                let o = &mut out[..m * ow];
                let xs = &x[start * iw..(start + m) * iw];
                let ys = &y[start * tw..(start + m) * tw];
                // The batch's rows are inferred a slice at a time, so that a cancel is seen within a few
                // milliseconds even in a large batch; each row's result does not depend on the slicing, and
                // the loss and metrics are then summed over the whole batch as before.
                let slice = (CANCEL_MACS / net.params.len().max(1)).max(64);
                let mut activity = 0.0;
                for (os, xr) in o.chunks_mut(slice * ow.max(1)).zip(xs.chunks(slice * iw.max(1))) {
                    if hooks.cancel.load(Ordering::Relaxed) {
                        return Err(Error::Interrupted);
                    }
                    net.infer_to(xr, xr.len() / iw.max(1), os, s, true, logits)?;
                    activity += s.activity;
                }
                let w = d.w.map(|w| &w[start..start + m]);
                sums[0] += compiled.loss.reduced_sum(compiled.reduction, o, ys, ow, logits.is_some(), w, None);
                if net.has_weight_rules() {
                    // The weights' penalty, added to each batch's mean loss as Keras's test step does.
                    // And the layers' activity penalties: each `p(y)/m` for the batch's mean loss, `m` times.
                    sums[0] += net.penalty() * m as f64 + activity;
                }
                if let Some(kind) = logits.and(compiled.loss.takes_logits_of()) {
                    kind.activation().forward_inplace(o, ow);
                    // The output layer's own activity penalty, at its activation's output.
                    if let Some(p) = net.layers.last().and_then(|l| crate::network_rules::activity_of(&l.spec)) {
                        sums[0] += p.value(o);
                    }
                }
                crate::metric::accumulate_all(&compiled.metrics, compiled.weighted_from, o, ys, ow, w, sums);
            }
            if let Some(f) = hooks.batch.as_mut() {
                averaging.means_into(sums, start + m, running);
                f(batch, Some(running))?;
            }
        }
        Ok(())
    })?;
    averaging.means_into(sums, rows, means);
    Ok(())
}
