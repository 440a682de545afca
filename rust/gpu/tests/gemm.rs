//! The GEMM family against a CPU reference in f64: every tiled variant at every tile edge (M, N, K at
//! tile − 1, tile, tile + 1; transposed and not; each epilogue), split-K with its reduction, the
//! matrix-vector kernel in both layouts, the choice rule on gpu-large's shapes, and a whole fit whose shapes
//! select the split and matrix-vector paths.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::fit::{case, dense, run_case};
use super::{activations, close, device, read, run, values};
use crate::activation::Activation;
use crate::gpu::context::Ctx;
use crate::gpu::gemm::{choose, scratch_len, Choice, Gemm};
use crate::gpu::kernels::{Kernels, K};
use crate::gpu::plan::{act_id, in_epilogue};
use crate::gpu::program::{Builder, StepRecord};
use crate::loss::Loss;
use crate::metric::Metric;
use crate::optimizer::OptimizerKind;

/// Naive `C = op(A)·op(B)` in f64.
fn matmul_ref(a: &[f32], ta: bool, b: &[f32], tb: bool, m: usize, k: usize, n: usize) -> Vec<f32> {
    let mut c = vec![0.0f32; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f64;
            for p in 0..k {
                let av = if ta { a[p * m + i] } else { a[i * k + p] };
                let bv = if tb { b[j * k + p] } else { b[p * n + j] };
                s += f64::from(av) * f64::from(bv);
            }
            c[i * n + j] = s as f32;
        }
    }
    c
}

/// The epilogue of a test product.
#[derive(Debug, Clone, Copy)]
enum Epi {
    Plain,
    /// `f(C + bias)`, keeping `C + bias`.
    Forward(Activation),
    /// `C · f'(z)`.
    Backward(Activation),
}

const EPIS: [Epi; 3] = [Epi::Plain, Epi::Forward(Activation::Tanh), Epi::Backward(Activation::Sigmoid)];

/// One product: (transpose A, transpose B), (m, n, k), epilogue, the kernel and split to use.
#[derive(Debug, Clone, Copy)]
struct Prod {
    t: (bool, bool),
    mnk: (usize, usize, usize),
    epi: Epi,
    c: Choice,
}

/// The buffers of a recorded product and what it should produce.
struct Expect {
    out: wgpu::Buffer,
    pre: Option<(wgpu::Buffer, Vec<f32>)>,
    want: Vec<f32>,
}

/// Record `p` (operands from `seed`) into `b`, sharing `scratch` with the others.
fn record(ctx: &Ctx, b: &mut Builder, p: Prod, seed: u64, scratch: &wgpu::Buffer) -> Expect {
    let (m, n, k) = p.mnk;
    let (ta, tb) = p.t;
    let (av, bv, bias) = (values(m * k, seed, 1.0), values(k * n, seed + 1, 1.0), values(n, seed + 2, 0.5));
    let c = matmul_ref(&av, ta, &bv, tb, m, k, n);
    let buf = |v: &[f32]| ctx.storage_with(v, "test").unwrap();
    let (ab, bb, biasb, out) = (buf(&av), buf(&bv), buf(&bias), ctx.storage(m * n, "out").unwrap());
    let plain = Gemm::plain((&ab, ta), (&bb, tb), &out, p.mnk);
    match p.epi {
        Epi::Plain => {
            plain.record_with(b, ctx, p.c, Some(scratch)).unwrap();
            Expect { out, pre: None, want: c }
        }
        Epi::Forward(act) => {
            let pre = ctx.storage(m * n, "pre").unwrap();
            let g = Gemm { bias: Some(&biasb), pre: Some(&pre), act: act_id(act), ..plain };
            g.record_with(b, ctx, p.c, Some(scratch)).unwrap();
            let z: Vec<f32> = c.iter().enumerate().map(|(i, v)| v + bias[i % n]).collect();
            let mut y = vec![0.0; m * n];
            act.forward(&z, &mut y, n);
            Expect { out, pre: Some((pre, z)), want: y }
        }
        Epi::Backward(act) => {
            let z = values(m * n, seed + 3, 3.0);
            let mut y = vec![0.0; m * n];
            act.forward(&z, &mut y, n);
            let (zb, yb) = (buf(&z), buf(&y));
            let g = Gemm { grad_of: Some((&zb, &yb)), act: act_id(act), ..plain };
            g.record_with(b, ctx, p.c, Some(scratch)).unwrap();
            let mut want = c;
            act.backward_inplace(&z, &y, &mut want, n);
            Expect { out, pre: None, want }
        }
    }
}

