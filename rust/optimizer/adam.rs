//! Adam's element-wise pass, and the runs of adjacent weights it is made over.

use std::ops::Range;

/// `ranges` with each run of adjacent ones (`a.end == b.start`) joined into one range (no allocation).
pub(super) fn coalesced(ranges: &[Range<usize>]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut rest = ranges.iter().peekable();
    std::iter::from_fn(move || {
        let mut r = rest.next()?.clone();
        while let Some(next) = rest.next_if(|n| n.start == r.end) {
            r.end = next.end;
        }
        Some(r)
    })
}

/// The fused Adam loop over one contiguous range: 16 values at a time where the CPU has AVX-512F. Each value
/// takes the same operations in the same order either way (no fused multiply-add; IEEE square root and
/// division), so the bits do not depend on the path.
#[allow(clippy::too_many_arguments)]
pub(super) fn adam_pass(
    w: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    alpha: f32,
    b1: f32,
    b2: f32,
    eps: f32,
) {
    #[cfg(target_arch = "x86_64")]
    if crate::gemm::Isa::Avx512.available() {
        // SAFETY: the CPU has AVX-512F (just checked); the body is safe code.
        unsafe { adam_pass_avx512(w, g, m, v, alpha, b1, b2, eps) };
        return;
    }
    adam_body(w, g, m, v, alpha, b1, b2, eps);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn adam_pass_avx512(
    w: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    alpha: f32,
    b1: f32,
    b2: f32,
    eps: f32,
) {
    adam_body(w, g, m, v, alpha, b1, b2, eps);
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn adam_body(
    w: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    alpha: f32,
    b1: f32,
    b2: f32,
    eps: f32,
) {
    let (c1, c2) = (1.0 - b1, 1.0 - b2);
    for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        *m += (g - *m) * c1;
        *v += (g * g - *v) * c2;
        *w -= alpha * *m / (v.sqrt() + eps);
    }
}
