//! Developer micro-benchmark (not reachable from Python): nanoseconds per call of the products of one step of
//! the `small` workload (32-row batches, Dense 8-16-16-1), one thread, hot, each timed over a loop of calls
//! (a call takes 50-250 ns, too short to time one by one), and an 8-row kernel gradient of depth 256 (the
//! direct kernel's inner loop, little else). Products go through `gemm_with` as a fit's do (direct, thin
//! or packed path by shape). `cargo run --release --example smallprod -- [ROUNDS] [FILTER]`; prints
//! `NAME MxKxN NS ns GFLOPS` per product and round, and each round's total of the step's products.
#![allow(clippy::unwrap_used)]

use keras_lite::gemm::{gemm_with, Epilogue, Isa, Operand};
use std::time::Instant;

/// (name, m, k, n, A stored transposed, B stored transposed, epilogue: 0 none, 1 bias+relu, 2 relu mask,
/// 3 bias; whether the product is one of the step's).
type Shape = (&'static str, usize, usize, usize, bool, bool, u8, bool);

const SHAPES: [Shape; 9] = [
    ("l1.fwd", 32, 8, 16, false, false, 1, true),
    ("l1.dW", 8, 32, 16, true, false, 0, true),
    ("l2.fwd", 32, 16, 16, false, false, 1, true),
    ("l2.dW", 16, 32, 16, true, false, 0, true),
    ("l2.dX", 32, 16, 16, false, true, 2, true),
    ("l3.fwd", 32, 16, 1, false, false, 3, true),
    ("l3.dW", 16, 32, 1, true, false, 0, true),
    ("l3.dX", 32, 1, 16, false, true, 2, true),
    ("deep.dW", 8, 256, 16, true, false, 0, false),
];

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(3);
    let filter = std::env::args().nth(2).unwrap_or_default();
    let isa = Isa::selected();
    let mut seed = 1u32;
    let mut fill = |v: &mut [f32]| {
        for x in v {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *x = (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
        }
    };
    for round in 0..rounds {
        let mut step = 0.0;
        for (name, m, k, n, at, bt, epi_kind, in_step) in SHAPES {
            if !name.contains(filter.as_str()) {
                continue;
            }
            let (mut a, mut b, mut bias, mut mask) =
                (vec![0.0; m * k], vec![0.0; k * n], vec![0.0; n], vec![0.0; m * n]);
            for v in [&mut a, &mut b, &mut bias, &mut mask] {
                fill(v);
            }
            let mut c = vec![0.0f32; m * n];
            let ao = if at { Operand { data: &a, rs: 1, cs: m } } else { Operand { data: &a, rs: k, cs: 1 } };
            let bo = if bt { Operand { data: &b, rs: 1, cs: k } } else { Operand { data: &b, rs: n, cs: 1 } };
            let epi = match epi_kind {
                1 => Epilogue { bias: Some(&bias), relu: true, mask: None },
                2 => Epilogue { mask: Some(&mask), ..Epilogue::default() },
                3 => Epilogue { bias: Some(&bias), ..Epilogue::default() },
                _ => Epilogue::default(),
            };
            let calls = 200_000;
            let t = Instant::now();
            for _ in 0..calls {
                gemm_with(isa, std::hint::black_box(&mut c), ao, bo, (m, k, n), false, 1, epi);
            }
            let ns = t.elapsed().as_secs_f64() * 1e9 / calls as f64;
            if in_step {
                step += ns;
            }
            let gf = 2.0 * (m * k * n) as f64 / ns;
            println!("{name} {m}x{k}x{n} {ns:.1} ns {gf:.1} GFLOPS round={round} {isa:?}");
        }
        println!("step products {step:.0} ns round={round}");
    }
}
