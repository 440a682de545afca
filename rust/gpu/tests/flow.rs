//! The fit's flow on the device: every pipeline compiled before the first step (a last, shorter batch and
//! validation included), the weights and optimizer state read back in one go, and the step profile's counts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::fit::dense;
use super::{allow_software, close, values};
use crate::activation::Activation;
use crate::backend::{Control, Data, FitOptions, Observer};
use crate::error::Result;
use crate::gpu::*;
use crate::loss::Loss;
use crate::metric::Metric;
use crate::model::Model;
use crate::optimizer::OptimizerKind;

/// The device's count of compiled pipelines at each batch and epoch end, and the epochs' figures.
struct Watch {
    dev: Arc<Device>,
    seen: Vec<usize>,
    logs: Vec<Vec<f64>>,
}

impl Watch {
    fn note(&mut self) -> Result<Control> {
        self.seen.push(self.dev.kernels.created.load(Ordering::Relaxed));
        Ok(Control::Continue)
    }
}

impl Observer for Watch {
    fn epoch_begin(&mut self, _: usize) -> Result<Control> {
        Ok(Control::Continue)
    }
    fn batch_end(&mut self, _: usize, _: usize, _: &[f64]) -> Result<Control> {
        self.note()
    }
    fn epoch_end(&mut self, _: usize, train: &[f64], val: Option<&[f64]>) -> Result<Control> {
        self.logs.push(train.iter().chain(val.unwrap_or_default()).copied().collect());
        self.note()
    }
}

fn model(kind: OptimizerKind) -> Model {
    let specs = vec![dense(16, Activation::Relu), dense(16, Activation::Tanh), dense(1, Activation::Linear)];
    let m = Model::new(5, specs, 7).unwrap();
    m.compile_with(Loss::MeanSquaredError, vec![Metric::MeanAbsoluteError], vec![], kind, None).unwrap();
    m
}

/// A fresh device (its own pipeline count), with at most `bindings` storage bindings per dispatch assumed.
fn device(bindings: Option<u32>) -> Option<Arc<Device>> {
    match Device::open(allow_software()) {
        Ok(mut d) => {
            if let Some(b) = bindings {
                d.ctx.limits.max_storage_buffers_per_shader_stage = b;
            }
            Some(Arc::new(d))
        }
        Err(e) => {
            eprintln!("SKIP GPU flow test: {e}");
            None
        }
    }
}

fn to_gpu(m: &Model, dev: &Arc<Device>) {
    let g = {
        let st = m.read().unwrap();
        GpuModel::on(dev.clone(), &st.net, st.compiled.as_ref()).unwrap()
    };
    m.write().unwrap().gpu = Some(Box::new(g));
}

