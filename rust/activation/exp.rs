//! `eˣ` over a slice, 16 values at a time where the CPU has AVX-512F, for the softmax and the
//! cross-entropies computed from logits: a multi-class step spends most of its loss and softmax time in
//! scalar `expf` calls (one per class per row).
//!
//! The method: `x = n·ln 2 + r` with `n` the nearest integer to `x·log₂e` and `|r| ≤ ½ln 2`, `r` found
//! with `ln 2` in two parts (Cody and Waite) so that `n·ln2_hi` is exact; `eʳ` by its Taylor series to
//! `r⁷/7!` (the first term left out, `r⁸/8!`, is below 6·10⁻⁹ relative, a tenth of half an ulp); then
//! `2ⁿ` applied as two powers of two, so that results in the subnormal range are rounded once. Every step
//! is the same IEEE operation in the vector and the scalar code (separate multiplies and adds: a CPU
//! without fused multiply-add runs the scalar code at full speed), so the two give the same bits; the tests
//! bound the error against `f64::exp`.

/// Above this `eˣ` overflows (`ln(f32::MAX)` is 88.72).
const HI: f32 = 89.0;
/// Below this `eˣ` rounds to zero (half the smallest subnormal is `e^-103.97`).
const LO: f32 = -104.0;
const LOG2E: f32 = std::f32::consts::LOG2_E;
/// `ln 2 = LN2_HI + LN2_LO`, `LN2_HI` (355/512 = 0.693359375 exactly) with few enough bits that `n·LN2_HI` is
/// exact for `|n| ≤ 151`.
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// `1/k!` for k = 7 down to 2 (Horner's order).
const TAYLOR: [f32; 6] = [1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5];

/// `v ← eᵛ` for every value (NaN stays NaN, −∞ gives 0, +∞ gives +∞).
pub fn exp_in_place(v: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if crate::gemm::Isa::Avx512.available() {
        // SAFETY: the CPU has AVX-512F (just checked).
        unsafe { avx512::exp_in_place(v) };
        return;
    }
    v.iter_mut().for_each(|x| *x = exp(*x));
}

/// `eˣ`, as `exp_in_place` computes it.
pub fn exp(x: f32) -> f32 {
    if x.is_nan() {
        return x;
    }
    let x = x.clamp(LO, HI);
    let n = (x * LOG2E).round_ties_even();
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let mut p = TAYLOR[0];
    for &c in &TAYLOR[1..] {
        p = p * r + c;
    }
    let p = (p * r + 1.0) * r + 1.0;
    // 2ⁿ as 2^h · 2^(n−h), both normal powers of two (n is in [−151, 129]).
    let n = n as i32;
    let h = n >> 1;
    p * pow2(h) * pow2(n - h)
}

/// `2ᵏ` for `k` in the normal range.
fn pow2(k: i32) -> f32 {
    f32::from_bits(((k + 127) as u32) << 23)
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{HI, LN2_HI, LN2_LO, LO, LOG2E, TAYLOR};

    /// `super::exp` on 16 lanes.
    #[target_feature(enable = "avx512f")]
    fn exp16(x: __m512) -> __m512 {
        let nan = _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(x, x);
        let xc = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(LO)), _mm512_set1_ps(HI));
        let n = _mm512_roundscale_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(_mm512_mul_ps(
            xc,
            _mm512_set1_ps(LOG2E),
        ));
        let mul_add = |a: __m512, b: __m512, c: __m512| _mm512_add_ps(_mm512_mul_ps(a, b), c);
        let r = _mm512_sub_ps(xc, _mm512_mul_ps(n, _mm512_set1_ps(LN2_HI)));
        let r = _mm512_sub_ps(r, _mm512_mul_ps(n, _mm512_set1_ps(LN2_LO)));
        let mut p = _mm512_set1_ps(TAYLOR[0]);
        for &c in &TAYLOR[1..] {
            p = mul_add(p, r, _mm512_set1_ps(c));
        }
        let one = _mm512_set1_ps(1.0);
        let p = mul_add(mul_add(p, r, one), r, one);
        let n = _mm512_cvtps_epi32(n);
        let h = _mm512_srai_epi32::<1>(n);
        let pow2 =
            |k: __m512i| _mm512_castsi512_ps(_mm512_slli_epi32::<23>(_mm512_add_epi32(k, _mm512_set1_epi32(127))));
        let y = _mm512_mul_ps(_mm512_mul_ps(p, pow2(h)), pow2(_mm512_sub_epi32(n, h)));
        _mm512_mask_mov_ps(y, nan, x)
    }

    /// `super::exp_in_place` 16 values at a time, the last few masked.
    ///
    /// # Safety
    /// The CPU must have AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn exp_in_place(v: &mut [f32]) {
        let mut chunks = v.chunks_exact_mut(16);
        for c in &mut chunks {
            // SAFETY: `c` holds 16 values.
            unsafe { _mm512_storeu_ps(c.as_mut_ptr(), exp16(_mm512_loadu_ps(c.as_ptr()))) };
        }
        let tail = chunks.into_remainder();
        if !tail.is_empty() {
            let lanes: __mmask16 = (1u16 << tail.len()).wrapping_sub(1);
            let p = tail.as_mut_ptr();
            // SAFETY: the mask covers the `tail.len() < 16` values of `tail` only.
            unsafe { _mm512_mask_storeu_ps(p, lanes, exp16(_mm512_maskz_loadu_ps(lanes, p))) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The distance in ulps between `got` and the f64 value `want` rounded to f32 (0 when both are the
    /// same infinity or zero).
    fn ulps(got: f32, want: f64) -> u32 {
        let w = want as f32;
        if got == w {
            return 0;
        }
        (got.to_bits() as i64 - w.to_bits() as i64).unsigned_abs() as u32
    }

    /// Within one ulp of the correctly rounded `eˣ` over the whole range (and past it at both ends), and
    /// the vector path's bits equal the scalar one's.
    #[test]
    fn within_one_ulp_and_the_same_bits_on_every_path() {
        let mut xs: Vec<f32> = (0..400_000).map(|i| -110.0 + i as f32 * (200.0 / 400_000.0)).collect();
        xs.extend([0.0, -0.0, 1e-30, -1e-30, 88.72, 88.73, -87.33, -103.9, -104.0, f32::MIN_POSITIVE]);
        let mut fast = xs.clone();
        exp_in_place(&mut fast);
        let mut worst = (0, 0.0f32);
        for (&x, &y) in xs.iter().zip(&fast) {
            assert_eq!(y.to_bits(), exp(x).to_bits(), "e^{x}: slice and scalar paths differ");
            let u = ulps(y, f64::from(x).exp());
            if u > worst.0 {
                worst = (u, x);
            }
        }
        assert!(worst.0 <= 1, "{} ulps at e^{}", worst.0, worst.1);
    }

    #[test]
    fn special_values() {
        let mut v = [f32::NAN, f32::NEG_INFINITY, f32::INFINITY, 0.0, 100.0, -200.0, 1.0];
        exp_in_place(&mut v);
        assert!(v[0].is_nan());
        assert_eq!(&v[1..6], &[0.0, f32::INFINITY, 1.0, f32::INFINITY, 0.0]);
        assert!(ulps(v[6], 1f64.exp()) <= 1);
    }
}
