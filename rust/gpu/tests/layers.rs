//! Backend conformance, continued: optimizer updates, a whole training step (forward, loss, backward) layer by
//! layer for many networks, BatchNormalization statistics, Dropout masks, and clear errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{activations, allow_software, close, device, read, run, values};
use crate::activation::Activation;
use crate::backend::Compiled;
use crate::backend::Data;
use crate::gpu::backward::backward;
use crate::gpu::data::DevData;
use crate::gpu::forward::{forward, loss_and_metrics};
use crate::gpu::plan::{DevNet, Training, Workspace};
use crate::gpu::program::{Builder, StepRecord};
use crate::gpu::update::optimizer;
use crate::gpu::*;
use crate::layer::LayerSpec;
use crate::layers::dropout::Noise;
use crate::layers::encode::EncodeMode;
use crate::loss::Loss;
use crate::optimizer::{Optimizer, OptimizerKind};

/// The optimizer kinds the suite covers.
pub(super) fn optimizers() -> Vec<OptimizerKind> {
    let adam =
        |amsgrad| OptimizerKind::Adam { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad };
    vec![
        adam(false),
        adam(true),
        OptimizerKind::Nadam { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
        OptimizerKind::Nadam { learning_rate: 0.05, beta_1: 0.5, beta_2: 0.9, epsilon: 1e-3 },
        OptimizerKind::Sgd { learning_rate: 0.05, momentum: 0.0, nesterov: false },
        OptimizerKind::Sgd { learning_rate: 0.05, momentum: 0.9, nesterov: false },
        OptimizerKind::Sgd { learning_rate: 0.05, momentum: 0.9, nesterov: true },
        OptimizerKind::RmsProp { learning_rate: 0.01, rho: 0.9, momentum: 0.0, epsilon: 1e-7, centered: false },
        OptimizerKind::RmsProp { learning_rate: 0.01, rho: 0.9, momentum: 0.5, epsilon: 1e-7, centered: false },
        OptimizerKind::RmsProp { learning_rate: 0.01, rho: 0.8, momentum: 0.5, epsilon: 1e-7, centered: true },
        OptimizerKind::RmsProp { learning_rate: 0.01, rho: 0.8, momentum: 0.0, epsilon: 1e-7, centered: true },
        OptimizerKind::Adagrad { learning_rate: 0.05, initial_accumulator_value: 0.1, epsilon: 1e-7 },
        OptimizerKind::Adamax { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
        OptimizerKind::Lion { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.99 },
        OptimizerKind::Adadelta { learning_rate: 1.0, rho: 0.9, epsilon: 1e-6 },
    ]
}

#[test]
fn optimizer_updates_match_cpu_over_three_steps() {
    let Some((mut ctx, k)) = device() else { return };
    let dense =
        |units| LayerSpec::Dense { units, activation: Activation::Relu, use_bias: true, rules: Default::default() };
    // One Dense (2 weights: one fused dispatch) and five (10 weights: two, the second part-filled); then the
    // per-weight kernels, as on an adapter with too few storage bindings for the fused one.
    for fused in [true, false] {
        if !fused {
            ctx.limits.max_storage_buffers_per_shader_stage = 8;
        }
        optimizers_match_cpu(&ctx, &k, &[dense(7)], fused);
        optimizers_match_cpu(&ctx, &k, &[dense(7), dense(5), dense(300), dense(3), dense(2)], fused);
    }
}

/// Three steps of every optimizer on a network of `spec` over 45 inputs, against the CPU's; `fused`: the
/// update is expected in one dispatch per `fused::TENSORS` weights.
fn optimizers_match_cpu(
    ctx: &crate::gpu::context::Ctx,
    k: &crate::gpu::kernels::Kernels,
    spec: &[LayerSpec],
    fused: bool,
) {
    let (ctx, k, spec) = (ctx, k, spec.to_vec());
    // Each optimizer without weight decay, and with it on the kernel only (the bias excluded).
    let cases = optimizers().into_iter().flat_map(|k| [(k, 0.0), (k, 0.3)]);
    for (kind, rate) in cases {
        let net = Network::new(45, spec.clone(), 3).unwrap();
        let mut cpu = Optimizer::new(kind, net.params.len());
        cpu.decay = crate::optimizer::Decay { rate, skip: vec![net.weights[1].range()] };
        let compiled = Compiled {
            loss: Loss::MeanSquaredError,
            metrics: vec![],
            optimizer: cpu.clone(),
            weighted_from: 0,
            reduction: Default::default(),
            loss_weight: 1.0,
        };
        let dev = DevNet::upload(ctx, &net, Some(&compiled)).unwrap();
        let mut params = net.params.clone();
        let mut p = 1.0;
        for step in 0..3u64 {
            let grads = values(params.len(), 20 + step, 1.0);
            cpu.step(&mut params, &grads, &net.trainable_ranges());
            for (i, w) in dev.w.iter().enumerate() {
                ctx.write(w.grad.as_ref().unwrap(), 0, &grads[net.weights[i].range()]);
            }
            let mut b = Builder::new();
            optimizer(&mut b, ctx, &dev, kind, &cpu.decay).unwrap();
            if step == 0 {
                let mut count = Builder::new();
                optimizer(&mut count, ctx, &dev, kind, &cpu.decay).unwrap();
                let n = dev.w.len();
                let decayed = if rate > 0.0 { n - 1 } else { 0 };
                let want = if fused { n.div_ceil(crate::gpu::fused::TENSORS) } else { n + decayed };
                assert_eq!(count.build(ctx, k).unwrap().uses.len(), want, "{kind:?} {rate}: dispatches");
            }
            let (lr, alpha) = (kind.learning_rate(), kind.adam_step_size(step + 1));
            // `cpu` has stepped: its `u_product` is this step's, the one before is `p`.
            let nadam = kind.nadam_step(step + 1, p);
            p = nadam.u_product;
            let nadam = [nadam.m, nadam.g, nadam.v];
            run(ctx, k, b, StepRecord { alpha, iter: step as u32, lr, nadam, ..Default::default() });
        }
        for (i, w) in dev.w.iter().enumerate() {
            let r = net.weights[i].range();
            close(
                &read(ctx, &w.param, r.len()),
                &params[r.clone()],
                1e-5,
                1e-6,
                &format!("{kind:?} {rate} weight {i}"),
            );
            for (s, buf) in w.slots.iter().enumerate() {
                close(&read(ctx, buf, r.len()), &cpu.slots[s][r.clone()], 1e-5, 1e-6, &format!("{kind:?} slot {s}"));
            }
        }
    }
}

/// Networks whose single training step (forward, loss, backward) is compared layer by layer.
pub(super) fn step_networks() -> Vec<(usize, Vec<LayerSpec>, Loss)> {
    let dense = |units, activation| LayerSpec::Dense { units, activation, use_bias: true, rules: Default::default() };
    let bn = LayerSpec::BatchNorm { momentum: 0.9, epsilon: 1e-3, center: true, scale: true };
    let bce = Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 };
    let mut v = vec![
        (
            6,
            vec![dense(16, Activation::Relu), dense(8, Activation::Relu), dense(1, Activation::Linear)],
            Loss::MeanAbsoluteError,
        ),
        (5, vec![dense(12, Activation::Tanh), dense(6, Activation::Sigmoid), dense(1, Activation::Sigmoid)], bce),
        (
            4,
            vec![
                dense(9, Activation::Linear),
                bn.clone(),
                LayerSpec::Activation(Activation::Relu),
                LayerSpec::Dropout { rate: 0.0, seed: None, noise: crate::layers::dropout::Noise::Bernoulli },
                dense(2, Activation::Linear),
            ],
            Loss::MeanSquaredError,
        ),
        (
            4,
            vec![
                dense(8, Activation::Linear),
                LayerSpec::BatchNorm { momentum: 0.99, epsilon: 1e-3, center: false, scale: false },
                dense(1, Activation::Linear),
            ],
            Loss::Huber { delta: 1.0 },
        ),
        (3, vec![dense(10, Activation::Elu { alpha: 1.0 }), LayerSpec::Activation(Activation::Sigmoid)], bce),
        (3, vec![dense(5, Activation::Softmax)], Loss::MeanSquaredError),
    ];
    for a in activations().into_iter().filter(|a| *a != Activation::Softmax) {
        v.push((
            3,
            vec![dense(7, a), dense(6, a), LayerSpec::Activation(a), dense(1, Activation::Linear)],
            Loss::MeanSquaredError,
        ));
    }
    let prelu = vec![dense(6, Activation::Linear), LayerSpec::PRelu, dense(1, Activation::Linear)];
    v.push((3, prelu, Loss::MeanSquaredError));
    v.push((4, vec![LayerSpec::PRelu, dense(3, Activation::Tanh)], Loss::MeanAbsoluteError));
    // Discretization and CategoryEncoding: ids kept or encoded, and no gradient passed to the Dense below.
    let (bins, int, one) = (Some(vec![-0.5, 0.0, 0.7]), EncodeMode::Int, EncodeMode::OneHot);
    for (bins, depth, mode) in [(bins.clone(), 4, int), (bins, 4, EncodeMode::MultiHot), (None, 3, EncodeMode::Count)] {
        let encode = LayerSpec::Encode { bins, depth, mode };
        v.push((3, vec![dense(4, Activation::Linear), encode, dense(2, Activation::Tanh)], Loss::MeanSquaredError));
    }
    let one_hot = LayerSpec::Encode { bins: Some(vec![-1.0, 1.0]), depth: 3, mode: one };
    v.push((1, vec![one_hot, dense(2, Activation::Linear)], Loss::MeanSquaredError));
    // Rescaling: one factor for all features or one per feature; the gradient below is scaled (none below a first).
    let rescale = |scale: &[f32], offset: &[f32]| LayerSpec::Rescale { scale: scale.to_vec(), offset: offset.to_vec() };
    for r in [rescale(&[0.5], &[-1.0]), rescale(&[2.0, -1.0, 0.25, 3.0], &[0.1])] {
        v.push((3, vec![dense(4, Activation::Tanh), r, dense(2, Activation::Linear)], Loss::MeanSquaredError));
    }
    v.push((2, vec![rescale(&[1.0 / 255.0], &[0.0, 1.0]), dense(1, Activation::Linear)], Loss::MeanAbsoluteError));
    for (center, scale) in [(true, true), (false, true), (true, false)] {
        let norm = LayerSpec::LayerNorm { epsilon: 1e-3, center, scale };
        v.push((4, vec![dense(6, Activation::Tanh), norm, dense(2, Activation::Linear)], Loss::MeanSquaredError));
    }
    for a in super::general_relus() {
        v.push((
            3,
            vec![dense(7, Activation::Linear), LayerSpec::Activation(a), dense(1, Activation::Linear)],
            Loss::MeanSquaredError,
        ));
    }
    v
}

#[test]
fn training_step_gradients_and_batchnorm_stats_match_cpu() {
    let Some((ctx, k)) = device() else { return };
    let rows = 70;
    for (iw, specs, loss) in step_networks() {
        let mut net = Network::new(iw, specs.clone(), 5).unwrap();
        let ow = net.output_dim();
        let x = values(rows * iw, 30, 2.0);
        let y: Vec<f32> = values(rows * ow, 31, 1.0)
            .iter()
            .map(|v| if matches!(loss, Loss::BinaryCrossentropy { .. }) { f32::from(*v > 0.0) } else { *v })
            .collect();
        let tr = Training {
            loss,
            reduction: Default::default(),
            loss_weight: 1.0,
            metrics: vec![],
            kind: OptimizerKind::Sgd { learning_rate: 0.0, momentum: 0.0, nesterov: false },
            averaging: crate::backend::Averaging { weighted_from: 0, stateful: None },
            clip: Default::default(),
            schedule: None,
            decay: Default::default(),
            steps: true,
        };
        let dev = DevNet::upload(&ctx, &net, None).unwrap();
        // CPU step.
        let mut ws = net.workspace(rows).unwrap();
        let idx: Vec<u32> = (0..rows as u32).collect();
        net.gather(&mut ws, Data::new(&x, &y, rows), ow, &idx);
        net.forward_train(&mut ws, rows, Some(0), false).unwrap();
        let logits = net.loss_logits(&loss);
        let (input, target, grad, _) = net.loss_views(&mut ws, rows, logits, false);
        let want_loss = loss.sum(input, target, ow, logits.is_some(), Some(grad));
        net.backward(&mut ws, rows, logits, false).unwrap();
        // GPU step.
        let data = DevData::upload(&ctx, Data::new(&x, &y, rows), iw, ow).unwrap();
        let gws = Workspace::new(&ctx, &dev, rows, tr.cols(), true).unwrap();
        let sums = ctx.storage(tr.cols(), "sums").unwrap();
        let mut b = Builder::new();
        data.gather(&mut b, &ctx, &gws, None, rows, (iw, ow)).unwrap();
        let bufs = forward(&mut b, &ctx, &dev, &gws, rows, true).unwrap();
        loss_and_metrics(&mut b, &ctx, &dev, &gws, &bufs, rows, &tr, &sums, &data).unwrap();
        backward(&mut b, &ctx, &dev, &gws, rows, tr.logits(&dev)).unwrap();
        run(&ctx, &k, b, StepRecord::default());
        let what = format!("{specs:?}");
        close(&read(&ctx, &sums, 1), &[want_loss as f32], 1e-5, 1e-6, &format!("loss of {what}"));
        let (pred, _) = net.prediction_views(&ws, rows);
        close(&read(&ctx, bufs.last().unwrap(), rows * ow), pred, 1e-4, 1e-6, &format!("output of {what}"));
        for (i, w) in dev.w.iter().enumerate() {
            let r = net.weights[i].range();
            if let Some(g) = w.grad.as_ref() {
                close(
                    &read(&ctx, g, r.len()),
                    &ws.param_grads[r.clone()],
                    2e-4,
                    1e-6,
                    &format!("grad {} of {what}", net.weights[i].name),
                );
            } else {
                // BatchNormalization's moving statistics, updated by the forward pass.
                close(
                    &read(&ctx, &w.param, r.len()),
                    &net.params[r.clone()],
                    1e-5,
                    1e-6,
                    &format!("{} of {what}", net.weights[i].name),
                );
            }
        }
    }
}

#[test]
fn dropout_masks_are_inverted_and_fresh_each_step() {
    let Some((ctx, k)) = device() else { return };
    let (rows, width, rate) = (200, 50, 0.3f32);
    let net = Network::new(
        width,
        vec![LayerSpec::Dropout { rate, seed: Some(7), noise: crate::layers::dropout::Noise::Bernoulli }],
        1,
    )
    .unwrap();
    let dev = DevNet::upload(&ctx, &net, None).unwrap();
    let ws = Workspace::new(&ctx, &dev, rows, 1, true).unwrap();
    let x = values(rows * width, 40, 1.0);
    ctx.write(&ws.acts[0], 0, &x);
    let mut masks = Vec::new();
    for step in 0..2u32 {
        let mut b = Builder::new();
        forward(&mut b, &ctx, &dev, &ws, rows, true).unwrap();
        run(&ctx, &k, b, StepRecord { iter: step, ..Default::default() });
        let m = read(&ctx, ws.masks[0].as_ref().unwrap(), rows * width);
        let y = read(&ctx, &ws.acts[1], rows * width);
        let keep = 1.0 / (1.0 - rate);
        assert!(m.iter().all(|&v| v == 0.0 || v == keep));
        let dropped = m.iter().filter(|&&v| v == 0.0).count() as f32 / m.len() as f32;
        assert!((dropped - rate).abs() < 0.03, "dropped fraction {dropped}");
        let want: Vec<f32> = x.iter().zip(&m).map(|(a, b)| a * b).collect();
        close(&y, &want, 0.0, 0.0, "dropout output");
        assert_eq!(m, cpu_mask(&net, Noise::Bernoulli, rate, step, &x), "the CPU's mask for step {step}");
        masks.push(m);
    }
    assert_ne!(masks[0], masks[1], "each step draws a new mask");
    // Backward multiplies by the mask.
    let g = values(rows * width, 41, 1.0);
    ctx.write(ws.grads[1].as_ref().unwrap(), 0, &g);
    let mut b = Builder::new();
    backward(&mut b, &ctx, &dev, &ws, rows, None).unwrap();
    run(&ctx, &k, b, StepRecord::default());
    let want: Vec<f32> = g.iter().zip(&masks[1]).map(|(a, b)| a * b).collect();
    close(&read(&ctx, ws.grads[1].as_ref().unwrap(), rows * width), &want, 0.0, 0.0, "dropout backward");
}

/// The mask the CPU draws for `x` in a step of `fit` at optimizer step `step` (the network's one noise layer).
fn cpu_mask(net: &Network, noise: Noise, rate: f32, step: u32, x: &[f32]) -> Vec<f32> {
    use crate::layers::dropout::{forward_train, Draws};
    let (mut mask, mut y) = (vec![0.0; x.len()], vec![0.0; x.len()]);
    forward_train(noise, rate, Draws::Step { seed: net.dropout_seeds[0], step }, x, &mut mask, &mut y);
    mask
}

#[test]
fn gaussian_noise_draws_have_their_statistics_and_backward_follows() {
    let Some((ctx, k)) = device() else { return };
    let (rows, width) = (400, 50);
    for (noise, rate, mean, sd) in [(Noise::Multiplicative, 0.2f32, 2.0f32, 1.0f32), (Noise::Additive, 0.3, 2.0, 0.3)] {
        let net = Network::new(width, vec![LayerSpec::Dropout { rate, seed: Some(7), noise }], 1).unwrap();
        let dev = DevNet::upload(&ctx, &net, None).unwrap();
        let ws = Workspace::new(&ctx, &dev, rows, 1, true).unwrap();
        ctx.write(&ws.acts[0], 0, &vec![2.0f32; rows * width]);
        let mut b = Builder::new();
        forward(&mut b, &ctx, &dev, &ws, rows, true).unwrap();
        run(&ctx, &k, b, StepRecord { iter: 3, ..Default::default() });
        let y = read(&ctx, &ws.acts[1], rows * width);
        let m = y.iter().map(|&v| f64::from(v)).sum::<f64>() / y.len() as f64;
        let s = (y.iter().map(|&v| (f64::from(v) - m).powi(2)).sum::<f64>() / y.len() as f64).sqrt();
        assert!((m - f64::from(mean)).abs() < 0.03 && (s - f64::from(sd)).abs() < 0.03, "{noise:?}: {m} {s}");
        let mask = read(&ctx, ws.masks[0].as_ref().unwrap(), rows * width);
        // The CPU's draws for that step, but for the rounding of `ln` and `cos`.
        close(&mask, &cpu_mask(&net, noise, rate, 3, &vec![2.0f32; rows * width]), 1e-5, 1e-6, "the CPU's mask");
        let g = values(rows * width, 42, 1.0);
        ctx.write(ws.grads[1].as_ref().unwrap(), 0, &g);
        let mut b = Builder::new();
        backward(&mut b, &ctx, &dev, &ws, rows, None).unwrap();
        run(&ctx, &k, b, StepRecord::default());
        let want: Vec<f32> = match noise {
            Noise::Additive => g.clone(),
            _ => g.iter().zip(&mask).map(|(a, b)| a * b).collect(),
        };
        close(&read(&ctx, ws.grads[1].as_ref().unwrap(), rows * width), &want, 0.0, 0.0, "noise backward");
    }
}

#[test]
fn errors_are_clear_and_never_panics() {
    // Without the software adapter allowed, a machine with no hardware GPU gets an error that says how to check.
    let hardware = list_adapters().iter().any(|a| a.kind != "cpu");
    let net = Network::new(
        2,
        vec![LayerSpec::Dense { units: 1, activation: Activation::Linear, use_bias: true, rules: Default::default() }],
        1,
    )
    .unwrap();
    match GpuModel::new(&net, None, false) {
        Ok(g) => assert!(hardware, "picked {:?} without a hardware adapter", g.adapter()),
        Err(e) => {
            assert!(!hardware, "{e}");
            assert!(e.to_string().contains("vulkaninfo") && e.to_string().contains("list_devices"), "{e}");
        }
    }
    fn send_sync<T: Send + Sync>() {}
    send_sync::<GpuModel>();
    let Some((ctx, _k)) = device() else { return };
    let e = ctx.storage(usize::MAX / 8, "a huge buffer").unwrap_err();
    assert!(matches!(e, crate::error::Error::Backend(ref m) if m.contains("a huge buffer")), "{e:?}");
    // Fitting or evaluating an uncompiled model is a clear error.
    let mut g = GpuModel::new(&net, None, allow_software()).unwrap();
    let d = Data::new(&[0.0, 0.0], &[0.0], 1);
    let opts = crate::backend::FitOptions {
        batch_size: 1,
        epochs: 1,
        initial_epoch: 0,
        shuffle: false,
        validation_batch_size: 1,
    };
    let e = g.session(d, None, opts, false, &mut crate::backend::NoSync).map(|_| ()).unwrap_err();
    assert!(matches!(e, crate::error::Error::State(_)), "{e:?}");
    assert!(matches!(
        g.evaluate(Data::new(&[0.0, 0.0], &[0.0], 1), 1, &crate::backend::NEVER, false),
        Err(crate::error::Error::State(_))
    ));
    // A wrong-sized predict is a ValueError.
    assert!(matches!(g.predict(&[0.0; 3], 1, &mut [0.0], &crate::backend::NEVER), Err(crate::error::Error::Value(_))));
}
