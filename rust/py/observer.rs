//! The training loop's observer on the Python side: epoch and validation events always, batch-end events
//! throttled, batch-begin and validation-batch events when a callback defines them, and Ctrl-C noticed
//! between batches.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use numpy::PyArrayMethods;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::backend::{Control, Observer};
use crate::error::{Error, Result};

/// Forwards the loop's events to a Python object with `on_epoch_begin(epoch)`, `on_batch_begin(epoch,
/// step)`, `on_batch_end(epoch, step, logs)`, `on_epoch_end(epoch, logs, val_logs)` (each returning True to
/// stop), `on_test_begin()` and `on_test_batch_end(step, logs)` (returning True to end the validation pass:
/// after its first batch, after this one), `on_test_batch_begin(step)` and `on_test_end(logs)`; its attributes
/// `wants_batch_begin` and `wants_test_batches` say whether the per-batch ones that are optional are wanted.
/// `on_batch_end` is called for an epoch's first batch and then at most every `batch_interval` seconds (0
/// means every batch). The loop runs on a pool thread; the thread that
/// called `fit` watches for Ctrl-C and raises `cancel`, which ends the loop at the next batch. (A quick fit's
/// loop runs on the calling thread, with a `cancel` never raised: see `fit`.)
pub struct PyObserver<'a> {
    target: Py<PyAny>,
    batch_interval: Duration,
    last_batch: Instant,
    cancel: &'a AtomicBool,
    batch_begin: bool,
    test_batches: bool,
    /// Keras's `validation_freq`: validate every this many epochs, or (when given) after these epochs only.
    val_every: usize,
    val_epochs: Option<Vec<usize>>,
    /// The Python exception that aborted training, re-raised once the loop has unwound.
    pub error: Option<PyErr>,
}

/// A batch interval this long means "never" (Python passes 1e9 s when no callback reads batch ends).
const NEVER: Duration = Duration::from_secs(1_000_000_000);

impl<'a> PyObserver<'a> {
    /// Wrap `target`.
    pub fn new(target: Py<PyAny>, batch_interval: f64, cancel: &'a AtomicBool) -> Self {
        let flag = |name: &str| {
            Python::attach(|py| target.bind(py).getattr(name).and_then(|v| v.is_truthy()).unwrap_or(false))
        };
        let (batch_begin, test_batches) = (flag("wants_batch_begin"), flag("wants_test_batches"));
        // The target's `validation_freq`: an int, or a list of 1-based epochs; absent means every epoch.
        let (val_every, val_epochs) = Python::attach(|py| {
            let f = target.bind(py).getattr("validation_freq").ok();
            let every = f.as_ref().and_then(|f| f.extract::<usize>().ok());
            (every.unwrap_or(1).max(1), if every.is_some() { None } else { f.and_then(|f| f.extract().ok()) })
        });
        let interval = if batch_interval.is_finite() { batch_interval.clamp(0.0, 1e9) } else { 1e9 };
        PyObserver {
            target,
            batch_interval: Duration::from_secs_f64(interval),
            last_batch: Instant::now(),
            cancel,
            batch_begin,
            test_batches,
            val_every,
            val_epochs,
            error: None,
        }
    }

    fn check_cancel(&self) -> Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }

    /// Call a hook whose result does not matter.
    fn notify(
        &mut self,
        f: impl for<'py> FnOnce(Python<'py>, &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
    ) -> Result<()> {
        self.check_cancel()?;
        // Python runs in the thread's own floating-point mode, not the training loop's (fpmode.rs).
        crate::fpmode::outside(|| {
            Python::attach(|py| match f(py, self.target.bind(py)) {
                Ok(_) => Ok(()),
                Err(e) => {
                    self.error = Some(e);
                    Err(Error::Interrupted)
                }
            })
        })
    }

    fn call(
        &mut self,
        f: impl for<'py> FnOnce(Python<'py>, &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
    ) -> Result<Control> {
        // As in `notify`.
        crate::fpmode::outside(|| {
            Python::attach(|py| match f(py, self.target.bind(py)).and_then(|v| v.is_truthy()) {
                Ok(true) => Ok(Control::Stop),
                Ok(false) => Ok(Control::Continue),
                Err(e) => {
                    self.error = Some(e);
                    Err(Error::Interrupted)
                }
            })
        })
    }
}

