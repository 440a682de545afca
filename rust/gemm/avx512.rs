//! The AVX-512F micro-kernel: `C[12×32] (+)= Ã[12×kc] · B̃[kc×32]`, then the epilogue.
//!
//! Twenty-four 16-wide accumulators (of the 32 zmm registers) stay in registers for the whole k loop; each
//! step loads two B vectors and feeds each of the 12 A values, broadcast from memory, to two FMAs. With two
//! 512-bit FMA pipes that is 12 cycles of FMAs per step against 14 loads. A packed Ã sliver is read at
//! constant offsets; the rows of an unpacked row-major A from four pointers (rows 0, 3, 6, 9) plus the
//! offsets 0, `ars` and `2*ars`, which fit x86 addressing modes.

use super::kernel::{Epilogue, Micro};

/// Rows of the tile.
pub(super) const MR: usize = 12;
/// Columns of the tile.
pub(super) const NR: usize = 32;

/// The AVX-512F kernel.
pub(super) struct Avx512;

impl Micro<MR, NR> for Avx512 {
    const MC: usize = 144;

    unsafe fn tile(
        kc: usize,
        a: *const f32,
        (ars, acs): (usize, usize),
        b: *const f32,
        c: *mut f32,
        ldc: usize,
        acc: bool,
        epi: Epilogue<'_>,
    ) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: forwarded from the caller, who guarantees the CPU has AVX-512F.
        unsafe {
            tile_avx512(kc, a, (ars, acs), b, c, ldc, acc, epi)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            // SAFETY: forwarded from the caller.
            let (a, b, c) = unsafe {
                (
                    std::slice::from_raw_parts(a, (MR - 1) * ars + (kc - 1) * acs + 1),
                    std::slice::from_raw_parts(b, kc * NR),
                    std::slice::from_raw_parts_mut(c, (MR - 1) * ldc + NR),
                )
            };
            super::kernel::portable::<MR, NR>(kc, (a, ars, acs), b, c, ldc, acc, epi)
        }
    }
}

/// The k loop: `acc[i] += Ã[i, k] · B̃[k, ..]` for k in order, Ã packed (`PACKED`: `ars = 1, acs = MR`)
/// or read through its strides.
///
/// # Safety
/// As for [`Micro::tile`], and the CPU has AVX-512F (the caller's `target_feature` is inlined here).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn fma_steps<const PACKED: bool>(
    kc: usize,
    a: *const f32,
    (ars, acs): (usize, usize),
    b: *const f32,
    acc: &mut [[std::arch::x86_64::__m512; 2]; MR],
) {
    use std::arch::x86_64::*;
    let (ars, acs) = if PACKED { (1, MR) } else { (ars, acs) };
    // SAFETY: the caller guarantees that Ã's (MR-1)*ars + (kc-1)*acs + 1 values and B̃'s kc*NR are readable.
    unsafe {
        let mut ap = [a, a.add(3 * ars), a.add(6 * ars), a.add(9 * ars)];
        let mut bp = b;
        for _ in 0..kc {
            let b0 = _mm512_loadu_ps(bp);
            let b1 = _mm512_loadu_ps(bp.add(16));
            for (i, ci) in acc.iter_mut().enumerate() {
                let av = _mm512_set1_ps(*ap[i / 3].add((i % 3) * ars));
                ci[0] = _mm512_fmadd_ps(av, b0, ci[0]);
                ci[1] = _mm512_fmadd_ps(av, b1, ci[1]);
            }
            for p in &mut ap {
                *p = p.add(acs);
            }
            bp = bp.add(NR);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn tile_avx512(
    kc: usize,
    a: *const f32,
    strides: (usize, usize),
    b: *const f32,
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
    epi: Epilogue<'_>,
) {
    use std::arch::x86_64::*;
    // SAFETY: the caller guarantees that `a` reaches Ã's values and `b` has kc*NR readable values, that `c`
    // (and the mask, if any) address MR rows of NR values at stride `ldc`, and that the bias has NR values.
    unsafe {
        let mut acc = [[_mm512_setzero_ps(); 2]; MR];
        if strides == (1, MR) {
            fma_steps::<true>(kc, a, strides, b, &mut acc);
        } else {
            fma_steps::<false>(kc, a, strides, b, &mut acc);
        }
        let zero = _mm512_setzero_ps();
        let bias = epi.bias.map(|b| (_mm512_loadu_ps(b.as_ptr()), _mm512_loadu_ps(b.as_ptr().add(16))));
        for (i, ci) in acc.iter().enumerate() {
            let (p0, p1) = (c.add(i * ldc), c.add(i * ldc + 16));
            let (mut v0, mut v1) = (ci[0], ci[1]);
            if accumulate {
                v0 = _mm512_add_ps(_mm512_loadu_ps(p0), v0);
                v1 = _mm512_add_ps(_mm512_loadu_ps(p1), v1);
            }
            if let Some((b0, b1)) = bias {
                v0 = _mm512_add_ps(v0, b0);
                v1 = _mm512_add_ps(v1, b1);
            }
            if epi.relu {
                // Ordered "less than": false for NaN, which therefore passes through.
                v0 = _mm512_mask_mov_ps(v0, _mm512_cmp_ps_mask::<_CMP_LT_OQ>(v0, zero), zero);
                v1 = _mm512_mask_mov_ps(v1, _mm512_cmp_ps_mask::<_CMP_LT_OQ>(v1, zero), zero);
            }
            if let Some(m) = epi.mask {
                let mp = m.as_ptr().add(i * ldc);
                v0 = _mm512_mask_mov_ps(v0, _mm512_cmp_ps_mask::<_CMP_LE_OQ>(_mm512_loadu_ps(mp), zero), zero);
                v1 = _mm512_mask_mov_ps(v1, _mm512_cmp_ps_mask::<_CMP_LE_OQ>(_mm512_loadu_ps(mp.add(16)), zero), zero);
            }
            _mm512_storeu_ps(p0, v0);
            _mm512_storeu_ps(p1, v1);
        }
    }
}
