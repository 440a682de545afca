//! Building a `_core.Model`'s network: a chain of layers (`Sequential`) or a graph (the Functional API).

use pyo3::prelude::*;

use crate::model;
use crate::network::Network;

use super::errors::guarded;
use super::inference::Shape;
use super::spec::LayerArg;

/// A built core model and its fixed widths, for the predict fast path.
pub(super) fn shaped(model: model::Model, input_dim: usize) -> PyResult<(model::Model, Shape)> {
    let (output_dim, row_macs) = {
        let st = model.read()?;
        (st.net.output_dim(), st.net.params.len())
    };
    Ok((model, Shape { input_dim, output_dim, row_macs }))
}

/// A chain of `layers` on inputs `input_dim` wide.
pub(super) fn chain(input_dim: usize, layers: Vec<LayerArg>, seed: u64) -> PyResult<(model::Model, Shape)> {
    let specs = layers.into_iter().map(|l| l.0).collect();
    shaped(guarded(|| model::Model::new(input_dim, specs, seed))?, input_dim)
}

/// A graph over model inputs of widths `inputs` (side by side in each row of `x`), then `nodes`, each a layer
/// and the values it reads (the inputs are values `0..inputs.len()`, node `i`'s output is `inputs.len() + i`).
pub(super) fn graph(
    inputs: Vec<usize>,
    nodes: Vec<(LayerArg, Vec<usize>)>,
    seed: u64,
) -> PyResult<(model::Model, Shape)> {
    let nodes = nodes.into_iter().map(|(l, reads)| (l.0, reads)).collect();
    let net = guarded(|| Network::graph(&inputs, nodes, seed))?;
    let input_dim = net.input_dim;
    shaped(model::Model::of(net, seed), input_dim)
}
