//! The contract below both backends: the data a fit borrows, its options, the observer that turns the
//! loop's events into callbacks, the compiled configuration, the host changes a device copy must take, and
//! the input checks. The trainer, the model and each backend import this; it imports none of them.

use std::sync::atomic::AtomicBool;

use crate::error::{Error, Result};
use crate::loss::Loss;
use crate::metric::Metric;
use crate::network::Network;
use crate::optimizer::Optimizer;

/// What the observer tells the loop after each event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Keep training.
    Continue,
    /// Finish this epoch's bookkeeping and stop (Keras's `model.stop_training = True`).
    Stop,
}

/// Receives the loop's events, at every point Keras has a callback hook. Each returns `Err` to abort training
/// (the error is passed through). The loop holds no lock of the model while it calls one.
pub trait Observer {
    /// Before epoch `epoch`'s first batch; `Stop` ends training after that batch, as in Keras.
    fn epoch_begin(&mut self, epoch: usize) -> Result<Control>;
    /// Whether `batch_begin` is wanted (it is called before every batch, so a host call costs there).
    fn wants_batch_begin(&self) -> bool {
        false
    }
    /// Whether batch hooks may read the model: `Session::sync_batch` then runs before each `batch_end`.
    fn host_at_batches(&self) -> bool {
        false
    }
    /// Before each batch, when `wants_batch_begin`; `Stop` ends training after this batch, as in Keras.
    fn batch_begin(&mut self, _epoch: usize, _step: usize) -> Result<Control> {
        Ok(Control::Continue)
    }
    /// After each batch, with the running means so far this epoch (`[loss, metric...]`). Called every
    /// batch; an observer that calls into a slow host throttles itself.
    fn batch_end(&mut self, epoch: usize, step: usize, running: &[f64]) -> Result<Control>;
    /// Before the validation pass. `Stop` (Keras's `stop_evaluating`, set by a callback's `on_test_begin`) ends
    /// the pass after its first batch, as Keras looks at the flag only after each batch. An observer whose
    /// `test_begin` may stop wants test batches: a device cuts its pass into batches only then.
    fn test_begin(&mut self) -> Result<Control> {
        Ok(Control::Continue)
    }
    /// Whether `test_batch` is wanted.
    fn wants_test_batches(&self) -> bool {
        false
    }
    /// Before (`running` is `None`) and after (the running means so far) each validation batch. `Stop` after a
    /// batch ends the pass there (Keras's `stop_evaluating`): its results are the means of the batches run.
    fn test_batch(&mut self, _step: usize, _running: Option<&[f64]>) -> Result<Control> {
        Ok(Control::Continue)
    }
    /// After the validation pass, with its results.
    fn test_end(&mut self, _logs: &[f64]) -> Result<()> {
        Ok(())
    }
    /// After the epoch and its validation pass.
    fn epoch_end(&mut self, epoch: usize, train: &[f64], val: Option<&[f64]>) -> Result<Control>;
    /// The caller's stop flag (Ctrl-C), if it has one: checked while waiting for another fit to end and
    /// between the batches of a validation pass.
    fn cancel_flag(&self) -> Option<&AtomicBool> {
        None
    }
    /// Whether epoch `epoch` ends with a validation pass (Keras's `validation_freq`).
    fn validation_due(&self, _epoch: usize) -> bool {
        true
    }
}

/// One backend's side of a `fit`. The trainer runs the only epoch loop and calls these in order: per epoch
/// `begin_epoch`, then per batch (after its `batch_begin` callback) `step` and (for `batch_end`) `running`;
/// `end_epoch`, `validate` between the `test_begin` and `test_end` callbacks, `to_host` before `epoch_end`
/// and `take_host_changes` after it; `finish` once after the last epoch. Callbacks may read and set the host's
/// weights between any two calls: a backend that keeps its own copy takes those changes before its next
/// step (`step` and `begin_epoch` look, as `validate` does) and makes the host current in `to_host`.
pub trait Session {
    /// Before an epoch's first step; `perm` is its order of the training rows when that changed.
    fn begin_epoch(&mut self, perm: Option<&[u32]>) -> Result<()>;
    /// Train on the epoch's batch `step`, the training rows `idx` (in the order `begin_epoch` was given).
    fn step(&mut self, step: usize, idx: &[u32]) -> Result<()>;
    /// The means `[loss, metric...]` of the epoch's steps so far, as far as known (a device's may lag).
    fn running(&mut self) -> Result<&[f64]>;
    /// After the epoch's last step, or a stop: the means of the steps run.
    fn end_epoch(&mut self) -> Result<&[f64]>;
    /// The validation pass on the current weights, calling `obs.test_batch` when it wants them (see
    /// `validation_hook`; `first_only`: the pass ends after its first batch); its means.
    fn validate(&mut self, obs: &mut dyn Observer, first_only: bool) -> Result<&[f64]>;
    /// Make the host's weights and optimizer state current (callbacks are about to read them).
    fn to_host(&mut self) -> Result<()>;
    /// Before a `batch_end` that may read the model: the host's weights, optimizer state and `running` made
    /// current (a device that runs ahead waits for its steps; the CPU's are always current).
    fn sync_batch(&mut self) -> Result<()> {
        Ok(())
    }
    /// Take what callbacks changed on the host.
    fn take_host_changes(&mut self) -> Result<()>;
    /// A hint before a step: `next` are the next step's training rows (to start loading into the cache).
    fn prefetch(&mut self, _next: &[u32]) {}
    /// After the last epoch: report a failure that surfaced late.
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
    /// Train on the rows of `batch`, a streamed batch already checked, as the epoch's step `step`.
    fn step_rows(&mut self, _step: usize, _batch: Data<'_>) -> Result<()> {
        Err(Error::State("this fit was given its data in memory".into()))
    }
    /// Add the evaluation sums `[w·loss, metric..., w]` of `batch` on the current weights to `sums`.
    fn validate_rows(&mut self, _batch: Data<'_>, _sums: &mut [f64]) -> Result<()> {
        Err(Error::State("this fit was given its data in memory".into()))
    }
}

