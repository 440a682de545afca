//! Recording the optimizer step on the device, as optimizer.rs defines it (Adam's step size comes from the
//! step record, computed on the host by `OptimizerKind::adam_step_size`).

use crate::error::{Error, Result};
use crate::optimizer::OptimizerKind;

use super::context::Ctx;
use super::kernels::{grid_for, Params, K};
use super::plan::DevNet;
use super::program::Builder;

/// Record one optimizer update of every trainable weight (Adam's step size comes from the step record).
pub(crate) fn optimizer(b: &mut Builder, ctx: &Ctx, net: &DevNet, kind: OptimizerKind) -> Result<()> {
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
        let s = |k: usize| w.slots.get(k);
        let gr = grid_for(ctx, n)?;
        match kind {
            OptimizerKind::Adam { beta_1, beta_2, epsilon, amsgrad, weight_decay, .. } => {
                let p = Params::new().u(n).f(1.0 - beta_1).f(1.0 - beta_2).f(epsilon).f(weight_decay);
                let bind = [Some(&w.param), Some(g), s(0), s(1), if amsgrad { s(2) } else { None }];
                b.push(K::Adam, &[("AMSGRAD", u32::from(amsgrad))], &bind, p, gr);
            }
            OptimizerKind::Sgd { momentum, nesterov, .. } => {
                let mode = if momentum == 0.0 {
                    0
                } else if nesterov {
                    2
                } else {
                    1
                };
                let p = Params::new().u(n).f(momentum);
                b.push(K::Sgd, &[("MODE", mode)], &[Some(&w.param), Some(g), s(0)], p, gr);
            }
            OptimizerKind::RmsProp { rho, momentum, epsilon, centered, .. } => {
                let has_mom = momentum > 0.0;
                let mom = if has_mom { s(1) } else { None };
                let avg = if centered { s(if has_mom { 2 } else { 1 }) } else { None };
                let p = Params::new().u(n).f(rho).f(1.0 - rho).f(momentum).f(epsilon);
                let consts = [("CENTERED", u32::from(centered)), ("MOMENTUM", u32::from(has_mom))];
                b.push(K::RmsProp, &consts, &[Some(&w.param), Some(g), s(0), mom, avg], p, gr);
            }
        }
    }
    Ok(())
}
