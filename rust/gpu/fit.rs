//! The GPU's side of `fit` (a `Session`; the epoch loop is the trainer's): the data uploaded once, the
//! permutation when it changes, and every step (gather, forward, loss, backward, optimizer) recorded once and
//! replayed with a step record per batch. Steps are submitted in chunks (the epoch's first alone, so figures
//! arrive early); the epoch's batch-size-weighted means come back once per epoch (summed in f64 on the host)
//! and the running means given to `batch_end` are read back at most every `RUNNING_EVERY`, so they lag, unless
//! a callback's batch hook may read the model (`sync_batch`: then every batch end waits for its step and
//! brings the weights, the optimizer state and the means to the host, as the CPU has them).
//!
//! Before each step the session asks the host whether a callback changed it (a `set_weights`, a new learning
//! rate, restored optimizer state); if so, the steps recorded so far are submitted, the change is written to
//! the device and the remaining steps' records are rewritten, so the next step starts from it, as on the CPU.

use std::time::{Duration, Instant};

use crate::backend::{Data, FitOptions, HostSync, Observer, Session};
use crate::error::{Error, Result};
use crate::hooks::validation_hook;
use crate::optimizer::Progress;

use super::backward::backward;
use super::context::Ctx;
use super::data::DevData;
use super::forward::{forward, loss_and_metrics};
use super::infer::{column_sums, rows_that_fit, Evaluator};
use super::kernels::Kernels;
use super::plan::{DevNet, Training, Workspace};
use super::program::{Builder, Program, StepRecord, StepTable};
use super::reduce::BatchScales;
use super::update::optimizer;

/// Steps recorded per submission.
const STEPS_PER_SUBMIT: usize = 16;
/// How often the running means are read back for `batch_end`.
const RUNNING_EVERY: Duration = Duration::from_millis(250);

/// Record one training step over `rows` rows.
#[allow(clippy::too_many_arguments)]
pub(super) fn step_program(
    ctx: &Ctx,
    kernels: &Kernels,
    net: &DevNet,
    t: &Training,
    ws: &Workspace,
    data: &DevData,
    perm: &wgpu::Buffer,
    sums: &wgpu::Buffer,
    rows: usize,
) -> Result<Program> {
    let mut b = Builder::new();
    data.gather(&mut b, ctx, ws, Some(perm), rows, (net.input_dim, t.loss.target_width(net.output_dim)))?;
    let bufs = forward(&mut b, ctx, net, ws, rows, true)?;
    loss_and_metrics(&mut b, ctx, net, ws, &bufs, rows, t, sums, data)?;
    // The weights' penalty joins the loss, at the weights before this step's update, as on the CPU.
    super::rules::penalty(&mut b, net, sums, t.cols(), rows as f32);
    super::rules::activity(&mut b, net, ws, sums, t.cols(), rows);
    backward(&mut b, ctx, net, ws, rows, t.logits(net))?;
    super::rules::penalty_grads(&mut b, ctx, net)?;
    if let Some(acc) = ws.clip_acc.as_ref() {
        super::clip::clip(&mut b, ctx, net, t.clip, acc)?;
    }
    optimizer(&mut b, ctx, net, t.kind, &t.decay)?;
    super::rules::constraints(&mut b, ctx, net)?;
    b.build(ctx, kernels)
}

/// A fit on the device.
pub(crate) struct GpuSession<'a> {
    ctx: &'a Ctx,
    net: &'a DevNet,
    t: &'a mut Training,
    /// The optimizer's step count and Nadam's `u_product` (the model's).
    progress: &'a mut Progress,
    sync: &'a mut dyn HostSync,
    /// Kept with the programs that bind them.
    _ws: Workspace,
    _data: DevData,
    evaluator: Option<Evaluator>,
    test_batches: bool,
    perm: wgpu::Buffer,
    sums: wgpu::Buffer,
    table: StepTable,
    /// The program of a full batch, and of the last, partial one.
    full: Program,
    last: Option<Program>,
    records: Vec<StepRecord>,
    /// Each step's loss-reduction factors, for the epoch's order of the rows.
    scales: BatchScales,
    /// Nadam's `u_product` after each recorded step.
    products: Vec<f32>,
    cap: usize,
    rows: usize,
    cols: usize,
    /// Steps recorded and not yet submitted.
    pending: Vec<usize>,
    /// Steps submitted this epoch, and their rows.
    done: usize,
    /// Steps of this fit's earlier epochs. Without a trainable weight the optimizer's step count stays, and
    /// dropout's draws are seeded from it plus the fit's steps so far instead (as on the CPU).
    drawn: u64,
    seen: usize,
    running: Vec<f64>,
    /// The last validation pass's means.
    val_means: Vec<f64>,
    last_read: Instant,
    in_flight: Option<wgpu::SubmissionIndex>,
}

