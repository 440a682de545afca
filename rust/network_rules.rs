//! A network's weight regularizers and constraints (`regularize.rs`) applied to its trainable weights: the
//! penalty added to a step's loss, its gradient, and the constraints after an optimizer step.

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::layer::LayerSpec;
use crate::network::{Network, Node};
use crate::regularize::{Constraint, Penalty, WeightRules};

/// Each weight of a trainable layer of `layers` that `trainable` accepts and that has a penalty or a constraint:
/// (weight index, penalty, constraint). The CPU and the GPU backend both walk the rules with it.
pub(crate) fn ruled_weights<'a>(
    layers: &'a [Node],
    trainable: impl Fn(usize) -> bool + Copy + 'a,
) -> impl Iterator<Item = (usize, Penalty, Constraint)> + 'a {
    layers
        .iter()
        .filter(|l| l.trainable)
        .flat_map(move |l| {
            let rules = match l.spec {
                LayerSpec::Dense { rules, .. } => rules,
                _ => WeightRules::default(),
            };
            let pairs = [(rules.kernel_reg, rules.kernel_constraint), (rules.bias_reg, rules.bias_constraint)];
            l.weights
                .clone()
                .zip(pairs)
                .filter(move |&(i, (p, c))| !rules.is_none() && trainable(i) && !(p.is_none() && c.is_none()))
        })
        .map(|(i, (p, c))| (i, p, c))
}

impl Network {
    /// Each trainable weight (of a trainable layer) with a penalty or constraint: (weight index, penalty, constraint).
    fn ruled(&self) -> impl Iterator<Item = (usize, Penalty, Constraint)> + '_ {
        let weights = &self.weights;
        ruled_weights(&self.layers, move |i| weights[i].trainable)
    }

    /// Whether any layer has a regularizer or constraint (trainable or not).
    pub fn has_weight_rules(&self) -> bool {
        self.layers.iter().any(|l| matches!(l.spec, LayerSpec::Dense { rules, .. } if !rules.is_none()))
    }

    /// The sum of the trainable weights' penalties (Keras's `sum(model.losses)` without activity terms).
    pub fn penalty(&self) -> f64 {
        self.ruled().map(|(i, p, _)| p.value(&self.params[self.weights[i].range()])).sum()
    }

    /// Add the penalties' gradients into `grads` (laid out as `params`).
    pub fn add_penalty_grads(&self, grads: &mut [f32]) {
        for (i, p, _) in self.ruled() {
            let r = self.weights[i].range();
            p.add_grad(&self.params[r.clone()], &mut grads[r]);
        }
    }

    /// Refuse to train with a constraint that cannot apply: its axis out of range for its weight's rank (a
    /// bias's `axis=1`). Keras fails at its first step; `apply` would skip it. Only the constraints `apply`
    /// uses are checked (of trainable weights of trainable layers), as Keras's optimizer applies no other.
    pub fn check_constraints(&self) -> Result<()> {
        for l in self.layers.iter().filter(|l| l.trainable) {
            let LayerSpec::Dense { rules, .. } = l.spec else { continue };
            let pairs = [("kernel_constraint", rules.kernel_constraint), ("bias_constraint", rules.bias_constraint)];
            for (i, (arg, c)) in l.weights.clone().zip(pairs) {
                let w = &self.weights[i];
                if w.trainable {
                    c.check(&w.shape).map_err(|e| Error::value(format!("A layer's {arg} cannot apply: {e}")))?;
                }
            }
        }
        Ok(())
    }

    /// Project the trainable weights through their constraints (after an optimizer step).
    pub fn apply_constraints(&mut self) {
        for l in self.layers.iter().filter(|l| l.trainable) {
            let LayerSpec::Dense { rules, .. } = l.spec else { continue };
            for (i, c) in l.weights.clone().zip([rules.kernel_constraint, rules.bias_constraint]) {
                let w = &self.weights[i];
                if !c.is_none() && w.trainable {
                    c.apply(&mut self.params[w.range()], &w.shape);
                }
            }
        }
    }
}

/// A layer's activity regularizer, when it has one.
pub(crate) fn activity_of(spec: &LayerSpec) -> Option<Penalty> {
    match spec {
        LayerSpec::Dense { rules, .. } if !rules.activity.is_none() => Some(rules.activity),
        _ => None,
    }
}

/// Add the gradient of `p(y)/rows` (the activity penalty's share of a batch's loss, `y` being `rows` rows of
/// `width`) into `g`: the gradient with respect to `y`, or, with `through` (the loss read the logits of that
/// sigmoid or softmax), with respect to its logits. Where a relu's derivative was already applied to `g` the
/// sum is the same, since the penalty's gradient is 0 where relu's output is.
pub(crate) fn add_activity_grad(p: Penalty, y: &[f32], g: &mut [f32], width: usize, through: Option<Activation>) {
    let scale = 1.0 / (y.len() / width.max(1)).max(1) as f32;
    match through {
        Some(Activation::Softmax) => {
            for (yr, gr) in y.chunks_exact(width).zip(g.chunks_exact_mut(width)) {
                let s: f32 = yr.iter().map(|&v| p.grad_at(v, scale) * v).sum();
                gr.iter_mut().zip(yr).for_each(|(gv, &v)| *gv += v * (p.grad_at(v, scale) - s));
            }
        }
        Some(Activation::Sigmoid) => {
            g.iter_mut().zip(y).for_each(|(gv, &v)| *gv += v * (1.0 - v) * p.grad_at(v, scale));
        }
        _ => g.iter_mut().zip(y).for_each(|(gv, &v)| *gv += p.grad_at(v, scale)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// `p(f(z))/rows`, the activity penalty's share of a batch's mean loss, in f64.
    fn share(p: Penalty, z: &[f32], width: usize, f: Activation) -> f64 {
        let mut y = z.to_vec();
        f.forward_inplace(&mut y, width);
        p.value(&y) / (z.len() / width) as f64
    }

    #[test]
    fn activity_gradient_matches_finite_differences() {
        let p = Penalty { l1: 0.3, l2: 0.7 };
        let width = 3;
        let z: Vec<f32> = (0..12).map(|i| ((i * 7 % 11) as f32 - 5.0) * 0.37 + 0.05).collect();
        for (f, through) in [
            (Activation::Linear, None),
            (Activation::Sigmoid, Some(Activation::Sigmoid)),
            (Activation::Softmax, Some(Activation::Softmax)),
        ] {
            let mut y = z.clone();
            f.forward_inplace(&mut y, width);
            let mut g = vec![0.5f32; z.len()];
            add_activity_grad(p, &y, &mut g, width, through);
            for k in 0..z.len() {
                let h = 1e-3f32;
                let (mut up, mut down) = (z.clone(), z.clone());
                up[k] += h;
                down[k] -= h;
                let fd = (share(p, &up, width, f) - share(p, &down, width, f)) / f64::from(2.0 * h);
                let got = f64::from(g[k] - 0.5);
                assert!((got - fd).abs() < 2e-3 * (1.0 + fd.abs()), "{f:?} at {k}: {got} vs {fd}");
            }
        }
    }
}
