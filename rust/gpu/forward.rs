//! Recording the forward pass (training or inference mode) and the loss and metrics of a batch, as
//! network.rs and loss.rs define them: Dense `y = f(x·W + b)` in one GEMM with its epilogue, Activation,
//! Dropout, BatchNormalization; then per-row loss (with its gradient) and metric values summed into the step's
//! slot.

use crate::error::{Error, Result};
use crate::layer::LayerSpec;
use crate::layers::{batch_norm, dense, dropout, normalization};
use crate::loss::{Loss, EPSILON};
use crate::metric::Metric;
use crate::network::LogitsAt;

use super::context::Ctx;
use super::data::DevData;
use super::gemm::Gemm;
use super::kernels::{grid, grid_for, Params, COLS, K};
use super::plan::{act_id, DevNet, Training, Workspace, SOFTMAX};
use super::program::Builder;

/// Record `out = f(op(a)·op(b) + bias)` (m×k by k×n), keeping the pre-activation in `pre` when given.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm(
    b: &mut Builder,
    ctx: &Ctx,
    a: (&wgpu::Buffer, bool),
    bm: (&wgpu::Buffer, bool),
    bias: Option<&wgpu::Buffer>,
    out: &wgpu::Buffer,
    pre: Option<&wgpu::Buffer>,
    act: (u32, f32),
    mnk: (usize, usize, usize),
) -> Result<()> {
    Gemm { a, b: bm, mnk, out, bias, pre, grad_of: None, act }.record(b, ctx, None)?;
    Ok(())
}

/// Record an element-wise (or, for softmax, row-wise) activation `y = f(z)`.
fn act_forward(
    b: &mut Builder,
    ctx: &Ctx,
    z: &wgpu::Buffer,
    y: &wgpu::Buffer,
    act: (u32, f32),
    n: usize,
    width: usize,
) -> Result<()> {
    let threads = if act.0 == SOFTMAX { n / width.max(1) } else { n };
    b.push(
        K::ActForward,
        &[("ACT", act.0)],
        &[Some(z), Some(y)],
        Params::new().u(n).u(width).f(act.1),
        grid_for(ctx, threads)?,
    );
    Ok(())
}

/// Record `dst[:, dst.2..] (+)= src[:, src.2..]` over `rows` rows and `cols` columns; each side is
/// (buffer, row width, first column).
pub(crate) fn copy_cols(
    b: &mut Builder,
    ctx: &Ctx,
    src: (&wgpu::Buffer, usize, usize),
    dst: (&wgpu::Buffer, usize, usize),
    (rows, cols): (usize, usize),
    accumulate: bool,
) -> Result<()> {
    let p = Params::new().u(rows).u(cols).u(src.1).u(src.2).u(dst.1).u(dst.2);
    let consts = [("ACCUMULATE", u32::from(accumulate))];
    b.push(K::CopyCols, &consts, &[Some(src.0), Some(dst.0)], p, grid_for(ctx, rows * cols)?);
    Ok(())
}

