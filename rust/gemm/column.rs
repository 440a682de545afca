//! A one-unit layer's forward product, `C = A·b` for a row-major A and one column b (`k` a multiple of 8):
//! each row's `dot` (small.rs) with its bits, eight partial sums per row in vector lanes, then a transpose
//! that sums the lanes of many rows at once in lane order (instead of one horizontal sum per row). Sixteen
//! rows at a time with AVX-512F, eight with AVX2.

/// `lane_sums!(BITS, v, start, lo, hi)`: the sums of eight vectors' lanes (`v`, one row's eight partial sums
/// each) in lane order, from `start` and then plus `start` (`dot`'s start and its empty tail): the in-lane
/// steps of an 8×8 transpose with the intrinsics of 256- or 512-bit vectors, then `lo`/`hi`, which join two
/// vectors' first or second 128 bits (within each 256), so that lane `l` of every row lines up in the `l`-th
/// vector.
#[cfg(target_arch = "x86_64")]
macro_rules! lane_sums {
    (256, $($args:tt)*) => {
        lane_sums!(
            @with _mm256_unpacklo_ps, _mm256_unpackhi_ps, _mm256_shuffle_ps, _mm256_add_ps, _mm256_set1_ps;
            $($args)*
        )
    };
    (512, $($args:tt)*) => {
        lane_sums!(
            @with _mm512_unpacklo_ps, _mm512_unpackhi_ps, _mm512_shuffle_ps, _mm512_add_ps, _mm512_set1_ps;
            $($args)*
        )
    };
    (
        @with $unpacklo:ident, $unpackhi:ident, $shuffle:ident, $add:ident, $set1:ident;
        $v:expr, $start:expr, $lo:expr, $hi:expr
    ) => {{
        let u = |x, y| ($unpacklo(x, y), $unpackhi(x, y));
        let (a0, a1) = u($v[0], $v[1]);
        let (a2, a3) = u($v[2], $v[3]);
        let (a4, a5) = u($v[4], $v[5]);
        let (a6, a7) = u($v[6], $v[7]);
        let (b0, b1) = ($shuffle::<0x44>(a0, a2), $shuffle::<0xEE>(a0, a2));
        let (b2, b3) = ($shuffle::<0x44>(a1, a3), $shuffle::<0xEE>(a1, a3));
        let (b4, b5) = ($shuffle::<0x44>(a4, a6), $shuffle::<0xEE>(a4, a6));
        let (b6, b7) = ($shuffle::<0x44>(a5, a7), $shuffle::<0xEE>(a5, a7));
        let (lo, hi) = ($lo, $hi);
        let t = [lo(b0, b4), lo(b1, b5), lo(b2, b6), lo(b3, b7), hi(b0, b4), hi(b1, b5), hi(b2, b6), hi(b3, b7)];
        let mut s = $set1($start);
        for tl in t {
            s = $add(s, tl);
        }
        $add(s, $set1($start))
    }};
}

/// `C[i] += dot(row i of A, col)` for the first rows of `c` in blocks of 16 (with `avx512`) and then of 8:
/// returns how many rows it did (the rest are `m % 8`).
///
/// # Safety
/// AVX2 and FMA are available, and AVX-512F if `avx512`; `col.len()` is a multiple of 8; `c` holds `m`
/// values; A holds `(m - 1) * lda + col.len()` values (if `m > 0`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn rows(c: &mut [f32], a: &[f32], lda: usize, col: &[f32], m: usize, avx512: bool) -> usize {
    let mut i0 = 0;
    // SAFETY: rows i0..i0 + 16 (or + 8) of A exist and hold `col.len()` values (the function's contract).
    unsafe {
        while avx512 && i0 + 16 <= m {
            let s = one_column16(&a[i0 * lda..], lda, col);
            c[i0..i0 + 16].iter_mut().zip(s).for_each(|(o, v)| *o += v);
            i0 += 16;
        }
        while i0 + 8 <= m {
            let s = one_column8(&a[i0 * lda..], lda, col);
            c[i0..i0 + 8].iter_mut().zip(s).for_each(|(o, v)| *o += v);
            i0 += 8;
        }
    }
    i0
}

