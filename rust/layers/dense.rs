//! Dense: `z = x·W + b`, `y = f(z)`. Backward: `dz = dy·f'(z)`, `dW = xᵀ·dz`, `db = Σ_rows dz`, `dx = dz·Wᵀ`.
//!
//! The bias is written first and the product accumulated onto it; relu (and, in the backward product, the
//! relu derivative of the layer below) is applied as the product's tiles are stored.

use crate::activation::Activation;
use crate::error::Result;
use crate::matmul::{matmul, matmul_fused, Epilogue, Layout};

use super::WeightId;

/// Rows up to which the row-by-row (GEMV) path is used instead of the blocked GEMM.
pub const GEMV_MAX_ROWS: usize = 4;

/// The layer's weights: the kernel, then the bias when it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ids {
    /// `(in, units)`.
    pub kernel: WeightId,
    /// `(units,)`.
    pub bias: Option<WeightId>,
}

impl Ids {
    /// The ids of a Dense layer whose first weight is `first`.
    pub fn new(first: usize, use_bias: bool) -> Self {
        Ids { kernel: WeightId(first), bias: use_bias.then_some(WeightId(first + 1)) }
    }
}

/// `y = act(x·W + b)` for `rows` rows (inference, and the training forward pass when `z` is not kept).
#[allow(clippy::too_many_arguments)]
pub fn forward(
    x: &[f32],
    rows: usize,
    (input, output): (usize, usize),
    kernel: &[f32],
    bias: Option<&[f32]>,
    activation: Activation,
    y: &mut [f32],
    parallel: bool,
) -> Result<()> {
    let y = &mut y[..rows * output];
    if rows <= GEMV_MAX_ROWS {
        match bias {
            Some(b) => y.chunks_exact_mut(output).for_each(|r| r.copy_from_slice(b)),
            None => y.fill(0.0),
        }
        for (xr, yr) in x.chunks_exact(input).zip(y.chunks_exact_mut(output)) {
            if parallel {
                crate::gemv::accumulate_row_split(yr, xr, kernel);
            } else {
                crate::gemv::accumulate_row(yr, xr, kernel);
            }
        }
        activation.forward_inplace(y, output);
        return Ok(());
    }
    let relu = activation == Activation::Relu;
    let epi = Epilogue { bias, relu, mask: None };
    matmul_fused(y, x, Layout::Plain, kernel, Layout::Plain, (rows, input, output), false, parallel, epi)?;
    if !relu {
        activation.forward_inplace(y, output);
    }
    Ok(())
}

/// The training forward pass: like `forward`, and when `z` is given the pre-activation is kept there.
#[allow(clippy::too_many_arguments)]
pub fn forward_train(
    x: &[f32],
    rows: usize,
    shape: (usize, usize),
    kernel: &[f32],
    bias: Option<&[f32]>,
    activation: Activation,
    z: Option<&mut [f32]>,
    y: &mut [f32],
    parallel: bool,
) -> Result<()> {
    match z {
        Some(z) => {
            let z = &mut z[..rows * shape.1];
            forward(x, rows, shape, kernel, bias, Activation::Linear, z, parallel)?;
            activation.forward(z, &mut y[..rows * shape.1], shape.1);
            Ok(())
        }
        None => forward(x, rows, shape, kernel, bias, activation, y, parallel),
    }
}

/// Where the input gradient goes.
pub struct InputGrad<'a> {
    /// `rows × in`.
    pub dx: &'a mut [f32],
    /// Add to `dx` instead of overwriting it (the input feeds several layers).
    pub accumulate: bool,
    /// The layer below's relu output (our input): its derivative is applied as `dx` is stored.
    pub relu_below: Option<&'a [f32]>,
}

/// The backward pass. `g` holds `dL/dy` (or `dL/dz` when `apply_activation` is false) and is turned into
/// `dL/dz` in place; `dkernel` and `dbias` (when the layer is trainable) are overwritten; `dx` when the
/// input needs a gradient.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    x: &[f32],
    z: &[f32],
    y: &[f32],
    g: &mut [f32],
    rows: usize,
    (input, output): (usize, usize),
    activation: Activation,
    apply_activation: bool,
    kernel: &[f32],
    params: Option<(&mut [f32], Option<&mut [f32]>)>,
    dx: Option<InputGrad<'_>>,
    parallel: bool,
) -> Result<()> {
    if apply_activation {
        activation.backward_inplace(z, y, g, output);
    }
    if let Some((dw, db)) = params {
        matmul(dw, x, Layout::Transposed, g, Layout::Plain, input, rows, output, false, parallel)?;
        if let Some(db) = db {
            db.fill(0.0);
            for gr in g.chunks_exact(output) {
                db.iter_mut().zip(gr).for_each(|(d, &v)| *d += v);
            }
        }
    }
    if let Some(InputGrad { dx, accumulate, relu_below }) = dx {
        let epi = Epilogue { mask: relu_below, ..Epilogue::default() };
        let shape = (rows, output, input);
        matmul_fused(dx, g, Layout::Plain, kernel, Layout::Transposed, shape, accumulate, parallel, epi)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::check_gradients;
    use crate::activation::Activation;
    use crate::layer::LayerSpec;

    #[test]
    fn backward_matches_finite_differences() {
        for (activation, use_bias) in
            [(Activation::Tanh, true), (Activation::Linear, false), (Activation::Sigmoid, true)]
        {
            let spec = LayerSpec::Dense { units: 3, activation, use_bias };
            check_gradients(&[4], vec![(spec, vec![0])], 5);
        }
    }

    #[test]
    fn relu_below_is_applied_in_the_input_gradient() {
        // A relu Dense below a Dense: its derivative is fused into the product that makes its gradient.
        let relu = LayerSpec::Dense { units: 5, activation: Activation::Relu, use_bias: true };
        let top = LayerSpec::Dense { units: 2, activation: Activation::Tanh, use_bias: true };
        check_gradients(&[3], vec![(relu, vec![0]), (top, vec![1])], 6);
    }
}
