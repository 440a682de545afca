//! `gemm_then`: a product followed by a per-column hook (a backward pass sums its bias gradient there).
//!
//! The micro-kernels read a row- or column-major A in place (`block.rs`), so the column split packs no
//! copy of A per thread and the product needs no shared packing; the hook runs once over all columns after
//! the product, on the calling thread.

use super::kernel::Epilogue;
use super::Operand;

/// `C (+)= A·B` as [`super::gemm`], then `after(0, n)`. Same results as `gemm`, bit for bit.
#[allow(clippy::too_many_arguments)]
pub fn gemm_then(
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    threads: usize,
    epi: Epilogue<'_>,
    after: &(dyn Fn(usize, usize) + Sync),
) {
    super::gemm(c, a, b, m, k, n, accumulate, threads, epi);
    if n > 0 {
        after(0, n);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{gemm, Epilogue, Operand};
    use super::gemm_then;
    use crate::rng::Rng;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// `gemm_then` gives `gemm`'s bits, with every epilogue and plain or transposed operands,
    /// over shapes with several row blocks, K panels and column panels; `after` sees every column once.
    #[test]
    fn shared_a_matches_gemm_bit_for_bit_and_after_covers_every_column() {
        let mut r = Rng::new(21, 0);
        for &(m, k, n) in
            &[(256, 256, 256), (784, 128, 256), (128, 784, 256), (300, 600, 1100), (13, 9, 130), (145, 257, 64)]
        {
            let (mut a, mut b, mut bias, mut mask) =
                (vec![0.0; m * k], vec![0.0; k * n], vec![0.0; n], vec![0.0; m * n]);
            r.fill_uniform(&mut a, 1.0);
            r.fill_uniform(&mut b, 1.0);
            r.fill_uniform(&mut bias, 1.0);
            r.fill_uniform(&mut mask, 1.0);
            let c0: Vec<f32> = (0..m * n).map(|x| (x % 5) as f32 * 0.5 - 1.0).collect();
            for (combo, at) in [(0, false), (1, true), (2, false), (3, true), (4, false)] {
                let epi = Epilogue {
                    bias: (combo & 1 > 0).then_some(&bias[..]),
                    relu: combo == 2,
                    mask: (combo >= 3).then_some(&mask[..]),
                };
                let ao = if at { Operand { data: &a, rs: 1, cs: m } } else { Operand { data: &a, rs: k, cs: 1 } };
                let bo = Operand { data: &b, rs: n, cs: 1 };
                let accumulate = combo % 2 == 1;
                let mut want = c0.clone();
                gemm(&mut want, ao, bo, m, k, n, accumulate, 1, epi);
                for threads in [2, 3] {
                    let seen: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
                    let mut c = c0.clone();
                    gemm_then(&mut c, ao, bo, (m, k, n), accumulate, threads, epi, &|j0, j1| {
                        seen[j0..j1].iter().for_each(|s| {
                            s.fetch_add(1, Ordering::Relaxed);
                        });
                    });
                    let same = want.iter().zip(&c).all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "{m}x{k}x{n} combo={combo} at={at} threads={threads} differs");
                    assert!(seen.iter().all(|s| s.load(Ordering::Relaxed) == 1), "{m}x{k}x{n}: columns missed");
                }
            }
        }
    }
}
