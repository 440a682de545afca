//! The activations over each row of `width` values: softmax `e^(z−max)/Σe^(z−max)` and log_softmax
//! `(z − max) − ln Σe^(z−max)` (TensorFlow's, so stable for any finite row), and their backward passes:
//! softmax `dz = y·(dy − Σ dy·y)`, log_softmax `dz = dy − e^y·Σ dy` (`e^y` being the row's softmax).
//!
//! A row holding NaN or +∞ gives NaN throughout (as TensorFlow's), a −∞ entry gives −∞ (log) or 0.

use super::exp;

/// Softmax of each row: `e^{v−max}` (all rows' exponentials at once, see `exp`), each row's sum in order,
/// then times its reciprocal.
pub(super) fn softmax(v: &mut [f32], width: usize) {
    if width == 0 {
        return;
    }
    let len = v.len() / width * width;
    let v = &mut v[..len];
    for row in v.chunks_exact_mut(width) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        row.iter_mut().for_each(|x| *x -= max);
    }
    exp::exp_in_place(v);
    for row in v.chunks_exact_mut(width) {
        let inv = 1.0 / row.iter().fold(0.0f32, |sum, &x| sum + x);
        row.iter_mut().for_each(|x| *x *= inv);
    }
}

/// Log-softmax of each row: `z − max`, the sum of its exponentials in order, then less the sum's logarithm.
pub(super) fn log_softmax(v: &mut [f32], width: usize) {
    if width == 0 {
        return;
    }
    let len = v.len() / width * width;
    for row in v[..len].chunks_exact_mut(width) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        row.iter_mut().for_each(|x| *x -= max);
        let log_sum = row.iter().fold(0.0f32, |sum, &x| sum + exp::exp(x)).ln();
        row.iter_mut().for_each(|x| *x -= log_sum);
    }
}

/// `g ← y·(g − Σ g·y)` per row, `y` the softmax's output.
pub(super) fn softmax_backward(y: &[f32], g: &mut [f32], width: usize) {
    if width > 0 {
        for (gr, yr) in g.chunks_exact_mut(width).zip(y.chunks_exact(width)) {
            let dot: f32 = gr.iter().zip(yr).map(|(a, b)| a * b).sum();
            gr.iter_mut().zip(yr).for_each(|(g, &y)| *g = y * (*g - dot));
        }
    }
}

/// `g ← g − e^y·Σ g` per row, `y` the log_softmax's output (TensorFlow's LogSoftmax gradient).
pub(super) fn log_softmax_backward(y: &[f32], g: &mut [f32], width: usize) {
    if width > 0 {
        for (gr, yr) in g.chunks_exact_mut(width).zip(y.chunks_exact(width)) {
            let sum: f32 = gr.iter().sum();
            gr.iter_mut().zip(yr).for_each(|(g, &y)| *g -= exp::exp(y) * sum);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keras 3.15.1's `activations.log_softmax` (TensorFlow 2.21) of these rows.
    #[test]
    fn log_softmax_rows_are_tensorflows() {
        let inf = f32::INFINITY;
        let mut v = [1.0, 2.0, 3.0, -inf, 0.0, 1.0, inf, 0.0, 1.0, f32::NAN, 0.0, 1.0, 1e30, -1e30, 0.0];
        log_softmax(&mut v, 3);
        let want = [-2.407_606, -1.407_606, -0.407_606, -inf, -1.313_261_6, -0.313_261_66];
        for (got, want) in v.iter().zip(want) {
            assert!(*got == want || (got - want).abs() < 1e-6, "{got} vs {want}");
        }
        assert!(v[6..12].iter().all(|x| x.is_nan()), "{v:?}");
        assert_eq!(&v[12..], &[0.0, -2e30, -1e30]);
    }

    /// The backward pass against finite differences of the forward one, per row.
    #[test]
    fn log_softmax_backward_matches_finite_differences() {
        let z = [0.3f32, -1.2, 2.0, 0.5, 4.0, -3.0, 0.0, 1.0];
        let dy = [0.7f32, -0.2, 1.1, 0.4, -0.9, 0.3, 0.25, -1.5];
        let mut y = z;
        log_softmax(&mut y, 4);
        let mut g = dy;
        log_softmax_backward(&y, &mut g, 4);
        let loss = |z: &[f32]| {
            let mut y = z.to_vec();
            log_softmax(&mut y, 4);
            y.iter().zip(&dy).map(|(a, b)| f64::from(a * b)).sum::<f64>()
        };
        for k in 0..z.len() {
            let (mut up, mut down) = (z, z);
            up[k] += 1e-2;
            down[k] -= 1e-2;
            let fd = (loss(&up) - loss(&down)) / 2e-2;
            assert!((f64::from(g[k]) - fd).abs() < 1e-3, "{k}: {} vs {fd}", g[k]);
        }
    }
}
