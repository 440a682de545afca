//! Dense f32 matrix products `C = A·B` (or `C += A·B`), with either operand read transposed.
//!
//! Forward uses `X·W`, backward `Xᵀ·dZ` (kernel gradient) and `dZ·Wᵀ` (input gradient). All matrices are
//! row-major slices, multiplied by the packed, cache-blocked kernel in `gemm/` (AVX2/FMA when the CPU has
//! it, a portable loop otherwise). Threads are used only above a size threshold: thin and single-row
//! products stay on the calling thread.

use crate::error::{Error, Result};
pub use crate::gemm::Epilogue;
use crate::gemm::{gemm, gemm_summing_b, Operand, THIN};
use crate::team::Disjoint;

/// How an operand is stored: as the logical matrix, or as its transpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Stored as the logical (rows, cols) matrix, row-major.
    Plain,
    /// Stored as the transpose: a logical (rows, cols) matrix held as (cols, rows) row-major.
    Transposed,
}

/// Below this many multiply-adds a product runs on one thread: handing work to the pool costs more.
const PARALLEL_MIN_MACS: usize = 1 << 17;

fn strides(layout: Layout, cols: usize, rows: usize) -> (usize, usize) {
    // (column stride, row stride) of the logical matrix.
    match layout {
        Layout::Plain => (1, cols),
        Layout::Transposed => (rows, 1),
    }
}

/// `C(m,n) = A(m,k)·B(k,n)`, or `C += A·B` when `accumulate`. `parallel` allows the thread pool
/// (callers already running on a pool worker pass false).
///
/// Errors when a slice is shorter than its shape says.
#[allow(clippy::too_many_arguments)]
pub fn matmul(
    c: &mut [f32],
    a: &[f32],
    a_layout: Layout,
    b: &[f32],
    b_layout: Layout,
    m: usize,
    k: usize,
    n: usize,
    accumulate: bool,
    parallel: bool,
) -> Result<()> {
    matmul_fused(c, a, a_layout, b, b_layout, (m, k, n), accumulate, parallel, Epilogue::default())
}

/// [`matmul`] followed by an element-wise epilogue (bias, relu, relu-derivative mask) applied as each tile
/// of C is stored, instead of in extra passes over C.
///
/// Errors when a slice is shorter than its shape says (and then runs nothing).
#[allow(clippy::too_many_arguments)]
pub fn matmul_fused(
    c: &mut [f32],
    a: &[f32],
    a_layout: Layout,
    b: &[f32],
    b_layout: Layout,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    parallel: bool,
    epi: Epilogue<'_>,
) -> Result<()> {
    product(c, (a, a_layout), (b, b_layout), (m, k, n), accumulate, parallel, epi, None).map(|_| ())
}

/// `C = A·B` ([`matmul`] without accumulate), and `sums[j] = Σ_p B[p][j]` (each in row order from zero) where
/// the product's threads take them with the columns of C they compute: returns whether they did; when not,
/// `sums` is untouched and the caller sums B itself (see `gemm::gemm_summing_b`).
///
/// Errors when a slice is shorter than its shape says (and then runs nothing).
#[allow(clippy::too_many_arguments)]
pub fn matmul_summing_b(
    c: &mut [f32],
    a: &[f32],
    a_layout: Layout,
    b: &[f32],
    b_layout: Layout,
    (m, k, n): (usize, usize, usize),
    parallel: bool,
    sums: &mut [f32],
) -> Result<bool> {
    product(c, (a, a_layout), (b, b_layout), (m, k, n), false, parallel, Epilogue::default(), Some(sums))
}

/// [`matmul_fused`], and B's column sums when `sums` is given (see [`matmul_summing_b`]).
#[allow(clippy::too_many_arguments)]
fn product(
    c: &mut [f32],
    (a, a_layout): (&[f32], Layout),
    (b, b_layout): (&[f32], Layout),
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    parallel: bool,
    epi: Epilogue<'_>,
    sums: Option<&mut [f32]>,
) -> Result<bool> {
    let short_epi = epi.bias.is_some_and(|b| b.len() < n) || epi.mask.is_some_and(|x| x.len() < m * n);
    if short_epi {
        return Err(Error::Backend(format!("matmul: epilogue too short for a {m}x{n} result")));
    }
    if a.len() < m * k || b.len() < k * n || c.len() < m * n {
        return Err(Error::Backend(format!(
            "matmul: operand too short for ({m}x{k})·({k}x{n}): lengths a={}, b={}, c={}",
            a.len(),
            b.len(),
            c.len()
        )));
    }
    if m == 0 || n == 0 {
        return Ok(false);
    }
    #[cfg(feature = "probe")]
    let _label = crate::probe::Shape::new(m, k, n);
    let (a_cs, a_rs) = strides(a_layout, k, m);
    let (b_cs, b_rs) = strides(b_layout, n, k);
    let threads = if parallel && m * n * k >= PARALLEL_MIN_MACS { crate::pool::threads() } else { 1 };
    let a = Operand { data: a, rs: a_rs, cs: a_cs };
    let b = Operand { data: b, rs: b_rs, cs: b_cs };
    if parallel && (n <= THIN || k <= THIN) && m * n * k >= THIN_SPLIT_MIN_MACS {
        let parts = crate::pool::threads().min(m / THIN_SPLIT_MIN_ROWS).max(1);
        if parts > 1 {
            thin_rows(&mut c[..m * n], a, b, (m, k, n), accumulate, parts, epi);
            return Ok(false);
        }
    }
    match sums {
        // `gemm_summing_b` takes neither an accumulate nor an epilogue: only `matmul_summing_b` passes sums.
        Some(s) if !accumulate && epi.is_identity() => Ok(gemm_summing_b(c, a, b, m, k, n, threads, s)),
        _ => {
            gemm(c, a, b, m, k, n, accumulate, threads, epi);
            Ok(false)
        }
    }
}

