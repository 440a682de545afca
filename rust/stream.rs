//! Streamed data: batches that a producer (a Python thread running a generator or a `PyDataset`) hands the
//! core through a bounded queue, so that memory holds at most the queue's batches, never the data set. The
//! producer decides where an epoch (or a validation pass) ends and says so with `Item::End`; the trainer's
//! loop takes batches until then (the queue is `queue`). Also the evaluation of a stream, batch by batch, on
//! either backend.

mod queue;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::backend::{check_matrix, check_weights, not_compiled, Control, Data, Observer, Session};
use crate::error::{Error, Result};
use crate::evaluate::{evaluate_with, EvalScratch};
use crate::hooks::{validation_hook, EvalHooks};
use crate::model::Model;
use crate::train::Workspace;

pub use queue::{feed, Batch, Feed, FeedSender, Item};

/// Check a streamed batch against `model`: input and target widths, finite values, valid targets and
/// weights. `arg` names the source in errors ("x" for training, "validation_data" for validation).
pub fn check_batch(model: &Model, d: Data<'_>, arg: &str) -> Result<()> {
    // The checks run once with empty names, and only a batch that fails them again with its names: a batch
    // per step must not allocate them.
    if checks(model, d, None).is_ok() {
        return Ok(());
    }
    checks(model, d, Some(arg))
}

fn checks(model: &Model, d: Data<'_>, arg: Option<&str>) -> Result<()> {
    let name = |part: &str| arg.map(|a| format!("{a} batch {part}")).unwrap_or_default();
    let st = model.read()?;
    let c = st.compiled.as_ref().ok_or_else(not_compiled)?;
    let (iw, ow) = (st.net.input_dim, st.net.output_dim());
    check_matrix(d.x, d.rows, iw, &name("x"), "inputs")?;
    check_matrix(d.y, d.rows, c.loss.target_width(ow), &name("y"), "targets")?;
    c.loss.check_targets(d.y, ow, &name("y"))?;
    check_weights(d.w, d.rows, &name("sample_weight"))
}

/// The checks of a streamed fit before it starts (each batch is checked as it arrives).
pub fn check_stream(model: &Model, opts: crate::backend::FitOptions) -> Result<()> {
    if opts.batch_size == 0 {
        return Err(Error::value("batch_size must be a positive integer. Received: batch_size=0"));
    }
    model.read()?.compiled.as_ref().map(|_| ()).ok_or_else(not_compiled)
}

/// One validation pass over the batches of `feed` on `s`'s current weights, with the test-batch hooks when
/// the observer wants them (see `validation_hook`; `first_only`: the pass ends after its first batch); its
/// `[loss, metric...]` means into `out`.
pub fn validate_feed(
    model: &Model,
    s: &mut dyn Session,
    feed: &mut Feed,
    obs: &mut dyn Observer,
    first_only: bool,
    out: &mut Vec<f64>,
) -> Result<()> {
    let (averaging, cols) = {
        let st = model.read()?;
        let c = st.compiled.as_ref().ok_or_else(not_compiled)?;
        (c.averaging(), c.sum_columns())
    };
    let (mut sums, mut running) = std::mem::take(&mut feed.pass_sums);
    sums.clear();
    sums.resize(cols, 0.0);
    let mut rows = 0;
    let hooks = obs.wants_test_batches() || first_only;
    for step in 0.. {
        let next = feed.next(obs.cancel_flag().unwrap_or(&crate::backend::NEVER))?;
        let Some(b) = next else { break };
        check_batch(model, b.data(), "validation_data")?;
        if hooks {
            validation_hook(obs, first_only, step, None)?;
        }
        // A batch of no rows (a PyDataset's `__len__` one too many) is a step that adds nothing, as in Keras.
        if b.rows > 0 {
            s.validate_rows(b.data(), &mut sums)?;
        }
        rows += b.rows;
        feed.recycle(b);
        if hooks {
            averaging.means_into(&sums, rows, &mut running);
            if validation_hook(obs, first_only, step, Some(&running))? == Control::Stop {
                // The pass ends here; the rest of its batches, already on their way, are set aside unread, so
                // that the next pass starts at its own first batch.
                while let Some(b) = feed.next(obs.cancel_flag().unwrap_or(&crate::backend::NEVER))? {
                    feed.recycle(b);
                }
                break;
            }
        }
    }
    averaging.means_into(&sums, rows, out);
    feed.pass_sums = (sums, running);
    Ok(())
}

