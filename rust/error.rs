//! The one error type of the core. The bindings map each variant to a Python exception class.

use std::fmt;

/// Why a core operation failed. Messages name the argument, what was received and what was expected.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A bad argument value (Python `ValueError`).
    Value(String),
    /// The object is in the wrong state for the call, e.g. fit before compile (Python `RuntimeError`).
    State(String),
    /// Training was interrupted by the user (Python `KeyboardInterrupt`).
    Interrupted,
    /// A backend could not do what was asked (Python `RuntimeError`).
    Backend(String),
    /// Memory for the request could not be had (Python `MemoryError`).
    Memory(String),
}

/// Shorthand for results of core operations.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A `ValueError`-class error with the given message.
    pub fn value(msg: impl Into<String>) -> Self {
        Error::Value(msg.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Value(m) | Error::State(m) | Error::Backend(m) | Error::Memory(m) => f.write_str(m),
            Error::Interrupted => f.write_str("training interrupted"),
        }
    }
}

impl std::error::Error for Error {}

/// Grow `v` to `len` values (new ones set to `fill`), or fail with `Error::Memory` naming `what`, instead of
/// aborting the process as a failed `Vec` allocation would.
pub fn try_resize(v: &mut Vec<f32>, len: usize, fill: f32, what: &str) -> Result<()> {
    if len > v.len() {
        v.try_reserve_exact(len - v.len()).map_err(|_| out_of_memory(what, len))?;
    }
    v.resize(len, fill);
    Ok(())
}

/// The `Error::Memory` for `what`, a buffer of `len` float32 values that could not be allocated.
pub(crate) fn out_of_memory(what: &str, len: usize) -> Error {
    Error::Memory(format!(
        "cannot allocate {what}: {len} float32 values ({:.1} GiB)",
        len as f64 * 4.0 / (1u64 << 30) as f64
    ))
}

/// A vector of `len` zeros, or `Error::Memory`.
pub fn try_zeros(len: usize, what: &str) -> Result<Vec<f32>> {
    let mut v = Vec::new();
    try_resize(&mut v, len, 0.0, what)?;
    Ok(v)
}

/// `a * b`, or a `ValueError` saying that `what` is too large.
pub fn checked_size(a: usize, b: usize, what: &str) -> Result<usize> {
    a.checked_mul(b).ok_or_else(|| Error::value(format!("{what} is too large: {a} x {b} values overflow")))
}