impl Observer for PyObserver<'_> {
    fn epoch_begin(&mut self, epoch: usize) -> Result<Control> {
        self.check_cancel()?;
        self.call(|_, t| t.call_method1("on_epoch_begin", (epoch,)))
    }

    fn cancel_flag(&self) -> Option<&AtomicBool> {
        Some(self.cancel)
    }

    fn validation_due(&self, epoch: usize) -> bool {
        match &self.val_epochs {
            Some(list) => list.contains(&(epoch + 1)),
            None => (epoch + 1).is_multiple_of(self.val_every),
        }
    }

    fn wants_batch_begin(&self) -> bool {
        self.batch_begin
    }

    fn host_at_batches(&self) -> bool {
        // A callback with a batch hook (Python then asks for every batch end); the progress bar reads only logs.
        self.batch_interval.is_zero()
    }

    fn batch_begin(&mut self, epoch: usize, step: usize) -> Result<Control> {
        self.check_cancel()?;
        self.call(|_, t| t.call_method1("on_batch_begin", (epoch, step)))
    }

    fn test_begin(&mut self) -> Result<Control> {
        self.check_cancel()?;
        self.call(|_, t| t.call_method0("on_test_begin"))
    }

    fn wants_test_batches(&self) -> bool {
        self.test_batches
    }

    fn test_batch(&mut self, step: usize, running: Option<&[f64]>) -> Result<Control> {
        match running {
            None => self.notify(|_, t| t.call_method1("on_test_batch_begin", (step,))).map(|()| Control::Continue),
            Some(v) => {
                self.check_cancel()?;
                self.call(|py, t| t.call_method1("on_test_batch_end", (step, PyList::new(py, v)?)))
            }
        }
    }

    fn test_end(&mut self, logs: &[f64]) -> Result<()> {
        self.notify(|py, t| t.call_method1("on_test_end", (PyList::new(py, logs)?,)))
    }

    fn batch_end(&mut self, epoch: usize, step: usize, running: &[f64]) -> Result<Control> {
        self.check_cancel()?;
        if self.batch_interval >= NEVER {
            // Nothing wants batch ends (no callback, no progress bar): not even the clock is read.
            return Ok(Control::Continue);
        }
        let now = Instant::now();
        // An epoch's first batch always: Keras's progress bar draws it, whatever the interval.
        if step == 0 || now.duration_since(self.last_batch) >= self.batch_interval {
            self.last_batch = now;
            return self.call(|py, t| t.call_method1("on_batch_end", (epoch, step, PyList::new(py, running)?)));
        }
        Ok(Control::Continue)
    }

    fn epoch_end(&mut self, epoch: usize, train: &[f64], val: Option<&[f64]>) -> Result<Control> {
        self.check_cancel()?;
        self.call(|py, t| {
            let val = match val {
                Some(v) => PyList::new(py, v)?.into_any(),
                None => py.None().into_bound(py),
            };
            t.call_method1("on_epoch_end", (epoch, PyList::new(py, train)?, val))
        })
    }
}

/// Relays the batch hooks of `evaluate` and `predict` to a Python object (`on_test_batch_begin(step)`,
/// `on_test_batch_end(step, logs)`, `on_predict_batch_begin(step)`, `on_predict_batch_end(step, outputs)`).
/// The first exception a hook raises stops the pass and is raised once it has unwound (`result`).
pub struct Relay {
    target: Py<PyAny>,
    error: Option<PyErr>,
}

impl Relay {
    /// Relay to `target`.
    pub fn new(target: Py<PyAny>) -> Self {
        Relay { target, error: None }
    }

    fn call(
        &mut self,
        f: impl for<'py> FnOnce(Python<'py>, &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
    ) -> Result<()> {
        Python::attach(|py| match f(py, self.target.bind(py)) {
            Ok(_) => Ok(()),
            Err(e) => {
                self.error = Some(e);
                Err(Error::Interrupted)
            }
        })
    }

    /// Before (`running` is `None`) or after an evaluation batch. (The pass goes on: an `evaluate` a callback
    /// stops ends with the exception its observer raises.)
    pub fn test_batch(&mut self, step: usize, running: Option<&[f64]>) -> Result<Control> {
        match running {
            None => self.call(|_, t| t.call_method1("on_test_batch_begin", (step,))),
            Some(v) => self.call(|py, t| t.call_method1("on_test_batch_end", (step, PyList::new(py, v)?))),
        }
        .map(|()| Control::Continue)
    }

    /// Before (`outputs` is `None`) or after a prediction batch, whose outputs have `width` columns.
    pub fn predict_batch(&mut self, step: usize, outputs: Option<&[f32]>, width: usize) -> Result<()> {
        match outputs {
            None => self.call(|_, t| t.call_method1("on_predict_batch_begin", (step,))),
            Some(v) => self.call(|py, t| {
                let a = numpy::PyArray1::from_slice(py, v).reshape([v.len() / width.max(1), width])?;
                t.call_method1("on_predict_batch_end", (step, a))
            }),
        }
    }

    /// The call's result, with a hook's exception in place of the error it caused.
    pub fn result<T>(self, out: PyResult<T>) -> PyResult<T> {
        match self.error {
            Some(e) => Err(e),
            None => out,
        }
    }
}

/// Train `model` (see `trainer::fit`), turning the loop's events into calls of `observer` (Python's
/// callbacks). The loop runs on a thread of the training pool; this thread (usually Python's main thread,
/// the only one that sees Ctrl-C) waits for it without the GIL, answering Ctrl-C. A quick fit
/// (`trainer::is_quick`: a `train_on_batch`, a few small batches) runs here instead, the GIL released
/// around its steps. Returns the epochs run.
pub(super) fn fit(
    py: Python<'_>,
    model: &crate::model::Model,
    (train, val): (crate::backend::Data<'_>, Option<crate::backend::Data<'_>>),
    opts: crate::backend::FitOptions,
    observer: Py<PyAny>,
    batch_interval: f64,
) -> PyResult<usize> {
    crate::trainer::check_not_nested(model)?;
    let mut callback_error: Option<PyErr> = None;
    let quick = crate::trainer::is_quick(model, train, val, opts);
    let train_with = if quick { crate::trainer::fit_here } else { crate::trainer::fit };
    let run = |cancel: &AtomicBool| {
        let mut obs = PyObserver::new(observer, batch_interval, cancel);
        let r = train_with(model, train, val, opts, &mut obs);
        callback_error = obs.error.take();
        r
    };
    let outcome = if quick {
        // Too short to need watching: a Ctrl-C is raised as it returns (or in one of its callbacks, which
        // run here).
        super::errors::detached(py, || run(&crate::backend::NEVER))
    } else {
        super::errors::interruptible(py, run)
    };
    // A callback's exception is what stopped the loop: raise it rather than the loop's error.
    match callback_error {
        Some(e) => Err(e),
        None => outcome,
    }
}
