//! The GPU backend (wgpu compute shaders, one WGSL file per kernel under `shaders/`): a model's weights,
//! gradients and optimizer slots live in GPU buffers; `fit` uploads the data once, the permutation once per
//! epoch, and reads back only per-epoch figures (and, throttled, the running means).
//!
//! Results agree with the CPU backend to float rounding (same formulas, different summation order); Dropout
//! draws its masks from a counter-based hash, so with `rate > 0` the masks differ from the CPU's.

mod act_ids;
mod backward;
mod clip;
mod context;
mod data;
mod fit;
mod forward;
mod fused;
mod gemm;
mod gemm_src;
mod infer;
mod kernels;
mod merge;
mod metrics;
mod plan;
mod profile;
mod program;
mod reduce;
mod rules;
mod staging;
mod stream;
#[cfg(test)]
mod tests;
mod update;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, Weak};

use crate::backend::{not_compiled, Changes, Compiled, Data, FitOptions, HostSync, Session};
use crate::error::{Error, Result};
use crate::hooks::Evaluation;
use crate::network::Network;
use crate::optimizer::Progress;

use context::Ctx;
use data::DevData;
use kernels::Kernels;
use plan::{DevNet, Training};

/// Whether this build has the GPU backend (the stand-in in gpu_off.rs says false).
pub const BUILT: bool = true;

pub use crate::backend::AdapterInfo;
pub use profile::GpuProfile;

/// Every adapter on this machine, software ones included (empty when there is none).
pub fn list_adapters() -> Vec<AdapterInfo> {
    context::enumerate()
}

/// An opened adapter with its compiled kernels, shared by every `GpuModel` of the process while any is alive
/// (opening a device and compiling pipelines costs far more than a small model's training step).
struct Device {
    ctx: Ctx,
    kernels: Kernels,
    /// The fork generation (fork.rs) it was opened in: a forked child must not touch it.
    generation: u64,
}

/// The error for a device opened before this process was forked.
fn forked() -> Error {
    Error::Backend(crate::fork::FORKED_GPU.into())
}

static SHARED: Mutex<Option<Weak<Device>>> = Mutex::new(None);

/// The shared device: the live one when it suits `allow_software`, else a newly opened one.
fn shared_device(allow_software: bool) -> Result<Arc<Device>> {
    let mut slot = SHARED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(d) = slot.as_ref().and_then(Weak::upgrade) {
        if d.generation != crate::fork::generation() {
            // Leaked, not dropped: releasing the parent's driver objects from a child is not safe either.
            std::mem::forget(d);
            return Err(forked());
        }
        if allow_software || d.ctx.info.kind != "cpu" {
            return Ok(d);
        }
    }
    let d = Arc::new(Device::open(allow_software)?);
    *slot = Some(Arc::downgrade(&d));
    Ok(d)
}

impl Device {
    fn open(allow_software: bool) -> Result<Device> {
        crate::fork::watch();
        let generation = crate::fork::generation();
        let ctx = Ctx::new(allow_software)?;
        let kernels = Kernels::new(&ctx);
        Ok(Device { ctx, kernels, generation })
    }
}

/// Copy a device network's parameters, optimizer slots and step count into host structures of the same shape.
fn download_dev(
    ctx: &Ctx,
    dnet: &DevNet,
    progress: Progress,
    net: &mut Network,
    compiled: Option<&mut Compiled>,
) -> Result<()> {
    if !dnet.same_structure(net) {
        return Err(Error::State("the model was rebuilt since it was uploaded to the GPU".into()));
    }
    // Every weight, then (when compiled) every slot: one batched read-back.
    let mut parts: Vec<(&wgpu::Buffer, usize)> =
        dnet.w.iter().zip(&dnet.weights).map(|(w, i)| (&w.param, i.len())).collect();
    if compiled.is_some() {
        for (i, w) in dnet.w.iter().enumerate() {
            parts.extend(w.slots.iter().map(|b| (b, dnet.weights[i].len())));
        }
    }
    let mut values = ctx.read_many(&parts)?.into_iter();
    for i in 0..dnet.w.len() {
        let v = values.next().ok_or_else(|| Error::State("a weight was not read back".into()))?;
        net.set_weight(i, &v)?;
    }
    if let Some(c) = compiled {
        for (i, w) in dnet.w.iter().enumerate() {
            if w.slots.is_empty() {
                continue;
            }
            if w.slots.len() != c.optimizer.slots.len() {
                return Err(Error::State("the optimizer was changed since the model was uploaded to the GPU".into()));
            }
            let r = dnet.weights[i].range();
            for s in 0..w.slots.len() {
                let v = values.next().ok_or_else(|| Error::State("an optimizer slot was not read back".into()))?;
                let dst = c.optimizer.slots[s]
                    .get_mut(r.clone())
                    .ok_or_else(|| Error::State("the optimizer's slots do not match the network".into()))?;
                dst.copy_from_slice(&v);
            }
        }
        c.optimizer.set_progress(progress);
    }
    Ok(())
}

