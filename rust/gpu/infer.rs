//! Inference on the device: `predict` (inputs streamed in chunks, outputs read back per chunk) and the
//! evaluation pass (`evaluate`, and `fit`'s validation) over a data set already on the device, whose loss and
//! metric sums come back once and are averaged in f64 on the host.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::backend::Control;
use crate::error::{Error, Result};

use super::context::Ctx;
use super::data::DevData;
use super::forward::{forward, loss_and_metrics};
use super::kernels::Kernels;
use super::plan::{DevNet, Training, Workspace};
use super::program::{Builder, Program, StepRecord, StepTable};

/// Rows per predict chunk (fewer when the widest layer would exceed a binding).
pub(crate) const PREDICT_ROWS: usize = 16384;
/// Rows per evaluation chunk, at least (more when the batch size is larger), unless the chunks must be the
/// caller's batches.
const EVAL_ROWS: usize = 4096;
/// Evaluation chunks per submission: a cancelled pass stops at the end of one.
const EVAL_CHUNKS_PER_SUBMIT: usize = 64;

/// The most rows whose widest activation fits one binding, capped at `want`.
pub(crate) fn rows_that_fit(ctx: &Ctx, net: &DevNet, want: usize) -> Result<usize> {
    let per_row = (net.max_width.max(1) as u64) * 4;
    let fit = (ctx.max_binding() / per_row) as usize;
    if fit == 0 {
        return Err(Error::Backend(format!(
            "one row of the widest layer ({} values) exceeds {}'s largest storage binding",
            net.max_width, ctx.info.name
        )));
    }
    Ok(want.clamp(1, fit))
}

/// The evaluation pass over one device data set: forward in inference mode, loss and metrics per chunk.
pub(crate) struct Evaluator {
    /// Kept with the programs that bind it.
    _ws: Workspace,
    table: StepTable,
    sums: wgpu::Buffer,
    full: Program,
    last: Option<Program>,
    chunks: usize,
    cap: usize,
    rows: usize,
    cols: usize,
    averaging: crate::backend::Averaging,
    metrics: Vec<crate::metric::Metric>,
}

