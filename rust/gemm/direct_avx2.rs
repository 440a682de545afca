//! `direct.rs`'s products with AVX2 and FMA, for CPUs without AVX-512F (AMD before Zen 4, most Intel
//! desktops): C's rows straight from the operands, `W` 8-wide vectors a row (`n ≤ 8·W ≤ 32`, the last one
//! masked at `n`), `R` rows a tile with `R·W ≤ 12` accumulators, so that they, B's row and a broadcast A value
//! stay in the 16 vector registers.
//!
//! Each value of C is summed as the packed 6×16 AVX2 kernel sums it (one fused multiply-add per k, in k
//! order, onto a zero start; then C when accumulating, the bias, relu and mask), and B's column sums as
//! `column_sums` does, so a product and its sums give the packed path's bits. Measured on an AMD EPYC
//! (Zen 3) host, one thread (`rbench/smallprod.rs`, two rounds): the products of one step of the `small`
//! workload took 1.8 µs here against 3.4-4.0 packed; its fit's step 3.7-3.9 µs against 5.4-5.5.

use std::arch::x86_64::*;

use super::{Epilogue, Operand};

/// Lanes `j < live` of an 8-wide vector set (all bits), the others clear: a mask for `_mm256_maskload_ps`.
#[inline]
#[target_feature(enable = "avx2")]
fn lanes(live: usize) -> __m256i {
    _mm256_cmpgt_epi32(_mm256_set1_epi32(live.min(8) as i32), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
}

/// All rows of C, `R` at a time (`R` by C's width), then 4, 2 and 1; B's column sums (if asked for) with
/// the first tile.
///
/// # Safety
/// The CPU has AVX2 and FMA; `c` holds `m*n` values, `0 < n ≤ 32`; B's rows `0..k` hold `n` values at
/// stride `ldb`; A covers `m × k` through its strides; the bias (if any) holds `n` values, the mask `m*n`
/// and the sums `n`.
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn rows_avx2(
    c: &mut [f32],
    a: Operand<'_>,
    b: &[f32],
    ldb: usize,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    epi: Epilogue<'_>,
    sums: Option<&mut [f32]>,
) {
    let args =
        Args { c: c.as_mut_ptr(), a, b: b.as_ptr(), ldb, k, n, accumulate, epi, tail: lanes(n - 8 * ((n - 1) / 8)) };
    let mut sums = sums.map(|s| s.as_mut_ptr());
    // SAFETY: the caller's contract; each width's rows are those of `rows`.
    unsafe {
        match n.div_ceil(8) {
            1 => rows::<1, 8>(&args, m, &mut sums),
            2 => rows::<2, 6>(&args, m, &mut sums),
            3 => rows::<3, 4>(&args, m, &mut sums),
            _ => rows::<4, 3>(&args, m, &mut sums),
        }
    }
}

/// What every tile of one product shares.
struct Args<'a> {
    c: *mut f32,
    a: Operand<'a>,
    b: *const f32,
    ldb: usize,
    k: usize,
    n: usize,
    accumulate: bool,
    epi: Epilogue<'a>,
    /// The lanes of the last vector of a row that lie inside C.
    tail: __m256i,
}

/// The rows `0..m` in tiles of `R`, then of 4, 2 and 1 (`R ≤ 8`, so those cover what is left).
///
/// # Safety
/// As for `rows_avx2`, with `W` = ⌈n/8⌉; `sums`, if set, points to `n` writable values.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn rows<const W: usize, const R: usize>(args: &Args<'_>, m: usize, sums: &mut Option<*mut f32>) {
    let mut i = 0;
    // SAFETY: each call covers rows i..i+rows, which exist (the loop bounds).
    unsafe {
        while i + R <= m {
            tile_any::<W, R>(args, i, sums);
            i += R;
        }
        if R > 4 && i + 4 <= m {
            tile_any::<W, 4>(args, i, sums);
            i += 4;
        }
        if R > 2 && i + 2 <= m {
            tile_any::<W, 2>(args, i, sums);
            i += 2;
        }
        if R > 1 && i < m {
            tile_any::<W, 1>(args, i, sums);
        }
    }
}

