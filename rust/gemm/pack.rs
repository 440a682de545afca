//! Packing for the micro-kernels: a block of A into `MR`-row slivers (`sliver[p*MR + r] = A[i+r, p0+p]`) and
//! a panel of B into `NR`-column slivers (`sliver[p*NR + c] = B[p0+p, j+c]`), zero-padded past the edges, so
//! that the kernel reads both front to back. Each reads its operand along the operand's contiguous direction.

use super::Operand;

/// Pack rows `i0..i0+mc`, columns `p0..p0+kc` of A into MR-row slivers (zero-padded).
pub(super) fn pack_a<const MR: usize>(dst: &mut [f32], a: Operand<'_>, i0: usize, mc: usize, p0: usize, kc: usize) {
    for (s, sliver) in dst.chunks_exact_mut(kc * MR).enumerate().take(mc.div_ceil(MR)) {
        let rows = MR.min(mc - s * MR);
        let base = i0 + s * MR;
        if a.cs == 1 && rows == MR {
            // Row-major A: MR row streams read in step, each sliver written front to back.
            let streams: [&[f32]; MR] =
                std::array::from_fn(|r| &a.data[(base + r) * a.rs + p0..(base + r) * a.rs + p0 + kc]);
            for (p, out) in sliver.chunks_exact_mut(MR).enumerate() {
                for r in 0..MR {
                    out[r] = streams[r][p];
                }
            }
        } else if a.cs == 1 || rows < MR {
            for r in 0..MR {
                if r < rows {
                    let start = (base + r) * a.rs + p0 * a.cs;
                    for p in 0..kc {
                        sliver[p * MR + r] = a.data[start + p * a.cs];
                    }
                } else {
                    for p in 0..kc {
                        sliver[p * MR + r] = 0.0;
                    }
                }
            }
        } else if a.rs == 1 {
            // Column-major A (a transposed operand): each k holds MR neighbouring rows, contiguous.
            for (p, out) in sliver.chunks_exact_mut(MR).enumerate() {
                let start = base + (p0 + p) * a.cs;
                if let (Ok(out), Some(Ok(src))) =
                    (<&mut [f32; MR]>::try_from(out), a.data.get(start..start + MR).map(<&[f32; MR]>::try_from))
                {
                    *out = *src;
                }
            }
        } else {
            for p in 0..kc {
                let start = base * a.rs + (p0 + p) * a.cs;
                for r in 0..MR {
                    sliver[p * MR + r] = a.data[start + r * a.rs];
                }
            }
        }
    }
}

/// How many rows ahead of its copy a row-major B's sliver row is asked of the cache. A sliver's rows are a
/// row stride (1-2 KB for a layer of 256-512 units) apart, which the hardware prefetchers follow poorly, and
/// the weights they hold have often left the core's caches since the optimizer wrote them. Measured with
/// `fitbench` on the Intel Xeon host: 16 rows ahead, 1-2.5% faster fits in two paired runs (8 and 32 rows
/// ahead, about half that), and multiclass and tabular 1% faster, wine unchanged, in four rounds alternating
/// with the build before.
const PACK_AHEAD: usize = 16;