impl<'a> GpuSession<'a> {
    /// Upload the data and record the programs.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ctx: &'a Ctx,
        kernels: &Kernels,
        net: &'a DevNet,
        t: &'a mut Training,
        progress: &'a mut Progress,
        (train, val): (Data<'_>, Option<Data<'_>>),
        opts: FitOptions,
        test_batches: bool,
        sync: &'a mut dyn HostSync,
    ) -> Result<Self> {
        let (iw, ow) = (net.input_dim, t.loss.target_width(net.output_dim));
        let cap = opts.batch_size.min(train.rows).max(1);
        if rows_that_fit(ctx, net, cap)? < cap {
            return Err(Error::Backend(format!(
                "batch_size={cap} with a layer {} wide exceeds {}'s largest storage binding; use a smaller batch_size",
                net.max_width, ctx.info.name
            )));
        }
        let cols = t.cols();
        let ws = Workspace::new(ctx, net, cap, t.row_cols(), true)?;
        let data = DevData::upload(ctx, train, iw, ow)?;
        let evaluator = match val {
            Some(v) if v.rows > 0 => {
                let d = DevData::upload(ctx, v, iw, ow)?;
                let bs = opts.validation_batch_size.max(1);
                Some(Evaluator::new(ctx, kernels, net, t, (&d, v), bs, test_batches)?)
            }
            _ => None,
        };
        let steps = train.rows.div_ceil(cap);
        let perm = ctx.storage(train.rows, "the shuffle permutation")?;
        let sums = ctx.storage(steps * cols, "per-step loss sums")?;
        let table = StepTable::new(ctx, kernels, steps)?;
        let full = step_program(ctx, kernels, net, t, &ws, &data, &perm, &sums, cap)?;
        let rem = train.rows % cap;
        let last =
            if rem > 0 { Some(step_program(ctx, kernels, net, t, &ws, &data, &perm, &sums, rem)?) } else { None };
        let running = t.averaging.means(&vec![0.0; cols], 0);
        let scales = BatchScales::new(t.loss, (t.reduction, t.loss_weight), train, ow);
        Ok(GpuSession {
            ctx,
            net,
            t,
            progress,
            sync,
            _ws: ws,
            _data: data,
            evaluator,
            test_batches,
            perm,
            sums,
            table,
            full,
            last,
            records: vec![StepRecord::default(); steps],
            scales,
            products: vec![1.0; steps],
            cap,
            rows: train.rows,
            cols,
            pending: Vec::with_capacity(STEPS_PER_SUBMIT),
            done: 0,
            drawn: 0,
            seen: 0,
            running,
            val_means: Vec::new(),
            last_read: Instant::now(),
            in_flight: None,
        })
    }

    fn steps(&self) -> usize {
        self.records.len()
    }

    /// Submit the recorded steps, keeping at most two submissions in flight (so that a stop or an interrupt
    /// is honoured promptly).
    fn submit(&mut self) -> Result<()> {
        let Some(&last) = self.pending.last() else { return Ok(()) };
        let mut enc = self.ctx.encoder();
        {
            let mut pass =
                enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("fit"), timestamp_writes: None });
            for &s in &self.pending {
                match (&self.last, s + 1 == self.steps()) {
                    (Some(p), true) => p.record(&mut pass, &self.table, s),
                    _ => self.full.record(&mut pass, &self.table, s),
                }
            }
        }
        let idx = self.ctx.submit(enc);
        let taken = if self.t.steps { self.pending.len() } else { 0 };
        let iterations = self.progress.iterations.saturating_add(taken as u64);
        *self.progress = Progress { iterations, u_product: self.products[last] };
        self.done = last + 1;
        self.seen = (self.done * self.cap).min(self.rows);
        self.pending.clear();
        if let Some(prev) = self.in_flight.replace(idx) {
            self.ctx.wait_for(prev)?;
        }
        Ok(())
    }

    /// The running means of the steps submitted so far (waiting for them).
    fn read_running(&mut self) -> Result<()> {
        let v: Vec<f32> = self.ctx.read(&self.sums, 0, self.done * self.cols)?;
        self.t.averaging.means_into(&column_sums(&self.t.metrics, &v, self.cols), self.seen, &mut self.running);
        self.last_read = Instant::now();
        Ok(())
    }

    /// Fill the records of steps `from..` (step `from` being the next optimizer step) and queue them.
    fn write_records(&mut self, from: usize) -> Result<()> {
        let (t, mut progress) = (&*self.t, *self.progress);
        if !t.steps {
            progress.iterations = progress.iterations.saturating_add(self.drawn + from as u64);
        }
        let records = (&mut self.records[..], &mut self.products[..]);
        write_records(self.ctx, &self.table, records, from, self.cap, t, progress)
    }
}

