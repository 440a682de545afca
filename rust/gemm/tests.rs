//! Property tests of every kernel this CPU runs against an f64 reference: random and edge shapes (tiles cut
//! by the edges, k = 1, k > KC, several NC panels), plain, transposed and padded operands, accumulate on and
//! off, every epilogue combination with NaN, one and two threads. Row- and column-major A are read in place,
//! A with neither stride 1 is packed.

use super::{column_sums, gemm, gemm_summing_b, gemm_with, Epilogue, Isa, Operand, KC};
use crate::rng::Rng;

/// A logical `rows × cols` matrix stored plain (row stride `cols + pad`), transposed, or, with `transposed`
/// and a `pad`, with every value `pad + 1` apart (neither stride 1: the operand A is packed).
fn store(x: &[f32], rows: usize, cols: usize, transposed: bool, pad: usize) -> (Vec<f32>, usize, usize) {
    if transposed && pad > 0 {
        let mut v = vec![f32::NAN; rows * cols * (pad + 1)];
        for (idx, &val) in x.iter().enumerate() {
            v[idx * (pad + 1)] = val;
        }
        (v, cols * (pad + 1), pad + 1)
    } else if transposed {
        let t = (0..rows * cols).map(|idx| x[(idx % rows) * cols + idx / rows]).collect();
        (t, 1, rows)
    } else {
        let mut v = vec![f32::NAN; rows * (cols + pad)];
        for r in 0..rows {
            v[r * (cols + pad)..r * (cols + pad) + cols].copy_from_slice(&x[r * cols..(r + 1) * cols]);
        }
        (v, cols + pad, 1)
    }
}

fn kernels() -> Vec<Isa> {
    [Isa::Avx512, Isa::Avx2, Isa::Portable].into_iter().filter(|k| k.available()).collect()
}

