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
