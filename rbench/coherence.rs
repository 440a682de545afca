//! Developer micro-benchmark (not reachable from Python): what a product on two threads pays for operands that
//! the other core touched last, as inside a fit, against the same product repeated hot (`gemmbench`).
//!
//! Before each timed call the thread team leaves the operands as a training step leaves them:
//! - `a-cols`: A's column halves rewritten by the two threads (a column-split product's output, read whole as
//!   the next product's A);
//! - `b-rows`: B's row halves rewritten (a kernel after the split Adam pass);
//! - `c-read`: C read whole by both threads (an activation after the backward pass has read it, rewritten by the
//!   next step's forward product);
//! - `cold`: 8 MB of other data written by the two threads, which pushes A, B and C out of their caches (as a
//!   step's other buffers and the Adam moments may);
//! - `all`: `a-cols`, `b-rows` and `c-read`.
//!
//! `KERAS_LITE_NUM_THREADS=2 cargo run --release --example coherence [CALLS]`: per forward product of the
//! workloads (and tabular's one-unit layer's input gradient, an outer product), through `matmul` as a fit calls
//! it, its operands on cache lines (`Lines`, as a fit's buffers are), the p10 and median microseconds of `CALLS`
//! timed calls (default 300) in each state.
#![allow(clippy::unwrap_used)]

use keras_lite::lines::Lines;
use keras_lite::matmul::{matmul, Layout};
use keras_lite::team::{parallel, Disjoint};
use std::time::Instant;

/// Each of two threads stores every value of its half of the `rows × cols` matrix `m` back unchanged: its
/// columns if `by_cols`, else its rows.
fn rewrite(m: &mut [f32], rows: usize, cols: usize, by_cols: bool) {
    let out = Disjoint::new(m);
    parallel(2, &|t| {
        for i in 0..rows {
            let (j0, j1) = if by_cols { (t * cols / 2, (t + 1) * cols / 2) } else { (0, cols) };
            if !by_cols && i * 2 / rows != t {
                continue;
            }
            // SAFETY: the threads' halves are disjoint and inside `m`, which outlives the job.
            let row = unsafe { out.slice(i * cols + j0, j1 - j0) };
            row.iter_mut().for_each(|v| *v = std::hint::black_box(*v));
        }
    });
}

/// Both threads read all of `m`.
fn read_whole(m: &[f32]) {
    parallel(2, &|_| {
        std::hint::black_box(m.iter().sum::<f32>());
    });
}

fn main() {
    let calls: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(300).max(10);
    if keras_lite::pool::threads() < 2 {
        println!("coherence: needs two threads (KERAS_LITE_NUM_THREADS=2)");
        return;
    }
    let shapes = [
        ("wine1.fwd", 256, 11, 512),
        ("tab1.fwd", 256, 32, 256),
        ("tab3.dX", 256, 1, 256),
        ("wine2.fwd", 256, 512, 512),
        ("tab2.fwd", 256, 256, 256),
        ("mc1.fwd", 128, 784, 256),
    ];
    let states = ["hot", "a-cols", "b-rows", "c-read", "cold", "all"];
    let mut other = vec![0.0f32; 2 << 20];
    let mut r = keras_lite::rng::Rng::new(1, 0);
    for (name, m, k, n) in shapes {
        let (mut a, mut b, mut c) = (Lines::filled(m * k, 0.0), Lines::filled(k * n, 0.0), Lines::filled(m * n, 0.0));
        r.fill_uniform(&mut a, 1.0);
        r.fill_uniform(&mut b, 1.0);
        let mut line = format!("{name} {m}x{k}x{n}:");
        for state in states {
            let (p10, median) = keras_lite::pool::train(|| {
                let mut times = Vec::with_capacity(calls);
                for call in 0..calls + 20 {
                    if matches!(state, "a-cols" | "all") {
                        rewrite(&mut a, m, k, true);
                    }
                    if matches!(state, "b-rows" | "all") {
                        rewrite(&mut b, k, n, false);
                    }
                    if matches!(state, "c-read" | "all") {
                        read_whole(&c);
                    }
                    if state == "cold" {
                        rewrite(&mut other, 2, 1 << 20, false);
                    }
                    let t = Instant::now();
                    matmul(&mut c, &a, Layout::Plain, &b, Layout::Plain, m, k, n, false, true).unwrap();
                    if call >= 20 {
                        times.push(t.elapsed().as_secs_f64() * 1e6);
                    }
                }
                times.sort_by(f64::total_cmp);
                (times[times.len() / 10], times[times.len() / 2])
            });
            line += &format!("  {state} {p10:.1}/{median:.1}");
        }
        println!("{line}  (p10/median µs)");
    }
}
