//! Finite differences for the layers' backward tests: `L = Σ c·y` for random `c`, its gradient by central
//! differences (in f64, step `H`), compared with what a backward pass computed.

use crate::rng::Rng;

/// The finite-difference step.
const H: f32 = 1e-3;

/// `n` values drawn uniformly from `[-scale, scale)`.
pub fn values(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut v = vec![0.0; n];
    Rng::new(seed, 0).fill_uniform(&mut v, scale);
    v
}

/// `Σ c·y` in f64.
pub fn dot(c: &[f32], y: &[f32]) -> f64 {
    c.iter().zip(y).map(|(&a, &b)| f64::from(a) * f64::from(b)).sum()
}

/// The gradient of `f` at `at` by central differences.
pub fn numeric(f: &dyn Fn(&[f32]) -> f64, at: &[f32]) -> Vec<f64> {
    let mut p = at.to_vec();
    (0..p.len())
        .map(|i| {
            let v = p[i];
            p[i] = v + H;
            let up = f(&p);
            p[i] = v - H;
            let down = f(&p);
            p[i] = v;
            (up - down) / (2.0 * f64::from(H))
        })
        .collect()
}

/// Assert that `analytic` matches `numeric` to 5e-3 absolute plus 5e-3 relative.
pub fn assert_close(analytic: &[f32], numeric: &[f64], what: &str) {
    assert_eq!(analytic.len(), numeric.len(), "{what}: lengths");
    assert!(!analytic.is_empty(), "{what}: nothing to check");
    for (i, (&a, &n)) in analytic.iter().zip(numeric).enumerate() {
        let a = f64::from(a);
        assert!((n - a).abs() <= 5e-3 + 5e-3 * a.abs(), "{what}[{i}]: backward gives {a}, finite differences {n}");
    }
}
