//! Activation: `y = f(x)`, element-wise (softmax and log_softmax row-wise); backward `dx = dy·f'(x)`, in place on `dy`.

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
    use super::super::gradcheck::{assert_close, dot, numeric, values};
    use super::*;

    #[test]
    fn backward_matches_finite_differences() {
        let every = [
            Activation::Linear,
            Activation::Relu,
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Elu { alpha: 0.7 },
            Activation::Selu,
            Activation::Silu,
            Activation::Gelu { approximate: false },
            Activation::Gelu { approximate: true },
            Activation::Softplus,
            Activation::Softsign,
            Activation::LeakyRelu { negative_slope: 0.2 },
            Activation::Relu6,
            Activation::HardSigmoid,
            Activation::Exponential,
            Activation::Softmax,
            Activation::ReluCustom { negative_slope: 0.1, max_value: 2.5, threshold: 0.5 },
            Activation::ReluCustom { negative_slope: 0.0, max_value: 4.0, threshold: 1.0 },
            Activation::HardTanh,
            Activation::HardShrink { threshold: 0.5 },
            Activation::SoftShrink { threshold: 1.5 },
            Activation::TanhShrink,
            Activation::LogSigmoid,
            Activation::SparsePlus,
            Activation::Squareplus { b: 4.0 },
            Activation::SparseSigmoid,
            Activation::Threshold { threshold: 0.3, default_value: -2.0 },
            Activation::LogSoftmax,
        ];
        let (rows, width) = (4, 5);
        // Values up to ±7 reach relu6's and hard_sigmoid's flat parts.
        let x = values(rows * width, 8, 7.0);
        let c = values(rows * width, 9, 1.0);
        for a in every {
            let run = |x: &[f32]| {
                let mut y = vec![0.0; x.len()];
                forward(a, x, &mut y, width);
                y
            };
            let y = run(&x);
            let mut g = c.clone();
            backward(a, &x, &y, &mut g, width);
            assert_close(&g, &numeric(&|x| dot(&c, &run(x)), &x), &format!("{a:?}"));
        }
    }
}