/// Pack rows `p0..p0+kc`, columns `j0..j0+nc` of B into NR-column slivers (zero-padded).
pub(super) fn pack_b<const NR: usize>(dst: &mut [f32], b: Operand<'_>, p0: usize, kc: usize, j0: usize, nc: usize) {
    for (s, sliver) in dst.chunks_exact_mut(kc * NR).enumerate().take(nc.div_ceil(NR)) {
        let js = j0 + s * NR;
        let cols = NR.min(j0 + nc - js);
        #[cfg(target_arch = "x86_64")]
        if b.cs == 1 && cols < NR && NR.is_multiple_of(16) && super::Isa::Avx512.available() {
            // SAFETY: the CPU has AVX-512F (just checked); the function checks its bounds.
            if unsafe { edge_b_avx512::<NR>(sliver, b, p0, kc, js, cols) } {
                continue;
            }
        }
        if b.cs == 1 && cols == NR {
            // Fixed-size copies: a few vector moves per row instead of a call to memmove; each row's values
            // asked of the cache `PACK_AHEAD` rows before they are copied.
            for (p, out) in sliver.chunks_exact_mut(NR).enumerate() {
                let row = (p0 + p) * b.rs + js;
                crate::lines::prefetch(b.data, row + PACK_AHEAD * b.rs, NR);
                if let (Ok(out), Some(Ok(src))) =
                    (<&mut [f32; NR]>::try_from(out), b.data.get(row..row + NR).map(<&[f32; NR]>::try_from))
                {
                    *out = *src;
                }
            }
        } else if b.cs == 1 {
            for p in 0..kc {
                let out = &mut sliver[p * NR..(p + 1) * NR];
                let row = (p0 + p) * b.rs + js;
                out[..cols].copy_from_slice(&b.data[row..row + cols]);
                out[cols..].fill(0.0);
            }
        } else {
            // Column-major B (a transposed operand): 16×16 (AVX-512F) or 8×8 (AVX2) blocks transposed in
            // registers where the CPU can, then each column walked down its contiguous run of k.
            #[cfg(target_arch = "x86_64")]
            let done = if b.rs == 1 && cols == NR && NR.is_multiple_of(16) && std::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has AVX-512F (just checked); the function reads and writes through
                // bounds-checked slices.
                unsafe { transposed_b_avx512::<NR>(sliver, b, p0, kc, js) }
            } else if b.rs == 1 && cols == NR && NR.is_multiple_of(8) && std::is_x86_feature_detected!("avx") {
                // SAFETY: the CPU has AVX (just checked); as above.
                unsafe { transposed_b_avx(sliver, NR, NR, b, p0, kc, js) }
            } else {
                0
            };
            #[cfg(not(target_arch = "x86_64"))]
            let done = 0;
            for c in 0..NR {
                if c < cols {
                    let start = p0 * b.rs + (js + c) * b.cs;
                    for p in done..kc {
                        sliver[p * NR + c] = b.data[start + p * b.rs];
                    }
                } else {
                    for p in done..kc {
                        sliver[p * NR + c] = 0.0;
                    }
                }
            }
        }
    }
}

/// One NR-column sliver of a row-major B (`b.cs == 1`) cut by B's last column: its `cols < NR` columns
/// from B and zeros past them, each row one masked 512-bit load and one store per 16 columns (instead of a
/// call to memmove and a fill). Returns false, having written nothing, if B or the sliver is too short.
/// (Whole slivers stay with the plain copy: 512-bit copies of their rows, aligned or not, measured
/// slower there.)
///
/// # Safety
/// The CPU has AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn edge_b_avx512<const NR: usize>(
    sliver: &mut [f32],
    b: Operand<'_>,
    p0: usize,
    kc: usize,
    js: usize,
    cols: usize,
) -> bool {
    use std::arch::x86_64::*;
    if kc == 0 || cols == 0 || cols > NR || sliver.len() < kc * NR || b.data.len() < (p0 + kc - 1) * b.rs + js + cols {
        return false;
    }
    let (src, dst) = (b.data.as_ptr(), sliver.as_mut_ptr());
    // SAFETY: row p's `cols` values at (p0+p)*rs + js are inside B and its NR at p*NR inside the sliver
    // (checked above); the masked loads touch only the values their mask selects.
    unsafe {
        for p in 0..kc {
            let (s, d) = (src.add((p0 + p) * b.rs + js), dst.add(p * NR));
            for h in (0..NR).step_by(16) {
                let mask = ((1u32 << cols.saturating_sub(h).min(16)) - 1) as __mmask16;
                _mm512_storeu_ps(d.add(h), _mm512_maskz_loadu_ps(mask, s.wrapping_add(h)));
            }
        }
    }
    true
}