/// Add the evaluation sums `[w·loss, metric..., w]` of `d` (inference mode, the host's weights) to `sums`
/// (`scratch` is reused from batch to batch).
pub fn cpu_sums(
    model: &Model,
    d: Data<'_>,
    cancel: &AtomicBool,
    scratch: &mut EvalScratch,
    sums: &mut [f64],
) -> Result<()> {
    evaluate_with(&mut || model.read(), d, d.rows, scratch, &mut EvalHooks::cancelled_by(cancel))?;
    let st = model.read()?;
    let compiled = st.compiled.as_ref().ok_or_else(not_compiled)?;
    if scratch.sums().len() != sums.len() {
        return Err(recompiled());
    }
    same_columns(compiled, sums.len())?;
    crate::metric::add_sums(&compiled.metrics, sums, scratch.sums());
    Ok(())
}

/// Refuse a pass whose model no longer has the `cols` sum columns it began with: compiled again meanwhile
/// by the data's own generator or by another thread (its loss and metrics are other columns).
fn same_columns(compiled: &crate::backend::Compiled, cols: usize) -> Result<()> {
    if compiled.sum_columns() == cols {
        Ok(())
    } else {
        Err(recompiled())
    }
}

fn recompiled() -> Error {
    Error::State("the model was rebuilt or recompiled during evaluation (of streamed data)".into())
}

/// `evaluate` over the batches of `feed`: `[loss, metric...]` means over all their rows, calling
/// `hooks.batch` around each batch, on the model's device.
pub fn evaluate_feed(model: &Model, feed: &mut Feed, hooks: &mut EvalHooks<'_>) -> Result<Vec<f64>> {
    let (averaging, cols) = {
        let st = model.read()?;
        let c = st.compiled.as_ref().ok_or_else(not_compiled)?;
        (c.averaging(), c.sum_columns())
    };
    let (mut sums, mut running, mut rows) = (vec![0.0; cols], Vec::new(), 0);
    let mut scratch = EvalScratch::default();
    for step in 0.. {
        let Some(b) = feed.next(hooks.cancel)? else { break };
        check_batch(model, b.data(), "x")?;
        if let Some(f) = hooks.batch.as_mut() {
            f(step, None)?;
        }
        // As in `validate_feed`, a batch of no rows adds nothing.
        if b.rows > 0 {
            let on_gpu = {
                let st = model.read()?;
                match &st.gpu {
                    Some(g) => {
                        let compiled = st.compiled.as_ref().ok_or_else(not_compiled)?;
                        same_columns(compiled, cols)?;
                        let done = g.evaluate(b.data(), b.rows, hooks.cancel, true)?;
                        crate::metric::add_rows(&compiled.metrics, &mut sums, &done.per_batch);
                        true
                    }
                    None => false,
                }
            };
            if !on_gpu {
                cpu_sums(model, b.data(), hooks.cancel, &mut scratch, &mut sums)?;
            }
        }
        rows += b.rows;
        feed.recycle(b);
        if let Some(f) = hooks.batch.as_mut() {
            averaging.means_into(&sums, rows, &mut running);
            if f(step, Some(&running))? == Control::Stop {
                break; // (the caller ends the feed)
            }
        }
    }
    if rows == 0 {
        return Err(Error::value("evaluate needs at least one batch. Received: a data source with no batches"));
    }
    Ok(averaging.means(&sums, rows))
}

/// The observer a fit reports to.
pub type Obs<'o> = &'o mut (dyn Observer + Send);

/// A fit's data: in memory (batches drawn by index), or streamed through queues (training, validation).
pub enum Input<'a> {
    /// Training rows and, optionally, validation rows.
    Arrays(Data<'a>, Option<Data<'a>>),
    /// The training batches' queue and, optionally, the validation batches'.
    Feeds(&'a mut Feed, Option<&'a mut Feed>),
}

