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
        } else {
            // Column-major A (a transposed operand): each k holds MR neighbouring rows.
            for p in 0..kc {
                let start = base * a.rs + (p0 + p) * a.cs;
                for r in 0..MR {
                    sliver[p * MR + r] = a.data[start + r * a.rs];
                }
            }
        }
    }
}

/// Pack rows `p0..p0+kc`, columns `j0..j0+nc` of B into NR-column slivers (zero-padded).
pub(super) fn pack_b<const NR: usize>(dst: &mut [f32], b: Operand<'_>, p0: usize, kc: usize, j0: usize, nc: usize) {
    for (s, sliver) in dst.chunks_exact_mut(kc * NR).enumerate().take(nc.div_ceil(NR)) {
        let js = j0 + s * NR;
        let cols = NR.min(j0 + nc - js);
        if b.cs == 1 && cols == NR {
            // Fixed-size copies: a few vector moves per row instead of a call to memmove.
            for (p, out) in sliver.chunks_exact_mut(NR).enumerate() {
                let row = (p0 + p) * b.rs + js;
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
            // Column-major B (a transposed operand): walk each column down its contiguous run of k.
            for c in 0..NR {
                if c < cols {
                    let start = p0 * b.rs + (js + c) * b.cs;
                    for p in 0..kc {
                        sliver[p * NR + c] = b.data[start + p * b.rs];
                    }
                } else {
                    for p in 0..kc {
                        sliver[p * NR + c] = 0.0;
                    }
                }
            }
        }
    }
}
