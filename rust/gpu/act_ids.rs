//! The activation kernels' view of an activation (see shaders/common.wgsl): its id (the `ACT` override), its
//! parameter, and the activation kernels' two further parameters.

use crate::activation::Activation;

/// The kernels' id and parameter of an activation (see shaders/common.wgsl).
pub(crate) fn act_id(a: Activation) -> (u32, f32) {
    match a {
        Activation::Linear => (0, 0.0),
        Activation::Relu => (1, 0.0),
        Activation::Sigmoid => (2, 0.0),
        Activation::Tanh => (3, 0.0),
        Activation::Elu { alpha } => (4, alpha),
        Activation::Selu => (5, 0.0),
        Activation::Silu => (6, 0.0),
        Activation::Gelu { approximate: false } => (7, 0.0),
        Activation::Gelu { approximate: true } => (8, 0.0),
        Activation::Softplus => (9, 0.0),
        Activation::Softsign => (10, 0.0),
        Activation::LeakyRelu { negative_slope } => (11, negative_slope),
        Activation::Relu6 => (12, 0.0),
        Activation::HardSigmoid => (13, 0.0),
        Activation::Exponential => (14, 0.0),
        Activation::Softmax => (15, 0.0),
        Activation::ReluCustom { negative_slope, .. } => (16, negative_slope),
        Activation::Mish => (17, 0.0),
        Activation::Celu { alpha } => (18, alpha),
        Activation::HardSilu => (19, 0.0),
        Activation::HardTanh => (20, 0.0),
        Activation::HardShrink { threshold } => (21, threshold),
        Activation::SoftShrink { threshold } => (22, threshold),
        Activation::TanhShrink => (23, 0.0),
        Activation::LogSigmoid => (24, 0.0),
        Activation::SparsePlus => (25, 0.0),
        Activation::Squareplus { b } => (26, b),
        Activation::SparseSigmoid => (27, 0.0),
        Activation::Threshold { threshold, .. } => (28, threshold),
        Activation::LogSoftmax => (29, 0.0),
    }
}

/// The activation kernels' second and third parameters: the cap and threshold of Keras's general relu (id 16),
/// threshold's default value (id 28).
pub(crate) fn act_bounds(a: Activation) -> (f32, f32) {
    match a {
        Activation::ReluCustom { max_value, threshold, .. } => (max_value, threshold),
        Activation::Threshold { default_value, .. } => (default_value, 0.0),
        _ => (0.0, 0.0),
    }
}

/// Whether a product's epilogue can apply `a` (`act_f`/`act_b` of one value and one parameter): not softmax or
/// log_softmax, which look across a row, nor the activations with more parameters, which the activation
/// kernels apply after the product.
pub(crate) fn in_epilogue(a: Activation) -> bool {
    !a.row_wise() && !matches!(a, Activation::ReluCustom { .. } | Activation::Threshold { .. })
}
