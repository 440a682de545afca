//! Row-times-matrix `y += x·W` for one row, the single-row inference path: no packing, no allocation.
//! `W` is row-major (input × output); output columns are processed in register-held blocks so each kernel
//! row is streamed once. AVX2/FMA when the CPU has it, a portable loop otherwise. A large layer's columns
//! can be split between threads (`accumulate_row_split`): each streams its share of the weights, from its
//! own core's cache when the calls come often. AVX-512 when the GEMM kernel chosen is AVX-512 (the same
//! bits as AVX2).

/// `y[j] += Σ_k x[k]·w[k·n + j]` with `n = y.len()`.
pub fn accumulate_row(y: &mut [f32], x: &[f32], w: &[f32]) {
    accumulate_cols(y, x, w, y.len());
}

/// Below this many multiply-adds a row stays on one thread: a hand-off costs about a microsecond.
const SPLIT_MIN_MACS: usize = 1 << 16;

/// [`accumulate_row`] with the columns split between the calling thread and the thread team when the
/// layer is large enough and the team is free; on the calling thread otherwise. Part `t` of the split takes
/// column range `(t + turn) % parts`; the caller gives consecutive large layers consecutive `turn`s.
///
/// Why the turn: a thread's column range of a row-major kernel whose rows span a power of two of bytes
/// (2 KB for 512 units) lies at the same offsets within every row, so it maps onto the same half of the L2
/// cache's sets, and with one range per layer a thread's weights compete for half its L2. Taking the other
/// range in the next layer spreads them over all the sets. Measured on the Intel Xeon host (2 MB of L2 a core):
/// two 512×512 layers one after the other, split in two, 22.4 µs a pair with the same range in both and 14.4 µs
/// with their rows padded off the power of two (one layer alone 6.8 µs); the wine model's one-row prediction
/// with the ranges swapped, `rbench/latbench.rs`'s split p50 20.4 → 10.6 µs.
pub fn accumulate_row_split(y: &mut [f32], x: &[f32], w: &[f32], turn: usize) {
    let n = y.len();
    let parts = crate::pool::threads().min(n / 64).max(1);
    if parts < 2 || x.len() * n < SPLIT_MIN_MACS || w.len() < x.len() * n {
        accumulate_row(y, x, w);
        return;
    }
    // Column ranges on multiples of 64, the kernel's widest block.
    let per = n.div_ceil(parts).div_ceil(64) * 64;
    let out = crate::team::Disjoint::new(y);
    let ran = crate::team::run(parts, &|t| {
        let r = (t + turn) % parts;
        let (j0, j1) = ((r * per).min(n), ((r + 1) * per).min(n));
        // SAFETY: the parts' column ranges `j0..j1` are disjoint (`r` is a permutation of the parts) and
        // inside `y`, which outlives the run.
        let ys = unsafe { out.slice(j0, j1 - j0) };
        accumulate_cols(ys, x, &w[j0..], n);
    });
    if !ran {
        accumulate_row(y, x, w);
    }
}

/// `y[j] += Σ_k x[k]·w[k·ldw + j]` for `j < y.len()`: the first `y.len()` columns of a matrix with row
/// stride `ldw`. Does nothing if `w` is too short.
fn accumulate_cols(y: &mut [f32], x: &[f32], w: &[f32], ldw: usize) {
    let n = y.len();
    if n == 0 || x.is_empty() || ldw < n || w.len() < (x.len() - 1) * ldw + n {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    {
        if crate::gemm::Isa::selected() == crate::gemm::Isa::Avx512 {
            // SAFETY: the CPU supports AVX-512F (the selected kernel is one it runs), and `w` holds the
            // `(x.len() - 1) * ldw + y.len()` values the kernel reads (checked at the top).
            unsafe { accumulate_cols_avx512(y, x, w, ldw) };
            return;
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above), and `w` holds the
            // `(x.len() - 1) * ldw + y.len()` values the kernel reads (checked at the top).
            unsafe { accumulate_cols_avx2(y, x, w, ldw) };
            return;
        }
    }
    accumulate_cols_portable(y, x, w, ldw);
}