/// `dot(row, col)` of eight rows of A (`lda` apart, `col.len()` a multiple of 8), with `dot`'s bits: each row's
/// eight partial sums in vector lanes, then the eight rows' sums of their lanes, in lane order, as one
/// transposed pass (instead of eight horizontal sums).
///
/// # Safety
/// AVX2 is available; `a` holds `7 * lda + col.len()` values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn one_column8(a: &[f32], lda: usize, col: &[f32]) -> [f32; 8] {
    use std::arch::x86_64::*;
    let k = col.len();
    // The start of an `f32` sum (as `dot`'s `Iterator::sum` begins it), and `dot`'s tail, empty here.
    let start: f32 = [0.0f32; 0].iter().sum();
    // SAFETY: every load is of eight values inside `a` (rows `r < 8`, columns `p + 8 ≤ k`) or `col`.
    unsafe {
        let mut v = [_mm256_setzero_ps(); 8];
        for (r, acc) in v.iter_mut().enumerate() {
            let row = a.as_ptr().add(r * lda);
            for p in (0..k).step_by(8) {
                let prod = _mm256_mul_ps(_mm256_loadu_ps(row.add(p)), _mm256_loadu_ps(col.as_ptr().add(p)));
                *acc = _mm256_add_ps(*acc, prod);
            }
        }
        // Transpose: t[l] holds lane l of the eight rows.
        let lo = |x, y| _mm256_permute2f128_ps::<0x20>(x, y);
        let hi = |x, y| _mm256_permute2f128_ps::<0x31>(x, y);
        let s = lane_sums!(256, v, start, lo, hi);
        let mut out = [0.0f32; 8];
        _mm256_storeu_ps(out.as_mut_ptr(), s);
        out
    }
}

/// `one_column8` for sixteen rows with AVX-512F: row `r` in the low half of a vector and row `r + 8` in its
/// high half, so that the eight-row transpose, done in both halves at once, sums all sixteen (its last
/// step, which crosses 128-bit lanes, keeps to each half).
///
/// # Safety
/// AVX-512F is available; `a` holds `15 * lda + col.len()` values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn one_column16(a: &[f32], lda: usize, col: &[f32]) -> [f32; 16] {
    use std::arch::x86_64::*;
    let k = col.len();
    let start: f32 = [0.0f32; 0].iter().sum();
    // Two eight-value pieces as the low and high halves of one vector.
    let pair = |lo: __m256, hi: __m256| {
        _mm512_castpd_ps(_mm512_insertf64x4::<1>(_mm512_castpd256_pd512(_mm256_castps_pd(lo)), _mm256_castps_pd(hi)))
    };
    // SAFETY: every load is of eight values inside `a` (rows `r < 16`, columns `p + 8 ≤ k`) or `col`.
    unsafe {
        let mut v = [_mm512_setzero_ps(); 8];
        for p in (0..k).step_by(8) {
            let c8 = _mm256_loadu_ps(col.as_ptr().add(p));
            let cv = pair(c8, c8);
            for (r, acc) in v.iter_mut().enumerate() {
                let lo = _mm256_loadu_ps(a.as_ptr().add(r * lda + p));
                let hi = _mm256_loadu_ps(a.as_ptr().add((r + 8) * lda + p));
                *acc = _mm512_add_ps(*acc, _mm512_mul_ps(pair(lo, hi), cv));
            }
        }
        // `one_column8`'s transpose: its in-lane steps act on each 128-bit lane alike, and its last step
        // (`permute2f128` with 0x20 and 0x31: x's first or second 128 bits, then y's) is made within each half.
        let lo_idx = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
        let hi_idx = _mm512_setr_epi32(4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
        let lo = |x, y| _mm512_permutex2var_ps(x, lo_idx, y);
        let hi = |x, y| _mm512_permutex2var_ps(x, hi_idx, y);
        let s = lane_sums!(512, v, start, lo, hi);
        let mut out = [0.0f32; 16];
        _mm512_storeu_ps(out.as_mut_ptr(), s);
        out
    }
}
