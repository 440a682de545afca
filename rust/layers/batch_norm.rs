//! BatchNormalization over the feature axis. Training: `x̂ = (x−μ)/√(σ²+ε)` with the batch's mean and biased
//! variance, `y = γx̂ + β`, and the moving statistics move towards the batch's (`m ← m·momentum +
//! μ·(1−momentum)`); backward `dx = (γ/√(σ²+ε))·(dy − mean(dy) − x̂·mean(dy·x̂))`, `dγ = Σ dy·x̂`, `dβ = Σ dy`.
//! Inference, and a frozen layer in training: `y = γ(x − m)/√(v+ε) + β` with the moving statistics.

use super::WeightId;

/// The layer's weights, in Keras's order: gamma and beta when it scales and centres, then the moving
/// statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ids {
    /// `scale=True`.
    pub gamma: Option<WeightId>,
    /// `center=True`.
    pub beta: Option<WeightId>,
    /// The moving mean.
    pub moving_mean: WeightId,
    /// The moving variance.
    pub moving_variance: WeightId,
}

impl Ids {
    /// The ids of a BatchNormalization layer whose first weight is `first`.
    pub fn new(first: usize, center: bool, scale: bool) -> Self {
        let gamma = scale.then_some(WeightId(first));
        let beta = center.then_some(WeightId(first + usize::from(scale)));
        let stats = first + usize::from(scale) + usize::from(center);
        Ids { gamma, beta, moving_mean: WeightId(stats), moving_variance: WeightId(stats + 1) }
    }
}

/// The values a pass reads: (gamma, beta, moving mean, moving variance).
pub struct Params<'a> {
    /// γ, when the layer scales.
    pub gamma: Option<&'a [f32]>,
    /// β, when it centres.
    pub beta: Option<&'a [f32]>,
    /// The moving mean.
    pub mean: &'a [f32],
    /// The moving variance.
    pub var: &'a [f32],
}

/// Per-batch buffers of a training pass.
#[derive(Debug, Clone, Default)]
pub struct Cache {
    /// `x̂`, rows × width.
    pub xhat: crate::lines::Lines,
    /// `1/√(σ²+ε)` per column.
    pub inv_std: Vec<f32>,
    /// The batch mean per column; reused by backward for `Σ dy`.
    pub mean: Vec<f64>,
    /// The batch variance per column; reused by backward for `Σ dy·x̂`.
    pub var: Vec<f64>,
}

impl Cache {
    /// Buffers for `cap` rows of `width` features.
    pub fn new(xhat: crate::lines::Lines, width: usize) -> Self {
        Cache { xhat, inv_std: vec![0.0; width], mean: vec![0.0; width], var: vec![0.0; width] }
    }
}

/// Inference: normalize with the moving statistics.
pub fn forward(p: &Params<'_>, epsilon: f32, x: &[f32], y: &mut [f32], w: usize) {
    for (xr, yr) in x.chunks_exact(w).zip(y.chunks_exact_mut(w)) {
        for j in 0..w {
            let g = p.gamma.map_or(1.0, |g| g[j]);
            let b = p.beta.map_or(0.0, |b| b[j]);
            yr[j] = (xr[j] - p.mean[j]) / (p.var[j] + epsilon).sqrt() * g + b;
        }
    }
}

/// The training forward pass with batch statistics, which stay in `c` for `update_moving` and backward.
pub fn forward_train(p: &Params<'_>, epsilon: f32, x: &[f32], y: &mut [f32], w: usize, c: &mut Cache) {
    let rows = x.len() / w.max(1);
    batch_moments(x, w, &mut c.mean, &mut c.var);
    for j in 0..w {
        c.inv_std[j] = 1.0 / (c.var[j] as f32 + epsilon).sqrt();
    }
    let xhat = &mut c.xhat[..rows * w];
    for ((xr, hr), yr) in x.chunks_exact(w).zip(xhat.chunks_exact_mut(w)).zip(y.chunks_exact_mut(w)) {
        for j in 0..w {
            hr[j] = (xr[j] - c.mean[j] as f32) * c.inv_std[j];
            yr[j] = hr[j] * p.gamma.map_or(1.0, |g| g[j]) + p.beta.map_or(0.0, |b| b[j]);
        }
    }
}

/// Move the moving statistics towards the batch's (after `forward_train`).
pub fn update_moving(c: &Cache, momentum: f64, moving_mean: &mut [f32], moving_var: &mut [f32]) {
    // Keras's `moving * self.momentum + batch * (1.0 - self.momentum)`: the complement from the Python float.
    let (keep, take) = crate::optimizer::rate_and_complement(momentum);
    for (mm, &m) in moving_mean.iter_mut().zip(&c.mean) {
        *mm = *mm * keep + m as f32 * take;
    }
    for (mv, &v) in moving_var.iter_mut().zip(&c.var) {
        *mv = *mv * keep + v as f32 * take;
    }
}

/// Backward of a frozen layer (an affine map with the moving statistics), in place on `g`.
pub fn backward_frozen(p: &Params<'_>, epsilon: f32, g: &mut [f32], w: usize) {
    for gr in g.chunks_exact_mut(w) {
        for j in 0..w {
            gr[j] *= p.gamma.map_or(1.0, |g| g[j]) / (p.var[j] + epsilon).sqrt();
        }
    }
}

