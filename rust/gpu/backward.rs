//! Recording the backward pass, as network.rs defines it.
//!
//! Dense: `dz = dy·f'(z)`, `dW = xᵀ·dz`, `db = Σ_rows dz`, `dx = dz·Wᵀ`; the previous Dense layer's `f'` is
//! applied in the epilogue of the GEMM that computes `dx`, so it costs no extra pass over memory.

use crate::error::Result;
use crate::layer::LayerSpec;
use crate::network::LogitsAt;

use super::context::Ctx;
use super::forward::push_gemm;
use super::kernels::{grid, grid_for, Params, COLS, K};
use super::plan::{act_id, keep_pre, DevNet, Workspace, SOFTMAX};
use super::program::Builder;

/// Record the backward pass over `rows` rows. On entry `ws.grad[0]` holds the loss gradient with respect
/// to the network's output, or to the logits when `from` is given.
pub(crate) fn backward(
    b: &mut Builder,
    ctx: &Ctx,
    net: &DevNet,
    ws: &Workspace,
    rows: usize,
    from: Option<LogitsAt>,
) -> Result<()> {
    let n = net.layers.len();
    let top = if from == Some(LogitsAt::ActivationInput) { n - 1 } else { n };
    let mut gi = 0usize;
    // Whether the activation derivative of the current layer was already applied by the GEMM above it.
    let mut act_done = false;
    for i in (0..top).rev() {
        let l = &net.layers[i];
        let (win, wout) = (l.input, l.output);
        let x = &ws.acts[i];
        let y = &ws.acts[i + 1];
        let g = &ws.grad[gi];
        let nv = rows * wout;
        match l.spec {
            LayerSpec::Dense { activation, use_bias, .. } => {
                let act = act_id(activation);
                let skip = i == n - 1 && from == Some(LogitsAt::DensePre);
                if !skip && !act_done && act.0 != 0 {
                    let z = if keep_pre(&net.layers, i) { ws.pre[i].as_ref().unwrap_or(y) } else { y };
                    act_backward(b, ctx, z, y, g, act, nv, wout)?;
                }
                act_done = false;
                let (ki, kernel) = (l.weights.start, &net.w[l.weights.start]);
                if l.trainable {
                    if let Some(dw) = kernel.grad.as_ref() {
                        // dW (win × wout) = xᵀ (win × rows) · g (rows × wout).
                        let consts =
                            [("TRANS_A", 1), ("TRANS_B", 0), ("BIAS", 0), ("STORE_PRE", 0), ("ACT", 0), ("EPI", 0)];
                        let bind = [Some(x), Some(g), None, None, None, Some(dw), None];
                        push_gemm(b, ctx, K::gemm_for(win, wout), &consts, &bind, (win, wout, rows), 0.0)?;
                    }
                    if let Some(db) = use_bias.then(|| net.w[ki + 1].grad.as_ref()).flatten() {
                        let p = Params::new().u(rows).u(wout);
                        b.push(
                            K::ColSum,
                            &[],
                            &[Some(g), Some(db)],
                            p,
                            grid(ctx, wout.div_ceil(COLS as usize) as u64)?,
                        );
                    }
                }
                if i > 0 {
                    // dx (rows × win) = g (rows × wout) · Wᵀ, times the previous Dense layer's f' when it has one.
                    let gx = &ws.grad[1 - gi];
                    let prev = &net.layers[i - 1];
                    let fuse = match prev.spec {
                        LayerSpec::Dense { activation, .. } => {
                            let a = act_id(activation);
                            (a.0 != SOFTMAX && a.0 != 0).then_some(a)
                        }
                        _ => None,
                    };
                    let (epi, act, aux_z) = match fuse {
                        Some(a) => {
                            let z = if keep_pre(&net.layers, i - 1) { ws.pre[i - 1].as_ref().unwrap_or(x) } else { x };
                            (1, a, Some(z))
                        }
                        None => (0, (0, 0.0), None),
                    };
                    let consts =
                        [("TRANS_A", 0), ("TRANS_B", 1), ("BIAS", 0), ("STORE_PRE", 0), ("ACT", act.0), ("EPI", epi)];
                    let aux_y = fuse.map(|_| x);
                    let bind = [Some(g), Some(&kernel.param), None, aux_z, aux_y, Some(gx), None];
                    push_gemm(b, ctx, K::gemm_for(rows, win), &consts, &bind, (rows, win, wout), act.1)?;
                    act_done = fuse.is_some();
                    gi = 1 - gi;
                }
            }
            LayerSpec::Activation(a) => act_backward(b, ctx, x, y, g, act_id(a), nv, wout)?,
            LayerSpec::Dropout { .. } => {
                let p = Params::new().u(nv);
                b.push(K::DropoutBackward, &[], &[ws.masks[i].as_ref(), Some(g)], p, grid_for(ctx, nv)?);
            }
            LayerSpec::BatchNorm { epsilon, .. } => {
                let gamma = net.weight_of(i, "gamma");
                let beta = net.weight_of(i, "beta");
                let mv = net.weight_of(i, "moving_variance").map(|(_, w)| &w.param);
                let has_gamma = usize::from(gamma.is_some());
                let gamma_p = gamma.map(|(_, w)| &w.param);
                match ws.bn[i].as_ref() {
                    Some(bn) if l.trainable => {
                        let dgamma = gamma.and_then(|(_, w)| w.grad.as_ref());
                        let dbeta = beta.and_then(|(_, w)| w.grad.as_ref());
                        let p = Params::new()
                            .u(rows)
                            .u(wout)
                            .u(usize::from(dgamma.is_some()))
                            .u(usize::from(dbeta.is_some()));
                        let bind = [Some(g), Some(&bn.xhat), Some(&bn.sum_g), Some(&bn.sum_gx), dgamma, dbeta];
                        b.push(K::BnGradSums, &[], &bind, p, grid(ctx, wout.div_ceil(COLS as usize) as u64)?);
                        let p = Params::new().u(nv).u(wout).u(rows).f(epsilon).u(has_gamma);
                        let bind =
                            [Some(g), Some(&bn.xhat), Some(&bn.sum_g), Some(&bn.sum_gx), gamma_p, Some(&bn.inv_std)];
                        b.push(K::BnBackward, &[("TRAIN", 1)], &bind, p, grid_for(ctx, nv)?);
                    }
                    _ => {
                        let p = Params::new().u(nv).u(wout).u(rows).f(epsilon).u(has_gamma);
                        let bind = [Some(g), None, None, None, gamma_p, mv];
                        b.push(K::BnBackward, &[("TRAIN", 0)], &bind, p, grid_for(ctx, nv)?);
                    }
                }
            }
        }
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
    act: (u32, f32),
    n: usize,
    width: usize,
) -> Result<()> {
    let threads = if act.0 == SOFTMAX { n / width.max(1) } else { n };
    let p = Params::new().u(n).u(width).f(act.1);
    b.push(K::ActBackward, &[("ACT", act.0)], &[Some(z), Some(y), Some(g)], p, grid_for(ctx, threads)?);
    Ok(())
}
