//! The CPU's `Session` (backend.rs): each step of a fit runs at once on the model's own network, under its
//! lock, with subnormal floats flushed to zero (the loop's mode: fpmode.rs).

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::backend::{not_compiled, Data, FitOptions, Observer, Session};
use crate::error::{Error, Result};
use crate::evaluate::{evaluate_with, EvalScratch};
use crate::hooks::{validation_hook, EvalHooks};
use crate::model::Model;
use crate::stream::Batch;
use crate::train::Workspace;

/// The CPU's session: each step runs at once on the model's own network, under its lock.
pub(crate) struct CpuSession<'a> {
    model: &'a Model,
    train: Data<'a>,
    val: Option<Data<'a>>,
    validation_batch_size: usize,
    /// The widths and metric count the fit began with.
    shape: (usize, usize, usize),
    ws: Workspace,
    /// The epoch's sums: `[w·loss, metric..., w]` (see `backend::Averaging`).
    sums: Vec<f64>,
    running: Vec<f64>,
    seen: usize,
    ranges: Vec<Range<usize>>,
    /// Steps this fit took without a trainable weight (no optimizer step): they seed dropout's draws.
    drawn: u64,
    /// Where Adam's split pass cuts the tall kernels (`Network::update_cuts`).
    cuts: Vec<usize>,
    eval: EvalScratch,
    averaging: crate::backend::Averaging,
    stream: crate::stream::Rows,
    /// The next batch's rows, asked of the cache a part at a time during this step (`ask_next`).
    next: Vec<u32>,
}

impl<'a> CpuSession<'a> {
    pub(crate) fn new(model: &'a Model, train: Data<'a>, val: Option<Data<'a>>, opts: FitOptions) -> Result<Self> {
        let st = model.read()?;
        let compiled = st.compiled.as_ref().ok_or_else(not_compiled)?;
        let (n_metrics, columns) = (compiled.metrics.len(), compiled.sum_columns());
        Ok(CpuSession {
            model,
            train,
            val,
            validation_batch_size: opts.validation_batch_size.max(1),
            shape: (st.net.input_dim, st.net.output_dim(), n_metrics),
            ws: st.net.workspace(opts.batch_size.min(train.rows))?,
            sums: vec![0.0; columns],
            running: compiled.averaging().means(&vec![0.0; columns], 0),
            seen: 0,
            ranges: Vec::new(),
            drawn: 0,
            cuts: st.net.update_cuts(crate::pool::threads()),
            eval: EvalScratch::default(),
            averaging: compiled.averaging(),
            stream: crate::stream::Rows::new(opts.batch_size.min(train.rows)),
            next: Vec::with_capacity(opts.batch_size.min(train.rows)),
        })
    }
}

