//! Seeded fuzzing of the core behind the model-file reader. Python parses `.keras` and `.weights.h5` files and
//! hands the core a layer plan and weight arrays through `_core.Network`; this test derives, from random bytes,
//! what such a file can describe (layer widths from 0 to `usize::MAX`, activation, loss, metric and optimizer
//! names known and unknown, dropout rates and batch-normalization parameters out of range, weight and
//! optimizer-state arrays of right and wrong counts and lengths holding NaN and inf) and drives the core
//! functions the binding calls when a model is loaded and used: `Model::new`, `Network::set_weight`, the
//! `trainable` flags, `Model::compile`, `Model::set_optimizer_state`, `Model::predict`, `trainer::fit`,
//! `Model::evaluate`. Every call must return `Ok` or `Err`: a panic fails the test with its seed and case.
//!
//! Each case is a pure function of (seed, case index), so a failure replays exactly:
//!
//! ```text
//! KERAS_LITE_FUZZ_CASES=200000 cargo test --release --test fuzz_model -- --nocapture   # a longer run
//! KERAS_LITE_FUZZ_SEED=7 KERAS_LITE_FUZZ_CASE=1234 cargo test --release --test fuzz_model -- --nocapture
//! ```
//!
//! The default 100,000 cases take about 30 s in release mode on two cores. `KERAS_LITE_FUZZ_SECONDS` (default
//! 60, 0 for none) stops a run early on a slow machine or in a debug build, saying so.
// A failed check here is a panic by design: `catch_unwind` records it with its case.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use keras_lite::activation::{Activation, NAMES as ACTIVATIONS};
use keras_lite::backend::{Control, Data, FitOptions, Observer};
use keras_lite::error::{Error, Result};
use keras_lite::layer::LayerSpec;
use keras_lite::layers::dropout::Noise;
use keras_lite::loss::Loss;
use keras_lite::metric::Metric;
use keras_lite::model::Model;
use keras_lite::optimizer::OptimizerKind;
use keras_lite::rng::Rng;
use keras_lite::trainer::fit;

const DEFAULT_CASES: u64 = 100_000;
const DEFAULT_SEED: u64 = 0x6b65_7261_735f_6c74;
const DEFAULT_SECONDS: u64 = 60;
/// Bytes drawn per case; reads past the end give zeros, as a short libFuzzer input would.
const CASE_BYTES: usize = 512;
/// Largest buffer a case allocates for inputs, targets, predictions or a weight (a width past it still goes
/// to `Model::new`, which must refuse or build it without the test allocating data for it).
const MAX_VALUES: usize = 1 << 20;

/// Names a file may hold that the core does not know, beside the ones it does.
const BAD_NAMES: &[&str] =
    &["", "Relu", "relu ", "soft\u{0}max", "leaky_relu(0.1)", "\u{1F4A5}", "categorical_crossentropy"];
const LOSSES: &[&str] = &["mae", "mse", "huber", "binary_crossentropy"];
const METRICS: &[&str] = &["mae", "mse", "binary_accuracy", "categorical_accuracy"];
const OPTIMIZERS: &[&str] = &["adam", "adamw", "sgd", "rmsprop"];