#[test]
fn no_pipeline_is_compiled_during_a_fit_and_the_state_comes_back_in_one_read() {
    let Some(dev) = device(None) else { return };
    let kind = OptimizerKind::Adam { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: true };
    let (rows, val_rows) = (75, 23);
    let (x, y, vx, vy) =
        (values(rows * 5, 1, 1.0), values(rows, 2, 1.0), values(val_rows * 5, 3, 1.0), values(val_rows, 4, 1.0));
    let (train, val) = (Data::new(&x, &y, rows), Some(Data::new(&vx, &vy, val_rows)));
    // 75 rows in batches of 16: a last batch of 11; 23 validation rows in batches of 16: a last one of 7.
    let opts = FitOptions { batch_size: 16, epochs: 3, initial_epoch: 0, shuffle: true, validation_batch_size: 16 };
    let (cpu, gpu) = (model(kind), model(kind));
    to_gpu(&gpu, &dev);
    let mut wc = Watch { dev: dev.clone(), seen: vec![], logs: vec![] };
    let mut wg = Watch { dev: dev.clone(), seen: vec![], logs: vec![] };
    crate::trainer::fit(&cpu, train, val, opts, &mut wc).unwrap();
    let first = dev.kernels.created.load(Ordering::Relaxed);
    crate::trainer::fit(&gpu, train, val, opts, &mut wg).unwrap();
    assert_eq!(wg.seen.len(), 3 * (5 + 1), "a note per batch and per epoch");
    assert!(wg.seen[0] > first, "the fit compiles its pipelines: {:?}", wg.seen);
    assert!(wg.seen.iter().all(|&n| n == wg.seen[0]), "pipelines compiled during the epochs: {:?}", wg.seen);
    assert_eq!(dev.kernels.created.load(Ordering::Relaxed), wg.seen[0], "pipelines compiled after the last epoch");
    for (e, (g, c)) in wg.logs.iter().zip(&wc.logs).enumerate() {
        let f = |v: &[f64]| v.iter().map(|&a| a as f32).collect::<Vec<f32>>();
        close(&f(g), &f(c), 1e-4, 1e-7, &format!("epoch {e}: loss, metric, validation"));
    }
    // The weights and all three Adam slots of every weight: one staging buffer, one map, one wait.
    let mut st = gpu.write().unwrap();
    let st = &mut *st;
    let before = dev.ctx.reads.load(Ordering::Relaxed);
    st.gpu.as_ref().unwrap().download(&mut st.net, st.compiled.as_mut()).unwrap();
    assert_eq!(dev.ctx.reads.load(Ordering::Relaxed) - before, 1, "read-backs for the weights and slots");
    let cs = cpu.read().unwrap();
    close(&st.net.params, &cs.net.params, 1e-3, 1e-5, "weights");
    let (cc, gc) = (cs.compiled.as_ref().unwrap(), st.compiled.as_ref().unwrap());
    assert_eq!(cc.optimizer.slots.len(), 3);
    for (a, b) in cc.optimizer.slots.iter().zip(&gc.optimizer.slots) {
        close(b, a, 1e-3, 1e-5, "optimizer slots");
    }
    assert_eq!(cc.optimizer.progress(), gc.optimizer.progress(), "step count");
}

#[test]
fn the_profile_counts_fall_with_the_fused_update_and_leave_the_model_unchanged() {
    let kind = OptimizerKind::Adam { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false };
    let rows = 40;
    let (x, y) = (values(rows * 5, 5, 1.0), values(rows, 6, 1.0));
    let mut seen = Vec::new();
    // The fused update, then one dispatch per weight (an adapter with 8 storage bindings per dispatch).
    for bindings in [None, Some(8)] {
        let Some(dev) = device(bindings) else { return };
        let m = model(kind);
        to_gpu(&m, &dev);
        let mut st = m.write().unwrap();
        let st = &mut *st;
        let before = st.net.params.clone();
        let g = st.gpu.as_mut().unwrap();
        let p = g.profile(&st.net, st.compiled.as_ref(), Data::new(&x, &y, rows), 16).unwrap();
        assert!(p.dispatches > 0 && p.barriers <= p.dispatches && p.needed <= p.barriers, "{p:?}");
        assert_eq!(p.false_barriers, 0, "barriers forced by stand-in buffers: {p:?}");
        assert!(p.pipelines > 0, "{p:?}");
        if let Some(k) = &p.kernels {
            assert_eq!(k.len(), p.dispatches, "one time per dispatch");
            assert!(k.iter().all(|(_, t)| t.is_finite() && *t >= 0.0), "{k:?}");
        }
        // The profiled step ran on the device's copy; the host's is back there.
        g.download(&mut st.net, None).unwrap();
        assert_eq!(st.net.params, before, "the profile changed the weights");
        seen.push(p);
    }
    // Six weights: one update dispatch instead of six, and five barriers fewer.
    assert_eq!(seen[1].dispatches - seen[0].dispatches, 5, "{seen:?}");
    assert_eq!(seen[1].barriers - seen[0].barriers, 5, "{seen:?}");
    assert!(seen[0].needed <= seen[1].needed, "{seen:?}");
}
