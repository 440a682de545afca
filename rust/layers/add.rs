//! Add: `y = Σ_k x_k` over inputs of one width. Backward hands every input `dy`.

/// Add input `x` into `y`; the first input (`first`) is written, the others added, so `y = Σ inputs`.
pub fn forward(x: &[f32], y: &mut [f32], first: bool) {
    super::store(y, x, !first);
}

/// Every input's gradient is `dy`: write it into (or with `accumulate`, add it to) `dx`.
pub fn backward(g: &[f32], dx: &mut [f32], accumulate: bool) {
    super::store(dx, g, accumulate);
}

#[cfg(test)]
mod tests {
    use super::super::check_gradients;
    use crate::activation::Activation;
    use crate::layer::LayerSpec;

    #[test]
    fn backward_matches_finite_differences() {
        // A residual block: y = Dense(x) + x, then a Dense on top.
        let inner = LayerSpec::Dense { units: 4, activation: Activation::Tanh, use_bias: true };
        let top = LayerSpec::Dense { units: 2, activation: Activation::Sigmoid, use_bias: true };
        check_gradients(&[4], vec![(inner, vec![0]), (LayerSpec::Add, vec![1, 0]), (top, vec![2])], 5);
    }

    #[test]
    fn three_inputs() {
        let d = |u| LayerSpec::Dense { units: u, activation: Activation::Tanh, use_bias: true };
        check_gradients(&[3, 3], vec![(d(3), vec![0]), (LayerSpec::Add, vec![0, 1, 2]), (d(1), vec![3])], 4);
    }
}