impl Evaluator {
    /// Record the programs for `data` in chunks of about `batch` rows (exactly `batch` when `exact`, so that
    /// `run`'s per-chunk sums are per batch).
    pub fn new(
        ctx: &Ctx,
        kernels: &Kernels,
        net: &DevNet,
        t: &Training,
        (data, host): (&DevData, crate::backend::Data<'_>),
        batch: usize,
        exact: bool,
    ) -> Result<Self> {
        // A reduction other than the mean over the rows (or a loss weight: `Training::rescaled`), a mask, or a
        // loss that reads its batch's labels: the chunks are the caller's batches, each with its own factors.
        let exact = exact || t.rescaled() || t.loss.ignored_label().is_some() || t.loss.batch_dependent();
        let want = if exact { batch } else { batch.max(EVAL_ROWS) };
        let cap = rows_that_fit(ctx, net, want.min(data.rows.max(1)))?;
        let cols = t.cols();
        let ws = Workspace::new(ctx, net, cap, t.row_cols(), false)?;
        let chunks = data.rows.div_ceil(cap);
        let sums = ctx.storage(chunks * cols, "evaluation sums")?;
        let table = StepTable::new(ctx, kernels, chunks)?;
        let mut records: Vec<StepRecord> =
            (0..chunks).map(|c| StepRecord { start: (c * cap) as u32, slot: c as u32, ..Default::default() }).collect();
        let tw = t.loss.target_width(net.output_dim);
        super::reduce::BatchScales::new(t.loss, (t.reduction, t.loss_weight), host, tw).fill(
            &mut records,
            None,
            cap,
            data.rows,
        );
        table.write(ctx, &records);
        let program = |rows: usize| -> Result<Program> {
            let mut b = Builder::new();
            data.gather(&mut b, ctx, &ws, None, rows, (net.input_dim, t.loss.target_width(net.output_dim)))?;
            let bufs = forward(&mut b, ctx, net, &ws, rows, false)?;
            loss_and_metrics(&mut b, ctx, net, &ws, &bufs, rows, t, &sums, data)?;
            super::rules::penalty(&mut b, net, &sums, cols, rows as f32);
            super::rules::activity(&mut b, net, &ws, &sums, cols, rows);
            b.build(ctx, kernels)
        };
        let full = program(cap)?;
        let rem = data.rows % cap;
        let last = if rem > 0 { Some(program(rem)?) } else { None };
        let (averaging, metrics) = (t.averaging.clone(), t.metrics.clone());
        Ok(Evaluator { _ws: ws, table, sums, full, last, chunks, cap, rows: data.rows, cols, averaging, metrics })
    }

    /// Run the pass: `[loss, metric...]`, each the mean over rows, and the per-chunk sums (chunks × columns).
    /// Ends with `Error::Interrupted` between submissions once `cancel` is set.
    pub fn run(&self, ctx: &Ctx, cancel: &AtomicBool) -> Result<(Vec<f64>, Vec<f32>)> {
        let mut in_flight: Option<wgpu::SubmissionIndex> = None;
        for first in (0..self.chunks).step_by(EVAL_CHUNKS_PER_SUBMIT) {
            if cancel.load(Ordering::Relaxed) {
                if let Some(prev) = in_flight {
                    ctx.wait_for(prev)?;
                }
                return Err(Error::Interrupted);
            }
            let mut enc = ctx.encoder();
            {
                let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("evaluate"),
                    timestamp_writes: None,
                });
                for c in first..(first + EVAL_CHUNKS_PER_SUBMIT).min(self.chunks) {
                    self.program(c).record(&mut pass, &self.table, c);
                }
            }
            // At most two submissions in flight, so that a cancel is seen promptly.
            if let Some(prev) = in_flight.replace(ctx.submit(enc)) {
                ctx.wait_for(prev)?;
            }
        }
        let v: Vec<f32> = ctx.read(&self.sums, 0, self.chunks * self.cols)?;
        Ok((self.averaging.means(&column_sums(&self.metrics, &v, self.cols), self.rows), v))
    }

    /// The program of chunk `c`: the last one's when it is shorter.
    fn program(&self, c: usize) -> &Program {
        match (&self.last, c + 1 == self.chunks) {
            (Some(last), true) => last,
            _ => &self.full,
        }
    }

    /// Run chunk `c` alone: its sums (one row of `run`'s per-chunk sums).
    fn run_chunk(&self, ctx: &Ctx, c: usize) -> Result<Vec<f32>> {
        let mut enc = ctx.encoder();
        {
            let mut pass = enc
                .begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("evaluate"), timestamp_writes: None });
            self.program(c).record(&mut pass, &self.table, c);
        }
        ctx.submit(enc);
        ctx.read(&self.sums, c * self.cols, self.cols)
    }

    /// The pass a batch at a time, as the CPU runs one with test-batch hooks (the chunks are its batches when
    /// built `exact`): `step(b, None)` before batch `b` (where a hook may change the weights, which it takes)
    /// and `step(b, Some(running means))` after it, whose `Stop` ends the pass there. The means, into `out`.
    pub fn run_batches(&self, ctx: &Ctx, step: crate::hooks::BatchHook<'_>, out: &mut Vec<f64>) -> Result<()> {
        let mut sums = vec![0.0f64; self.cols];
        for b in 0..self.chunks {
            step(b, None)?;
            crate::metric::add_rows(&self.metrics, &mut sums, &self.run_chunk(ctx, b)?);
            self.averaging.means_into(&sums, ((b + 1) * self.cap).min(self.rows), out);
            if step(b, Some(out))? == Control::Stop {
                break;
            }
        }
        Ok(())
    }

    /// Rows per chunk.
    pub fn chunk_rows(&self) -> usize {
        self.cap
    }
}

/// The sums of a chunks × `cols` matrix of per-chunk sums, in f64 (`metric::add_rows`).
pub(crate) fn column_sums(metrics: &[crate::metric::Metric], v: &[f32], cols: usize) -> Vec<f64> {
    let mut s = vec![0.0f64; cols];
    crate::metric::add_rows(metrics, &mut s, v);
    s
}

