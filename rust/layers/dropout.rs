//! Dropout: while training `y = x·m` with `m` 0 (probability `rate`) or `1/(1−rate)`, drawn per value;
//! identity in inference. Backward `dx = dy·m`, in place on `dy`.

use crate::rng::Rng;

/// The scale of a kept value.
pub fn keep_scale(rate: f32) -> f32 {
    if rate >= 1.0 {
        0.0
    } else {
        1.0 / (1.0 - rate)
    }
}

/// The training forward pass: draw `mask` and write `y = x·mask`.
pub fn forward_train(rate: f32, rng: &mut Rng, x: &[f32], mask: &mut [f32], y: &mut [f32]) {
    let keep = keep_scale(rate);
    for ((m, y), &x) in mask.iter_mut().zip(y.iter_mut()).zip(x) {
        *m = if rate > 0.0 && rng.next_f32() < rate { 0.0 } else { keep };
        *y = x * *m;
    }
}

/// Turn `g = dL/dy` into `dL/dx` in place.
pub fn backward(mask: &[f32], g: &mut [f32]) {
    g.iter_mut().zip(mask).for_each(|(g, m)| *g *= m);
}

#[cfg(test)]
mod tests {
    use super::super::gradcheck::{assert_close, dot, numeric, values};
    use super::*;

    #[test]
    fn backward_matches_finite_differences() {
        let n = 40;
        let (x, c) = (values(n, 10, 1.0), values(n, 11, 1.0));
        for rate in [0.0, 0.3, 0.6, 1.0] {
            // The same generator state for every evaluation: the same mask.
            let run = |x: &[f32]| {
                let (mut mask, mut y) = (vec![0.0; n], vec![0.0; n]);
                forward_train(rate, &mut Rng::new(5, 3), x, &mut mask, &mut y);
                (mask, y)
            };
            let (mask, _) = run(&x);
            if rate > 0.0 && rate < 1.0 {
                assert!(mask.contains(&0.0) && mask.contains(&keep_scale(rate)), "rate {rate}: {mask:?}");
            }
            let mut g = c.clone();
            backward(&mask, &mut g);
            assert_close(&g, &numeric(&|x| dot(&c, &run(x).1), &x), &format!("rate {rate}"));
        }
    }
}