/// Record the forward pass over `rows` rows already in `ws.x`. Returns the buffer of every value (an
/// inference-mode Dropout passes its input's on); the last is the network's output.
pub(crate) fn forward(
    b: &mut Builder,
    ctx: &Ctx,
    net: &DevNet,
    ws: &Workspace,
    rows: usize,
    train: bool,
) -> Result<Vec<wgpu::Buffer>> {
    let n_in = net.inputs.len();
    let mut bufs: Vec<wgpu::Buffer> = ws.acts[..n_in].to_vec();
    if n_in > 1 {
        let mut offset = 0;
        for (v, &w) in net.inputs.iter().enumerate() {
            copy_cols(b, ctx, (&ws.x, net.input_dim, offset), (&ws.acts[v], w, 0), (rows, w), false)?;
            offset += w;
        }
    }
    for (i, l) in net.layers.iter().enumerate() {
        let x = bufs[l.inputs[0]].clone();
        let y = &ws.acts[n_in + i];
        let n = rows * l.output;
        match l.spec {
            LayerSpec::Dense { activation, use_bias, .. } => {
                let ids = dense::Ids::new(l.weights.start, use_bias);
                let kernel = &net.w(ids.kernel).param;
                let bias = ids.bias.map(|b| &net.w(b).param);
                let act = act_id(activation);
                let pre = if l.keep_pre { ws.pre[i].as_ref() } else { None };
                if act.0 == SOFTMAX {
                    let z = pre.unwrap_or(y);
                    gemm(b, ctx, (&x, false), (kernel, false), bias, z, None, (0, 0.0), (rows, l.output, l.input))?;
                    act_forward(b, ctx, z, y, act, n, l.output)?;
                } else {
                    gemm(b, ctx, (&x, false), (kernel, false), bias, y, pre, act, (rows, l.output, l.input))?;
                }
            }
            LayerSpec::Activation(a) => act_forward(b, ctx, &x, y, act_id(a), n, l.output)?,
            LayerSpec::Dropout { rate, .. } => {
                if !train {
                    bufs.push(x);
                    continue;
                }
                let keep = dropout::keep_scale(rate);
                let mask = ws.masks[i].as_ref();
                let p = Params::new().u(n).u(net.dropout_seeds[i] as usize).f(rate).f(keep);
                b.push(K::Dropout, &[], &[Some(&x), mask, Some(y)], p, grid_for(ctx, n)?);
            }
            LayerSpec::BatchNorm { momentum, epsilon, center, scale } => {
                let ids = batch_norm::Ids::new(l.weights.start, center, scale);
                let gamma = ids.gamma.map(|id| &net.w(id).param);
                let beta = ids.beta.map(|id| &net.w(id).param);
                let mm = Some(&net.w(ids.moving_mean).param);
                let mv = Some(&net.w(ids.moving_variance).param);
                let width = l.output;
                let p = Params::new()
                    .u(n)
                    .u(width)
                    .f(epsilon)
                    .u(usize::from(gamma.is_some()))
                    .u(usize::from(beta.is_some()));
                if let (true, true, Some(bn)) = (train, l.trainable, ws.bn[i].as_ref()) {
                    let ps = Params::new().u(rows).u(width).f(momentum).f(epsilon);
                    let g = grid(ctx, width.div_ceil(COLS as usize) as u64)?;
                    let stats = [Some(&x), Some(&bn.mean), Some(&bn.inv_std), mm, mv];
                    b.push(K::BnStats, &[("MOVING", 1)], &stats, ps, g);
                    let bufs = [Some(&x), Some(&bn.mean), Some(&bn.inv_std), gamma, beta, Some(&bn.xhat), Some(y)];
                    b.push(K::BnApply, &[("TRAIN", 1)], &bufs, p, grid_for(ctx, n)?);
                } else {
                    let bufs = [Some(&x), mm, mv, gamma, beta, None, Some(y)];
                    b.push(K::BnApply, &[("TRAIN", 0)], &bufs, p, grid_for(ctx, n)?);
                }
            }
            LayerSpec::Normalization { invert, .. } => {
                let (mean, var, per_col) = net.norm_stats(i);
                let p = Params::new().u(n).u(l.output).u(usize::from(per_col)).f(normalization::FLOOR);
                let bind = [Some(&x), Some(mean), Some(var), Some(y)];
                b.push(K::NormApply, &[("INVERT", u32::from(invert))], &bind, p, grid_for(ctx, n)?);
            }
            LayerSpec::Concatenate => {
                let mut offset = 0;
                for &v in &l.inputs {
                    let w = net.width(v);
                    copy_cols(b, ctx, (&bufs[v], w, 0), (y, l.output, offset), (rows, w), false)?;
                    offset += w;
                }
            }
            LayerSpec::Add => {
                for (k, &v) in l.inputs.iter().enumerate() {
                    copy_cols(b, ctx, (&bufs[v], l.output, 0), (y, l.output, 0), (rows, l.output), k > 0)?;
                }
            }
            LayerSpec::Merge(op) => super::merge::forward(b, ctx, op, l, &bufs, y, rows)?,
        }
        bufs.push(y.clone());
    }
    Ok(bufs)
}

