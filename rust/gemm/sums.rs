//! Column sums of an operand, `out[c] = Σ_p B[p][j0 + c]`, each summed in row order from zero whatever the
//! column range, so that any split of the columns between threads gives the same bits. A Dense layer's bias
//! gradient is the column sums of `dL/dz`, the B of its kernel-gradient product (see `gemm_summing_b`).

use super::Operand;

/// Columns summed at a time in a fixed-size accumulator that stays in registers (rather than a pass over
/// `out` per row).
const LANES: usize = 32;

/// `out[c] = Σ_{p < rows} B[p][j0 + c]` for `c < out.len()`, in row order from zero. B's values must cover
/// the rows and columns read.
pub fn column_sums(b: Operand<'_>, rows: usize, j0: usize, out: &mut [f32]) {
    if b.cs != 1 {
        for (c, o) in out.iter_mut().enumerate() {
            let j = (j0 + c) * b.cs;
            *o = (0..rows).fold(0.0, |acc, p| acc + b.data[p * b.rs + j]);
        }
        return;
    }
    for (c, chunk) in out.chunks_mut(LANES).enumerate() {
        let j = j0 + c * LANES;
        // The common widths get an accumulator of exactly their size (a 16- or 1-unit layer's bias).
        match chunk.len() {
            32 => fixed_sums::<32>(b, rows, j, chunk),
            16 => fixed_sums::<16>(b, rows, j, chunk),
            8 => fixed_sums::<8>(b, rows, j, chunk),
            1 => fixed_sums::<1>(b, rows, j, chunk),
            len => {
                let mut acc = [0.0f32; LANES];
                for p in 0..rows {
                    let row = &b.data[p * b.rs + j..][..len];
                    acc.iter_mut().zip(row).for_each(|(a, &v)| *a += v);
                }
                chunk.copy_from_slice(&acc[..len]);
            }
        }
    }
}

/// `column_sums` of the `L` columns `j..j + L` of a B with column stride 1 (`out` holds `L` values).
#[inline(always)]
fn fixed_sums<const L: usize>(b: Operand<'_>, rows: usize, j: usize, out: &mut [f32]) {
    let mut acc = [0.0f32; L];
    for p in 0..rows {
        if let Ok(v) = <&[f32; L]>::try_from(&b.data[p * b.rs + j..][..L]) {
            (0..L).for_each(|l| acc[l] += v[l]);
        }
    }
    out.copy_from_slice(&acc);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Column sums over any column range, of a row-major or transposed operand, give the bits of a plain
    /// row-order sum.
    #[test]
    fn column_sums_match_row_order_sums() {
        let (rows, width) = (37, 100);
        let mut r = crate::rng::Rng::new(8, 0);
        let mut g = vec![0.0f32; rows * width];
        r.fill_uniform(&mut g, 1.0);
        let t: Vec<f32> = (0..rows * width).map(|i| g[(i % rows) * width + i / rows]).collect();
        for (j0, j1) in [(0, 100), (0, 64), (64, 100), (3, 70), (99, 100), (10, 26), (50, 58), (20, 21), (0, 48)] {
            let mut want = vec![0.0f32; j1 - j0];
            for gr in g.chunks_exact(width) {
                want.iter_mut().zip(&gr[j0..j1]).for_each(|(d, &v)| *d += v);
            }
            for b in [Operand { data: &g, rs: width, cs: 1 }, Operand { data: &t, rs: 1, cs: rows }] {
                let mut got = vec![f32::NAN; j1 - j0];
                column_sums(b, rows, j0, &mut got);
                assert!(want.iter().zip(&got).all(|(a, b)| a.to_bits() == b.to_bits()), "{j0}..{j1}");
            }
        }
    }
}
