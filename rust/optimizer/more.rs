//! The CPU updates of RMSprop (see mod.rs), Adagrad, Adamax, Lion and Adadelta, with Keras 3's rules:
//!
//! Adagrad: `a += g²`, `w −= lr·g/√(a + ε)`.
//! Adamax: `m += (g−m)(1−β1)`, `u = max(β2·u, |g|)`, `w −= α·m/(u + ε)` with `α = lr/(1−β1ᵗ)`.
//! Lion: `w −= lr·sign(β1·m + (1−β1)g)`, then `m = β2·m + (1−β2)g`.
//! Adadelta: `a = ρa + (1−ρ)g²`, `Δ = −√(d + ε)·g/√(a + ε)`, `d = ρd + (1−ρ)Δ²`, `w += lr·Δ`.

use std::ops::Range;

use super::{rate_and_complement, slots_mut, OptimizerKind};

/// One step `t` (1-based) of `kind` (one of these five) over the trainable ranges; a missing slot leaves the
/// parameters alone.
pub(super) fn update(
    kind: OptimizerKind,
    t: u64,
    slots: &mut [crate::lines::Lines],
    params: &mut [f32],
    grads: &[f32],
    trainable: &[Range<usize>],
) {
    let at = kind.slot_layout();
    match kind {
        OptimizerKind::Adagrad { learning_rate: lr, epsilon: eps, .. } => {
            let [Some(acc)] = slots_mut(slots, [at.accumulator]) else { return };
            for i in trainable.iter().flat_map(Range::clone) {
                let g = grads[i];
                acc[i] += g * g;
                params[i] -= lr * g / (acc[i] + eps).sqrt();
            }
        }
        OptimizerKind::Adamax { beta_1: b1, beta_2: b2, epsilon: eps, .. } => {
            let alpha = kind.adam_step_size(t);
            let [Some(m), Some(u)] = slots_mut(slots, [at.momentum, at.norm]) else { return };
            let c1 = rate_and_complement(b1).1;
            for i in trainable.iter().flat_map(Range::clone) {
                let g = grads[i];
                m[i] += (g - m[i]) * c1;
                u[i] = (b2 * u[i]).max(g.abs());
                params[i] -= alpha * m[i] / (u[i] + eps);
            }
        }
        OptimizerKind::RmsProp { learning_rate: lr, rho, momentum, epsilon: eps, .. } => {
            let (rho, c) = rate_and_complement(rho);
            let [Some(v_all), mut mom_all, mut avg_all] =
                slots_mut(slots, [at.velocity, at.momentum, at.average_gradient])
            else {
                return;
            };
            for r in trainable {
                for i in r.clone() {
                    let g = grads[i];
                    let v = &mut v_all[i];
                    *v = rho * *v + c * (g * g);
                    let denom = if let Some(avg_all) = avg_all.as_deref_mut() {
                        let a = &mut avg_all[i];
                        *a = rho * *a + c * g;
                        *v - *a * *a + eps
                    } else {
                        *v + eps
                    };
                    let inc = lr * g / denom.sqrt();
                    if let Some(mom_all) = mom_all.as_deref_mut() {
                        let mo = &mut mom_all[i];
                        *mo = momentum * *mo + inc;
                        params[i] -= *mo;
                    } else {
                        params[i] -= inc;
                    }
                }
            }
        }
        OptimizerKind::Adadelta { learning_rate: lr, rho, epsilon: eps } => {
            let (rho, c) = rate_and_complement(rho);
            let [Some(acc_g), Some(acc_d)] = slots_mut(slots, [at.accumulated_grad, at.accumulated_delta_var]) else {
                return;
            };
            for i in trainable.iter().flat_map(Range::clone) {
                let g = grads[i];
                acc_g[i] = rho * acc_g[i] + c * (g * g);
                let delta = -((acc_d[i] + eps).sqrt() * g / (acc_g[i] + eps).sqrt());
                acc_d[i] = rho * acc_d[i] + c * (delta * delta);
                params[i] += lr * delta;
            }
        }
        OptimizerKind::Lion { learning_rate: lr, beta_1: b1, beta_2: b2 } => {
            let [Some(m)] = slots_mut(slots, [at.momentum]) else { return };
            for i in trainable.iter().flat_map(Range::clone) {
                let g = grads[i];
                params[i] -= lr * sign(m[i] * b1 + g * (1.0 - b1));
                m[i] = m[i] * b2 + g * (1.0 - b2);
            }
        }
        _ => {}
    }
}

