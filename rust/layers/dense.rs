//! Dense: `z = x·W + b`, `y = f(z)`. Backward: `dz = dy·f'(z)`, `dW = xᵀ·dz`, `db = Σ_rows dz`, `dx = dz·Wᵀ`.
//!
//! The bias is written first and the product accumulated onto it; relu (and, in the backward product, the
//! relu derivative of the layer below) is applied as the product's tiles are stored.

use crate::activation::Activation;
use crate::error::Result;
use crate::gemm::{column_sums, Operand};
use crate::matmul::{matmul_fused, matmul_summing_b, Epilogue, Layout};

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
/// `turn` is the layer's place among the Dense layers of its pass, for a one-row product's split
/// (`gemv::accumulate_row_split`).
#[allow(clippy::too_many_arguments)]
pub fn forward(
    x: &[f32],
    rows: usize,
    (input, output): (usize, usize),
    kernel: &[f32],
    bias: Option<&[f32]>,
    activation: Activation,
    y: &mut [f32],
    (parallel, turn): (bool, usize),
) -> Result<()> {
    let y = &mut y[..rows * output];
    if rows <= GEMV_MAX_ROWS {
        match bias {
            Some(b) => y.chunks_exact_mut(output).for_each(|r| r.copy_from_slice(b)),
            None => y.fill(0.0),
        }
        for (xr, yr) in x.chunks_exact(input).zip(y.chunks_exact_mut(output)) {
            if parallel {
                crate::gemv::accumulate_row_split(yr, xr, kernel, turn);
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
        activate(activation, None, y, output, parallel);
    }
    Ok(())
}

/// Values from which a costly activation's rows are cut between the team.
const SPLIT_ACTIVATION_MIN: usize = 1024;

/// `y = f(z)` (`z` given) or `y = f(y)`, row by row (`width` values each), the rows cut between the team when
/// `parallel`, `f` is costly and there are many values: each row's values are the same wherever it runs.
fn activate(f: Activation, z: Option<&[f32]>, y: &mut [f32], width: usize, parallel: bool) {
    let rows = y.len() / width.max(1);
    let parts = if parallel && y.len() >= SPLIT_ACTIVATION_MIN && f.costly() { crate::pool::threads() } else { 1 };
    let parts = parts.min(rows);
    let run = |z: Option<&[f32]>, y: &mut [f32]| match z {
        Some(z) => f.forward(z, y, width),
        None => f.forward_inplace(y, width),
    };
    if parts < 2 {
        run(z, y);
        return;
    }
    let out = crate::team::Disjoint::new(&mut y[..rows * width]);
    crate::team::parallel(parts, &|t| {
        let (r0, r1) = (t * rows / parts * width, (t + 1) * rows / parts * width);
        // SAFETY: the parts' row ranges are disjoint and inside `y`, which outlives the job.
        run(z.map(|z| &z[r0..r1]), unsafe { out.slice(r0, r1 - r0) });
    });
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
            forward(x, rows, shape, kernel, bias, Activation::Linear, z, (parallel, 0))?;
            activate(activation, Some(z), &mut y[..rows * shape.1], shape.1, parallel);
            Ok(())
        }
        None => forward(x, rows, shape, kernel, bias, activation, y, (parallel, 0)),
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
        let shape = (input, rows, output);
        match db {
            // The bias gradient's column sums of `g` are taken by the product's threads where they can be.
            Some(db) => {
                if !matmul_summing_b(dw, x, Layout::Transposed, g, Layout::Plain, shape, parallel, db)? {
                    bias_gradient(&g[..rows * output], output, db, parallel);
                }
            }
            None => {
                matmul_fused(dw, x, Layout::Transposed, g, Layout::Plain, shape, false, parallel, Epilogue::default())?
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

/// Values of `dL/dz` from which the bias gradient's column sums are split between the thread team.
const SPLIT_SUMS_MIN: usize = 1 << 14;

/// `db = Σ_rows g`, its columns cut in ranges (a multiple of 32 wide) between the team when `parallel` and
/// `g` is large: each column's sum is the same wherever it runs.
fn bias_gradient(g: &[f32], width: usize, db: &mut [f32], parallel: bool) {
    let parts = if parallel && g.len() >= SPLIT_SUMS_MIN { crate::pool::threads().min(width / 32) } else { 1 };
    let g_op = Operand { data: g, rs: width, cs: 1 };
    let rows = g.len() / width.max(1);
    if parts < 2 {
        column_sums(g_op, rows, 0, db);
        return;
    }
    let per = width.div_ceil(parts).div_ceil(32) * 32;
    let out = crate::team::Disjoint::new(&mut db[..width]);
    crate::team::parallel(parts, &|t| {
        let (j0, j1) = ((t * per).min(width), ((t + 1) * per).min(width));
        // SAFETY: the parts' column ranges are disjoint and inside `db`, which outlives the job.
        column_sums(g_op, rows, j0, unsafe { out.slice(j0, j1 - j0) });
    });
}

#[cfg(test)]
mod tests {
    use super::super::gradcheck::{assert_close, dot, numeric, values};
    use super::*;

    /// `y` for inputs `x`, kernel `k` and bias `b` (unused without a bias).
    fn run(
        x: &[f32],
        k: &[f32],
        b: &[f32],
        a: Activation,
        bias: bool,
        (rows, i, o): (usize, usize, usize),
    ) -> Vec<f32> {
        let mut y = vec![0.0; rows * o];
        forward(x, rows, (i, o), k, bias.then_some(b), a, &mut y, (false, 0)).unwrap();
        y
    }

    #[test]
    fn backward_matches_finite_differences() {
        let (input, output) = (4, 3);
        let cases = [
            (Activation::Tanh, true),
            (Activation::Linear, false),
            (Activation::Sigmoid, true),
            (Activation::Softmax, true),
            (Activation::Gelu { approximate: false }, true),
        ];
        // 3 rows take the row-by-row path, 9 the blocked product.
        for rows in [3, 9] {
            for (a, use_bias) in cases {
                let shape = (rows, input, output);
                let (x, k, b) = (values(rows * input, 1, 1.5), values(input * output, 2, 0.8), values(output, 3, 0.5));
                let c = values(rows * output, 4, 1.0);
                let (mut z, mut y) = (vec![0.0; rows * output], vec![0.0; rows * output]);
                let bias = use_bias.then_some(&b[..]);
                forward_train(&x, rows, (input, output), &k, bias, a, Some(&mut z), &mut y, false).unwrap();
                let mut g = c.clone();
                let (mut dk, mut db, mut dx) = (vec![0.0; input * output], vec![0.0; output], vec![0.0; rows * input]);
                let params = Some((&mut dk[..], use_bias.then_some(&mut db[..])));
                let input_grad = InputGrad { dx: &mut dx, accumulate: false, relu_below: None };
                let shape2 = (input, output);
                backward(&x, &z, &y, &mut g, rows, shape2, a, true, &k, params, Some(input_grad), false).unwrap();
                let what = format!("{a:?} rows={rows}");
                let at_x = numeric(&|x| dot(&c, &run(x, &k, &b, a, use_bias, shape)), &x);
                assert_close(&dx, &at_x, &format!("{what}: dx"));
                let at_k = numeric(&|k| dot(&c, &run(&x, k, &b, a, use_bias, shape)), &k);
                assert_close(&dk, &at_k, &format!("{what}: dkernel"));
                if use_bias {
                    let at_b = numeric(&|b| dot(&c, &run(&x, &k, b, a, use_bias, shape)), &b);
                    assert_close(&db, &at_b, &format!("{what}: dbias"));
                }
            }
        }
    }

    /// The bias gradient split between the team gives the bits of one thread's, for widths that split
    /// evenly, unevenly and not at all.
    #[test]
    fn split_bias_gradient_matches_one_thread() {
        for (rows, width) in [(256, 256), (200, 100), (300, 70), (128, 10), (64, 300)] {
            let g = values(rows * width, 9, 1.0);
            let (mut one, mut split) = (vec![f32::NAN; width], vec![f32::NAN; width]);
            bias_gradient(&g, width, &mut one, false);
            crate::pool::train(|| bias_gradient(&g, width, &mut split, true));
            assert!(one.iter().zip(&split).all(|(a, b)| a.to_bits() == b.to_bits()), "{rows}x{width}");
        }
    }

    /// A costly activation over many rows, cut between the team, gives the bits of one thread's pass.
    #[test]
    fn split_activation_matches_one_thread() {
        let (rows, width) = (300, 10);
        let z = values(rows * width, 10, 3.0);
        for f in [Activation::Softmax, Activation::Sigmoid, Activation::Gelu { approximate: false }, Activation::Tanh] {
            let (mut one, mut split) = (vec![f32::NAN; rows * width], vec![f32::NAN; rows * width]);
            activate(f, Some(&z), &mut one, width, false);
            crate::pool::train(|| activate(f, Some(&z), &mut split, width, true));
            assert!(one.iter().zip(&split).all(|(a, b)| a.to_bits() == b.to_bits()), "{f:?}");
            let mut inplace = z.clone();
            crate::pool::train(|| activate(f, None, &mut inplace, width, true));
            assert!(one.iter().zip(&inplace).all(|(a, b)| a.to_bits() == b.to_bits()), "{f:?} in place");
        }
    }

    #[test]
    fn input_gradient_accumulates_and_takes_the_relu_below() {
        let (rows, input, output) = (6, 5, 3);
        let x: Vec<f32> = values(rows * input, 5, 1.0).iter().map(|v| v.max(0.0)).collect();
        let k = values(input * output, 6, 1.0);
        let y = vec![0.0; rows * output];
        let grad = |prior: f32, accumulate: bool, relu: bool| {
            let mut g = values(rows * output, 7, 1.0);
            let mut dx = vec![prior; rows * input];
            let input_grad = InputGrad { dx: &mut dx, accumulate, relu_below: relu.then_some(&x[..]) };
            let (l, shape) = (Activation::Linear, (input, output));
            backward(&x, &y, &y, &mut g, rows, shape, l, false, &k, None, Some(input_grad), false).unwrap();
            dx
        };
        let plain = grad(0.0, false, false);
        let added: Vec<f32> = plain.iter().map(|v| v + 2.0).collect();
        assert_close(&grad(2.0, true, false), &added.iter().map(|&v| f64::from(v)).collect::<Vec<_>>(), "accumulate");
        let masked: Vec<f64> = plain.iter().zip(&x).map(|(&g, &x)| if x > 0.0 { f64::from(g) } else { 0.0 }).collect();
        assert_close(&grad(9.0, false, true), &masked, "relu below");
    }
}
