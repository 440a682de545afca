//! The training loop: per epoch a fresh permutation (or none), rows gathered into the batch buffer (the
//! training set is never copied), forward, loss and gradient, backward, optimizer step; the epoch's loss and
//! metrics are batch-size-weighted means over the epoch, then the validation pass uses the final weights.
//!
//! The model lock is held for one step at a time, so other threads' predictions interleave between steps
//! and callbacks (which may read or set weights) run with no lock held.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::backend::{check_matrix, not_compiled, Control, Data, EvalHooks, FitOptions, Observer};
use crate::error::{Error, Result};
use crate::evaluate::{evaluate_with, EvalScratch};
use crate::model::Model;

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
    // One fit per model at a time: a second one (another thread's) waits for the first to end, answering
    // Ctrl-C while it waits; one from the first's own callbacks is refused by `check_not_nested`.
    let _fitting = loop {
        match model.try_fitting()? {
            Some(guard) => break guard,
            None if obs.cancel_flag().is_some_and(|c| c.load(Ordering::Relaxed)) => return Err(Error::Interrupted),
            None => std::thread::sleep(WAIT_POLL),
        }
    };
    {
        let taken = {
            let mut st = model.write()?;
            let rng = st.shuffle_rng.clone();
            let g = st.gpu.take();
            if g.is_some() {
                st.pending = crate::backend::Changes::default();
            }
            g.map(|g| (g, rng, st.version))
        };
        if let Some((mut g, mut rng, version)) = taken {
            let _here = OnThisThread::enter(model);
            let mut sync = HostCopy { model, version };
            let result = g.fit(train, val, opts, &mut rng, obs, &mut sync);
            let mut guard = model.write()?;
            let st = &mut *guard;
            // Changes the device could not take during the fit (a layer frozen, say) are made now.
            let rebuild = std::mem::take(&mut st.pending).other;
            let back = g.download(&mut st.net, st.compiled.as_mut());
            let back = back.and_then(|()| if rebuild { g.upload(&st.net, st.compiled.as_ref()) } else { Ok(()) });
            st.shuffle_rng = rng;
            st.gpu = Some(g);
            back?;
            return result;
        }
    }
    crate::pool::train(|| {
        let _here = OnThisThread::enter(model);
        fit_here(model, train, val, opts, obs)
    })
}

/// Keeps the host copy of a model training on a GPU current at each epoch's end (see `gpu::HostSync`).
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

