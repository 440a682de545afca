//! Developer micro-benchmark (not reachable from Python): `cargo run --release --example NAME`.
#![allow(clippy::unwrap_used)]

use keras_lite::matmul::{matmul, Layout};
use std::time::Instant;
fn main() {
    let shapes = [
        (256usize, 512usize, 512usize),
        (256, 256, 256),
        (256, 32, 256),
        (32, 256, 256),
        (256, 11, 512),
        (11, 256, 512),
        (1024, 1024, 1024),
    ];
    for &(m, k, n) in &shapes {
        for (la, lb, name) in [
            (Layout::Plain, Layout::Plain, "NN"),
            (Layout::Transposed, Layout::Plain, "TN"),
            (Layout::Plain, Layout::Transposed, "NT"),
        ] {
            let a = vec![0.5f32; m * k];
            let b = vec![0.25f32; k * n];
            let mut c = vec![0.0f32; m * n];
            let r = if m * n * k > 100_000_000 { 10 } else { 100 };
            let mut best = f64::MAX;
            for _ in 0..5 {
                let t = Instant::now();
                for _ in 0..r {
                    keras_lite::pool::train(|| matmul(&mut c, &a, la, &b, lb, m, k, n, false, true)).unwrap();
                }
                best = best.min(t.elapsed().as_secs_f64() / r as f64);
            }
            println!("{m}x{k}x{n} {name}: {:.1} GFLOP/s", 2.0 * (m * k * n) as f64 / best / 1e9);
        }
    }
}
