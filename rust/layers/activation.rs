//! Activation: `y = f(x)`, element-wise (softmax row-wise); backward `dx = dy·f'(x)`, in place on `dy`.

use crate::activation::Activation;

/// `y = f(x)` (inference and training alike).
pub fn forward(a: Activation, x: &[f32], y: &mut [f32], width: usize) {
    a.forward(x, y, width);
}

/// Turn `g = dL/dy` into `dL/dx` in place.
pub fn backward(a: Activation, x: &[f32], y: &[f32], g: &mut [f32], width: usize) {
    a.backward_inplace(x, y, g, width);
}

#[cfg(test)]
mod tests {
    use super::super::check_gradients;
    use crate::activation::Activation;
    use crate::layer::LayerSpec;

    #[test]
    fn backward_matches_finite_differences() {
        let smooth = [
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Softmax,
            Activation::Silu,
            Activation::Gelu { approximate: false },
            Activation::Softplus,
            Activation::Elu { alpha: 0.7 },
            Activation::Exponential,
        ];
        for a in smooth {
            check_gradients(&[4], vec![(LayerSpec::Activation(a), vec![0])], 5);
        }
    }
}
