//! Products small enough that packing costs more than the arithmetic (a 32-row step of a 16-unit network:
//! `32×8·8×16`, `16×32·32×16`, and the one-deep `32×1·1×16` of a one-unit layer's input gradient): C's
//! rows are computed straight from the operands, up to 32 columns of C (two 16-wide vectors) a row, eight
//! rows at a time, with AVX-512F, or (`direct_avx2.rs`) four 8-wide vectors with AVX2 and FMA. A transposed
//! B (the input gradient's `dZ·Wᵀ`) is first copied row-major into the thread's B pack buffer.
//!
//! Each value of C is summed exactly as the packed kernels sum it: one fused multiply-add per k, in k
//! order, onto a zero start (one K panel: `k ≤ KC`), then C added when accumulating, then the bias, relu
//! and mask. So a product gives the same bits here as through the packed path. Asked for B's column sums
//! (a kernel gradient's bias gradient), the first tile adds each B row it loads onto them, in row order
//! from zero as `column_sums` does: their additions run beside the tile's multiply-adds, instead of in a
//! pass of their own.

use super::{Epilogue, Isa, Operand, KC, THIN};

/// Widest C handled here (two 16-wide vectors a row).
const MAX_N: usize = 32;
/// Most multiply-adds handled here; above it packing pays for itself.
const MAX_MACS: usize = 1 << 16;

/// Whether `gemm` sends a product of this shape here: a vector kernel (`isa` AVX-512F or AVX2), `k ≤ KC`,
/// `THIN < n ≤ 32` and little work, and `k` either above `THIN` or 1. (A thinner product goes to `small.rs`,
/// except a one-deep one: with k = 1 both paths round each value once, so this kernel gives the same bits,
/// and faster.)
pub(super) fn takes(m: usize, k: usize, n: usize, isa: Isa) -> bool {
    isa != Isa::Portable
        && (k > THIN || k == 1)
        && k <= KC
        && n > THIN
        && n <= MAX_N
        && m.saturating_mul(k).saturating_mul(n) <= MAX_MACS
}

/// `C(m×n) (+)= A·B`, then the epilogue, and B's column sums into `sums` if given (it then holds at least
/// `n` values). Returns whether it took the sums. The caller has checked `takes` for `isa` (which the CPU
/// runs), that `c` holds `m*n` values, that the operands cover their shapes and the epilogue is long enough,
/// and `m, k, n > 0`.
#[allow(clippy::too_many_arguments)]
pub(super) fn gemm_direct(
    isa: Isa,
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    epi: Epilogue<'_>,
    sums: Option<&mut [f32]>,
) -> bool {
    if b.cs == 1 {
        return run(isa, c, a, b.data, b.rs, (m, k, n), accumulate, epi, sums);
    }
    let mut summed = false;
    crate::scratch::with_buffer(&crate::scratch::PACK_B, crate::scratch::PACK_B_LEN, k * n, |bt| {
        #[cfg(target_arch = "x86_64")]
        let gathered = b.rs == 1
            && isa == Isa::Avx512
            && bt.len() >= k * n
            && b.data.len() > (n - 1) * b.cs + (k - 1)
            && (n - 1) * b.cs + k <= i32::MAX as usize;
        #[cfg(not(target_arch = "x86_64"))]
        let gathered = false;
        if gathered {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the CPU has AVX-512F, `bt` holds k·n values, and every B value read lies in `b.data`
            // at an offset that fits an i32 (all just checked).
            unsafe {
                super::avx512::transpose(bt, b.data, b.cs, k, n)
            };
        } else if b.rs == 1 {
            // A transposed operand: each column of B is a contiguous run of k values. The 8×8 blocks in
            // registers, then the columns and rows they leave.
            #[cfg(target_arch = "x86_64")]
            let (rows, cols) = if std::is_x86_feature_detected!("avx") {
                // SAFETY: the CPU has AVX (just checked); the function checks its slices.
                (unsafe { super::pack::transposed_b_avx(bt, n, n, b, 0, k, 0) }, n / 8 * 8)
            } else {
                (0, 0)
            };
            #[cfg(not(target_arch = "x86_64"))]
            let (rows, cols) = (0, 0);
            for j in 0..n {
                let col = &b.data[j * b.cs..j * b.cs + k];
                let done = if j < cols { rows } else { 0 };
                bt.chunks_exact_mut(n).zip(col).skip(done).for_each(|(row, &v)| row[j] = v);
            }
        } else {
            for (p, row) in bt.chunks_exact_mut(n).enumerate() {
                for (j, v) in row.iter_mut().enumerate() {
                    *v = b.data[p * b.rs + j * b.cs];
                }
            }
        }
        summed = run(isa, c, a, bt, n, (m, k, n), accumulate, epi, sums);
    });
    summed
}