/// A data set borrowed from the caller: row-major inputs and targets, and optionally a weight per row.
#[derive(Debug, Clone, Copy)]
pub struct Data<'a> {
    /// Inputs, `rows × input_dim`.
    pub x: &'a [f32],
    /// Targets, `rows × target width` (the output width, or 1 for class ids).
    pub y: &'a [f32],
    /// Number of rows.
    pub rows: usize,
    /// Keras's `sample_weight`: one finite, non-negative weight per row, or none (every weight 1).
    pub w: Option<&'a [f32]>,
}

impl<'a> Data<'a> {
    /// Unweighted data.
    pub fn new(x: &'a [f32], y: &'a [f32], rows: usize) -> Self {
        Data { x, y, rows, w: None }
    }
}

/// Check sample weights: one per row, each finite and non-negative. `arg` names them in the error.
pub fn check_weights(w: Option<&[f32]>, rows: usize, arg: &str) -> Result<()> {
    let Some(w) = w else { return Ok(()) };
    check_matrix(w, rows, 1, arg, "sample weights")?;
    if let Some(r) = w.iter().position(|&v| v < 0.0) {
        return Err(Error::value(format!("{arg} must be non-negative. Received: {arg}[{r}]={}", w[r])));
    }
    Ok(())
}

/// How sums become Keras's means. A pass sums, per row, `[w·loss, metric..., w]`: the loss and the
/// metrics of `metrics=` are divided by the rows (Keras weights the loss per sample and averages it over
/// samples), the metrics from `weighted_from` on (`weighted_metrics=`, which see the weights) by the sum of
/// the weights. With stateful metrics (`stateful`), their states follow: `[loss, metric..., w, state...]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Averaging {
    /// Metrics from this index on are weighted.
    pub weighted_from: usize,
    /// The metrics, when one of them is more than a mean (it has a state or a final step).
    pub stateful: Option<std::sync::Arc<[Metric]>>,
}

impl Averaging {
    /// `[loss, metric...]` means from `sums` (`[loss, metric..., Σw]`) over `rows` rows, into `out`.
    pub fn means_into(&self, sums: &[f64], rows: usize, out: &mut Vec<f64>) {
        if let Some(metrics) = &self.stateful {
            return crate::metric::finish_all(metrics, self.weighted_from, sums, rows, out);
        }
        let (w, figures) = sums.split_last().map_or((0.0, sums), |(w, f)| (*w, f));
        out.clear();
        out.extend(figures.iter().enumerate().map(|(i, &s)| {
            let den = if i > self.weighted_from { w } else { rows as f64 };
            if den == 0.0 {
                0.0
            } else {
                s / den
            }
        }));
    }

    /// `means_into` into a new vector.
    pub fn means(&self, sums: &[f64], rows: usize) -> Vec<f64> {
        let mut v = Vec::new();
        self.means_into(sums, rows, &mut v);
        v
    }
}

/// `fit`'s settings.
#[derive(Debug, Clone, Copy)]
pub struct FitOptions {
    /// Rows per step; the last partial batch is kept.
    pub batch_size: usize,
    /// The epoch index to stop before (Keras's `epochs`).
    pub epochs: usize,
    /// The first epoch index.
    pub initial_epoch: usize,
    /// Draw a new permutation of the rows each epoch.
    pub shuffle: bool,
    /// Rows per validation batch.
    pub validation_batch_size: usize,
}

/// The configuration `compile()` sets.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The loss being minimized.
    pub loss: Loss,
    /// Metrics reported beside the loss.
    pub metrics: Vec<Metric>,
    /// The optimizer and its state.
    pub optimizer: Optimizer,
    /// Metrics from this index on are Keras's `weighted_metrics` (they see the sample weights).
    pub weighted_from: usize,
    /// How the loss is reduced over a batch.
    pub reduction: crate::loss::Reduction,
    /// Compile's `loss_weights` factor of the reduced loss and its gradient (not of the penalty).
    pub loss_weight: f32,
}

