//! Developer micro-benchmark (not reachable from Python): one-row inference through the wine model, on one
//! thread and with large layers split with the thread team, interleaved so that machine load hits both.
#![allow(clippy::unwrap_used)]

use keras_lite::activation::Activation;
use keras_lite::infer::Scratch;
use keras_lite::layer::LayerSpec;
use keras_lite::network::Network;
use std::time::Instant;

fn main() {
    let mut specs: Vec<LayerSpec> = [512, 512, 512]
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
    let net = Network::new(11, specs, 1).unwrap();
    let x = vec![0.3f32; 11];
    let mut out = vec![0.0f32; 1];
    let mut scratch = Scratch::default();
    let mut times = [Vec::new(), Vec::new()];
    for round in 0..40 {
        for (mode, t) in times.iter_mut().enumerate() {
            for i in 0..250 {
                let t0 = Instant::now();
                net.infer(&x, 1, &mut out, &mut scratch, mode == 1).unwrap();
                if round > 0 || i > 50 {
                    t.push(t0.elapsed().as_secs_f64() * 1e6);
                }
            }
        }
    }
    for (name, t) in ["one thread", "split"].iter().zip(times.iter_mut()) {
        t.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!("{name:>10}: p50 {:.1} us  p99 {:.1} us", t[t.len() / 2], t[t.len() * 99 / 100]);
    }
}
