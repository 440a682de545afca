//! The steady-state training and predict loops allocate nothing: a counting global allocator watches
//! epochs 3..5 of a fit (after two warm-up epochs) and repeated predictions after a warm-up call.
#![allow(clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use keras_lite::activation::Activation;
use keras_lite::backend::{Control, Data, FitOptions, Observer};
use keras_lite::error::Result;
use keras_lite::layer::LayerSpec;
use keras_lite::loss::Loss;
use keras_lite::metric::Metric;
use keras_lite::model::Model;
use keras_lite::optimizer::{OptimizerKind, RateTable, Schedule};
use keras_lite::regularize::{Constraint, Penalty, WeightRules};
use keras_lite::stream::{feed, FeedSender, Input, Item};
use keras_lite::trainer::{fit, fit_input};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Counts allocations from the start of epoch 2 to the end of epoch 4.
struct Watch;

impl Observer for Watch {
    fn epoch_begin(&mut self, epoch: usize) -> Result<Control> {
        if epoch == 2 {
            ALLOCS.store(0, Ordering::SeqCst);
            COUNTING.store(true, Ordering::SeqCst);
        }
        Ok(Control::Continue)
    }
    fn batch_end(&mut self, _: usize, _: usize, _: &[f64]) -> Result<Control> {
        Ok(Control::Continue)
    }
    fn epoch_end(&mut self, epoch: usize, _: &[f64], _: Option<&[f64]>) -> Result<Control> {
        if epoch == 4 {
            COUNTING.store(false, Ordering::SeqCst);
        }
        Ok(Control::Continue)
    }
}

fn data(rows: usize, width: usize, seed: u64) -> Vec<f32> {
    let mut r = keras_lite::rng::Rng::new(seed, 0);
    let mut v = vec![0.0; rows * width];
    r.fill_uniform(&mut v, 1.0);
    v
}

fn model(input: usize) -> Model {
    let specs = vec![
        LayerSpec::BatchNorm { momentum: 0.99, epsilon: 1e-3, center: true, scale: true },
        LayerSpec::Dense { units: 256, activation: Activation::Relu, use_bias: true, rules: Default::default() },
        // 256×256 = 65,536 kernel values: large enough for the split optimizer update.
        LayerSpec::Dense {
            units: 256,
            activation: Activation::Tanh,
            use_bias: true,
            rules: WeightRules {
                kernel_reg: Penalty { l1: 1e-4, l2: 1e-3 },
                bias_reg: Penalty { l1: 0.0, l2: 1e-3 },
                kernel_constraint: Constraint::MaxNorm { max_value: 2.0, axis: 0 },
                bias_constraint: Constraint::NonNeg,
                activity: Penalty { l1: 1e-5, l2: 1e-4 },
            },
        },
        LayerSpec::Dropout { rate: 0.2, seed: Some(3), noise: keras_lite::layers::dropout::Noise::Bernoulli },
        LayerSpec::Dense {
            units: 32,
            activation: Activation::Gelu { approximate: false },
            use_bias: true,
            rules: Default::default(),
        },
        LayerSpec::Dense { units: 1, activation: Activation::Sigmoid, use_bias: true, rules: Default::default() },
    ];
    Model::new(input, specs, 7).unwrap()
}