/// Run every product of `ps` in one program and compare each with the reference; return the outputs.
fn check(ctx: &Ctx, kern: &Kernels, ps: &[Prod]) -> Vec<Vec<f32>> {
    let most = ps.iter().map(|p| p.c.split * p.mnk.0 * p.mnk.1).max().unwrap_or(1);
    let scratch = ctx.storage(most, "scratch").unwrap();
    let mut b = Builder::new();
    let expects: Vec<Expect> =
        ps.iter().enumerate().map(|(i, &p)| record(ctx, &mut b, p, 100 + 7 * i as u64, &scratch)).collect();
    run(ctx, kern, b, StepRecord::default());
    let mut outs = Vec::new();
    for (p, e) in ps.iter().zip(&expects) {
        let len = p.mnk.0 * p.mnk.1;
        let got = read(ctx, &e.out, len);
        close(&got, &e.want, 1e-4, 1e-4, &format!("{p:?}"));
        if let Some((pre, z)) = &e.pre {
            close(&read(ctx, pre, len), z, 1e-4, 1e-4, &format!("{p:?} pre"));
        }
        outs.push(got);
    }
    outs
}

/// Each tiled kernel's (tile, K-slice, vec4 loads).
const TILED: [K; 4] = [K::Gemm, K::GemmWide, K::GemmVec, K::GemmWideVec];
const TRANS: [(bool, bool); 4] = [(false, false), (true, false), (false, true), (true, true)];

/// Sizes around `t` for a dimension: t − 1, t, t + 1, or (where vec4 loads need a multiple of 4) t − 4, t, t + 4.
fn around(t: usize, four: bool) -> [usize; 3] {
    if four {
        [t - 4, t, t + 4]
    } else {
        [t - 1, t, t + 1]
    }
}

#[test]
fn tiled_kernels_at_every_tile_edge_transposed_and_not_with_each_epilogue() {
    let Some((ctx, kern)) = device() else { return };
    for kernel in TILED {
        let (tile, bk, vec) = kernel.tiled().unwrap();
        let (tile, bk) = (tile as usize, bk as usize);
        for (ta, tb) in TRANS {
            // With vec4 loads, A's contiguous dimension (M when transposed, else K) and B's (K or N) step by 4.
            let ms = around(tile, vec && ta);
            let ns = around(tile, vec && !tb);
            let ks = around(bk, vec && (!ta || tb));
            let mut ps = Vec::new();
            for (im, &m) in ms.iter().enumerate() {
                for (i_n, &n) in ns.iter().enumerate() {
                    for (ik, &k) in ks.iter().enumerate() {
                        let epi = EPIS[(im + i_n + ik) % 3];
                        ps.push(Prod { t: (ta, tb), mnk: (m, n, k), epi, c: Choice { kernel, split: 1 } });
                    }
                }
                // Several slices (the double buffer turns over), each epilogue.
                let k = if vec { 5 * bk + 4 } else { 5 * bk + 3 };
                for epi in EPIS {
                    ps.push(Prod { t: (ta, tb), mnk: (m, ns[2], k), epi, c: Choice { kernel, split: 1 } });
                }
            }
            check(&ctx, &kern, &ps);
        }
    }
}

#[test]
fn split_k_parts_sum_in_a_fixed_order_with_each_epilogue() {
    let Some((ctx, kern)) = device() else { return };
    let mut ps = Vec::new();
    for kernel in TILED {
        let (tile, bk, _) = kernel.tiled().unwrap();
        let (tile, bk) = (tile as usize, bk as usize);
        for (i, (ta, tb)) in TRANS.into_iter().enumerate() {
            for (j, split) in [2, 3, 5].into_iter().enumerate() {
                // 11 slices and a remainder: uneven parts, the last one short.
                let mnk = (tile + 4, tile - 4, 11 * bk + 4);
                ps.push(Prod { t: (ta, tb), mnk, epi: EPIS[(i + j) % 3], c: Choice { kernel, split } });
            }
        }
    }
    let first = check(&ctx, &kern, &ps);
    // The same program again gives the same bits.
    assert_eq!(first, check(&ctx, &kern, &ps), "split-K results differ between runs");
}

