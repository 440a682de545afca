//! A model: its network and compiled training configuration behind one lock, so predictions from any
//! number of threads see the weights either before or after a training step, never a torn mix.
//!
//! Inference and evaluation live here; the training loop is in `trainer.rs`.

use std::cell::RefCell;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::layer::LayerSpec;
use crate::loss::Loss;
use crate::metric::Metric;
use crate::network::{Network, Scratch};
use crate::optimizer::{Optimizer, OptimizerKind};
use crate::rng::Rng;

/// Below this many multiply-adds a predict runs on the calling thread (a few hundred microseconds at most).
pub const PARALLEL_PREDICT_MACS: usize = 1 << 23;

/// Rows per task when a large predict is split across the thread pool.
const PREDICT_CHUNK: usize = 512;

/// The configuration `compile()` sets.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The loss being minimized.
    pub loss: Loss,
    /// Metrics reported beside the loss.
    pub metrics: Vec<Metric>,
    /// The optimizer and its state.
    pub optimizer: Optimizer,
}

/// Everything a model owns.
#[derive(Debug)]
pub struct ModelState {
    /// The built network and its parameters (always current outside `fit`; on a GPU, current at each
    /// epoch's end during `fit`).
    pub net: Network,
    /// Set by `compile`.
    pub compiled: Option<Compiled>,
    /// Draws each epoch's shuffle.
    pub shuffle_rng: Rng,
    /// Counts changes made from the host (weights, optimizer state, trainable flags, compile).
    pub version: u64,
    /// The model's copy on a GPU, when it lives there (taken out while a GPU `fit` runs).
    #[cfg(feature = "gpu")]
    pub gpu: Option<Box<crate::gpu::GpuModel>>,
}

impl ModelState {
    /// Record a change made on the host and, on a GPU, send it to the device.
    pub fn host_changed(&mut self) -> Result<()> {
        self.version += 1;
        #[cfg(feature = "gpu")]
        if let Some(g) = self.gpu.as_mut() {
            g.upload(&self.net, self.compiled.as_ref())?;
        }
        Ok(())
    }

    /// `"cpu"`, or `"gpu"` and the adapter's name.
    pub fn device(&self) -> (String, Option<String>) {
        #[cfg(feature = "gpu")]
        if let Some(g) = &self.gpu {
            return ("gpu".into(), Some(g.adapter().name));
        }
        ("cpu".into(), None)
    }
}

/// `(iterations, [(weight index, slot name, values)])`, see `Model::optimizer_state`.
pub type OptimizerState = (u64, Vec<(usize, &'static str, Vec<f32>)>);

/// A model shared between threads.
#[derive(Debug)]
pub struct Model {
    state: RwLock<ModelState>,
    /// Held for the whole of a `fit`: a second `fit` of the same model waits here, outside the thread pool.
    fitting: std::sync::Mutex<()>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Run `f` with this thread's inference scratch (a fresh one if it is already in use).
fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        Err(_) => f(&mut Scratch::default()),
    })
}

/// Check that a row-major matrix is `rows × width` and finite; name the first bad value.
pub fn check_matrix(data: &[f32], rows: usize, width: usize, arg: &str, what: &str) -> Result<()> {
    if data.len() != rows * width {
        return Err(Error::value(format!(
            "{arg} has {} values but {rows} rows of width {width} were expected. Received: {arg} with {} values",
            data.len(),
            data.len()
        )));
    }
    if let Some(pos) = data.iter().position(|v| !v.is_finite()) {
        let (r, c) = (pos / width.max(1), pos % width.max(1));
        return Err(Error::value(format!(
            "{arg} contains a non-finite value ({}) at row {r}, column {c}; {what} must be finite. Received: {arg}[{r}, {c}]={}",
            data[pos], data[pos]
        )));
    }
    Ok(())
}

impl Model {
    /// Build a model from layer specs for inputs of width `input_dim`.
    pub fn new(input_dim: usize, specs: Vec<LayerSpec>, seed: u64) -> Result<Self> {
        let net = Network::new(input_dim, specs, seed)?;
        Ok(Model {
            state: RwLock::new(ModelState {
                net,
                compiled: None,
                shuffle_rng: Rng::new(seed, 2),
                version: 0,
                #[cfg(feature = "gpu")]
                gpu: None,
            }),
            fitting: std::sync::Mutex::new(()),
        })
    }

