//! Nadam with Keras 3's rule. Each step `t` (1-based) first advances the running product of the momentum
//! schedule, `P_t = P_{t−1}·β1·(1 − ½·0.96ᵗ)` (Keras's `u_product`, one scalar per optimizer), then for each
//! value: `m += (g−m)(1−β1)`, `v += (g²−v)(1−β2)`,
//! `m̂ = u_{t+1}·m/(1 − P_t·u_{t+1}) + (1 − u_t)·g/(1 − P_t)` with `u_t = β1·(1 − ½·0.96ᵗ)`,
//! `v̂ = v/(1 − β2ᵗ)`, `w −= lr·m̂/(√v̂ + ε)`. The per-step scalars come from `OptimizerKind::nadam_step`,
//! which both backends use (the GPU gets them in its step record).

use std::ops::Range;

use super::{slots_mut, Optimizer, OptimizerKind};
use crate::error::{Error, Result};

/// The optimizer state that is not per weight: the step count and Nadam's `u_product` (a GPU fit advances
/// a copy of it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// `Optimizer::iterations`.
    pub iterations: u64,
    /// `Optimizer::u_product`.
    pub u_product: f32,
}

impl Optimizer {
    /// The step count and `u_product`.
    pub fn progress(&self) -> Progress {
        Progress { iterations: self.iterations, u_product: self.u_product }
    }

    /// Set what `progress` returned.
    pub fn set_progress(&mut self, p: Progress) {
        (self.iterations, self.u_product) = (p.iterations, p.u_product);
    }
}

/// One Nadam step's scalars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NadamStep {
    /// `u_product` after this step's update (`P_t`).
    pub u_product: f32,
    /// The coefficient of `m` in `m̂`: `u_{t+1}/(1 − P_t·u_{t+1})`.
    pub m: f32,
    /// The coefficient of `g` in `m̂`: `(1 − u_t)/(1 − P_t)`.
    pub g: f32,
    /// The second moment's bias correction `1 − β2ᵗ`.
    pub v: f32,
}

impl OptimizerKind {
    /// Nadam's scalars for step `t` (1-based) from `u_product` before it (for another kind: `u_product`
    /// unchanged and zero coefficients). In f32 and in Keras's order of operations.
    pub fn nadam_step(&self, t: u64, u_product: f32) -> NadamStep {
        let OptimizerKind::Nadam { beta_1: b1, beta_2: b2, .. } = *self else {
            return NadamStep { u_product, m: 0.0, g: 0.0, v: 0.0 };
        };
        let (t, next) = (t as f32, t.saturating_add(1) as f32);
        let p = u_product * b1 * (1.0 - 0.5 * 0.96f32.powf(t));
        let u_t = b1 * (1.0 - 0.5 * 0.96f32.powf(t));
        let u_next = b1 * (1.0 - 0.5 * 0.96f32.powf(next));
        NadamStep { u_product: p, m: u_next / (1.0 - p * u_next), g: (1.0 - u_t) / (1.0 - p), v: 1.0 - b2.powf(t) }
    }
}

/// Refuse betas outside [0, 1] and a negative or non-finite epsilon.
pub(super) fn validate(beta_1: f32, beta_2: f32, epsilon: f32) -> Result<()> {
    for (name, b) in [("beta_1", beta_1), ("beta_2", beta_2)] {
        if !(0.0..=1.0).contains(&b) {
            return Err(Error::value(format!("Argument `{name}` must be in the [0, 1] range. Received: {name}={b}")));
        }
    }
    if !epsilon.is_finite() || epsilon < 0.0 {
        return Err(Error::value(format!(
            "Argument `epsilon` must be a non-negative finite float. Received: epsilon={epsilon}"
        )));
    }
    Ok(())
}

