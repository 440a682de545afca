//! The one place core errors become Python exceptions, panics are stopped at the boundary, and long calls
//! run with the GIL released while the calling thread keeps answering Ctrl-C.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::error::Error;

impl From<Error> for PyErr {
    /// The exception a Keras user already catches.
    fn from(err: Error) -> PyErr {
        match err {
            Error::Value(m) => PyValueError::new_err(m),
            Error::State(m) | Error::Backend(m) => PyRuntimeError::new_err(m),
            Error::Interrupted => PyKeyboardInterrupt::new_err("interrupted"),
            Error::Memory(m) => PyMemoryError::new_err(m),
        }
    }
}

/// Run `f` without the GIL; a core error becomes its exception and a panic becomes a `RuntimeError`
/// (never a `PanicException`, which `except Exception` does not catch).
pub fn detached<T: Send>(py: Python<'_>, f: impl FnOnce() -> crate::error::Result<T> + Send) -> PyResult<T> {
    let out = py.detach(|| catch_unwind(AssertUnwindSafe(f)));
    flatten(out)
}

/// Run `f` with the GIL held, with the same error and panic mapping as `detached`.
pub fn guarded<T>(f: impl FnOnce() -> crate::error::Result<T>) -> PyResult<T> {
    flatten(catch_unwind(AssertUnwindSafe(f)))
}

fn flatten<T>(out: std::thread::Result<crate::error::Result<T>>) -> PyResult<T> {
    match out {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.into()),
        Err(panic) => Err(internal(&*panic)),
    }
}

fn internal(panic: &(dyn std::any::Any + Send)) -> PyErr {
    let msg = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".into());
    PyRuntimeError::new_err(format!("keras_lite internal error (please report): {msg}"))
}

/// How often a thread waiting on `interruptible` work checks for Ctrl-C.
const SIGNAL_POLL: Duration = Duration::from_millis(10);

/// Run `work` on a new thread with the GIL released, while this thread checks for Ctrl-C every
/// `SIGNAL_POLL`. On Ctrl-C, or once a call this one is nested in (`crate::lineage`) is cancelled, `work`'s
/// `cancel` flag is set, which it polls at its next step or chunk; once it has returned, the
/// `KeyboardInterrupt` is raised. Only the main thread receives signals: a call made from a callback, on
/// another thread, learns of a Ctrl-C through its lineage, and a call on an unrelated thread goes on. `work`
/// may take the GIL itself (the fit loop's callbacks do).
pub fn interruptible<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&AtomicBool) -> crate::error::Result<T> + Send,
) -> PyResult<T> {
    let cancel = Arc::new(AtomicBool::new(false));
    let outer = crate::lineage::current();
    let mut lineage = outer.clone();
    lineage.push(cancel.clone());
    let loops = crate::trainer::loops_here();
    let mut interrupt: Option<PyErr> = None;
    let outcome = py.detach(|| {
        let (done_tx, done_rx) = mpsc::channel::<()>();
        std::thread::scope(|s| {
            let flag = &*cancel;
            let worker = s.spawn(move || {
                crate::trainer::inherit_loops(loops);
                let r = crate::lineage::within(lineage, || catch_unwind(AssertUnwindSafe(|| work(flag))));
                let _ = done_tx.send(());
                r
            });
            while let Err(mpsc::RecvTimeoutError::Timeout) = done_rx.recv_timeout(SIGNAL_POLL) {
                if flag.load(Ordering::Relaxed) {
                    continue;
                }
                if let Err(e) = Python::attach(|py| py.check_signals()) {
                    interrupt = Some(e);
                    flag.store(true, Ordering::Relaxed);
                } else if crate::lineage::cancelled(&outer) {
                    flag.store(true, Ordering::Relaxed);
                }
            }
            worker.join()
        })
    });
    if let Some(e) = interrupt {
        return Err(e);
    }
    match outcome {
        Ok(r) => flatten(r),
        Err(panic) => Err(internal(&*panic)),
    }
}