/// The bytes one case is derived from, read front to back.
struct Input<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    fn u64(&mut self) -> u64 {
        (0..8).fold(0u64, |acc, _| acc << 8 | u64::from(self.byte()))
    }

    fn below(&mut self, n: usize) -> usize {
        (usize::from(self.byte()) << 8 | usize::from(self.byte())) % n.max(1)
    }

    fn bool(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    /// One in `n`.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<'s>(&mut self, good: &[&'s str]) -> &'s str {
        // One name in sixteen is one the core does not know.
        if self.one_in(16) {
            BAD_NAMES[self.below(BAD_NAMES.len())]
        } else {
            good[self.below(good.len())]
        }
    }

    /// A width or count: mostly small, sometimes a few hundred, sometimes 0 or far too large to allocate.
    fn width(&mut self) -> usize {
        match self.byte() % 32 {
            0 => 0,
            1 => usize::MAX,
            2 => usize::MAX / 2 + 1,
            3 => (1 << 40) + self.below(1000),
            5 | 6 => 32 + self.below(300),
            _ => 1 + self.below(12),
        }
    }

    /// A float with the values that break arithmetic over-represented.
    fn float(&mut self) -> f32 {
        const SPECIAL: [f32; 16] = [
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1.000_000_1,
            0.999_999_94,
            f32::MIN_POSITIVE,
            1e-45,
            f32::MAX,
            f32::MIN,
            1e-3,
            1e30,
        ];
        match self.byte() % 4 {
            0 | 1 => SPECIAL[self.below(SPECIAL.len())],
            2 => f32::from_bits(self.u64() as u32),
            _ => self.below(2001) as f32 / 1000.0 - 1.0,
        }
    }

    /// A float that is usually in `[lo, hi]` (a sensible hyper-parameter) and sometimes anything.
    fn param(&mut self, lo: f32, hi: f32) -> f32 {
        if self.one_in(4) {
            self.float()
        } else {
            lo + (hi - lo) * self.below(1001) as f32 / 1000.0
        }
    }

    /// `len` values: finite noise, noise with NaN/inf sprinkled in, or one special value throughout.
    fn values(&mut self, len: usize) -> Vec<f32> {
        let mode = self.byte() % 8;
        let special = self.float();
        let every = 1 + self.below(7);
        let mut rng = Rng::new(self.u64(), 9);
        let mut v = vec![0.0f32; len];
        rng.fill_uniform(&mut v, 1.0);
        match mode {
            0 => v.iter_mut().step_by(every).for_each(|x| *x = special),
            1 => v.fill(special),
            2 => v.iter_mut().for_each(|x| *x *= 1e30),
            _ => {}
        }
        v
    }

    /// Values for a weight of `len`: usually the right length, sometimes one off or empty.
    fn weight_values(&mut self, len: usize) -> Vec<f32> {
        let len = match self.byte() % 16 {
            0 => len + 1,
            1 => len.saturating_sub(1),
            2 => 0,
            _ => len,
        };
        self.values(len.min(MAX_VALUES))
    }
}

fn activation(input: &mut Input<'_>) -> Result<Activation> {
    Activation::from_name(input.pick(ACTIVATIONS))
}

/// One layer of a plan, as `convert::layer_spec` builds it (an unknown activation name fails there).
fn layer(input: &mut Input<'_>) -> Result<LayerSpec> {
    Ok(match input.byte() % 4 {
        0 | 1 => LayerSpec::Dense {
            units: input.width(),
            activation: activation(input)?,
            use_bias: input.bool(),
            rules: Default::default(),
        },
        2 => match input.byte() % 3 {
            0 => LayerSpec::Activation(activation(input)?),
            1 => LayerSpec::Dropout {
                rate: input.param(0.0, 1.0),
                seed: if input.bool() { Some(input.u64()) } else { None },
                noise: [Noise::Bernoulli, Noise::Multiplicative, Noise::Additive][input.byte() as usize % 3],
            },
            _ => LayerSpec::BatchNorm {
                momentum: f64::from(input.param(0.0, 1.0)),
                epsilon: input.param(1e-5, 1e-1),
                center: input.bool(),
                scale: input.bool(),
            },
        },
        _ => LayerSpec::Dense {
            units: 1 + input.below(8),
            activation: activation(input)?,
            use_bias: true,
            rules: Default::default(),
        },
    })
}

/// The loss as `convert::loss` builds it.
fn loss(input: &mut Input<'_>) -> Result<Loss> {
    let name = input.pick(LOSSES);
    Loss::from_name(name, input.param(0.1, 5.0), input.bool(), input.param(0.0, 1.0))
}