#[test]
fn matrix_vector_kernel_for_one_column_or_one_row() {
    let Some((ctx, kern)) = device() else { return };
    let mut ps = Vec::new();
    let mut i = 0;
    for kernel in [K::Gemv, K::GemvVec] {
        let vec = kernel == K::GemvVec;
        // (false, false): N = 1 by rows, M = 1 by columns; (true, true) the other way round.
        for (ta, tb) in [(false, false), (true, true)] {
            // N = 1: the matrix is A, by rows unless transposed; M = 1: the matrix is B, by rows when transposed.
            for one_col in [true, false] {
                let by_cols = if one_col { ta } else { !tb };
                let lens: &[usize] = match (by_cols, vec) {
                    (true, true) => &[4, 252, 256, 260],
                    (true, false) => &[1, 255, 256, 257],
                    (false, _) => &[1, 7, 8, 9, 301],
                };
                let ks: &[usize] = if vec && !by_cols { &[4, 124, 128, 132, 520] } else { &[1, 5, 127, 128, 129, 520] };
                // (A 1 × 1 output takes the one-column form.)
                for &len in lens.iter().filter(|&&l| one_col || l > 1) {
                    for &k in ks {
                        for split in [1, 3] {
                            let mnk = if one_col { (len, 1, k) } else { (1, len, k) };
                            let epi = EPIS[i % 3];
                            i += 1;
                            ps.push(Prod { t: (ta, tb), mnk, epi, c: Choice { kernel, split } });
                        }
                    }
                }
            }
        }
    }
    let first = check(&ctx, &kern, &ps);
    assert_eq!(first, check(&ctx, &kern, &ps), "matrix-vector results differ between runs");
}

#[test]
fn every_activation_in_the_epilogue_of_each_kernel() {
    let Some((ctx, kern)) = device() else { return };
    for act in activations().into_iter().filter(|&a| in_epilogue(a)) {
        let mut ps = Vec::new();
        for &(m, n, k) in
            &[(1usize, 1usize, 1usize), (67, 33, 70), (130, 5, 3), (64, 64, 64), (300, 20, 260), (140, 1, 44)]
        {
            for kernel in [K::Gemm, K::GemmWide, K::GemvVec, K::Gemv, K::GemmVec] {
                let ok = match kernel {
                    K::Gemv => n == 1 || m == 1,
                    K::GemvVec => n == 1 && k.is_multiple_of(4),
                    K::GemmVec => k.is_multiple_of(4) && n.is_multiple_of(4),
                    _ => true,
                };
                for epi in [Epi::Forward(act), Epi::Backward(act)] {
                    for split in [1, 2] {
                        if ok && (split == 1 || k >= 8) {
                            ps.push(Prod { t: (false, false), mnk: (m, n, k), epi, c: Choice { kernel, split } });
                        }
                    }
                }
            }
        }
        check(&ctx, &kern, &ps);
    }
}

#[test]
fn a_kernel_refuses_shapes_it_cannot_read_safely() {
    let Some((ctx, _)) = device() else { return };
    let buf = |n: usize| ctx.storage(n, "t").unwrap();
    let (a, bm, out) = (buf(6 * 5), buf(5 * 7), buf(6 * 7));
    let g = Gemm::plain((&a, false), (&bm, false), &out, (6, 7, 5));
    let mut b = Builder::new();
    // K = 5 is not a multiple of 4: no vec4 loads of A; the matrix-vector kernel needs a side of 1.
    for kernel in [K::GemmVec, K::GemmWideVec, K::Gemv, K::GemvVec, K::GemmReduce] {
        assert!(g.record_with(&mut b, &ctx, Choice { kernel, split: 1 }, None).is_err(), "{kernel:?}");
    }
    // A split needs its scratch; buffers too small for the shape are refused.
    let (deep_a, deep_b) = (buf(6 * 40), buf(40 * 7));
    let deep = Gemm::plain((&deep_a, false), (&deep_b, false), &out, (6, 7, 40));
    assert!(deep.record_with(&mut b, &ctx, Choice { kernel: K::Gemm, split: 2 }, None).is_err());
    let scratch = buf(2 * 6 * 7);
    assert!(deep.record_with(&mut b, &ctx, Choice { kernel: K::Gemm, split: 2 }, Some(&scratch)).is_ok());
    let small = Gemm::plain((&a, false), (&bm, false), &out, (6, 8, 5));
    assert!(small.record_with(&mut b, &ctx, Choice { kernel: K::Gemm, split: 1 }, None).is_err());
    assert!(g.record_with(&mut b, &ctx, Choice { kernel: K::Gemm, split: 1 }, None).is_ok());
}

