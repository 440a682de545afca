//! What one training step costs on the device, for `bench/gpu_large.py --profile`: the dispatches the step
//! program records, how many of them wgpu precedes with a pipeline barrier, and (where the adapter has
//! timestamp queries) each dispatch's GPU time.
//!
//! The barrier count follows wgpu's rule (wgpu-core `track::skip_barrier`): a dispatch is preceded by a
//! barrier when one of its storage buffers was last used in another way, or was last written (a read-write
//! storage use is never "ordered", so even write after write of the same buffer transitions). Counted over
//! the second of two replays of the step, as in an epoch's steady state.

use crate::backend::Data;
use crate::error::{Error, Result};
use crate::optimizer::Progress;

use super::context::Ctx;
use super::data::DevData;
use super::fit::{step_program, write_records};
use super::kernels::Kernels;
use super::plan::{DevNet, Training, Workspace};
use super::program::{Program, StepRecord, StepTable, Use};
use super::reduce::BatchScales;

/// A training step's cost on the device.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuProfile {
    /// Dispatches per step.
    pub dispatches: usize,
    /// Dispatches that wgpu precedes with a pipeline barrier, per step.
    pub barriers: usize,
    /// Barriers the step's data dependencies need (one before each dispatch that conflicts with a dispatch
    /// since the previous barrier), per step.
    pub needed: usize,
    /// Of those, the ones forced only by a stand-in buffer bound for an absent optional binding.
    pub false_barriers: usize,
    /// Pipelines compiled on this device so far (the kernel cache's count).
    pub pipelines: usize,
    /// Each dispatch's kernel and GPU seconds, in step order; `None` without timestamp queries.
    pub kernels: Option<Vec<(String, f64)>>,
}

/// One dispatch's storage buffers, each once: (buffer, written by any binding, a stand-in). (A list, not a
/// map: a step binds a few dozen buffers, and `wgpu::Buffer` is not meant to be a map key.)
fn merged(uses: &[Use]) -> Vec<(&wgpu::Buffer, bool, bool)> {
    let mut m: Vec<(&wgpu::Buffer, bool, bool)> = Vec::new();
    for u in uses {
        match m.iter_mut().find(|e| *e.0 == u.buffer) {
            Some(e) => e.1 |= u.writes,
            None => m.push((&u.buffer, u.writes, u.dummy)),
        }
    }
    m
}

/// `(barriers, needed, false)` of one step of `p` in steady state: the dispatches wgpu precedes with a
/// barrier; the barriers a schedule that places one only before a dispatch that conflicts with a dispatch
/// since the previous barrier needs; and how many of those are forced only by stand-in buffers.
pub(crate) fn barriers(p: &Program) -> (usize, usize, usize) {
    // Each buffer's last use (written?), and the buffers used since the last needed barrier (written?).
    let mut last: Vec<(&wgpu::Buffer, bool)> = Vec::new();
    let mut since: Vec<(&wgpu::Buffer, bool)> = Vec::new();
    let mut counts = (0, 0, 0);
    for round in 0..2 {
        for (_, uses) in &p.uses {
            let m = merged(uses);
            // wgpu's rule: any buffer whose last use was a write, or is one now.
            let mut any = false;
            for &(b, writes, _) in &m {
                match last.iter_mut().find(|e| e.0 == b) {
                    Some(e) => {
                        any |= e.1 || writes;
                        e.1 = writes;
                    }
                    None => last.push((b, writes)),
                }
            }
            // A conflict with the dispatches since the last barrier; real unless every conflict is a stand-in.
            let (mut conflict, mut real) = (false, false);
            for &(b, writes, dummy) in &m {
                if since.iter().any(|e| e.0 == b && (e.1 || writes)) {
                    conflict = true;
                    real |= !dummy;
                }
            }
            if conflict {
                since.clear();
            }
            for &(b, writes, _) in &m {
                match since.iter_mut().find(|e| e.0 == b) {
                    Some(e) => e.1 |= writes,
                    None => since.push((b, writes)),
                }
            }
            if round == 1 {
                counts.0 += usize::from(any);
                counts.1 += usize::from(conflict);
                counts.2 += usize::from(conflict && !real);
            }
        }
    }
    counts
}

