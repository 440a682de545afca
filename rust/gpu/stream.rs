//! The GPU's side of a streamed `fit` (a `Session`; the epoch loop is the trainer's): each batch that
//! arrives is uploaded, its step (gather, forward, loss, backward, optimizer: `fit::step_program`) recorded
//! for its row count and submitted at once, its loss and metric sums written to a slot of a small ring that
//! is read back when full, at the epoch's end, and at most every `RUNNING_EVERY` for `batch_end`.
//! Host changes made by callbacks are taken before each step, as in `fit.rs`.

use std::time::{Duration, Instant};

use crate::backend::{Data, FitOptions, HostSync, Observer, Session, NEVER};
use crate::error::{Error, Result};
use crate::optimizer::Progress;

use super::context::Ctx;
use super::data::DevData;
use super::fit::{self, step_program, write_records};
use super::infer::{rows_that_fit, Evaluator};
use super::kernels::Kernels;
use super::plan::{DevNet, Training, Workspace};
use super::program::{StepRecord, StepTable};
use super::reduce::BatchScales;

/// Steps whose sums the ring holds before they are read back.
const SLOTS: usize = 64;
/// How often the running means are read back for `batch_end`.
const RUNNING_EVERY: Duration = Duration::from_millis(250);

/// A streamed fit on the device.
pub(crate) struct GpuStream<'a> {
    ctx: &'a Ctx,
    kernels: &'a Kernels,
    net: &'a DevNet,
    t: &'a mut Training,
    progress: &'a mut Progress,
    sync: &'a mut dyn HostSync,
    ws: Workspace,
    /// Rows the workspace and the identity permutation hold.
    cap: usize,
    perm: wgpu::Buffer,
    sums: wgpu::Buffer,
    table: StepTable,
    records: Vec<StepRecord>,
    /// Nadam's `u_product` after each recorded step.
    products: Vec<f32>,
    cols: usize,
    /// Ring slots written since the last read-back, and the rows of those steps.
    used: usize,
    used_rows: usize,
    /// Steps this fit took without a trainable weight (no optimizer step): they seed dropout's draws.
    drawn: u64,
    /// The epoch's sums read back so far, and their rows.
    host: Vec<f64>,
    seen: usize,
    running: Vec<f64>,
    last_read: Instant,
    /// R²'s target shift for every batch (see `DevData::shift`): the first batch's first target row.
    shift: Option<Vec<f32>>,
}

impl<'a> GpuStream<'a> {
    /// Buffers for batches of up to `opts.batch_size` rows (more are made room for when they come).
    pub fn new(
        ctx: &'a Ctx,
        kernels: &'a Kernels,
        net: &'a DevNet,
        t: &'a mut Training,
        progress: &'a mut Progress,
        opts: FitOptions,
        sync: &'a mut dyn HostSync,
    ) -> Result<Self> {
        let cols = t.cols();
        let cap = opts.batch_size.max(1);
        let (ws, perm) = buffers(ctx, net, cap, cols)?;
        Ok(GpuStream {
            ctx,
            kernels,
            net,
            t,
            progress,
            sync,
            ws,
            cap,
            perm,
            sums: ctx.storage(SLOTS * cols, "per-step loss sums")?,
            table: StepTable::new(ctx, kernels, SLOTS)?,
            records: vec![StepRecord::default(); SLOTS],
            products: vec![1.0; SLOTS],
            cols,
            used: 0,
            used_rows: 0,
            drawn: 0,
            host: vec![0.0; cols],
            seen: 0,
            running: vec![0.0; cols - 1],
            last_read: Instant::now(),
            shift: None,
        })
    }

    /// `batch` on the device, with the fit's one R² shift (its first batch's first target row).
    fn upload(&mut self, batch: Data<'_>) -> Result<DevData> {
        let ow = self.t.loss.target_width(self.net.output_dim);
        let shift = self.shift.get_or_insert_with(|| super::data::first_row(batch.y, ow).to_vec());
        DevData::upload_shifted(self.ctx, batch, self.net.input_dim, ow, shift)
    }

    /// Read the ring's sums back into the epoch's.
    fn flush(&mut self) -> Result<()> {
        if self.used > 0 {
            let v: Vec<f32> = self.ctx.read(&self.sums, 0, self.used * self.cols)?;
            crate::metric::add_rows(&self.t.metrics, &mut self.host, &v);
            self.seen += self.used_rows;
            (self.used, self.used_rows) = (0, 0);
        }
        self.t.averaging.means_into(&self.host, self.seen, &mut self.running);
        self.last_read = Instant::now();
        Ok(())
    }
}

/// A training workspace for `cap` rows and the identity permutation over them.
fn buffers(ctx: &Ctx, net: &DevNet, cap: usize, cols: usize) -> Result<(Workspace, wgpu::Buffer)> {
    if rows_that_fit(ctx, net, cap)? < cap {
        return Err(Error::Backend(format!(
            "a batch of {cap} rows with a layer {} wide exceeds {}'s largest storage binding; use smaller batches",
            net.max_width, ctx.info.name
        )));
    }
    let ws = Workspace::new(ctx, net, cap, cols, true)?;
    let perm = ctx.storage(cap, "the batch rows")?;
    let ids: Vec<u32> = (0..cap as u32).collect();
    ctx.write(&perm, 0, &ids);
    Ok((ws, perm))
}

