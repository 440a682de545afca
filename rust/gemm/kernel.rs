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

/// `C (+)= Ã·B̃` for one `MR × NR` tile of a row-major `C` (row stride `ldc`, starting at `c[0]`);
/// `accumulate` adds to what is there. Does nothing if a slice is too short for its shape.
pub fn tile(kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, accumulate: bool) {
    if a.len() < kc * MR || b.len() < kc * NR || ldc < NR || c.len() < (MR - 1) * ldc + NR {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    {
        if avx2() {
            // SAFETY: AVX2 and FMA are available (checked by `avx2()`); the slices hold kc*MR and kc*NR
            // values and C covers (MR-1)*ldc + NR values (checked above), which is all the kernel touches.
            unsafe { tile_avx2(kc, a.as_ptr(), b.as_ptr(), c.as_mut_ptr(), ldc, accumulate) };
            return;
        }
    }
    tile_portable(kc, a, b, c, ldc, accumulate);
}

fn tile_portable(kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, accumulate: bool) {
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
        let row = &mut c[i * ldc..i * ldc + NR];
        let src = &acc[i * NR..i * NR + NR];
        if accumulate {
            row.iter_mut().zip(src).for_each(|(o, v)| *o += v);
        } else {
            row.copy_from_slice(src);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn tile_avx2(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, accumulate: bool) {
    use std::arch::x86_64::*;
    // SAFETY: the caller guarantees `a` has kc*MR and `b` kc*NR readable values and that `c` addresses
    // MR rows of NR values at stride `ldc`.
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
        for (i, ci) in acc.iter().enumerate() {
            let (p0, p1) = (c.add(i * ldc), c.add(i * ldc + 8));
            if accumulate {
                _mm256_storeu_ps(p0, _mm256_add_ps(_mm256_loadu_ps(p0), ci[0]));
                _mm256_storeu_ps(p1, _mm256_add_ps(_mm256_loadu_ps(p1), ci[1]));
            } else {
                _mm256_storeu_ps(p0, ci[0]);
                _mm256_storeu_ps(p1, ci[1]);
            }
        }
    }
}