/// The loss kernel's LOSS id and whether its input holds logits (see shaders/loss.wgsl).
fn loss_consts(loss: Loss, logits: bool) -> (u32, bool) {
    match loss {
        Loss::MeanAbsoluteError => (0, false),
        Loss::MeanSquaredError => (1, false),
        Loss::Huber { .. } => (2, false),
        Loss::BinaryCrossentropy { from_logits, .. } => (3, logits || from_logits),
        Loss::MeanAbsolutePercentageError => (4, false),
        Loss::MeanSquaredLogarithmicError => (5, false),
        Loss::LogCosh => (6, false),
        Loss::Poisson => (7, false),
        Loss::Hinge => (8, false),
        Loss::SquaredHinge => (9, false),
        Loss::CategoricalCrossentropy { from_logits, .. } => (10, logits || from_logits),
        Loss::SparseCategoricalCrossentropy { from_logits, .. } => (11, logits || from_logits),
        Loss::KlDivergence => (12, false),
        Loss::CategoricalHinge => (13, false),
    }
}

/// A loss's Huber delta and label smoothing, as shaders/loss.wgsl reads them (0 where it has none).
fn loss_params(loss: Loss) -> (f32, f32) {
    match loss {
        Loss::Huber { delta } => (delta, 0.0),
        Loss::BinaryCrossentropy { label_smoothing, .. } | Loss::CategoricalCrossentropy { label_smoothing, .. } => {
            (0.0, label_smoothing)
        }
        _ => (0.0, 0.0),
    }
}

/// The metric kernel's METRIC id, threshold and k (see shaders/metric.wgsl).
fn metric_consts(m: &Metric) -> (u32, f32, usize) {
    match *m {
        Metric::MeanAbsoluteError => (0, 0.0, 0),
        Metric::MeanSquaredError | Metric::RootMeanSquaredError => (1, 0.0, 0),
        Metric::BinaryAccuracy { threshold } => (2, threshold, 0),
        Metric::CategoricalAccuracy => (3, 0.0, 0),
        Metric::SparseCategoricalAccuracy => (4, 0.0, 0),
        Metric::TopKCategoricalAccuracy { k } => (5, 0.0, k),
        Metric::SparseTopKCategoricalAccuracy { k } => (6, 0.0, k),
        Metric::MeanAbsolutePercentageError => (7, 0.0, 0),
        // Their sums come from `counts` (shaders/counts.wgsl), and a loss's from shaders/loss.wgsl
        // (`loss_metric`); this kernel does not run for them.
        Metric::Confusion(_) | Metric::R2(_) | Metric::Loss(_) => (0, 0.0, 0),
    }
}

/// Record a loss's per-row values as metric column `col` (shaders/loss.wgsl without its gradient): `bind` is
/// its input (logits, when `logits`), the targets, a gradient buffer it leaves alone, the value matrix and the
/// hinge losses' flag; `w` scales each row's value by its weight. `(rows, width, col, cols)`.
#[allow(clippy::too_many_arguments)]
fn loss_metric(
    b: &mut Builder,
    ctx: &Ctx,
    loss: Loss,
    logits: bool,
    (rows, width, col, cols): (usize, usize, usize, usize),
    w: bool,
    bind: [Option<&wgpu::Buffer>; 5],
    weights: &wgpu::Buffer,
) -> Result<()> {
    if matches!(loss, Loss::Hinge | Loss::SquaredHinge) {
        // Whether every label of the batch is 0 or 1 (then read as 2t − 1).
        let p = Params::new().u(rows * loss.target_width(width));
        b.push(K::AllBinary, &[], &[bind[1], bind[4]], p, [1, 1, 1]);
    }
    let (id, from_logits) = loss_consts(loss, logits);
    let (delta, ls) = loss_params(loss);
    let p = Params::new().u(rows).u(width).u(col).u(cols).f(0.0).f(delta).f(ls).f(EPSILON).f(1.0 - EPSILON).f(0.0);
    let consts = [("LOSS", id), ("LOGITS", u32::from(from_logits)), ("WEIGHTED", u32::from(w)), ("VALUE_ONLY", 1)];
    let [i, t, g, v, f] = bind;
    b.push(K::Loss, &consts, &[i, t, g, v, f, Some(weights)], p.f(0.0), grid_for(ctx, rows)?);
    Ok(())
}

