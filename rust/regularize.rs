//! Weight regularizers and constraints (Keras's `kernel_regularizer`, `kernel_constraint`, ... of Dense).
//!
//! A `Penalty` adds `l1·Σ|w| + l2·Σw²` to the loss (train and test steps alike) and `l1·sign(w) + 2·l2·w` to
//! the weight's gradient; a `Constraint` projects the weight after each optimizer step. Only trainable
//! weights of trainable layers take part, as in Keras (`model.losses`, `optimizer.apply`): see
//! `network_rules.rs` for the network-wide passes.

use crate::error::{Error, Result};

/// `l1·Σ|w| + l2·Σw²` (both zero: none).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Penalty {
    pub l1: f32,
    pub l2: f32,
}

impl Penalty {
    /// Whether it adds nothing.
    pub fn is_none(&self) -> bool {
        self.l1 == 0.0 && self.l2 == 0.0
    }

    /// Check the factors, with Keras's message.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [("l1", self.l1), ("l2", self.l2)] {
            if !v.is_finite() || v < 0.0 {
                return Err(Error::value(format!(
                    "Value for argument `{name}` must be a non-negative finite float. Received: {name}={v}"
                )));
            }
        }
        Ok(())
    }

    /// The penalty of `w`.
    pub fn value(&self, w: &[f32]) -> f64 {
        let mut s = 0.0f64;
        if self.l1 != 0.0 {
            s += f64::from(self.l1) * w.iter().map(|&v| f64::from(v.abs())).sum::<f64>();
        }
        if self.l2 != 0.0 {
            s += f64::from(self.l2) * w.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>();
        }
        s
    }

    /// Add the penalty's gradient at `w` into `g`.
    pub fn add_grad(&self, w: &[f32], g: &mut [f32]) {
        if self.is_none() {
            return;
        }
        let (l1, l2) = (self.l1, 2.0 * self.l2);
        for (g, &w) in g.iter_mut().zip(w) {
            let sign = if w > 0.0 {
                1.0
            } else if w < 0.0 {
                -1.0
            } else {
                0.0
            };
            *g += l1 * sign + l2 * w;
        }
    }

    /// The gradient `l1·sign(v) + 2·l2·v` at one value, times `scale`.
    pub fn grad_at(&self, v: f32, scale: f32) -> f32 {
        let sign = if v > 0.0 {
            1.0
        } else if v < 0.0 {
            -1.0
        } else {
            0.0
        };
        scale * (self.l1 * sign + 2.0 * self.l2 * v)
    }
}

/// A projection applied to a weight after each optimizer step. `axis` is resolved against the weight's
/// rank (negative counts from the end); the norm is the L2 norm along it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Constraint {
    #[default]
    None,
    MaxNorm {
        max_value: f32,
        axis: i32,
    },
    MinMaxNorm {
        min_value: f32,
        max_value: f32,
        rate: f32,
        axis: i32,
    },
    UnitNorm {
        axis: i32,
    },
    NonNeg,
}

/// Keras's `backend.epsilon()`.
const EPSILON: f32 = 1e-7;

impl Constraint {
    /// Whether it does nothing.
    pub fn is_none(&self) -> bool {
        *self == Constraint::None
    }

    fn axis(&self) -> Option<i32> {
        match *self {
            Constraint::MaxNorm { axis, .. } | Constraint::MinMaxNorm { axis, .. } | Constraint::UnitNorm { axis } => {
                Some(axis)
            }
            Constraint::None | Constraint::NonNeg => None,
        }
    }

    /// Check the axis against a weight of shape `shape`.
    pub fn check(&self, shape: &[usize]) -> Result<()> {
        match self.axis() {
            Some(a) if resolve(a, shape.len()).is_none() => {
                Err(Error::value(format!("The constraint's axis={a} is out of range for a weight of shape {shape:?}")))
            }
            _ => Ok(()),
        }
    }

    /// The new length of a vector of norm `n`, divided by `ε + n` (the scale applied to it).
    fn scale(&self, n: f32) -> f32 {
        let target = match *self {
            Constraint::MaxNorm { max_value, .. } => n.clamp(0.0, max_value),
            Constraint::MinMaxNorm { min_value, max_value, rate, .. } => {
                rate * n.clamp(min_value, max_value) + (1.0 - rate) * n
            }
            Constraint::UnitNorm { .. } => 1.0,
            Constraint::None | Constraint::NonNeg => return 1.0,
        };
        target / (EPSILON + n)
    }

