//! The AVX-512F micro-kernels: `C[12×32] (+)= Ã[12×kc] · B̃[kc×32]`, then the epilogue, and its 12×16
//! half for products at most 16 columns wide (a 10-class output layer), which the wide tile would pad
//! threefold.
//!
//! Twenty-four 16-wide accumulators (of the 32 zmm registers) stay in registers for the whole k loop; each
//! step loads two B vectors and feeds each of the 12 A values, broadcast from memory, to two FMAs. With two
//! 512-bit FMA pipes that is 12 cycles of FMAs per step against 14 loads (the narrow tile: 6 against 13).
//! A packed Ã sliver is read at constant offsets; an A read in place from four pointers (rows 0, 3, 6, 9)
//! plus the offsets 0, `ars` and `2*ars`, which fit x86 addressing modes.
//!
//! An A read in place is fetched ahead of the loads where the hardware prefetchers fall short (measured on
//! the Intel Xeon host, two threads): a column-major A (a weight gradient's `Xᵀ`) moves a row stride, 1 or 2
//! KB, each k step, so the loop prefetches the values [`AHEAD`] steps on into L1 (the weight gradients
//! +2-10%); a row-major A (a batch of activations) is read by the first B sliver's pass from wherever the
//! previous product left it, often the other core's cache, so during that pass each 12×32 tile prefetches
//! the next tile's rows into L2, a line a step (`next` of [`Micro::tile`]; the 256-row forward products in a fit
//! 6-10% faster, though 3-5% slower when the rows are already hot in L2, as in a micro-benchmark).
//!
//! Both have an 8-row version ([`Micro::tile8`]) for the last rows of a block whose height leaves 8 or 4
//! over a multiple of 12 (a 256-row batch is 21 × 12 + 4): the same code with 8 accumulator rows, so each
//! value is summed exactly as the 12-row tile sums it.

use super::kernel::{Epilogue, Micro};

/// Rows of the tile.
pub(super) const MR: usize = 12;
/// Columns of the wide tile.
pub(super) const NR: usize = 32;
/// Columns of the narrow tile.
pub(super) const NR_NARROW: usize = 16;

/// The AVX-512F kernel with `V` 16-wide vectors per row of the tile (1 or 2).
pub(super) struct Avx512<const V: usize>;

/// `Micro` for `Avx512<V>` (tiles `W` = 16·V wide), both heights through `tile_any`.
macro_rules! avx512_micro {
    ($v:literal, $w:expr) => {
        impl Micro<MR, { $w }> for Avx512<$v> {
            const MC: usize = 144;

            unsafe fn tile(
                kc: usize,
                a: *const f32,
                strides: (usize, usize),
                b: (*const f32, usize),
                c: *mut f32,
                ldc: usize,
                acc: bool,
                epi: Epilogue<'_>,
                next: Option<*const f32>,
            ) {
                // The narrow tile's k loop is half as long and already issues a load for every six
                // multiply-adds: fetching the next rows slowed it (a 10-class layer's forward product -14%).
                let next = next.filter(|_| $v == 2);
                // SAFETY: forwarded from the caller.
                unsafe { tile_any::<$v, { $w }, MR>(kc, a, strides, b, c, ldc, acc, epi, next) }
            }

            const TILE8: bool = true;

            unsafe fn tile8(
                kc: usize,
                a: *const f32,
                strides: (usize, usize),
                b: (*const f32, usize),
                c: *mut f32,
                ldc: usize,
                acc: bool,
                epi: Epilogue<'_>,
            ) {
                // SAFETY: forwarded from the caller.
                unsafe { tile_any::<$v, { $w }, 8>(kc, a, strides, b, c, ldc, acc, epi, None) }
            }
        }
    };
}

avx512_micro!(2, NR);
avx512_micro!(1, NR_NARROW);

/// One tile of `R` rows (12 or 8) of `V` vectors (`W = 16*V` columns): [`Micro::tile`]'s contract with `R`
/// rows (`next`, if any, is only prefetched).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn tile_any<const V: usize, const W: usize, const R: usize>(
    kc: usize,
    a: *const f32,
    (ars, acs): (usize, usize),
    b: (*const f32, usize),
    c: *mut f32,
    ldc: usize,
    acc: bool,
    epi: Epilogue<'_>,
    next: Option<*const f32>,
) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: forwarded from the caller, who guarantees the CPU has AVX-512F.
    unsafe {
        tile_avx512::<V, R>(kc, a, (ars, acs), b, c, ldc, acc, epi, next)
    }
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: forwarded from the caller.
    unsafe {
        let _ = next;
        super::kernel::portable_tile::<R, W>(kc, a, (ars, acs), b, c, ldc, acc, epi)
    }
}

/// What the k loop fetches besides its own operands (see the module documentation).
#[cfg(target_arch = "x86_64")]
mod fetch {
    /// Nothing.
    pub(super) const NONE: u8 = 0;
    /// A column-major A read in place: the values `AHEAD` steps on, into L1.
    pub(super) const AHEAD: u8 = 1;
    /// The next tile's A rows (row-major, read in place): one line a step, into L2.
    pub(super) const NEXT: u8 = 2;
}