/// Loop iterations one invocation of shaders/counts.wgsl may run: Mesa's lavapipe ends a shader's loops after
/// 65,535 iterations in all (silently, leaving rows uncounted), so a batch is cut into dispatches that each
/// stay well inside that.
const LOOP_BUDGET: usize = 16_384;

/// The row ranges of a batch of `rows` rows whose counts one dispatch each of shaders/counts.wgsl takes, for
/// a metric whose row costs `per_row` loop iterations (counted generously: a loop also costs one iteration
/// where it does not run).
fn count_rows(rows: usize, per_row: usize) -> impl Iterator<Item = (usize, usize)> {
    let step = (LOOP_BUDGET / per_row.max(1)).max(1);
    (0..rows.max(1)).step_by(step).map(move |r0| (r0, (r0 + step).min(rows)))
}

/// Record the stateful metrics' sums into the step's slot of `sums`, after the per-row columns.
#[allow(clippy::too_many_arguments)]
fn counts(
    b: &mut Builder,
    ctx: &Ctx,
    pred: &wgpu::Buffer,
    ws: &Workspace,
    rows: usize,
    width: usize,
    t: &Training,
    sums: &wgpu::Buffer,
    data: &DevData,
) -> Result<()> {
    let weighted = data.weighted;
    let mut at = t.row_cols();
    for (k, m) in t.metrics.iter().enumerate() {
        let w = u32::from(weighted && k >= t.averaging.weighted_from);
        match m {
            Metric::Confusion(c) => {
                let mut aux = c.thresholds.clone();
                aux.extend(c.label_weights.iter().flatten());
                let aux = ctx.storage_with(&aux, "metric thresholds")?;
                let nthr = c.thresholds.len();
                let jobs = nthr * c.labels();
                let class_id = c.class_id.map_or(u32::MAX, |c| c as u32);
                let top_k = c.top_k.unwrap_or(0);
                let columns = if c.multi_label || c.class_id.is_some() { 1 } else { width };
                // The row loop, the columns before the counted ones, each counted column, and top_k's passes.
                let per_row = 4 + width + 3 * columns + top_k * (2 * width + 4);
                let consts = [
                    ("MODE", 0),
                    ("WEIGHTED", w),
                    ("AUC", u32::from(matches!(c.report, crate::metric::Report::Auc(..)))),
                    ("LOGITS", u32::from(c.from_logits)),
                    ("CLIP", u32::from(c.clip)),
                    ("MULTI", u32::from(c.multi_label)),
                    ("LABEL_WEIGHTS", u32::from(c.label_weights.is_some())),
                ];
                let bind = [Some(pred), Some(&ws.target), Some(&ws.weights), Some(&aux), Some(sums)];
                for (r0, r1) in count_rows(rows, per_row) {
                    let p = Params::new().u(r1).u(width).u(at).u(t.cols()).u(nthr).u(top_k).u(class_id as usize);
                    b.push(K::Counts, &consts, &bind, p.u(jobs).u(r0), grid_for(ctx, jobs)?);
                }
            }
            Metric::R2(_) => {
                let bind = [Some(pred), Some(&ws.target), Some(&ws.weights), Some(&data.shift), Some(sums)];
                for (r0, r1) in count_rows(rows, 2) {
                    let p = Params::new().u(r1).u(width).u(at).u(t.cols()).u(0).u(0).u(0).u(width).u(r0);
                    b.push(K::Counts, &[("MODE", 1), ("WEIGHTED", w)], &bind, p, grid_for(ctx, width)?);
                }
            }
            _ => {}
        }
        at += m.extra_width();
    }
    Ok(())
}