/// The optimizer as `convert::optimizer` builds it, and its weight decay (`None`: a name the binding
/// refuses itself).
fn optimizer(input: &mut Input<'_>) -> Option<(OptimizerKind, f32)> {
    let name = input.pick(OPTIMIZERS);
    let learning_rate = input.param(0.0, 0.1);
    let kind = match name {
        "adam" | "adamw" => OptimizerKind::Adam {
            learning_rate,
            beta_1: f64::from(input.param(0.0, 1.0)),
            beta_2: f64::from(input.param(0.0, 1.0)),
            epsilon: input.param(0.0, 1e-3),
            amsgrad: input.bool(),
        },
        "sgd" => OptimizerKind::Sgd { learning_rate, momentum: input.param(0.0, 1.0), nesterov: input.bool() },
        "rmsprop" => OptimizerKind::RmsProp {
            learning_rate,
            rho: f64::from(input.param(0.0, 1.0)),
            momentum: input.param(0.0, 1.0),
            epsilon: input.param(0.0, 1e-3),
            centered: input.bool(),
        },
        _ => return None,
    };
    Some((kind, if name == "adamw" { input.param(0.0, 0.1) } else { 0.0 }))
}

/// An observer that continues, stops after a few batches, or fails, as a Python callback may.
struct Callbacks {
    stop_after: Option<usize>,
    fail_at_epoch: Option<usize>,
    batches: usize,
}

impl Observer for Callbacks {
    fn epoch_begin(&mut self, epoch: usize) -> Result<Control> {
        match self.fail_at_epoch {
            Some(e) if e == epoch => Err(Error::State("a callback raised".into())),
            _ => Ok(Control::Continue),
        }
    }

    fn batch_end(&mut self, _: usize, _: usize, running: &[f64]) -> Result<Control> {
        assert!(!running.is_empty(), "batch_end without the loss");
        self.batches += 1;
        Ok(if self.stop_after.is_some_and(|n| self.batches >= n) { Control::Stop } else { Control::Continue })
    }

    fn epoch_end(&mut self, _: usize, _: &[f64], _: Option<&[f64]>) -> Result<Control> {
        Ok(Control::Continue)
    }
}

/// How far a case got: a model built, weights all accepted, compiled, a fit that ran, a prediction made.
#[derive(Default)]
struct Reached {
    built: bool,
    weights_set: bool,
    compiled: bool,
    fitted: bool,
    predicted: bool,
}

/// Fail on errors that mean the core handed its kernels inconsistent shapes (no GPU is used here).
fn check(r: Result<()>, what: &str) -> bool {
    match r {
        Ok(()) => true,
        Err(Error::Backend(m)) => panic!("{what}: a backend error on the CPU: {m}"),
        Err(_) => false,
    }
}

/// Rows to use with widths `widths`: a few, or none when one row would not fit in `MAX_VALUES`.
fn rows_for(input: &mut Input<'_>, widths: &[usize]) -> usize {
    // Up to 4 rows take the single-row kernels, more the blocked GEMM; past 512 a predict is split in chunks.
    const ROWS: [usize; 10] = [0, 1, 2, 3, 4, 5, 8, 17, 33, 600];
    let rows = ROWS[input.below(ROWS.len())];
    let widest = widths.iter().copied().max().unwrap_or(0);
    if rows.checked_mul(widest).is_some_and(|n| n <= MAX_VALUES) {
        rows
    } else {
        0
    }
}

