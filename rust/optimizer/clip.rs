//! Gradient clipping as Keras 3's optimizers apply it to the gradients before an update (after the
//! regularizers' gradients joined them): `clipvalue` clamps each value to `[−c, c]`, `clipnorm` rescales
//! each weight's gradient by `c / max(‖g‖, c)`, `global_clipnorm` rescales every gradient by
//! `c / max(‖all‖, c)` with the norm taken over all of them together. At most one is set.

use std::ops::Range;

use crate::error::{Error, Result};

/// One of Keras's three clipping options, or none.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Clip {
    /// No clipping.
    #[default]
    None,
    /// `clipvalue`.
    Value(f32),
    /// `clipnorm`.
    Norm(f32),
    /// `global_clipnorm`.
    GlobalNorm(f32),
}

impl Clip {
    /// The threshold, positive and finite.
    pub fn validate(&self) -> Result<()> {
        let (name, c) = match *self {
            Clip::None => return Ok(()),
            Clip::Value(c) => ("clipvalue", c),
            Clip::Norm(c) => ("clipnorm", c),
            Clip::GlobalNorm(c) => ("global_clipnorm", c),
        };
        if !(c.is_finite() && c > 0.0) {
            return Err(Error::value(format!("{name} must be a positive finite number. Received: {name}={c}")));
        }
        Ok(())
    }

    /// Clip the gradients of the parameter ranges `ranges` of `grads` in place.
    pub fn apply(&self, grads: &mut [f32], ranges: &[Range<usize>]) {
        let norm = |g: &[f32]| g.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>();
        match *self {
            Clip::None => {}
            Clip::Value(c) => ranges.iter().for_each(|r| grads[r.clone()].iter_mut().for_each(|g| *g = g.clamp(-c, c))),
            Clip::Norm(c) => {
                for r in ranges {
                    let n = norm(&grads[r.clone()]).sqrt() as f32;
                    // A NaN norm makes every gradient NaN, as TensorFlow's clip_by_norm does.
                    if n > c || n.is_nan() {
                        let s = c / n;
                        grads[r.clone()].iter_mut().for_each(|g| *g *= s);
                    }
                }
            }
            Clip::GlobalNorm(c) => {
                let n = ranges.iter().map(|r| norm(&grads[r.clone()])).sum::<f64>().sqrt() as f32;
                // A NaN norm makes every gradient NaN, as TensorFlow's clip_by_norm does.
                if n > c || n.is_nan() {
                    let s = c / n;
                    ranges.iter().for_each(|r| grads[r.clone()].iter_mut().for_each(|g| *g *= s));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_clip_as_keras_defines_it() {
        let grads = [3.0f32, 4.0, 0.5, -2.0, 0.0];
        let ranges = [0..2, 2..4];
        let run = |c: Clip| {
            let mut g = grads;
            c.apply(&mut g, &ranges);
            g
        };
        assert_eq!(run(Clip::Value(1.0)), [1.0, 1.0, 0.5, -1.0, 0.0], "the last value is not a weight's");
        // ‖(3,4)‖ = 5 → scaled to 1; ‖(0.5,−2)‖ ≈ 2.06 > 1 → scaled too.
        let g = run(Clip::Norm(1.0));
        assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6);
        let n = (0.25f32 + 4.0).sqrt();
        assert!((g[2] - 0.5 / n).abs() < 1e-6 && (g[3] + 2.0 / n).abs() < 1e-6);
        assert_eq!(run(Clip::Norm(10.0)), grads, "under the threshold nothing changes");
        // The joint norm is √(9 + 16 + 0.25 + 4) = √29.25.
        let g = run(Clip::GlobalNorm(2.0));
        let s = 2.0 / 29.25f32.sqrt();
        for (a, b) in g[..4].iter().zip(&grads[..4]) {
            assert!((a - b * s).abs() < 1e-6);
        }
        assert!(Clip::Norm(0.0).validate().is_err() && Clip::Value(f32::NAN).validate().is_err());
    }
}