impl Session for GpuStream<'_> {
    fn begin_epoch(&mut self, _: Option<&[u32]>) -> Result<()> {
        self.take_host_changes()?;
        self.host.iter_mut().for_each(|h| *h = 0.0);
        self.running.iter_mut().for_each(|r| *r = 0.0);
        (self.used, self.used_rows, self.seen) = (0, 0, 0);
        // The first batch end reads its step back, as an in-memory fit's does (it showed the zeros above when
        // the last read was under `RUNNING_EVERY` ago: a one-batch epoch's only line).
        self.last_read = Instant::now().checked_sub(RUNNING_EVERY).unwrap_or_else(Instant::now);
        Ok(())
    }

    fn step(&mut self, _: usize, _: &[u32]) -> Result<()> {
        Err(Error::State("a streamed fit takes its batches through step_rows".into()))
    }

    fn step_rows(&mut self, _: usize, batch: Data<'_>) -> Result<()> {
        self.take_host_changes()?;
        let rows = batch.rows;
        if rows > self.cap {
            self.flush()?;
            (self.ws, self.perm) = buffers(self.ctx, self.net, rows, self.cols)?;
            self.cap = rows;
        }
        if self.used == SLOTS {
            self.flush()?;
        }
        let data = self.upload(batch)?;
        let (ctx, net, t) = (self.ctx, self.net, &*self.t);
        let program = step_program(ctx, self.kernels, net, t, &self.ws, &data, &self.perm, &self.sums, rows)?;
        // One record, at slot `used`, reading rows from 0 (a step size of 0 rows between records).
        let slot = self.used;
        // This batch's loss-reduction factors (they read its targets, weights and mask).
        let mut scales =
            BatchScales::new(t.loss, (t.reduction, t.loss_weight), batch, t.loss.target_width(net.output_dim));
        scales.fill(std::slice::from_mut(&mut self.records[slot]), None, rows, rows);
        let records = (&mut self.records[..=slot], &mut self.products[..=slot]);
        let mut progress = *self.progress;
        if !t.steps {
            // No optimizer step counts: dropout's draws are seeded from the fit's steps so far (as on the CPU).
            progress.iterations = progress.iterations.saturating_add(self.drawn);
            self.drawn = self.drawn.saturating_add(1);
        }
        write_records(ctx, &self.table, records, slot, 0, t, progress)?;
        self.records[slot].slot = slot as u32;
        self.table.write_from(ctx, &self.records[..=slot], slot);
        let mut enc = ctx.encoder();
        {
            let desc = wgpu::ComputePassDescriptor { label: Some("fit"), timestamp_writes: None };
            let mut pass = enc.begin_compute_pass(&desc);
            program.record(&mut pass, &self.table, slot);
        }
        ctx.submit(enc);
        let iterations = self.progress.iterations.saturating_add(u64::from(self.t.steps));
        *self.progress = Progress { iterations, u_product: self.products[slot] };
        self.used += 1;
        self.used_rows += rows;
        Ok(())
    }

    fn running(&mut self) -> Result<&[f64]> {
        if self.last_read.elapsed() >= RUNNING_EVERY {
            self.flush()?;
        }
        Ok(&self.running)
    }

    fn sync_batch(&mut self) -> Result<()> {
        self.flush()?;
        self.to_host()
    }

    fn end_epoch(&mut self) -> Result<&[f64]> {
        self.flush()?;
        Ok(&self.running)
    }

    fn validate(&mut self, _: &mut dyn Observer, _: bool) -> Result<&[f64]> {
        Err(Error::State("a streamed fit validates through validate_rows".into()))
    }

    fn validate_rows(&mut self, batch: Data<'_>, sums: &mut [f64]) -> Result<()> {
        // Validation runs on what the host holds now.
        self.take_host_changes()?;
        let data = self.upload(batch)?;
        let (ctx, net, t) = (self.ctx, self.net, &*self.t);
        let e = Evaluator::new(ctx, self.kernels, net, t, (&data, batch), batch.rows, true)?;
        let (_, per_chunk) = e.run(ctx, &NEVER)?;
        crate::metric::add_rows(&t.metrics, sums, &per_chunk);
        Ok(())
    }

    fn to_host(&mut self) -> Result<()> {
        self.take_host_changes()?;
        fit::to_host(self.ctx, self.net, &mut *self.sync, *self.progress)
    }

    fn take_host_changes(&mut self) -> Result<()> {
        fit::take_host_changes(self.ctx, self.net, &mut *self.sync, &mut self.t.kind, &mut *self.progress)
    }

    fn finish(&mut self) -> Result<()> {
        self.ctx.check()
    }
}
