//! The register-blocked micro-kernels: `C[MR×NR] (+)= Ã[MR×kc] · B̃[kc×NR]` over packed slivers, then the
//! epilogue, and the choice between them.
//!
//! Ã is read through strides: value (i, k) at `a[i*ars + k*acs]`, so the kernel takes a packed sliver
//! (`ars = 1, acs = MR`: for each k, the MR values of one column of the A block) or the rows of a row-major A
//! where they are (`ars` = its row stride, `acs = 1`); B̃ holds, for each k, NR consecutive values of one row
//! of the B block (`b[k*ldb + j]`: `ldb = NR` for a packed sliver, B's row stride for a row-major B read
//! where it is). The accumulators stay in registers for the
//! whole k loop. Three kernels: AVX-512F (12×32, `avx512.rs`), AVX2+FMA (6×16: twelve 8-wide accumulators,
//! two B loads and six broadcasts per step) and a portable loop; [`Isa::selected`] picks one per process.
//!
//! Every kernel sums each value of C in the same order (one product per k, in k order, onto a zero start),
//! and the two vector kernels with a fused multiply-add, so AVX2 and AVX-512 give bit-identical results;
//! the portable loop rounds the product and the sum separately, so its results differ in the last bits.

use std::sync::OnceLock;

/// The micro-kernels, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// AVX-512F, 12×32 tiles.
    Avx512,
    /// AVX2 and FMA, 6×16 tiles.
    Avx2,
    /// Plain Rust, 6×16 tiles.
    Portable,
}

impl Isa {
    /// Whether this CPU can run the kernel (std caches the feature test).
    pub fn available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            match self {
                Isa::Avx512 => std::is_x86_feature_detected!("avx512f"),
                Isa::Avx2 => std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma"),
                Isa::Portable => true,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == Isa::Portable
        }
    }

    /// The best kernel this CPU can run.
    pub fn best() -> Isa {
        [Isa::Avx512, Isa::Avx2].into_iter().find(|k| k.available()).unwrap_or(Isa::Portable)
    }

    /// The kernel `gemm` uses, decided once per process: the one the `KERAS_LITE_GEMM_KERNEL` environment
    /// variable names (`avx512`, `avx2` or `portable`) if the CPU can run it, otherwise [`Isa::best`].
    pub fn selected() -> Isa {
        static SELECTED: OnceLock<Isa> = OnceLock::new();
        *SELECTED.get_or_init(|| {
            let named = match std::env::var("KERAS_LITE_GEMM_KERNEL").as_deref() {
                Ok("avx512") => Some(Isa::Avx512),
                Ok("avx2") => Some(Isa::Avx2),
                Ok("portable") => Some(Isa::Portable),
                _ => None,
            };
            named.filter(|k| k.available()).unwrap_or_else(Isa::best)
        })
    }
}

/// What a product's stores apply on top of it, in this order: add `bias` (one value per column of C), clamp
/// negatives to zero (`relu`), zero the values whose `mask` entry (laid out like C) is not positive. The
/// last is relu's derivative given relu's output, for a backward product whose result is the gradient of a
/// relu layer's output. NaN passes through the clamp and through a NaN mask entry, as through the separate
/// element-wise passes.
///
/// `gemm` takes it for the whole of C; the micro-kernel gets it re-based at its tile (the bias from the
/// tile's first column, the mask from its first value), with `NR` bias values and the tile's rows of mask.
#[derive(Debug, Clone, Copy, Default)]
pub struct Epilogue<'a> {
    /// Added to every row of C.
    pub bias: Option<&'a [f32]>,
    /// Clamp negative results to zero.
    pub relu: bool,
    /// Laid out like C (same row stride): where it is `<= 0` the result is zero.
    pub mask: Option<&'a [f32]>,
}

impl Epilogue<'_> {
    /// Whether the epilogue changes anything.
    pub fn is_identity(&self) -> bool {
        self.bias.is_none() && !self.relu && self.mask.is_none()
    }

    /// The epilogue on one value of column `j` (bias index) at mask offset `at`.
    #[inline]
    pub fn scalar(&self, mut v: f32, j: usize, at: usize) -> f32 {
        if let Some(b) = self.bias {
            v += b[j];
        }
        if self.relu && v < 0.0 {
            v = 0.0;
        }
        if let Some(m) = self.mask {
            if m[at] <= 0.0 {
                v = 0.0;
            }
        }
        v
    }
}

