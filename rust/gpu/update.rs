//! Recording the optimizer step on the device, as optimizer.rs defines it: the weight decay, then the update
//! (Adam's step size and Nadam's scalars come from the step record, computed on the host by
//! `OptimizerKind::adam_step_size` and `nadam_step`; which slot is which comes from
//! `OptimizerKind::slot_layout`, as on the CPU).
//!
//! Where the adapter allows `5 × TENSORS` storage bindings per dispatch, the decay and the update of up to
//! `TENSORS` weights are one dispatch of shaders/update.wgsl: wgpu puts a barrier before every dispatch that
//! uses a buffer in another way than its last use, or one last written (profile.rs), so one pass per weight
//! costs one barrier per weight. Otherwise each weight
//! gets its own decay and update dispatches.

use crate::error::{Error, Result};
use crate::optimizer::{Decay, OptimizerKind};

use super::context::Ctx;
use super::fused::TENSORS;
use super::kernels::{grid, grid_for, Params, K, WG};
use super::plan::DevNet;
use super::program::Builder;

/// The complement `1 − β` of a decay rate, computed in f64 from the rate as given (optimizer/mod.rs).
fn c(beta: f64) -> f32 {
    crate::optimizer::rate_and_complement(beta).1
}

/// The fused update's kernel constants, `Params` constants and which slot is `a`, `b` and `c`.
type Fused = (Vec<(&'static str, u32)>, [f32; 4], [Option<usize>; 3]);

fn fused(kind: OptimizerKind) -> Fused {
    let at = kind.slot_layout();
    let on = |s: Option<usize>| u32::from(s.is_some());
    let (opt, mut consts, h, slots) = match kind {
        OptimizerKind::Adam { beta_1, beta_2, epsilon, .. } => (
            0,
            vec![("AMSGRAD", on(at.velocity_hat))],
            [c(beta_1), c(beta_2), epsilon, 0.0],
            [at.momentum, at.velocity, at.velocity_hat],
        ),
        OptimizerKind::Sgd { momentum, nesterov, .. } => {
            let mode = match (at.momentum, nesterov) {
                (None, _) => 0,
                (Some(_), false) => 1,
                (Some(_), true) => 2,
            };
            (1, vec![("MODE", mode)], [momentum, 0.0, 0.0, 0.0], [at.momentum, None, None])
        }
        OptimizerKind::RmsProp { rho, momentum, epsilon, .. } => (
            2,
            vec![("CENTERED", on(at.average_gradient)), ("MOMENTUM", on(at.momentum))],
            [rho as f32, c(rho), momentum, epsilon],
            [at.velocity, at.momentum, at.average_gradient],
        ),
        OptimizerKind::Adagrad { epsilon, .. } => (3, vec![], [epsilon, 0.0, 0.0, 0.0], [at.accumulator, None, None]),
        OptimizerKind::Adamax { beta_1, beta_2, epsilon, .. } => {
            (4, vec![], [c(beta_1), beta_2, epsilon, 0.0], [at.momentum, at.norm, None])
        }
        OptimizerKind::Lion { beta_1, beta_2, .. } => {
            (5, vec![], [beta_1, beta_2, 0.0, 0.0], [at.momentum, None, None])
        }
        OptimizerKind::Nadam { beta_1, beta_2, epsilon, .. } => {
            (6, vec![], [1.0 - beta_1, 1.0 - beta_2, epsilon, 0.0], [at.momentum, at.velocity, None])
        }
        OptimizerKind::Adadelta { rho, epsilon, .. } => {
            (7, vec![], [rho as f32, c(rho), epsilon, 0.0], [at.accumulated_grad, at.accumulated_delta_var, None])
        }
    };
    consts.insert(0, ("OPT", opt));
    consts.extend([("USE_A", on(slots[0])), ("USE_B", on(slots[1])), ("USE_C", on(slots[2]))]);
    (consts, h, slots)
}

/// Record the decay and update of every trainable weight, `TENSORS` weights per dispatch.
fn optimizer_fused(b: &mut Builder, ctx: &Ctx, net: &DevNet, kind: OptimizerKind, decay: &Decay) -> Result<()> {
    let (consts, h, slots) = fused(kind);
    for chunk in updated(net, kind)?.chunks(TENSORS) {
        let mut bufs: Vec<Option<&wgpu::Buffer>> = Vec::with_capacity(5 * TENSORS);
        let (mut p, mut mask, mut groups) = (Params::new(), 0usize, 0u64);
        for t in 0..TENSORS {
            let Some(&(i, g)) = chunk.get(t) else {
                // No weight: length 0, stand-ins bound.
                bufs.extend([None; 5]);
                p = p.u(0);
                continue;
            };
            let (w, n) = (&net.w[i], net.weights[i].len());
            bufs.extend([Some(&w.param), Some(g)]);
            bufs.extend(slots.map(|s| s.and_then(|k| w.slots.get(k))));
            p = p.u(n);
            groups += (n as u64).div_ceil(u64::from(WG));
            if decay.applies(&net.weights[i].range()) {
                mask |= 1 << t;
            }
        }
        // `Params.n` holds 8 lengths whatever `TENSORS` is.
        let p = (TENSORS..8).fold(p, |p, _| p.u(0));
        let p = h.iter().fold(p, |p, &v| p.f(v)).f(decay.rate).u(mask);
        b.push(K::Update, &consts, &bufs, p, grid(ctx, groups)?);
    }
    Ok(())
}

/// Whether `ctx`'s adapter allows the fused update's bindings.
fn fused_fits(ctx: &Ctx) -> bool {
    ctx.limits.max_storage_buffers_per_shader_stage as usize >= 5 * TENSORS
        && ctx.limits.max_bindings_per_bind_group as usize > 5 * TENSORS
}

/// The weights the optimizer updates: (index, gradient), each with the slots the optimizer needs.
fn updated(net: &DevNet, kind: OptimizerKind) -> Result<Vec<(usize, &wgpu::Buffer)>> {
    let need = kind.slot_names().len();
    let mut out = Vec::new();
    for (i, w) in net.w.iter().enumerate() {
        let (true, Some(g)) = (net.trainable[i], w.grad.as_ref()) else { continue };
        if w.slots.len() != need {
            return Err(Error::State(format!(
                "the GPU copy of weight {} has {} optimizer slots but the optimizer needs {need}; upload the model again",
                net.weights[i].name,
                w.slots.len()
            )));
        }
        out.push((i, g));
    }
    Ok(out)
}

/// Record one optimizer update of every trainable weight, after its weight decay.
pub(crate) fn optimizer(b: &mut Builder, ctx: &Ctx, net: &DevNet, kind: OptimizerKind, decay: &Decay) -> Result<()> {
    if fused_fits(ctx) {
        return optimizer_fused(b, ctx, net, kind, decay);
    }
    let at = kind.slot_layout();
    for (i, g) in updated(net, kind)? {
        let w = &net.w[i];
        let n = net.weights[i].len();
        // A slot the configuration lacks binds a dummy, and the kernel's flag for it is off.
        let s = |k: Option<usize>| k.and_then(|k| w.slots.get(k));
        let gr = grid_for(ctx, n)?;
        if decay.applies(&net.weights[i].range()) {
            b.push(K::Decay, &[], &[Some(&w.param)], Params::new().u(n).f(decay.rate), gr);
        }
        match kind {
            OptimizerKind::Adam { beta_1, beta_2, epsilon, .. } => {
                let p = Params::new().u(n).f(c(beta_1)).f(c(beta_2)).f(epsilon);
                let bind = [Some(&w.param), Some(g), s(at.momentum), s(at.velocity), s(at.velocity_hat)];
                b.push(K::Adam, &[("AMSGRAD", u32::from(at.velocity_hat.is_some()))], &bind, p, gr);
            }
            OptimizerKind::Sgd { momentum, nesterov, .. } => {
                let mode = match (at.momentum, nesterov) {
                    (None, _) => 0,
                    (Some(_), false) => 1,
                    (Some(_), true) => 2,
                };
                let p = Params::new().u(n).f(momentum);
                b.push(K::Sgd, &[("MODE", mode)], &[Some(&w.param), Some(g), s(at.momentum)], p, gr);
            }
            OptimizerKind::RmsProp { rho, momentum, epsilon, .. } => {
                let p = Params::new().u(n).f(rho as f32).f(c(rho)).f(momentum).f(epsilon);
                let consts = [
                    ("CENTERED", u32::from(at.average_gradient.is_some())),
                    ("MOMENTUM", u32::from(at.momentum.is_some())),
                ];
                let bind = [Some(&w.param), Some(g), s(at.velocity), s(at.momentum), s(at.average_gradient)];
                b.push(K::RmsProp, &consts, &bind, p, gr);
            }
            OptimizerKind::Adagrad { epsilon, .. } => {
                let p = Params::new().u(n).f(epsilon);
                b.push(K::Adagrad, &[], &[Some(&w.param), Some(g), s(at.accumulator)], p, gr);
            }
            OptimizerKind::Adamax { beta_1, beta_2, epsilon, .. } => {
                let p = Params::new().u(n).f(c(beta_1)).f(beta_2).f(epsilon);
                b.push(K::Adamax, &[], &[Some(&w.param), Some(g), s(at.momentum), s(at.norm)], p, gr);
            }
            OptimizerKind::Lion { beta_1, beta_2, .. } => {
                let p = Params::new().u(n).f(beta_1).f(beta_2);
                b.push(K::Lion, &[], &[Some(&w.param), Some(g), s(at.momentum)], p, gr);
            }
            OptimizerKind::Nadam { beta_1, beta_2, epsilon, .. } => {
                let p = Params::new().u(n).f(1.0 - beta_1).f(1.0 - beta_2).f(epsilon);
                b.push(K::Nadam, &[], &[Some(&w.param), Some(g), s(at.momentum), s(at.velocity)], p, gr);
            }
            OptimizerKind::Adadelta { rho, epsilon, .. } => {
                let p = Params::new().u(n).f(rho as f32).f(c(rho)).f(epsilon);
                let bind = [Some(&w.param), Some(g), s(at.accumulated_grad), s(at.accumulated_delta_var)];
                b.push(K::Adadelta, &[], &bind, p, gr);
            }
        }
    }
    Ok(())
}