/// Profile one training step of `batch_size` rows of `train` on the model's buffers (they change: the
/// caller uploads the host's copy again afterwards).
pub(crate) fn run(
    ctx: &Ctx,
    kernels: &Kernels,
    net: &DevNet,
    t: &Training,
    progress: Progress,
    train: Data<'_>,
    batch_size: usize,
) -> Result<GpuProfile> {
    let (iw, ow) = (net.input_dim, t.loss.target_width(net.output_dim));
    crate::backend::check_matrix(train.x, train.rows, iw, "x", "inputs")?;
    crate::backend::check_matrix(train.y, train.rows, ow, "y", "targets")?;
    if train.rows == 0 || batch_size == 0 {
        return Err(Error::value(format!(
            "profile needs at least one row and a positive batch_size. Received: {} rows, batch_size={batch_size}",
            train.rows
        )));
    }
    let cap = batch_size.min(train.rows);
    let ws = Workspace::new(ctx, net, cap, t.row_cols(), true)?;
    let data = DevData::upload(ctx, train, iw, ow)?;
    let perm = ctx.storage(cap, "the batch rows")?;
    ctx.write(&perm, 0, &(0..cap as u32).collect::<Vec<_>>());
    let sums = ctx.storage(t.cols(), "per-step loss sums")?;
    let table = StepTable::new(ctx, kernels, 1)?;
    let (mut records, mut products) = (vec![StepRecord::default()], vec![1.0]);
    BatchScales::new(t.loss, (t.reduction, t.loss_weight), train, ow).fill(&mut records, None, cap, cap);
    write_records(ctx, &table, (&mut records, &mut products), 0, cap, t, progress)?;
    let p = step_program(ctx, kernels, net, t, &ws, &data, &perm, &sums, cap)?;
    let (barriers, needed, false_barriers) = barriers(&p);
    let kernels_timed = if ctx.device.features().contains(wgpu::Features::TIMESTAMP_QUERY) {
        Some(timed(ctx, &p, &table)?)
    } else {
        None
    };
    Ok(GpuProfile {
        dispatches: p.uses.len(),
        barriers,
        needed,
        false_barriers,
        pipelines: kernels.created.load(std::sync::atomic::Ordering::Relaxed),
        kernels: kernels_timed,
    })
}

/// Run the step once untimed, then once with each dispatch in its own pass between two timestamps.
fn timed(ctx: &Ctx, p: &Program, table: &StepTable) -> Result<Vec<(String, f64)>> {
    let mut enc = ctx.encoder();
    {
        let mut pass =
            enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("warm"), timestamp_writes: None });
        p.record(&mut pass, table, 0);
    }
    ctx.submit(enc);
    ctx.wait()?;
    // A query set holds at most 4096 timestamps: the first 2048 dispatches are timed.
    let n = p.uses.len().min(2048);
    if n == 0 {
        return Ok(Vec::new());
    }
    let set = ctx.scoped("timestamp queries", || {
        ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("profile"),
            ty: wgpu::QueryType::Timestamp,
            count: 2 * n as u32,
        })
    })?;
    let usage = wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC;
    let resolved = ctx.buffer(16 * n as u64, usage, "the timestamps")?;
    let mut enc = ctx.encoder();
    for i in 0..n {
        let writes = wgpu::ComputePassTimestampWrites {
            query_set: &set,
            beginning_of_pass_write_index: Some(2 * i as u32),
            end_of_pass_write_index: Some(2 * i as u32 + 1),
        };
        let desc = wgpu::ComputePassDescriptor { label: Some("timed"), timestamp_writes: Some(writes) };
        let mut pass = enc.begin_compute_pass(&desc);
        p.record_one(&mut pass, table, 0, i);
    }
    enc.resolve_query_set(&set, 0..2 * n as u32, &resolved, 0);
    ctx.submit(enc);
    let ticks: Vec<u64> = ctx.read(&resolved, 0, 2 * n)?;
    let period = f64::from(ctx.queue.get_timestamp_period()) * 1e-9;
    Ok(p.uses
        .iter()
        .zip(ticks.chunks_exact(2))
        .map(|((name, _), t)| (name.clone(), t[1].saturating_sub(t[0]) as f64 * period))
        .collect())
}
