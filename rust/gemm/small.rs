//! Products too thin to pay for packing: an output of at most a few columns (`n ≤ 4`, e.g. the gradient of
//! a one-unit output layer) or a depth of at most a few (`k ≤ 4`, an outer product). Plain loops in the
//! operands' contiguous direction, compiled for AVX2/FMA when the CPU has it (a one-unit layer's forward
//! product: column.rs).

use super::{Epilogue, Isa, Operand};

/// Largest `n` or `k` sent here.
pub const THIN: usize = 4;

/// `C(m×n) (+)= A·B` without packing, compiled for AVX2/FMA if `isa` is a vector kernel (AVX-512F or AVX2;
/// the CPU must have it). `c` holds at least `m*n` values; the operands cover their shapes.
pub fn gemm_thin(
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    isa: Isa,
    epi: Epilogue<'_>,
) {
    let vector = isa != Isa::Portable;
    if n > THIN && b.cs == 1 {
        // Shallow, B row-major: one pass over C.
        #[cfg(target_arch = "x86_64")]
        if vector && super::Isa::Avx2.available() {
            // SAFETY: the CPU has AVX2 and FMA (just checked); the body is safe code.
            unsafe { shallow_avx2(c, a, b, (m, k, n), accumulate, epi) };
            return;
        }
        shallow(c, a, b, (m, k, n), accumulate, epi);
        return;
    }
    if !accumulate {
        c[..m * n].fill(0.0);
    }
    #[cfg(target_arch = "x86_64")]
    {
        if vector && super::Isa::Avx2.available() {
            // SAFETY: the CPU has AVX2 and FMA (just checked); the body is safe code.
            unsafe { thin_avx2(c, a, b, (m, k, n), isa == Isa::Avx512 && isa.available(), epi) };
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
unsafe fn thin_avx2(
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (m, k, n): (usize, usize, usize),
    avx512: bool,
    epi: Epilogue<'_>,
) {
    if n == 1 && a.cs == 1 && b.rs == 1 && k.is_multiple_of(8) && k > 0 && m > 0 && a.data.len() >= (m - 1) * a.rs + k {
        // A one-unit layer's forward product: sixteen or eight rows at a time (the rest as `thin` does them).
        let col = &b.data[..k];
        // SAFETY: AVX2 and FMA are enabled here, AVX-512F is available if `avx512`, k is a multiple of 8,
        // `c` holds m values and A's m rows hold k values each (the checks above and the caller's).
        let done = unsafe { super::column::rows(c, a.data, a.rs, col, m, avx512) };
        for (i, o) in c[..m].iter_mut().enumerate().skip(done) {
            *o += dot(&a.data[i * a.rs..i * a.rs + k], b, 0, k);
        }
    } else {
        thin(c, a, b, m, k, n);
    }
    apply(epi, &mut c[..m * n], n);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn shallow_avx2(
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    shape: (usize, usize, usize),
    accumulate: bool,
    epi: Epilogue<'_>,
) {
    shallow(c, a, b, shape, accumulate, epi);
}

/// A shallow product (`k ≤ THIN`: a one-unit layer's input gradient, an outer product) with a row-major B,
/// in one pass over C: each block of a row's values is started (at zero, or at C's values to accumulate
/// onto), given the `k` scaled rows of B in order, put through the epilogue and stored. The same operations
/// in the same order as zero-filling C, `thin`'s shallow loop and `apply`, which took three passes over C
/// (and one over the mask): 1.9x faster on a 256x1x256 product with a mask (one thread, in cache).
#[inline(always)]
fn shallow(
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    epi: Epilogue<'_>,
) {
    // Blocks of 32 values (four AVX2 vectors), then of 8, then single values.
    let (wide, narrow) = (n - n % 32, n - n % 8);
    for (i, out) in c[..m * n].chunks_exact_mut(n).enumerate() {
        let at = i * n;
        for j0 in (0..wide).step_by(32) {
            shallow_block::<32>(out, a, b, (i, j0), k, accumulate, epi, at);
        }
        for j0 in (wide..narrow).step_by(8) {
            shallow_block::<8>(out, a, b, (i, j0), k, accumulate, epi, at);
        }
        for j in narrow..n {
            shallow_block::<1>(out, a, b, (i, j), k, accumulate, epi, at);
        }
    }
}

/// `shallow` on the `W` values of C's row `out` (row `i` of C, whose mask values start at `at`) from column
/// `j0`; each lies inside its slice (the caller's shapes).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn shallow_block<const W: usize>(
    out: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (i, j0): (usize, usize),
    k: usize,
    accumulate: bool,
    epi: Epilogue<'_>,
    at: usize,
) {
    // As an array, so that its loads and stores are the registers' own (not a `memcpy` call).
    let Ok(out) = <&mut [f32; W]>::try_from(&mut out[j0..j0 + W]) else { return };
    let mut acc = if accumulate { *out } else { [0.0; W] };
    for p in 0..k {
        let av = a.data[i * a.rs + p * a.cs];
        acc.iter_mut().zip(&b.data[p * b.rs + j0..p * b.rs + j0 + W]).for_each(|(o, &x)| *o += av * x);
    }
    let cols = j0..j0 + W;
    let mask = epi.mask.map(|x| &x[at + j0..at + j0 + W]);
    apply(Epilogue { bias: epi.bias.map(|x| &x[cols]), relu: epi.relu, mask }, &mut acc, W);
    *out = acc;
}

/// The epilogue over a finished C of rows `n` wide, as `Epilogue::scalar` applies it to each value (the bias,
/// then the clamp, then the mask) but one step at a time over all of C, so that each step vectorizes.
#[inline(always)]
fn apply(epi: Epilogue<'_>, c: &mut [f32], n: usize) {
    match epi.bias {
        // One column (a one-unit layer): one loop over C, not a loop of one value per row.
        Some(&[b, ..]) if n == 1 => c.iter_mut().for_each(|v| *v += b),
        Some(bias) => {
            for row in c.chunks_exact_mut(n) {
                row.iter_mut().zip(bias).for_each(|(v, &b)| *v += b);
            }
        }
        None => {}
    }
    if epi.relu {
        // `v < 0` is false for NaN, which therefore passes through.
        c.iter_mut().for_each(|v| *v = if *v < 0.0 { 0.0 } else { *v });
    }
    if let Some(mask) = epi.mask {
        c.iter_mut().zip(mask).for_each(|(v, &m)| *v = if m <= 0.0 { 0.0 } else { *v });
    }
}

/// `C[i0..i0 + W] += Σ_p A[i0..i0 + W, p]·B[p]` for a column-major A (the rows of a column contiguous), the
/// `W` sums kept in registers over all of k, each in p order.
#[inline(always)]
fn column_block<const W: usize>(c: &mut [f32], a: Operand<'_>, b: Operand<'_>, i0: usize, k: usize) {
    let mut acc: [f32; W] = std::array::from_fn(|r| c[i0 + r]);
    for p in 0..k {
        let bv = b.data[p * b.rs];
        if let Ok(col) = <&[f32; W]>::try_from(&a.data[p * a.cs + i0..p * a.cs + i0 + W]) {
            acc.iter_mut().zip(col).for_each(|(o, &x)| *o += x * bv);
        }
    }
    c[i0..i0 + W].copy_from_slice(&acc);
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
        // Column-major A, one column of C (a one-unit layer's kernel gradient): C += Σ_p A[:, p]·B[p], 64
        // and then 16 values of C at a time kept in registers over all of k (each still summed in p order,
        // `c + a·b` rounded as two operations). Sixteen at a time, each step's additions waited on the step
        // before's: 64 at a time has four times the independent sums and took 256×256·256×1 from 6.4 to 3.7
        // µs (one thread, hot, the Intel Xeon host).
        let mut i0 = 0;
        while i0 + 64 <= m {
            column_block::<64>(c, a, b, i0, k);
            i0 += 64;
        }
        while i0 + 16 <= m {
            column_block::<16>(c, a, b, i0, k);
            i0 += 16;
        }
        // The last `m % 16` rows, if any (for a 16- or 64-unit layer, none: then not `k` empty steps).
        if i0 < m {
            for p in 0..k {
                let bv = b.data[p * b.rs];
                let col = &a.data[p * a.cs + i0..p * a.cs + m];
                c[i0..m].iter_mut().zip(col).for_each(|(o, &x)| *o += x * bv);
            }
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
        // Shallow k: each row of C gains k scaled rows of B (`shallow` where B is row-major).
        for i in 0..m {
            let out = &mut c[i * n..(i + 1) * n];
            for p in 0..k {
                let av = a.data[i * a.rs + p * a.cs];
                for (j, o) in out.iter_mut().enumerate() {
                    *o += av * b.data[p * b.rs + j * b.cs];
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

#[cfg(test)]
mod tests {
    use super::{gemm_thin, thin, Epilogue, Isa, Operand};
    use crate::rng::Rng;

    /// The kernels this CPU can run, portable first.
    fn isas() -> Vec<Isa> {
        [Isa::Portable, Isa::Avx2, Isa::Avx512].into_iter().filter(|i| i.available()).collect()
    }

    /// A shallow product's one pass gives the bits of the zero-fill, `thin` and `apply` passes, on both paths,
    /// accumulating or not, with every epilogue (zeros of both signs, NaNs, widths around the block's).
    #[test]
    fn shallow_products_match_the_three_passes_bit_for_bit() {
        let mut r = Rng::new(9, 0);
        for (m, k, n) in [(5, 1, 5), (7, 1, 31), (3, 2, 32), (9, 1, 33), (4, 3, 70), (2, 4, 256), (6, 6, 40)] {
            let (mut a, mut b, mut c0, mut mask) =
                (vec![0.0; m * k], vec![0.0; k * n], vec![0.0; m * n], vec![0.0; m * n]);
            for v in [&mut a, &mut b, &mut c0, &mut mask] {
                r.fill_uniform(v, 1.0);
            }
            a.iter_mut().step_by(3).for_each(|v| *v = -0.0);
            b.iter_mut().skip(1).step_by(5).for_each(|v| *v = 0.0);
            c0.iter_mut().step_by(4).for_each(|v| *v = -0.0);
            mask.iter_mut().step_by(6).for_each(|v| *v = 0.0);
            mask.iter_mut().skip(2).step_by(7).for_each(|v| *v = -0.0);
            mask[m * n - 1] = f32::NAN;
            b[n - 1] = f32::NAN;
            let bias: Vec<f32> = (0..n).map(|j| if j % 3 == 0 { -0.0 } else { j as f32 * 0.01 - 0.2 }).collect();
            // A row-major and column-major; B row-major (the shallow path's).
            for (ao, bo) in [
                (Operand { data: &a, rs: k, cs: 1 }, Operand { data: &b, rs: n, cs: 1 }),
                (Operand { data: &a, rs: 1, cs: m }, Operand { data: &b, rs: n, cs: 1 }),
            ] {
                let epis = [
                    Epilogue::default(),
                    Epilogue { bias: Some(&bias), relu: true, mask: None },
                    Epilogue { bias: None, relu: false, mask: Some(&mask) },
                ];
                let isas = isas();
                let cases = epis.into_iter().flat_map(|e| [(e, false), (e, true)]);
                for (epi, accumulate, isa) in cases.flat_map(|(e, acc)| isas.iter().map(move |&i| (e, acc, i))) {
                    let mut want = c0.clone();
                    if !accumulate {
                        want.fill(0.0);
                    }
                    thin(&mut want, ao, bo, m, k, n);
                    super::apply(epi, &mut want, n);
                    let mut got = if accumulate { c0.clone() } else { vec![f32::NAN; m * n] };
                    gemm_thin(&mut got, ao, bo, (m, k, n), accumulate, isa, epi);
                    let same = want.iter().zip(&got).all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "{m}x{k}x{n} a.rs={} acc={accumulate} {isa:?}", ao.rs);
                }
            }
        }
    }

    /// The vector paths (eight rows at a time, and sixteen with AVX-512) give the portable loops' bits (zeros
    /// of both signs, NaNs, every row count).
    #[test]
    fn one_column_products_match_the_portable_loop_bit_for_bit() {
        let mut r = Rng::new(5, 0);
        let shapes =
            [(32, 16), (1, 8), (7, 8), (8, 16), (13, 24), (40, 32), (33, 16), (9, 5), (16, 8), (31, 40), (57, 8)];
        for (m, k) in shapes {
            let (mut a, mut b) = (vec![0.0; m * k + 3], vec![0.0; k]);
            r.fill_uniform(&mut a, 1.0);
            r.fill_uniform(&mut b, 1.0);
            a.iter_mut().step_by(3).for_each(|v| *v = 0.0);
            a.iter_mut().skip(1).step_by(7).for_each(|v| *v = -0.0);
            b[0] = -b[0].abs();
            // A NaN in a row of the first eight and of the second (a sixteen-row block's high half).
            for row in [3, 11].into_iter().filter(|&row| row < m) {
                a[row * k + 1] = f32::NAN;
            }
            let bias = [-0.0f32];
            for rs in [k, k + 3] {
                let rows = if rs == k { m } else { (m * k + 3 - k) / rs + 1 }.min(m);
                let ao = Operand { data: &a, rs, cs: 1 };
                let bo = Operand { data: &b, rs: 1, cs: 1 };
                for epi in [Epilogue::default(), Epilogue { bias: Some(&bias), relu: true, mask: None }] {
                    let mut want = vec![0.0; rows];
                    thin(&mut want, ao, bo, rows, k, 1);
                    super::apply(epi, &mut want, 1);
                    for isa in isas() {
                        let mut got = vec![f32::NAN; rows];
                        gemm_thin(&mut got, ao, bo, (rows, k, 1), false, isa, epi);
                        let same = want.iter().zip(&got).all(|(x, y)| x.to_bits() == y.to_bits());
                        assert!(same, "{rows}x{k} rs={rs} {isa:?}: {want:?} vs {got:?}");
                    }
                }
            }
        }
    }
}