/// Record the loss (its gradient into the gradient buffer of what it reads) and metrics of `rows` rows, summed into slot `stp.slot` of
/// `sums`. `bufs` is what `forward` returned.
#[allow(clippy::too_many_arguments)]
pub(crate) fn loss_and_metrics(
    b: &mut Builder,
    ctx: &Ctx,
    net: &DevNet,
    ws: &Workspace,
    bufs: &[wgpu::Buffer],
    rows: usize,
    t: &Training,
    sums: &wgpu::Buffer,
    data: &DevData,
) -> Result<()> {
    let weighted = data.weighted;
    let ow = net.output_dim;
    let logits = t.logits(net);
    let (out, last) = (net.output_value(), net.layers.len() - 1);
    // What the loss reads, and the value whose gradient it writes.
    let (input, v) = match logits {
        Some(LogitsAt::DensePre) => (ws.pre[last].as_ref().unwrap_or(&bufs[out]), out),
        Some(LogitsAt::ActivationInput) => (&bufs[net.layers[last].inputs[0]], net.layers[last].inputs[0]),
        None => (&bufs[out], out),
    };
    let grad = ws.grads[v].as_ref().ok_or_else(|| Error::State("no gradient buffer for the loss".into()))?;
    let (id, from_logits) = loss_consts(t.loss, logits.is_some());
    let (delta, ls) = loss_params(t.loss);
    if matches!(t.loss, Loss::Hinge | Loss::SquaredHinge) {
        // Whether every label of the batch is 0 or 1 (then read as 2t − 1).
        let p = Params::new().u(rows * t.loss.target_width(ow));
        b.push(K::AllBinary, &[], &[Some(&ws.target), Some(&ws.flag)], p, [1, 1, 1]);
    }
    let scale = 1.0 / (rows * ow).max(1) as f32;
    let row_scale = 1.0 / rows.max(1) as f32;
    let cols = t.row_cols();
    let ignore = t.loss.ignored_label();
    let p = Params::new().u(rows).u(ow).u(0).u(cols).f(scale).f(delta).f(ls).f(EPSILON).f(1.0 - EPSILON).f(row_scale);
    let p = p.f(ignore.unwrap_or(0.0));
    let bind = [Some(input), Some(&ws.target), Some(grad), Some(&ws.rowvals), Some(&ws.flag), Some(&ws.weights)];
    let scaled = t.reduction != crate::loss::Reduction::default() || ignore.is_some();
    let flags =
        [("WEIGHTED", u32::from(weighted)), ("SCALED", u32::from(scaled)), ("IGNORE", u32::from(ignore.is_some()))];
    let consts = [("LOSS", id), ("LOGITS", u32::from(from_logits)), flags[0], flags[1], flags[2]];
    b.push(K::Loss, &consts, &bind, p, grid_for(ctx, rows)?);
    for (k, m) in t.metrics.iter().enumerate().filter(|(_, m)| m.extra_width() == 0) {
        if let Metric::Loss(l) = m {
            let w = weighted && k >= t.averaging.weighted_from;
            // The logits of a final sigmoid or softmax, for a metric that reads them (`Metric::reads_logits`).
            let z = crate::network::final_logits(&net.layers).filter(|_| m.reads_logits());
            let z = z.and_then(|(at, _)| match at {
                LogitsAt::DensePre => ws.pre[last].as_ref(),
                LogitsAt::ActivationInput => Some(&bufs[net.layers[last].inputs[0]]),
            });
            let bind = [Some(z.unwrap_or(&bufs[out])), Some(&ws.target), Some(grad), Some(&ws.rowvals), Some(&ws.flag)];
            loss_metric(b, ctx, *l, z.is_some(), (rows, ow, k + 1, cols), w, bind, &ws.weights)?;
            continue;
        }
        let (id, thr, top) = metric_consts(m);
        let p = Params::new().u(rows).u(ow).u(k + 1).u(cols).f(thr).u(top);
        let bind = [Some(&bufs[out]), Some(&ws.target), Some(&ws.rowvals), Some(&ws.weights)];
        let w = weighted && k >= t.averaging.weighted_from;
        b.push(K::Metric, &[("METRIC", id), ("WEIGHTED", u32::from(w))], &bind, p, grid_for(ctx, rows)?);
    }
    let p = Params::new().u(rows).u(cols).u(t.cols());
    b.push(K::ReduceRows, &[], &[Some(&ws.rowvals), Some(sums)], p, [cols as u32, 1, 1]);
    counts(b, ctx, &bufs[out], ws, rows, ow, t, sums, data)
}