impl Session for GpuSession<'_> {
    fn begin_epoch(&mut self, perm: Option<&[u32]>) -> Result<()> {
        self.take_host_changes()?;
        if let Some(p) = perm {
            self.ctx.write(&self.perm, 0, p);
            self.scales.fill(&mut self.records, Some(p), self.cap, self.rows);
        }
        self.write_records(0)?;
        self.running.iter_mut().for_each(|r| *r = 0.0);
        self.last_read = Instant::now().checked_sub(RUNNING_EVERY).unwrap_or_else(Instant::now);
        (self.done, self.seen) = (0, 0);
        Ok(())
    }

    fn step(&mut self, step: usize, _: &[u32]) -> Result<()> {
        if self.sync.changed()? {
            self.submit()?;
            self.take_host_changes()?;
            self.write_records(step)?;
        }
        self.pending.push(step);
        if self.pending.len() >= if step == 0 { 1 } else { STEPS_PER_SUBMIT } {
            self.submit()?;
        }
        Ok(())
    }

    fn running(&mut self) -> Result<&[f64]> {
        // The epoch's last step too, when it has been submitted: a one-step epoch's batch end (submitted at
        // once, as every epoch's first step) showed the zeros of `begin_epoch`.
        if self.last_read.elapsed() >= RUNNING_EVERY && self.done > 0 {
            self.read_running()?;
        }
        Ok(&self.running)
    }

    fn sync_batch(&mut self) -> Result<()> {
        self.submit()?;
        if self.done > 0 {
            self.read_running()?;
        }
        self.to_host()
    }

    fn end_epoch(&mut self) -> Result<&[f64]> {
        self.submit()?;
        self.drawn = self.drawn.saturating_add(self.done as u64);
        self.in_flight = None;
        self.read_running()?;
        Ok(&self.running)
    }

    fn validate(&mut self, obs: &mut dyn Observer, first_only: bool) -> Result<&[f64]> {
        // Validation runs on what the host holds now.
        self.take_host_changes()?;
        let no_data = || Error::State("there is no validation data".into());
        if !self.test_batches {
            if first_only {
                // The pass is cut into chunks of any size, not batches (see `Observer::test_begin`).
                return Err(Error::State(
                    "a validation pass asked to stop after its first batch without batch hooks".into(),
                ));
            }
            let cancel = obs.cancel_flag().unwrap_or(&crate::backend::NEVER);
            self.val_means = self.evaluator.as_ref().ok_or_else(no_data)?.run(self.ctx, cancel)?.0;
            return Ok(&self.val_means);
        }
        // With test-batch hooks, a batch at a time: a hook may set the weights (taken before the next batch).
        let (ctx, net, e) = (self.ctx, self.net, self.evaluator.as_ref().ok_or_else(no_data)?);
        let (sync, kind, progress) = (&mut *self.sync, &mut self.t.kind, &mut *self.progress);
        let mut step = |b, running: Option<&[f64]>| {
            if obs.cancel_flag().is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
                return Err(Error::Interrupted);
            }
            let control = validation_hook(obs, first_only, b, running)?;
            if running.is_none() {
                take_host_changes(ctx, net, &mut *sync, kind, &mut *progress)?;
            }
            Ok(control)
        };
        e.run_batches(ctx, &mut step, &mut self.val_means)?;
        Ok(&self.val_means)
    }

    fn to_host(&mut self) -> Result<()> {
        self.take_host_changes()?;
        to_host(self.ctx, self.net, &mut *self.sync, *self.progress)
    }

    fn take_host_changes(&mut self) -> Result<()> {
        take_host_changes(self.ctx, self.net, &mut *self.sync, &mut self.t.kind, &mut *self.progress)
    }

    fn finish(&mut self) -> Result<()> {
        self.ctx.check()
    }
}

