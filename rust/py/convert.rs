//! Reading layer, loss and optimizer descriptions and arrays that Python passes in.

use numpy::{PyArray1, PyArray2, PyReadonlyArray, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyDictMethods, PyTuple, PyType};

use crate::activation::Activation;
use crate::layer::LayerSpec;
use crate::loss::Loss;
use crate::optimizer::OptimizerKind;

use super::errors::to_py;

/// Parse one layer tuple: `("dense", units, activation, use_bias)`, `("activation", name)`,
/// `("dropout", rate, seed|None)`, `("batch_normalization", momentum, epsilon, center, scale)`.
pub fn layer_spec(t: &Bound<'_, PyTuple>) -> PyResult<LayerSpec> {
    let kind: String = t.get_item(0)?.extract()?;
    let act = |i: usize| -> PyResult<Activation> {
        let name: String = t.get_item(i)?.extract()?;
        Activation::from_name(&name).map_err(to_py)
    };
    Ok(match kind.as_str() {
        "dense" => LayerSpec::Dense {
            units: t.get_item(1)?.extract()?,
            activation: act(2)?,
            use_bias: t.get_item(3)?.extract()?,
        },
        "activation" => LayerSpec::Activation(act(1)?),
        "dropout" => LayerSpec::Dropout { rate: t.get_item(1)?.extract()?, seed: t.get_item(2)?.extract()? },
        "batch_normalization" => LayerSpec::BatchNorm {
            momentum: t.get_item(1)?.extract()?,
            epsilon: t.get_item(2)?.extract()?,
            center: t.get_item(3)?.extract()?,
            scale: t.get_item(4)?.extract()?,
        },
        other => return Err(PyValueError::new_err(format!("Unknown layer kind. Received: {other:?}"))),
    })
}

fn get<'py, T: FromPyObjectOwned<'py>>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<T> {
    match d.get_item(key)? {
        Some(v) => v.extract::<T>().map_err(|e| {
            let e: PyErr = e.into();
            PyTypeError::new_err(format!("{key}: {e}"))
        }),
        None => Err(PyValueError::new_err(format!("missing optimizer or loss parameter {key:?}"))),
    }
}

/// Parse `(name, params)` for a loss.
pub fn loss(name: &str, p: &Bound<'_, PyDict>) -> PyResult<Loss> {
    let delta: f32 = if name == "huber" { get(p, "delta")? } else { 1.0 };
    let (from_logits, ls) =
        if name == "binary_crossentropy" { (get(p, "from_logits")?, get(p, "label_smoothing")?) } else { (false, 0.0) };
    Loss::from_name(name, delta, from_logits, ls).map_err(to_py)
}

/// Parse `(name, params)` for an optimizer.
pub fn optimizer(name: &str, p: &Bound<'_, PyDict>) -> PyResult<OptimizerKind> {
    let lr: f32 = get(p, "learning_rate")?;
    Ok(match name {
        "adam" | "adamw" => OptimizerKind::Adam {
            learning_rate: lr,
            beta_1: get(p, "beta_1")?,
            beta_2: get(p, "beta_2")?,
            epsilon: get(p, "epsilon")?,
            amsgrad: get(p, "amsgrad")?,
            weight_decay: if name == "adamw" { get(p, "weight_decay")? } else { 0.0 },
        },
        "sgd" => OptimizerKind::Sgd { learning_rate: lr, momentum: get(p, "momentum")?, nesterov: get(p, "nesterov")? },
        "rmsprop" => OptimizerKind::RmsProp {
            learning_rate: lr,
            rho: get(p, "rho")?,
            momentum: get(p, "momentum")?,
            epsilon: get(p, "epsilon")?,
            centered: get(p, "centered")?,
        },
        other => return Err(PyValueError::new_err(format!("Unknown optimizer. Received: {other:?}"))),
    })
}

/// The values of a C-contiguous float32 array, or a `ValueError` naming `arg`. (numpy's `as_slice` also
/// accepts Fortran order, whose element order would be wrong here.)
pub fn c_slice<'a, D: numpy::ndarray::Dimension>(a: &'a PyReadonlyArray<'_, f32, D>, arg: &str) -> PyResult<&'a [f32]> {
    if !a.is_c_contiguous() {
        return Err(PyValueError::new_err(format!(
            "{arg} must be a C-contiguous float32 array. Received: an array that is not C-contiguous"
        )));
    }
    a.as_slice().map_err(|_| PyValueError::new_err(format!("{arg} must be a C-contiguous float32 array")))
}

/// A C-contiguous float32 matrix as (slice, rows, cols), or a `ValueError` naming `arg`.
pub fn matrix<'a>(a: &'a PyReadonlyArray2<'_, f32>, arg: &str) -> PyResult<(&'a [f32], usize, usize)> {
    let shape = a.shape();
    Ok((c_slice(a, arg)?, shape[0], shape[1]))
}

/// A 1-D float32 array copied from `v`.
pub fn vector<'py>(py: Python<'py>, v: &[f32]) -> Bound<'py, PyArray1<f32>> {
    PyArray1::from_slice(py, v)
}

/// A new, uninitialised C-ordered float32 `rows × cols` array of type `t`, which must be `numpy.ndarray` or
/// a subclass of it. The caller writes every element before the array is seen by other code.
pub fn empty_matrix_of<'py>(
    py: Python<'py>,
    t: &Bound<'py, PyType>,
    rows: usize,
    cols: usize,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    use numpy::npyffi::{npy_intp, PY_ARRAY_API};
    use numpy::{Element, PyArrayDescrMethods};
    if !t.is_subclass_of::<numpy::PyUntypedArray>()? {
        return Err(PyTypeError::new_err(format!("as_type must be a subclass of numpy.ndarray. Received: {t}")));
    }
    let to_intp = |n: usize| {
        npy_intp::try_from(n).map_err(|_| PyValueError::new_err(format!("{rows} x {cols} is too large an array")))
    };
    let mut dims = [to_intp(rows)?, to_intp(cols)?];
    // SAFETY: NumPy's documented constructor: `t` is checked above to be an ndarray type, `dims` holds two
    // valid sizes and outlives the call, the descriptor reference is stolen by the call (hence
    // `into_dtype_ptr`), and null strides, data and base ask NumPy to allocate a C-ordered array itself.
    let ptr = unsafe {
        PY_ARRAY_API.PyArray_NewFromDescr(
            py,
            t.as_type_ptr(),
            f32::get_dtype(py).into_dtype_ptr(),
            2,
            dims.as_mut_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
            std::ptr::null_mut(),
        )
    };
    if ptr.is_null() {
        return Err(PyErr::fetch(py));
    }
    // SAFETY: `ptr` is a new, owned reference returned by NumPy just above (checked non-null).
    let any = unsafe { Bound::from_owned_ptr(py, ptr) };
    Ok(any.cast_into::<PyArray2<f32>>()?)
}
