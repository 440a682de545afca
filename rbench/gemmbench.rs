//! Developer micro-benchmark (not reachable from Python): GFLOP/s of the GEMM for the training shapes with
//! each vector kernel, the kernels alternated per round so that load from other processes hits both alike.
//! `cargo run --release --example gemmbench -- ROUNDS`; prints the fastest call's rate per round, kernel and
//! shape.
#![allow(clippy::unwrap_used)]

use keras_lite::gemm::{gemm_with, Epilogue, Isa, Operand};
use std::time::Instant;

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(3);
    // (m, k, n, A stored transposed, B stored transposed): forward X·W, backward Xᵀ·dZ and dZ·Wᵀ, squares.
    let shapes = [
        (128usize, 784usize, 256usize, false, false),
        (128, 256, 128, false, false),
        (784, 128, 256, true, false),
        (128, 256, 784, false, true),
        (256, 256, 256, false, false),
        (512, 512, 512, false, false),
    ];
    let threads = keras_lite::pool::threads();
    for round in 0..rounds {
        for isa in [Isa::Avx2, Isa::Avx512] {
            for &(m, k, n, at, bt) in &shapes {
                let a = vec![0.5f32; m * k];
                let b = vec![0.25f32; k * n];
                let mut c = vec![0.0f32; m * n];
                let ao = if at { Operand { data: &a, rs: 1, cs: m } } else { Operand { data: &a, rs: k, cs: 1 } };
                let bo = if bt { Operand { data: &b, rs: 1, cs: k } } else { Operand { data: &b, rs: n, cs: 1 } };
                let flops = 2.0 * (m * k * n) as f64;
                let reps = (2e9 / flops).ceil() as usize; // about 10 ms of work at 200 GFLOP/s
                let mut run = || {
                    keras_lite::pool::train(|| {
                        gemm_with(isa, &mut c, ao, bo, (m, k, n), false, threads, Epilogue::default())
                    })
                };
                run();
                // The fastest call: on a loaded machine the mean mostly measures the other processes.
                let mut best = f64::MAX;
                for _ in 0..reps {
                    let t = Instant::now();
                    run();
                    best = best.min(t.elapsed().as_secs_f64());
                }
                let gf = flops / best / 1e9;
                let layout = format!("{}{}", if at { "T" } else { "N" }, if bt { "T" } else { "N" });
                println!("round {round} {isa:?} {m}x{k}x{n} {layout} {gf:.1} GFLOP/s threads={threads}");
            }
        }
    }
}
