//! `_core.set_layer_spec(model, index, spec)`: a built model's layer computed by a new specification (see
//! `crate::model::Model::set_layer_spec`). A function rather than a method, so that `model.rs` keeps to its
//! size.

use pyo3::prelude::*;

use super::model::Model;
use super::spec::LayerArg;

/// Compute layer `index` of `model` by `spec` from now on, its weights kept.
#[pyfunction]
pub fn set_layer_spec(model: &Bound<'_, Model>, index: usize, spec: LayerArg) -> PyResult<()> {
    Ok(model.get().model.set_layer_spec(index, spec.0)?)
}
