//! Normalization with fixed statistics (adapted or given): `y = (x − m)/s`, or with `invert` `y = m + x·s`,
//! where `s = max(√v, 1e-7)`. The statistics are never trained, so the training forward pass is inference,
//! and backward is `dx = dy/s` (`dx = dy·s` with `invert`), with no weight gradients. The mean and variance
//! hold one value per feature, or one for all (Keras's `axis=None`).

use super::WeightId;

/// The floor of the scale (Keras's `backend.epsilon()`), so a zero variance scales by 1e7.
pub const FLOOR: f32 = 1e-7;

/// The layer's weights when it owns its statistics, in Keras's order (`mean`, `variance`, then `count`,
/// which nothing reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ids {
    /// The mean.
    pub mean: WeightId,
    /// The variance.
    pub variance: WeightId,
}

impl Ids {
    /// The ids of a Normalization layer whose first weight is `first`.
    pub fn new(first: usize) -> Self {
        Ids { mean: WeightId(first), variance: WeightId(first + 1) }
    }
}

/// The statistics a pass reads: one value per feature, or a single value for every feature.
#[derive(Debug, Clone, Copy)]
pub struct Stats<'a> {
    /// The mean.
    pub mean: &'a [f32],
    /// The variance.
    pub var: &'a [f32],
}

/// `max(√v, 1e-7)`, the scale for variance `v`: NaN for a negative or NaN variance, as Keras on TensorFlow
/// gives (its maximum keeps a NaN, where `f32::max` would return the floor).
pub fn scale(v: f32) -> f32 {
    let s = v.sqrt();
    if s.is_nan() {
        s
    } else {
        s.max(FLOOR)
    }
}

/// The statistics of column `j`.
fn at(s: &Stats<'_>, j: usize) -> (f32, f32) {
    let k = if s.mean.len() == 1 { 0 } else { j };
    (s.mean[k], s.var[k])
}

/// Inference (and the training forward pass): normalize, or with `invert` undo it.
pub fn forward(s: &Stats<'_>, invert: bool, x: &[f32], y: &mut [f32], w: usize) {
    for (xr, yr) in x.chunks_exact(w).zip(y.chunks_exact_mut(w)) {
        for j in 0..w {
            let (m, v) = at(s, j);
            yr[j] = if invert { m + xr[j] * scale(v) } else { (xr[j] - m) / scale(v) };
        }
    }
}

/// Turn `g = dL/dy` into `dL/dx` in place.
pub fn backward(s: &Stats<'_>, invert: bool, g: &mut [f32], w: usize) {
    for gr in g.chunks_exact_mut(w) {
        for (j, g) in gr.iter_mut().enumerate() {
            let sc = scale(at(s, j).1);
            *g = if invert { *g * sc } else { *g / sc };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::gradcheck::{assert_close, dot, numeric, values};
    use super::*;

    #[test]
    fn backward_matches_finite_differences() {
        let (rows, w) = (6, 3);
        let x = values(rows * w, 21, 2.0);
        let c = values(rows * w, 22, 1.0);
        let mean = values(w, 23, 1.0);
        let var: Vec<f32> = values(w, 24, 0.5).iter().map(|v| v + 0.7).collect();
        let per_feature = Stats { mean: &mean, var: &var };
        let scalar = Stats { mean: &mean[..1], var: &var[..1] };
        for (s, what) in [(per_feature, "per feature"), (scalar, "scalar")] {
            for invert in [false, true] {
                let run = |x: &[f32]| {
                    let mut y = vec![0.0; x.len()];
                    forward(&s, invert, x, &mut y, w);
                    y
                };
                let mut g = c.clone();
                backward(&s, invert, &mut g, w);
                assert_close(&g, &numeric(&|x| dot(&c, &run(x)), &x), &format!("{what}, invert={invert}"));
            }
        }
    }

    #[test]
    fn keras_goldens() {
        // KERAS_COMPAT_2 §20.1: X = [[1,10],[2,20],[3,30],[4,40]] adapts to mean [2.5, 25], var [1.25, 125].
        let s = Stats { mean: &[2.5, 25.0], var: &[1.25, 125.0] };
        let x = [1.0, 10.0, 4.0, 40.0];
        let mut y = [0.0; 4];
        forward(&s, false, &x, &mut y, 2);
        let want: [f64; 4] = [-1.341_640_9, -1.341_640_9, 1.341_640_9, 1.341_640_9];
        for (&got, want) in y.iter().zip(want) {
            assert!((f64::from(got) - want).abs() < 1e-6, "{y:?}");
        }
        // invert with mean 2.5, variance 1.25 on [-1, 0, 1] gives [1.381966, 2.5, 3.618034].
        let s = Stats { mean: &[2.5], var: &[1.25] };
        let mut y = [0.0; 3];
        forward(&s, true, &[-1.0, 0.0, 1.0], &mut y, 1);
        let want: [f64; 3] = [1.381_966, 2.5, 3.618_034];
        for (&got, want) in y.iter().zip(want) {
            assert!((f64::from(got) - want).abs() < 1e-6, "{y:?}");
        }
        // A zero variance scales by 1e7.
        let s = Stats { mean: &[0.0], var: &[0.0] };
        let mut y = [0.0; 1];
        forward(&s, false, &[1.0], &mut y, 1);
        assert_eq!(y[0], 1e7);
    }
}