/// [`transposed_b_avx512`] for CPUs without AVX-512F, and for any row stride of the result: rows
/// `0..kc / 8 * 8` of `dst` (row `p` at `p * ldd`), columns `0..width / 8 * 8`, from B's rows `p0..` and
/// columns `js..`, in 8×8 blocks: eight 8-value runs of k loaded, transposed in registers (an unpack, a
/// shuffle and a 128-bit lane permute stage) and stored as eight 8-column rows. The scalar loops it replaces
/// wrote one value at a time, a row apart. Returns the number of rows written (0, having written nothing or
/// part, if a slice is too short).
///
/// # Safety
/// The CPU has AVX.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
pub(super) unsafe fn transposed_b_avx(
    dst: &mut [f32],
    ldd: usize,
    width: usize,
    b: Operand<'_>,
    p0: usize,
    kc: usize,
    js: usize,
) -> usize {
    use std::arch::x86_64::*;
    let rows = kc / 8 * 8;
    for pb in (0..rows).step_by(8) {
        for h in (0..width / 8 * 8).step_by(8) {
            // r[c]: column js+h+c of B at k = p0+pb .. p0+pb+8.
            let mut r = [_mm256_setzero_ps(); 8];
            for (c, v) in r.iter_mut().enumerate() {
                let start = p0 + pb + (js + h + c) * b.cs;
                let Some(src) = b.data.get(start..start + 8) else { return 0 };
                // SAFETY: `src` holds 8 values.
                *v = unsafe { _mm256_loadu_ps(src.as_ptr()) };
            }
            // Per 128-bit lane: t[2i] interleaves k = 0, 1 (4, 5) of columns 2i and 2i+1, t[2i+1] k = 2, 3
            // (6, 7); then q[4g + j] holds k = j (low lane) and k = j + 4 (high lane) of columns 4g..4g+4.
            let mut t = [_mm256_setzero_ps(); 8];
            for i in 0..4 {
                t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
                t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
            }
            let mut q = [_mm256_setzero_ps(); 8];
            for g in 0..2 {
                let (lo, hi) = (t[4 * g], t[4 * g + 1]);
                let (lo2, hi2) = (t[4 * g + 2], t[4 * g + 3]);
                q[4 * g] = _mm256_shuffle_ps::<0x44>(lo, lo2);
                q[4 * g + 1] = _mm256_shuffle_ps::<0xee>(lo, lo2);
                q[4 * g + 2] = _mm256_shuffle_ps::<0x44>(hi, hi2);
                q[4 * g + 3] = _mm256_shuffle_ps::<0xee>(hi, hi2);
            }
            for j in 0..4 {
                let low = _mm256_permute2f128_ps::<0x20>(q[j], q[4 + j]);
                let high = _mm256_permute2f128_ps::<0x31>(q[j], q[4 + j]);
                for (kk, v) in [(j, low), (j + 4, high)] {
                    let at = (pb + kk) * ldd + h;
                    let Some(out) = dst.get_mut(at..at + 8) else { return 0 };
                    // SAFETY: `out` holds 8 values.
                    unsafe { _mm256_storeu_ps(out.as_mut_ptr(), v) };
                }
            }
        }
    }
    rows
}