impl Compiled {
    /// How this configuration's sums become means.
    pub fn averaging(&self) -> Averaging {
        let stateful = (!self.metrics.iter().all(Metric::is_mean)).then(|| self.metrics.clone().into());
        Averaging { weighted_from: self.weighted_from, stateful }
    }

    /// Columns a pass sums: the loss, each metric, the weights, and the stateful metrics' states.
    pub fn sum_columns(&self) -> usize {
        2 + self.metrics.len() + self.metrics.iter().map(Metric::extra_width).sum::<usize>()
    }
}

/// A change made on the host side of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Weight `i`'s values.
    Weight(usize),
    /// Every weight's values.
    Weights,
    /// The optimizer's slots and step count.
    OptimizerState,
    /// The learning rate.
    LearningRate,
    /// Anything else (trainable flags, a new compile): the device copy is rebuilt.
    Other,
}

/// The host changes a GPU `fit` has not yet written to the device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Weights whose values changed (indices; `all_weights` covers every one).
    pub weights: Vec<usize>,
    /// Every weight changed.
    pub all_weights: bool,
    /// The optimizer's slots and step count changed.
    pub optimizer_state: bool,
    /// The learning rate changed.
    pub learning_rate: bool,
    /// Something that needs the device copy rebuilt (applied after the fit).
    pub other: bool,
}

impl Changes {
    /// Record `change`.
    pub fn add(&mut self, change: Change) {
        match change {
            Change::Weight(i) => {
                if !self.all_weights && !self.weights.contains(&i) {
                    self.weights.push(i);
                }
            }
            Change::Weights => self.all_weights = true,
            Change::OptimizerState => self.optimizer_state = true,
            Change::LearningRate => self.learning_rate = true,
            Change::Other => self.other = true,
        }
    }

    /// Whether weight `i` changed.
    pub fn weight(&self, i: usize) -> bool {
        self.all_weights || self.weights.contains(&i)
    }
}

/// Check that a row-major matrix is `rows × width` and finite; name the first bad value.
pub fn check_matrix(data: &[f32], rows: usize, width: usize, arg: &str, what: &str) -> Result<()> {
    if data.len() != rows * width {
        return Err(Error::value(format!(
            "{arg} has {} values but {rows} rows of width {width} were expected. Received: {arg} with {} values",
            data.len(),
            data.len()
        )));
    }
    if let Some(pos) = crate::finite::first_non_finite(data) {
        let (r, c) = (pos / width.max(1), pos % width.max(1));
        return Err(Error::value(format!(
            "{arg} contains a non-finite value ({}) at row {r}, column {c}; {what} must be finite. Received: {arg}[{r}, {c}]={}",
            data[pos], data[pos]
        )));
    }
    Ok(())
}

/// The error for training or evaluating before `compile`.
pub fn not_compiled() -> Error {
    Error::State("You must call `compile()` before using the model for training or evaluation.".into())
}

/// A flag that is never set, for calls that are not cancelled.
pub static NEVER: AtomicBool = AtomicBool::new(false);

/// Writes host changes to the device: `(host network, host compiled state, what changed)`.
pub type Upload<'a> = &'a mut dyn FnMut(&Network, Option<&Compiled>, &Changes) -> Result<()>;
/// Copies the device state into host structures of the same shape.
pub type Download<'a> = &'a dyn Fn(&mut Network, Option<&mut Compiled>) -> Result<()>;

/// Keeps the host copy of a model and its device copy in step while it trains on the device: callbacks read
/// and write weights on the host, and the device loop asks after every callback whether the host changed
/// (a `set_weights`, a new learning rate) and, if so, writes the change before its next step.
pub trait HostSync {
    /// Whether the host changed since the last `apply` or `download`.
    fn changed(&self) -> Result<bool>;
    /// Call `upload` with the host's changes, if any.
    fn apply(&mut self, upload: Upload<'_>) -> Result<()>;
    /// Call `download` to make the host copy current (callbacks about to read it).
    fn download(&mut self, download: Download<'_>) -> Result<()>;
}

/// A `HostSync` that keeps no host copy (the device state is downloaded once, after `fit`).
pub struct NoSync;

impl HostSync for NoSync {
    fn changed(&self) -> Result<bool> {
        Ok(false)
    }
    fn apply(&mut self, _: Upload<'_>) -> Result<()> {
        Ok(())
    }
    fn download(&mut self, _: Download<'_>) -> Result<()> {
        Ok(())
    }
}

/// One adapter a GPU backend can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterInfo {
    /// The device's name, e.g. "NVIDIA H100" or "llvmpipe (LLVM 15.0.6, 256 bits)".
    pub name: String,
    /// The graphics API: "vulkan", "metal" or "dx12".
    pub backend: String,
    /// "discrete", "integrated", "cpu" (a software rasteriser such as lavapipe), "virtual" or "other".
    pub kind: String,
}
