//! The training loop's observer on the Python side: epoch events always, batch events throttled, and
//! Ctrl-C noticed between batches.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::error::{Error, Result};
use crate::trainer::{Control, Observer};

/// Forwards the loop's events to a Python object with `on_epoch_begin(epoch)`,
/// `on_batch_end(epoch, step, logs)`, `on_epoch_end(epoch, logs, val_logs)` (each returning True to stop),
/// calling `on_batch_end` at most every `batch_interval` seconds (0 means every batch). The loop runs on a
/// pool thread; the thread that called `fit` watches for Ctrl-C and raises `cancel`, which ends the loop at
/// the next batch.
pub struct PyObserver<'a> {
    target: Py<PyAny>,
    batch_interval: Duration,
    last_batch: Instant,
    cancel: &'a AtomicBool,
    /// The Python exception that aborted training, re-raised once the loop has unwound.
    pub error: Option<PyErr>,
}

impl<'a> PyObserver<'a> {
    /// Wrap `target`.
    pub fn new(target: Py<PyAny>, batch_interval: f64, cancel: &'a AtomicBool) -> Self {
        PyObserver {
            target,
            batch_interval: Duration::from_secs_f64(batch_interval.max(0.0)),
            last_batch: Instant::now(),
            cancel,
            error: None,
        }
    }

    fn cancelled(&self) -> Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }

    fn call(
        &mut self,
        f: impl for<'py> FnOnce(Python<'py>, &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
    ) -> Result<Control> {
        Python::attach(|py| {
            let r = f(py, self.target.bind(py)).and_then(|v| v.is_truthy());
            match r {
                Ok(true) => Ok(Control::Stop),
                Ok(false) => Ok(Control::Continue),
                Err(e) => {
                    self.error = Some(e);
                    Err(Error::Interrupted)
                }
            }
        })
    }
}

impl Observer for PyObserver<'_> {
    fn epoch_begin(&mut self, epoch: usize) -> Result<Control> {
        self.cancelled()?;
        self.call(|_, t| t.call_method1("on_epoch_begin", (epoch,)))
    }

    fn batch_end(&mut self, epoch: usize, step: usize, running: &[f64]) -> Result<Control> {
        self.cancelled()?;
        let now = Instant::now();
        if now.duration_since(self.last_batch) >= self.batch_interval {
            self.last_batch = now;
            return self.call(|py, t| t.call_method1("on_batch_end", (epoch, step, PyList::new(py, running)?)));
        }
        Ok(Control::Continue)
    }

    fn epoch_end(&mut self, epoch: usize, train: &[f64], val: Option<&[f64]>) -> Result<Control> {
        self.cancelled()?;
        self.call(|py, t| {
            let val = match val {
                Some(v) => PyList::new(py, v)?.into_any(),
                None => py.None().into_bound(py),
            };
            t.call_method1("on_epoch_end", (epoch, PyList::new(py, train)?, val))
        })
    }
}
