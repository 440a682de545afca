//! The preprocessing layers' descriptions: `{"kind": "normalization", ...}` as the core's
//! `LayerSpec::Normalization`, `{"kind": "encode", ...}` as its `LayerSpec::Encode` and `{"kind": "rescale",
//! ...}` as its `LayerSpec::Rescale` (see spec.rs).

use pyo3::prelude::*;

use crate::error::Error;
use crate::layer::LayerSpec;
use crate::layers::encode::EncodeMode;

/// The keys: `mean` and `variance` are both `None` (the layer holds them as weights) or both lists of floats.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Normalization {
    invert: bool,
    scalar: bool,
    mean: Option<Vec<f32>>,
    variance: Option<Vec<f32>>,
}

/// Read a normalization layer's description.
pub(super) fn normalization(obj: Borrowed<'_, '_, PyAny>) -> PyResult<LayerSpec> {
    let Normalization { invert, scalar, mean, variance } = obj.extract()?;
    let fixed = match (mean, variance) {
        (Some(m), Some(v)) => Some((m, v)),
        (None, None) => None,
        (m, v) => {
            return Err(Error::value(format!(
                "When setting values directly, both `mean` and `variance` must be set. Received: mean={m:?} and \
                 variance={v:?}"
            ))
            .into())
        }
    };
    Ok(LayerSpec::Normalization { invert, scalar, fixed })
}

/// `{"kind": "encode", "bins": None or the boundaries, "depth": ..., "mode": "int" | "one_hot" | ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Encode {
    bins: Option<Vec<f32>>,
    depth: usize,
    mode: String,
}

/// Read a Discretization or CategoryEncoding layer's description.
pub(super) fn encode(obj: Borrowed<'_, '_, PyAny>) -> PyResult<LayerSpec> {
    let Encode { bins, depth, mode } = obj.extract()?;
    let mode = EncodeMode::from_name(&mode)?;
    Ok(LayerSpec::Encode { bins, depth, mode })
}

/// `{"kind": "rescale", "scale": [...], "offset": [...]}`: each one value, or one per feature.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Rescale {
    scale: Vec<f32>,
    offset: Vec<f32>,
}

/// Read a Rescaling layer's description.
pub(super) fn rescale(obj: Borrowed<'_, '_, PyAny>) -> PyResult<LayerSpec> {
    let Rescale { scale, offset } = obj.extract()?;
    Ok(LayerSpec::Rescale { scale, offset })
}
