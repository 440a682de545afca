//! LayerNormalization over each row's features: `x̂ = (x − mean)/√(var + ε)` with the row's mean and biased
//! variance (in f64, as BatchNormalization's), `y = γx̂ + β`; the same in training and inference (no moving
//! statistics). Backward recomputes each row's statistics from `x` (no cache), turns `dy` into
//! `dx = (γdy − mean(γdy) − x̂·mean(γdy·x̂))/√(var + ε)` in place and writes `dγ = Σ dy·x̂`, `dβ = Σ dy`.

use super::WeightId;

/// A LayerNormalization layer's weight ids (`gamma` then `beta`, Keras's order, each optional).
#[derive(Debug, Clone, Copy)]
pub struct Ids {
    pub gamma: Option<WeightId>,
    pub beta: Option<WeightId>,
}

impl Ids {
    /// The ids of a layer whose first weight is `first`.
    pub fn new(first: usize, center: bool, scale: bool) -> Self {
        let gamma = scale.then_some(WeightId(first));
        Ids { gamma, beta: center.then_some(WeightId(first + usize::from(scale))) }
    }
}

/// A row's mean and `1/√(var + ε)` (0 when the sum of squares passes float32's range).
fn row_stats(r: &[f32], epsilon: f32) -> (f64, f64) {
    let n = r.len().max(1) as f64;
    let mean = r.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let squares = r.iter().map(|&v| (f64::from(v) - mean).powi(2)).sum::<f64>();
    if (squares as f32).is_infinite() {
        // Past float32's range, where Keras's (and the GPU's) float32 sum is infinite and 1/√ of it is 0.
        return (mean, 0.0);
    }
    (mean, 1.0 / (squares / n + f64::from(epsilon)).sqrt())
}

/// `y = γ·x̂ + β` over rows of `w` features.
pub fn forward(gamma: Option<&[f32]>, beta: Option<&[f32]>, epsilon: f32, x: &[f32], y: &mut [f32], w: usize) {
    for (xr, yr) in x.chunks_exact(w).zip(y.chunks_exact_mut(w)) {
        let (mean, inv) = row_stats(xr, epsilon);
        for (j, (y, &x)) in yr.iter_mut().zip(xr).enumerate() {
            let xhat = ((f64::from(x) - mean) * inv) as f32;
            *y = xhat * gamma.map_or(1.0, |g| g[j]) + beta.map_or(0.0, |b| b[j]);
        }
    }
}

/// The gradients of `γ` and `β` (when given: the layer trains) from `g = dL/dy`, then `g` turned into `dL/dx`.
pub fn backward(
    gamma: Option<&[f32]>,
    epsilon: f32,
    x: &[f32],
    g: &mut [f32],
    w: usize,
    mut dgamma: Option<&mut [f32]>,
    mut dbeta: Option<&mut [f32]>,
) {
    dgamma.iter_mut().for_each(|d| d.fill(0.0));
    dbeta.iter_mut().for_each(|d| d.fill(0.0));
    for (xr, gr) in x.chunks_exact(w).zip(g.chunks_exact_mut(w)) {
        let (mean, inv) = row_stats(xr, epsilon);
        let xhat = |j: usize| (f64::from(xr[j]) - mean) * inv;
        let (mut sum_d, mut sum_dx) = (0.0f64, 0.0f64);
        for j in 0..w {
            let d = f64::from(gr[j]) * gamma.map_or(1.0, |g| f64::from(g[j]));
            sum_d += d;
            sum_dx += d * xhat(j);
            if let Some(dg) = dgamma.as_deref_mut() {
                dg[j] += (f64::from(gr[j]) * xhat(j)) as f32;
            }
            if let Some(db) = dbeta.as_deref_mut() {
                db[j] += gr[j];
            }
        }
        let (mean_d, mean_dx) = (sum_d / w as f64, sum_dx / w as f64);
        for j in 0..w {
            let d = f64::from(gr[j]) * gamma.map_or(1.0, |g| f64::from(g[j]));
            gr[j] = ((d - mean_d - xhat(j) * mean_dx) * inv) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::gradcheck::{assert_close, dot, numeric, values};
    use super::*;

    const EPS: f32 = 1e-3;

    #[test]
    fn backward_matches_finite_differences() {
        let (rows, w) = (5, 4);
        let x = values(rows * w, 21, 2.0);
        let gb: Vec<f32> = values(2 * w, 22, 0.5).iter().map(|v| v + 1.0).collect();
        let c = values(rows * w, 23, 1.0);
        for (center, scale) in [(true, true), (false, true), (true, false), (false, false)] {
            let run = |x: &[f32], gb: &[f32]| {
                let mut y = vec![0.0; x.len()];
                forward(scale.then_some(&gb[..w]), center.then_some(&gb[w..]), EPS, x, &mut y, w);
                dot(&c, &y)
            };
            let (mut g, mut dgamma, mut dbeta) = (c.clone(), vec![9.0; w], vec![9.0; w]);
            backward(scale.then_some(&gb[..w]), EPS, &x, &mut g, w, Some(&mut dgamma), Some(&mut dbeta));
            let what = format!("center={center} scale={scale}");
            assert_close(&g, &numeric(&|x| run(x, &gb), &x), &format!("{what}: dx"));
            let at_gb = numeric(&|gb| run(&x, gb), &gb);
            if scale {
                assert_close(&dgamma, &at_gb[..w], &format!("{what}: dgamma"));
            }
            if center {
                assert_close(&dbeta, &at_gb[w..], &format!("{what}: dbeta"));
            }
        }
    }

    #[test]
    fn rows_are_normalized_on_their_own() {
        let x = [1.0f32, 2.0, 3.0, 10.0, 10.0, 10.0];
        let mut y = [0.0; 6];
        forward(None, None, EPS, &x, &mut y, 3);
        let s = 1.0 / (2.0f32 / 3.0 + EPS).sqrt();
        assert!((y[0] + s).abs() < 1e-6 && y[1].abs() < 1e-6 && (y[2] - s).abs() < 1e-6, "{y:?}");
        assert_eq!(&y[3..], &[0.0, 0.0, 0.0], "a constant row is all zeros");
    }
}
