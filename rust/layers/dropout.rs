//! Dropout and Keras's two Gaussian noise layers, identity in inference; while training, per value:
//! - Dropout: `y = x·m` with `m` 0 (probability `rate`) or `1/(1−rate)`;
//! - GaussianDropout: `y = x·m` with `m ~ N(1, rate/(1−rate))`;
//! - GaussianNoise: `y = x + m` with `m ~ N(0, stddev²)` (the layer's `rate` field holds the stddev).
//!
//! Backward `dx = dy·m` in place on `dy` for the two products; the additive noise passes `dy` through.
//!
//! A step of `fit` draws its uniform numbers as counter-based hashes of (the layer's seed, the optimizer's step
//! count, the value's index in the batch), the GPU's kernel (gpu/shaders/dropout.wgsl) as well, so both devices
//! drop the same values; `model(x, training=True)` draws from the layer's generator, which each call advances.

use crate::rng::Rng;

/// Where a training pass's uniform draws come from.
pub enum Draws<'a> {
    /// The layer's generator, advanced by each draw.
    Rng(&'a mut Rng),
    /// Hashes of the layer's seed (`seed_of`), the optimizer's step count and each value's index.
    Step { seed: u32, step: u32 },
}

/// The 32-bit seed of a layer's hashed draws, from its 64-bit seed (SplitMix64's finaliser).
pub fn seed_of(mut z: u64) -> u32 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as u32
}

/// A PCG-style integer hash (Jarzynski & Olano, "Hash Functions for GPU Rendering", 2020), as the kernel's.
fn pcg(v: u32) -> u32 {
    let s = v.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let w = ((s >> ((s >> 28) + 4)) ^ s).wrapping_mul(277_803_737);
    (w >> 22) ^ w
}

/// The top 24 bits of `h` as a uniform f32 in [0, 1).
fn unit(h: u32) -> f32 {
    (h >> 8) as f32 * (1.0 / 16_777_216.0)
}

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

/// A standard normal draw from two uniform draws in [0, 1) (Box–Muller; `1 − u` is in (0, 1]).
fn normal(u: f32, u2: f32) -> f32 {
    (-2.0 * (1.0 - u).ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
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
pub fn forward_train(noise: Noise, rate: f32, draws: Draws<'_>, x: &[f32], mask: &mut [f32], y: &mut [f32]) {
    match draws {
        Draws::Rng(rng) => fill(noise, rate, x, mask, y, |_, two| {
            let u = rng.next_f32();
            (u, if two { rng.next_f32() } else { 0.0 })
        }),
        Draws::Step { seed, step } => {
            let base = pcg(seed ^ pcg(step));
            fill(noise, rate, x, mask, y, |i, two| {
                let h = pcg(i as u32 ^ base);
                (unit(h), if two { unit(pcg(h ^ 0x9E37_79B9)) } else { 0.0 })
            })
        }
    }
}

/// `forward_train` with value `i`'s uniform draws from `uniform(i, two)` (the second only when `two`), called
/// only when `rate` is positive.
fn fill(
    noise: Noise,
    rate: f32,
    x: &[f32],
    mask: &mut [f32],
    y: &mut [f32],
    mut uniform: impl FnMut(usize, bool) -> (f32, f32),
) {
    let (keep, s, two) = (keep_scale(rate), noise.stddev(rate), noise != Noise::Bernoulli);
    for (i, ((m, y), &x)) in mask.iter_mut().zip(y.iter_mut()).zip(x).enumerate() {
        let (u, u2) = if rate > 0.0 { uniform(i, two) } else { (1.0, 0.0) };
        *m = match noise {
            Noise::Bernoulli if u < rate => 0.0,
            Noise::Bernoulli => keep,
            Noise::Multiplicative if rate > 0.0 => 1.0 + s * normal(u, u2),
            Noise::Multiplicative => 1.0,
            Noise::Additive if rate > 0.0 => s * normal(u, u2),
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
                    forward_train(noise, rate, Draws::Rng(&mut Rng::new(5, 3)), x, &mut mask, &mut y);
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
            forward_train(noise, rate, Draws::Rng(&mut Rng::new(7, 1)), &x, &mut mask, &mut y);
            let m = y.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
            let var = y.iter().map(|&v| (f64::from(v) - m).powi(2)).sum::<f64>() / n as f64;
            assert!((m - mean).abs() < 0.01 && (var.sqrt() - sd).abs() < 0.01, "{noise:?}: {m} {}", var.sqrt());
        }
    }
}
