//! Recording the optimizer step on the device, as optimizer.rs defines it: the weight decay, then the update
//! (Adam's step size and Nadam's scalars come from the step record, computed on the host by
//! `OptimizerKind::adam_step_size` and `nadam_step`; which slot is which comes from
//! `OptimizerKind::slot_layout`, as on the CPU).

use crate::error::{Error, Result};
use crate::optimizer::{Decay, OptimizerKind};

use super::context::Ctx;
use super::kernels::{grid_for, Params, K};
use super::plan::DevNet;
use super::program::Builder;

/// Record one optimizer update of every trainable weight, after its weight decay.
pub(crate) fn optimizer(b: &mut Builder, ctx: &Ctx, net: &DevNet, kind: OptimizerKind, decay: &Decay) -> Result<()> {
    let at = kind.slot_layout();
    for (i, w) in net.w.iter().enumerate() {
        if !net.trainable[i] {
            continue;
        }
        let Some(g) = w.grad.as_ref() else { continue };
        let n = net.weights[i].len();
        let need = kind.slot_names().len();
        if w.slots.len() != need {
            return Err(Error::State(format!(
                "the GPU copy of weight {} has {} optimizer slots but the optimizer needs {need}; upload the model again",
                net.weights[i].name,
                w.slots.len()
            )));
        }
        // A slot the configuration lacks binds a dummy, and the kernel's flag for it is off.
        let s = |k: Option<usize>| k.and_then(|k| w.slots.get(k));
        let gr = grid_for(ctx, n)?;
        if decay.applies(&net.weights[i].range()) {
            b.push(K::Decay, &[], &[Some(&w.param)], Params::new().u(n).f(decay.rate), gr);
        }
        match kind {
            OptimizerKind::Adam { beta_1, beta_2, epsilon, .. } => {
                let p = Params::new().u(n).f(1.0 - beta_1).f(1.0 - beta_2).f(epsilon);
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
                let p = Params::new().u(n).f(rho).f(1.0 - rho).f(momentum).f(epsilon);
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
                let p = Params::new().u(n).f(1.0 - beta_1).f(beta_2).f(epsilon);
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
        }
    }
    Ok(())
}
