//! Which compute devices this build can use (`keras_lite.config.list_devices()`).

use pyo3::prelude::*;

/// `[(name, backend, kind), ...]` for every adapter wgpu finds, software ones included; empty when this
/// build has no GPU backend or the machine has no adapter.
#[pyfunction]
pub fn list_devices(py: Python<'_>) -> Vec<(String, String, String)> {
    py.detach(|| crate::gpu::list_adapters().into_iter().map(|a| (a.name, a.backend, a.kind)).collect())
}

/// Whether this build includes the GPU backend.
#[pyfunction]
pub fn has_gpu_backend() -> bool {
    crate::gpu::BUILT
}

/// `(dispatches, barriers, needed, false_barriers, pipelines, kernels)` of one training step of `batch_size` rows of
/// `(x, y)` on `model`'s GPU (see `gpu::GpuProfile`; `kernels` is `[(kernel, seconds), ...]` in step order,
/// or None where the adapter has no timestamp queries). The model's weights and optimizer state are unchanged.
#[pyfunction]
pub fn gpu_profile(
    py: Python<'_>,
    model: &super::model::Model,
    x: numpy::PyReadonlyArray2<'_, f32>,
    y: numpy::PyReadonlyArray2<'_, f32>,
    batch_size: usize,
) -> PyResult<Profile> {
    let d = super::convert::data(&x, &y, None, "x", "y")?;
    let m = &model.model;
    let p = super::errors::detached(py, || {
        let mut guard = m.write()?;
        let st = &mut *guard;
        let gpu = st.gpu.as_mut().ok_or_else(|| {
            crate::error::Error::value("profile needs a model on the GPU. Received: a model on the CPU")
        })?;
        gpu.profile(&st.net, st.compiled.as_ref(), d, batch_size)
    })?;
    Ok((p.dispatches, p.barriers, p.needed, p.false_barriers, p.pipelines, p.kernels))
}

/// What `gpu_profile` returns.
type Profile = (usize, usize, usize, usize, usize, Option<Vec<(String, f64)>>);
