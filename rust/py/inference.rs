//! `predict`, `evaluate` and their hooked forms for `_core.Model`: where the output is allocated, and whether
//! the call keeps the GIL, releases it, or runs on its own thread while the caller answers Ctrl-C.

use numpy::{IntoPyArray, PyArray2, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::backend::{Data, NEVER};
use crate::error::{checked_size, try_zeros};
use crate::hooks::EvalHooks;

use super::convert;
use super::errors::{detached, guarded, interruptible};
use super::observer::Relay;

/// A model's fixed widths and the multiply-adds of one row (for the predict fast path).
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    /// Width of a row of inputs.
    pub input_dim: usize,
    /// Width of a row of outputs.
    pub output_dim: usize,
    /// Multiply-adds per row.
    pub row_macs: usize,
}

/// Outputs above this many values are allocated on the Rust side (see `predict`).
const LARGE_OUTPUT: usize = 1 << 20;

/// Predictions below this many multiply-adds run with the GIL held: releasing and re-taking it costs more.
const DETACH_MIN_MACS: usize = 1 << 14;

/// Predictions and evaluations above this many multiply-adds (some milliseconds) run on a thread of their
/// own while the calling thread answers Ctrl-C; smaller ones end sooner than a Ctrl-C would be noticed.
const INTERRUPTIBLE_MACS: usize = 1 << 27;

/// `x`'s rows and values, or the error for a width other than the model's.
fn input<'a>(net: Shape, x: &'a PyReadonlyArray2<'_, f32>) -> PyResult<(&'a [f32], usize)> {
    let (xs, rows, cols) = convert::matrix(x, "x")?;
    check_width(net, rows, cols)?;
    Ok((xs, rows))
}

/// The error for an input whose width is not the model's.
fn check_width(net: Shape, rows: usize, cols: usize) -> PyResult<()> {
    if cols != net.input_dim {
        return Err(PyValueError::new_err(format!(
            "Input 0 of the model is incompatible: expected shape=(None, {}), found shape=({rows}, {cols})",
            net.input_dim
        )));
    }
    Ok(())
}

/// A new, uninitialised `rows × ow` array: a plain one, or of type `as_type`. The caller writes every element
/// before it is seen by other code.
fn new_output<'py>(
    py: Python<'py>,
    as_type: &Option<Bound<'py, PyType>>,
    rows: usize,
    ow: usize,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    match as_type {
        // SAFETY: a new array, not yet visible to any other code; the caller writes every element before
        // returning it (on error it is dropped unread).
        None => Ok(unsafe { PyArray2::<f32>::new(py, [rows, ow], false) }),
        Some(t) => convert::empty_matrix_of(py, t, rows, ow),
    }
}

/// `rows × cols` values allocated in Rust as a NumPy array (no copy).
fn owned_matrix(py: Python<'_>, values: Vec<f32>, rows: usize, cols: usize) -> PyResult<Bound<'_, PyArray2<f32>>> {
    let arr = numpy::ndarray::Array2::from_shape_vec((rows, cols), values)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(arr.into_pyarray(py))
}

/// `Model.predict`.
pub(super) fn predict<'py>(
    model: &crate::model::Model,
    net: Shape,
    py: Python<'py>,
    x: &Bound<'py, PyArray2<f32>>,
    as_type: Option<Bound<'py, PyType>>,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let (rows, cols) = (x.shape()[0], x.shape()[1]);
    check_width(net, rows, cols)?;
    let ow = net.output_dim;
    let len = checked_size(rows, ow, "the prediction")?;
    let macs = rows.saturating_mul(net.row_macs);
    if macs < DETACH_MIN_MACS && len <= LARGE_OUTPUT {
        // A call that keeps the GIL throughout and runs no Python code: `x` is read in place.
        // SAFETY: the GIL is held until `out` is returned, and `guarded` runs only Rust code.
        let xs = unsafe { convert::held_slice(x, "x") }?;
        let out = new_output(py, &as_type, rows, ow)?;
        // SAFETY: `out` is new: nothing else can hold a view of it yet, so this exclusive slice is unique.
        let slice = unsafe { out.as_slice_mut() }.map_err(|e| PyValueError::new_err(e.to_string()))?;
        guarded(|| model.predict(xs, rows, slice))?;
        return Ok(out);
    }
    let x = x.try_readonly()?;
    let (xs, _, _) = convert::matrix(&x, "x")?; // (its width was checked above)
    if len > LARGE_OUTPUT {
        // Large outputs are allocated in Rust, where a failure is a MemoryError rather than a panic.
        let mut values = try_zeros(len, "the predictions")?;
        if macs >= INTERRUPTIBLE_MACS {
            let out = &mut values;
            interruptible(py, |cancel| model.predict_until(xs, rows, out, cancel))?;
        } else {
            detached(py, || model.predict(xs, rows, &mut values))?;
        }
        let arr = owned_matrix(py, values, rows, ow)?;
        return match as_type {
            None => Ok(arr),
            Some(t) => Ok(arr.call_method1("view", (t,))?.cast_into::<PyArray2<f32>>()?),
        };
    }
    let out = new_output(py, &as_type, rows, ow)?;
    // SAFETY: as above: nothing else can hold a view of `out` yet, so this exclusive slice is unique.
    let slice = unsafe { out.as_slice_mut() }.map_err(|e| PyValueError::new_err(e.to_string()))?;
    if macs < INTERRUPTIBLE_MACS {
        detached(py, || model.predict(xs, rows, slice))?;
    } else {
        interruptible(py, |cancel| model.predict_until(xs, rows, slice, cancel))?;
    }
    Ok(out)
}

/// `Model.evaluate`.
pub(super) fn evaluate(
    model: &crate::model::Model,
    net: Shape,
    py: Python<'_>,
    d: Data<'_>,
    batch_size: usize,
    observer: Option<Py<PyAny>>,
) -> PyResult<Vec<f64>> {
    let Some(observer) = observer else {
        if d.rows.saturating_mul(net.row_macs) < INTERRUPTIBLE_MACS {
            return detached(py, || model.evaluate_until(d, batch_size, &mut EvalHooks::cancelled_by(&NEVER)));
        }
        return interruptible(py, |cancel| model.evaluate_until(d, batch_size, &mut EvalHooks::cancelled_by(cancel)));
    };
    let mut relay = Relay::new(observer);
    let out = interruptible(py, |cancel| {
        let mut hook = |b: usize, running: Option<&[f64]>| relay.test_batch(b, running);
        model.evaluate_until(d, batch_size, &mut EvalHooks { cancel, batch: Some(&mut hook) })
    });
    relay.result(out)
}

/// `Model.predict_batches`.
pub(super) fn predict_batches<'py>(
    model: &crate::model::Model,
    net: Shape,
    py: Python<'py>,
    x: &PyReadonlyArray2<'py, f32>,
    batch_size: usize,
    observer: Py<PyAny>,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let (xs, rows) = input(net, x)?;
    let ow = net.output_dim;
    let mut values = try_zeros(checked_size(rows, ow, "the prediction")?, "the predictions")?;
    let mut relay = Relay::new(observer);
    let out = {
        let values = &mut values;
        interruptible(py, |cancel| {
            let mut hook = |b: usize, outputs: Option<&[f32]>| relay.predict_batch(b, outputs, ow);
            model.predict_batches(xs, rows, values, batch_size, cancel, &mut hook)
        })
    };
    relay.result(out)?;
    owned_matrix(py, values, rows, ow)
}
