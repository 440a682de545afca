//! `_core.call_training(model, x)`: `model(x, training=True)` (see `crate::call`). A function rather than a
//! method, so that `model.rs` keeps to its size.

use numpy::{IntoPyArray, PyArray2, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::error::{checked_size, try_zeros};

use super::convert;
use super::errors::detached;
use super::model::Model;

/// The training-mode outputs of `model` for `x` (rows × input width, float32): Dropout drops, and
/// BatchNormalization uses the batch's statistics and updates its moving ones.
#[pyfunction]
pub fn call_training<'py>(
    py: Python<'py>,
    model: &Bound<'py, Model>,
    x: PyReadonlyArray2<'py, f32>,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let m = &model.get().model;
    let (xs, rows, cols) = convert::matrix(&x, "x")?;
    let (iw, ow) = {
        let st = m.read()?;
        (st.net.input_dim, st.net.output_dim())
    };
    if cols != iw || rows == 0 {
        return Err(PyValueError::new_err(format!(
            "Input 0 of the model is incompatible: expected shape=(None, {iw}) with at least one row, found \
             shape=({rows}, {cols})"
        )));
    }
    let mut out = try_zeros(checked_size(rows, ow, "the outputs")?, "the outputs")?;
    detached(py, || m.call_training(xs, rows, &mut out))?;
    let arr =
        numpy::ndarray::Array2::from_shape_vec((rows, ow), out).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(arr.into_pyarray(py))
}
