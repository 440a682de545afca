//! Recording the backward pass, as network.rs defines it.
//!
//! Dense: `dz = dy·f'(z)`, `dW = xᵀ·dz`, `db = Σ_rows dz`, `dx = dz·Wᵀ`; the previous Dense layer's `f'` is
//! applied in the epilogue of the GEMM that computes `dx`, so it costs no extra pass over memory.

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::layer::LayerSpec;
use crate::layers::dropout::Noise;
use crate::layers::{batch_norm, dense, layer_norm, normalization, WeightId};
use crate::network::{LogitsAt, Node};

use super::context::Ctx;
use super::forward::copy_cols;
use super::gemm::Gemm;
use super::kernels::{grid, grid_for, Params, COLS, K};
use super::plan::{act_bounds, act_id, in_epilogue, DevNet, Workspace};
use super::program::Builder;

/// Record the backward pass over `rows` rows. On entry the loss has written its gradient (with respect to
/// the output, or to the logits when `from` is given) into the gradient buffer of what it read.
pub(crate) fn backward(
    b: &mut Builder,
    ctx: &Ctx,
    net: &DevNet,
    ws: &Workspace,
    rows: usize,
    from: Option<LogitsAt>,
) -> Result<()> {
    let n_in = net.inputs.len();
    let last = net.layers.len() - 1;
    let missing = || Error::State("a gradient buffer is missing from the training workspace".into());
    // Which buffer holds each value's gradient: a single-input layer that works in place hands its buffer
    // down to its input by swapping entries here.
    let mut grads: Vec<Option<wgpu::Buffer>> = ws.grads.clone();
    // Whether a value's gradient already includes its producer's activation derivative.
    let mut act_done = vec![false; grads.len()];
    for (i, l) in net.layers.iter().enumerate().rev() {
        if i == last && from == Some(LogitsAt::ActivationInput) {
            continue;
        }
        let (win, wout) = (l.input, l.output);
        let out = n_in + i;
        let v = l.inputs[0];
        let x = &ws.acts[v];
        let y = &ws.acts[out];
        let g = grads[out].clone().ok_or_else(missing)?;
        let nv = rows * wout;
        match l.spec {
            LayerSpec::Dense { activation, use_bias, .. } => {
                let act = act_id(activation);
                let skip = i == last && from == Some(LogitsAt::DensePre);
                if let Some(p) = crate::network_rules::activity_of(&l.spec) {
                    // The activity penalty's gradient joins `g` (with respect to `y`: a layer that has one
                    // does not get its activation derivative fused below). Where the loss read the logits it
                    // goes through the activation's derivative first, in the spare gradient buffer.
                    if skip {
                        let tmp = ws.grad_tmp.as_ref().ok_or_else(missing)?;
                        super::rules::activity_grad(b, ctx, p, (y, tmp), (nv, rows, 2))?;
                        let z = if l.keep_pre { ws.pre[i].as_ref().unwrap_or(y) } else { y };
                        act_backward(b, ctx, z, y, tmp, activation, nv, wout)?;
                        copy_cols(b, ctx, (tmp, wout, 0), (&g, wout, 0), (rows, wout), true)?;
                    } else {
                        super::rules::activity_grad(b, ctx, p, (y, &g), (nv, rows, 1))?;
                    }
                }
                if !skip && !act_done[out] && act.0 != 0 {
                    let z = if l.keep_pre { ws.pre[i].as_ref().unwrap_or(y) } else { y };
                    act_backward(b, ctx, z, y, &g, activation, nv, wout)?;
                }
                let ids = dense::Ids::new(l.weights.start, use_bias);
                let kernel = net.w(ids.kernel);
                if l.trainable {
                    if let Some(dw) = kernel.grad.as_ref() {
                        // dW (win × wout) = xᵀ (win × rows) · g (rows × wout), split over the rows into the
                        // scratch when the output alone is too small to fill the device.
                        let scratch = ws.splitk.as_ref();
                        Gemm::plain((x, true), (&g, false), dw, (win, wout, rows)).record(b, ctx, scratch)?;
                    }
                    if let Some(db) = ids.bias.and_then(|id| net.w(id).grad.as_ref()) {
                        let ones = ws.ones.as_ref().ok_or_else(missing)?;
                        super::gemm::bias_grad(b, ctx, (&g, ones, db), (rows, wout), ws.splitk.as_ref())?;
                    }
                }
                if v >= n_in {
                    // dx (rows × win) = g (rows × wout) · Wᵀ, times the activation derivative of a Dense layer
                    // below that only we read.
                    let below = &net.layers[v - n_in];
                    let fuse = match below.spec {
                        LayerSpec::Dense { activation, .. }
                            if net.readers[v] == 1 && crate::network_rules::activity_of(&below.spec).is_none() =>
                        {
                            let a = act_id(activation);
                            (in_epilogue(activation) && a.0 != 0).then_some(a)
                        }
                        _ => None,
                    };
                    let z = if below.keep_pre { ws.pre[v - n_in].as_ref().unwrap_or(x) } else { x };
                    let dst = grads[v].clone().ok_or_else(missing)?;
                    let gx = if l.accumulate[0] { ws.grad_tmp.clone().ok_or_else(missing)? } else { dst.clone() };
                    let plain = Gemm::plain((&g, false), (&kernel.param, true), &gx, (rows, win, wout));
                    let dx = match fuse {
                        Some(act) => Gemm { grad_of: Some((z, x)), act, ..plain },
                        None => plain,
                    };
                    dx.record(b, ctx, None)?;
                    if l.accumulate[0] {
                        copy_cols(b, ctx, (&gx, win, 0), (&dst, win, 0), (rows, win), true)?;
                    }
                    act_done[v] = fuse.is_some();
                }
            }
            LayerSpec::Activation(a) => {
                act_backward(b, ctx, x, y, &g, a, nv, wout)?;
                pass_down(b, ctx, l, &mut grads, out, (n_in, rows))?;
            }
            LayerSpec::Dropout { noise, .. } => {
                if noise != Noise::Additive {
                    let p = Params::new().u(nv);
                    b.push(K::DropoutBackward, &[], &[ws.masks[i].as_ref(), Some(&g)], p, grid_for(ctx, nv)?);
                }
                pass_down(b, ctx, l, &mut grads, out, (n_in, rows))?;
            }
            LayerSpec::BatchNorm { epsilon, center, scale, .. } => {
                let ids = batch_norm::Ids::new(l.weights.start, center, scale);
                let gamma = ids.gamma.map(|id| net.w(id));
                let mv = Some(&net.w(ids.moving_variance).param);
                let has_gamma = usize::from(gamma.is_some());
                let gamma_p = gamma.map(|w| &w.param);
                match ws.bn[i].as_ref() {
                    Some(bn) if l.trainable => {
                        let dgamma = gamma.and_then(|w| w.grad.as_ref());
                        let dbeta = ids.beta.and_then(|id| net.w(id).grad.as_ref());
                        let p = Params::new()
                            .u(rows)
                            .u(wout)
                            .u(usize::from(dgamma.is_some()))
                            .u(usize::from(dbeta.is_some()));
                        let bind = [Some(&g), Some(&bn.xhat), Some(&bn.sum_g), Some(&bn.sum_gx), dgamma, dbeta];
                        b.push(K::BnGradSums, &[], &bind, p, grid(ctx, wout.div_ceil(COLS as usize) as u64)?);
                        let p = Params::new().u(nv).u(wout).u(rows).f(epsilon).u(has_gamma);
                        let bind =
                            [Some(&g), Some(&bn.xhat), Some(&bn.sum_g), Some(&bn.sum_gx), gamma_p, Some(&bn.inv_std)];
                        b.push(K::BnBackward, &[("TRAIN", 1)], &bind, p, grid_for(ctx, nv)?);
                    }
                    _ => {
                        let p = Params::new().u(nv).u(wout).u(rows).f(epsilon).u(has_gamma);
                        let bind = [Some(&g), None, None, None, gamma_p, mv];
                        b.push(K::BnBackward, &[("TRAIN", 0)], &bind, p, grid_for(ctx, nv)?);
                    }
                }
                pass_down(b, ctx, l, &mut grads, out, (n_in, rows))?;
            }
            LayerSpec::LayerNorm { epsilon, center, scale } => {
                let ids = layer_norm::Ids::new(l.weights.start, center, scale);
                let gamma = ids.gamma.map(|id| net.w(id));
                let stats = ws.row_stats[i].as_ref();
                let grad = |id: Option<WeightId>| id.and_then(|id| net.w(id).grad.as_ref()).filter(|_| l.trainable);
                let (dgamma, dbeta) = (grad(ids.gamma), grad(ids.beta));
                if dgamma.is_some() || dbeta.is_some() {
                    let flags = (usize::from(dgamma.is_some()), usize::from(dbeta.is_some()));
                    let p = Params::new().u(rows).u(wout).f(epsilon).u(flags.0).u(flags.1);
                    let bind = [Some(x), None, None, stats, Some(&g), dgamma, dbeta];
                    b.push(K::LayerNorm, &[("MODE", 1)], &bind, p, grid(ctx, wout.div_ceil(COLS as usize) as u64)?);
                }
                let p = Params::new().u(rows).u(wout).f(epsilon).u(usize::from(scale)).u(0);
                let bind = [Some(x), gamma.map(|w| &w.param), None, stats, Some(&g), None, None];
                b.push(K::LayerNorm, &[("MODE", 2)], &bind, p, grid_for(ctx, rows)?);
                pass_down(b, ctx, l, &mut grads, out, (n_in, rows))?;
            }
            LayerSpec::PRelu => {
                let alpha = net.w(WeightId(l.weights.start));
                if let (true, Some(dalpha)) = (l.trainable, alpha.grad.as_ref()) {
                    let p = Params::new().u(rows).u(wout);
                    let gr = grid(ctx, wout.div_ceil(COLS as usize) as u64)?;
                    b.push(K::ColSum, &[], &[Some(&g), Some(dalpha), Some(x)], p, gr);
                }
                let p = Params::new().u(nv).u(wout);
                b.push(K::Prelu, &[("MODE", 1)], &[Some(x), Some(&alpha.param), Some(&g)], p, grid_for(ctx, nv)?);
                pass_down(b, ctx, l, &mut grads, out, (n_in, rows))?;
            }
            LayerSpec::Encode { .. } => {
                // An id does not change with its input: the gradient below is 0.
                if let (true, false, Some(dx)) = (v >= n_in, l.accumulate[0], grads[v].as_ref()) {
                    let n = rows * win;
                    let p = Params::new().u(rows).u(win).u(wout).u(0).u(0);
                    let bins = net.encode_bins(i)?; // (unread: only the written buffer matters here)
                    let bind = [Some(bins), Some(bins), Some(dx)];
                    b.push(K::Encode, &[("MODE", 0), ("ZERO", 1)], &bind, p, grid_for(ctx, n)?);
                }
            }
            LayerSpec::Normalization { invert, .. } => {
                // Nothing below a first layer needs its input's gradient.
                if v >= n_in {
                    let (_, var, per_col) = net.norm_stats(i);
                    let p = Params::new().u(nv).u(wout).u(usize::from(per_col)).f(normalization::FLOOR);
                    let consts = [("INVERT", u32::from(invert))];
                    b.push(K::NormBackward, &consts, &[Some(&g), Some(var)], p, grid_for(ctx, nv)?);
                    pass_down(b, ctx, l, &mut grads, out, (n_in, rows))?;
                }
            }
            LayerSpec::Rescale { .. } => {
                if v >= n_in {
                    let (_, scale, _) = net.norm_stats(i);
                    let p = Params::new().u(nv).u(wout).u(1).f(0.0);
                    let consts = [("INVERT", 1), ("RAW", 1)];
                    b.push(K::NormBackward, &consts, &[Some(&g), Some(scale)], p, grid_for(ctx, nv)?);
                    pass_down(b, ctx, l, &mut grads, out, (n_in, rows))?;
                }
            }
            LayerSpec::Concatenate => {
                let mut offset = 0;
                for (k, &v) in l.inputs.iter().enumerate() {
                    let w = net.width(v);
                    if v >= n_in {
                        let dst = grads[v].clone().ok_or_else(missing)?;
                        copy_cols(b, ctx, (&g, wout, offset), (&dst, w, 0), (rows, w), l.accumulate[k])?;
                    }
                    offset += w;
                }
            }
            LayerSpec::Add => {
                for (k, &v) in l.inputs.iter().enumerate().filter(|&(_, &v)| v >= n_in) {
                    let dst = grads[v].clone().ok_or_else(missing)?;
                    copy_cols(b, ctx, (&g, wout, 0), (&dst, wout, 0), (rows, wout), l.accumulate[k])?;
                }
            }
            LayerSpec::Merge(op) => super::merge::backward(b, ctx, op, l, ws, &grads, (y, &g), (n_in, rows))?,
        }
    }
    Ok(())
}

