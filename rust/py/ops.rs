//! Stand-alone ops for Python's functional API: activations applied to arrays, per-sample losses.

use numpy::{
    IntoPyArray, PyArray1, PyArrayDyn, PyArrayMethods, PyReadonlyArray2, PyReadonlyArrayDyn, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::activation::{Activation, NAMES};

use super::convert;
use super::errors::detached;
use super::loss::LossArg;

/// The activation names the core knows.
#[pyfunction]
pub fn activation_names() -> Vec<&'static str> {
    NAMES.to_vec()
}

/// `f(x)` for an activation by name and parameters (`Activation::with_params`), over the last axis of a
/// float32 array of any shape.
#[pyfunction]
#[pyo3(signature = (name, x, params=Vec::new()))]
pub fn activation<'py>(
    py: Python<'py>,
    name: &str,
    x: PyReadonlyArrayDyn<'py, f32>,
    params: Vec<f32>,
) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    let act = Activation::with_params(name, &params)?;
    let width = x.shape().last().copied().unwrap_or(1).max(1);
    let out = x.as_array().as_standard_layout().into_owned().into_pyarray(py);
    {
        let mut rw = out.readwrite();
        let s = rw.as_slice_mut().map_err(|e| PyValueError::new_err(e.to_string()))?;
        detached(py, || {
            act.forward_inplace(s, width);
            Ok(())
        })?;
    }
    Ok(out)
}

/// Per-sample loss values (mean over the last axis) for `(n, k)` targets and predictions; `loss` is described
/// as `loss::LossArg` reads it.
#[pyfunction]
pub fn loss_per_sample<'py>(
    py: Python<'py>,
    loss: LossArg,
    y_true: PyReadonlyArray2<'py, f32>,
    y_pred: PyReadonlyArray2<'py, f32>,
) -> PyResult<Bound<'py, PyArray1<f32>>> {
    let loss = loss.0;
    let (t, rows, tw) = convert::matrix(&y_true, "y_true")?;
    let (p, prow, w) = convert::matrix(&y_pred, "y_pred")?;
    if (rows, tw) != (prow, loss.target_width(w)) {
        return Err(PyValueError::new_err(format!(
            "y_true and y_pred must have the same shape (y_true one class id per row for a sparse loss). \
             Received: y_true.shape=({rows}, {tw}), y_pred.shape=({prow}, {w})"
        )));
    }
    loss.check_targets(t, w, "y_true")?;
    let values = detached(py, || {
        let mut out = Vec::with_capacity(rows);
        loss.per_sample(&p[..rows * w], &t[..rows * tw], w, &mut out);
        out.resize(rows, 0.0); // (rows of no values: 0)
        Ok(out)
    })?;
    Ok(convert::vector(py, &values))
}
