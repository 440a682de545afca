//! The training loop on the device, with trainer.rs's semantics: per epoch a permutation (uploaded) or none,
//! gather, forward, loss, backward and optimizer for every batch, all recorded once and replayed with a step
//! record per batch; the epoch's batch-size-weighted means come back once per epoch (summed in f64 on the
//! host), then the validation pass. The running means given to `batch_end` are read back at most every
//! `RUNNING_EVERY` and lag the batch they are reported with.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::model::check_matrix;
use crate::rng::Rng;
use crate::trainer::{Control, Data, FitOptions, Observer};

use super::backward::{alpha, backward, optimizer};
use super::context::Ctx;
use super::data::DevData;
use super::forward::{forward, loss_and_metrics};
use super::infer::{mean_of, rows_that_fit, Evaluator};
use super::kernels::Kernels;
use super::plan::{DevNet, Training, Workspace};
use super::program::{Builder, Program, StepRecord, StepTable};

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
    t: &Training,
    iterations: &mut u64,
    train: Data<'_>,
    val: Option<Data<'_>>,
    opts: FitOptions,
    shuffle: &mut Rng,
    obs: &mut dyn Observer,
    sync: &mut dyn super::HostSync,
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
    let evaluator = match val {
        Some(v) if v.rows > 0 => {
            let d = DevData::upload(ctx, v, iw, ow)?;
            Some(Evaluator::new(ctx, kernels, net, t, &d, opts.validation_batch_size.max(1))?)
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
    for epoch in opts.initial_epoch..opts.epochs {
        if obs.epoch_begin(epoch)? == Control::Stop {
            break;
        }
        if opts.shuffle {
            shuffle.permutation(&mut perm);
            perm_uploaded = false;
        }
        if !perm_uploaded {
            ctx.write(&perm_buf, 0, &perm);
            perm_uploaded = true;
        }
        for (s, r) in records.iter_mut().enumerate() {
            // Saturating, as on the CPU: `iterations` may be restored from a file as u64::MAX.
            let it = iterations.saturating_add(s as u64);
            let alpha = alpha(t.kind, it.saturating_add(1));
            *r = StepRecord { start: (s * cap) as u32, slot: s as u32, alpha, iter: it as u32 };
        }
        table.write(ctx, &records);
        running.iter_mut().for_each(|r| *r = 0.0);
        let mut last_read = Instant::now().checked_sub(RUNNING_EVERY).unwrap_or_else(Instant::now);
        let mut seen = 0usize;
        let mut done = 0usize;
        let mut counted = 0usize;
        let mut stop = false;
        let mut in_flight: Option<wgpu::SubmissionIndex> = None;
        while done < steps && !stop {
            // One submission: up to STEPS_PER_SUBMIT steps (the first alone, so figures arrive early).
            let chunk = if done == 0 { 1 } else { STEPS_PER_SUBMIT.min(steps - done) };
            let mut enc = ctx.encoder();
            let mut outcome = Ok(());
            {
                let mut pass =
                    enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("fit"), timestamp_writes: None });
                let first = done;
                for s in first..first + chunk {
                    let rows = if s + 1 == steps && rem > 0 { rem } else { cap };
                    match (&last, rows < cap) {
                        (Some(p), true) => p.record(&mut pass, &table, s),
                        _ => full.record(&mut pass, &table, s),
                    }
                    done = s + 1;
                    seen += rows;
                    match obs.batch_end(epoch, s, &running) {
                        Ok(Control::Continue) => {}
                        Ok(Control::Stop) => {
                            stop = true;
                            break;
                        }
                        Err(e) => {
                            outcome = Err(e);
                            break;
                        }
                    }
                }
            }
            let idx = ctx.submit(enc);
            *iterations = iterations.saturating_add((done - counted) as u64);
            counted = done;
            outcome?;
            // Keep at most two submissions in flight, so a stop or an interrupt is honoured promptly.
            if let Some(prev) = in_flight.replace(idx) {
                ctx.wait_for(prev)?;
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
            Some(e) => Some(e.run(ctx)?),
            None => None,
        };
        epochs_run += 1;
        let steps_done = *iterations;
        sync.before_epoch_end(&|n, c| super::download_dev(ctx, net, steps_done, n, c))?;
        let control = obs.epoch_end(epoch, &logs, val_logs.as_deref())?;
        sync.after_epoch_end(&mut |n, c| {
            *iterations = super::upload_into(ctx, net, n, c)?;
            Ok(())
        })?;
        if control == Control::Stop || stop {
            break;
        }
    }
    ctx.check()?;
    Ok(epochs_run)
}