/// One case: build, load weights, compile, restore optimizer state, predict, fit, evaluate.
fn run_case(data: &[u8], reached: &mut Reached) {
    let input = &mut Input { data, pos: 0 };
    let input_dim = input.width();
    let n_layers = input.below(8);
    let Ok(specs) = (0..n_layers).map(|_| layer(input)).collect::<Result<Vec<_>>>() else {
        return; // an unknown activation: the binding raises before the core sees the plan
    };
    let Ok(model) = Model::new(input_dim, specs, input.u64()) else {
        return;
    };
    reached.built = true;
    let (weight_lens, n_layers, iw, ow, widest) = {
        let st = model.read().unwrap();
        let net = &st.net;
        (
            net.weights.iter().map(|w| w.len()).collect::<Vec<_>>(),
            net.layers.len(),
            net.input_dim,
            net.output_dim(),
            net.max_width(),
        )
    };

    // set_weights: one array per weight (sometimes one too many), each checked before it is written.
    let mut all_ok = true;
    for i in 0..weight_lens.len() + usize::from(input.one_in(16)) {
        let values = input.weight_values(weight_lens.get(i).copied().unwrap_or(3));
        let mut st = model.write().unwrap();
        let bits = |p: &[f32]| p.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        let before = bits(&st.net.params);
        let ok = check(st.net.set_weight(i, &values), "set_weight");
        if ok {
            assert!(bits(st.net.weight(i).unwrap()) == bits(&values), "weight {i} reads back differently");
        } else {
            assert!(bits(&st.net.params) == before, "a refused weight was written");
        }
        all_ok &= ok;
        st.host_changed(keras_lite::backend::Change::Weight(i)).unwrap();
    }
    reached.weights_set = all_ok;

    // Frozen layers (`layer.trainable = False` in the file's config), an index past the end included.
    for _ in 0..input.below(3) {
        let i = input.below(n_layers + 1);
        let mut st = model.write().unwrap();
        if let Some(l) = st.net.layers.get_mut(i) {
            l.trainable = input.bool();
        }
    }

    // compile from the file's training config, then its optimizer state.
    if input.one_in(4) {
        let compiled = (|| -> Option<bool> {
            let loss = loss(input).ok()?;
            let metrics: Vec<Metric> =
                (0..input.below(3)).map(|_| Metric::from_name(input.pick(METRICS))).collect::<Result<_>>().ok()?;
            let (opt, decay) = optimizer(input)?;
            let compiled = check(model.compile(loss, metrics, opt), "compile");
            Some(compiled && check(model.set_weight_decay(decay, &[]), "set_weight_decay"))
        })();
        reached.compiled = compiled == Some(true);
    } else {
        let adam = OptimizerKind::Adam {
            learning_rate: 1e-3,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            amsgrad: input.bool(),
        };
        reached.compiled =
            check(model.compile(Loss::MeanSquaredError, vec![Metric::MeanAbsoluteError], adam), "compile");
    }
    if reached.compiled && input.bool() {
        let (_, slots) = model.optimizer_state().unwrap();
        let mut arrays: Vec<Vec<f32>> = slots.iter().map(|(_, _, v)| input.weight_values(v.len())).collect();
        if input.one_in(8) {
            arrays.pop();
        }
        let refs: Vec<&[f32]> = arrays.iter().map(|a| a.as_slice()).collect();
        let iterations = match input.byte() % 4 {
            0 => u64::MAX,
            1 => 1 << 63,
            _ => input.u64() % 1000,
        };
        check(model.set_optimizer_state(iterations, &refs), "set_optimizer_state");
    }

    // predict, as `Network.predict` calls it (x and the output of matching size; sometimes one value off).
    let rows = rows_for(input, &[iw, ow, widest]);
    let off = usize::from(input.one_in(16));
    let x = input.values(rows * iw + off);
    let mut out = vec![0.0f32; rows * ow];
    reached.predicted = check(model.predict(&x, rows, &mut out), "predict");

    // fit, as `Network.fit` calls it: targets and validation data of matching widths, sometimes not.
    if reached.compiled {
        let rows = rows_for(input, &[iw, ow, widest]);
        let off = usize::from(input.one_in(16));
        let (x, y) = (input.values(rows * iw), input.values(rows * ow + off));
        let vrows = rows_for(input, &[iw, ow, widest]);
        let (vx, vy) = (input.values(vrows * iw), input.values(vrows * ow));
        let sizes = [0, 1, 2, 3, rows, rows + 1, 1 << 62, usize::MAX];
        let opts = FitOptions {
            batch_size: sizes[input.below(sizes.len())],
            epochs: input.below(4),
            initial_epoch: input.below(3),
            shuffle: input.bool(),
            validation_batch_size: sizes[input.below(sizes.len())],
        };
        let val = input.bool().then_some(Data::new(&vx, &vy, vrows));
        let mut obs = Callbacks {
            stop_after: input.one_in(4).then(|| input.below(4)),
            fail_at_epoch: input.one_in(8).then(|| input.below(3)),
            batches: 0,
        };
        let r = fit(&model, Data::new(&x, &y, rows), val, opts, &mut obs).map(|_| ());
        reached.fitted = check(r, "fit");
        if vrows > 0 {
            let r = model.evaluate(&vx, &vy, vrows, sizes[input.below(sizes.len())]).map(|_| ());
            check(r, "evaluate");
        }
    }

    // Whatever happened, the model still answers: its lock is not poisoned and a plain predict works.
    let rows = usize::from(iw.max(ow).max(widest) <= MAX_VALUES);
    let mut out = vec![0.0f32; rows * ow];
    model.predict(&vec![0.5; rows * iw], rows, &mut out).unwrap();
    model.snapshot().unwrap();
}