/// The first `kc / 16 * 16` rows of one NR-column sliver of a column-major B (`b.rs == 1`), columns
/// `js..js + NR` all inside B, in 16×16 blocks: sixteen 16-value runs of k loaded, transposed in registers
/// (two unpack stages and two 128-bit lane shuffle stages) and stored as sixteen 16-column rows. Returns
/// the number of rows packed.
///
/// # Safety
/// The CPU has AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn transposed_b_avx512<const NR: usize>(
    sliver: &mut [f32],
    b: Operand<'_>,
    p0: usize,
    kc: usize,
    js: usize,
) -> usize {
    use std::arch::x86_64::*;
    let rows = kc / 16 * 16;
    for pb in (0..rows).step_by(16) {
        for h in (0..NR).step_by(16) {
            let mut r = [_mm512_setzero_ps(); 16];
            for (c, v) in r.iter_mut().enumerate() {
                let start = p0 + pb + (js + h + c) * b.cs;
                let Some(src) = b.data.get(start..start + 16) else { return 0 };
                // SAFETY: `src` holds 16 values.
                *v = unsafe { _mm512_loadu_ps(src.as_ptr()) };
            }
            let mut t = [_mm512_setzero_ps(); 16];
            for i in 0..8 {
                t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
                t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
            }
            let pd = _mm512_castps_pd;
            for g in 0..4 {
                let (x, y) = (pd(t[4 * g]), pd(t[4 * g + 2]));
                let (z, w) = (pd(t[4 * g + 1]), pd(t[4 * g + 3]));
                r[4 * g] = _mm512_castpd_ps(_mm512_unpacklo_pd(x, y));
                r[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(x, y));
                r[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(z, w));
                r[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(z, w));
            }
            // r[4g + q] holds, per 128-bit lane l, k = 4l + q of columns 4g..4g+4.
            for q in 0..4 {
                let v0 = _mm512_shuffle_f32x4::<0x88>(r[q], r[4 + q]);
                let v1 = _mm512_shuffle_f32x4::<0xdd>(r[q], r[4 + q]);
                let w0 = _mm512_shuffle_f32x4::<0x88>(r[8 + q], r[12 + q]);
                let w1 = _mm512_shuffle_f32x4::<0xdd>(r[8 + q], r[12 + q]);
                let outs = [
                    (q, _mm512_shuffle_f32x4::<0x88>(v0, w0)),
                    (q + 8, _mm512_shuffle_f32x4::<0xdd>(v0, w0)),
                    (q + 4, _mm512_shuffle_f32x4::<0x88>(v1, w1)),
                    (q + 12, _mm512_shuffle_f32x4::<0xdd>(v1, w1)),
                ];
                for (kk, v) in outs {
                    let at = (pb + kk) * NR + h;
                    let Some(dst) = sliver.get_mut(at..at + 16) else { return 0 };
                    // SAFETY: `dst` holds 16 values.
                    unsafe { _mm512_storeu_ps(dst.as_mut_ptr(), v) };
                }
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::{pack_b, Operand};

    /// A column-major B packs to the same slivers as the row-major B it transposes: whole slivers (the
    /// register transposes where the CPU has them) and cut ones, depths with and without a remainder of the
    /// 8- and 16-row blocks, from inside the operand.
    #[test]
    fn a_transposed_b_packs_as_its_row_major_form() {
        let (k, n) = (77, 53);
        let rm: Vec<f32> = (0..k * n).map(|v| v as f32 * 0.5 - 7.0).collect();
        let cm: Vec<f32> = (0..k * n).map(|i| rm[(i % k) * n + i / k]).collect();
        let (row_major, col_major) = (Operand { data: &rm, rs: n, cs: 1 }, Operand { data: &cm, rs: 1, cs: k });
        for (p0, kc) in [(0, 77), (0, 64), (5, 16), (3, 8), (9, 7), (1, 33)] {
            for (j0, nc) in [(0usize, 53usize), (0, 48), (5, 32), (21, 16), (40, 13)] {
                let len = nc.div_ceil(16) * kc * 16;
                let (mut want, mut got) = (vec![f32::NAN; len], vec![f32::NAN; len]);
                pack_b::<16>(&mut want, row_major, p0, kc, j0, nc);
                pack_b::<16>(&mut got, col_major, p0, kc, j0, nc);
                assert_eq!(got, want, "rows {p0}+{kc}, columns {j0}+{nc}");
            }
        }
    }
}