/// What one predict chunk size needs, kept between calls (a service predicts the same shapes over and over).
pub(crate) struct PredictCache {
    cap: usize,
    ws: Workspace,
    table: StepTable,
    /// Programs by row count, with the buffer each leaves its output in.
    programs: Vec<(usize, Program, wgpu::Buffer)>,
    /// A chunk's outputs are copied here and read back from it.
    readback: wgpu::Buffer,
}

/// Programs kept per cache; the full chunk and a few remainders.
const KEEP_PROGRAMS: usize = 8;

impl PredictCache {
    fn new(ctx: &Ctx, kernels: &Kernels, net: &DevNet, cap: usize) -> Result<Self> {
        let ws = Workspace::new(ctx, net, cap, 1, false)?;
        let table = StepTable::new(ctx, kernels, 1)?;
        table.write(ctx, &[StepRecord::default()]);
        let bytes = (cap * net.output_dim.max(1) * 4) as u64;
        let u = wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST;
        let readback = ctx.buffer(bytes, u, "the predictions' read-back buffer")?;
        Ok(PredictCache { cap, ws, table, programs: Vec::new(), readback })
    }

    /// The program for `m` rows (recorded on first use).
    fn program(&mut self, ctx: &Ctx, kernels: &Kernels, net: &DevNet, m: usize) -> Result<usize> {
        if let Some(i) = self.programs.iter().position(|p| p.0 == m) {
            return Ok(i);
        }
        let mut b = Builder::new();
        let bufs = forward(&mut b, ctx, net, &self.ws, m, false)?;
        let out = bufs.last().cloned().unwrap_or_else(|| self.ws.x.clone());
        if self.programs.len() >= KEEP_PROGRAMS {
            // Keep the first (usually the full chunk); drop the oldest remainder.
            self.programs.remove(1.min(self.programs.len() - 1));
        }
        self.programs.push((m, b.build(ctx, kernels)?, out));
        Ok(self.programs.len() - 1)
    }
}

/// Predictions for `rows` rows of `x` into `out`, reusing (or replacing) `cache`; stops with
/// `Error::Interrupted` at the next chunk once `cancel` is set.
#[allow(clippy::too_many_arguments)]
pub(crate) fn predict(
    ctx: &Ctx,
    kernels: &Kernels,
    net: &DevNet,
    cache: &mut Option<PredictCache>,
    x: &[f32],
    rows: usize,
    out: &mut [f32],
    cancel: &AtomicBool,
) -> Result<()> {
    let (iw, ow) = (net.input_dim, net.output_dim);
    if x.len() != rows * iw || out.len() != rows * ow {
        return Err(Error::value(format!(
            "Input has {} values, expected {rows} rows of width {iw}. Received: x with {} values",
            x.len(),
            x.len()
        )));
    }
    if rows == 0 {
        return Ok(());
    }
    let cap = rows_that_fit(ctx, net, PREDICT_ROWS.min(rows))?;
    let c = match cache {
        Some(c) if c.cap >= cap => c,
        _ => cache.insert(PredictCache::new(ctx, kernels, net, cap)?),
    };
    let cap = c.cap;
    for start in (0..rows).step_by(cap) {
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Interrupted);
        }
        let m = cap.min(rows - start);
        let i = c.program(ctx, kernels, net, m)?;
        let (_, p, ob) = &c.programs[i];
        ctx.write_staged(&c.ws.x, 0, &x[start * iw..(start + m) * iw], "the inputs")?;
        let mut enc = ctx.encoder();
        {
            let mut pass =
                enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("predict"), timestamp_writes: None });
            p.record(&mut pass, &c.table, 0);
        }
        enc.copy_buffer_to_buffer(ob, 0, &c.readback, 0, Some((m * ow * 4) as u64));
        ctx.submit(enc);
        ctx.read_kept(&c.readback, &mut out[start * ow..(start + m) * ow])?;
    }
    Ok(())
}