/// Backward of a training pass, in place on `g`; `dgamma`/`dbeta` (when given) are overwritten.
pub fn backward(
    gamma: Option<&[f32]>,
    c: &mut Cache,
    g: &mut [f32],
    w: usize,
    dgamma: Option<&mut [f32]>,
    dbeta: Option<&mut [f32]>,
) {
    let rows = g.len() / w.max(1);
    let xhat = &c.xhat[..rows * w];
    // The forward pass's moment buffers are free again: they hold the two column sums.
    let (sum_g, sum_gx) = (&mut c.mean, &mut c.var);
    sum_g.fill(0.0);
    sum_gx.fill(0.0);
    for (gr, hr) in g.chunks_exact(w).zip(xhat.chunks_exact(w)) {
        for j in 0..w {
            sum_g[j] += gr[j] as f64;
            sum_gx[j] += (gr[j] * hr[j]) as f64;
        }
    }
    if let Some(d) = dgamma {
        d.iter_mut().zip(sum_gx.iter()).for_each(|(d, &s)| *d = s as f32);
    }
    if let Some(d) = dbeta {
        d.iter_mut().zip(sum_g.iter()).for_each(|(d, &s)| *d = s as f32);
    }
    let m = rows as f64;
    for (gr, hr) in g.chunks_exact_mut(w).zip(xhat.chunks_exact(w)) {
        for j in 0..w {
            let scale = gamma.map_or(1.0, |g| g[j]) * c.inv_std[j];
            let mean_g = (sum_g[j] / m) as f32;
            let mean_gx = (sum_gx[j] / m) as f32;
            gr[j] = scale * (gr[j] - mean_g - hr[j] * mean_gx);
        }
    }
}

/// Mean and biased variance of each column, in f64.
fn batch_moments(x: &[f32], w: usize, mean: &mut [f64], var: &mut [f64]) {
    mean.fill(0.0);
    var.fill(0.0);
    let rows = (x.len() / w).max(1) as f64;
    for r in x.chunks_exact(w) {
        for j in 0..w {
            mean[j] += r[j] as f64;
        }
    }
    mean.iter_mut().for_each(|m| *m /= rows);
    for r in x.chunks_exact(w) {
        for j in 0..w {
            let d = r[j] as f64 - mean[j];
            var[j] += d * d;
        }
    }
    var.iter_mut().for_each(|v| *v /= rows);
}

#[cfg(test)]
mod tests {
    use super::super::gradcheck::{assert_close, dot, numeric, values};
    use super::*;

    const EPS: f32 = 1e-3;

    /// Training-mode output for inputs `x` and (gamma, beta) `gb` (each `w` wide).
    fn run(x: &[f32], gb: &[f32], w: usize, (center, scale): (bool, bool)) -> (Vec<f32>, Cache) {
        let (zeros, ones) = (vec![0.0; w], vec![1.0; w]);
        let p = Params { gamma: scale.then_some(&gb[..w]), beta: center.then_some(&gb[w..]), mean: &zeros, var: &ones };
        let mut c = Cache::new(crate::lines::Lines::zeros(x.len(), "a test buffer").unwrap_or_default(), w);
        let mut y = vec![0.0; x.len()];
        forward_train(&p, EPS, x, &mut y, w, &mut c);
        (y, c)
    }

    #[test]
    fn backward_matches_finite_differences() {
        let (rows, w) = (7, 3);
        let x = values(rows * w, 12, 2.0);
        let gb: Vec<f32> = values(2 * w, 13, 0.5).iter().map(|v| v + 1.0).collect();
        let c = values(rows * w, 14, 1.0);
        for flags in [(true, true), (false, true), (true, false), (false, false)] {
            let (_, mut cache) = run(&x, &gb, w, flags);
            let mut g = c.clone();
            let (mut dgamma, mut dbeta) = (vec![0.0; w], vec![0.0; w]);
            let (center, scale) = flags;
            let gamma = scale.then_some(&gb[..w]);
            backward(gamma, &mut cache, &mut g, w, Some(&mut dgamma), Some(&mut dbeta));
            let what = format!("center={center} scale={scale}");
            assert_close(&g, &numeric(&|x| dot(&c, &run(x, &gb, w, flags).0), &x), &format!("{what}: dx"));
            let at_gb = numeric(&|gb| dot(&c, &run(&x, gb, w, flags).0), &gb);
            if scale {
                assert_close(&dgamma, &at_gb[..w], &format!("{what}: dgamma"));
            }
            if center {
                assert_close(&dbeta, &at_gb[w..], &format!("{what}: dbeta"));
            }
        }
    }

    #[test]
    fn frozen_backward_matches_finite_differences() {
        let (rows, w) = (5, 4);
        let x = values(rows * w, 15, 2.0);
        let (gamma, beta) = (values(w, 16, 1.0), values(w, 17, 1.0));
        let mean = values(w, 18, 0.5);
        let var: Vec<f32> = values(w, 19, 0.5).iter().map(|v| v + 1.0).collect();
        let p = Params { gamma: Some(&gamma), beta: Some(&beta), mean: &mean, var: &var };
        let c = values(rows * w, 20, 1.0);
        let run = |x: &[f32]| {
            let mut y = vec![0.0; x.len()];
            forward(&p, EPS, x, &mut y, w);
            y
        };
        let mut g = c.clone();
        backward_frozen(&p, EPS, &mut g, w);
        assert_close(&g, &numeric(&|x| dot(&c, &run(x)), &x), "frozen dx");
    }
}