fn fit_here(
    model: &Model,
    train: Data<'_>,
    val: Option<Data<'_>>,
    opts: FitOptions,
    obs: &mut (dyn Observer + Send),
) -> Result<usize> {
    if opts.batch_size == 0 {
        return Err(Error::value("batch_size must be a positive integer. Received: batch_size=0"));
    }
    let (iw, ow, n_metrics, mut ws) = {
        let st = model.read()?;
        let c = st.compiled.as_ref().ok_or_else(not_compiled)?;
        let (iw, ow) = (st.net.input_dim, st.net.output_dim());
        check_matrix(train.x, train.rows, iw, "x", "training inputs")?;
        check_matrix(train.y, train.rows, ow, "y", "training targets")?;
        if let Some(v) = val {
            check_matrix(v.x, v.rows, iw, "validation_data x", "validation inputs")?;
            check_matrix(v.y, v.rows, ow, "validation_data y", "validation targets")?;
        }
        if train.rows == 0 {
            return Err(Error::value("fit needs at least one training sample. Received: x with 0 rows"));
        }
        let cap = opts.batch_size.min(train.rows);
        (iw, ow, c.metrics.len(), st.net.workspace(cap)?)
    };
    let cap = ws.cap;
    let mut perm: Vec<u32> = (0..train.rows as u32).collect();
    let mut sums = vec![0.0f64; 1 + n_metrics];
    let mut running = vec![0.0f64; 1 + n_metrics];
    let mut ranges = Vec::new();
    let mut eval = EvalScratch::default();
    let mut epochs_run = 0;
    let batch_begin = obs.wants_batch_begin();
    for epoch in opts.initial_epoch..opts.epochs {
        if obs.epoch_begin(epoch)? == Control::Stop {
            break;
        }
        if opts.shuffle {
            model.write()?.shuffle_rng.permutation(&mut perm);
        }
        sums.iter_mut().for_each(|s| *s = 0.0);
        let mut seen = 0usize;
        let mut stop = false;
        for (step, idx) in perm.chunks(cap).enumerate() {
            let rows = idx.len();
            let stop_after = batch_begin && obs.batch_begin(epoch, step)? == Control::Stop;
            {
                let mut guard = model.write()?;
                let st = &mut *guard;
                let compiled = st.compiled.as_mut().ok_or_else(not_compiled)?;
                let net = &mut st.net;
                // `compile` is refused during fit; this guards the sums below all the same.
                if net.input_dim != iw || net.output_dim() != ow || compiled.metrics.len() != n_metrics {
                    return Err(Error::State("the model was rebuilt or recompiled during fit".into()));
                }
                net.gather(&mut ws, train.x, train.y, idx);
                net.forward_train(&mut ws, rows, true)?;
                let logits = if compiled.loss.takes_sigmoid_logits() { net.sigmoid_logits() } else { None };
                let (input, target, grad) = net.loss_views(&mut ws, rows, logits);
                sums[0] += compiled.loss.evaluate(input, target, ow, logits.is_some(), Some(grad));
                let (pred, target) = net.prediction_views(&ws, rows);
                for (sum, metric) in sums[1..].iter_mut().zip(&compiled.metrics) {
                    *sum += metric.sum(pred, target, ow);
                }
                net.backward(&mut ws, rows, logits, true)?;
                net.trainable_ranges_into(&mut ranges);
                compiled.optimizer.step(&mut net.params, &ws.param_grads, &ranges);
            }
            seen += rows;
            for (r, s) in running.iter_mut().zip(&sums) {
                *r = s / seen as f64;
            }
            if obs.batch_end(epoch, step, &running)? == Control::Stop || stop_after {
                stop = true;
                break;
            }
        }
        let val_logs = match val {
            Some(v) => {
                validate(model, v, opts.validation_batch_size, &mut eval, obs)?;
                Some(eval.values())
            }
            None => None,
        };
        epochs_run += 1;
        if obs.epoch_end(epoch, &running, val_logs)? == Control::Stop || stop {
            break;
        }
    }
    Ok(epochs_run)
}

/// Keras's validation pass at an epoch's end: `test_begin`, the batches (with their hooks when wanted, the
/// model's lock taken per batch so that a hook may read or set weights), `test_end`. Results in `eval`.
fn validate(
    model: &Model,
    v: Data<'_>,
    batch_size: usize,
    eval: &mut EvalScratch,
    obs: &mut (dyn Observer + Send),
) -> Result<()> {
    obs.test_begin()?;
    // A validation pass can be long: it stops at Ctrl-C as the training steps do.
    let stop = AtomicBool::new(false);
    let watch = |obs: &dyn Observer| obs.cancel_flag().is_some_and(|c| c.load(Ordering::Relaxed));
    if obs.wants_test_batches() {
        let mut hook = |step: usize, running: Option<&[f64]>| {
            if watch(obs) {
                stop.store(true, Ordering::Relaxed);
            }
            obs.test_batch(step, running)
        };
        let mut hooks = EvalHooks { cancel: &stop, batch: Some(&mut hook) };
        evaluate_with(&mut || model.read(), v.x, v.y, v.rows, batch_size.max(1), eval, &mut hooks)?;
    } else {
        let st = model.read()?;
        let cancel = obs.cancel_flag().unwrap_or(&crate::backend::NEVER);
        let mut hooks = EvalHooks::cancelled_by(cancel);
        evaluate_with(&mut || Ok(&*st), v.x, v.y, v.rows, batch_size.max(1), eval, &mut hooks)?;
    }
    obs.test_end(eval.values())
}
