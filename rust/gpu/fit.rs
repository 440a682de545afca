//! The training loop on the device, with trainer.rs's semantics: per epoch a permutation (uploaded) or none,
//! gather, forward, loss, backward and optimizer for every batch, all recorded once and replayed with a step
//! record per batch; the epoch's batch-size-weighted means come back once per epoch (summed in f64 on the
//! host), then the validation pass. The running means given to `batch_end` are read back at most every
//! `RUNNING_EVERY` and lag the batch they are reported with.
//!
//! After every callback the loop asks the host whether it changed (a `set_weights`, a new learning rate,
//! restored optimizer state); if so, the steps recorded so far are submitted, the change is written to the
//! device and the remaining steps' records are rewritten, so the next step starts from it, as on the CPU.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::backend::{check_matrix, Control, Data, FitOptions, HostSync, Observer};
use crate::error::{Error, Result};
use crate::optimizer::OptimizerKind;
use crate::rng::Rng;

use super::backward::backward;
use super::context::Ctx;
use super::data::DevData;
use super::forward::{forward, loss_and_metrics};
use super::infer::{mean_of, rows_that_fit, Evaluator};
use super::kernels::Kernels;
use super::plan::{DevNet, Training, Workspace};
use super::program::{Builder, Program, StepRecord, StepTable};
use super::update::optimizer;

/// Steps recorded per submission.
const STEPS_PER_SUBMIT: usize = 16;
/// How often the running means are read back for `batch_end`.
const RUNNING_EVERY: Duration = Duration::from_millis(250);

/// Record one training step over `rows` rows.
#[allow(clippy::too_many_arguments)]
fn step_program(
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
    data.gather(&mut b, ctx, ws, Some(perm), rows, (net.input_dim, net.output_dim))?;
    let bufs = forward(&mut b, ctx, net, ws, rows, true)?;
    loss_and_metrics(&mut b, ctx, net, ws, &bufs, rows, t, sums)?;
    backward(&mut b, ctx, net, ws, rows, t.logits(net))?;
    optimizer(&mut b, ctx, net, t.kind)?;
    b.build(ctx, kernels)
}

