//! Backend conformance: each GPU kernel against the CPU implementation on the same inputs, then
//! (in `layers.rs` and `fit.rs` beside this file) optimizers, layers and whole training runs. Tests print `SKIP` and return where no adapter exists; set
//! KERAS_LITE_ALLOW_SOFTWARE_GPU=1 to run them on a software adapter (Mesa's lavapipe).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod activations;
mod fit;
mod fit_features;
mod flow;
mod gemm;
mod layers;
mod staging;
mod stream;

use crate::activation::{Activation, NAMES};
use crate::gpu::context::Ctx;
use crate::gpu::data::DevData;
use crate::gpu::forward::loss_and_metrics;
use crate::gpu::kernels::{grid_for, Kernels, Params, K};
use crate::gpu::plan::{act_bounds, act_id, DevNet, Training, Workspace};
use crate::gpu::program::{Builder, StepRecord, StepTable};
use crate::gpu::*;
use crate::layer::LayerSpec;
use crate::loss::Loss;
use crate::metric::Metric;
use crate::optimizer::OptimizerKind;

/// Whether a software adapter may be used (the CI setting).
pub(super) fn allow_software() -> bool {
    std::env::var("KERAS_LITE_ALLOW_SOFTWARE_GPU").is_ok_and(|v| v == "1")
}

/// A device, or `None` (with a visible reason) where there is none.
pub(super) fn device() -> Option<(Ctx, Kernels)> {
    match Ctx::new(allow_software()) {
        Ok(ctx) => {
            let k = Kernels::new(&ctx);
            Some((ctx, k))
        }
        Err(e) => {
            eprintln!("SKIP GPU test: {e}");
            None
        }
    }
}

/// Deterministic values in [-scale, scale).
pub(super) fn values(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut r = crate::rng::Rng::new(seed, 9);
    (0..n).map(|_| (r.next_f32() * 2.0 - 1.0) * scale).collect()
}

/// Assert `a ≈ b` elementwise: relative `rel`, with an absolute floor `abs` for values near zero.
#[track_caller]
pub(super) fn close(a: &[f32], b: &[f32], rel: f32, abs: f32, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        let tol = rel * x.abs().max(y.abs()) + abs;
        assert!(x == y || (x - y).abs() <= tol || (x.is_nan() && y.is_nan()), "{what}[{i}]: gpu {x} vs cpu {y}");
    }
}

/// Build and run `b` once (step record 0 = `rec`), waiting for it.
pub(super) fn run(ctx: &Ctx, k: &Kernels, b: Builder, rec: StepRecord) {
    let p = b.build(ctx, k).unwrap();
    let table = StepTable::new(ctx, k, 1).unwrap();
    table.write(ctx, &[rec]);
    let mut enc = ctx.encoder();
    {
        let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: None, timestamp_writes: None });
        p.record(&mut pass, &table, 0);
    }
    ctx.submit(enc);
    ctx.wait().unwrap();
}

pub(super) fn read(ctx: &Ctx, b: &wgpu::Buffer, n: usize) -> Vec<f32> {
    ctx.read(b, 0, n).unwrap()
}

/// Every activation a Dense layer can have, with non-default parameters too.
pub(super) fn activations() -> Vec<Activation> {
    let mut v: Vec<Activation> = NAMES.iter().map(|n| Activation::from_name(n).unwrap()).collect();
    v.push(Activation::Gelu { approximate: true });
    v.push(Activation::Elu { alpha: 0.5 });
    v.push(Activation::LeakyRelu { negative_slope: 0.1 });
    v.push(Activation::Celu { alpha: 2.0 });
    v.push(Activation::HardShrink { threshold: 1.0 });
    v.push(Activation::SoftShrink { threshold: 0.25 });
    v.push(Activation::Squareplus { b: 0.5 });
    v.push(Activation::Threshold { threshold: 0.3, default_value: -2.0 });
    v
}

