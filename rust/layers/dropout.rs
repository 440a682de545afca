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
    use super::super::check_gradients;
    use crate::activation::Activation;
    use crate::layer::LayerSpec;

    #[test]
    fn backward_matches_finite_differences() {
        // A tanh Dense after the dropout makes the masked values matter to the loss non-linearly.
        let dense = LayerSpec::Dense { units: 3, activation: Activation::Tanh, use_bias: true };
        for rate in [0.0, 0.3, 0.6] {
            let drop = LayerSpec::Dropout { rate, seed: Some(5) };
            check_gradients(&[6], vec![(drop, vec![0]), (dense.clone(), vec![1])], 8);
        }
    }
}