/// Train; returns the number of epochs run and advances `iterations` by the steps taken.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit(
    ctx: &Ctx,
    kernels: &Kernels,
    net: &DevNet,
    t: &mut Training,
    iterations: &mut u64,
    train: Data<'_>,
    val: Option<Data<'_>>,
    opts: FitOptions,
    shuffle: &mut Rng,
    obs: &mut dyn Observer,
    sync: &mut dyn HostSync,
) -> Result<usize> {
    if opts.batch_size == 0 {
        return Err(Error::value("batch_size must be a positive integer. Received: batch_size=0"));
    }
    let (iw, ow) = (net.input_dim, net.output_dim);
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
    if rows_that_fit(ctx, net, cap)? < cap {
        return Err(Error::Backend(format!(
            "batch_size={cap} with a layer {} wide exceeds {}'s largest storage binding; use a smaller batch_size",
            net.max_width, ctx.info.name
        )));
    }
    let cols = t.cols();
    let ws = Workspace::new(ctx, net, cap, cols, true)?;
    let data = DevData::upload(ctx, train, iw, ow)?;
    let test_batches = obs.wants_test_batches();
    let evaluator = match val {
        Some(v) if v.rows > 0 => {
            let d = DevData::upload(ctx, v, iw, ow)?;
            let bs = opts.validation_batch_size.max(1);
            Some(Evaluator::new(ctx, kernels, net, t, &d, bs, test_batches)?)
        }
        _ => None,
    };
    let steps = train.rows.div_ceil(cap);
    let perm_buf = ctx.storage(train.rows, "the shuffle permutation")?;
    let sums = ctx.storage(steps * cols, "per-step loss sums")?;
    let table = StepTable::new(ctx, kernels, steps)?;
    let full = step_program(ctx, kernels, net, t, &ws, &data, &perm_buf, &sums, cap)?;
    let rem = train.rows % cap;
    let last =
        if rem > 0 { Some(step_program(ctx, kernels, net, t, &ws, &data, &perm_buf, &sums, rem)?) } else { None };
    let mut perm: Vec<u32> = (0..train.rows as u32).collect();
    let mut records = vec![StepRecord::default(); steps];
    let mut running = vec![0.0f64; cols];
    let mut epochs_run = 0;
    let mut perm_uploaded = false;
    let batch_begin = obs.wants_batch_begin();
    let never = AtomicBool::new(false);
    for epoch in opts.initial_epoch..opts.epochs {
        if obs.epoch_begin(epoch)? == Control::Stop {
            break;
        }
        take_host_changes(ctx, net, &mut t.kind, iterations, sync)?;
        if opts.shuffle {
            shuffle.permutation(&mut perm);
            perm_uploaded = false;
        }
        if !perm_uploaded {
            ctx.write(&perm_buf, 0, &perm);
            perm_uploaded = true;
        }
        write_records(ctx, &table, &mut records, 0, cap, t.kind, *iterations);
        running.iter_mut().for_each(|r| *r = 0.0);
        let mut last_read = Instant::now().checked_sub(RUNNING_EVERY).unwrap_or_else(Instant::now);
        let mut seen = 0usize;
        let mut done = 0usize;
        let mut counted = 0usize;
        let mut stop = false;
        // A `batch_begin` asked to stop: the loop ends after that batch, as Keras's does.
        let mut stop_after = false;
        // The step whose `batch_begin` has been called but which is not recorded yet.
        let mut begun: Option<usize> = None;
        let mut in_flight: Option<wgpu::SubmissionIndex> = None;
        while done < steps && !stop {
            // One submission: up to STEPS_PER_SUBMIT steps (the first alone, so figures arrive early), fewer
            // when a callback changed the host.
            let chunk = if done == 0 { 1 } else { STEPS_PER_SUBMIT.min(steps - done) };
            let mut enc = ctx.encoder();
            let mut host_changed = false;
            let outcome = {
                let mut pass =
                    enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("fit"), timestamp_writes: None });
                let first = done;
                // Record the chunk's steps, calling back around each; stop recording at a stop, an error, or
                // a change made on the host (which must be written before the next step runs).
                let mut record = || -> Result<()> {
                    for s in first..first + chunk {
                        if batch_begin && begun != Some(s) {
                            begun = Some(s);
                            stop_after |= obs.batch_begin(epoch, s)? == Control::Stop;
                            if sync.changed()? {
                                host_changed = true;
                                return Ok(());
                            }
                        }
                        let rows = if s + 1 == steps && rem > 0 { rem } else { cap };
                        match (&last, rows < cap) {
                            (Some(p), true) => p.record(&mut pass, &table, s),
                            _ => full.record(&mut pass, &table, s),
                        }
                        done = s + 1;
                        seen += rows;
                        if obs.batch_end(epoch, s, &running)? == Control::Stop || stop_after {
                            stop = true;
                            return Ok(());
                        }
                        if sync.changed()? {
                            host_changed = true;
                            return Ok(());
                        }
                    }
                    Ok(())
                };
                record()
            };
            let idx = ctx.submit(enc);
            *iterations = iterations.saturating_add((done - counted) as u64);
            counted = done;
            outcome?;
            // Keep at most two submissions in flight, so a stop or an interrupt is honoured promptly.
            if let Some(prev) = in_flight.replace(idx) {
                ctx.wait_for(prev)?;
            }
            if host_changed {
                take_host_changes(ctx, net, &mut t.kind, iterations, sync)?;
                write_records(ctx, &table, &mut records, done, cap, t.kind, *iterations);
            }
            if last_read.elapsed() >= RUNNING_EVERY && done < steps && !stop {
                let v: Vec<f32> = ctx.read(&sums, 0, done * cols)?;
                running = mean_of(&v, cols, seen);
                last_read = Instant::now();
            }
        }
        let v: Vec<f32> = ctx.read(&sums, 0, done * cols)?;
        let logs = mean_of(&v, cols, seen);
        let val_logs = match &evaluator {
            Some(e) => {
                obs.test_begin()?;
                // Validation runs on what the host holds now (a test hook's change is written at the end).
                take_host_changes(ctx, net, &mut t.kind, iterations, sync)?;
                let (means, per_chunk) = e.run(ctx, obs.cancel_flag().unwrap_or(&never))?;
                if test_batches {
                    let done =
                        super::Evaluation { means: means.clone(), per_batch: per_chunk, batch_rows: e.chunk_rows() };
                    done.report_batches(val.map_or(0, |v| v.rows), &mut |b, r| obs.test_batch(b, r))?;
                }
                obs.test_end(&means)?;
                Some(means)
            }
            None => None,
        };
        epochs_run += 1;
        take_host_changes(ctx, net, &mut t.kind, iterations, sync)?;
        let steps_done = *iterations;
        sync.download(&|n, c| super::download_dev(ctx, net, steps_done, n, c))?;
        let control = obs.epoch_end(epoch, &logs, val_logs.as_deref())?;
        take_host_changes(ctx, net, &mut t.kind, iterations, sync)?;
        if control == Control::Stop || stop {
            break;
        }
    }
    ctx.check()?;
    Ok(epochs_run)
}

/// Write the host's changes since the last call to the device: weights, optimizer state (and with it the
/// step count) and the learning rate (into `kind`, which the step records are made from).
fn take_host_changes(
    ctx: &Ctx,
    net: &DevNet,
    kind: &mut OptimizerKind,
    iterations: &mut u64,
    sync: &mut dyn HostSync,
) -> Result<()> {
    if !sync.changed()? {
        return Ok(());
    }
    sync.apply(&mut |n, c, changes| {
        if let Some(it) = super::upload_changes(ctx, net, n, c, changes)? {
            *iterations = it;
        }
        if let (Some(c), true) = (c, changes.learning_rate) {
            kind.set_learning_rate(c.optimizer.kind.learning_rate())?;
        }
        Ok(())
    })
}

/// Fill the records of steps `from..` (step `from` being the next optimizer step, `iterations`) and queue
/// them for the device.
fn write_records(
    ctx: &Ctx,
    table: &StepTable,
    records: &mut [StepRecord],
    from: usize,
    cap: usize,
    kind: OptimizerKind,
    iterations: u64,
) {
    let lr = kind.learning_rate();
    for (s, r) in records.iter_mut().enumerate().skip(from) {
        // Saturating, as on the CPU: `iterations` may be restored from a file as u64::MAX.
        let it = iterations.saturating_add((s - from) as u64);
        let alpha = kind.adam_step_size(it.saturating_add(1));
        *r = StepRecord { start: (s * cap) as u32, slot: s as u32, alpha, iter: it as u32, lr };
    }
    table.write_from(ctx, records, from);
}
