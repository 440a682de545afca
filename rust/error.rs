//! The one error type of the core. The bindings map each variant to a Python exception class.

use std::fmt;

/// Why a core operation failed. Messages name the argument, what was received and what was expected.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A bad argument value (Python `ValueError`).
    Value(String),
    /// A bad argument type (Python `TypeError`).
    Type(String),
    /// The object is in the wrong state for the call, e.g. fit before compile (Python `RuntimeError`).
    State(String),
    /// Training was interrupted by the user (Python `KeyboardInterrupt`).
    Interrupted,
    /// A backend could not do what was asked (Python `RuntimeError`).
    Backend(String),
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
            Error::Value(m) | Error::Type(m) | Error::State(m) | Error::Backend(m) => f.write_str(m),
            Error::Interrupted => f.write_str("training interrupted"),
        }
    }
}

impl std::error::Error for Error {}
