//! Developer micro-benchmark (not reachable from Python): the team's fork-join round trip.
#![allow(clippy::unwrap_used)]
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

fn main() {
    keras_lite::pool::train(|| {
        let n = AtomicUsize::new(0);
        for (gap_us, work) in [(0u64, 0u64), (5, 0), (20, 0), (100, 0), (0, 30), (10, 30), (30, 30), (100, 30)] {
            let mut total = 0.0;
            let rounds = 20000;
            for _ in 0..rounds {
                let t = Instant::now();
                while t.elapsed().as_micros() < u128::from(gap_us) {}
                let t0 = Instant::now();
                keras_lite::team::run(2, &|p| {
                    let t = Instant::now();
                    while t.elapsed().as_micros() < u128::from(work) {}
                    n.fetch_add(p, Ordering::Relaxed);
                });
                total += t0.elapsed().as_secs_f64();
            }
            println!("gap {gap_us:>4} us work {work:>3}: run(2) {:.2} us", total / f64::from(rounds) * 1e6);
        }
    });
}