/// Ask the cache for part `part` of `NEXT_PARTS` of the rows `next` of `data` (see `prefetch`).
fn ask_next((next, data): (&[u32], Option<Data<'_>>), part: usize) {
    let n = next.len();
    crate::train::prefetch_batch(data, &next[part * n / NEXT_PARTS..(part + 1) * n / NEXT_PARTS]);
}

/// The parts in which a step asks for the next batch's rows, one after each of its phases (the gather, the
/// forward pass, the loss and metrics, the backward pass): all at once, the requests of a small network's batch
/// (32 rows of inputs and targets, 64 lines from random places) outnumber the core's line fill buffers, and the
/// last ones wait for lines to arrive. Measured with `rbench/fitbench.rs small`, six pairs alternated on the
/// Intel Xeon host: 2.11-2.15 µs a step against 2.13-2.19 asked all at once before the step.
const NEXT_PARTS: usize = 4;

impl Session for CpuSession<'_> {
    fn begin_epoch(&mut self, _: Option<&[u32]>) -> Result<()> {
        self.sums.iter_mut().for_each(|s| *s = 0.0);
        self.seen = 0;
        // An epoch that trains no batch (a stream that ran out) logs zeros, as Keras's reset metrics and the GPU.
        self.averaging.means_into(&self.sums, 0, &mut self.running);
        self.running.iter_mut().for_each(|r| *r = 0.0);
        Ok(())
    }

    fn step(&mut self, _: usize, idx: &[u32]) -> Result<()> {
        #[cfg(feature = "probe")]
        crate::probe::step_begin();
        let rows = idx.len();
        let (ws, sums) = (&mut self.ws, &mut self.sums);
        let ahead = (&self.next[..], self.stream.batch.is_none().then_some(self.train));
        let mut guard = self.model.write()?;
        let st = &mut *guard;
        let compiled = st.compiled.as_mut().ok_or_else(not_compiled)?;
        let net = &mut st.net;
        // A model with no trainable weight takes no optimizer step (its `iterations` and rate stay), as Keras.
        net.trainable_ranges_into(&mut self.ranges);
        let steps = !self.ranges.is_empty();
        if steps {
            // Before anything changes (batch normalization's statistics included).
            compiled.optimizer.check_next()?;
        }
        // `compile` is refused during fit; this guards the sums below all the same.
        if (net.input_dim, net.output_dim(), compiled.metrics.len()) != self.shape {
            return Err(Error::State("the model was rebuilt or recompiled during fit".into()));
        }
        let train = self.stream.batch.as_ref().map_or(self.train, Batch::data);
        let (ow, weighted) = (self.shape.1, train.w.is_some());
        net.gather(ws, train, compiled.loss.target_width(ow), idx);
        ask_next(ahead, 0);
        // Noise layers hash their draws from the step count, as the GPU's kernel does (layers/dropout.rs).
        // Without a trainable weight the step count stays: the fit's steps so far vary the draws (as the GPU's).
        let noise = compiled.optimizer.iterations.saturating_add(if steps { 0 } else { self.drawn });
        self.drawn += u64::from(!steps);
        net.forward_train(ws, rows, Some(noise as u32), true)?;
        ask_next(ahead, 1);
        let logits = net.loss_logits(&compiled.loss);
        let (input, target, grad, w) = net.loss_views(ws, rows, logits, weighted);
        sums[0] += compiled.loss.reduced_sum(
            (compiled.reduction, compiled.loss_weight),
            input,
            target,
            ow,
            logits.is_some(),
            w,
            Some(grad),
        );
        let rules = net.has_weight_rules();
        if rules {
            // Keras's `sum(model.losses)`, added to the batch's mean loss (so `rows` times to the sum).
            sums[0] += net.penalty() * rows as f64 + net.activity_penalty(ws, rows);
        }
        let w = ws.weights(rows, weighted);
        let (pred, target) = net.prediction_views(ws, rows);
        let reads = compiled.metrics.iter().any(crate::metric::Metric::reads_logits);
        let z = if reads { net.final_logits_view(ws, rows) } else { None };
        let out = crate::metric::Outputs { pred, logits: z, width: ow };
        crate::metric::accumulate_all(&compiled.metrics, compiled.weighted_from, out, target, w, sums);
        ask_next(ahead, 2);
        net.backward(ws, rows, logits, true)?;
        ask_next(ahead, 3);
        if rules {
            net.add_penalty_grads(&mut ws.param_grads);
        }
        if steps {
            compiled.optimizer.clip.apply(&mut ws.param_grads, &self.ranges);
            compiled.optimizer.step_cut(&mut net.params, &ws.param_grads, &self.ranges, &self.cuts);
        }
        if rules {
            net.apply_constraints();
        }
        drop(guard);
        self.seen += rows;
        self.averaging.means_into(&self.sums, self.seen, &mut self.running);
        Ok(())
    }

    fn running(&mut self) -> Result<&[f64]> {
        Ok(&self.running)
    }

    fn prefetch(&mut self, next: &[u32]) {
        // Asked for during the step (`ask_next`); the buffer holds a batch, so this allocates nothing.
        self.next.clear();
        self.next.extend_from_slice(next);
    }

    fn step_rows(&mut self, step: usize, batch: Data<'_>) -> Result<()> {
        let idx = self.stream.load(batch, &mut self.ws, self.model)?;
        self.step(step, &idx[..batch.rows])
    }

    fn validate_rows(&mut self, batch: Data<'_>, sums: &mut [f64]) -> Result<()> {
        crate::stream::cpu_sums(self.model, batch, &crate::backend::NEVER, &mut self.eval, sums)
    }

    fn end_epoch(&mut self) -> Result<&[f64]> {
        Ok(&self.running)
    }

    /// Keras's validation pass: the batches (with their hooks when wanted, the model's lock taken per batch
    /// so that a hook may read or set weights).
    fn validate(&mut self, obs: &mut dyn Observer, first_only: bool) -> Result<&[f64]> {
        let Some(v) = self.val else { return Err(Error::State("there is no validation data".into())) };
        let (model, batch_size, eval) = (self.model, self.validation_batch_size, &mut self.eval);
        // A validation pass can be long: it stops at Ctrl-C as the training steps do.
        let stop = AtomicBool::new(false);
        let watch = |obs: &dyn Observer| obs.cancel_flag().is_some_and(|c| c.load(Ordering::Relaxed));
        if obs.wants_test_batches() || first_only {
            let mut hook = |step: usize, running: Option<&[f64]>| {
                if watch(obs) {
                    stop.store(true, Ordering::Relaxed);
                }
                validation_hook(obs, first_only, step, running)
            };
            let mut hooks = EvalHooks { cancel: &stop, batch: Some(&mut hook) };
            evaluate_with(&mut || model.read(), v, batch_size, eval, &mut hooks)?;
        } else {
            let st = model.read()?;
            let cancel = obs.cancel_flag().unwrap_or(&crate::backend::NEVER);
            let mut hooks = EvalHooks::cancelled_by(cancel);
            evaluate_with(&mut || Ok(&*st), v, batch_size, eval, &mut hooks)?;
        }
        Ok(eval.values())
    }

    fn to_host(&mut self) -> Result<()> {
        Ok(())
    }

    fn take_host_changes(&mut self) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::activation::Activation;
    use crate::backend::{Data, FitOptions};
    use crate::layer::LayerSpec;
    use crate::loss::Loss;
    use crate::model::Model;
    use crate::optimizer::OptimizerKind;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    /// A Dense model (relu between its layers) compiled with Adam and MAE.
    fn model(inputs: usize, units: &[usize]) -> Model {
        let last = units.len() - 1;
        let dense = |(i, &units): (usize, &usize)| LayerSpec::Dense {
            units,
            activation: if i < last { Activation::Relu } else { Activation::Linear },
            use_bias: true,
            rules: Default::default(),
        };
        let m = Model::new(inputs, units.iter().enumerate().map(dense).collect(), 3).expect("the model builds");
        let adam =
            OptimizerKind::Adam { learning_rate: 1e-3, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false };
        m.compile(Loss::MeanAbsoluteError, Vec::new(), adam).expect("the model compiles");
        m
    }

    fn fit(m: &Model, data: Data<'_>, batch_size: usize, epochs: usize) {
        let opts = FitOptions { batch_size, epochs, initial_epoch: 0, shuffle: false, validation_batch_size: 64 };
        crate::trainer::fit(m, data, None, opts, &mut crate::trainer::Silent).expect("the fit runs");
    }

    /// A step computes with subnormals flushed to zero, as TensorFlow's kernels do: Adam's moments, subnormal
    /// before a step whose gradients are zero, are zero after it (not nine tenths of themselves). The
    /// network is wide enough for the team to split its update, so the helper's half is checked too.
    #[test]
    fn a_step_flushes_subnormals_to_zero() {
        let m = model(256, &[300, 1]);
        {
            let mut st = m.write().expect("the lock");
            let st = &mut *st;
            st.net.params.fill(0.0);
            let slots = &mut st.compiled.as_mut().expect("compiled").optimizer.slots;
            slots.iter_mut().for_each(|s| s.fill(f32::MIN_POSITIVE / 4.0));
        }
        let (x, y) = (vec![0.0f32; 16 * 256], vec![0.0f32; 16]);
        fit(&m, Data::new(&x, &y, 16), 16, 1);
        let st = m.read().expect("the lock");
        let slots = &st.compiled.as_ref().expect("compiled").optimizer.slots;
        assert_eq!(st.net.params.iter().filter(|&&w| w != 0.0).count(), 0, "no gradient, no update");
        for s in slots {
            let subnormal = s.iter().filter(|v| v.is_subnormal()).count();
            assert_eq!(subnormal, 0, "{subnormal} of {} moments are still subnormal", s.len());
        }
    }

    /// A helper runs its part in the caller's floating-point mode, flushed or not, job after job. (Part 0,
    /// the caller's, waits for part 1 to start, so that a helper runs it.)
    #[test]
    fn helpers_take_on_the_callers_floating_point_mode() {
        if crate::pool::threads() < 2 {
            return; // one CPU: no helpers
        }
        let half_min = || std::hint::black_box(f32::MIN_POSITIVE) * std::hint::black_box(0.5f32);
        for flushed in [true, false, true] {
            let _mode = flushed.then(crate::fpmode::Flushed::for_loop);
            let started = AtomicBool::new(false);
            let zero = [AtomicBool::new(false), AtomicBool::new(false)];
            let job = |t: usize| {
                if t == 1 {
                    started.store(true, Ordering::Release);
                } else {
                    let since = Instant::now();
                    while !started.load(Ordering::Acquire) && since.elapsed() < Duration::from_secs(10) {
                        std::hint::spin_loop();
                    }
                }
                zero[t].store(half_min() == 0.0, Ordering::Relaxed);
            };
            // Another test may own the team for a moment.
            while !crate::team::run(2, &job) {
                std::thread::yield_now();
            }
            let expect = flushed && cfg!(any(target_arch = "x86_64", target_arch = "aarch64"));
            for (t, z) in zero.iter().enumerate() {
                assert_eq!(z.load(Ordering::Relaxed), expect, "part {t}, caller flushed: {flushed}");
            }
        }
    }
}
