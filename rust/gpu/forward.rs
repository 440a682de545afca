//! Recording the forward pass (training or inference mode) and the loss and metrics of a batch, as
//! network.rs and loss.rs define them: Dense `y = f(x·W + b)` in one GEMM with its epilogue, Activation,
//! Dropout, BatchNormalization; then per-row loss (with its gradient) and metric values summed into the step's
//! slot.

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::layer::LayerSpec;
use crate::layers::dropout::Noise;
use crate::layers::{batch_norm, dense, dropout, layer_norm, normalization, WeightId};
use crate::loss::EPSILON;
use crate::metric::Metric;
use crate::network::LogitsAt;

use super::context::Ctx;
use super::data::DevData;
use super::gemm::Gemm;
use super::kernels::{grid, grid_for, Params, COLS, K};
use super::metrics::{counts, hinge_flag, loss_consts, loss_metric, loss_params, metric_consts};
use super::plan::{act_bounds, act_id, in_epilogue, DevNet, Training, Workspace};
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

/// Record an element-wise (or, for softmax and log_softmax, row-wise) activation `y = f(z)`.
fn act_forward(
    b: &mut Builder,
    ctx: &Ctx,
    z: &wgpu::Buffer,
    y: &wgpu::Buffer,
    activation: Activation,
    n: usize,
    width: usize,
) -> Result<()> {
    let (act, (cap, threshold)) = (act_id(activation), act_bounds(activation));
    let threads = if activation.row_wise() { n / width.max(1) } else { n };
    b.push(
        K::ActForward,
        &[("ACT", act.0)],
        &[Some(z), Some(y)],
        Params::new().u(n).u(width).f(act.1).f(cap).f(threshold),
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
                if !in_epilogue(activation) {
                    // (These keep their pre-activation: `z` is never `y`, which a kernel may not read and write.)
                    let z = pre.unwrap_or(y);
                    gemm(b, ctx, (&x, false), (kernel, false), bias, z, None, (0, 0.0), (rows, l.output, l.input))?;
                    act_forward(b, ctx, z, y, activation, n, l.output)?;
                } else {
                    gemm(b, ctx, (&x, false), (kernel, false), bias, y, pre, act, (rows, l.output, l.input))?;
                }
            }
            LayerSpec::Activation(a) => act_forward(b, ctx, &x, y, a, n, l.output)?,
            LayerSpec::Dropout { rate, noise, .. } => {
                if !train {
                    bufs.push(x);
                    continue;
                }
                // Dropout's kept values' scale, or the Gaussian draw's deviation.
                let scale = if noise == Noise::Bernoulli { dropout::keep_scale(rate) } else { noise.stddev(rate) };
                let mask = ws.masks[i].as_ref();
                let p = Params::new().u(n).u(net.dropout_seeds[i] as usize).f(rate).f(scale);
                b.push(K::Dropout, &[("NOISE", noise.id())], &[Some(&x), mask, Some(y)], p, grid_for(ctx, n)?);
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
                    let (keep, take) = crate::optimizer::rate_and_complement(momentum);
                    let ps = Params::new().u(rows).u(width).f(keep).f(epsilon).f(take);
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
            LayerSpec::LayerNorm { epsilon, center, scale } => {
                let ids = layer_norm::Ids::new(l.weights.start, center, scale);
                let (gamma, beta) = (ids.gamma.map(|id| &net.w(id).param), ids.beta.map(|id| &net.w(id).param));
                let p = Params::new().u(rows).u(l.output).f(epsilon).u(usize::from(scale)).u(usize::from(center));
                let bind = [Some(&x), gamma, beta, ws.row_stats[i].as_ref(), Some(y), None, None];
                b.push(K::LayerNorm, &[("MODE", 0)], &bind, p, grid_for(ctx, rows)?);
            }
            LayerSpec::PRelu => {
                let alpha = &net.w(WeightId(l.weights.start)).param;
                let p = Params::new().u(n).u(l.output);
                b.push(K::Prelu, &[("MODE", 0)], &[Some(&x), Some(alpha), Some(y)], p, grid_for(ctx, n)?);
            }
            LayerSpec::Encode { ref bins, mode, .. } => {
                let nbins = bins.as_ref().map_or(0, Vec::len);
                let p = Params::new().u(rows).u(l.input).u(l.output).u(usize::from(bins.is_some())).u(nbins);
                let bind = [Some(&x), Some(net.encode_bins(i)?), Some(y)];
                let consts = [("MODE", super::plan::encode_mode_id(mode)), ("ZERO", 0)];
                b.push(K::Encode, &consts, &bind, p, grid_for(ctx, rows)?);
            }
            LayerSpec::Normalization { invert, .. } => {
                let (mean, var, per_col) = net.norm_stats(i);
                let p = Params::new().u(n).u(l.output).u(usize::from(per_col)).f(normalization::FLOOR);
                let bind = [Some(&x), Some(mean), Some(var), Some(y)];
                b.push(K::NormApply, &[("INVERT", u32::from(invert))], &bind, p, grid_for(ctx, n)?);
            }
            LayerSpec::Rescale { .. } => {
                // Normalization's inverse with the scale as it is: `offset + x·scale`.
                let (offset, scale, _) = net.norm_stats(i);
                let p = Params::new().u(n).u(l.output).u(1).f(0.0);
                let bind = [Some(&x), Some(offset), Some(scale), Some(y)];
                b.push(K::NormApply, &[("INVERT", 1), ("RAW", 1)], &bind, p, grid_for(ctx, n)?);
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
    let [delta, ls, alpha, balanced] = loss_params(t.loss);
    hinge_flag(b, t.loss, rows * t.loss.target_width(ow), &ws.target, &ws.flag);
    let scale = 1.0 / (rows * ow).max(1) as f32;
    let row_scale = 1.0 / rows.max(1) as f32;
    let cols = t.row_cols();
    let ignore = t.loss.ignored_label();
    let p = Params::new().u(rows).u(ow).u(0).u(cols).f(scale).f(delta).f(ls).f(EPSILON).f(1.0 - EPSILON).f(row_scale);
    let p = p.f(ignore.unwrap_or(0.0)).f(alpha).f(balanced);
    let bind = [Some(input), Some(&ws.target), Some(grad), Some(&ws.rowvals), Some(&ws.flag), Some(&ws.weights)];
    let scaled = t.rescaled() || ignore.is_some();
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