/// `tile` with its flags as constants: whether it takes B's column sums (the first tile, if asked) and
/// whether A's rows are 1 apart (a kernel gradient's `Xᵀ`).
///
/// # Safety
/// As for `tile`.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn tile_any<const W: usize, const R: usize>(args: &Args<'_>, i: usize, sums: &mut Option<*mut f32>) {
    // SAFETY: forwarded.
    unsafe {
        match (sums.take(), args.a.rs == 1) {
            (Some(s), true) => tile::<W, R, true, true>(args, i, s),
            (Some(s), false) => tile::<W, R, true, false>(args, i, s),
            (None, true) => tile::<W, R, false, true>(args, i, std::ptr::null_mut()),
            (None, false) => tile::<W, R, false, false>(args, i, std::ptr::null_mut()),
        }
    }
}

/// Rows `i..i+R` of C, `W` vectors each; with `SUM`, also `sums[j] = Σ_p B[p][j]` for `j < n`, each B row
/// added as it is loaded. `UNIT`: A's rows are 1 apart, so a step's `R` values of A lie at fixed offsets from
/// one pointer.
///
/// # Safety
/// As for `rows_avx2`, and `i + R ≤ m`; `W` = ⌈n/8⌉; `UNIT` is `a.rs == 1`; with `SUM`, `sums` points to
/// `n` writable values.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn tile<const W: usize, const R: usize, const SUM: bool, const UNIT: bool>(
    args: &Args<'_>,
    i: usize,
    sums: *mut f32,
) {
    let &Args { c, a, b, ldb, k, n, accumulate, epi, tail } = args;
    let full = n == 8 * W;
    // Vector h of the row at `p`: whole, or masked at C's width for the last one.
    let load = |p: *const f32, h: usize| {
        // SAFETY: the callers pass rows of `n` values; the mask keeps the last vector inside them.
        unsafe {
            if h + 1 < W || full {
                _mm256_loadu_ps(p.add(8 * h))
            } else {
                _mm256_maskload_ps(p.add(8 * h), tail)
            }
        }
    };
    let store = |p: *mut f32, h: usize, v: __m256| {
        // SAFETY: as for `load`.
        unsafe {
            if h + 1 < W || full {
                _mm256_storeu_ps(p.add(8 * h), v)
            } else {
                _mm256_maskstore_ps(p.add(8 * h), tail, v)
            }
        }
    };
    // SAFETY: every pointer below stays inside its operand by the function's contract.
    unsafe {
        let mut acc = [[_mm256_setzero_ps(); W]; R];
        let mut colsum = [_mm256_setzero_ps(); W];
        let ap = a.data.as_ptr().add(i * a.rs);
        for p in 0..k {
            let brow = b.add(p * ldb);
            let mut bv = [_mm256_setzero_ps(); W];
            for (h, v) in bv.iter_mut().enumerate() {
                *v = load(brow, h);
            }
            if SUM {
                for (s, &v) in colsum.iter_mut().zip(&bv) {
                    *s = _mm256_add_ps(*s, v);
                }
            }
            let col = ap.add(p * a.cs);
            for (r, acc) in acc.iter_mut().enumerate() {
                let av = _mm256_broadcast_ss(&*col.add(if UNIT { r } else { r * a.rs }));
                for (s, &v) in acc.iter_mut().zip(&bv) {
                    *s = _mm256_fmadd_ps(av, v, *s);
                }
            }
        }
        if SUM {
            for (h, &s) in colsum.iter().enumerate() {
                store(sums, h, s);
            }
        }
        let zero = _mm256_setzero_ps();
        for (r, acc) in acc.iter().enumerate() {
            let at = (i + r) * n;
            for (h, &s) in acc.iter().enumerate() {
                let mut v = s;
                if accumulate {
                    v = _mm256_add_ps(load(c.add(at), h), v);
                }
                if let Some(x) = epi.bias {
                    v = _mm256_add_ps(v, load(x.as_ptr(), h));
                }
                if epi.relu {
                    // Ordered "less than": false for NaN, which therefore passes through.
                    v = _mm256_andnot_ps(_mm256_cmp_ps::<_CMP_LT_OQ>(v, zero), v);
                }
                if let Some(x) = epi.mask {
                    v = _mm256_andnot_ps(_mm256_cmp_ps::<_CMP_LE_OQ>(load(x.as_ptr().add(at), h), zero), v);
                }
                store(c.add(at), h, v);
            }
        }
    }
}