/// Keras's general relu (the ReLU layer's), with and without a slope and a cap; an activation layer only.
pub(super) fn general_relus() -> [Activation; 3] {
    [
        Activation::ReluCustom { negative_slope: 0.1, max_value: 2.5, threshold: 0.5 },
        Activation::ReluCustom { negative_slope: 0.0, max_value: 1.5, threshold: 1.0 },
        Activation::ReluCustom { negative_slope: 0.3, max_value: f32::INFINITY, threshold: 0.25 },
    ]
}

#[test]
fn activation_forward_and_backward_kernels() {
    let Some((ctx, k)) = device() else { return };
    let (rows, width) = (41, 5);
    let n = rows * width;
    let z = values(n, 8, 4.0);
    let g = values(n, 9, 1.0);
    for act in activations().into_iter().chain(general_relus()) {
        let mut y = vec![0.0; n];
        act.forward(&z, &mut y, width);
        let mut want_g = g.clone();
        act.backward_inplace(&z, &y, &mut want_g, width);
        let (zb, yb, gb) =
            (ctx.storage_with(&z, "z").unwrap(), ctx.storage(n, "y").unwrap(), ctx.storage_with(&g, "g").unwrap());
        let ((id, p), (cap, threshold)) = (act_id(act), act_bounds(act));
        let threads = if act.row_wise() { rows } else { n };
        let mut b = Builder::new();
        b.push(
            K::ActForward,
            &[("ACT", id)],
            &[Some(&zb), Some(&yb)],
            Params::new().u(n).u(width).f(p).f(cap).f(threshold),
            grid_for(&ctx, threads).unwrap(),
        );
        b.push(
            K::ActBackward,
            &[("ACT", id)],
            &[Some(&zb), Some(&yb), Some(&gb)],
            Params::new().u(n).u(width).f(p).f(cap).f(threshold),
            grid_for(&ctx, threads).unwrap(),
        );
        run(&ctx, &k, b, StepRecord::default());
        close(&read(&ctx, &yb, n), &y, 2e-6, 2e-7, &format!("{} forward", act.name()));
        close(&read(&ctx, &gb, n), &want_g, 1e-5, 1e-6, &format!("{} backward", act.name()));
    }
}

fn losses() -> Vec<Loss> {
    vec![
        Loss::MeanAbsoluteError,
        Loss::MeanSquaredError,
        Loss::Huber { delta: 0.7 },
        Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 },
        Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.2 },
        Loss::BinaryCrossentropy { from_logits: true, label_smoothing: 0.1 },
        Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 },
        Loss::CategoricalCrossentropy { from_logits: true, label_smoothing: 0.1 },
        Loss::MeanAbsolutePercentageError,
        Loss::MeanSquaredLogarithmicError,
        Loss::LogCosh,
        Loss::Poisson,
        Loss::KlDivergence,
        Loss::Hinge,
        Loss::SquaredHinge,
        Loss::CategoricalHinge,
        Loss::BinaryFocalCrossentropy {
            from_logits: false,
            label_smoothing: 0.0,
            gamma: 2.0,
            alpha: 0.25,
            balanced: false,
        },
        Loss::BinaryFocalCrossentropy {
            from_logits: true,
            label_smoothing: 0.1,
            gamma: 0.5,
            alpha: 0.4,
            balanced: true,
        },
        Loss::CategoricalFocalCrossentropy { from_logits: false, label_smoothing: 0.0, gamma: 2.0, alpha: 0.25 },
        Loss::CategoricalFocalCrossentropy { from_logits: true, label_smoothing: 0.2, gamma: 1.5, alpha: 1.0 },
    ]
}

