//! Developer micro-benchmark (not reachable from Python): GFLOP/s of the packed GEMM on the products a
//! training step of the benchmark workloads runs (forward `X·W` with bias and relu, weight gradient `Xᵀ·dY`,
//! input gradient `dY·Wᵀ` with the relu mask), on 1 and 2 threads alternated per round so that load from
//! other processes hits both alike. The kernel is `KERAS_LITE_GEMM_KERNEL`'s (else the best this CPU runs);
//! the team needs `KERAS_LITE_NUM_THREADS` ≥ 2 for the 2-thread rows.
//!
//! `cargo run --release --example gemmbench -- ROUNDS [FILTER]`; prints, per round, shape and thread count,
//! the fastest call's rate as `gemm NAME M K N threads=T GFLOPS`, then the median call's as `median=GFLOPS`.
//! On a shared host the two differ: the Intel Xeon host's calls of one 256×256·256×256 product spread over
//! ±10% (two threads: p10 104 µs, median 110, p90 122), so a product inside a fit, timed once per step, is to
//! be set beside the median, not the fastest. `rbench/gemm_vs_numpy.py` runs it side
//! by side with NumPy.
#![allow(clippy::unwrap_used)]

use keras_lite::gemm::{gemm_with, Epilogue, Isa, Operand};
use std::time::Instant;

/// A product of a training step: (name, m, k, n, A stored transposed, B stored transposed, epilogue kind).
type Shape = (&'static str, usize, usize, usize, bool, bool, u8);

/// Forward `(batch, in)·(in, out)` (bias + relu), weight gradient `(in, batch)ᵀ·(batch, out)`, and, past
/// the first layer, input gradient `(batch, out)·(in, out)ᵀ` (relu mask). Products that `gemm` hands to its
/// thin path (n or k ≤ 4: one-unit output layers) are left out.
fn layer(name: &'static [&'static str; 3], batch: usize, input: usize, output: usize, first: bool) -> Vec<Shape> {
    let mut v = vec![(name[0], batch, input, output, false, false, 1), (name[1], input, batch, output, true, false, 0)];
    if !first {
        v.push((name[2], batch, output, input, false, true, 2));
    }
    v
}

fn shapes() -> Vec<Shape> {
    let mut s = Vec::new();
    s.extend(layer(&["wine1.fwd", "wine1.dW", ""], 256, 11, 512, true));
    s.extend(layer(&["wine2.fwd", "wine2.dW", "wine2.dX"], 256, 512, 512, false));
    s.extend(layer(&["tab1.fwd", "tab1.dW", ""], 256, 32, 256, true));
    s.extend(layer(&["tab2.fwd", "tab2.dW", "tab2.dX"], 256, 256, 256, false));
    s.extend(layer(&["mc1.fwd", "mc1.dW", ""], 128, 784, 256, true));
    s.extend(layer(&["mc2.fwd", "mc2.dW", "mc2.dX"], 128, 256, 128, false));
    s.extend(layer(&["mc3.fwd", "mc3.dW", "mc3.dX"], 128, 128, 10, false));
    s.push(("sq512", 512, 512, 512, false, false, 0));
    s
}

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(3);
    let filter = std::env::args().nth(2).unwrap_or_default();
    let isa = Isa::selected();
    let max_threads = keras_lite::pool::threads().min(2);
    let mut seed = 1u32;
    let mut fill = |v: &mut [f32]| {
        for x in v {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *x = (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
        }
    };
    for round in 0..rounds {
        for (name, m, k, n, at, bt, epi_kind) in shapes() {
            if !name.contains(filter.as_str()) {
                continue;
            }
            let (mut a, mut b, mut bias, mut mask) =
                (vec![0.0; m * k], vec![0.0; k * n], vec![0.0; n], vec![0.0; m * n]);
            fill(&mut a);
            fill(&mut b);
            fill(&mut bias);
            fill(&mut mask);
            // C on a cache line, where a fit's buffers are (`Lines`), so that the two threads' column ranges
            // share no line; GEMMBENCH_UNALIGNED_C=1 leaves it where malloc puts it (16 bytes into a line for a
            // large one: the two threads then pass a line back and forth at every row's split).
            let mut c_buf = vec![0.0f32; m * n + 16];
            let skew =
                if std::env::var_os("GEMMBENCH_UNALIGNED_C").is_some() { 0 } else { c_buf.as_ptr().align_offset(64) };
            let c = &mut c_buf[skew..skew + m * n];
            let ao = if at { Operand { data: &a, rs: 1, cs: m } } else { Operand { data: &a, rs: k, cs: 1 } };
            let bo = if bt { Operand { data: &b, rs: 1, cs: k } } else { Operand { data: &b, rs: n, cs: 1 } };
            let epi = match epi_kind {
                1 => Epilogue { bias: Some(&bias), relu: true, mask: None },
                2 => Epilogue { mask: Some(&mask), ..Epilogue::default() },
                _ => Epilogue::default(),
            };
            let flops = 2.0 * (m * k * n) as f64;
            let reps = (4e9 / flops).ceil() as usize; // about 10-20 ms of work, at least one call
            for threads in 1..=max_threads {
                // Inside the training pool, as a fit's products run (entering it costs microseconds).
                let (fastest, median) = keras_lite::pool::train(|| {
                    gemm_with(isa, c, ao, bo, (m, k, n), false, threads, epi);
                    // The fastest call (on a loaded machine the mean mostly measures the other processes) and the
                    // median one.
                    let mut calls = Vec::with_capacity(reps);
                    for _ in 0..reps {
                        let t = Instant::now();
                        gemm_with(isa, c, ao, bo, (m, k, n), false, threads, epi);
                        calls.push(t.elapsed().as_secs_f64());
                    }
                    calls.sort_by(f64::total_cmp);
                    (calls[0], calls[calls.len() / 2])
                });
                let (gf, median) = (flops / fastest / 1e9, flops / median / 1e9);
                println!("gemm {name} {m} {k} {n} threads={threads} {gf:.1} round={round} {isa:?} median={median:.1}");
            }
        }
    }
}