fn accumulate_cols_portable(y: &mut [f32], x: &[f32], w: &[f32], ldw: usize) {
    let n = y.len();
    for (k, &xk) in x.iter().enumerate() {
        let row = &w[k * ldw..k * ldw + n];
        y.iter_mut().zip(row).for_each(|(yv, &wv)| *yv += xk * wv);
    }
}

/// The AVX-512 kernel: 128 columns at a time in eight 16-wide accumulators (half the loads of the AVX2
/// kernel per multiply-add), then 16 at a time, then one. Each `y[j]` gets the same fused multiply-adds in
/// the same k order as in the AVX2 kernel, so the two agree bit for bit.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn accumulate_cols_avx512(y: &mut [f32], x: &[f32], w: &[f32], ldw: usize) {
    use std::arch::x86_64::*;
    let n = y.len();
    let wp = w.as_ptr();
    let yp = y.as_mut_ptr();
    let mut j = 0;
    // SAFETY: every pointer offset is `k*ldw + j + c` with k < x.len() and j + c < n, inside `w` (the
    // caller checked w.len() >= (x.len()-1)*ldw + n), or `j + c < n` inside `y`.
    unsafe {
        while j + 128 <= n {
            let mut acc = [_mm512_setzero_ps(); 8];
            for (c, a) in acc.iter_mut().enumerate() {
                *a = _mm512_loadu_ps(yp.add(j + 16 * c));
            }
            for (k, &xk) in x.iter().enumerate() {
                let xv = _mm512_set1_ps(xk);
                let r = wp.add(k * ldw + j);
                for (c, a) in acc.iter_mut().enumerate() {
                    *a = _mm512_fmadd_ps(xv, _mm512_loadu_ps(r.add(16 * c)), *a);
                }
            }
            for (c, a) in acc.iter().enumerate() {
                _mm512_storeu_ps(yp.add(j + 16 * c), *a);
            }
            j += 128;
        }
        while j + 16 <= n {
            let mut a0 = _mm512_loadu_ps(yp.add(j));
            for (k, &xk) in x.iter().enumerate() {
                a0 = _mm512_fmadd_ps(_mm512_set1_ps(xk), _mm512_loadu_ps(wp.add(k * ldw + j)), a0);
            }
            _mm512_storeu_ps(yp.add(j), a0);
            j += 16;
        }
        while j < n {
            let mut acc = *yp.add(j);
            for (k, &xk) in x.iter().enumerate() {
                acc = xk.mul_add(*wp.add(k * ldw + j), acc);
            }
            *yp.add(j) = acc;
            j += 1;
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn accumulate_cols_avx2(y: &mut [f32], x: &[f32], w: &[f32], ldw: usize) {
    use std::arch::x86_64::*;
    let n = y.len();
    let wp = w.as_ptr();
    let yp = y.as_mut_ptr();
    let mut j = 0;
    // SAFETY: every pointer offset is `k*ldw + j + c` with k < x.len() and j + c < n, inside `w` (the
    // caller checked w.len() >= (x.len()-1)*ldw + n), or `j + c < n` inside `y`.
    unsafe {
        while j + 64 <= n {
            // Eight independent accumulators keep both FMA units busy through the 4-cycle latency.
            let mut acc = [_mm256_setzero_ps(); 8];
            for (c, a) in acc.iter_mut().enumerate() {
                *a = _mm256_loadu_ps(yp.add(j + 8 * c));
            }
            for (k, &xk) in x.iter().enumerate() {
                let xv = _mm256_set1_ps(xk);
                let r = wp.add(k * ldw + j);
                for (c, a) in acc.iter_mut().enumerate() {
                    *a = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r.add(8 * c)), *a);
                }
            }
            for (c, a) in acc.iter().enumerate() {
                _mm256_storeu_ps(yp.add(j + 8 * c), *a);
            }
            j += 64;
        }
        while j + 32 <= n {
            let mut a0 = _mm256_loadu_ps(yp.add(j));
            let mut a1 = _mm256_loadu_ps(yp.add(j + 8));
            let mut a2 = _mm256_loadu_ps(yp.add(j + 16));
            let mut a3 = _mm256_loadu_ps(yp.add(j + 24));
            for (k, &xk) in x.iter().enumerate() {
                let xv = _mm256_set1_ps(xk);
                let r = wp.add(k * ldw + j);
                a0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r), a0);
                a1 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r.add(8)), a1);
                a2 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r.add(16)), a2);
                a3 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r.add(24)), a3);
            }
            _mm256_storeu_ps(yp.add(j), a0);
            _mm256_storeu_ps(yp.add(j + 8), a1);
            _mm256_storeu_ps(yp.add(j + 16), a2);
            _mm256_storeu_ps(yp.add(j + 24), a3);
            j += 32;
        }
        while j + 8 <= n {
            let mut a0 = _mm256_loadu_ps(yp.add(j));
            for (k, &xk) in x.iter().enumerate() {
                a0 = _mm256_fmadd_ps(_mm256_set1_ps(xk), _mm256_loadu_ps(wp.add(k * ldw + j)), a0);
            }
            _mm256_storeu_ps(yp.add(j), a0);
            j += 8;
        }
        while j < n {
            let mut acc = *yp.add(j);
            for (k, &xk) in x.iter().enumerate() {
                acc = xk.mul_add(*wp.add(k * ldw + j), acc);
            }
            *yp.add(j) = acc;
            j += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn split_rows_match_one_thread() {
        let mut r = Rng::new(4, 0);
        for &(k, n) in &[(512, 512), (300, 200), (129, 1000), (700, 100), (256, 64)] {
            let mut x = vec![0.0; k];
            let mut w = vec![0.0; k * n];
            r.fill_uniform(&mut x, 1.0);
            r.fill_uniform(&mut w, 1.0);
            let mut a = vec![0.25; n];
            let mut b = vec![0.25; n];
            let mut c = vec![0.25; n];
            for turn in 0..3 {
                accumulate_row_split(&mut a, &x, &w, turn);
                accumulate_row(&mut c, &x, &w);
                accumulate_cols_portable(&mut b, &x, &w, n);
            }
            // The same bits whichever thread takes which columns, and close to the portable loop.
            assert!(a.iter().zip(&c).all(|(p, q)| p.to_bits() == q.to_bits()), "{k}x{n}");
            for (p, q) in a.iter().zip(&b) {
                assert!((p - q).abs() < 1e-3 * (1.0 + q.abs()), "{k}x{n}: {p} vs {q}");
            }
        }
    }

    /// The AVX-512 and AVX2 kernels give the same bits (same fused multiply-adds in the same order).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn vector_kernels_agree_bit_for_bit() {
        if !(std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx2")) {
            return;
        }
        let mut r = Rng::new(10, 0);
        for &(k, n) in &[(11, 512), (512, 512), (7, 33), (5, 145), (3, 8), (9, 130), (4, 300), (2, 1)] {
            let mut x = vec![0.0; k];
            let mut w = vec![0.0; k * n];
            r.fill_uniform(&mut x, 1.0);
            r.fill_uniform(&mut w, 1.0);
            let (mut a, mut b) = (vec![0.5; n], vec![0.5; n]);
            // SAFETY: the CPU has both (checked above); `w` holds k*n values.
            unsafe {
                accumulate_cols_avx512(&mut a, &x, &w, n);
                accumulate_cols_avx2(&mut b, &x, &w, n);
            }
            assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()), "{k}x{n}");
        }
    }

    #[test]
    fn matches_portable_for_many_widths() {
        let mut r = Rng::new(9, 0);
        for &(k, n) in &[(1, 1), (2, 4), (11, 512), (7, 33), (5, 71), (3, 8), (9, 130), (4, 100)] {
            let mut x = vec![0.0; k];
            let mut w = vec![0.0; k * n];
            r.fill_uniform(&mut x, 1.0);
            r.fill_uniform(&mut w, 1.0);
            let mut a = vec![0.5; n];
            let mut b = vec![0.5; n];
            accumulate_row(&mut a, &x, &w);
            accumulate_cols_portable(&mut b, &x, &w, n);
            for (p, q) in a.iter().zip(&b) {
                assert!((p - q).abs() < 1e-5);
            }
        }
    }
}
