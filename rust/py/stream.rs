//! `_core.BatchQueue`, the bounded queue through which a Python thread streams batches to the core, and the
//! streamed forms of `fit` and `evaluate` that read it.

use std::sync::Mutex;

use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::backend::FitOptions;
use crate::hooks::EvalHooks;
use crate::stream::{feed, Feed, FeedSender, Input, Item};

use super::convert;
use super::errors::interruptible;
use super::model::Model;
use super::observer::{PyObserver, Relay};

/// A queue of at most `capacity` batches. The producer calls `put` (which waits, without the GIL, while the
/// queue is full), `end` after each pass and `fail` when its source raised; `put` returns False once the
/// consumer has stopped, and the producer then stops too.
#[pyclass(frozen, module = "keras_lite._core")]
pub struct BatchQueue {
    tx: FeedSender,
    rx: Mutex<Option<Feed>>,
}

impl BatchQueue {
    /// The consumer's end, which one fit or evaluation takes.
    fn take(&self) -> PyResult<Feed> {
        let taken = self.rx.lock().ok().and_then(|mut r| r.take());
        taken.ok_or_else(|| PyRuntimeError::new_err("this BatchQueue was already consumed"))
    }

    fn send(&self, py: Python<'_>, item: Item) -> bool {
        let tx = &self.tx;
        py.detach(|| tx.send(item))
    }
}

#[pymethods]
impl BatchQueue {
    #[new]
    fn new(capacity: usize) -> Self {
        let (tx, rx) = feed(capacity);
        BatchQueue { tx, rx: Mutex::new(Some(rx)) }
    }

    /// Copy a batch into the queue (`x` and `y` C-contiguous float32 matrices with as many rows, `w` a weight
    /// per row). False once the consumer is gone.
    #[pyo3(signature = (x, y, sample_weight=None))]
    fn put(
        &self,
        py: Python<'_>,
        x: PyReadonlyArray2<'_, f32>,
        y: PyReadonlyArray2<'_, f32>,
        sample_weight: Option<PyReadonlyArray1<'_, f32>>,
    ) -> PyResult<bool> {
        let d = convert::data(&x, &y, sample_weight.as_ref(), "x", "y")?;
        let mut batch = self.tx.batch_for(d);
        batch.fill(d);
        Ok(self.send(py, Item::Batch(batch)))
    }

    /// Mark the end of a pass (an epoch, a validation or an evaluation). False once the consumer is gone.
    fn end(&self, py: Python<'_>) -> bool {
        self.send(py, Item::End)
    }

    /// Tell the consumer that the source raised (the caller raises the exception itself).
    fn fail(&self, py: Python<'_>) -> bool {
        self.send(py, Item::Failed)
    }

    /// Stop the queue: every later `put` returns False, and a consumer that has not started finds it empty.
    fn close(&self) {
        self.tx.close();
        if let Ok(mut r) = self.rx.lock() {
            r.take();
        }
    }
}

/// Train `model` on the batches of `queue`, validating on those of `val_queue` (see `trainer::fit_input`).
/// `batch_size` is the rows a batch is expected to have (buffers grow for larger ones).
#[pyfunction]
#[pyo3(signature = (model, queue, val_queue, batch_size, epochs, initial_epoch, observer, batch_interval))]
#[allow(clippy::too_many_arguments)]
pub fn fit_stream(
    py: Python<'_>,
    model: &Model,
    queue: &BatchQueue,
    val_queue: Option<&BatchQueue>,
    batch_size: usize,
    epochs: usize,
    initial_epoch: usize,
    observer: Py<PyAny>,
    batch_interval: f64,
) -> PyResult<usize> {
    let model = &model.model;
    crate::trainer::check_not_nested(model)?;
    let mut train = queue.take()?;
    let mut val = val_queue.map(BatchQueue::take).transpose()?;
    let opts = FitOptions { batch_size, epochs, initial_epoch, shuffle: false, validation_batch_size: batch_size };
    let mut callback_error: Option<PyErr> = None;
    let outcome = interruptible(py, |cancel| {
        let mut obs = PyObserver::new(observer, batch_interval, cancel);
        let r = crate::trainer::fit_input(model, Input::Feeds(&mut train, val.as_mut()), opts, &mut obs);
        callback_error = obs.error.take();
        r
    });
    match callback_error {
        Some(e) => Err(e),
        None => outcome,
    }
}

/// `[loss, metric...]` over the batches of `queue` in inference mode, calling `observer`'s test-batch hooks
/// around each batch when given.
#[pyfunction]
#[pyo3(signature = (model, queue, observer=None))]
pub fn evaluate_stream(
    py: Python<'_>,
    model: &Model,
    queue: &BatchQueue,
    observer: Option<Py<PyAny>>,
) -> PyResult<Vec<f64>> {
    let model = &model.model;
    let mut feed = queue.take()?;
    let mut relay = observer.map(Relay::new);
    let out = interruptible(py, |cancel| {
        let mut hook = |b: usize, running: Option<&[f64]>| match relay.as_mut() {
            Some(r) => r.test_batch(b, running),
            None => Ok(crate::backend::Control::Continue),
        };
        crate::stream::evaluate_feed(model, &mut feed, &mut EvalHooks { cancel, batch: Some(&mut hook) })
    });
    match relay {
        Some(r) => r.result(out),
        None => out,
    }
}