/// The product with a row-major B of row stride `ldb` (and B's column sums, as `gemm_direct`), with `isa`'s
/// kernel.
#[allow(clippy::too_many_arguments)]
fn run(
    isa: Isa,
    c: &mut [f32],
    a: Operand<'_>,
    b: &[f32],
    ldb: usize,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    epi: Epilogue<'_>,
    sums: Option<&mut [f32]>,
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        let c = &mut c[..m * n];
        // Every B row read, every A value, bias, mask and sum entry lies in its slice (checked by the caller).
        let fits = b.len() >= (k - 1) * ldb + n
            && a.data.len() > (m - 1) * a.rs + (k - 1) * a.cs
            && epi.bias.is_none_or(|x| x.len() >= n)
            && epi.mask.is_none_or(|x| x.len() >= m * n)
            && sums.as_ref().is_none_or(|x| x.len() >= n);
        let summed = sums.is_some();
        if fits && n <= MAX_N && isa == Isa::Avx512 && isa.available() {
            // SAFETY: the CPU has AVX-512F (just checked) and the slices cover every access (`fits`).
            unsafe { rows_avx512(c, a, b, ldb, (m, k, n), accumulate, epi, sums) };
            return summed;
        }
        if fits && n <= MAX_N && Isa::Avx2.available() {
            // SAFETY: the CPU has AVX2 and FMA (just checked) and the slices cover every access (`fits`).
            unsafe { super::direct_avx2::rows_avx2(c, a, b, ldb, (m, k, n), accumulate, epi, sums) };
            return summed;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (isa, c, a, b, ldb, m, k, n, accumulate, epi, sums); // `takes` is false off x86-64
    false
}

/// All rows of C, eight at a time, then four, two and one; B's column sums (if asked for) with the first
/// tile.
///
/// # Safety
/// The CPU has AVX-512F; `c` holds `m*n` values, `n ≤ 32`; B's rows `0..k` hold `n` values at stride `ldb`;
/// A covers `m × k` through its strides; the bias (if any) holds `n` values, the mask `m*n` and the sums `n`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn rows_avx512(
    c: &mut [f32],
    a: Operand<'_>,
    b: &[f32],
    ldb: usize,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    epi: Epilogue<'_>,
    mut sums: Option<&mut [f32]>,
) {
    let mut i = 0;
    // SAFETY: each call covers rows i..i+R, which exist (the loop bounds); the caller's contract covers the rest.
    unsafe {
        while i + 8 <= m {
            tile_summing::<8>(c, a, b, ldb, (i, k, n), accumulate, epi, &mut sums);
            i += 8;
        }
        if i + 4 <= m {
            tile_summing::<4>(c, a, b, ldb, (i, k, n), accumulate, epi, &mut sums);
            i += 4;
        }
        if i + 2 <= m {
            tile_summing::<2>(c, a, b, ldb, (i, k, n), accumulate, epi, &mut sums);
            i += 2;
        }
        if i < m {
            tile_summing::<1>(c, a, b, ldb, (i, k, n), accumulate, epi, &mut sums);
        }
    }
}

/// `tile` for `n` (`at.2`) one or two vectors wide and A's rows 1 apart or not, taking B's column sums into
/// `sums` if they are still to be taken (the first tile of a product).
///
/// # Safety
/// As for `tile`, and `sums` (if any) holds `n` values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
#[allow(clippy::too_many_arguments)]
unsafe fn tile_summing<const R: usize>(
    c: &mut [f32],
    a: Operand<'_>,
    b: &[f32],
    ldb: usize,
    at: (usize, usize, usize),
    accumulate: bool,
    epi: Epilogue<'_>,
    sums: &mut Option<&mut [f32]>,
) {
    let (sum, to) = sums.take().map_or((false, std::ptr::null_mut()), |s| (true, s.as_mut_ptr()));
    // `tile` with its flags as constants: whether it sums B's columns, C is two vectors wide, A's rows are 1
    // apart.
    macro_rules! tile {
        ($sum:literal, $wide:literal, $unit:literal) => {
            tile::<R, $sum, $wide, $unit>(c, a, b, ldb, at, accumulate, epi, to)
        };
    }
    // SAFETY: the caller's contract, and `to` points to `sums`'s `n` values when `sum`.
    unsafe {
        match (sum, at.2 > 16, a.rs == 1) {
            (true, true, true) => tile!(true, true, true),
            (true, true, false) => tile!(true, true, false),
            (true, false, true) => tile!(true, false, true),
            (true, false, false) => tile!(true, false, false),
            (false, true, true) => tile!(false, true, true),
            (false, true, false) => tile!(false, true, false),
            (false, false, true) => tile!(false, false, true),
            (false, false, false) => tile!(false, false, false),
        }
    }
}

