//! Recording the weights' regularizers and constraints (regularize.rs, network_rules.rs) on the device: the
//! penalty added to a step's or an evaluation chunk's loss sum, its gradient before the optimizer step, and
//! the constraints after it. Only trainable weights of trainable layers, as on the CPU.

use crate::error::Result;
use crate::regularize::{Constraint, Penalty};

use super::context::Ctx;
use super::kernels::{grid_for, Params, K};
use super::plan::{DevNet, Workspace};
use super::program::Builder;

/// Each trainable weight with a penalty or constraint: (weight index, penalty, constraint), as on the CPU.
fn ruled(net: &DevNet) -> impl Iterator<Item = (usize, Penalty, Constraint)> + '_ {
    let trainable = &net.trainable;
    crate::network_rules::ruled_weights(&net.layers, move |i| trainable[i])
}

/// Add `scale` × the weights' penalty to the loss column of the step's slot of `sums` (`cols` wide).
pub(crate) fn penalty(b: &mut Builder, net: &DevNet, sums: &wgpu::Buffer, cols: usize, scale: f32) {
    for (i, p, _) in ruled(net).filter(|(_, p, _)| !p.is_none()) {
        let prm = Params::new().u(net.weights[i].len()).u(cols).f(p.l1).f(p.l2).f(scale);
        b.push(K::Penalty, &[("MODE", 0)], &[Some(&net.w[i].param), Some(sums)], prm, [1, 1, 1]);
    }
}

/// Add the penalties' gradients to the weights' gradients.
pub(crate) fn penalty_grads(b: &mut Builder, ctx: &Ctx, net: &DevNet) -> Result<()> {
    for (i, p, _) in ruled(net).filter(|(_, p, _)| !p.is_none()) {
        let Some(g) = net.w[i].grad.as_ref() else { continue };
        let n = net.weights[i].len();
        let prm = Params::new().u(n).u(0).f(p.l1).f(p.l2).f(1.0);
        b.push(K::Penalty, &[("MODE", 1)], &[Some(&net.w[i].param), Some(g)], prm, grid_for(ctx, n)?);
    }
    Ok(())
}

/// Add the layers' activity penalties over the `rows` rows of the forward pass in `ws` to the loss column:
/// each `p(y)/rows` joins the batch's mean loss, so `p(y)` its sum, as on the CPU.
pub(crate) fn activity(b: &mut Builder, net: &DevNet, ws: &Workspace, sums: &wgpu::Buffer, cols: usize, rows: usize) {
    let n_in = net.inputs.len();
    for (i, l) in net.layers.iter().enumerate() {
        let Some(p) = crate::network_rules::activity_of(&l.spec) else { continue };
        let prm = Params::new().u(rows * l.output).u(cols).f(p.l1).f(p.l2).f(1.0);
        b.push(K::Penalty, &[("MODE", 0)], &[Some(&ws.acts[n_in + i]), Some(sums)], prm, [1, 1, 1]);
    }
}

/// Add (`mode` 1) or write (`mode` 2) the gradient of an activity penalty `p(y)/rows` with respect to `y`
/// (`n` values) into `g`.
pub(crate) fn activity_grad(
    b: &mut Builder,
    ctx: &Ctx,
    p: Penalty,
    (y, g): (&wgpu::Buffer, &wgpu::Buffer),
    (n, rows, mode): (usize, usize, u32),
) -> Result<()> {
    let prm = Params::new().u(n).u(0).f(p.l1).f(p.l2).f(1.0 / rows.max(1) as f32);
    b.push(K::Penalty, &[("MODE", mode)], &[Some(y), Some(g)], prm, grid_for(ctx, n)?);
    Ok(())
}

/// Project the weights through their constraints (after the optimizer step).
pub(crate) fn constraints(b: &mut Builder, ctx: &Ctx, net: &DevNet) -> Result<()> {
    for (i, _, c) in ruled(net) {
        let info = &net.weights[i];
        let (kind, a, bv, rate) = match c {
            Constraint::None => continue,
            Constraint::NonNeg => (0, 0.0, 0.0, 0.0),
            Constraint::MaxNorm { max_value, .. } => (1, max_value, 0.0, 0.0),
            Constraint::MinMaxNorm { min_value, max_value, rate, .. } => (2, min_value, max_value, rate),
            Constraint::UnitNorm { .. } => (3, 0.0, 0.0, 0.0),
        };
        let (outer, len, inner) = if kind == 0 {
            (1, info.len(), 1)
        } else {
            match c.layout(&info.shape) {
                Some(l) => l,
                None => continue, // an axis out of range does nothing, as on the CPU
            }
        };
        let threads = if kind == 0 { info.len() } else { outer * inner };
        let prm = Params::new().u(outer).u(len).u(inner).f(a).f(bv).f(rate).f(crate::loss::EPSILON);
        b.push(K::Constrain, &[("KIND", kind)], &[Some(&net.w[i].param)], prm, grid_for(ctx, threads)?);
    }
    Ok(())
}
