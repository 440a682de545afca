//! Products too thin to pay for packing: an output of at most a few columns (`n ≤ 4`, e.g. the gradient of
//! a one-unit output layer) or a depth of at most a few (`k ≤ 4`, an outer product). Plain loops in the
//! operands' contiguous direction, compiled for AVX2/FMA when the CPU has it.

use super::{Epilogue, Operand};

/// Largest `n` or `k` sent here.
pub const THIN: usize = 4;

/// `C(m×n) (+)= A·B` without packing, compiled for AVX2/FMA if `vector` (the CPU must have them). `c` holds
/// at least `m*n` values; the operands cover their shapes.
pub fn gemm_thin(
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    vector: bool,
    epi: Epilogue<'_>,
) {
    if !accumulate {
        c[..m * n].fill(0.0);
    }
    #[cfg(target_arch = "x86_64")]
    {
        if vector && super::Isa::Avx2.available() {
            // SAFETY: the CPU has AVX2 and FMA (just checked); the body is safe code.
            unsafe { thin_avx2(c, a, b, m, k, n, epi) };
            return;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = vector; // only x86-64 has a vector path here
    thin(c, a, b, m, k, n);
    apply(epi, &mut c[..m * n], n);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn thin_avx2(c: &mut [f32], a: Operand<'_>, b: Operand<'_>, m: usize, k: usize, n: usize, epi: Epilogue<'_>) {
    thin(c, a, b, m, k, n);
    apply(epi, &mut c[..m * n], n);
}

/// The epilogue over a finished C of rows `n` wide, as `Epilogue::scalar` applies it to each value (the bias,
/// then the clamp, then the mask) but one step at a time over all of C, so that each step vectorizes.
#[inline(always)]
fn apply(epi: Epilogue<'_>, c: &mut [f32], n: usize) {
    if let Some(bias) = epi.bias {
        for row in c.chunks_exact_mut(n) {
            row.iter_mut().zip(bias).for_each(|(v, &b)| *v += b);
        }
    }
    if epi.relu {
        // `v < 0` is false for NaN, which therefore passes through.
        c.iter_mut().for_each(|v| *v = if *v < 0.0 { 0.0 } else { *v });
    }
    if let Some(mask) = epi.mask {
        c.iter_mut().zip(mask).for_each(|(v, &m)| *v = if m <= 0.0 { 0.0 } else { *v });
    }
}

#[inline(always)]
fn thin(c: &mut [f32], a: Operand<'_>, b: Operand<'_>, m: usize, k: usize, n: usize) {
    if n <= THIN && a.cs == 1 {
        // Row-major A: each output is a dot product along a contiguous row of A.
        for i in 0..m {
            let row = &a.data[i * a.rs..i * a.rs + k];
            for j in 0..n {
                c[i * n + j] += dot(row, b, j, k);
            }
        }
    } else if n == 1 && a.rs == 1 {
        // Column-major A, one column of C: C += Σ_p A[:, p]·B[p], sixteen values of C at a time kept in
        // registers over all of k (each still summed in p order, `c + a·b` rounded as two operations).
        let mut i0 = 0;
        while i0 + 16 <= m {
            let mut acc: [f32; 16] = std::array::from_fn(|r| c[i0 + r]);
            for p in 0..k {
                let bv = b.data[p * b.rs];
                if let Ok(col) = <&[f32; 16]>::try_from(&a.data[p * a.cs + i0..p * a.cs + i0 + 16]) {
                    acc.iter_mut().zip(col).for_each(|(o, &x)| *o += x * bv);
                }
            }
            c[i0..i0 + 16].copy_from_slice(&acc);
            i0 += 16;
        }
        for p in 0..k {
            let bv = b.data[p * b.rs];
            let col = &a.data[p * a.cs + i0..p * a.cs + m];
            c[i0..m].iter_mut().zip(col).for_each(|(o, &x)| *o += x * bv);
        }
    } else if n <= THIN {
        // Column-major A: accumulate columns of A scaled by B's entries (axpy along contiguous columns).
        for p in 0..k {
            let col = &a.data[p * a.cs..p * a.cs + (m - 1) * a.rs + 1];
            for j in 0..n {
                let bv = b.data[p * b.rs + j * b.cs];
                if n == 1 && a.rs == 1 {
                    // (Handled below, with the sums in registers.)
                    continue;
                } else {
                    for i in 0..m {
                        c[i * n + j] += col[i * a.rs] * bv;
                    }
                }
            }
        }
    } else {
        // Shallow k: each row of C gains k scaled rows of B.
        for i in 0..m {
            let out = &mut c[i * n..(i + 1) * n];
            for p in 0..k {
                let av = a.data[i * a.rs + p * a.cs];
                if b.cs == 1 {
                    let brow = &b.data[p * b.rs..p * b.rs + n];
                    out.iter_mut().zip(brow).for_each(|(o, &bv)| *o += av * bv);
                } else {
                    for (j, o) in out.iter_mut().enumerate() {
                        *o += av * b.data[p * b.rs + j * b.cs];
                    }
                }
            }
        }
    }
}

/// `Σ_p row[p]·B[p, j]`, with eight independent partial sums so that it vectorizes.
#[inline(always)]
fn dot(row: &[f32], b: Operand<'_>, j: usize, k: usize) -> f32 {
    let mut lanes = [0.0f32; 8];
    if b.rs == 1 {
        let col = &b.data[j * b.cs..j * b.cs + k];
        let (rc, rt) = row.split_at(k - k % 8);
        let (cc, ct) = col.split_at(k - k % 8);
        for (r8, c8) in rc.chunks_exact(8).zip(cc.chunks_exact(8)) {
            for l in 0..8 {
                lanes[l] += r8[l] * c8[l];
            }
        }
        let tail: f32 = rt.iter().zip(ct).map(|(x, y)| x * y).sum();
        return lanes.iter().sum::<f32>() + tail;
    }
    for (p, &x) in row.iter().enumerate() {
        lanes[p % 8] += x * b.data[p * b.rs + j * b.cs];
    }
    lanes.iter().sum()
}
