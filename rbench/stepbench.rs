//! Developer micro-benchmark (not reachable from Python): `cargo run --release --example NAME`.
#![allow(clippy::unwrap_used)]

use keras_lite::activation::Activation;
use keras_lite::layer::LayerSpec;
use keras_lite::loss::Loss;
use keras_lite::network::Network;
use keras_lite::optimizer::{Optimizer, OptimizerKind};
use std::time::Instant;
fn main() {
    keras_lite::pool::train(body);
}

fn body() {
    let args: Vec<String> = std::env::args().collect();
    let (inp, units, rows): (usize, Vec<usize>, usize) = if args.get(1).map(|s| s.as_str()) == Some("tab") {
        (32, vec![256, 256], 256)
    } else {
        (11, vec![512, 512, 512], 256)
    };
    let mut specs: Vec<LayerSpec> = units
        .iter()
        .map(|&u| LayerSpec::Dense {
            units: u,
            activation: Activation::Relu,
            use_bias: true,
            rules: Default::default(),
        })
        .collect();
    specs.push(LayerSpec::Dense {
        units: 1,
        activation: Activation::Linear,
        use_bias: true,
        rules: Default::default(),
    });
    let mut net = Network::new(inp, specs, 1).unwrap();
    let mut ws = net.workspace(rows).unwrap();
    let kind = OptimizerKind::Adam { learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false };
    let mut opt = Optimizer::new(kind, net.params.len());
    let x: Vec<f32> = (0..rows * inp).map(|i| (i % 7) as f32 * 0.1).collect();
    let (y, idx): (Vec<f32>, Vec<u32>) = (vec![0.0; rows], (0..rows as u32).collect());
    net.gather(&mut ws, keras_lite::backend::Data::new(&x, &y, rows), 1, &idx);
    let ranges = net.trainable_ranges();
    let (mut tf, mut tl, mut tb, mut to) = (0.0, 0.0, 0.0, 0.0);
    let steps = 200;
    for s in 0..steps + 10 {
        let t0 = Instant::now();
        net.forward_train(&mut ws, rows, Some(0), true).unwrap();
        let t1 = Instant::now();
        let (i, t, g, _) = net.loss_views(&mut ws, rows, None, false);
        Loss::MeanAbsoluteError.sum(i, t, 1, false, Some(g));
        let t2 = Instant::now();
        net.backward(&mut ws, rows, None, true).unwrap();
        let t3 = Instant::now();
        opt.step(&mut net.params, &ws.param_grads, &ranges);
        let t4 = Instant::now();
        if s >= 10 {
            tf += (t1 - t0).as_secs_f64();
            tl += (t2 - t1).as_secs_f64();
            tb += (t3 - t2).as_secs_f64();
            to += (t4 - t3).as_secs_f64();
        }
    }
    let n = steps as f64 * 1e-6;
    println!(
        "per step us: forward {:.0} loss {:.0} backward {:.0} adam {:.0} total {:.0}",
        tf / n,
        tl / n,
        tb / n,
        to / n,
        (tf + tl + tb + to) / n
    );
}
