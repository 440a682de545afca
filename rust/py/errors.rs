//! The one place core errors become Python exceptions, and panics are stopped at the boundary.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::error::Error;

/// Map a core error to the exception a Keras user already catches.
pub fn to_py(err: Error) -> PyErr {
    match err {
        Error::Value(m) => PyValueError::new_err(m),
        Error::Type(m) => PyTypeError::new_err(m),
        Error::State(m) | Error::Backend(m) => PyRuntimeError::new_err(m),
        Error::Interrupted => PyKeyboardInterrupt::new_err("training interrupted"),
        Error::Memory(m) => PyMemoryError::new_err(m),
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
        Ok(Err(e)) => Err(to_py(e)),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            Err(PyRuntimeError::new_err(format!("keras_lite internal error (please report): {msg}")))
        }
    }
}
