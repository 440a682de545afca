//! The training loop, the only epoch loop of both backends: per epoch a fresh permutation of the rows (or
//! none), then each batch's step; the epoch's loss and metrics are batch-size-weighted means over its steps,
//! then the validation pass uses the final weights. Keras's callbacks are called at each of its hook points.
//! What a step does is the backend's `Session` (backend.rs): the CPU's is in train/session.rs, the GPU's in
//! gpu/fit.rs.
//!
//! On the CPU the model lock is held for one step at a time, so other threads' predictions interleave
//! between steps and callbacks (which may read or set weights) run with no lock held.

use std::sync::atomic::Ordering;

use crate::backend::{check_matrix, not_compiled, Control, Data, FitOptions, Observer, Session};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::stream::{Input, Obs};
use crate::train::CpuSession;

thread_local! {
    /// The models whose training loop runs on this thread (the loop calls the observer here, so a callback
    /// that calls `fit` again runs here too).
    static LOOPS: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Marks a model's loop as running on this thread until dropped.
struct OnThisThread(usize);

impl OnThisThread {
    fn enter(model: &Model) -> Self {
        let id = model as *const Model as usize;
        LOOPS.with(|l| l.borrow_mut().push(id));
        OnThisThread(id)
    }
}

impl Drop for OnThisThread {
    fn drop(&mut self) {
        LOOPS.with(|l| {
            let mut l = l.borrow_mut();
            if let Some(i) = l.iter().rposition(|&m| m == self.0) {
                l.remove(i);
            }
        });
    }
}

/// The models whose loops run on this thread, for a thread that does this thread's work while it waits (a
/// `predict` or `evaluate` called from a fit's callback runs, with its own callbacks, on a worker thread).
pub fn loops_here() -> Vec<usize> {
    LOOPS.with(|l| l.borrow().clone())
}

/// Make this (new) thread count as running the loops `loops` of the thread it works for (`loops_here`), so
/// that a callback here calling `fit` of one of those models is refused, not left waiting for itself.
pub fn inherit_loops(loops: Vec<usize>) {
    LOOPS.with(|l| *l.borrow_mut() = loops);
}

/// Refuse a `fit` of `model` called from one of its own fit's callbacks (that is, on the thread running its
/// loop): it could only wait for itself. Call on the thread that received the call.
pub fn check_not_nested(model: &Model) -> Result<()> {
    let id = model as *const Model as usize;
    if LOOPS.with(|l| l.borrow().contains(&id)) {
        return Err(Error::State(
            "fit() cannot run while this model is training: this call comes from one of its own fit's \
             callbacks. Set model.stop_training = True in the callback and call fit() again after it returns."
                .into(),
        ));
    }
    Ok(())
}

/// How often a `fit` waiting for another fit of the same model looks again (and at Ctrl-C).
const WAIT_POLL: std::time::Duration = std::time::Duration::from_millis(2);

/// An observer that lets a fit run to its end and keeps nothing (tests and developer benchmarks).
pub struct Silent;

impl Observer for Silent {
    fn epoch_begin(&mut self, _: usize) -> Result<Control> {
        Ok(Control::Continue)
    }
    fn batch_end(&mut self, _: usize, _: usize, _: &[f64]) -> Result<Control> {
        Ok(Control::Continue)
    }
    fn epoch_end(&mut self, _: usize, _: &[f64], _: Option<&[f64]>) -> Result<Control> {
        Ok(Control::Continue)
    }
}

/// Train `model` on `train`, validating on `val` after each epoch. Returns the number of epochs run.
///
/// The loop runs on a thread of the kernel pool, so its parallel kernels never queue work from outside it.
pub fn fit(
    model: &Model,
    train: Data<'_>,
    val: Option<Data<'_>>,
    opts: FitOptions,
    obs: &mut (dyn Observer + Send),
) -> Result<usize> {
    fit_input(model, Input::Arrays(train, val), opts, obs)
}

/// A fit of at most this many multiply-adds in all (`is_quick`) runs on the calling thread.
const QUICK_FIT_MACS: usize = 1 << 24;

/// ... and of at most this many steps (each costs about two microseconds of bookkeeping beyond its work).
const QUICK_FIT_STEPS: usize = 64;

/// Whether a fit of `model` on `train` and `val` is quick enough (a `train_on_batch`, a fit of a few small
/// batches) to run on the calling thread (`fit_here`): its whole work, counted generously as each row's
/// weights and widest value three times per training row and once per validation row, is below
/// `QUICK_FIT_MACS` (a few milliseconds at worst) in at most `QUICK_FIT_STEPS` steps, on the CPU, while no
/// other fit of the model runs (which the quick fit would wait for without answering Ctrl-C), called from no
/// other call's callback (such a call stops with the one it is nested in, `lineage.rs`). Handing a fit
/// to a thread of its own that hands it on to the pool costs about 150-250 µs on a two-core VM, a hundred of
/// the steps of such a fit.
pub fn is_quick(model: &Model, train: Data<'_>, val: Option<Data<'_>>, opts: FitOptions) -> bool {
    let epochs = opts.epochs.saturating_sub(opts.initial_epoch);
    let steps = epochs.saturating_mul(train.rows.div_ceil(opts.batch_size.max(1)));
    let Ok(st) = model.read() else { return false };
    let row = st.net.params.len().saturating_add(st.net.max_width().saturating_mul(st.net.layers.len().max(1)));
    let rows = train.rows.saturating_mul(3).saturating_add(val.map_or(0, |v| v.rows));
    let macs = epochs.saturating_mul(rows).saturating_mul(row);
    let cpu = st.gpu.is_none();
    drop(st);
    let nested = !crate::lineage::is_empty() || LOOPS.with(|l| !l.borrow().is_empty());
    cpu && !nested
        && steps <= QUICK_FIT_STEPS
        && macs <= QUICK_FIT_MACS
        && model.try_fitting().is_ok_and(|g| g.is_some())
}

/// `fit` on the calling thread instead of the training pool's (see `is_quick`): its kernels split work with
/// the thread team alone.
pub fn fit_here(
    model: &Model,
    train: Data<'_>,
    val: Option<Data<'_>>,
    opts: FitOptions,
    obs: &mut (dyn Observer + Send),
) -> Result<usize> {
    fit_on(model, Input::Arrays(train, val), opts, obs, false)
}

/// `fit` on in-memory or streamed data (`opts.batch_size`: then the rows a batch is expected to have).
pub fn fit_input(model: &Model, input: Input<'_>, opts: FitOptions, obs: Obs<'_>) -> Result<usize> {
    fit_on(model, input, opts, obs, true)
}

/// `fit_input`, its loop on a thread of the training pool if `on_pool`, else on this one.
fn fit_on(model: &Model, mut input: Input<'_>, opts: FitOptions, obs: Obs<'_>, on_pool: bool) -> Result<usize> {
    // One fit per model at a time: a second one (another thread's) waits for the first to end, answering
    // Ctrl-C while it waits; one from the first's own callbacks is refused by `check_not_nested`.
    let _fitting = loop {
        match model.try_fitting()? {
            Some(guard) => break guard,
            None if obs.cancel_flag().is_some_and(|c| c.load(Ordering::Relaxed)) => return Err(Error::Interrupted),
            None => std::thread::sleep(WAIT_POLL),
        }
    };
    input.check(model, opts, check_data)?;
    model.read()?.net.check_constraints()?;
    let running = FitRunning::start(model)?;
    let device = {
        let mut st = model.write()?;
        let g = st.gpu.take();
        if g.is_some() {
            st.pending = crate::backend::Changes::default();
        }
        g.map(|g| (g, st.version))
    };
    let body = || {
        let _here = OnThisThread::enter(model);
        let (train, val) = input.arrays(opts.batch_size);
        let Some((mut g, version)) = device else {
            return run(model, &mut CpuSession::new(model, train, val, opts)?, &mut input, opts, obs);
        };
        let mut sync = HostCopy { model, version };
        let session = match input {
            Input::Arrays(..) => g.session(train, val, opts, obs.wants_test_batches(), &mut sync),
            Input::Feeds(..) => g.stream_session(opts, &mut sync),
        };
        let result = session.and_then(|mut s| run(model, &mut *s, &mut input, opts, obs));
        let mut guard = model.write()?;
        let st = &mut *guard;
        // Changes the device could not take during the fit (a layer frozen, say) are made now.
        let rebuild = std::mem::take(&mut st.pending).other;
        let back = g.download(&mut st.net, st.compiled.as_mut());
        let back = back.and_then(|()| if rebuild { g.upload(&st.net, st.compiled.as_ref()) } else { Ok(()) });
        st.gpu = Some(g);
        back?;
        result
    };
    let result = if on_pool { crate::pool::train(body) } else { body() };
    let ended = running.end();
    let steps = result?;
    ended.map(|()| steps)
}

/// A fit running on `model`, from its start to its end: trainable flags set meanwhile wait for the end
/// (`Model::set_layer_trainable`), so that each backend trains the weights the fit started with, and are made
/// then (also if the fit ends by unwinding).
struct FitRunning<'a>(Option<&'a Model>);

