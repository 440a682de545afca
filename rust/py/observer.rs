//! The training loop's observer on the Python side: epoch events always, batch events throttled, and
//! Ctrl-C noticed between batches.

use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::error::{Error, Result};
use crate::trainer::{Control, Observer};

/// How often the loop looks for a pending KeyboardInterrupt even when nobody wants batch events.
const SIGNAL_INTERVAL: Duration = Duration::from_millis(20);

/// Forwards the loop's events to a Python object with `on_epoch_begin(epoch)`,
/// `on_batch_end(epoch, step, logs)`, `on_epoch_end(epoch, logs, val_logs)` (each returning True to stop)
/// and a `batch_interval` attribute in seconds (0 means every batch).
pub struct PyObserver {
    target: Py<PyAny>,
    batch_interval: Duration,
    last_batch: Instant,
    last_signal: Instant,
    /// The Python exception that aborted training, re-raised once the loop has unwound.
    pub error: Option<PyErr>,
}

impl PyObserver {
    /// Wrap `target`.
    pub fn new(target: Py<PyAny>, batch_interval: f64) -> Self {
        let now = Instant::now();
        PyObserver {
            target,
            batch_interval: Duration::from_secs_f64(batch_interval.max(0.0)),
            last_batch: now,
            last_signal: now,
            error: None,
        }
    }

    fn call(
        &mut self,
        f: impl for<'py> FnOnce(Python<'py>, &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
    ) -> Result<Control> {
        Python::attach(|py| {
            let r = py.check_signals().and_then(|_| f(py, self.target.bind(py))).and_then(|v| v.is_truthy());
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

impl Observer for PyObserver {
    fn epoch_begin(&mut self, epoch: usize) -> Result<Control> {
        self.call(|_, t| t.call_method1("on_epoch_begin", (epoch,)))
    }

    fn batch_end(&mut self, epoch: usize, step: usize, running: &[f64]) -> Result<Control> {
        let now = Instant::now();
        if now.duration_since(self.last_batch) >= self.batch_interval {
            self.last_batch = now;
            self.last_signal = now;
            return self.call(|py, t| t.call_method1("on_batch_end", (epoch, step, PyList::new(py, running)?)));
        }
        if now.duration_since(self.last_signal) >= SIGNAL_INTERVAL {
            self.last_signal = now;
            return self.call(|py, _| {
                py.check_signals()?;
                Ok(pyo3::types::PyBool::new(py, false).to_owned().into_any())
            });
        }
        Ok(Control::Continue)
    }

    fn epoch_end(&mut self, epoch: usize, train: &[f64], val: Option<&[f64]>) -> Result<Control> {
        self.call(|py, t| {
            let val = match val {
                Some(v) => PyList::new(py, v)?.into_any(),
                None => py.None().into_bound(py),
            };
            t.call_method1("on_epoch_end", (epoch, PyList::new(py, train)?, val))
        })
    }
}