/// A thin product (`n` or `k` at most [`THIN`]: a one-unit layer's products) with this many multiply-adds
/// or more has its rows split between the thread team (it runs unpacked, on the calling thread otherwise).
const THIN_SPLIT_MIN_MACS: usize = 1 << 15;

/// The fewest rows of C a thread takes in a split thin product.
const THIN_SPLIT_MIN_ROWS: usize = 16;

/// A thin product with C's rows split between `parts` threads, each running the unpacked product on its
/// rows. Each value of C is computed as on one thread (thin products work row by row), so the bits are the
/// same. The operands cover their shapes.
fn thin_rows(
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    parts: usize,
    epi: Epilogue<'_>,
) {
    let out = Disjoint::new(c);
    crate::team::parallel(parts, &|t| {
        let (r0, r1) = (t * m / parts, (t + 1) * m / parts);
        // SAFETY: the parts' row ranges are disjoint and inside C (m×n values), which outlives the job.
        let c = unsafe { out.slice(r0 * n, (r1 - r0) * n) };
        let a = Operand { data: &a.data[r0 * a.rs..], ..a };
        let epi = Epilogue { mask: epi.mask.map(|x| &x[r0 * n..]), ..epi };
        gemm(c, a, b, r1 - r0, k, n, accumulate, 1, epi);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn naive(a: &[f32], at: bool, b: &[f32], bt: bool, m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut c = vec![0.0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0f64;
                for p in 0..k {
                    let av = if at { a[p * m + i] } else { a[i * k + p] };
                    let bv = if bt { b[j * k + p] } else { b[p * n + j] };
                    s += av as f64 * bv as f64;
                }
                c[i * n + j] = s as f32;
            }
        }
        c
    }

    #[test]
    fn all_layouts_match_naive() {
        let mut r = Rng::new(3, 0);
        for &(m, k, n) in &[
            (1, 1, 1),
            (3, 5, 2),
            (17, 11, 33),
            (64, 70, 9),
            (130, 128, 140),
            (257, 530, 100),
            (100, 1030, 37),
            (256, 256, 1),
            (150, 37, 1),
            (300, 1, 260),
            (9, 4, 40),
            (40, 19, 3),
            (33, 3, 2),
        ] {
            let mut a = vec![0.0; m * k];
            let mut b = vec![0.0; k * n];
            r.fill_uniform(&mut a, 1.0);
            r.fill_uniform(&mut b, 1.0);
            for (at, bt) in [(false, false), (true, false), (false, true), (true, true)] {
                let la = if at { Layout::Transposed } else { Layout::Plain };
                let lb = if bt { Layout::Transposed } else { Layout::Plain };
                let want = naive(&a, at, &b, bt, m, k, n);
                let mut c = vec![1.0; m * n];
                matmul(&mut c, &a, la, &b, lb, m, k, n, false, true).unwrap();
                for (x, y) in c.iter().zip(&want) {
                    assert!((x - y).abs() < 1e-4 * (1.0 + y.abs()), "{m}x{k}x{n} {at} {bt}: {x} vs {y}");
                }
                let mut c2 = vec![1.0; m * n];
                matmul(&mut c2, &a, la, &b, lb, m, k, n, true, true).unwrap();
                for (x, y) in c2.iter().zip(&want) {
                    assert!((x - (y + 1.0)).abs() < 1e-4 * (2.0 + y.abs()));
                }
            }
        }
    }

    #[test]
    fn fused_epilogue_matches_separate_passes() {
        let mut r = Rng::new(5, 0);
        // Shapes on every path: thin (n or k <= 4), packed with partial tiles, several K panels, threads.
        for &(m, k, n) in &[(7, 3, 20), (9, 20, 2), (13, 40, 35), (64, 300, 48), (257, 530, 100), (256, 256, 256)] {
            let mut a = vec![0.0; m * k];
            let mut b = vec![0.0; k * n];
            let mut bias = vec![0.0; n];
            let mut mask = vec![0.0; m * n];
            r.fill_uniform(&mut a, 1.0);
            r.fill_uniform(&mut b, 1.0);
            r.fill_uniform(&mut bias, 1.0);
            r.fill_uniform(&mut mask, 1.0);
            mask[0] = f32::NAN;
            mask[m * n - 1] = 0.0;
            a[0] = f32::NAN; // row 0 of the product is NaN: it must pass the clamp and a NaN mask entry.
            for (at, bt) in [(false, false), (true, false), (false, true)] {
                let la = if at { Layout::Transposed } else { Layout::Plain };
                let lb = if bt { Layout::Transposed } else { Layout::Plain };
                let a_stored: Vec<f32> =
                    if at { (0..k * m).map(|idx| a[(idx % m) * k + idx / m]).collect() } else { a.clone() };
                let b_stored: Vec<f32> =
                    if bt { (0..n * k).map(|idx| b[(idx % k) * n + idx / k]).collect() } else { b.clone() };
                let plain = naive(&a, false, &b, false, m, k, n);
                for (use_bias, relu, use_mask, accumulate) in [
                    (true, false, false, false),
                    (true, true, false, true),
                    (false, false, true, false),
                    (true, true, true, false),
                ] {
                    let epi =
                        Epilogue { bias: use_bias.then_some(&bias[..]), relu, mask: use_mask.then_some(&mask[..]) };
                    let mut c = vec![0.5; m * n];
                    matmul_fused(&mut c, &a_stored, la, &b_stored, lb, (m, k, n), accumulate, true, epi).unwrap();
                    for i in 0..m {
                        for j in 0..n {
                            let mut want = plain[i * n + j] + if accumulate { 0.5 } else { 0.0 };
                            if use_bias {
                                want += bias[j];
                            }
                            if relu && want < 0.0 {
                                want = 0.0;
                            }
                            if use_mask && mask[i * n + j] <= 0.0 {
                                want = 0.0;
                            }
                            let got = c[i * n + j];
                            let same = if want.is_nan() {
                                got.is_nan()
                            } else {
                                (got - want).abs() < 1e-4 * (1.0 + want.abs())
                            };
                            assert!(same, "{m}x{k}x{n} {at} {bt} bias {use_bias} relu {relu} mask {use_mask}: ({i},{j}) {got} vs {want}");
                        }
                    }
                }
            }
        }
    }

    /// The team's splits (thin products by rows, packed ones by columns) give the
    /// bits of the one-thread product, for the step's layouts and epilogues.
    #[test]
    fn parallel_products_match_one_thread_bit_for_bit() {
        let mut r = Rng::new(6, 0);
        for &(m, k, n) in &[(256, 256, 1), (256, 1, 256), (512, 256, 1), (300, 3, 70), (256, 256, 256), (784, 128, 256)]
        {
            let (mut a, mut b, mut mask) = (vec![0.0; m * k], vec![0.0; k * n], vec![0.0; m * n]);
            r.fill_uniform(&mut a, 1.0);
            r.fill_uniform(&mut b, 1.0);
            r.fill_uniform(&mut mask, 1.0);
            for (la, lb, use_mask, accumulate) in [
                (Layout::Plain, Layout::Plain, false, false),
                (Layout::Transposed, Layout::Plain, false, true),
                (Layout::Plain, Layout::Transposed, true, false),
            ] {
                let epi = Epilogue { mask: use_mask.then_some(&mask[..]), ..Epilogue::default() };
                let mut one = vec![0.25; m * n];
                matmul_fused(&mut one, &a, la, &b, lb, (m, k, n), accumulate, false, epi).unwrap();
                let mut split = vec![0.25; m * n];
                matmul_fused(&mut split, &a, la, &b, lb, (m, k, n), accumulate, true, epi).unwrap();
                let same = one.iter().zip(&split).all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same, "{m}x{k}x{n} {la:?} {lb:?} mask={use_mask}: split differs");
            }
        }
    }

    #[test]
    fn short_epilogue_is_an_error() {
        let mut c = vec![0.0; 4];
        let epi = Epilogue { bias: Some(&[1.0]), ..Epilogue::default() };
        let r = matmul_fused(&mut c, &[1.0; 4], Layout::Plain, &[1.0; 4], Layout::Plain, (2, 2, 2), false, false, epi);
        assert!(r.is_err());
    }

    #[test]
    fn short_operand_is_an_error() {
        let mut c = vec![0.0; 4];
        assert!(matmul(&mut c, &[1.0; 3], Layout::Plain, &[1.0; 4], Layout::Plain, 2, 2, 2, false, false).is_err());
    }
}