impl<'a> FitRunning<'a> {
    fn start(model: &'a Model) -> Result<Self> {
        model.write()?.in_fit = true;
        Ok(FitRunning(Some(model)))
    }

    /// Make the flags set during the fit and end it.
    fn end(mut self) -> Result<()> {
        self.0.take().map_or(Ok(()), finish)
    }
}

impl Drop for FitRunning<'_> {
    fn drop(&mut self) {
        if let Some(model) = self.0.take() {
            let _ = finish(model); // unwinding: the flags are made all the same, as far as they can be
        }
    }
}

fn finish(model: &Model) -> Result<()> {
    let mut st = model.write()?;
    st.in_fit = false;
    let flags = std::mem::take(&mut st.deferred_trainable);
    if flags.is_empty() {
        return Ok(());
    }
    for (i, t) in flags {
        if let Some(l) = st.net.layers.get_mut(i) {
            l.trainable = t;
        }
    }
    st.host_changed(crate::backend::Change::Other)
}

/// The arguments' checks, the same for every backend.
fn check_data(model: &Model, train: Data<'_>, val: Option<Data<'_>>, opts: FitOptions) -> Result<()> {
    if opts.batch_size == 0 {
        return Err(Error::value("batch_size must be a positive integer. Received: batch_size=0"));
    }
    let st = model.read()?;
    let c = st.compiled.as_ref().ok_or_else(not_compiled)?;
    let loss = c.loss;
    // Every step this fit may run, checked before any changes the model.
    let steps = opts.epochs.saturating_sub(opts.initial_epoch).saturating_mul(train.rows.div_ceil(opts.batch_size));
    if !st.net.trainable_ranges().is_empty() {
        c.optimizer.check_schedule(steps as u64)?; // (a model with no trainable weight takes no step)
    }
    let (iw, ow) = (st.net.input_dim, st.net.output_dim());
    let tw = loss.target_width(ow);
    check_matrix(train.x, train.rows, iw, "x", "training inputs")?;
    crate::backend::check_weights(train.w, train.rows, "sample_weight")?;
    check_matrix(train.y, train.rows, tw, "y", "training targets")?;
    loss.check_targets(train.y, ow, "y")?;
    if train.rows == 0 {
        return Err(Error::value("fit needs at least one training sample. Received: x with 0 rows"));
    }
    if let Some(v) = val {
        check_matrix(v.x, v.rows, iw, "validation_data x", "validation inputs")?;
        check_matrix(v.y, v.rows, tw, "validation_data y", "validation targets")?;
        crate::backend::check_weights(v.w, v.rows, "validation_data sample_weight")?;
        loss.check_targets(v.y, ow, "validation_data y")?;
        if v.rows == 0 {
            return Err(Error::value(
                "validation_data needs at least one sample. Received: validation_data x with 0 rows",
            ));
        }
    }
    Ok(())
}

