//! Python bindings (PyO3): argument conversion, GIL release, error mapping. No arithmetic here.

mod call;
mod convert;
mod device;
mod errors;
mod graph;
mod inference;
mod loss;
mod model;
mod observer;
mod ops;
mod optimizer;
mod relayer;
mod schedule;
mod spec;
mod spec_norm;
mod stream;

use pyo3::prelude::*;

/// The `keras_lite._core` extension module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<model::Model>()?;
    m.add_class::<stream::BatchQueue>()?;
    m.add_class::<schedule::RateTable>()?;
    m.add_function(wrap_pyfunction!(stream::fit_stream, m)?)?;
    m.add_function(wrap_pyfunction!(stream::evaluate_stream, m)?)?;
    m.add_function(wrap_pyfunction!(call::call_training, m)?)?;
    m.add_function(wrap_pyfunction!(relayer::set_layer_spec, m)?)?;
    m.add_function(wrap_pyfunction!(ops::activation, m)?)?;
    m.add_function(wrap_pyfunction!(ops::loss_per_sample, m)?)?;
    m.add_function(wrap_pyfunction!(ops::activation_names, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::learning_rate_at, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::learning_rate_at_fraction, m)?)?;
    m.add_function(wrap_pyfunction!(device::list_devices, m)?)?;
    m.add_function(wrap_pyfunction!(device::has_gpu_backend, m)?)?;
    m.add_function(wrap_pyfunction!(device::gpu_profile, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