/// Where the last panic happened (set by the panic hook, which may run on a pool thread).
static WHERE: Mutex<String> = Mutex::new(String::new());

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn case_bytes(seed: u64, case: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed, case);
    (0..CASE_BYTES).map(|_| rng.next_u64() as u8).collect()
}

#[test]
fn model_descriptions_never_panic_the_core() {
    let seed = env_u64("KERAS_LITE_FUZZ_SEED", DEFAULT_SEED);
    let cases = env_u64("KERAS_LITE_FUZZ_CASES", DEFAULT_CASES);
    let limit = env_u64("KERAS_LITE_FUZZ_SECONDS", DEFAULT_SECONDS);
    let only = std::env::var("KERAS_LITE_FUZZ_CASE").ok().and_then(|v| v.parse::<u64>().ok());
    let verbose = std::env::var_os("KERAS_LITE_FUZZ_VERBOSE").is_some();
    let deadline = (limit > 0).then(|| Instant::now() + Duration::from_secs(limit));

    // Panics are collected with where they happened, not printed as they happen (on whichever thread).
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        *WHERE.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }));
    // (where it panicked, the first message there, the cases): one row per place.
    let (mut ran, mut failures) = (0u64, Vec::<(String, String, Vec<u64>)>::new());
    let mut counts = [0u64; 5];
    for case in only.map_or(0..cases, |c| c..c + 1) {
        if deadline.is_some_and(|d| Instant::now() > d) {
            eprintln!(
                "fuzz_model: stopped after {ran} of {cases} cases at the {limit} s limit (KERAS_LITE_FUZZ_SECONDS)"
            );
            break;
        }
        if verbose {
            eprintln!("fuzz_model: seed {seed} case {case}");
        }
        let data = case_bytes(seed, case);
        let mut reached = Reached::default();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| run_case(&data, &mut reached))) {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(a non-string panic)".into());
            let at = WHERE.lock().unwrap_or_else(|e| e.into_inner()).clone();
            match failures.iter_mut().find(|(w, _, _)| !at.is_empty() && *w == at) {
                Some((_, _, hits)) => hits.push(case),
                None => failures.push((at, msg, vec![case])),
            }
        }
        let r = &reached;
        for (n, hit) in counts.iter_mut().zip([r.built, r.weights_set, r.compiled, r.fitted, r.predicted]) {
            *n += u64::from(hit);
        }
        ran += 1;
    }
    std::panic::set_hook(hook);
    eprintln!(
        "fuzz_model: seed {seed}, {ran} cases: {} built, {} with every weight accepted, {} compiled, {} fitted, {} predicted",
        counts[0], counts[1], counts[2], counts[3], counts[4]
    );
    assert!(
        failures.is_empty(),
        "{} of {ran} cases panicked (replay one with KERAS_LITE_FUZZ_SEED={seed} KERAS_LITE_FUZZ_CASE=<case>):\n{}",
        failures.iter().map(|(_, _, hits)| hits.len()).sum::<usize>(),
        failures
            .iter()
            .map(|(at, msg, hits)| format!("{msg}{at}: {} cases, first {:?}", hits.len(), &hits[..hits.len().min(5)]))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