    /// Move the model to the GPU (`gpu`; a software adapter only when `allow_software`) or back to the CPU.
    pub fn set_device(&self, gpu: bool, allow_software: bool) -> Result<()> {
        let mut guard = self.write()?;
        let st = &mut *guard;
        #[cfg(feature = "gpu")]
        {
            if gpu {
                if st.gpu.is_none() {
                    let g = crate::gpu::GpuModel::new(&st.net, st.compiled.as_ref(), allow_software)?;
                    st.gpu = Some(Box::new(g));
                }
            } else if let Some(g) = st.gpu.take() {
                g.download(&mut st.net, st.compiled.as_mut())?;
            }
            Ok(())
        }
        #[cfg(not(feature = "gpu"))]
        {
            let _ = (st, allow_software);
            if gpu {
                return Err(Error::Backend(
                    "This keras_lite build has no GPU backend (it was built without the 'gpu' feature).".into(),
                ));
            }
            Ok(())
        }
    }

    /// Exclusive right to train, held for a whole `fit`.
    pub fn fitting(&self) -> Result<std::sync::MutexGuard<'_, ()>> {
        self.fitting.lock().map_err(|_| Error::State("an earlier fit of this model failed badly".into()))
    }

    /// Shared access (many readers).
    pub fn read(&self) -> Result<RwLockReadGuard<'_, ModelState>> {
        self.state.read().map_err(|_| Error::State("the model's state was poisoned by an earlier failure".into()))
    }

    /// Exclusive access (one training step, a weight update).
    pub fn write(&self) -> Result<RwLockWriteGuard<'_, ModelState>> {
        self.state.write().map_err(|_| Error::State("the model's state was poisoned by an earlier failure".into()))
    }

    /// Set the loss, metrics and a fresh optimizer.
    pub fn compile(&self, loss: Loss, metrics: Vec<Metric>, optimizer: OptimizerKind) -> Result<()> {
        optimizer.validate()?;
        let mut st = self.write()?;
        let n = st.net.params.len();
        st.compiled = Some(Compiled { loss, metrics, optimizer: Optimizer::new(optimizer, n) });
        st.host_changed()
    }

    /// Predictions for `rows` rows of `x` (row-major, input width) into `out` (rows × output width).
    pub fn predict(&self, x: &[f32], rows: usize, out: &mut [f32]) -> Result<()> {
        let st = self.read()?;
        #[cfg(feature = "gpu")]
        if let Some(g) = &st.gpu {
            return g.predict(x, rows, out);
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
            let split_rows = rows <= crate::network::GEMV_MAX_ROWS;
            return with_scratch(|s| net.infer(x, rows, out, s, split_rows));
        }
        if rows <= PREDICT_CHUNK {
            return crate::pool::infer(|| with_scratch(|s| net.infer(x, rows, out, s, true)));
        }
        crate::pool::infer(|| {
            out.par_chunks_mut(PREDICT_CHUNK * ow)
                .zip(x.par_chunks(PREDICT_CHUNK * iw))
                .try_for_each(|(o, xi)| with_scratch(|s| net.infer(xi, xi.len() / iw, o, s, false)))
        })
    }

    /// The optimizer's state: for each trainable weight (Keras order), each slot (Python reorders them into
    /// the grouping Keras's files use). Returns `(iterations, [(weight index, slot name, values)])`.
    pub fn optimizer_state(&self) -> Result<OptimizerState> {
        optimizer_state_of(&*self.read()?)
    }

    /// Weights and (when compiled) optimizer state read under one lock: a consistent pair even while
    /// another thread trains.
    pub fn snapshot(&self) -> Result<(Vec<Vec<f32>>, Option<OptimizerState>)> {
        let st = self.read()?;
        let weights = st.net.weights.iter().map(|w| st.net.params[w.range()].to_vec()).collect();
        let opt = if st.compiled.is_some() { Some(optimizer_state_of(&st)?) } else { None };
        Ok((weights, opt))
    }

    /// Restore what `optimizer_state` returned (same model structure and optimizer kind).
    pub fn set_optimizer_state(&self, iterations: u64, values: &[&[f32]]) -> Result<()> {
        let mut guard = self.write()?;
        let st = &mut *guard;
        let trainable: Vec<std::ops::Range<usize>> = (0..st.net.weights.len())
            .filter(|&i| st.net.weight_trainable(i))
            .map(|i| st.net.weights[i].range())
            .collect();
        let c = st.compiled.as_mut().ok_or_else(not_compiled)?;
        let n_slots = c.optimizer.slots.len();
        if values.len() != trainable.len() * n_slots {
            return Err(Error::value(format!(
                "optimizer state expects {} arrays ({} trainable weights x {n_slots} slots). Received: {} arrays",
                trainable.len() * n_slots,
                trainable.len(),
                values.len()
            )));
        }
        for (k, v) in values.iter().enumerate() {
            let r = &trainable[k / n_slots.max(1)];
            if v.len() != r.len() {
                return Err(Error::value(format!(
                    "optimizer state array {k} expects {} values. Received: {} values",
                    r.len(),
                    v.len()
                )));
            }
        }
        for (k, v) in values.iter().enumerate() {
            let r = trainable[k / n_slots].clone();
            c.optimizer.slots[k % n_slots][r].copy_from_slice(v);
        }
        c.optimizer.iterations = iterations;
        Ok(())
    }

    /// Loss and metrics over `rows` rows in inference mode: `[loss, metric...]`, each the mean over rows.
    pub fn evaluate(&self, x: &[f32], y: &[f32], rows: usize, batch_size: usize) -> Result<Vec<f64>> {
        let st = self.read()?;
        #[cfg(feature = "gpu")]
        if let Some(g) = &st.gpu {
            return g.evaluate(x, y, rows, batch_size);
        }
        let mut scratch = EvalScratch::default();
        evaluate_state(&st, x, y, rows, batch_size, &mut scratch)?;
        Ok(scratch.sums)
    }
}