/// Write the host's `changes` into a device network's existing buffers (so that recorded programs stay
/// valid): changed weights' values, and the optimizer's slots when its state changed. Returns the host's
/// step count and `u_product` when they changed.
fn upload_changes(
    ctx: &Ctx,
    dnet: &DevNet,
    net: &Network,
    compiled: Option<&Compiled>,
    changes: &Changes,
) -> Result<Option<Progress>> {
    if !dnet.same_structure(net) {
        return Err(Error::State("the model was rebuilt during fit".into()));
    }
    for (i, w) in dnet.w.iter().enumerate() {
        if changes.weight(i) {
            ctx.write(&w.param, 0, net.weight(i)?);
        }
        if let (Some(c), true) = (compiled, changes.optimizer_state) {
            let r = dnet.weights[i].range();
            for (s, buf) in w.slots.iter().enumerate() {
                let src = c
                    .optimizer
                    .slots
                    .get(s)
                    .and_then(|v| v.get(r.clone()))
                    .ok_or_else(|| Error::State("the optimizer's slots do not match the network".into()))?;
                ctx.write(buf, 0, src);
            }
        }
    }
    ctx.check()?;
    Ok(compiled.filter(|_| changes.optimizer_state).map(|c| c.optimizer.progress()))
}

/// The step count and `u_product` of `compiled`'s optimizer (a fresh one's without it).
fn progress(compiled: Option<&Compiled>) -> Progress {
    compiled.map_or(Progress { iterations: 0, u_product: 1.0 }, |c| c.optimizer.progress())
}

/// A model held on a GPU: its parameters, optimizer state and compiled kernels.
pub struct GpuModel {
    dev: Arc<Device>,
    net: DevNet,
    training: Option<Training>,
    progress: Progress,
    /// Predict buffers and programs, kept between calls; cleared by `upload`.
    predict_cache: std::sync::Mutex<Option<infer::PredictCache>>,
}

impl std::fmt::Debug for GpuModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuModel").field("adapter", &self.dev.ctx.info).field("progress", &self.progress).finish()
    }
}

impl GpuModel {
    /// Open the best adapter (a hardware GPU; a software one only when `allow_software`) and upload `net`
    /// and, when compiled, the optimizer's state.
    pub fn new(net: &Network, compiled: Option<&Compiled>, allow_software: bool) -> Result<Self> {
        Self::on(shared_device(allow_software)?, net, compiled)
    }

    fn on(dev: Arc<Device>, net: &Network, compiled: Option<&Compiled>) -> Result<Self> {
        let dnet = DevNet::upload(&dev.ctx, net, compiled)?;
        dev.ctx.check()?;
        Ok(GpuModel {
            dev,
            net: dnet,
            training: compiled.map(|c| Training::of(c, net)),
            progress: progress(compiled),
            predict_cache: std::sync::Mutex::new(None),
        })
    }

    /// The adapter in use.
    pub fn adapter(&self) -> AdapterInfo {
        self.dev.ctx.info.clone()
    }

    /// Whether this process is a child forked after the device was opened (then nothing here may be used).
    pub fn forked(&self) -> bool {
        self.dev.generation != crate::fork::generation()
    }

    fn usable(&self) -> Result<()> {
        if self.forked() {
            return Err(forked());
        }
        Ok(())
    }

    /// Replace the device copy with `net` (and `compiled`'s optimizer state). Call after any change made on the
    /// CPU side: weights set, layers frozen or unfrozen, a new `compile`.
    pub fn upload(&mut self, net: &Network, compiled: Option<&Compiled>) -> Result<()> {
        self.usable()?;
        self.predict_cache = std::sync::Mutex::new(None);
        self.net = DevNet::upload(&self.dev.ctx, net, compiled)?;
        self.training = compiled.map(|c| Training::of(c, net));
        self.progress = progress(compiled);
        self.dev.ctx.check()
    }