/// A micro-kernel of `MR × NR` tiles, with the height of the A block that suits it.
pub(super) trait Micro<const MR: usize, const NR: usize> {
    /// Rows of A packed at a time (a multiple of MR): the A block (MC × KC) stays in L2.
    const MC: usize;

    /// `C (+)= Ã·B̃` for one tile of a row-major C (row stride `ldc`, starting at `c`), then the epilogue.
    /// Ã's value (i, k) is `a[i*ars + k*acs]`, B̃'s value (k, j) `b[k*ldb + j]`. `next`, if given, is where
    /// the A rows of the tile after this one start (read through the same strides), so that the kernel may
    /// fetch them towards its core while this tile computes; a kernel may ignore it.
    ///
    /// # Safety
    /// The CPU can run the kernel; `a` holds `(MR-1)*ars + (kc-1)*acs + 1` values and `b`
    /// `(kc-1)*ldb + NR`; `c` and
    /// the epilogue's mask cover `(MR-1)*ldc + NR` values, its bias `NR`; no other thread touches the tile.
    /// `next` is never read through, only prefetched (an address past A's end does no harm).
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile(
        kc: usize,
        a: *const f32,
        ars_acs: (usize, usize),
        b_ldb: (*const f32, usize),
        c: *mut f32,
        ldc: usize,
        acc: bool,
        epi: Epilogue<'_>,
        next: Option<*const f32>,
    );

    /// Whether the kernel has an 8-row tile ([`Micro::tile8`]) that sums each value exactly as `tile` does,
    /// for the last rows of a block of `MR`-row tiles.
    const TILE8: bool = false;

    /// [`Micro::tile`] for a tile of 8 rows (Ã's value (i, k) for i < 8; `c` and the mask cover
    /// `7*ldc + NR` values). Only called where `TILE8` is set; the default is the portable loop.
    ///
    /// # Safety
    /// As for [`Micro::tile`], with 8 rows.
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile8(
        kc: usize,
        a: *const f32,
        (ars, acs): (usize, usize),
        b: (*const f32, usize),
        c: *mut f32,
        ldc: usize,
        acc: bool,
        epi: Epilogue<'_>,
    ) {
        // SAFETY: forwarded from the caller.
        unsafe { portable_tile::<8, NR>(kc, a, (ars, acs), b, c, ldc, acc, epi) }
    }
}

/// The plain-Rust kernel.
pub(super) struct Portable;

impl Micro<6, 16> for Portable {
    const MC: usize = 144;

    unsafe fn tile(
        kc: usize,
        a: *const f32,
        (ars, acs): (usize, usize),
        b: (*const f32, usize),
        c: *mut f32,
        ldc: usize,
        acc: bool,
        epi: Epilogue<'_>,
        _next: Option<*const f32>,
    ) {
        // SAFETY: forwarded from the caller.
        unsafe { portable_tile::<6, 16>(kc, a, (ars, acs), b, c, ldc, acc, epi) }
    }
}

/// [`portable`] behind [`Micro::tile`]'s raw-pointer contract, for an `R × W` tile.
///
/// # Safety
/// `a` holds `(R-1)*ars + (kc-1)*acs + 1` values and `b.0` `(kc-1)*b.1 + W`; `c` covers `(R-1)*ldc + W`
/// values.
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn portable_tile<const R: usize, const W: usize>(
    kc: usize,
    a: *const f32,
    (ars, acs): (usize, usize),
    b: (*const f32, usize),
    c: *mut f32,
    ldc: usize,
    acc: bool,
    epi: Epilogue<'_>,
) {
    let (b, ldb) = b;
    // SAFETY: the caller guarantees these lengths.
    let (a, b, c) = unsafe {
        (
            std::slice::from_raw_parts(a, (R - 1) * ars + (kc - 1) * acs + 1),
            std::slice::from_raw_parts(b, (kc - 1) * ldb + W),
            std::slice::from_raw_parts_mut(c, (R - 1) * ldc + W),
        )
    };
    portable::<R, W>(kc, (a, ars, acs), (b, ldb), c, ldc, acc, epi);
}