/// `sign` as Keras's (TensorFlow's): 0 at 0, NaN for NaN (so a NaN gradient makes the weight NaN, as in Keras).
fn sign(x: f32) -> f32 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x * 0.0 // ±0 → 0, NaN → NaN
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::single_range_in_vec_init)]
    use super::super::{Optimizer, OptimizerKind};

    /// Keras's rule for `kind` in f64 over `grads` (one per step), from `w0`: the final weights.
    fn reference(kind: OptimizerKind, w0: &[f64], grads: &[Vec<f64>]) -> Vec<f64> {
        let n = w0.len();
        let mut w = w0.to_vec();
        let (mut s1, mut s2) = (vec![0.0; n], vec![0.0; n]);
        if let OptimizerKind::Adagrad { initial_accumulator_value, .. } = kind {
            s1 = vec![f64::from(initial_accumulator_value); n];
        }
        for (t, g) in grads.iter().enumerate() {
            let t = (t + 1) as i32;
            for i in 0..n {
                match kind {
                    OptimizerKind::Adagrad { learning_rate: lr, epsilon: eps, .. } => {
                        s1[i] += g[i] * g[i];
                        w[i] -= f64::from(lr) * g[i] / (s1[i] + f64::from(eps)).sqrt();
                    }
                    OptimizerKind::Adamax { learning_rate: lr, beta_1: b1, beta_2: b2, epsilon: eps } => {
                        let b2 = f64::from(b2);
                        s1[i] += (g[i] - s1[i]) * (1.0 - b1);
                        s2[i] = (b2 * s2[i]).max(g[i].abs());
                        w[i] -= f64::from(lr) * s1[i] / ((1.0 - b1.powi(t)) * (s2[i] + f64::from(eps)));
                    }
                    OptimizerKind::Lion { learning_rate: lr, beta_1: b1, beta_2: b2 } => {
                        let (b1, b2) = (f64::from(b1), f64::from(b2));
                        let c = s1[i] * b1 + g[i] * (1.0 - b1);
                        w[i] -= f64::from(lr)
                            * if c > 0.0 {
                                1.0
                            } else if c < 0.0 {
                                -1.0
                            } else {
                                0.0
                            };
                        s1[i] = s1[i] * b2 + g[i] * (1.0 - b2);
                    }
                    OptimizerKind::Adadelta { learning_rate: lr, rho, epsilon: eps } => {
                        let eps = f64::from(eps);
                        s1[i] = rho * s1[i] + (1.0 - rho) * g[i] * g[i];
                        let delta = -(s2[i] + eps).sqrt() * g[i] / (s1[i] + eps).sqrt();
                        s2[i] = rho * s2[i] + (1.0 - rho) * delta * delta;
                        w[i] += f64::from(lr) * delta;
                    }
                    _ => unreachable!(),
                }
            }
        }
        w
    }

    #[test]
    fn four_steps_match_keras_rules() {
        let kinds = [
            OptimizerKind::Adagrad { learning_rate: 0.1, initial_accumulator_value: 0.1, epsilon: 1e-7 },
            OptimizerKind::Adagrad { learning_rate: 0.05, initial_accumulator_value: 0.0, epsilon: 1e-3 },
            OptimizerKind::Adamax { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
            OptimizerKind::Adamax { learning_rate: 0.1, beta_1: 0.5, beta_2: 0.8, epsilon: 1e-2 },
            OptimizerKind::Lion { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.99 },
            OptimizerKind::Adadelta { learning_rate: 1.0, rho: 0.95, epsilon: 1e-7 },
            OptimizerKind::Adadelta { learning_rate: 0.5, rho: 0.5, epsilon: 1e-3 },
        ];
        let w0 = [1.0f64, -2.0, 0.5, 3.0, 0.0];
        let grads: Vec<Vec<f64>> = (0..4)
            .map(|t| (0..5).map(|i| ((i * 7 + t * 3) % 11) as f64 * 0.3 - 1.4 + 0.01 * t as f64).collect())
            .collect();
        for kind in kinds {
            let want = reference(kind, &w0, &grads);
            let mut w: Vec<f32> = w0.iter().map(|&x| x as f32).collect();
            // The last weight is not trainable: it and its slots stay as they were.
            let mut o = Optimizer::new(kind, 5);
            for g in &grads {
                let g: Vec<f32> = g.iter().map(|&x| x as f32).collect();
                o.step(&mut w, &g, &[0..4]);
            }
            for i in 0..4 {
                assert!(
                    (f64::from(w[i]) - want[i]).abs() < 1e-5 * want[i].abs().max(1.0),
                    "{kind:?} {i}: {w:?} {want:?}"
                );
            }
            assert_eq!(w[4], 0.0);
            assert_eq!(o.slots[0][4], kind.slot_initial(kind.slot_names()[0]));
            assert_eq!(o.iterations, 4);
        }
    }

    #[test]
    fn slot_names_initial_values_and_lion_beta_check() {
        let ada = OptimizerKind::Adagrad { learning_rate: 0.1, initial_accumulator_value: 0.25, epsilon: 1e-7 };
        assert_eq!(ada.slot_names(), ["accumulator"]);
        assert_eq!(Optimizer::new(ada, 3).slots, vec![vec![0.25; 3]]);
        let amax = OptimizerKind::Adamax { learning_rate: 0.1, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 };
        assert_eq!(amax.slot_names(), ["momentum", "norm"]);
        assert_eq!((amax.slot_layout().momentum, amax.slot_layout().norm), (Some(0), Some(1)));
        assert_eq!(amax.adam_step_size(2), 0.1 / (1.0 - 0.9f32.powf(2.0)));
        let lion = |beta_1| OptimizerKind::Lion { learning_rate: 0.1, beta_1, beta_2: 0.99 };
        assert_eq!(lion(0.9).slot_names(), ["momentum"]);
        assert!(lion(0.9).validate().is_ok() && lion(1.0).validate().is_ok());
        assert!(lion(0.0).validate().is_err() && lion(1.5).validate().is_err() && lion(f32::NAN).validate().is_err());
        assert_eq!(lion(0.9).with_learning_rate(0.5).learning_rate(), 0.5);
    }
}
