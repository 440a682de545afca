//! The register-blocked micro-kernel: `C[6×16] (+)= Ã[6×kc] · B̃[kc×16]` over packed slivers.
//!
//! Ã holds, for each k, the 6 values of one column of the A block (`a[k*MR + i]`); B̃ holds, for each k, 16
//! consecutive values of one row of the B block (`b[k*NR + j]`). Twelve 8-wide accumulators stay in
//! registers for the whole k loop: two B loads and six broadcasts feed twelve FMAs per step.

/// Rows of the micro-tile.
pub const MR: usize = 6;
/// Columns of the micro-tile.
pub const NR: usize = 16;

/// Whether the AVX2+FMA kernel can run on this CPU (std caches the answer).
#[inline]
pub fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
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

/// `C (+)= Ã·B̃` for one `MR × NR` tile of a row-major `C` (row stride `ldc`, starting at `c[0]`), then the
/// epilogue; `accumulate` adds the product to what is there. Does nothing if a slice is too short for its
/// shape.
pub fn tile(kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, accumulate: bool, epi: Epilogue<'_>) {
    let span = (MR - 1) * ldc + NR;
    if a.len() < kc * MR
        || b.len() < kc * NR
        || ldc < NR
        || c.len() < span
        || epi.bias.is_some_and(|b| b.len() < NR)
        || epi.mask.is_some_and(|m| m.len() < span)
    {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    {
        if avx2() {
            // SAFETY: AVX2 and FMA are available (checked by `avx2()`); the slices hold kc*MR and kc*NR
            // values, C and the mask cover (MR-1)*ldc + NR values and the bias NR (checked above), which is
            // all the kernel touches.
            unsafe { tile_avx2(kc, a.as_ptr(), b.as_ptr(), c.as_mut_ptr(), ldc, accumulate, epi) };
            return;
        }
    }
    tile_portable(kc, a, b, c, ldc, accumulate, epi);
}

fn tile_portable(kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, accumulate: bool, epi: Epilogue<'_>) {
    let mut acc = [0.0f32; MR * NR];
    for p in 0..kc {
        let ap = &a[p * MR..p * MR + MR];
        let bp = &b[p * NR..p * NR + NR];
        for i in 0..MR {
            for j in 0..NR {
                acc[i * NR + j] += ap[i] * bp[j];
            }
        }
    }
    for i in 0..MR {
        for j in 0..NR {
            let at = i * ldc + j;
            let v = if accumulate { c[at] + acc[i * NR + j] } else { acc[i * NR + j] };
            c[at] = epi.scalar(v, j, at);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn tile_avx2(
    kc: usize,
    a: *const f32,
    b: *const f32,
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
    epi: Epilogue<'_>,
) {
    use std::arch::x86_64::*;
    // SAFETY: the caller guarantees `a` has kc*MR and `b` kc*NR readable values, that `c` (and the mask,
    // if any) address MR rows of NR values at stride `ldc`, and that the bias has NR values.
    unsafe {
        let mut acc = [[_mm256_setzero_ps(); 2]; MR];
        let (mut ap, mut bp) = (a, b);
        for _ in 0..kc {
            let b0 = _mm256_loadu_ps(bp);
            let b1 = _mm256_loadu_ps(bp.add(8));
            for (i, ci) in acc.iter_mut().enumerate() {
                let av = _mm256_broadcast_ss(&*ap.add(i));
                ci[0] = _mm256_fmadd_ps(av, b0, ci[0]);
                ci[1] = _mm256_fmadd_ps(av, b1, ci[1]);
            }
            ap = ap.add(MR);
            bp = bp.add(NR);
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