/// How many k steps ahead a column-major A is fetched. Measured on the Intel Xeon host, two threads, the
/// weight gradients of the training steps: 8 steps ahead +2-10% (wine's 512×256·256×512 +7-10%); 4, 16 and
/// 24 steps no better.
#[cfg(target_arch = "x86_64")]
const AHEAD: usize = 8;

/// The k loop: `acc[i] += Ã[i, k] · B̃[k, ..]` for k in order, Ã packed (`PACKED`: `ars = 1, acs = MR`,
/// an `MR`-row sliver of which the first `R` rows are read) or read through its strides, B̃'s rows `ldb`
/// apart.
///
/// # Safety
/// As for [`Micro::tile`], and the CPU has AVX-512F (the caller's `target_feature` is inlined here).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn fma_steps<const PACKED: bool, const V: usize, const R: usize, const FETCH: u8>(
    kc: usize,
    a: *const f32,
    (ars, acs): (usize, usize),
    (b, ldb): (*const f32, usize),
    acc: &mut [[std::arch::x86_64::__m512; V]; R],
    next: *const f32,
) {
    use std::arch::x86_64::*;
    let (ars, acs) = if PACKED { (1, MR) } else { (ars, acs) };
    const { assert!(R == MR || R == 8) };
    // The addresses fetched are computed with `wrapping_add` and never read through: a prefetch of an
    // address past A's end does no harm.
    let mut ahead = a.wrapping_add(AHEAD * acs);
    // NEXT: line `line` of row `row` of the next tile, for the first `lines` steps (all of its rows' kc
    // values).
    let (mut row, mut line, lines) = (0, 0, R * kc.div_ceil(16));
    // SAFETY: the caller guarantees that Ã's (R-1)*ars + (kc-1)*acs + 1 values and B̃'s (kc-1)*ldb + 16*V
    // are readable (an 8-row tile's fourth pointer is its first, never read through).
    unsafe {
        let mut ap = [a, a.add(3 * ars), a.add(6 * ars), if R > 9 { a.add(9 * ars) } else { a }];
        let mut bp = b;
        for step in 0..kc {
            if FETCH == fetch::AHEAD {
                _mm_prefetch::<_MM_HINT_T0>(ahead.cast());
                ahead = ahead.wrapping_add(acs);
            } else if FETCH == fetch::NEXT && step < lines {
                _mm_prefetch::<_MM_HINT_T1>(next.wrapping_add(row * ars + 16 * line).cast());
                row += 1;
                if row == R {
                    (row, line) = (0, line + 1);
                }
            }
            let bv: [__m512; V] = std::array::from_fn(|v| _mm512_loadu_ps(bp.add(16 * v)));
            for (i, ci) in acc.iter_mut().enumerate() {
                let av = _mm512_set1_ps(*ap[i / 3].add((i % 3) * ars));
                for v in 0..V {
                    ci[v] = _mm512_fmadd_ps(av, bv[v], ci[v]);
                }
            }
            for (g, p) in ap.iter_mut().enumerate() {
                *p = p.add(acs);
                if !PACKED && 3 * g < R {
                    *p = opaque(*p);
                }
            }
            bp = bp.add(ldb);
        }
    }
}

/// `p`, which LLVM can no longer relate to other pointers: the k loop's row pointers go through it each
/// step, so that its loads stay at `p`, `p + ars` and `p + 2*ars` (addressing modes) instead of LLVM
/// deriving every row from the one before through a chain of adds carried from step to step (which it did
/// for the 12×16 and 8-row tiles: 20% slower). The asm is empty: it reads and writes no memory.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(clippy::pointers_in_nomem_asm_block)]
fn opaque(mut p: *const f32) -> *const f32 {
    // SAFETY: an empty asm that only passes the register through.
    unsafe { std::arch::asm!("/* {0} */", inout(reg) p, options(pure, nomem, nostack, preserves_flags)) };
    p
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn tile_avx512<const V: usize, const R: usize>(
    kc: usize,
    a: *const f32,
    strides: (usize, usize),
    b: (*const f32, usize),
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
    epi: Epilogue<'_>,
    next: Option<*const f32>,
) {
    use fetch::{AHEAD, NEXT, NONE};
    // Each branch has its own accumulators from start to store (see `tile_body` for why they stay in
    // registers).
    // SAFETY: forwarded from the caller.
    unsafe {
        match next {
            _ if strides == (1, MR) => tile_body::<true, V, R, NONE>(kc, a, strides, b, c, ldc, accumulate, epi, a),
            _ if strides.0 == 1 => tile_body::<false, V, R, AHEAD>(kc, a, strides, b, c, ldc, accumulate, epi, a),
            Some(n) => tile_body::<false, V, R, NEXT>(kc, a, strides, b, c, ldc, accumulate, epi, n),
            None => tile_body::<false, V, R, NONE>(kc, a, strides, b, c, ldc, accumulate, epi, a),
        }
    }
}

/// The whole tile, Ã packed or not: the k loop (fetching what `FETCH` says; `next` is the next tile's
/// rows for `fetch::NEXT`), then the stores with the epilogue.
///
/// # Safety
/// As for [`Micro::tile`], and the CPU has AVX-512F (the caller's `target_feature` is inlined here).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tile_body<const PACKED: bool, const V: usize, const R: usize, const FETCH: u8>(
    kc: usize,
    a: *const f32,
    strides: (usize, usize),
    b: (*const f32, usize),
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
    epi: Epilogue<'_>,
    next: *const f32,
) {
    use std::arch::x86_64::*;
    // SAFETY: the caller guarantees that `a` reaches Ã's values and `b` B̃'s (rows `b.1` apart), that `c`
    // (and the mask, if any) address R rows of NR values at stride `ldc`, and that the bias has NR values.
    unsafe {
        let mut acc = [[_mm512_setzero_ps(); V]; R];
        fma_steps::<PACKED, V, R, FETCH>(kc, a, strides, b, &mut acc, next);
        let bias: Option<[__m512; V]> =
            epi.bias.map(|b| std::array::from_fn(|v| _mm512_loadu_ps(b.as_ptr().add(16 * v))));
        // One literal call per row: a loop over the rows is not unrolled (its body is large), and reading the
        // accumulators by a run-time row index keeps them in a stack array that each call zeroes (memset).
        // The rows past `R` are removed at compile time.
        macro_rules! rows {
            ($($i:literal)*) => { $( if $i < R { store_row::<V>(acc[$i], c.add($i * ldc), epi.mask.map(|m| m.as_ptr().add($i * ldc)), accumulate, bias, epi.relu); } )* };
        }
        const { assert!(MR == 12) };
        rows!(0 1 2 3 4 5 6 7 8 9 10 11);
    }
}

