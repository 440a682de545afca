//! Keras's Discretization and CategoryEncoding: each value becomes an integer id, which is kept (`Int`) or
//! encoded in `depth` columns. With bin boundaries (Discretization) a value's id is its bin, the number of
//! boundaries at or below it (`b[i−1] ≤ x < b[i]` gives `i`; NaN falls in the last bin, as TensorFlow's
//! Bucketize puts it); without (CategoryEncoding) it is the value truncated toward zero. `OneHot` and
//! `MultiHot` set the id's column of the row to 1, `Count` adds 1 to it; an id outside `0..depth` sets
//! nothing (TensorFlow's one-hot leaves that row zero). Nothing here is trained, and no gradient passes
//! through: an id does not change with its input.

use crate::error::{Error, Result};

/// What the ids become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeMode {
    /// The ids themselves, one per input value.
    Int,
    /// One input value per row, its id's column 1.
    OneHot,
    /// 1 in the column of every id the row holds.
    MultiHot,
    /// How many times the row holds each id.
    Count,
}

impl EncodeMode {
    /// The mode Keras's `output_mode` names, or a `ValueError` with Keras's message.
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name {
            "int" => EncodeMode::Int,
            "one_hot" => EncodeMode::OneHot,
            "multi_hot" => EncodeMode::MultiHot,
            "count" => EncodeMode::Count,
            other => return Err(Error::value(format!("Unknown arg for output_mode: {other}"))),
        })
    }
}

/// `x`'s bin among sorted `bins`: how many boundaries are not above it.
pub fn bin(bins: &[f32], x: f32) -> usize {
    bins.partition_point(|&b| x.partial_cmp(&b) != Some(std::cmp::Ordering::Less))
}

/// The id of `x`: its bin, or (without bins) `x` truncated toward zero; None for NaN or an id beyond `i64`.
fn id(bins: Option<&[f32]>, x: f32) -> Option<i64> {
    match bins {
        Some(b) => Some(bin(b, x) as i64),
        // (`as` saturates: ±∞ become ids no depth reaches.)
        None => (!x.is_nan()).then(|| x.trunc() as i64),
    }
}

/// The forward pass: `x` rows of width `wi`, `y` rows of width `wo` (`wi` for `Int`, else the depth).
pub fn forward(bins: Option<&[f32]>, mode: EncodeMode, x: &[f32], wi: usize, y: &mut [f32], wo: usize) {
    if mode == EncodeMode::Int {
        for (o, &v) in y.iter_mut().zip(x) {
            *o = id(bins, v).map_or(f32::NAN, |k| k as f32);
        }
        return;
    }
    for (row, out) in x.chunks_exact(wi.max(1)).zip(y.chunks_exact_mut(wo.max(1))) {
        out.fill(0.0);
        for &v in row {
            let Some(k) = id(bins, v).and_then(|k| usize::try_from(k).ok()).filter(|&k| k < wo) else { continue };
            out[k] = if mode == EncodeMode::Count { out[k] + 1.0 } else { 1.0 };
        }
    }
}

/// The backward pass: the input's gradient is 0 (written, or nothing added when `accumulate`).
pub fn backward(dx: &mut [f32], accumulate: bool) {
    if !accumulate {
        dx.fill(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::super::gradcheck::{assert_close, dot, numeric, values};
    use super::{backward, forward, EncodeMode};

    #[test]
    fn backward_matches_finite_differences() {
        // Values away from every boundary and whole number: the outputs are flat there.
        let x: Vec<f32> = values(24, 12, 2.0).iter().map(|v| v.floor() + 0.5).collect();
        let c = values(24 * 4, 13, 1.0);
        for (bins, mode, wo) in [(Some(&[-1.0, 0.0, 1.0][..]), EncodeMode::Int, 4), (None, EncodeMode::Count, 4)] {
            let run = |x: &[f32]| {
                let mut y = vec![0.0; 6 * wo];
                forward(bins, mode, x, 4, &mut y, wo);
                dot(&c[..y.len()], &y)
            };
            let mut dx = vec![7.0; x.len()];
            backward(&mut dx, false);
            assert_close(&dx, &numeric(&run, &x), "dx");
            backward(&mut dx, true); // another reader's gradient is kept
            assert_close(&dx, &numeric(&run, &x), "dx");
        }
    }

    fn run(bins: Option<&[f32]>, mode: EncodeMode, x: &[f32], wi: usize, wo: usize) -> Vec<f32> {
        let rows = x.len() / wi;
        let mut y = vec![f32::NAN; rows * wo];
        forward(bins, mode, x, wi, &mut y, wo);
        y
    }

    #[test]
    fn discretizes_as_keras() {
        // Keras 3.15's Discretization(bin_boundaries=[0, 1, 2]) docstring case, and NaN in the last bin.
        let bins = [0.0, 1.0, 2.0];
        let x = [-1.5, 1.0, 3.4, 0.5, 0.0, 3.0, 1.3, 0.0];
        assert_eq!(run(Some(&bins), EncodeMode::Int, &x, 4, 4), [0.0, 2.0, 3.0, 1.0, 1.0, 3.0, 2.0, 1.0]);
        let odd = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY];
        assert_eq!(run(Some(&[0.0, 1.0]), EncodeMode::Int, &odd, 3, 3), [2.0, 2.0, 0.0]);
        assert_eq!(run(Some(&bins), EncodeMode::OneHot, &[-1.0, 1.5], 1, 4), [1., 0., 0., 0., 0., 0., 1., 0.]);
        assert_eq!(run(Some(&bins), EncodeMode::MultiHot, &[-1.0, 1.5, 1.7], 3, 4), [1., 0., 1., 0.]);
        assert_eq!(run(Some(&bins), EncodeMode::Count, &[-1.0, 1.5, 1.7], 3, 4), [1., 0., 2., 0.]);
    }

    #[test]
    fn encodes_categories_as_keras() {
        // Keras 3.15 on TensorFlow: ids truncate toward zero; those outside 0..depth set nothing.
        let x = [0.0, 2.7, 3.0, 3.0, 5.0, 1.0];
        assert_eq!(run(None, EncodeMode::MultiHot, &x, 2, 4), [1., 0., 1., 0., 0., 0., 0., 1., 0., 1., 0., 0.]);
        assert_eq!(run(None, EncodeMode::Count, &x, 2, 4), [1., 0., 1., 0., 0., 0., 0., 2., 0., 1., 0., 0.]);
        let one = [2.7, 1.2, -0.5, -1.0, 7.0, f32::NAN];
        let want = [[0., 0., 1.], [0., 1., 0.], [1., 0., 0.], [0.; 3], [0.; 3], [0.; 3]].concat();
        assert_eq!(run(None, EncodeMode::OneHot, &one, 1, 3), want);
    }
}