/// Hand the gradient a single-input layer computed in place (in the buffer of its output value `out`) to
/// its input: added to what is there when others wrote it first, else by taking over the buffer.
fn pass_down(
    b: &mut Builder,
    ctx: &Ctx,
    l: &Node,
    grads: &mut [Option<wgpu::Buffer>],
    out: usize,
    (n_in, rows): (usize, usize),
) -> Result<()> {
    let v = l.inputs[0];
    if v < n_in {
        return Ok(());
    }
    if l.accumulate[0] {
        let (src, dst) = (grads[out].as_ref(), grads[v].as_ref());
        if let (Some(src), Some(dst)) = (src, dst) {
            copy_cols(b, ctx, (src, l.input, 0), (dst, l.input, 0), (rows, l.input), true)?;
        }
    } else {
        grads.swap(out, v);
    }
    Ok(())
}

/// Record `g ← g·f'(z)` in place.
#[allow(clippy::too_many_arguments)]
fn act_backward(
    b: &mut Builder,
    ctx: &Ctx,
    z: &wgpu::Buffer,
    y: &wgpu::Buffer,
    g: &wgpu::Buffer,
    activation: Activation,
    n: usize,
    width: usize,
) -> Result<()> {
    let (act, (cap, threshold)) = (act_id(activation), act_bounds(activation));
    let threads = if activation.row_wise() { n / width.max(1) } else { n };
    let p = Params::new().u(n).u(width).f(act.1).f(cap).f(threshold);
    b.push(K::ActBackward, &[("ACT", act.0)], &[Some(z), Some(y), Some(g)], p, grid_for(ctx, threads)?);
    Ok(())
}