/// One row of the tile: `V` vectors of sums, stored at `p` after the epilogue (the mask row at `mask`).
///
/// # Safety
/// `p` (and `mask`) address `16 * V` values; the CPU has AVX-512F (the caller's `target_feature` is inlined
/// here).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn store_row<const V: usize>(
    sums: [std::arch::x86_64::__m512; V],
    p: *mut f32,
    mask: Option<*const f32>,
    accumulate: bool,
    bias: Option<[std::arch::x86_64::__m512; V]>,
    relu: bool,
) {
    use std::arch::x86_64::*;
    // SAFETY: the caller guarantees that `p` and `mask` address 16*V values.
    unsafe {
        let zero = _mm512_setzero_ps();
        for (v, &sum) in sums.iter().enumerate() {
            let p = p.add(16 * v);
            let mut x = sum;
            if accumulate {
                x = _mm512_add_ps(_mm512_loadu_ps(p), x);
            }
            if let Some(bias) = bias {
                x = _mm512_add_ps(x, bias[v]);
            }
            if relu {
                // Ordered "less than": false for NaN, which therefore passes through.
                x = _mm512_mask_mov_ps(x, _mm512_cmp_ps_mask::<_CMP_LT_OQ>(x, zero), zero);
            }
            if let Some(m) = mask {
                let mv = _mm512_loadu_ps(m.add(16 * v));
                x = _mm512_mask_mov_ps(x, _mm512_cmp_ps_mask::<_CMP_LE_OQ>(mv, zero), zero);
            }
            _mm512_storeu_ps(p, x);
        }
    }
}

/// `bt[p·n + j] = b[j·cs + p]` for `p < k`, `j < n ≤ 32`: a transposed B (an input gradient's `Wᵀ`, whose
/// columns are the kernel's rows) made row-major, each of its rows gathered in one or two vector loads
/// instead of value by value (`direct.rs`).
///
/// # Safety
/// The CPU has AVX-512F; `bt` holds `k·n` values; `b` holds `(n - 1)·cs + k` values; `n ≤ 32` and
/// `(n - 1)·cs + k` fits an `i32`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn transpose(bt: &mut [f32], b: &[f32], cs: usize, k: usize, n: usize) {
    use std::arch::x86_64::*;
    let lanes = |w: usize| if w >= 16 { 0xffff } else { ((1u32 << w) - 1) as __mmask16 };
    let (m0, m1) = (lanes(n.min(16)), lanes(n.saturating_sub(16)));
    // SAFETY: lane j of a gather at row p reads b[j·cs + p] (j < n, p < k), inside `b`; lane j of the store
    // writes bt[p·n + j], inside `bt`; masked-off lanes touch nothing (the function's contract).
    unsafe {
        let offsets = _mm512_mullo_epi32(
            _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
            _mm512_set1_epi32(cs as i32),
        );
        let zero = _mm512_setzero_ps();
        for p in 0..k {
            let from = b.as_ptr().add(p);
            let to = bt.as_mut_ptr().add(p * n);
            _mm512_mask_storeu_ps(to, m0, _mm512_mask_i32gather_ps::<4>(zero, m0, offsets, from));
            if n > 16 {
                let v = _mm512_mask_i32gather_ps::<4>(zero, m1, offsets, from.add(16 * cs));
                _mm512_mask_storeu_ps(to.add(16), m1, v);
            }
        }
    }
}
