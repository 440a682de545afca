//! Developer micro-benchmark (not reachable from Python): whole `fit`s of the wine, tabular, multiclass and small
//! workloads of bench/run.py (same shapes, synthetic data), timed from Rust so that a profiler sees only the
//! training loop.
//!
//! `cargo run --release --example fitbench -- wine,tabular,multiclass [REPS] [GFLOPS]`: prints each fit's
//! seconds, the best, and the best as a fraction of the floor (the fit's GEMM FLOPs at GFLOPS, default 471.6,
//! bench/run.py's NumPy rate on the reference machine). `KERAS_LITE_NUM_THREADS` sets the threads.
//!
//! Built with `--features probe`, it also prints per workload where a step's time goes, job by job of the
//! thread team (rust/probe.rs), over all its fits.
#![allow(clippy::unwrap_used)]

use keras_lite::activation::Activation;
use keras_lite::backend::{Data, FitOptions};
use keras_lite::layer::LayerSpec;
use keras_lite::loss::Loss;
use keras_lite::model::Model;
use keras_lite::optimizer::OptimizerKind;
use std::time::Instant;

/// (inputs, units, classes, train rows, validation rows, batch, epochs)
type Spec = (usize, Vec<usize>, usize, usize, usize, usize, usize);

fn spec(name: &str) -> Option<Spec> {
    match name {
        "wine" => Some((11, vec![512, 512, 512, 1], 0, 1119, 480, 256, 10)),
        "tabular" => Some((32, vec![256, 256, 1], 0, 100_000, 0, 256, 3)),
        "multiclass" => Some((784, vec![256, 128, 10], 10, 60_000, 0, 128, 2)),
        "small" => Some((8, vec![16, 16, 1], 0, 100_000, 0, 32, 3)),
        _ => None,
    }
}

fn flops(n_in: usize, units: &[usize], train: usize, val: usize, epochs: usize) -> f64 {
    let dims: Vec<(usize, usize)> =
        std::iter::once(n_in).chain(units.iter().copied()).zip(units.iter().copied()).collect();
    let fwd: usize = dims.iter().map(|&(k, n)| 2 * k * n).sum();
    let per_row = 3 * fwd - 2 * dims[0].0 * dims[0].1;
    (epochs * (train * per_row + val * fwd)) as f64
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let names = args.get(1).map_or("wine,tabular,multiclass", |s| s.as_str()).to_string();
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let gflops: f64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(471.6);
    for name in names.split(',') {
        let Some((n_in, units, classes, train, val, batch, epochs)) = spec(name) else {
            eprintln!("unknown workload {name} (wine, tabular, multiclass, small)");
            continue;
        };
        let mut r = keras_lite::rng::Rng::new(5, 0);
        let mut x = vec![0.0; (train + val) * n_in];
        r.fill_uniform(&mut x, 1.0);
        let y: Vec<f32> = if classes > 0 {
            (0..train + val).map(|i| ((x[i * n_in] + 1.0) * 4.99) as usize as f32).collect()
        } else {
            (0..train + val).map(|i| x[i * n_in..(i + 1) * n_in].iter().sum::<f32>().tanh()).collect()
        };
        let last = units.len() - 1;
        let specs: Vec<LayerSpec> = units
            .iter()
            .enumerate()
            .map(|(i, &u)| LayerSpec::Dense {
                units: u,
                activation: if i < last {
                    Activation::Relu
                } else if classes > 0 {
                    Activation::Softmax
                } else {
                    Activation::Linear
                },
                use_bias: true,
                rules: Default::default(),
            })
            .collect();
        let loss = if classes > 0 {
            Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: None }
        } else {
            Loss::MeanAbsoluteError
        };
        let adam =
            OptimizerKind::Adam { learning_rate: 1e-3, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false };
        let opts =
            FitOptions { batch_size: batch, epochs, initial_epoch: 0, shuffle: true, validation_batch_size: batch };
        let mut times = Vec::new();
        #[cfg(feature = "probe")]
        keras_lite::probe::reset();
        for _ in 0..reps {
            let m = Model::new(n_in, specs.clone(), 7).unwrap();
            m.compile(loss, Vec::new(), adam).unwrap();
            let tr = Data::new(&x[..train * n_in], &y[..train], train);
            let va = (val > 0).then(|| Data::new(&x[train * n_in..], &y[train..], val));
            let t0 = Instant::now();
            keras_lite::trainer::fit(&m, tr, va, opts, &mut keras_lite::trainer::Silent).unwrap();
            times.push(t0.elapsed().as_secs_f64());
        }
        let best = times.iter().copied().fold(f64::INFINITY, f64::min);
        let steps = epochs * train.div_ceil(batch);
        let list: Vec<String> = times.iter().map(|t| format!("{t:.3}")).collect();
        println!(
            "{name:10} {} best {best:.3} s = {:.3} of the floor, {:.2} us/step",
            list.join(" "),
            flops(n_in, &units, train, val, epochs) / gflops / 1e9 / best,
            best / steps as f64 * 1e6
        );
        #[cfg(feature = "probe")]
        print!("{}", keras_lite::probe::report());
    }
}
