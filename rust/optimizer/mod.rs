//! Optimizers with Keras 3's update rules and defaults, each one fused pass over
//! parameter, gradient and slots.
//!
//! Adam: `m += (g−m)(1−β1)`, `v += (g²−v)(1−β2)`, `α = lr·√(1−β2ᵗ)/(1−β1ᵗ)`, `w −= α·m/(√v + ε)`.
//! AdamW is Adam with weight decay, which every optimizer takes (decay.rs: `w −= w·wd·lr` first).
//! SGD: `m = μm − lr·g`, `w += m` (Nesterov `w += μm − lr·g`).
//! RMSprop: `v = ρv + (1−ρ)g²`, `Δ = lr·g/√(v [− a²] + ε)`, with optional momentum on Δ.
//! Adagrad, Adamax, Lion and Adadelta (and RMSprop's update): see more.rs; Nadam: nadam.rs.

use std::ops::Range;

pub use clip::Clip;
pub use decay::Decay;
pub use nadam::{NadamStep, Progress};
pub use rates::RateTable;
pub use schedule::Schedule;

use crate::error::{Error, Result};
use crate::lines::Lines;
use adam::coalesced;

/// A decay rate given as f64 for the step: the rate rounded to f32, and its complement `1 − β` computed in f64
/// then rounded (Keras's `1 - self.beta_1` on a Python float).
pub fn rate_and_complement(beta: f64) -> (f32, f32) {
    (beta as f32, (1.0 - beta) as f32)
}

/// An optimizer's hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptimizerKind {
    /// Adam (AdamW is Adam with a `Decay`). The decay rates are kept as given (f64): their complements
    /// `1 − β` are rounded to f32 from them, as Keras computes them from its Python floats (`ρ` and Adamax's
    /// `β₁` likewise); the rates themselves enter the step rounded to f32.
    Adam { learning_rate: f32, beta_1: f64, beta_2: f64, epsilon: f32, amsgrad: bool },
    /// Stochastic gradient descent with optional (Nesterov) momentum.
    Sgd { learning_rate: f32, momentum: f32, nesterov: bool },
    /// RMSprop.
    RmsProp { learning_rate: f32, rho: f64, momentum: f32, epsilon: f32, centered: bool },
    /// Adagrad (the accumulator starts at `initial_accumulator_value`).
    Adagrad { learning_rate: f32, initial_accumulator_value: f32, epsilon: f32 },
    /// Adamax (Adam with the infinity norm).
    Adamax { learning_rate: f32, beta_1: f64, beta_2: f32, epsilon: f32 },
    /// Lion (sign of an interpolated momentum).
    Lion { learning_rate: f32, beta_1: f32, beta_2: f32 },
    /// Nadam (Adam with Nesterov momentum and Keras's 0.96 momentum schedule, see nadam.rs).
    Nadam { learning_rate: f32, beta_1: f32, beta_2: f32, epsilon: f32 },
    /// Adadelta (steps scaled by the running RMS of past steps over that of the gradients).
    Adadelta { learning_rate: f32, rho: f64, epsilon: f32 },
}

/// Where each named slot sits in an optimizer's slot list (`OptimizerKind::slot_names` order, which is
/// `Optimizer::slots`' and the GPU's), `None` where the configuration has no such slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotLayout {
    /// Adam's first moment `m`; SGD's momentum buffer; RMSprop's momentum on the step.
    pub momentum: Option<usize>,
    /// Adam's second moment `v`; RMSprop's mean square.
    pub velocity: Option<usize>,
    /// AMSGrad's running maximum of `v`.
    pub velocity_hat: Option<usize>,
    /// Centered RMSprop's mean gradient.
    pub average_gradient: Option<usize>,
    /// Adagrad's sum of squared gradients.
    pub accumulator: Option<usize>,
    /// Adamax's exponentially weighted infinity norm `u`.
    pub norm: Option<usize>,
    /// Adadelta's running mean squares of the gradients and of its steps.
    pub accumulated_grad: Option<usize>,
    pub accumulated_delta_var: Option<usize>,
}