/// Copy the device's weights and optimizer state (at `progress`) to the host copy (both GPU sessions).
pub(super) fn to_host(ctx: &Ctx, net: &DevNet, sync: &mut dyn HostSync, progress: Progress) -> Result<()> {
    sync.download(&|n, c| super::download_dev(ctx, net, progress, n, c))
}

/// Write the host's changes since the last look to the device: weights, optimizer state (and with it the step
/// count and Nadam's `u_product`, into `progress`) and the learning rate (into `kind`). Both GPU sessions.
pub(super) fn take_host_changes(
    ctx: &Ctx,
    net: &DevNet,
    sync: &mut dyn HostSync,
    kind: &mut crate::optimizer::OptimizerKind,
    progress: &mut Progress,
) -> Result<()> {
    if !sync.changed()? {
        return Ok(());
    }
    sync.apply(&mut |n, c, changes| {
        if let Some(p) = super::upload_changes(ctx, net, n, c, changes)? {
            *progress = p;
        }
        if let (Some(c), true) = (c, changes.learning_rate) {
            kind.set_learning_rate(c.optimizer.kind.learning_rate())?;
        }
        Ok(())
    })
}

/// Fill the records of steps `from..` (step `from` being the next optimizer step, at `progress`) and queue
/// them for the device, noting Nadam's `u_product` after each in `products`. Each record holds its step's
/// learning rate (the schedule's, when there is one); a scheduled rate that is negative, NaN or infinite is
/// refused before any record is queued.
pub(super) fn write_records(
    ctx: &Ctx,
    table: &StepTable,
    (records, products): (&mut [StepRecord], &mut [f32]),
    from: usize,
    cap: usize,
    t: &Training,
    progress: Progress,
) -> Result<()> {
    let mut u_product = progress.u_product;
    for (s, (r, p)) in records.iter_mut().zip(products.iter_mut()).enumerate().skip(from) {
        // Saturating, as on the CPU: `iterations` may be restored from a file as u64::MAX. Without a trainable
        // weight (`progress` then counts the fit's steps, see `GpuSession::drawn`) no schedule is read.
        let it = progress.iterations.saturating_add((s - from) as u64);
        let kind = match &t.schedule {
            Some(schedule) if t.steps => t.kind.with_learning_rate(schedule.check(it)?),
            _ => t.kind,
        };
        let alpha = kind.adam_step_size(it.saturating_add(1));
        let nadam = kind.nadam_step(it.saturating_add(1), u_product);
        if t.steps {
            u_product = nadam.u_product;
        }
        *p = u_product;
        *r = StepRecord {
            start: (s * cap) as u32,
            slot: s as u32,
            alpha,
            iter: it as u32,
            lr: kind.learning_rate(),
            scales: r.scales,
            nadam: [nadam.m, nadam.g, nadam.v],
        };
    }
    table.write_from(ctx, records, from);
    Ok(())
}