/// The portable loop for any tile (also what the vector kernels' types run on other architectures).
pub(super) fn portable<const MR: usize, const NR: usize>(
    kc: usize,
    (a, ars, acs): (&[f32], usize, usize),
    (b, ldb): (&[f32], usize),
    c: &mut [f32],
    ldc: usize,
    accumulate: bool,
    epi: Epilogue<'_>,
) {
    let mut acc = [[0.0f32; NR]; MR];
    for p in 0..kc {
        let bp = &b[p * ldb..p * ldb + NR];
        for (i, row) in acc.iter_mut().enumerate() {
            let av = a[i * ars + p * acs];
            for (s, &bv) in row.iter_mut().zip(bp) {
                *s += av * bv;
            }
        }
    }
    for (i, row) in acc.iter().enumerate() {
        for (j, &s) in row.iter().enumerate() {
            let at = i * ldc + j;
            let v = if accumulate { c[at] + s } else { s };
            c[at] = epi.scalar(v, j, at);
        }
    }
}

/// The AVX2+FMA kernel.
pub(super) struct Avx2;

impl Micro<6, 16> for Avx2 {
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
        #[cfg(target_arch = "x86_64")]
        // SAFETY: forwarded from the caller, who guarantees the CPU has AVX2 and FMA.
        unsafe {
            let _ = next;
            tile_avx2(kc, a, strides, b, c, ldc, acc, epi)
        }
        #[cfg(not(target_arch = "x86_64"))]
        // SAFETY: forwarded from the caller.
        unsafe {
            Portable::tile(kc, a, strides, b, c, ldc, acc, epi, next)
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn tile_avx2(
    kc: usize,
    a: *const f32,
    (ars, acs): (usize, usize),
    (b, ldb): (*const f32, usize),
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
    epi: Epilogue<'_>,
) {
    use std::arch::x86_64::*;
    const MR: usize = 6;
    // SAFETY: the caller guarantees that `a` reaches Ã's values and `b` B̃'s kc rows of NR at stride `ldb`,
    // that `c` (and the mask, if any) address MR rows of NR values at stride `ldc`, and that the bias has NR
    // values.
    unsafe {
        let mut acc = [[_mm256_setzero_ps(); 2]; MR];
        // Rows i and i+3 from two pointers and the offsets 0, ars, 2*ars (addressing modes, not registers).
        let (mut a0, mut a3, mut bp) = (a, a.add(3 * ars), b);
        for _ in 0..kc {
            let b0 = _mm256_loadu_ps(bp);
            let b1 = _mm256_loadu_ps(bp.add(8));
            for (i, ci) in acc.iter_mut().enumerate() {
                let av = _mm256_broadcast_ss(&*if i < 3 { a0 } else { a3 }.add((i % 3) * ars));
                ci[0] = _mm256_fmadd_ps(av, b0, ci[0]);
                ci[1] = _mm256_fmadd_ps(av, b1, ci[1]);
            }
            a0 = a0.add(acs);
            a3 = a3.add(acs);
            bp = bp.add(ldb);
        }
        let zero = _mm256_setzero_ps();
        let bias = epi.bias.map(|b| (_mm256_loadu_ps(b.as_ptr()), _mm256_loadu_ps(b.as_ptr().add(8))));
        for (i, ci) in acc.iter().enumerate() {
            let (p0, p1) = (c.add(i * ldc), c.add(i * ldc + 8));
            let (mut v0, mut v1) = (ci[0], ci[1]);
            if accumulate {
                v0 = _mm256_add_ps(_mm256_loadu_ps(p0), v0);
                v1 = _mm256_add_ps(_mm256_loadu_ps(p1), v1);
            }
            if let Some((b0, b1)) = bias {
                v0 = _mm256_add_ps(v0, b0);
                v1 = _mm256_add_ps(v1, b1);
            }
            if epi.relu {
                // Ordered "less than": false for NaN, which therefore passes through.
                v0 = _mm256_andnot_ps(_mm256_cmp_ps::<_CMP_LT_OQ>(v0, zero), v0);
                v1 = _mm256_andnot_ps(_mm256_cmp_ps::<_CMP_LT_OQ>(v1, zero), v1);
            }
            if let Some(m) = epi.mask {
                let mp = m.as_ptr().add(i * ldc);
                v0 = _mm256_andnot_ps(_mm256_cmp_ps::<_CMP_LE_OQ>(_mm256_loadu_ps(mp), zero), v0);
                v1 = _mm256_andnot_ps(_mm256_cmp_ps::<_CMP_LE_OQ>(_mm256_loadu_ps(mp.add(8)), zero), v1);
            }
            _mm256_storeu_ps(p0, v0);
            _mm256_storeu_ps(p1, v1);
        }
    }
}
