//! A model: its network and compiled training configuration behind one lock, so predictions from any
//! number of threads see the weights either before or after a training step, never a torn mix.
//!
//! The locks, and inference and evaluation entry points, live here; what the lock guards is in `state.rs`, the
//! evaluation pass in `evaluate.rs` and the training loop in `trainer.rs`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};

use rayon::prelude::*;

use crate::backend::{Change, Changes, Compiled, Data, NEVER};
use crate::error::{Error, Result};
use crate::evaluate::{evaluate_with, with_scratch, EvalScratch};
use crate::hooks::{EvalHooks, PredictHook};
use crate::layer::LayerSpec;
use crate::loss::Loss;
use crate::metric::Metric;
use crate::network::Network;
use crate::optimizer::{Optimizer, OptimizerKind, Schedule};
use crate::rng::Rng;
pub use crate::state::{ModelState, OptimizerState};

/// Below this many multiply-adds a predict runs on the calling thread (a few hundred microseconds at most).
pub const PARALLEL_PREDICT_MACS: usize = 1 << 23;

/// Rows per task when a large predict is split across the thread pool.
const PREDICT_CHUNK: usize = 512;

/// A model shared between threads.
///
/// Its locks never stay poisoned: a panic caught at the Python boundary must not make the trained weights
/// unreachable, so a lock whose holder panicked is taken over (the state it guards is plain numbers, valid
/// whatever step was cut short). In a forked child, a lock that a vanished thread of the parent held is
/// detected once (see `adopt`) and every call then answers with a clear error instead of waiting forever.
#[derive(Debug)]
pub struct Model {
    state: RwLock<ModelState>,
    /// Held for the whole of a `fit`, and by the calls that must not overlap one (`compile`, moving devices).
    fitting: Mutex<()>,
    /// The fork generation (fork.rs) this model's locks are known to be usable in.
    home: AtomicU64,
}

/// The message for a call that cannot overlap a `fit` of the same model.
fn busy_training(what: &str) -> Error {
    Error::State(format!(
        "{what} cannot run while this model is training: fit() is running in another thread, or this call \
         comes from one of its callbacks. Wait for fit() to return (a callback can set \
         model.stop_training = True to end it)."
    ))
}

/// Refuse a loss or loss metric that cannot read `net`'s final activation (a cross-entropy from a relu, say).
pub(crate) fn check_final_activation(net: &Network, loss: &Loss, metrics: &[Metric]) -> Result<()> {
    let last = crate::network::final_logits(&net.layers).map(|(_, a)| a);
    loss.check_final_activation(last)?;
    metrics.iter().try_for_each(|m| match m {
        Metric::Loss(l) => l.check_final_activation(last),
        _ => Ok(()),
    })
}

impl Model {
    /// Build a model from layer specs for inputs of width `input_dim`.
    pub fn new(input_dim: usize, specs: Vec<LayerSpec>, seed: u64) -> Result<Self> {
        Ok(Self::of(Network::new(input_dim, specs, seed)?, seed))
    }

    /// A model of a built network (a graph, say); `seed` seeds its shuffling.
    pub fn of(net: Network, seed: u64) -> Self {
        crate::fork::watch();
        Model {
            state: RwLock::new(ModelState {
                net,
                compiled: None,
                shuffle_rng: Rng::new(seed, 2),
                version: 0,
                pending: Changes::default(),
                gpu: None,
                in_fit: false,
                deferred_trainable: Vec::new(),
            }),
            fitting: Mutex::new(()),
            home: AtomicU64::new(crate::fork::generation()),
        }
    }

    /// Make sure this model's locks can be used in this process: true unless the process is a forked child
    /// and this is its first use here (then `adopt`). Two relaxed loads on every call.
    fn usable_here(&self) -> Result<()> {
        let now = crate::fork::generation();
        if self.home.load(Ordering::Relaxed) == now {
            return Ok(());
        }
        self.adopt(now)
    }