impl OptimizerKind {
    /// The slot list, the one definition of which slots exist and in what order.
    fn slots(&self) -> &'static [&'static str] {
        match *self {
            OptimizerKind::Adam { amsgrad: false, .. } => &["momentum", "velocity"],
            OptimizerKind::Adam { amsgrad: true, .. } => &["momentum", "velocity", "velocity_hat"],
            OptimizerKind::Sgd { momentum, .. } => {
                if momentum != 0.0 {
                    &["momentum"]
                } else {
                    &[]
                }
            }
            OptimizerKind::RmsProp { momentum, centered, .. } => match (momentum > 0.0, centered) {
                (false, false) => &["velocity"],
                (true, false) => &["velocity", "momentum"],
                (false, true) => &["velocity", "average_gradient"],
                (true, true) => &["velocity", "momentum", "average_gradient"],
            },
            OptimizerKind::Adagrad { .. } => &["accumulator"],
            OptimizerKind::Adamax { .. } => &["momentum", "norm"],
            OptimizerKind::Lion { .. } => &["momentum"],
            OptimizerKind::Nadam { .. } => &["momentum", "velocity"],
            OptimizerKind::Adadelta { .. } => &["accumulated_grad", "accumulated_delta_var"],
        }
    }

    /// The value slot `name` starts at (Adagrad's accumulator: `initial_accumulator_value`; others 0).
    pub fn slot_initial(&self, name: &str) -> f32 {
        match *self {
            OptimizerKind::Adagrad { initial_accumulator_value, .. } if name == "accumulator" => {
                initial_accumulator_value
            }
            _ => 0.0,
        }
    }

    /// Names of the per-variable slots, in Keras's declaration order (used when saving state).
    pub fn slot_names(&self) -> Vec<&'static str> {
        self.slots().to_vec()
    }

    /// The index of slot `name` in `slot_names()`, if this configuration has it.
    pub fn slot_index(&self, name: &str) -> Option<usize> {
        self.slots().iter().position(|&n| n == name)
    }

    /// The index of each named slot (no allocation; the update steps of both backends read it).
    pub fn slot_layout(&self) -> SlotLayout {
        // One pass over the (at most three) names: every step reads this.
        let mut at = SlotLayout {
            momentum: None,
            velocity: None,
            velocity_hat: None,
            average_gradient: None,
            accumulator: None,
            norm: None,
            accumulated_grad: None,
            accumulated_delta_var: None,
        };
        for (i, &name) in self.slots().iter().enumerate().rev() {
            let field = match name {
                "momentum" => &mut at.momentum,
                "velocity" => &mut at.velocity,
                "velocity_hat" => &mut at.velocity_hat,
                "average_gradient" => &mut at.average_gradient,
                "accumulator" => &mut at.accumulator,
                "norm" => &mut at.norm,
                "accumulated_grad" => &mut at.accumulated_grad,
                "accumulated_delta_var" => &mut at.accumulated_delta_var,
                _ => continue,
            };
            *field = Some(i);
        }
        at
    }

    /// Check the hyper-parameters as Keras does.
    pub fn validate(&self) -> Result<()> {
        let lr = self.learning_rate();
        if !lr.is_finite() || lr < 0.0 {
            return Err(Error::value(format!(
                "learning_rate must be a non-negative finite float. Received: learning_rate={lr}"
            )));
        }
        if let OptimizerKind::Sgd { momentum, .. } = *self {
            if !(0.0..=1.0).contains(&momentum) {
                return Err(Error::value(format!(
                    "`momentum` must be a float between [0, 1]. Received: momentum={momentum}"
                )));
            }
        }
        if let OptimizerKind::Nadam { beta_1, beta_2, epsilon, .. } = *self {
            nadam::validate(beta_1, beta_2, epsilon)?;
        }
        if let OptimizerKind::Lion { beta_1, .. } = *self {
            if !(beta_1 > 0.0 && beta_1 <= 1.0) {
                return Err(Error::value(format!(
                    "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates to \
                     SignSGD. Received: beta_1={beta_1}."
                )));
            }
        }
        Ok(())
    }

    /// Set the learning rate (a callback's or an assignment's; read by the next step). Refuses a negative,
    /// NaN or infinite rate, leaving the old one.
    pub fn set_learning_rate(&mut self, lr: f32) -> Result<()> {
        if !lr.is_finite() || lr < 0.0 {
            return Err(Error::value(format!(
                "learning_rate must be a non-negative finite float. Received: learning_rate={lr}"
            )));
        }
        *self.learning_rate_mut() = lr;
        Ok(())
    }

    /// The per-step size at step `t` (1-based), in f32, as both backends use it (the GPU is handed it per
    /// step): Adam's `lr·√(1−β2ᵗ)/(1−β1ᵗ)`, Adamax's `lr/(1−β1ᵗ)`; 0 for the other optimizers.
    pub fn adam_step_size(&self, t: u64) -> f32 {
        match *self {
            // Keras's `ops.power(cast(β, float32), t)`: the powers of the rates rounded to f32.
            OptimizerKind::Adam { learning_rate: lr, beta_1: b1, beta_2: b2, .. } => {
                let (t, b1, b2) = (t as f32, b1 as f32, b2 as f32);
                lr * (1.0 - b2.powf(t)).sqrt() / (1.0 - b1.powf(t))
            }
            OptimizerKind::Adamax { learning_rate: lr, beta_1: b1, .. } => lr / (1.0 - (b1 as f32).powf(t as f32)),
            _ => 0.0,
        }
    }

    /// These hyper-parameters with learning rate `lr` (a schedule's rate for one step).
    pub fn with_learning_rate(mut self, lr: f32) -> Self {
        *self.learning_rate_mut() = lr;
        self
    }

    /// The learning rate.
    pub fn learning_rate(&self) -> f32 {
        let mut k = *self;
        *k.learning_rate_mut()
    }

    fn learning_rate_mut(&mut self) -> &mut f32 {
        match self {
            OptimizerKind::Adam { learning_rate, .. }
            | OptimizerKind::Sgd { learning_rate, .. }
            | OptimizerKind::RmsProp { learning_rate, .. }
            | OptimizerKind::Adagrad { learning_rate, .. }
            | OptimizerKind::Adamax { learning_rate, .. }
            | OptimizerKind::Lion { learning_rate, .. }
            | OptimizerKind::Nadam { learning_rate, .. }
            | OptimizerKind::Adadelta { learning_rate, .. } => learning_rate,
        }
    }
}

