//! Developer micro-benchmark (not reachable from Python): the tabular step's GEMM sequence in one pool job.
#![allow(clippy::unwrap_used)]

use keras_lite::matmul::{matmul, Layout};
use std::time::Instant;

fn spin(us: u64) {
    let t = Instant::now();
    while t.elapsed().as_micros() < us as u128 {
        std::hint::spin_loop();
    }
}

fn main() {
    keras_lite::pool::train(body);
}

fn body() {
    use Layout::{Plain as P, Transposed as T};
    let r = 256;
    let seq: Vec<(usize, usize, usize, Layout, Layout)> = vec![
        (r, 32, 256, P, P),
        (r, 256, 256, P, P),
        (256, r, 256, T, P),
        (r, 256, 256, P, T),
        (32, r, 256, T, P),
        (r, 256, 1, P, P),
        (256, r, 1, T, P),
        (r, 1, 256, P, T),
        (r, 11, 512, P, P),
        (r, 512, 512, P, P),
        (512, r, 512, T, P),
        (r, 512, 512, P, T),
        (11, r, 512, T, P),
    ];
    let big = vec![0.5f32; 1 << 20];
    let mut c = vec![0.0f32; 1 << 20];
    for gap in [10u64] {
        for (m, k, n, la, lb) in &seq {
            let mut times: Vec<f64> = (0..600)
                .map(|_| {
                    let t = Instant::now();
                    matmul(&mut c, &big, *la, &big, *lb, *m, *k, *n, false, true).unwrap();
                    let dt = t.elapsed().as_secs_f64();
                    spin(gap);
                    dt
                })
                .collect();
            times.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let (p10, p50) = (times[60], times[300]);
            let rate = |dt: f64| 2.0 * (m * k * n) as f64 / dt / 1e9;
            println!(
                "gap {gap:>2}us {m}x{k}x{n}: p10 {:.0} us ({:.0} GFLOP/s) p50 {:.0} us ({:.0} GFLOP/s)",
                p10 * 1e6,
                rate(p10),
                p50 * 1e6,
                rate(p50)
            );
        }
    }
}