    /// First use in a forked child. Only the forking thread survives a fork, so a lock held now was held
    /// by a thread that no longer exists (an adopting thread holds the `ADOPT` mutex, and a thread that
    /// adopted already finds `home` current): then the model is refused for good, naming the way out.
    #[cold]
    fn adopt(&self, now: u64) -> Result<()> {
        static ADOPT: Mutex<()> = Mutex::new(());
        let _one = ADOPT.lock().unwrap_or_else(PoisonError::into_inner);
        if self.home.load(Ordering::Relaxed) == now {
            return Ok(());
        }
        let fit_free = !matches!(self.fitting.try_lock(), Err(TryLockError::WouldBlock));
        let state_free = !matches!(self.state.try_write(), Err(TryLockError::WouldBlock));
        if !(fit_free && state_free) {
            return Err(Error::State(crate::fork::FORKED_WHILE_BUSY.into()));
        }
        self.home.store(now, Ordering::Relaxed);
        Ok(())
    }

    /// Move the model to the GPU (`gpu`; a software adapter only when `allow_software`) or back to the CPU.
    pub fn set_device(&self, gpu: bool, allow_software: bool) -> Result<()> {
        let _exclusive = self.exclusive("Moving the model to another device")?;
        let mut guard = self.write()?;
        let st = &mut *guard;
        if gpu {
            if st.gpu.is_none() {
                let g = crate::gpu::GpuModel::new(&st.net, st.compiled.as_ref(), allow_software)?;
                st.gpu = Some(Box::new(g));
            }
        } else if let Some(g) = st.gpu.take() {
            if g.forked() {
                // The host copy is current outside fit; the device copy cannot be touched (nor freed) in a
                // forked child.
                std::mem::forget(g);
            } else if let Err(e) = g.download(&mut st.net, st.compiled.as_mut()) {
                st.gpu = Some(g);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Exclusive right to train, held for a whole `fit`: `None` while another fit holds it (the caller decides
    /// whether to wait; one called from that fit's own callbacks must not, see `trainer::check_not_nested`).
    pub fn try_fitting(&self) -> Result<Option<MutexGuard<'_, ()>>> {
        self.usable_here()?;
        match self.fitting.try_lock() {
            Ok(g) => Ok(Some(g)),
            Err(TryLockError::Poisoned(p)) => Ok(Some(p.into_inner())),
            Err(TryLockError::WouldBlock) => Ok(None),
        }
    }

    /// The `fit` lock for `what`, which must not overlap a fit; refused (not waited for) while one runs.
    pub(crate) fn exclusive(&self, what: &str) -> Result<MutexGuard<'_, ()>> {
        self.try_fitting()?.ok_or_else(|| busy_training(what))
    }

    /// Shared access (many readers).
    pub fn read(&self) -> Result<RwLockReadGuard<'_, ModelState>> {
        self.usable_here()?;
        Ok(self.state.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Exclusive access (one training step, a weight update).
    pub fn write(&self) -> Result<RwLockWriteGuard<'_, ModelState>> {
        self.usable_here()?;
        Ok(self.state.write().unwrap_or_else(PoisonError::into_inner))
    }

    /// Set the loss, metrics and a fresh optimizer. Refused while the model trains.
    pub fn compile(&self, loss: Loss, metrics: Vec<Metric>, optimizer: OptimizerKind) -> Result<()> {
        self.compile_with(loss, metrics, Vec::new(), optimizer, None)
    }

    /// `compile` with Keras's `weighted_metrics` too (they see the sample weights) and a learning-rate
    /// schedule (`None`: `optimizer`'s constant rate).
    pub fn compile_with(
        &self,
        loss: Loss,
        mut metrics: Vec<Metric>,
        weighted: Vec<Metric>,
        optimizer: OptimizerKind,
        schedule: Option<Schedule>,
    ) -> Result<()> {
        let weighted_from = metrics.len();
        metrics.extend(weighted);
        optimizer.validate()?;
        schedule.as_ref().map_or(Ok(()), Schedule::validate)?;
        crate::metric::check_with_loss(&metrics, &loss)?;
        let _exclusive = self.exclusive("compile()")?;
        let mut st = self.write()?;
        let width = st.net.output_dim();
        check_final_activation(&st.net, &loss, &metrics)?;
        metrics.iter_mut().try_for_each(|m| m.settle(width))?;
        let n = st.net.params.len();
        let optimizer = Optimizer { schedule, ..Optimizer::new(optimizer, n) };
        st.compiled =
            Some(Compiled { loss, metrics, optimizer, weighted_from, reduction: Default::default(), loss_weight: 1.0 });
        st.host_changed(Change::Other)
    }

    /// Predictions for `rows` rows of `x` (row-major, input width) into `out` (rows × output width).
    pub fn predict(&self, x: &[f32], rows: usize, out: &mut [f32]) -> Result<()> {
        self.predict_until(x, rows, out, &NEVER)
    }

    /// `predict`, ending with `Error::Interrupted` at the next chunk of rows once `cancel` is set.
    pub fn predict_until(&self, x: &[f32], rows: usize, out: &mut [f32], cancel: &AtomicBool) -> Result<()> {
        let st = self.read()?;
        if let Some(g) = &st.gpu {
            return g.predict(x, rows, out, cancel);
        }
        let net = &st.net;
        let (iw, ow) = (net.input_dim, net.output_dim());
        if x.len() != rows * iw || out.len() != rows * ow {
            return Err(Error::value(format!(
                "Input has {} values, expected {rows} rows of width {iw}. Received: x with {} values",
                x.len(),
                x.len()
            )));
        }
        if rows.saturating_mul(net.params.len()) < PARALLEL_PREDICT_MACS {
            // Small work stays on the calling thread: no pool hand-off, no allocation. A row or a few may
            // share a large layer's columns with the thread team (when it is free).
            let split_rows = rows <= crate::layers::dense::GEMV_MAX_ROWS;
            return with_scratch(|s| net.infer(x, rows, out, s, split_rows));
        }
        if rows <= PREDICT_CHUNK {
            return crate::pool::infer(|| with_scratch(|s| net.infer(x, rows, out, s, true)));
        }
        crate::pool::infer(|| {
            out.par_chunks_mut(PREDICT_CHUNK * ow).zip(x.par_chunks(PREDICT_CHUNK * iw)).try_for_each(|(o, xi)| {
                if cancel.load(Ordering::Relaxed) {
                    return Err(Error::Interrupted);
                }
                with_scratch(|s| net.infer(xi, xi.len() / iw, o, s, false))
            })
        })
    }

    /// The optimizer's state: for each trainable weight (Keras order), each slot (Python reorders them into
    /// the grouping Keras's files use). Returns `(iterations, [(weight index, slot name, values)])`.
    pub fn optimizer_state(&self) -> Result<OptimizerState> {
        self.read()?.optimizer_state()
    }

    /// Weights and (when compiled) optimizer state read under one lock: a consistent pair while another trains.
    pub fn snapshot(&self) -> Result<(Vec<Vec<f32>>, Option<OptimizerState>)> {
        let st = self.read()?;
        let weights = st.net.weights.iter().map(|w| st.net.params[w.range()].to_vec()).collect();
        let opt = if st.compiled.is_some() { Some(st.optimizer_state()?) } else { None };
        Ok((weights, opt))
    }

    /// Overwrite weight `i`.
    pub fn set_weight(&self, i: usize, values: &[f32]) -> Result<()> {
        let mut st = self.write()?;
        st.net.set_weight(i, values)?;
        st.host_changed(Change::Weight(i))
    }

    /// Overwrite every weight (Keras order); all are checked before any is written.
    pub fn set_weights(&self, values: &[&[f32]]) -> Result<()> {
        self.load_state(Some(values), None)
    }

    /// Restore what `optimizer_state` returned (same model structure and optimizer kind).
    pub fn set_optimizer_state(&self, iterations: u64, values: &[&[f32]]) -> Result<()> {
        self.load_state(None, Some((iterations, values)))
    }

    /// Set the weights and/or the optimizer state under one lock, all checked before anything is written.
    pub fn load_state(&self, weights: Option<&[&[f32]]>, optimizer: Option<(u64, &[&[f32]])>) -> Result<()> {
        self.write()?.load(weights, optimizer)
    }

    /// Freeze or unfreeze layer `layer` (Keras's `layer.trainable`). Returns whether it is done now: while a
    /// fit runs (a callback's change, or another thread's) the flag is kept until the fit ends, so that a fit
    /// trains the weights it started with on either backend (a GPU fit's device copy is laid out for them).
    pub fn set_layer_trainable(&self, layer: usize, trainable: bool) -> Result<bool> {
        let mut st = self.write()?;
        let n = st.net.layers.len();
        if layer >= n {
            return Err(Error::value(format!("layer index out of range ({n} layers). Received: layer={layer}")));
        }
        if st.in_fit {
            st.deferred_trainable.retain(|&(i, _)| i != layer);
            st.deferred_trainable.push((layer, trainable));
            return Ok(false);
        }
        st.net.layers[layer].trainable = trainable;
        st.host_changed(Change::Other)?;
        Ok(true)
    }

    /// Loss and metrics over `rows` rows in inference mode: `[loss, metric...]`, each the mean over rows.
    pub fn evaluate(&self, x: &[f32], y: &[f32], rows: usize, batch_size: usize) -> Result<Vec<f64>> {
        self.evaluate_until(Data::new(x, y, rows), batch_size, &mut EvalHooks::cancelled_by(&NEVER))
    }

    /// `evaluate`, calling `hooks.batch` around each batch (with no lock held, so a hook may use the model)
    /// and ending with `Error::Interrupted` at the next batch once `hooks.cancel` is set.
    pub fn evaluate_until(&self, d: Data<'_>, batch_size: usize, hooks: &mut EvalHooks<'_>) -> Result<Vec<f64>> {
        let mut scratch = EvalScratch::default();
        {
            let st = self.read()?;
            if let Some(g) = &st.gpu {
                let mut done = g.evaluate(d, batch_size, hooks.cancel, hooks.batch.is_some())?;
                drop(st);
                if let Some(hook) = hooks.batch.as_mut() {
                    done.report_batches(d.rows, &mut **hook)?;
                }
                return Ok(done.means);
            }
        }
        if hooks.batch.is_some() {
            evaluate_with(&mut || self.read(), d, batch_size, &mut scratch, hooks)?;
        } else {
            let st = self.read()?;
            evaluate_with(&mut || Ok(&*st), d, batch_size, &mut scratch, hooks)?;
        }
        Ok(scratch.into_values())
    }

    /// `predict` a batch of `batch_size` rows at a time, calling `hook(batch, None)` before and
    /// `hook(batch, Some(outputs))` after each, with no lock held; stops before the next once `cancel` is set.
    pub fn predict_batches(
        &self,
        x: &[f32],
        rows: usize,
        out: &mut [f32],
        batch_size: usize,
        cancel: &AtomicBool,
        hook: PredictHook<'_>,
    ) -> Result<()> {
        let (iw, ow) = {
            let st = self.read()?;
            (st.net.input_dim, st.net.output_dim())
        };
        if x.len() != rows * iw || out.len() != rows * ow {
            return Err(Error::value(format!(
                "Input has {} values, expected {rows} rows of width {iw}. Received: x with {} values",
                x.len(),
                x.len()
            )));
        }
        let bs = batch_size.clamp(1, rows.max(1));
        for (b, (xb, ob)) in x.chunks(bs * iw).zip(out.chunks_mut(bs * ow)).enumerate() {
            if cancel.load(Ordering::Relaxed) {
                return Err(Error::Interrupted);
            }
            hook(b, None)?;
            self.predict_until(xb, xb.len() / iw, ob, cancel)?;
            hook(b, Some(ob))?;
        }
        Ok(())
    }
}