/// An optimizer with its state: the step count and one slot buffer per slot name, each as long as the
/// parameter vector (only trainable ranges are touched).
#[derive(Debug, Clone)]
pub struct Optimizer {
    /// Hyper-parameters (with a schedule, `kind`'s learning rate is unused).
    pub kind: OptimizerKind,
    /// The learning-rate schedule, evaluated at `iterations` before each step; `None` for `kind`'s rate.
    pub schedule: Option<Schedule>,
    /// Number of steps applied (Keras's `iterations`).
    pub iterations: u64,
    /// Slot buffers, in `kind.slot_names()` order.
    pub slots: Vec<Lines>,
    /// Gradient clipping, applied before each update.
    pub clip: Clip,
    /// Weight decay, applied to the weights before each update.
    pub decay: Decay,
    /// Nadam's running product of its momentum schedule (Keras's `u_product` variable; 1 before the first
    /// step, and unused by the other optimizers).
    pub u_product: f32,
}

impl Optimizer {
    /// A fresh optimizer for a parameter vector of `n` values.
    pub fn new(kind: OptimizerKind, n: usize) -> Self {
        let slots = kind.slot_names().iter().map(|s| Lines::filled(n, kind.slot_initial(s))).collect();
        let decay = Decay::default();
        Optimizer { kind, schedule: None, iterations: 0, slots, clip: Clip::None, decay, u_product: 1.0 }
    }

    /// The hyper-parameters of the step after `iterations` steps: `kind` with the schedule's rate there.
    pub fn kind_at(&self, iterations: u64) -> OptimizerKind {
        match &self.schedule {
            Some(s) => self.kind.with_learning_rate(s.lr(iterations)),
            None => self.kind,
        }
    }

    /// The learning rate the next step uses (Keras's `optimizer.learning_rate`).
    pub fn learning_rate(&self) -> f32 {
        self.kind_at(self.iterations).learning_rate()
    }

    /// Refuse a schedule whose rate at any of the next `steps` steps is negative, NaN or infinite (a fit
    /// checks the steps it is about to run before it changes anything).
    pub fn check_schedule(&self, steps: u64) -> Result<()> {
        self.schedule.as_ref().map_or(Ok(()), |s| s.check_steps(self.iterations, steps))
    }

    /// Refuse the next step when its scheduled rate is negative, NaN or infinite (see `Schedule::check`).
    pub fn check_next(&self) -> Result<()> {
        self.schedule.as_ref().map_or(Ok(()), |s| s.check(self.iterations).map(|_| ()))
    }

    /// Apply one update to `params[r]` for each trainable range `r`, then count the step. The rate is the
    /// schedule's at `iterations` (before the increment), as in Keras.
    pub fn step(&mut self, params: &mut [f32], grads: &[f32], trainable: &[Range<usize>]) {
        self.step_cut(params, grads, trainable, &[]);
    }

