//! Developer micro-benchmark (not reachable from Python): the `small` workload's fit through the core's own
//! loop (100,000 x 8 rows, Dense 16-16-1 relu, adam, mae, batch 32, 3 epochs = 9,375 steps) with an observer
//! that does nothing, as microseconds per step; and a checksum of the trained weights, so that two builds
//! can be compared bit for bit. `cargo run --release --example smallbench [REPEATS]`.
#![allow(clippy::unwrap_used)]

use keras_lite::activation::Activation;
use keras_lite::backend::{Data, FitOptions};
use keras_lite::layer::LayerSpec;
use keras_lite::loss::Loss;
use keras_lite::model::Model;
use keras_lite::optimizer::OptimizerKind;
use std::time::Instant;

fn main() {
    let repeats: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let (rows, width) = (100_000, 8);
    let mut r = keras_lite::rng::Rng::new(1, 0);
    let mut x = vec![0.0; rows * width];
    r.fill_uniform(&mut x, 1.0);
    let y: Vec<f32> = x.chunks_exact(width).map(|row| row.iter().sum::<f32>().tanh()).collect();
    let dense = |units, activation| LayerSpec::Dense { units, activation, use_bias: true, rules: Default::default() };
    let specs = vec![dense(16, Activation::Relu), dense(16, Activation::Relu), dense(1, Activation::Linear)];
    let m = Model::new(width, specs, 7).unwrap();
    let adam = OptimizerKind::Adam { learning_rate: 1e-3, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false };
    m.compile(Loss::MeanAbsoluteError, Vec::new(), adam).unwrap();
    let data = Data::new(&x, &y, rows);
    let opts =
        |epochs| FitOptions { batch_size: 32, epochs, initial_epoch: 0, shuffle: true, validation_batch_size: 32 };
    keras_lite::trainer::fit(&m, data, None, opts(1), &mut keras_lite::trainer::Silent).unwrap();
    let steps = 3 * rows.div_ceil(32);
    let (mut times, mut cpu) = (Vec::new(), Vec::new());
    for _ in 0..repeats {
        let (t0, c0) = (Instant::now(), cpu_seconds());
        keras_lite::trainer::fit(&m, data, None, opts(3), &mut keras_lite::trainer::Silent).unwrap();
        times.push(t0.elapsed().as_secs_f64() * 1e6 / steps as f64);
        cpu.push((cpu_seconds() - c0) * 1e6 / steps as f64);
    }
    times.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    let sum = m.read().unwrap().net.params.iter().fold(0u64, |h, v| h.rotate_left(5) ^ u64::from(v.to_bits()));
    let (mid, cmid) = (times[times.len() / 2], cpu[cpu.len() / 2]);
    println!(
        "small: median {mid:.2} min {:.2} us/step; cpu median {cmid:.2} min {:.2}; weights checksum {sum:016x}",
        times[0], cpu[0]
    );
}

/// CPU time of the whole process (all threads), in seconds: less disturbed by other work than wall time.
fn cpu_seconds() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}