    /// Copy parameters (BatchNormalization moving statistics included), optimizer slots and the step count
    /// back into `net` and `compiled`, which must have the structure that was uploaded.
    pub fn download(&self, net: &mut Network, compiled: Option<&mut Compiled>) -> Result<()> {
        self.usable()?;
        download_dev(&self.dev.ctx, &self.net, self.progress, net, compiled)
    }

    /// This model's side of a `fit` (the trainer runs the epoch loop): the data uploaded and the steps
    /// recorded. `test_batches`: validation reports each batch to the observer. `sync` is the host copy.
    pub fn session<'a>(
        &'a mut self,
        train: Data<'_>,
        val: Option<Data<'_>>,
        opts: FitOptions,
        test_batches: bool,
        sync: &'a mut dyn HostSync,
    ) -> Result<Box<dyn Session + 'a>> {
        self.usable()?;
        let t = self.training.as_mut().ok_or_else(not_compiled)?;
        let (dev, net, it) = (&*self.dev, &self.net, &mut self.progress);
        let s = fit::GpuSession::new(&dev.ctx, &dev.kernels, net, t, it, (train, val), opts, test_batches, sync)?;
        Ok(Box::new(s))
    }

    /// This model's side of a streamed `fit`: buffers for batches of `opts.batch_size` rows, each batch
    /// uploaded as it comes. `sync` is the host copy.
    pub fn stream_session<'a>(
        &'a mut self,
        opts: FitOptions,
        sync: &'a mut dyn HostSync,
    ) -> Result<Box<dyn Session + 'a>> {
        self.usable()?;
        let t = self.training.as_mut().ok_or_else(not_compiled)?;
        let (dev, net, it) = (&*self.dev, &self.net, &mut self.progress);
        Ok(Box::new(stream::GpuStream::new(&dev.ctx, &dev.kernels, net, t, it, opts, sync)?))
    }

    /// The cost of one training step of `batch_size` rows of `train` (see `profile.rs`). The step runs on the
    /// device's copy, which is then replaced by the host's `net` and `compiled` (as `upload` does).
    pub fn profile(
        &mut self,
        net: &Network,
        compiled: Option<&Compiled>,
        train: Data<'_>,
        batch_size: usize,
    ) -> Result<GpuProfile> {
        self.usable()?;
        let t = self.training.as_ref().ok_or_else(not_compiled)?;
        let p = profile::run(&self.dev.ctx, &self.dev.kernels, &self.net, t, self.progress, train, batch_size);
        self.upload(net, compiled)?;
        p
    }

    /// Predictions for `rows` rows of `x` (row-major) into `out` (rows × output width).
    /// Stops with `Error::Interrupted` at the next chunk once `cancel` is set.
    pub fn predict(&self, x: &[f32], rows: usize, out: &mut [f32], cancel: &AtomicBool) -> Result<()> {
        self.usable()?;
        let mut cache = self.predict_cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let done = infer::predict(&self.dev.ctx, &self.dev.kernels, &self.net, &mut cache, x, rows, out, cancel);
        if done.is_err() {
            *cache = None; // a failed read can leave the cache's read-back buffer mapped: the next call makes anew
        }
        done?;
        self.dev.ctx.check()
    }

    /// Loss and metrics over `rows` rows in inference mode: `[loss, metric...]`, each the mean over rows.
    /// Stops with `Error::Interrupted` between chunks once `cancel` is set.
    pub fn evaluate(&self, d: Data<'_>, batch_size: usize, cancel: &AtomicBool, per_batch: bool) -> Result<Evaluation> {
        self.usable()?;
        let t = self.training.as_ref().ok_or_else(not_compiled)?;
        let (iw, ow) = (self.net.input_dim, t.loss.target_width(self.net.output_dim));
        crate::backend::check_matrix(d.x, d.rows, iw, "x", "inputs")?;
        crate::backend::check_matrix(d.y, d.rows, ow, "y", "targets")?;
        t.loss.check_targets(d.y, self.net.output_dim, "y")?;
        crate::backend::check_weights(d.w, d.rows, "sample_weight")?;
        if d.rows == 0 {
            return Err(Error::value("evaluate needs at least one sample. Received: x with 0 rows"));
        }
        let data = DevData::upload(&self.dev.ctx, d, iw, ow)?;
        let dev = &self.dev;
        let e = infer::Evaluator::new(&dev.ctx, &dev.kernels, &self.net, t, (&data, d), batch_size.max(1), per_batch)?;
        let (means, per_chunk) = e.run(&dev.ctx, cancel)?;
        Ok(Evaluation { means, per_batch: per_chunk, batch_rows: e.chunk_rows(), averaging: t.averaging.clone() })
    }
}