impl<'a> Input<'a> {
    /// Whether the fit validates.
    pub fn validates(&self) -> bool {
        matches!(self, Input::Arrays(_, Some(_)) | Input::Feeds(_, Some(_)))
    }

    /// Check the arguments before the fit starts: in-memory data with `check_arrays`, a stream's options
    /// (its batches are checked as they arrive).
    pub fn check(
        &self,
        model: &Model,
        opts: crate::backend::FitOptions,
        check_arrays: fn(&Model, Data<'_>, Option<Data<'_>>, crate::backend::FitOptions) -> Result<()>,
    ) -> Result<()> {
        match self {
            Input::Arrays(train, val) => check_arrays(model, *train, *val, opts),
            Input::Feeds(..) => check_stream(model, opts),
        }
    }

    /// Hand a streamed batch the step has finished with back to the training feed's producer.
    pub fn recycle(&self, b: Batch) {
        if let Input::Feeds(feed, _) = self {
            feed.recycle(b);
        }
    }

    /// The in-memory data, or for a stream none (an empty set of `batch_size` rows, which sizes the CPU's
    /// workspace).
    pub fn arrays(&self, batch_size: usize) -> (Data<'a>, Option<Data<'a>>) {
        match self {
            Input::Arrays(train, val) => (*train, *val),
            Input::Feeds(..) => (Data::new(&[], &[], batch_size), None),
        }
    }
}

/// A training step's rows: in-memory rows by index (`Ok`), or a streamed batch (`Err`).
pub type Next<'b> = std::result::Result<&'b [u32], Batch>;

/// The next step's rows: the next index chunk of in-memory data, or the next batch of the training feed
/// (checked against `model`); `None` at the end of the epoch.
pub fn next<'b>(
    model: &Model,
    input: &mut Input<'_>,
    chunks: &mut std::slice::Chunks<'b, u32>,
    obs: &dyn Observer,
) -> Result<Option<Next<'b>>> {
    let Input::Feeds(feed, _) = input else { return Ok(chunks.next().map(Ok)) };
    let next = feed.next(obs.cancel_flag().unwrap_or(&crate::backend::NEVER))?;
    if let Some(b) = &next {
        check_batch(model, b.data(), "x")?;
    }
    Ok(next.map(Err))
}

/// The validation pass of a fit's epoch: over the validation feed, or the session's in-memory rows.
pub fn validate(
    model: &Model,
    s: &mut dyn Session,
    input: &mut Input<'_>,
    obs: &mut dyn Observer,
    first_only: bool,
    out: &mut Vec<f64>,
) -> Result<()> {
    match input {
        Input::Feeds(_, Some(v)) => validate_feed(model, s, v, obs, first_only, out),
        _ => {
            out.extend_from_slice(s.validate(obs, first_only)?);
            Ok(())
        }
    }
}

/// What the CPU's session keeps for a streamed fit: the current batch (its buffers reused), the identity
/// rows over it, and the rows its workspace holds.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    pub batch: Option<Batch>,
    idx: Arc<Vec<u32>>,
    cap: usize,
}

impl Rows {
    /// For a workspace of `cap` rows.
    pub fn new(cap: usize) -> Self {
        Rows { batch: None, idx: Arc::default(), cap }
    }

    /// Take `d` as the batch to train on next (growing `ws` if it has more rows than it holds); the identity
    /// rows over it (a shared handle, so that the session can borrow itself mutably for the step).
    pub fn load(&mut self, d: Data<'_>, ws: &mut Workspace, model: &Model) -> Result<Arc<Vec<u32>>> {
        self.batch.get_or_insert_with(Batch::default).fill(d);
        if d.rows > self.cap {
            *ws = model.read()?.net.workspace(d.rows)?;
            self.cap = d.rows;
        }
        if self.idx.len() < d.rows {
            self.idx = Arc::new((0..d.rows as u32).collect());
        }
        Ok(self.idx.clone())
    }
}