#[test]
fn steady_state_fit_and_predict_do_not_allocate() {
    let (rows, width) = (1000, 12);
    let m = model(width);
    let adam = OptimizerKind::Adam { learning_rate: 1e-3, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false };
    let bce = Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 };
    // With a learning-rate schedule: each step's rate is computed in place (4 steps an epoch; the rate
    // changes during the counted epochs).
    let schedule = Schedule::Piecewise { boundaries: vec![6.0, 14.0], values: vec![1e-3, 5e-4, 1e-4] };
    let metrics = vec![Metric::BinaryAccuracy { threshold: 0.5 }, Metric::MeanAbsoluteError];
    // One weighted metric: with the sample weights below, the weighted sums run every step too.
    let weighted = vec![Metric::BinaryAccuracy { threshold: 0.5 }];
    m.compile_with(bce, metrics, weighted, adam, Some(schedule)).unwrap();
    let x = data(rows, width, 1);
    let y: Vec<f32> = data(rows, 1, 2).iter().map(|v| f32::from(*v > 0.0)).collect();
    let xv = data(200, width, 3);
    let yv: Vec<f32> = data(200, 1, 4).iter().map(|v| f32::from(*v > 0.0)).collect();
    let opts = FitOptions { batch_size: 256, epochs: 6, initial_epoch: 0, shuffle: true, validation_batch_size: 64 };
    // Sample weights on the training and the validation rows.
    let (w, wv) = (data(rows, 1, 6), data(200, 1, 7));
    let (w, wv): (Vec<f32>, Vec<f32>) = (w.iter().map(|v| v.abs()).collect(), wv.iter().map(|v| v.abs()).collect());
    let train = Data { w: Some(&w), ..Data::new(&x, &y, rows) };
    let val = Some(Data { w: Some(&wv), ..Data::new(&xv, &yv, 200) });
    fit(&m, train, val, opts, &mut Watch).unwrap();
    let n = ALLOCS.load(Ordering::SeqCst);
    assert_eq!(n, 0, "{n} allocations during epochs 2..=4 of fit");

    // A thin network in many small steps (the `small` workload's shape: 16-16-1 relu, adam, mae, batch 32):
    // the direct GEMM path, the thin products, the batch prefetch and the coalesced Adam pass.
    let dense = |units, activation| LayerSpec::Dense { units, activation, use_bias: true, rules: Default::default() };
    let small =
        Model::new(8, vec![dense(16, Activation::Relu), dense(16, Activation::Relu), dense(1, Activation::Linear)], 3)
            .unwrap();
    small.compile(Loss::MeanAbsoluteError, Vec::new(), adam).unwrap();
    let (xs, ys) = (data(rows, 8, 8), data(rows, 1, 9));
    let opts = FitOptions { batch_size: 32, epochs: 6, initial_epoch: 0, shuffle: true, validation_batch_size: 32 };
    fit(&small, Data::new(&xs, &ys, rows), None, opts, &mut Watch).unwrap();
    let n = ALLOCS.load(Ordering::SeqCst);
    assert_eq!(n, 0, "{n} allocations during epochs 2..=4 of a batch-32 fit of a small network");

    // A schedule written in Python: each step's rate is read from the table Python filled beforehand.
    let table = RateTable::new("Warmup");
    table.restart(0);
    table.extend(&(0..1000).map(|s| 1e-3 / (1.0 + s as f32 / 50.0)).collect::<Vec<_>>());
    small.compile_with(Loss::MeanAbsoluteError, Vec::new(), Vec::new(), adam, Some(Schedule::Table(table))).unwrap();
    fit(&small, Data::new(&xs, &ys, rows), None, opts, &mut Watch).unwrap();
    let n = ALLOCS.load(Ordering::SeqCst);
    assert_eq!(n, 0, "{n} allocations during epochs 2..=4 of a fit with a rate table");

    // Predictions small enough for the calling thread allocate nothing at all. Larger ones hand work to the
    // pool through rayon's shared queue, which allocates one small block per few dozen hand-offs.
    for n in [1usize, 7, 64, 3000] {
        let xs = data(n, width, 5);
        let mut out = vec![0.0; n];
        m.predict(&xs, n, &mut out).unwrap();
        ALLOCS.store(0, Ordering::SeqCst);
        COUNTING.store(true, Ordering::SeqCst);
        for _ in 0..20 {
            m.predict(&xs, n, &mut out).unwrap();
        }
        COUNTING.store(false, Ordering::SeqCst);
        let a = ALLOCS.load(Ordering::SeqCst);
        let params = m.read().unwrap().net.params.len();
        let allowed = if n * params < keras_lite::model::PARALLEL_PREDICT_MACS { 0 } else { 1 };
        assert!(a <= allowed, "{a} allocations in 20 predicts of {n} rows (allowed {allowed})");
    }
    multiclass_fit_does_not_allocate();
    streamed_fit_does_not_allocate();
}