/// One step of `kind` (Nadam) with scalars `s` over the trainable ranges; a missing slot leaves the
/// parameters alone.
pub(super) fn update(
    kind: OptimizerKind,
    s: NadamStep,
    slots: &mut [crate::lines::Lines],
    params: &mut [f32],
    grads: &[f32],
    trainable: &[Range<usize>],
) {
    let OptimizerKind::Nadam { learning_rate: lr, beta_1: b1, beta_2: b2, epsilon: eps } = kind else { return };
    let at = kind.slot_layout();
    let [Some(m), Some(v)] = slots_mut(slots, [at.momentum, at.velocity]) else { return };
    let (c1, c2) = (1.0 - b1, 1.0 - b2);
    for i in trainable.iter().flat_map(Range::clone) {
        let g = grads[i];
        m[i] += (g - m[i]) * c1;
        v[i] += (g * g - v[i]) * c2;
        let m_hat = s.m * m[i] + s.g * g;
        params[i] -= m_hat * lr / ((v[i] / s.v).sqrt() + eps);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::single_range_in_vec_init)]
    use super::super::{Optimizer, OptimizerKind};

    /// Keras's Nadam in f64, from `w0` over `grads` (one per step), with the rate of each step `lr(t)`.
    fn reference(b1: f64, b2: f64, eps: f64, lr: &dyn Fn(usize) -> f64, w0: &[f64], grads: &[Vec<f64>]) -> Vec<f64> {
        let n = w0.len();
        let (mut w, mut m, mut v, mut p) = (w0.to_vec(), vec![0.0; n], vec![0.0; n], 1.0f64);
        for (s, g) in grads.iter().enumerate() {
            let t = (s + 1) as i32;
            let u = |t: i32| b1 * (1.0 - 0.5 * 0.96f64.powi(t));
            p *= u(t);
            let p_next = p * u(t + 1);
            for i in 0..n {
                m[i] += (g[i] - m[i]) * (1.0 - b1);
                v[i] += (g[i] * g[i] - v[i]) * (1.0 - b2);
                let m_hat = u(t + 1) * m[i] / (1.0 - p_next) + (1.0 - u(t)) * g[i] / (1.0 - p);
                let v_hat = v[i] / (1.0 - b2.powi(t));
                w[i] -= lr(s) * m_hat / (v_hat.sqrt() + eps);
            }
        }
        w
    }

    #[test]
    fn five_steps_match_keras_rule_with_and_without_a_schedule() {
        let w0 = [0.5f64, -1.0, 2.0, 0.25, 7.0];
        let grads: Vec<Vec<f64>> =
            (0..5).map(|t| (0..5).map(|i| ((i * 5 + t * 3) % 7) as f64 * 0.4 - 1.1).collect()).collect();
        for (b1, b2, eps, scheduled) in [(0.9, 0.999, 1e-7, false), (0.5, 0.9, 1e-3, false), (0.9, 0.999, 1e-7, true)] {
            let kind = OptimizerKind::Nadam { learning_rate: 0.01, beta_1: b1, beta_2: b2, epsilon: eps };
            let mut o = Optimizer::new(kind, 5);
            if scheduled {
                o.schedule = Some(crate::optimizer::Schedule::Exponential {
                    initial: 0.1,
                    decay_steps: 2.0,
                    rate: 0.5,
                    staircase: false,
                });
            }
            let lr = |s: usize| if scheduled { f64::from(o.kind_at(s as u64).learning_rate()) } else { 0.01 };
            let lrs: Vec<f64> = (0..5).map(lr).collect();
            let (b1, b2, eps) = (f64::from(b1), f64::from(b2), f64::from(eps));
            let want = reference(b1, b2, eps, &|s| lrs[s], &w0, &grads);
            let mut w: Vec<f32> = w0.iter().map(|&x| x as f32).collect();
            for g in &grads {
                let g: Vec<f32> = g.iter().map(|&x| x as f32).collect();
                o.step(&mut w, &g, &[0..4]);
            }
            for i in 0..4 {
                assert!((f64::from(w[i]) - want[i]).abs() < 2e-5 * want[i].abs().max(1.0), "{i}: {w:?} {want:?}");
            }
            assert_eq!(w[4], 7.0);
            let p: f64 = (1..=5).map(|t| b1 * (1.0 - 0.5 * 0.96f64.powi(t))).product();
            assert!((f64::from(o.u_product) - p).abs() < 1e-6, "{} {p}", o.u_product);
            assert_eq!((o.iterations, kind.slot_names()), (5, vec!["momentum", "velocity"]));
        }
    }

    #[test]
    fn first_step_scalars_and_checks() {
        let kind = OptimizerKind::Nadam { learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 };
        let s = kind.nadam_step(1, 1.0);
        // u_1 = 0.9·(1 − 0.48) = 0.468, u_2 = 0.9·(1 − 0.4608) = 0.48528.
        assert!((s.u_product - 0.468).abs() < 1e-7);
        assert!((s.m - 0.48528 / (1.0 - 0.468 * 0.48528)).abs() < 1e-6);
        assert!((s.g - 1.0).abs() < 1e-6);
        assert!((s.v - 0.001).abs() < 1e-7);
        let adam =
            OptimizerKind::Adam { learning_rate: 0.1, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false };
        assert_eq!(adam.nadam_step(3, 0.5).u_product, 0.5);
        let nadam = |beta_1, beta_2, epsilon| OptimizerKind::Nadam { learning_rate: 0.1, beta_1, beta_2, epsilon };
        assert!(nadam(0.0, 1.0, 0.0).validate().is_ok());
        for (bad, name) in [
            (nadam(1.5, 0.9, 1e-7), "beta_1"),
            (nadam(0.9, f32::NAN, 1e-7), "beta_2"),
            (nadam(0.9, 0.9, -1.0), "epsilon"),
        ] {
            let e = bad.validate().unwrap_err().to_string();
            assert!(e.contains(&format!("{name}=")), "{e}");
        }
    }
}