/// Rows `i..i+R` of C: `R` accumulators, or `R × 2` if `WIDE` (`n > 16`), masked at `n`. With `SUM`, also
/// `sums[j] = Σ_p B[p][j]` for `j < n`, each B row added as it is loaded. (`WIDE` as a constant rather than
/// a test inside the loop: small's step 1.95 → 1.85 µs in `rbench/smallbench.rs`.) `UNIT` says that A's
/// rows are 1 apart (a kernel gradient's `Xᵀ`): a step's R values of A then lie at fixed offsets from one
/// pointer, which spares the loop the address arithmetic of R rows a runtime stride apart: `rbench/smallprod.rs`
/// timed small's kernel gradients `8×32·32×16` and `16×32·32×16` at 98 → 81 and 167 → 155 ns, and an
/// `8×256·256×16` one at 566 → 491 ns.
///
/// # Safety
/// As for `rows_avx512`, and `i + R ≤ m`; `WIDE` is `n > 16`; `UNIT` is `a.rs == 1`; with `SUM`, `sums`
/// points to `n` writable values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
#[allow(clippy::too_many_arguments)]
unsafe fn tile<const R: usize, const SUM: bool, const WIDE: bool, const UNIT: bool>(
    c: &mut [f32],
    a: Operand<'_>,
    b: &[f32],
    ldb: usize,
    (i, k, n): (usize, usize, usize),
    accumulate: bool,
    epi: Epilogue<'_>,
    sums: *mut f32,
) {
    use std::arch::x86_64::*;
    let wide = WIDE;
    // Lanes of the first and second vector that lie inside C.
    let m0: __mmask16 = if n >= 16 { 0xffff } else { (1u16 << n) - 1 };
    let m1: __mmask16 = if n >= 32 {
        0xffff
    } else if wide {
        (1u16 << (n - 16)) - 1
    } else {
        0
    };
    // SAFETY: every pointer below stays inside its slice by the function's contract; masked-off lanes are
    // neither read nor written.
    unsafe {
        let mut acc = [[_mm512_setzero_ps(); 2]; R];
        // B's column sums, from zero in row order (`column_sums`'s order), when `SUM`.
        let mut colsum = [_mm512_setzero_ps(); 2];
        let ap = a.data.as_ptr().add(i * a.rs);
        let bp = b.as_ptr();
        for p in 0..k {
            let brow = bp.add(p * ldb);
            let b0 = _mm512_maskz_loadu_ps(m0, brow);
            let b1 = if wide { _mm512_maskz_loadu_ps(m1, brow.add(16)) } else { _mm512_setzero_ps() };
            if SUM {
                colsum[0] = _mm512_add_ps(colsum[0], b0);
                if wide {
                    colsum[1] = _mm512_add_ps(colsum[1], b1);
                }
            }
            let col = ap.add(p * a.cs);
            for (r, acc) in acc.iter_mut().enumerate() {
                let av = _mm512_set1_ps(*col.add(if UNIT { r } else { r * a.rs }));
                acc[0] = _mm512_fmadd_ps(av, b0, acc[0]);
                if wide {
                    acc[1] = _mm512_fmadd_ps(av, b1, acc[1]);
                }
            }
        }
        if SUM {
            _mm512_mask_storeu_ps(sums, m0, colsum[0]);
            if wide {
                _mm512_mask_storeu_ps(sums.add(16), m1, colsum[1]);
            }
        }
        let zero = _mm512_setzero_ps();
        let bias = epi.bias.map(|x| {
            let x = x.as_ptr();
            (_mm512_maskz_loadu_ps(m0, x), if wide { _mm512_maskz_loadu_ps(m1, x.add(16)) } else { zero })
        });
        let cp = c.as_mut_ptr();
        for (r, acc) in acc.iter().enumerate() {
            for (h, lanes) in [(0, m0), (1, m1)] {
                if h == 1 && !wide {
                    break;
                }
                let at = (i + r) * n + 16 * h;
                let mut v = acc[h];
                if accumulate {
                    v = _mm512_add_ps(_mm512_maskz_loadu_ps(lanes, cp.add(at)), v);
                }
                if let Some((b0, b1)) = bias {
                    v = _mm512_add_ps(v, if h == 0 { b0 } else { b1 });
                }
                if epi.relu {
                    // Ordered "less than": false for NaN, which therefore passes through.
                    v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask::<_CMP_LT_OQ>(v, zero), zero);
                }
                if let Some(mask) = epi.mask {
                    let mv = _mm512_maskz_loadu_ps(lanes, mask.as_ptr().add(at));
                    // Lanes outside C load as 0 and are zeroed too, but they are not stored.
                    v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask::<_CMP_LE_OQ>(mv, zero), zero);
                }
                _mm512_mask_storeu_ps(cp.add(at), lanes, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{gemm_with, Epilogue, Isa, Operand};
    use super::takes;
    use crate::rng::Rng;

    /// The direct path gives the packed kernel's bits: each vector kernel the CPU has (direct for these
    /// shapes) against the packed AVX2 kernel (or the shallow loop for k = 1), every layout, accumulate flag
    /// and epilogue, with NaNs and zeros in the mask and a NaN row.
    #[test]
    fn direct_products_match_the_packed_kernels_bit_for_bit() {
        if !Isa::Avx2.available() {
            return;
        }
        let kernels: Vec<Isa> = [Isa::Avx512, Isa::Avx2].into_iter().filter(|k| k.available()).collect();
        // The packed AVX2 path, or the shallow loop for a one-deep product, whatever the shape.
        fn packed(
            c: &mut [f32],
            a: Operand<'_>,
            b: Operand<'_>,
            mkn: (usize, usize, usize),
            acc: bool,
            epi: Epilogue<'_>,
        ) {
            if mkn.1 == 1 {
                super::super::small::gemm_thin(c, a, b, mkn, acc, Isa::Avx2, epi);
            } else {
                super::super::split::<6, 16, super::super::kernel::Avx2>((c, a, b, mkn, acc, 1, epi, None));
            }
        }
        let mut r = Rng::new(21, 0);
        // Every width of vectors and row tile, their edges, and one-deep products (a one-unit layer's dX).
        let shapes = [(32, 8, 16), (16, 32, 16), (8, 32, 16), (32, 16, 16), (7, 5, 9), (13, 40, 17), (8, 256, 32)];
        let more = [(100, 20, 30), (3, 7, 32), (15, 64, 24), (11, 9, 6), (9, 12, 20), (5, 6, 8), (14, 33, 24)];
        let one_deep = [(32, 1, 16), (7, 1, 9), (3, 1, 32), (100, 1, 30), (256, 1, 5)];
        for (m, k, n) in shapes.into_iter().chain(more).chain(one_deep) {
            assert!(kernels.iter().all(|&isa| takes(m, k, n, isa)), "{m}x{k}x{n} is not a direct shape");
            let (mut a, mut b, mut bias, mut mask) =
                (vec![0.0; m * k], vec![0.0; k * n], vec![0.0; n], vec![0.0; m * n]);
            for v in [&mut a, &mut b, &mut bias, &mut mask] {
                r.fill_uniform(v, 1.0);
            }
            mask.iter_mut().step_by(5).for_each(|x| *x = 0.0);
            mask[0] = f32::NAN;
            let row1 = k.min(m * k - 1);
            a[row1] = f32::NAN;
            let c0: Vec<f32> = (0..m * n).map(|x| (x % 5) as f32 * 0.5 - 1.0).collect();
            let at: Vec<f32> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect();
            let bt: Vec<f32> = (0..n * k).map(|i| b[(i % k) * n + i / k]).collect();
            let a_ops = [Operand { data: &a, rs: k, cs: 1 }, Operand { data: &at, rs: 1, cs: m }];
            let b_ops = [Operand { data: &b, rs: n, cs: 1 }, Operand { data: &bt, rs: 1, cs: k }];
            for (ao, bo) in a_ops.iter().flat_map(|&ao| b_ops.iter().map(move |&bo| (ao, bo))) {
                for combo in 0..16 {
                    let (bias_on, relu, mask_on, acc) = (combo & 1 > 0, combo & 2 > 0, combo & 4 > 0, combo & 8 > 0);
                    let epi = Epilogue { bias: bias_on.then_some(&bias[..]), relu, mask: mask_on.then_some(&mask[..]) };
                    let mut want = c0.clone();
                    packed(&mut want, ao, bo, (m, k, n), acc, epi);
                    for &isa in &kernels {
                        let mut direct = c0.clone();
                        gemm_with(isa, &mut direct, ao, bo, (m, k, n), acc, 1, epi);
                        let same = direct.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits());
                        assert!(same, "{isa:?} {m}x{k}x{n} a.cs={} b.cs={} combo={combo}", ao.cs, bo.cs);
                    }
                }
            }
        }
    }
}