/// The epoch loop over a backend's session. Returns the number of epochs run.
fn run(
    model: &Model,
    s: &mut dyn Session,
    input: &mut Input<'_>,
    opts: FitOptions,
    obs: &mut (dyn Observer + Send),
) -> Result<usize> {
    let (rows, validate) = (if let Input::Arrays(t, _) = input { t.rows } else { 0 }, input.validates());
    // This thread's share of the products packs into buffers it keeps (the team's helpers make theirs as
    // they start): made now, they are not made in the middle of the loop.
    crate::scratch::reserve();
    // The steps compute with subnormals flushed to zero, as TensorFlow's CPU kernels do; callbacks and the
    // validation pass run in the thread's own mode (fpmode.rs).
    let _flushed = crate::fpmode::Flushed::for_loop();
    let cap = opts.batch_size.min(rows);
    let mut perm: Vec<u32> = (0..rows as u32).collect();
    let mut first = true;
    let mut epochs_run = 0;
    // The epoch's figures, kept here while the session runs the validation pass (reused: no allocation).
    let (mut logs, mut val_logs) = (Vec::new(), Vec::new());
    let (batch_begin, host_at_batches) = (obs.wants_batch_begin(), obs.host_at_batches());
    for epoch in opts.initial_epoch..opts.epochs {
        // A stop asked for before the epoch's first batch ends training after that batch, as in Keras (which
        // checks `stop_training` only after each batch and each epoch).
        let stop_first = obs.epoch_begin(epoch)? == Control::Stop;
        if opts.shuffle {
            model.write()?.shuffle_rng.permutation(&mut perm);
        }
        s.begin_epoch((opts.shuffle || first).then_some(&perm[..]))?;
        first = false;
        let mut stop = stop_first;
        let mut chunks = perm.chunks(cap.max(1));
        for step in 0.. {
            let Some(next) = crate::stream::next(model, input, &mut chunks, obs)? else { break };
            // A `batch_begin` that asks to stop ends training after this batch, as Keras's does.
            let stop_after = batch_begin && obs.batch_begin(epoch, step)? == Control::Stop || stop_first;
            match next {
                Ok(idx) => {
                    s.prefetch(chunks.clone().next().unwrap_or_default());
                    s.step(step, idx)?
                }
                Err(b) => s.step_rows(step, b.data()).map(|()| input.recycle(b))?,
            }
            if host_at_batches {
                s.sync_batch()?;
            }
            if obs.batch_end(epoch, step, s.running()?)? == Control::Stop || stop_after {
                stop = true;
                break;
            }
        }
        logs.clear();
        logs.extend_from_slice(s.end_epoch()?);
        let validated = validate && obs.validation_due(epoch);
        if validated {
            let first_only = obs.test_begin()? == Control::Stop;
            val_logs.clear();
            crate::fpmode::outside(|| crate::stream::validate(model, s, input, obs, first_only, &mut val_logs))?;
            obs.test_end(&val_logs)?;
        }
        epochs_run += 1;
        s.to_host()?;
        let control = obs.epoch_end(epoch, &logs, validated.then_some(&val_logs[..]))?;
        s.take_host_changes()?;
        if control == Control::Stop || stop {
            break;
        }
    }
    s.finish()?;
    Ok(epochs_run)
}

/// Keeps the host copy of a model training on a GPU current (see `backend::HostSync`).
struct HostCopy<'a> {
    model: &'a Model,
    version: u64,
}

impl crate::backend::HostSync for HostCopy<'_> {
    fn changed(&self) -> Result<bool> {
        Ok(self.model.read()?.version != self.version)
    }

    fn apply(&mut self, upload: crate::backend::Upload<'_>) -> Result<()> {
        let mut guard = self.model.write()?;
        let st = &mut *guard;
        if st.version != self.version {
            let other = st.pending.other;
            let changes = std::mem::take(&mut st.pending);
            upload(&st.net, st.compiled.as_ref(), &changes)?;
            // Kept for after the fit: the device copy is rebuilt then.
            st.pending.other = other;
            self.version = st.version;
        }
        Ok(())
    }

    fn download(&mut self, download: crate::backend::Download<'_>) -> Result<()> {
        let mut guard = self.model.write()?;
        let st = &mut *guard;
        download(&mut st.net, st.compiled.as_mut())?;
        self.version = st.version;
        Ok(())
    }
}