    /// `step`, with the offsets (in order) where Adam's pass, split between threads, should cut a range
    /// (adam.rs): the values come out the same wherever the cuts are.
    pub fn step_cut(&mut self, params: &mut [f32], grads: &[f32], trainable: &[Range<usize>], cuts: &[usize]) {
        let kind = self.kind_at(self.iterations);
        self.decay.apply(params, trainable, kind.learning_rate());
        self.update(kind, params, grads, trainable, cuts);
        // Saturating: `iterations` comes from a saved file's optimizer state and may be u64::MAX.
        self.iterations = self.iterations.saturating_add(1);
    }

    /// The update of `step`, slots found by `OptimizerKind::slot_layout`. (A slot the kind has but `slots`
    /// lacks, possible only for an `Optimizer` not made by `new`, is treated as absent; Adam without its
    /// moments, or RMSprop without its velocity, leaves the parameters alone.)
    fn update(
        &mut self,
        kind: OptimizerKind,
        params: &mut [f32],
        grads: &[f32],
        trainable: &[Range<usize>],
        cuts: &[usize],
    ) {
        let at = kind.slot_layout();
        match kind {
            OptimizerKind::Adam { beta_1: b1, beta_2: b2, epsilon: eps, .. } => {
                let alpha = kind.adam_step_size(self.iterations.saturating_add(1));
                let (c1, c2) = (rate_and_complement(b1).1, rate_and_complement(b2).1);
                let [Some(m_all), Some(v_all), vhat_all] =
                    slots_mut(&mut self.slots, [at.momentum, at.velocity, at.velocity_hat])
                else {
                    return;
                };
                let Some(vhat_all) = vhat_all else {
                    adam::update(params, grads, (m_all, v_all), trainable, cuts, (alpha, c1, c2, eps));
                    return;
                };
                // AMSGrad: one pass over each run of adjacent weights.
                for r in coalesced(trainable) {
                    let w = &mut params[r.clone()];
                    let g = &grads[r.clone()];
                    let m = &mut m_all[r.clone()];
                    let v = &mut v_all[r.clone()];
                    let vh = &mut vhat_all[r.clone()];
                    for i in 0..w.len() {
                        m[i] += (g[i] - m[i]) * c1;
                        v[i] += (g[i] * g[i] - v[i]) * c2;
                        vh[i] = vh[i].max(v[i]);
                        w[i] -= alpha * m[i] / (vh[i].sqrt() + eps);
                    }
                }
            }
            OptimizerKind::Sgd { learning_rate: lr, momentum, nesterov } => {
                let [m_all] = slots_mut(&mut self.slots, [at.momentum]);
                if let Some(m_all) = m_all {
                    for r in trainable {
                        let it = params[r.clone()].iter_mut().zip(&grads[r.clone()]).zip(&mut m_all[r.clone()]);
                        for ((w, &g), m) in it {
                            *m = momentum * *m - lr * g;
                            *w += if nesterov { momentum * *m - lr * g } else { *m };
                        }
                    }
                } else {
                    for r in trainable {
                        params[r.clone()].iter_mut().zip(&grads[r.clone()]).for_each(|(w, g)| *w -= lr * g);
                    }
                }
            }
            OptimizerKind::RmsProp { .. }
            | OptimizerKind::Adagrad { .. }
            | OptimizerKind::Adamax { .. }
            | OptimizerKind::Lion { .. }
            | OptimizerKind::Adadelta { .. } => {
                let t = self.iterations.saturating_add(1);
                more::update(kind, t, &mut self.slots, params, grads, trainable);
            }
            OptimizerKind::Nadam { .. } => {
                let s = kind.nadam_step(self.iterations.saturating_add(1), self.u_product);
                self.u_product = s.u_product;
                nadam::update(kind, s, &mut self.slots, params, grads, trainable);
            }
        }
    }
}

/// The slots at indices `at`, each borrowed mutably (`None` for a `None` index or one past the end; the
/// indices of one `SlotLayout` are distinct, and a repeated one is given only to its first place).
pub(crate) fn slots_mut<const N: usize>(slots: &mut [Lines], at: [Option<usize>; N]) -> [Option<&mut [f32]>; N] {
    let mut out = [const { None }; N];
    for (i, s) in slots.iter_mut().enumerate() {
        if let Some(k) = at.iter().position(|&a| a == Some(i)) {
            out[k] = Some(&mut s[..]);
        }
    }
    out
}

mod adam;
mod clip;
mod decay;
mod more;
mod nadam;
mod rates;
mod schedule;
#[cfg(test)]
mod tests;