/// Buffers for evaluation, reusable across calls (the trainer keeps one for its validation passes).
#[derive(Debug, Default, Clone)]
pub struct EvalScratch {
    out: Vec<f32>,
    sums: Vec<f64>,
}

impl EvalScratch {
    /// The last evaluation's `[loss, metric...]`.
    pub fn values(&self) -> &[f64] {
        &self.sums
    }
}

/// `Model::evaluate` on a state already locked; results in `scratch.values()`.
pub fn evaluate_state(
    st: &ModelState,
    x: &[f32],
    y: &[f32],
    rows: usize,
    batch_size: usize,
    scratch: &mut EvalScratch,
) -> Result<()> {
    let compiled = st.compiled.as_ref().ok_or_else(not_compiled)?;
    let net = &st.net;
    let (iw, ow) = (net.input_dim, net.output_dim());
    check_matrix(x, rows, iw, "x", "inputs")?;
    check_matrix(y, rows, ow, "y", "targets")?;
    if rows == 0 {
        return Err(Error::value("evaluate needs at least one sample. Received: x with 0 rows"));
    }
    let logits = if compiled.loss.takes_sigmoid_logits() { net.sigmoid_logits() } else { None };
    // Never more than the data: a huge batch_size needs no huge buffer, and `chunk * ow` stays within y.len().
    let chunk = batch_size.clamp(1, rows);
    let sums = &mut scratch.sums;
    sums.clear();
    sums.resize(1 + compiled.metrics.len(), 0.0);
    if scratch.out.len() < chunk * ow {
        crate::error::try_resize(&mut scratch.out, chunk * ow, 0.0, "the evaluation buffer")?;
    }
    let out = &mut scratch.out;
    with_scratch(|s| -> Result<()> {
        for start in (0..rows).step_by(chunk) {
            let m = chunk.min(rows - start);
            let o = &mut out[..m * ow];
            let xs = &x[start * iw..(start + m) * iw];
            let ys = &y[start * ow..(start + m) * ow];
            net.infer_to(xs, m, o, s, true, logits.is_some())?;
            sums[0] += compiled.loss.evaluate(o, ys, ow, logits.is_some(), None);
            if logits.is_some() {
                crate::activation::Activation::Sigmoid.forward_inplace(o, ow);
            }
            for (k, metric) in compiled.metrics.iter().enumerate() {
                sums[k + 1] += metric.sum(o, ys, ow);
            }
        }
        Ok(())
    })?;
    sums.iter_mut().for_each(|s| *s /= rows as f64);
    Ok(())
}

/// `Model::optimizer_state` on a state already locked.
fn optimizer_state_of(st: &ModelState) -> Result<OptimizerState> {
    let c = st.compiled.as_ref().ok_or_else(not_compiled)?;
    let names = c.optimizer.kind.slot_names();
    let mut out = Vec::new();
    for (i, w) in st.net.weights.iter().enumerate() {
        if !st.net.weight_trainable(i) {
            continue;
        }
        for (s, name) in names.iter().enumerate() {
            out.push((i, *name, c.optimizer.slots[s][w.range()].to_vec()));
        }
    }
    Ok((c.optimizer.iterations, out))
}

/// The error for training or evaluating before `compile`.
pub fn not_compiled() -> Error {
    Error::State("You must call `compile()` before using the model for training or evaluation.".into())
}
