//! Dense f32 matrix products `C = A·B` (or `C += A·B`), with either operand read transposed.
//!
//! Forward uses `X·W`, backward `Xᵀ·dZ` (kernel gradient) and `dZ·Wᵀ` (input gradient). All matrices are
//! row-major slices, multiplied by the packed, cache-blocked kernel in `gemm/` (AVX2/FMA when the CPU has
//! it, a portable loop otherwise). Threads are used only above a size threshold: thin and single-row
//! products stay on the calling thread.

use crate::error::{Error, Result};
use crate::gemm::{gemm, Operand};

/// How an operand is stored: as the logical matrix, or as its transpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Stored as the logical (rows, cols) matrix, row-major.
    Plain,
    /// Stored as the transpose: a logical (rows, cols) matrix held as (cols, rows) row-major.
    Transposed,
}

/// Below this many multiply-adds a product runs on one thread: handing work to the pool costs more.
const PARALLEL_MIN_MACS: usize = 1 << 18;

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
    if a.len() < m * k || b.len() < k * n || c.len() < m * n {
        return Err(Error::Backend(format!(
            "matmul: operand too short for ({m}x{k})·({k}x{n}): lengths a={}, b={}, c={}",
            a.len(),
            b.len(),
            c.len()
        )));
    }
    if m == 0 || n == 0 {
        return Ok(());
    }
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        return Ok(());
    }
    let (a_cs, a_rs) = strides(a_layout, k, m);
    let (b_cs, b_rs) = strides(b_layout, n, k);
    let threads = if parallel && m * n * k >= PARALLEL_MIN_MACS { crate::pool::threads() } else { 1 };
    let a = Operand { data: a, rs: a_rs, cs: a_cs };
    let b = Operand { data: b, rs: b_rs, cs: b_cs };
    gemm(c, a, b, m, k, n, accumulate, threads);
    Ok(())
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
    fn short_operand_is_an_error() {
        let mut c = vec![0.0; 4];
        assert!(matmul(&mut c, &[1.0; 3], Layout::Plain, &[1.0; 4], Layout::Plain, 2, 2, 2, false, false).is_err());
    }
}
