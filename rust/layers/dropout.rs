//! Dropout and Keras's two Gaussian noise layers, identity in inference; while training, per value:
//! - Dropout: `y = x·m` with `m` 0 (probability `rate`) or `1/(1−rate)`;
//! - GaussianDropout: `y = x·m` with `m ~ N(1, rate/(1−rate))`;
//! - GaussianNoise: `y = x + m` with `m ~ N(0, stddev²)` (the layer's `rate` field holds the stddev).
//!
//! Backward `dx = dy·m` in place on `dy` for the two products; the additive noise passes `dy` through.

use crate::rng::Rng;

/// What a dropout-like layer draws while training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noise {
    /// Keras's Dropout: keep or drop.
    Bernoulli,
    /// GaussianDropout: times a normal draw of mean 1.
    Multiplicative,
    /// GaussianNoise: plus a normal draw of mean 0.
    Additive,
}

impl Noise {
    /// Keras's class name for the layer.
    pub fn class_name(self) -> &'static str {
        match self {
            Noise::Bernoulli => "Dropout",
            Noise::Multiplicative => "GaussianDropout",
            Noise::Additive => "GaussianNoise",
        }
    }

    /// The id the GPU kernel takes (its NOISE override).
    pub fn id(self) -> u32 {
        self as u32
    }

    /// The standard deviation of the normal draw (unused by Bernoulli): GaussianDropout's `√(rate/(1−rate))`,
    /// GaussianNoise's `stddev` as given.
    pub fn stddev(self, rate: f32) -> f32 {
        match self {
            Noise::Multiplicative => (rate / (1.0 - rate)).sqrt(),
            _ => rate,
        }
    }
}

/// A standard normal draw (Box–Muller on two uniform draws).
fn normal(rng: &mut Rng) -> f32 {
    let (u1, u2) = (1.0 - rng.next_f32(), rng.next_f32()); // u1 in (0, 1]
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

/// The scale of a kept value.
pub fn keep_scale(rate: f32) -> f32 {
    if rate >= 1.0 {
        0.0
    } else {
        1.0 / (1.0 - rate)
    }
}

/// The training forward pass: draw `mask` and write `y = x·mask` (`x + mask` for additive noise).
pub fn forward_train(noise: Noise, rate: f32, rng: &mut Rng, x: &[f32], mask: &mut [f32], y: &mut [f32]) {
    let (keep, s) = (keep_scale(rate), noise.stddev(rate));
    for ((m, y), &x) in mask.iter_mut().zip(y.iter_mut()).zip(x) {
        *m = match noise {
            Noise::Bernoulli if rate > 0.0 && rng.next_f32() < rate => 0.0,
            Noise::Bernoulli => keep,
            Noise::Multiplicative if rate > 0.0 => 1.0 + s * normal(rng),
            Noise::Multiplicative => 1.0,
            Noise::Additive if rate > 0.0 => s * normal(rng),
            Noise::Additive => 0.0,
        };
        *y = if noise == Noise::Additive { x + *m } else { x * *m };
    }
}

/// Turn `g = dL/dy` into `dL/dx` in place (nothing to do for additive noise).
pub fn backward(noise: Noise, mask: &[f32], g: &mut [f32]) {
    if noise != Noise::Additive {
        g.iter_mut().zip(mask).for_each(|(g, m)| *g *= m);
    }
}

#[cfg(test)]
mod tests {
    use super::super::gradcheck::{assert_close, dot, numeric, values};
    use super::*;

    #[test]
    fn backward_matches_finite_differences() {
        let n = 40;
        let (x, c) = (values(n, 10, 1.0), values(n, 11, 1.0));
        for noise in [Noise::Bernoulli, Noise::Multiplicative, Noise::Additive] {
            for rate in [0.0, 0.3, 0.6, 1.0].into_iter().filter(|&r| r < 1.0 || noise == Noise::Bernoulli) {
                // The same generator state for every evaluation: the same mask.
                let run = |x: &[f32]| {
                    let (mut mask, mut y) = (vec![0.0; n], vec![0.0; n]);
                    forward_train(noise, rate, &mut Rng::new(5, 3), x, &mut mask, &mut y);
                    (mask, y)
                };
                let (mask, _) = run(&x);
                if noise == Noise::Bernoulli && rate > 0.0 && rate < 1.0 {
                    assert!(mask.contains(&0.0) && mask.contains(&keep_scale(rate)), "rate {rate}: {mask:?}");
                }
                let mut g = c.clone();
                backward(noise, &mask, &mut g);
                let what = format!("{noise:?} rate {rate}");
                assert_close(&g, &numeric(&|x| dot(&c, &run(x).1), &x), &what);
            }
        }
    }

    #[test]
    fn gaussian_draws_have_their_mean_and_deviation() {
        let n = 200_000;
        let (x, mut mask, mut y) = (vec![2.0f32; n], vec![0.0; n], vec![0.0; n]);
        for (noise, rate, mean, sd) in [(Noise::Multiplicative, 0.2, 2.0, 2.0 * 0.5), (Noise::Additive, 0.3, 2.0, 0.3)]
        {
            forward_train(noise, rate, &mut Rng::new(7, 1), &x, &mut mask, &mut y);
            let m = y.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
            let var = y.iter().map(|&v| (f64::from(v) - m).powi(2)).sum::<f64>() / n as f64;
            assert!((m - mean).abs() < 0.01 && (var.sqrt() - sd).abs() < 0.01, "{noise:?}: {m} {}", var.sqrt());
        }
    }
}
