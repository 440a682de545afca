//! Reading the arrays that Python passes in, and making the ones it gets back.

use numpy::{
    PyArray1, PyArray2, PyArrayDyn, PyArrayMethods, PyReadonlyArray, PyReadonlyArray1, PyReadonlyArray2,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::backend::Data;

/// The values of a C-contiguous float32 array, or a `ValueError` naming `arg`. (numpy's `as_slice` also
/// accepts Fortran order, whose element order would be wrong here.)
pub fn c_slice<'a, D: numpy::ndarray::Dimension>(a: &'a PyReadonlyArray<'_, f32, D>, arg: &str) -> PyResult<&'a [f32]> {
    if !a.is_c_contiguous() {
        return Err(not_c_contiguous(arg));
    }
    a.as_slice().map_err(|_| misaligned(arg))
}

/// `c_slice` of each array of `arrays`.
pub fn c_slices<'a>(arrays: &'a [numpy::PyReadonlyArrayDyn<'_, f32>], arg: &str) -> PyResult<Vec<&'a [f32]>> {
    arrays.iter().map(|a| c_slice(a, arg)).collect()
}

/// `c_slice` of a matrix read in place without the numpy crate's borrow bookkeeping (a global table of
/// borrowed arrays behind a mutex, entered and left: a quarter of a one-row prediction's time in the binding,
/// `net.predict(x)` 0.41 -> 0.32 µs through a 2-4-3-1 network).
///
/// # Safety
/// The caller holds the GIL from this call until it is done with the slice and runs no Python code
/// meanwhile, so nothing written in Python can change the array under it; and keras_lite holds no writable
/// view of an array that it was given (it writes only arrays it made). What the bookkeeping would add is a
/// check against another extension's Rust code writing this array on a thread that released the GIL, a
/// case against which NumPy's own operations with the GIL released are not checked either.
pub unsafe fn held_slice<'a>(a: &'a Bound<'_, PyArray2<f32>>, arg: &str) -> PyResult<&'a [f32]> {
    if !a.is_c_contiguous() {
        return Err(not_c_contiguous(arg));
    }
    // SAFETY: the caller's contract; `as_slice` checks the alignment and the length.
    unsafe { a.as_slice() }.map_err(|_| misaligned(arg))
}

fn not_c_contiguous(arg: &str) -> PyErr {
    PyValueError::new_err(format!(
        "{arg} must be a C-contiguous float32 array. Received: an array that is not C-contiguous"
    ))
}

fn misaligned(arg: &str) -> PyErr {
    PyValueError::new_err(format!("{arg} must be a C-contiguous float32 array"))
}

/// A C-contiguous float32 matrix as (slice, rows, cols), or a `ValueError` naming `arg`.
pub fn matrix<'a>(a: &'a PyReadonlyArray2<'_, f32>, arg: &str) -> PyResult<(&'a [f32], usize, usize)> {
    let shape = a.shape();
    Ok((c_slice(a, arg)?, shape[0], shape[1]))
}

/// `x`, `y` and optionally the sample weights `w` as one data set, or a `ValueError` naming `x_arg` and
/// `y_arg` when their numbers of rows differ (the core checks the weights).
pub fn data<'a>(
    x: &'a PyReadonlyArray2<'_, f32>,
    y: &'a PyReadonlyArray2<'_, f32>,
    w: Option<&'a PyReadonlyArray1<'_, f32>>,
    x_arg: &str,
    y_arg: &str,
) -> PyResult<Data<'a>> {
    let (xs, rows, _) = matrix(x, x_arg)?;
    let (ys, yrows, _) = matrix(y, y_arg)?;
    if rows != yrows {
        return Err(PyValueError::new_err(format!(
            "{x_arg} and {y_arg} must have the same number of samples. Received: {x_arg} with {rows} rows, {y_arg} \
             with {yrows} rows"
        )));
    }
    let w = match w {
        Some(w) => Some(w.as_slice().map_err(|_| PyValueError::new_err("sample_weight must be C-contiguous"))?),
        None => None,
    };
    Ok(Data { x: xs, y: ys, rows, w })
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

/// `values` as a float32 array of `shape`.
pub fn shaped<'py>(py: Python<'py>, values: &[f32], shape: &[usize]) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    let flat = numpy::PyArray1::from_slice(py, values);
    Ok(flat.reshape(shape.to_vec())?.to_dyn().clone())
}