    /// For a norm constraint on a weight of shape `shape`: `(outer, len, inner)`, the row-major weight seen as
    /// `outer × len × inner` with the norm taken along `len`; `None` for `NonNeg`, `None` or an axis out of
    /// range.
    pub fn layout(&self, shape: &[usize]) -> Option<(usize, usize, usize)> {
        let axis = resolve(self.axis()?, shape.len())?;
        let outer: usize = shape[..axis].iter().product();
        Some((outer, shape[axis], shape[axis + 1..].iter().product()))
    }

    /// Project `w` (row-major, shape `shape`) in place.
    pub fn apply(&self, w: &mut [f32], shape: &[usize]) {
        let axis = match (*self, self.axis()) {
            (Constraint::None, _) => return,
            (Constraint::NonNeg, _) => {
                w.iter_mut().for_each(|v| *v = v.max(0.0));
                return;
            }
            (_, Some(a)) => match resolve(a, shape.len()) {
                Some(a) => a,
                None => return,
            },
            (_, None) => return,
        };
        // Row-major: `outer × len × inner`, the norm taken over `len` for each (outer, inner).
        let len = shape[axis];
        let inner: usize = shape[axis + 1..].iter().product();
        let outer: usize = shape[..axis].iter().product();
        for o in 0..outer {
            let base = o * len * inner;
            for i in 0..inner {
                let idx = |k: usize| base + k * inner + i;
                let n = (0..len).map(|k| f64::from(w[idx(k)]).powi(2)).sum::<f64>().sqrt() as f32;
                let s = self.scale(n);
                (0..len).for_each(|k| w[idx(k)] *= s);
            }
        }
    }
}

fn resolve(axis: i32, rank: usize) -> Option<usize> {
    let a = if axis < 0 { axis + rank as i32 } else { axis };
    (0..rank as i32).contains(&a).then_some(a as usize)
}

/// The regularizers and constraints of a Dense layer's weights (all none by default).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WeightRules {
    pub kernel_reg: Penalty,
    pub bias_reg: Penalty,
    pub kernel_constraint: Constraint,
    pub bias_constraint: Constraint,
    /// Keras's `activity_regularizer`: the penalty of the layer's output (after its activation), divided by
    /// the batch's rows, joins the loss in training and evaluation alike, frozen layer or not.
    pub activity: Penalty,
}

impl WeightRules {
    /// Whether nothing is set.
    pub fn is_none(&self) -> bool {
        *self == WeightRules::default()
    }

    /// Check the factors.
    pub fn validate(&self) -> Result<()> {
        self.kernel_reg.validate()?;
        self.bias_reg.validate()?;
        self.activity.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f32], b: &[f32]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-5, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn constraint_goldens() {
        let w = [3.0, 0.0, 4.0, 0.1];
        let run = |c: Constraint| {
            let mut v = w;
            c.apply(&mut v, &[2, 2]);
            v
        };
        close(&run(Constraint::MaxNorm { max_value: 2.0, axis: 0 }), &[1.2, 0.0, 1.6, 0.1]);
        close(&run(Constraint::UnitNorm { axis: 0 }), &[0.6, 0.0, 0.8, 0.999999]);
        let mm = Constraint::MinMaxNorm { min_value: 1.0, max_value: 2.0, rate: 0.5, axis: 0 };
        close(&run(mm), &[2.1, 0.0, 2.8, 0.55]);
        close(&run(Constraint::NonNeg), &w);
        let mut v = [-1.0, 2.0];
        Constraint::NonNeg.apply(&mut v, &[2]);
        close(&v, &[0.0, 2.0]);
        // axis 1: per row.
        close(&run(Constraint::UnitNorm { axis: -1 }), &[1.0, 0.0, 4.0 / 4.00125, 0.1 / 4.00125]);
        assert!(Constraint::UnitNorm { axis: 2 }.check(&[2, 2]).is_err());
    }

    #[test]
    fn penalty_value_and_gradient() {
        let p = Penalty { l1: 0.5, l2: 0.5 };
        assert_eq!(Penalty { l1: 0.0, l2: 0.5 }.value(&[1.0, 2.0, 3.0, 4.0]), 15.0);
        let w = [0.3f32, -1.2, 0.7, -0.1];
        let mut g = [0.0f32; 4];
        p.add_grad(&w, &mut g);
        for i in 0..4 {
            let h = 1e-3f32;
            let (mut a, mut b) = (w, w);
            a[i] += h;
            b[i] -= h;
            let fd = (p.value(&a) - p.value(&b)) / (2.0 * f64::from(h));
            assert!((fd - f64::from(g[i])).abs() < 1e-3, "{i}: {fd} vs {}", g[i]);
        }
        assert!(Penalty { l1: -1.0, l2: 0.0 }.validate().is_err());
        assert!(Penalty { l1: 0.0, l2: f32::NAN }.validate().is_err());
    }
}