#[test]
fn the_choice_rule_on_gpu_large_and_small_models() {
    let c = |kernel, split| Choice { kernel, split };
    // gpu-large (64-1024-1024-1, batch 4096): the forward products, then each layer's dW and dx, last first.
    assert_eq!(choose(4096, 1024, 64, (false, false), false), c(K::GemmWideVec, 1));
    assert_eq!(choose(4096, 1024, 1024, (false, false), false), c(K::GemmWideVec, 1));
    assert_eq!(choose(4096, 1, 1024, (false, false), false), c(K::GemvVec, 1));
    assert_eq!(choose(1024, 1, 4096, (true, false), true), c(K::GemvVec, 64));
    assert_eq!(choose(4096, 1024, 1, (false, true), false), c(K::GemmWide, 1));
    assert_eq!(choose(1024, 1024, 4096, (true, false), true), c(K::GemmWideVec, 4));
    assert_eq!(choose(4096, 1024, 1024, (false, true), false), c(K::GemmWideVec, 1));
    assert_eq!(choose(64, 1024, 4096, (true, false), true), c(K::GemmVec, 16));
    let shapes = [(64, 1024), (1024, 1024), (1024, 1)];
    assert_eq!(scratch_len(shapes.into_iter(), 4096), 4 * 1024 * 1024);
    // A short last batch splits less; never more than the scratch was sized for.
    for rows in [1, 100, 256, 511, 512, 1000, 4095] {
        for &(win, wout) in &shapes {
            let s = choose(win, wout, rows, (true, false), true).split;
            assert!(s * win * wout <= scratch_len(shapes.into_iter(), 4096), "{rows} {win}x{wout}");
        }
    }
    // Small models record what they did before: no split, one dispatch per product.
    assert_eq!(choose(32, 16, 8, (false, false), false), c(K::GemmVec, 1));
    assert_eq!(choose(8, 16, 32, (true, false), true), c(K::GemmVec, 1));
    assert_eq!(scratch_len([(8, 16), (16, 16), (16, 1)].into_iter(), 32), 0);
    // Odd widths keep scalar loads.
    assert_eq!(choose(300, 13, 7, (false, false), false), c(K::Gemm, 1));
}

#[test]
fn fit_gpu_large_shaped_model_splits_and_uses_the_matrix_vector_kernel() {
    // gpu-large's widths over 1,100 rows in batches of 1,024: the full batch splits each weight gradient
    // (1024x1024 on wide tiles in 4 parts, 64x1024 in 4, 1024x1 in 16), the last 76 rows split none.
    let mut c = case(
        64,
        vec![dense(1024, Activation::Relu), dense(1024, Activation::Relu), dense(1, Activation::Linear)],
        Loss::MeanSquaredError,
        vec![Metric::MeanAbsoluteError],
        // Plain momentum: Adam's division by the gradient's root mean square magnifies the last-bit
        // differences of relu units on the edge of zero, which differ with any change of summation order.
        OptimizerKind::Sgd { learning_rate: 0.01, momentum: 0.9, nesterov: false },
    );
    assert_eq!(choose(1024, 1024, 1024, (true, false), true), Choice { kernel: K::GemmWideVec, split: 4 });
    assert_eq!(choose(64, 1024, 1024, (true, false), true), Choice { kernel: K::GemmVec, split: 4 });
    assert_eq!(choose(1024, 1, 1024, (true, false), true), Choice { kernel: K::GemvVec, split: 16 });
    assert_eq!(choose(1024, 1024, 76, (true, false), true).split, 1);
    (c.rows, c.val_rows, c.batch, c.epochs) = (1100, 40, 1024, 2);
    run_case(&c);
}
