//! Weight decay as Keras 3's base optimizer applies it, for every optimizer: before each update (after the
//! gradients are clipped, which does not touch the weights), each trainable weight not excluded becomes
//! `w − w·wd·lr`, with the learning rate of that step (a schedule's included).

use std::ops::Range;

use crate::error::{Error, Result};

/// The decay rate and the weights it skips (`exclude_from_weight_decay`); a rate of 0 is no decay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decay {
    /// Keras's `weight_decay`.
    pub rate: f32,
    /// The parameter ranges of the weights left alone.
    pub skip: Vec<Range<usize>>,
}

impl Decay {
    /// Refuse a negative, NaN or infinite rate.
    pub fn validate(&self) -> Result<()> {
        if !self.rate.is_finite() || self.rate < 0.0 {
            return Err(Error::value(format!(
                "weight_decay must be a non-negative finite float. Received: weight_decay={}",
                self.rate
            )));
        }
        Ok(())
    }

    /// Whether the weight at `r` decays.
    pub fn applies(&self, r: &Range<usize>) -> bool {
        self.rate != 0.0 && !self.skip.contains(r)
    }

    /// `w −= w·rate·lr` over each trainable range that decays (in that order of products, as Keras).
    pub fn apply(&self, params: &mut [f32], trainable: &[Range<usize>], lr: f32) {
        if self.rate == 0.0 {
            return;
        }
        for r in trainable.iter().filter(|r| self.applies(r)) {
            params[r.clone()].iter_mut().for_each(|w| *w -= *w * self.rate * lr);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::single_range_in_vec_init)]
    use super::super::{Optimizer, OptimizerKind};
    use super::Decay;

    /// Every optimizer, with decay: the step equals the step without it from the decayed weights; skipped
    /// and frozen weights only take the plain step.
    #[test]
    fn decay_precedes_each_optimizer_step_and_skips_excluded_weights() {
        let kinds = [
            OptimizerKind::Sgd { learning_rate: 0.1, momentum: 0.9, nesterov: true },
            OptimizerKind::RmsProp { learning_rate: 0.01, rho: 0.9, momentum: 0.0, epsilon: 1e-7, centered: false },
            OptimizerKind::Adam { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: true },
            OptimizerKind::Adagrad { learning_rate: 0.1, initial_accumulator_value: 0.1, epsilon: 1e-7 },
            OptimizerKind::Adamax { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
            OptimizerKind::Lion { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.99 },
            OptimizerKind::Nadam { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
        ];
        let trainable = [0..3, 3..5];
        for kind in kinds {
            let mut with = Optimizer::new(kind, 6);
            with.decay = Decay { rate: 0.25, skip: vec![3..5] };
            let mut plain = Optimizer::new(kind, 6);
            let mut w = vec![1.0f32, -2.0, 0.5, 3.0, -1.5, 4.0];
            let mut expect = w.clone();
            for step in 0..3 {
                let g: Vec<f32> = (0..6).map(|i| ((i + step) % 4) as f32 * 0.5 - 0.7).collect();
                let lr = kind.learning_rate();
                for v in &mut expect[0..3] {
                    *v -= *v * 0.25 * lr;
                }
                plain.step(&mut expect, &g, &trainable);
                with.step(&mut w, &g, &trainable);
            }
            assert_eq!(w, expect, "{kind:?}");
            assert_eq!(w[5], 4.0);
            assert_eq!(with.slots, plain.slots);
        }
    }

    #[test]
    fn rate_checks_and_zero_is_no_decay() {
        assert!(Decay { rate: 0.0, skip: vec![] }.validate().is_ok());
        for bad in [-0.1, f32::NAN, f32::INFINITY] {
            let e = Decay { rate: bad, skip: vec![] }.validate().unwrap_err().to_string();
            assert!(e.contains("weight_decay="), "{e}");
        }
        let mut w = [2.0f32, 3.0];
        Decay::default().apply(&mut w, &[0..2], 0.5);
        assert_eq!(w, [2.0, 3.0]);
        Decay { rate: 0.1, skip: vec![] }.apply(&mut w, &[0..1], 0.5);
        assert_eq!(w, [2.0 - 2.0 * 0.1 * 0.5, 3.0]);
    }
}