#[test]
fn losses_with_gradients_metrics_and_reduction() {
    let Some((ctx, k)) = device() else { return };
    let metrics = vec![
        Metric::MeanAbsoluteError,
        Metric::MeanSquaredError,
        Metric::BinaryAccuracy { threshold: 0.5 },
        Metric::CategoricalAccuracy,
        Metric::TopKCategoricalAccuracy { k: 2 },
    ];
    let (rows, width) = (300, 3);
    // An identity network: the loss sees the inputs, so its values and gradients can be compared directly.
    let net = Network::new(width, vec![LayerSpec::Activation(Activation::Linear)], 1).unwrap();
    let mut p: Vec<f32> = values(rows * width, 10, 0.5).iter().map(|v| v + 0.5).collect();
    p[0] = 0.0; // clipped below: no gradient
    p[1] = 1.0; // clipped above
    let t: Vec<f32> = values(rows * width, 11, 1.0).iter().map(|v| f32::from(*v > 0.0)).collect();
    for loss in losses() {
        for logits in [false, true] {
            if logits && !matches!(loss, Loss::BinaryCrossentropy { .. }) {
                continue;
            }
            let mut want_g = vec![0.0; rows * width];
            let want = loss.sum(&p, &t, width, logits, Some(&mut want_g));
            let want_m: Vec<f64> = metrics.iter().map(|m| m.sum(&p, &t, width)).collect();
            let tr = Training {
                loss,
                reduction: Default::default(),
                loss_weight: 1.0,
                metrics: metrics.clone(),
                kind: OptimizerKind::Sgd { learning_rate: 0.1, momentum: 0.0, nesterov: false },
                averaging: crate::backend::Averaging { weighted_from: metrics.len(), stateful: None },
                clip: Default::default(),
                schedule: None,
                decay: Default::default(),
                steps: true,
            };
            let dev = DevNet::upload(&ctx, &net, None).unwrap();
            let ws = Workspace::new(&ctx, &dev, rows, tr.cols(), true).unwrap();
            ctx.write(&ws.acts[0], 0, &p);
            ctx.write(&ws.target, 0, &t);
            let sums = ctx.storage(tr.cols(), "sums").unwrap();
            let mut b = Builder::new();
            let bufs = vec![ws.acts[0].clone(), ws.acts[0].clone()];
            if logits {
                // The sigmoid-logits path as the network takes it: the kernel's LOGITS flag.
                let (ow, cols) = (width, tr.cols());
                let prm = Params::new().u(rows).u(ow).u(0).u(cols).f(1.0 / (rows * ow) as f32).f(0.0);
                let ls =
                    if let Loss::BinaryCrossentropy { label_smoothing, .. } = loss { label_smoothing } else { 0.0 };
                let prm = prm.f(ls).f(crate::loss::EPSILON).f(1.0 - crate::loss::EPSILON);
                let grad = ws.grads[1].as_ref();
                let bind =
                    [Some(&ws.acts[0]), Some(&ws.target), grad, Some(&ws.rowvals), Some(&ws.flag), Some(&ws.weights)];
                b.push(K::Loss, &[("LOSS", 3), ("LOGITS", 1)], &bind, prm, grid_for(&ctx, rows).unwrap());
                b.push(
                    K::ReduceRows,
                    &[],
                    &[Some(&ws.rowvals), Some(&sums)],
                    Params::new().u(rows).u(cols).u(cols),
                    [cols as u32, 1, 1],
                );
            } else {
                loss_and_metrics(&mut b, &ctx, &dev, &ws, &bufs, rows, &tr, &sums, &targets_only(&ctx, &t, rows))
                    .unwrap();
            }
            run(&ctx, &k, b, StepRecord::default());
            let s = read(&ctx, &sums, tr.cols());
            let what = format!("{loss:?} logits={logits}");
            close(&[s[0]], &[want as f32], 1e-5, 1e-6, &what);
            close(
                &read(&ctx, ws.grads[1].as_ref().unwrap(), rows * width),
                &want_g,
                1e-5,
                1e-9,
                &format!("{what} gradient"),
            );
            if !logits {
                let got: Vec<f32> = s[1..=metrics.len()].to_vec();
                let want_m: Vec<f32> = want_m.iter().map(|&v| v as f32).collect();
                close(&got, &want_m, 1e-5, 1e-6, "metrics");
            }
        }
    }
}