/// One shape through every kernel, layout, accumulate flag, epilogue and thread count.
fn check(r: &mut Rng, m: usize, k: usize, n: usize) {
    let (mut a, mut b, mut bias, mut mask) = (vec![0.0; m * k], vec![0.0; k * n], vec![0.0; n], vec![0.0; m * n]);
    r.fill_uniform(&mut a, 1.0);
    r.fill_uniform(&mut b, 1.0);
    r.fill_uniform(&mut bias, 1.0);
    r.fill_uniform(&mut mask, 1.0);
    // Exact zeros (which must zero the result) in every lane of the tiles, and a NaN (which must not).
    mask.iter_mut().step_by(7).for_each(|x| *x = 0.0);
    mask[0] = f32::NAN;
    mask[m * n - 1] = 0.0;
    if m > 2 {
        a[k] = f32::NAN; // row 1 of the product is NaN: it must pass the clamp and a NaN mask entry.
    }
    // The reference in f64, and Σ|a·b| for an error bound.
    let (mut want, mut mag) = (vec![0.0f64; m * n], vec![0.0f64; m * n]);
    for i in 0..m {
        for p in 0..k {
            let av = f64::from(a[i * k + p]);
            for j in 0..n {
                want[i * n + j] += av * f64::from(b[p * n + j]);
                mag[i * n + j] += (av * f64::from(b[p * n + j])).abs();
            }
        }
    }
    let c0: Vec<f32> = (0..m * n).map(|x| (x % 7) as f32 * 0.25 - 0.75).collect();
    for (case, isa) in kernels().into_iter().enumerate() {
        let layouts = [
            (false, false, 0),
            (true, false, 0),
            (false, true, 0),
            (true, true, 0),
            (false, false, 3),
            (true, true, 1),
        ];
        for (at, bt, pad) in layouts {
            let (ad, ars, acs) = store(&a, m, k, at, pad);
            let (bd, brs, bcs) = store(&b, k, n, bt, pad);
            for combo in 0..16 {
                let (use_bias, relu, use_mask, accumulate) =
                    (combo & 1 > 0, combo & 2 > 0, combo & 4 > 0, combo & 8 > 0);
                let epi = Epilogue { bias: use_bias.then_some(&bias[..]), relu, mask: use_mask.then_some(&mask[..]) };
                let threads = 1 + (combo + case) % 2;
                let mut c = c0.clone();
                let (ao, bo) = (Operand { data: &ad, rs: ars, cs: acs }, Operand { data: &bd, rs: brs, cs: bcs });
                gemm_with(isa, &mut c, ao, bo, (m, k, n), accumulate, threads, epi);
                for i in 0..m {
                    for (j, &bj) in bias.iter().enumerate() {
                        let at_ = i * n + j;
                        let mut w = want[at_] + if accumulate { f64::from(c0[at_]) } else { 0.0 };
                        let mut bound = mag[at_] + if accumulate { f64::from(c0[at_]).abs() } else { 0.0 };
                        if use_bias {
                            w += f64::from(bj);
                            bound += f64::from(bj).abs();
                        }
                        if relu && w < 0.0 {
                            w = 0.0;
                        }
                        if use_mask && mask[at_] <= 0.0 {
                            w = 0.0;
                        }
                        let got = f64::from(c[at_]);
                        let ok = if w.is_nan() {
                            got.is_nan()
                        } else {
                            // (A masked NaN row has a NaN bound and must be exactly zero.)
                            got == w || (got - w).abs() <= (k + 4) as f64 * f64::from(f32::EPSILON) * bound
                        };
                        assert!(
                            ok,
                            "{isa:?} {m}x{k}x{n} at={at} bt={bt} pad={pad} bias={use_bias} relu={relu} \
                             mask={use_mask} acc={accumulate} threads={threads}: ({i},{j}) {got} vs {w}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn every_kernel_matches_the_f64_reference_on_edge_shapes() {
    let mut r = Rng::new(11, 0);
    for &(m, k, n) in &[
        (1, 1, 1),
        (3, 1, 40),
        (12, 5, 32),
        (13, 6, 33),
        (6, 17, 16),
        (11, 31, 31),
        (25, KC + 1, 65),
        (24, 2 * KC, 64),
        (37, 3 * KC + 7, 97),
        (130, 40, 1030),
        (2, 300, 5),
        // The 12×16 AVX-512 tile (n ≤ 16), whole and cut by the edges, one and two K panels.
        (24, 37, 16),
        (29, KC + 9, 10),
        (130, 20, 13),
        // Row-major A read in place with a last sliver of fewer than MR rows; packed 16×16 transposes of B
        // with a remainder of k.
        (100, 43, 70),
    ] {
        check(&mut r, m, k, n);
    }
}

#[test]
fn every_kernel_matches_the_f64_reference_on_random_shapes() {
    let mut r = Rng::new(12, 0);
    for _ in 0..24 {
        let (m, k, n) = (1 + r.below(80), 1 + r.below(600), 1 + r.below(120));
        check(&mut r, m, k, n);
    }
}

/// The vector kernels sum in the same order with the same fused multiply-adds, so they agree bit for bit,
/// whatever the thread count: trained weights do not depend on which of them the CPU runs.
#[test]
fn vector_kernels_and_thread_counts_agree_bit_for_bit() {
    let vector: Vec<Isa> = kernels().into_iter().filter(|&k| k != Isa::Portable).collect();
    let mut r = Rng::new(13, 0);
    for &(m, k, n) in &[(128, 784, 256), (784, 128, 256), (50, 600, 70), (200, 33, 130), (128, 300, 10)] {
        let (mut a, mut b, mut bias) = (vec![0.0; m * k], vec![0.0; k * n], vec![0.0; n]);
        r.fill_uniform(&mut a, 1.0);
        r.fill_uniform(&mut b, 1.0);
        r.fill_uniform(&mut bias, 1.0);
        let epi = Epilogue { bias: Some(&bias), relu: true, mask: None };
        let mut first: Option<Vec<f32>> = None;
        for &isa in &vector {
            for threads in [1, 2, 3] {
                let mut c = vec![0.0; m * n];
                let (ao, bo) = (Operand { data: &a, rs: k, cs: 1 }, Operand { data: &b, rs: n, cs: 1 });
                gemm_with(isa, &mut c, ao, bo, (m, k, n), false, threads, epi);
                match &first {
                    None => first = Some(c),
                    Some(f) => assert!(
                        f.iter().zip(&c).all(|(x, y)| x.to_bits() == y.to_bits()),
                        "{isa:?} threads={threads} {m}x{k}x{n} differs"
                    ),
                }
            }
        }
    }
}

#[test]
fn selection_is_a_kernel_this_cpu_runs() {
    assert!(Isa::selected().available());
    assert!(Isa::best().available());
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") && std::env::var_os("KERAS_LITE_GEMM_KERNEL").is_none() {
        assert_eq!(Isa::selected(), Isa::Avx512);
    }
}

/// Each value of C as the vector kernels compute it, in scalar code: per K panel, a fused multiply-add per
/// k in k order onto zero, added to C (or stored, on the first panel without `accumulate`), the bias on the
/// first panel's store, relu and the mask on the last one's.
#[allow(clippy::too_many_arguments)]
fn fma_reference(
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    epi: Epilogue<'_>,
) {
    for i in 0..m {
        for j in 0..n {
            let mut v = c[i * n + j];
            for p0 in (0..k).step_by(KC) {
                let s = (p0..k.min(p0 + KC))
                    .fold(0.0f32, |s, p| a.data[i * a.rs + p * a.cs].mul_add(b.data[p * b.rs + j * b.cs], s));
                v = if p0 == 0 && !accumulate { s } else { v + s };
                if let (0, Some(bias)) = (p0, epi.bias) {
                    v += bias[j];
                }
            }
            c[i * n + j] = Epilogue { bias: None, ..epi }.scalar(v, j, i * n + j);
        }
    }
}

/// The AVX-512 kernel's 8-row tiles (a block's last 8 rows, or its last 16 as two of them when 4 rows are
/// left over a multiple of 12), and the AVX2 kernel, against the scalar fused-multiply-add reference bit for
/// bit: plain, transposed and strided (packed) A, plain, strided and transposed B, one to three K panels, accumulate,
/// each epilogue with NaN, one and two threads (column and row splits, whose last thread has the edge).
#[test]
fn vector_kernels_match_the_fma_reference_bit_for_bit_at_row_edges() {
    let vector: Vec<Isa> = kernels().into_iter().filter(|&k| k != Isa::Portable).collect();
    let mut r = Rng::new(14, 0);
    #[rustfmt::skip]
    let shapes = [
        (8, 40, 48), (16, 7, 64), (20, KC + 3, 40), (28, 200, 16), (32, 300, 10), (4, 33, 64), (44, 9, 33),
        (128, 2 * KC + 5, 64), (256, 33, 64), (256, 40, 200), (148, 20, 40), (152, 65, 72), (292, 13, 36),
        (112, KC, 16),
        // B read in place (row-major, at least 64 deep, at most 48 rows per thread) with an edge sliver, and
        // packed on one thread but read in place by each of two (96 rows split by rows; AVX-512).
        (44, 100, 70), (96, 70, 40),
    ];
    for (m, k, n) in shapes {
        let (mut a, mut b, mut bias, mut mask) = (vec![0.0; m * k], vec![0.0; k * n], vec![0.0; n], vec![0.0; m * n]);
        for x in [&mut a, &mut b, &mut bias, &mut mask] {
            r.fill_uniform(x, 1.0);
        }
        mask.iter_mut().step_by(5).for_each(|x| *x = 0.0);
        mask[m * n - 1] = f32::NAN;
        a[(m - 1) * k] = f32::NAN; // the last row of the product is NaN: through relu and a NaN mask entry
        let c0: Vec<f32> = (0..m * n).map(|x| (x % 5) as f32 * 0.5 - 1.0).collect();
        for (at, bt, pad) in [(false, false, 0), (true, false, 0), (false, true, 0), (true, true, 1), (false, false, 3)]
        {
            let (ad, ars, acs) = store(&a, m, k, at, pad);
            let (bd, brs, bcs) = store(&b, k, n, bt, pad);
            let (ao, bo) = (Operand { data: &ad, rs: ars, cs: acs }, Operand { data: &bd, rs: brs, cs: bcs });
            for combo in 0..16 {
                let epi = Epilogue {
                    bias: (combo & 1 > 0).then_some(&bias[..]),
                    relu: combo & 2 > 0,
                    mask: (combo & 4 > 0).then_some(&mask[..]),
                };
                let accumulate = combo & 8 > 0;
                let mut want = c0.clone();
                fma_reference(&mut want, ao, bo, (m, k, n), accumulate, epi);
                for &isa in &vector {
                    for threads in [1, 2] {
                        let mut c = c0.clone();
                        gemm_with(isa, &mut c, ao, bo, (m, k, n), accumulate, threads, epi);
                        let bad = want.iter().zip(&c).position(|(x, y)| x.to_bits() != y.to_bits());
                        assert!(
                            bad.is_none(),
                            "{isa:?} {m}x{k}x{n} at={at} bt={bt} pad={pad} combo={combo} threads={threads}: \
                             ({}, {}) {} vs {}",
                            bad.unwrap_or(0) / n,
                            bad.unwrap_or(0) % n,
                            c[bad.unwrap_or(0)],
                            want[bad.unwrap_or(0)]
                        );
                    }
                }
            }
        }
    }
}

/// A product that also sums B's columns gives C's bits and, when it says it summed them, the bits of
/// `column_sums`; when it says it did not, the sums are untouched. The packed and direct paths must sum them,
/// on one thread and on two (columns or rows cut, a tall kernel gradient's rows where `row_share` says).
#[test]
fn products_summing_b_give_the_product_and_the_column_sums() {
    let mut r = Rng::new(14, 0);
    let shapes = [
        (784, 128, 256),
        (32, 256, 256),
        (256, 128, 128),
        (100, 37, 300),
        (5, 7, 9),
        (256, 256, 1),
        (11, 256, 512),
        (300, 64, 100),
        (784, 128, 10),
    ];
    // Direct shapes where the CPU has AVX2 or AVX-512F: a 32-row step's kernel gradients, a one-deep product.
    let direct_shapes = [(16, 32, 16), (8, 32, 16), (16, 32, 24), (13, 40, 32), (7, 1, 20), (10, 32, 7)];
    for (m, k, n) in shapes.into_iter().chain(direct_shapes) {
        let thin = n <= super::THIN || k <= super::THIN;
        let direct = super::direct::takes(m, k, n, Isa::selected());
        // The packed and direct paths, which sum on one thread too.
        let packed = !thin && !direct;
        let (mut a, mut b) = (vec![0.0; m * k], vec![0.0; k * n]);
        r.fill_uniform(&mut a, 1.0);
        r.fill_uniform(&mut b, 1.0);
        // A column of negative zeros, which sums to +0 from a +0 start.
        b.iter_mut().skip(n - 1).step_by(n).for_each(|v| *v = -0.0);
        // A stored transposed (as a kernel gradient's Xᵀ is), B row-major.
        let at: Vec<f32> = (0..m * k).map(|i| a[(i % m) * k + i / m]).collect();
        let (ao, bo) = (Operand { data: &at, rs: 1, cs: m }, Operand { data: &b, rs: n, cs: 1 });
        let mut want_sums = vec![0.0; n];
        column_sums(bo, k, 0, &mut want_sums);
        let mut want = vec![0.0; m * n];
        gemm(&mut want, ao, bo, m, k, n, false, 1, Epilogue::default());
        for threads in [1, 2] {
            let (mut c, mut sums) = (vec![f32::NAN; m * n], vec![f32::NAN; n]);
            let summed = crate::pool::train(|| gemm_summing_b(&mut c, ao, bo, m, k, n, threads, &mut sums));
            let same = |x: &[f32], y: &[f32]| x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits());
            assert!(same(&c, &want), "{m}x{k}x{n} threads={threads}: C");
            if summed {
                assert!(same(&sums, &want_sums), "{m}x{k}x{n} threads={threads}: sums");
            } else {
                assert!(sums.iter().all(|v| v.is_nan()), "{m}x{k}x{n} threads={threads}: sums touched");
            }
            assert_eq!(summed, packed || direct, "{m}x{k}x{n}: summed on {threads} threads");
        }
    }
}