/// The multiclass workload's shape (bench/run.py): relu layers wide enough for the team's column split,
/// inputs wide enough for the split batch gather, softmax
/// with sparse categorical crossentropy, Adam. (Called from the test above: the counter is process-wide.)
fn multiclass_fit_does_not_allocate() {
    let (rows, width, classes) = (600, 300, 10);
    let relu =
        |units| LayerSpec::Dense { units, activation: Activation::Relu, use_bias: true, rules: Default::default() };
    let out =
        LayerSpec::Dense { units: classes, activation: Activation::Softmax, use_bias: true, rules: Default::default() };
    let m = Model::new(width, vec![relu(256), relu(128), out], 3).unwrap();
    let adam = OptimizerKind::Adam { learning_rate: 1e-3, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false };
    let loss = Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: None };
    m.compile(loss, vec![Metric::SparseCategoricalAccuracy], adam).unwrap();
    let x = data(rows, width, 8);
    let y: Vec<f32> = data(rows, 1, 9).iter().map(|v| ((v + 1.0) * 4.99).floor()).collect();
    let opts = FitOptions { batch_size: 128, epochs: 6, initial_epoch: 0, shuffle: true, validation_batch_size: 128 };
    fit(&m, Data::new(&x, &y, rows), None, opts, &mut Watch).unwrap();
    let n = ALLOCS.load(Ordering::SeqCst);
    assert_eq!(n, 0, "{n} allocations during epochs 2..=4 of the multiclass fit");
}

/// The stream workload's way: a producer thread puts 256-row batches into the bounded queue (filling the
/// batches the trainer hands back, as the Python producer does), with a validation feed too; the counter
/// sees both threads.
fn streamed_fit_does_not_allocate() {
    let (rows, width, batch, epochs) = (1024, 32, 256, 6);
    let relu =
        |units| LayerSpec::Dense { units, activation: Activation::Relu, use_bias: true, rules: Default::default() };
    let out = LayerSpec::Dense { units: 1, activation: Activation::Linear, use_bias: true, rules: Default::default() };
    let m = Model::new(width, vec![relu(256), relu(256), out], 3).unwrap();
    let adam = OptimizerKind::Adam { learning_rate: 1e-3, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false };
    m.compile(Loss::MeanAbsoluteError, Vec::new(), adam).unwrap();
    let (x, y) = (data(rows, width, 10), data(rows, 1, 11));
    let (mut train, train_tx) = {
        let (tx, rx) = feed(4);
        (rx, tx)
    };
    let (mut val, val_tx) = {
        let (tx, rx) = feed(2);
        (rx, tx)
    };
    // One pass of `pass_rows` rows, in `batch`-row batches, then the pass's end.
    let send_pass = |tx: &FeedSender, pass_rows: usize| {
        for r0 in (0..pass_rows).step_by(batch) {
            let r1 = (r0 + batch).min(pass_rows);
            let d = Data::new(&x[r0 * width..r1 * width], &y[r0..r1], r1 - r0);
            let mut b = tx.batch_for(d);
            b.fill(d);
            assert!(tx.send(Item::Batch(b)));
        }
        assert!(tx.send(Item::End));
    };
    let opts = FitOptions { batch_size: batch, epochs, initial_epoch: 0, shuffle: false, validation_batch_size: batch };
    std::thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..epochs {
                send_pass(&train_tx, rows);
            }
        });
        s.spawn(|| {
            for _ in 0..epochs {
                send_pass(&val_tx, rows / 2);
            }
        });
        fit_input(&m, Input::Feeds(&mut train, Some(&mut val)), opts, &mut Watch).unwrap();
    });
    let n = ALLOCS.load(Ordering::SeqCst);
    assert_eq!(n, 0, "{n} allocations during epochs 2..=4 of a streamed fit");
}