#[test]
fn sparse_losses_and_metrics() {
    let Some((ctx, k)) = device() else { return };
    let metrics = vec![Metric::SparseCategoricalAccuracy, Metric::SparseTopKCategoricalAccuracy { k: 2 }];
    let (rows, width) = (300, 4);
    let net = Network::new(width, vec![LayerSpec::Activation(Activation::Linear)], 1).unwrap();
    let mut p: Vec<f32> = values(rows * width, 12, 0.5).iter().map(|v| v + 0.5).collect();
    p[0] = 0.0; // clipped: no gradient
    let t: Vec<f32> = values(rows, 13, 2.0).iter().map(|v| ((v + 2.0).floor()).min(3.0)).collect();
    for from_logits in [false, true] {
        let loss = Loss::SparseCategoricalCrossentropy { from_logits, ignore_class: None };
        let mut want_g = vec![0.0; rows * width];
        let want = loss.sum(&p, &t, width, false, Some(&mut want_g));
        let want_m: Vec<f32> = metrics.iter().map(|m| m.sum(&p, &t, width) as f32).collect();
        let kind = OptimizerKind::Sgd { learning_rate: 0.1, momentum: 0.0, nesterov: false };
        let averaging = crate::backend::Averaging { weighted_from: metrics.len(), stateful: None };
        let tr = Training {
            loss,
            metrics: metrics.clone(),
            kind,
            averaging,
            schedule: None,
            clip: Default::default(),
            reduction: Default::default(),
            loss_weight: 1.0,
            decay: Default::default(),
            steps: true,
        };
        let dev = DevNet::upload(&ctx, &net, None).unwrap();
        let ws = Workspace::new(&ctx, &dev, rows, tr.cols(), true).unwrap();
        ctx.write(&ws.acts[0], 0, &p);
        ctx.write(&ws.target, 0, &t);
        let sums = ctx.storage(tr.cols(), "sums").unwrap();
        let mut b = Builder::new();
        let bufs = vec![ws.acts[0].clone(), ws.acts[0].clone()];
        loss_and_metrics(&mut b, &ctx, &dev, &ws, &bufs, rows, &tr, &sums, &targets_only(&ctx, &t, rows)).unwrap();
        run(&ctx, &k, b, StepRecord::default());
        let s = read(&ctx, &sums, tr.cols());
        let what = format!("{loss:?}");
        close(&[s[0]], &[want as f32], 1e-5, 1e-6, &what);
        let g = read(&ctx, ws.grads[1].as_ref().unwrap(), rows * width);
        close(&g, &want_g, 1e-5, 1e-9, &format!("{what} gradient"));
        close(&s[1..=metrics.len()], &want_m, 1e-5, 1e-6, "sparse metrics");
        assert_eq!(s[metrics.len() + 1], rows as f32, "the weights' column counts the rows");
    }
}

/// The data (unweighted, R² shifted by the first target row) of a step whose targets `t` (`rows` rows) a test
/// writes into the workspace itself.
fn targets_only(ctx: &Ctx, t: &[f32], rows: usize) -> DevData {
    let x = vec![0.0; rows];
    DevData::upload(ctx, crate::backend::Data::new(&x, t, rows), 1, t.len() / rows.max(1)).unwrap()
}

#[test]
fn repeated_predicts_of_varying_sizes_reuse_the_cache() {
    let specs = vec![
        LayerSpec::Dense { units: 9, activation: Activation::Tanh, use_bias: true, rules: Default::default() },
        LayerSpec::BatchNorm { momentum: 0.9, epsilon: 1e-3, center: true, scale: true },
        LayerSpec::Dropout { rate: 0.5, seed: None, noise: crate::layers::dropout::Noise::Bernoulli },
        LayerSpec::Dense { units: 2, activation: Activation::Softmax, use_bias: true, rules: Default::default() },
    ];
    let net = crate::network::Network::new(4, specs, 3).unwrap();
    let g = match GpuModel::new(&net, None, allow_software()) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("SKIP GPU test: {e}");
            return;
        }
    };
    for rows in [1usize, 3, 1, 700, 2, 700] {
        let x = values(rows * 4, rows as u64, 2.0);
        let mut got = vec![0.0; rows * 2];
        let mut want = vec![0.0; rows * 2];
        g.predict(&x, rows, &mut got, &crate::backend::NEVER).unwrap();
        net.infer(&x, rows, &mut want, &mut crate::infer::Scratch::default(), false).unwrap();
        close(&got, &want, 1e-5, 1e-6, &format!("predict {rows} rows"));
    }
}
