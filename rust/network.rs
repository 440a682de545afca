//! A built network: a graph of layers fixed to their input widths, in topological order, with all parameters
//! in one contiguous vector in Keras's weight order. A Sequential model is the chain where layer `i` reads
//! the output of layer `i − 1`.
//!
//! Values are numbered: `0..inputs.len()` are the model's inputs (side by side, in order, in each row of
//! `x`), `inputs.len() + i` is the output of node `i`; the last node's output is the network's. Inference
//! (infer.rs) runs over a few reused buffers; the training passes (train.rs) keep every value of the batch
//! for the backward pass. Each layer kind's compute is in layers/.

use std::ops::Range;

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::layer::{LayerSpec, WeightInfo};
use crate::layers::{batch_norm, normalization, WeightId};
use crate::lines::Lines;
use crate::loss::Loss;
use crate::rng::Rng;

/// A layer of the graph, fixed to its input widths.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The layer's specification.
    pub spec: LayerSpec,
    /// The values it reads, in order.
    pub inputs: Vec<usize>,
    /// Input width (the sum of its inputs' widths for Concatenate).
    pub input: usize,
    /// Output width.
    pub output: usize,
    /// Indices into `Network::weights`.
    pub weights: Range<usize>,
    /// Keras's `layer.trainable`: when false its weights are frozen and BatchNormalization runs in
    /// inference mode.
    pub trainable: bool,
    /// Whether the training forward pass keeps the pre-activation `z` (Dense only): when the activation's
    /// derivative needs its input, for softmax and log_softmax, and for a final sigmoid whose logits a loss may read.
    pub keep_pre: bool,
    /// Per input: whether its gradient is added to one already written (the value feeds a later layer, or
    /// this one twice), rather than written.
    pub(crate) accumulate: Vec<bool>,
}

/// Where a final sigmoid's or softmax's logits live, for losses computed from logits (as Keras on TensorFlow
/// does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogitsAt {
    /// The last layer is a Dense with that activation: its pre-activation buffer.
    DensePre,
    /// The last layer is an Activation layer: its input.
    ActivationInput,
}

/// A network built for its input widths.
#[derive(Debug, Clone)]
pub struct Network {
    /// Width of a row of `x`: every input's width, summed.
    pub input_dim: usize,
    /// Each model input's width.
    pub inputs: Vec<usize>,
    /// The nodes in topological order (named for the Keras layers they are).
    pub layers: Vec<Node>,
    /// Every weight, Keras order.
    pub weights: Vec<WeightInfo>,
    /// All parameter values, each weight a contiguous row-major slice.
    pub params: Lines,
    pub(crate) dropout_rngs: Vec<Rng>,
    /// Per node: the seed of a noise layer's hashed draws in a step of `fit` (`dropout::seed_of`).
    pub(crate) dropout_seeds: Vec<u32>,
    /// How many layers read each value.
    pub(crate) readers: Vec<usize>,
    /// The inference buffer of each value (`NONE` for the single input, read in place, and the output).
    pub(crate) slots: Vec<usize>,
    pub(crate) n_slots: usize,
}

/// No buffer.
pub(crate) const NONE: usize = usize::MAX;

/// A graph's layers, each with the values it reads.
pub type Nodes = Vec<(LayerSpec, Vec<usize>)>;

impl Network {
    /// Build a chain of `specs` for inputs of width `input_dim`, drawing kernels from glorot_uniform with
    /// `seed`.
    pub fn new(input_dim: usize, specs: Vec<LayerSpec>, seed: u64) -> Result<Self> {
        if input_dim == 0 {
            return Err(Error::value("The input width must be a positive integer. Received: input_dim=0"));
        }
        Self::graph(&[input_dim], specs.into_iter().enumerate().map(|(i, s)| (s, vec![i])).collect(), seed)
    }

    /// Build a graph: model inputs of widths `inputs`, then `nodes` as (layer, the values it reads), each
    /// reading only values before it. Every node must lead to the last one, whose output is the network's.
    pub fn graph(inputs: &[usize], nodes: Nodes, seed: u64) -> Result<Self> {
        if let Some(k) = inputs.iter().position(|&w| w == 0) {
            return Err(Error::value(format!("Input {k}'s width must be a positive integer. Received: 0")));
        }
        if inputs.is_empty() || nodes.is_empty() {
            let what = if inputs.is_empty() { "inputs" } else { "layers" };
            return Err(Error::value(format!("A network needs at least one of its {what}. Received: {what}=[]")));
        }
        let n_in = inputs.len();
        let mut widths = inputs.to_vec();
        let mut readers = vec![0usize; n_in + nodes.len()];
        // Size everything first: an absurd width is a clear error, never an overflow or an aborted allocation.
        let mut total = 0usize;
        for (i, (spec, ins)) in nodes.iter().enumerate() {
            spec.validate()?;
            if let Some(&v) = ins.iter().find(|&&v| v >= n_in + i) {
                return Err(Error::value(format!(
                    "layer {i} ({}) reads value {v}, which is not computed before it",
                    spec.class_name()
                )));
            }
            ins.iter().for_each(|&v| readers[v] += 1);
            let in_widths: Vec<usize> = ins.iter().map(|&v| widths[v]).collect();
            widths.push(spec.output_width(&in_widths)?);
            let input = if spec.merges() { widths[n_in + i] } else { in_widths[0] };
            total = total
                .checked_add(spec.param_count(input)?)
                .ok_or_else(|| Error::value("the network's parameter count overflows".to_string()))?;
        }
        if let Some(i) = (0..nodes.len() - 1).find(|&i| readers[n_in + i] == 0) {
            return Err(Error::value(format!(
                "layer {i} ({}) does not lead to the output: every layer must feed a later one",
                nodes[i].0.class_name()
            )));
        }
        let mut params = Lines::zeros(total, "the network's parameters")?;
        // Where the next weight starts in `params`.
        let mut at = 0;
        let mut init = Rng::new(seed, 0);
        let (mut layers, mut weights) = (Vec::with_capacity(nodes.len()), Vec::new());
        let mut dropout_rngs = Vec::with_capacity(nodes.len());
        let mut dropout_seeds = Vec::with_capacity(nodes.len());
        let last = nodes.len() - 1;
        for (i, (spec, ins)) in nodes.into_iter().enumerate() {
            let input = if spec.merges() { widths[n_in + i] } else { widths[ins[0]] };
            let first = weights.len();
            for (name, shape, trainable) in spec.weight_shapes(input) {
                let info = WeightInfo { name, shape, offset: at, trainable };
                let values = &mut params[at..at + info.len()];
                match name {
                    "kernel" => {
                        let (fan_in, fan_out) = (info.shape[0], info.shape[1]);
                        let limit = (6.0 / (fan_in + fan_out) as f64).sqrt() as f32;
                        init.fill_uniform(values, limit);
                    }
                    "gamma" | "moving_variance" | "variance" => values.fill(1.0),
                    _ => {} // zeros
                }
                at += info.len();
                weights.push(info);
            }
            let keep_pre = match spec {
                LayerSpec::Dense { activation: a, .. } => {
                    a.needs_input() || a.row_wise() || (i == last && a == Activation::Sigmoid)
                }
                _ => false,
            };
            let dseed = match spec {
                LayerSpec::Dropout { seed: Some(s), .. } => s,
                _ => seed.wrapping_add(i as u64),
            };
            dropout_rngs.push(Rng::new(dseed, 3));
            dropout_seeds.push(crate::layers::dropout::seed_of(dseed));
            let output = widths[n_in + i];
            let (weights, accumulate) = (first..weights.len(), Vec::new());
            layers.push(Node { spec, inputs: ins, input, output, weights, trainable: true, keep_pre, accumulate });
        }
        // Backward visits the nodes last to first: the first to reach a value writes its gradient, the rest add.
        let mut written = vec![false; widths.len()];
        for node in layers.iter_mut().rev() {
            node.accumulate = node.inputs.iter().map(|&v| std::mem::replace(&mut written[v], true)).collect();
        }
        let (slots, n_slots) = inference_slots(n_in, &layers);
        let input_dim = inputs.iter().sum();
        Ok(Network {
            input_dim,
            inputs: inputs.to_vec(),
            layers,
            weights,
            params,
            dropout_rngs,
            dropout_seeds,
            readers,
            slots,
            n_slots,
        })
    }

    /// Output width.
    pub fn output_dim(&self) -> usize {
        self.layers.last().map_or(self.input_dim, |l| l.output)
    }

    /// The width of value `v`.
    pub fn width(&self, v: usize) -> usize {
        width(&self.inputs, &self.layers, v)
    }

    /// The network's output value.
    pub fn output_value(&self) -> usize {
        self.inputs.len() + self.layers.len() - 1
    }

    /// The widest value, inputs included.
    pub fn max_width(&self) -> usize {
        self.layers.iter().map(|l| l.output).chain(self.inputs.iter().copied()).max().unwrap_or(0)
    }

    /// Whether the network is one input read by a chain of layers (a Sequential model).
    pub fn is_chain(&self) -> bool {
        self.inputs.len() == 1 && self.layers.iter().enumerate().all(|(i, l)| l.inputs == [i])
    }

    /// Parameter ranges the optimizer updates.
    pub fn trainable_ranges(&self) -> Vec<Range<usize>> {
        let mut v = Vec::new();
        self.trainable_ranges_into(&mut v);
        v
    }

    /// Where Adam's pass, split between `threads`, cuts each `gemm::tall` Dense kernel: where its gradient's
    /// product cuts the rows (`gemm::row_share`); offsets in order (optimizer/adam.rs).
    pub fn update_cuts(&self, threads: usize) -> Vec<usize> {
        let kernels = self.layers.iter().filter(|l| matches!(l.spec, LayerSpec::Dense { .. }));
        let tall = kernels
            .filter_map(|l| self.weights.get(l.weights.start))
            .filter(|w| matches!(w.shape[..], [rows, cols] if crate::gemm::tall(rows, cols)));
        let mut cuts: Vec<usize> = tall
            .flat_map(|w| {
                let (rows, cols, share) = (w.shape[0], w.shape[1], crate::gemm::row_share(w.shape[0], threads));
                (1..threads).map(move |t| w.offset + (t * share).min(rows) * cols)
            })
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        cuts
    }

    /// `trainable_ranges` into a reused vector (no allocation once it has grown).
    pub fn trainable_ranges_into(&self, out: &mut Vec<Range<usize>>) {
        out.clear();
        for l in self.layers.iter().filter(|l| l.trainable) {
            out.extend(self.weights[l.weights.clone()].iter().filter(|w| w.trainable).map(|w| w.range()));
        }
    }

    /// Whether weight `i` is currently trainable (its own flag and its layer's).
    pub fn weight_trainable(&self, i: usize) -> bool {
        self.weights.get(i).is_some_and(|w| w.trainable)
            && self.layers.iter().any(|l| l.weights.contains(&i) && l.trainable)
    }

    /// The values of weight `i`.
    pub fn weight(&self, i: usize) -> Result<&[f32]> {
        let w = self.weights.get(i).ok_or_else(|| weight_index_error(i, self.weights.len()))?;
        Ok(&self.params[w.range()])
    }

    /// The values of a weight by its typed id.
    pub(crate) fn w(&self, id: WeightId) -> &[f32] {
        &self.params[self.weights[id.0].range()]
    }

    /// Overwrite weight `i` with `values` (row-major, same number of values).
    pub fn set_weight(&mut self, i: usize, values: &[f32]) -> Result<()> {
        let w = self.weights.get(i).ok_or_else(|| weight_index_error(i, self.weights.len()))?;
        if values.len() != w.len() {
            return Err(Error::value(format!(
                "Weight {} expects {} values for shape {:?}. Received: {} values",
                w.name,
                w.len(),
                w.shape,
                values.len()
            )));
        }
        let r = w.range();
        self.params[r].copy_from_slice(values);
        Ok(())
    }

    /// Where `loss` reads logits instead of the output: when it is a crossentropy and the network ends in a
    /// sigmoid or softmax (see `Loss::reads_final_logits`).
    pub fn loss_logits(&self, loss: &Loss) -> Option<LogitsAt> {
        loss_logits(&self.layers, loss)
    }

    /// BatchNormalization's values for a pass.
    pub(crate) fn bn_params(&self, ids: &batch_norm::Ids) -> batch_norm::Params<'_> {
        batch_norm::Params {
            gamma: ids.gamma.map(|g| self.w(g)),
            beta: ids.beta.map(|b| self.w(b)),
            mean: self.w(ids.moving_mean),
            var: self.w(ids.moving_variance),
        }
    }
}

impl Network {
    /// Normalization's statistics for a pass: its weights, or the ones it was given.
    pub(crate) fn norm_stats<'a>(&'a self, node: &'a Node) -> normalization::Stats<'a> {
        match &node.spec {
            LayerSpec::Normalization { fixed: Some((mean, var)), .. } => normalization::Stats { mean, var },
            _ => {
                let ids = normalization::Ids::new(node.weights.start);
                normalization::Stats { mean: self.w(ids.mean), var: self.w(ids.variance) }
            }
        }
    }
}

/// Two weights' gradient slices at once (either may be absent).
pub(crate) fn two_mut<'a>(
    grads: &'a mut [f32],
    net: &Network,
    a: Option<WeightId>,
    b: Option<WeightId>,
) -> (Option<&'a mut [f32]>, Option<&'a mut [f32]>) {
    let range = |id: Option<WeightId>| id.map(|id| net.weights[id.0].range());
    match (range(a), range(b)) {
        (Some(ra), Some(rb)) if ra.end <= rb.start => {
            let (lo, hi) = grads.split_at_mut(rb.start);
            (Some(&mut lo[ra]), Some(&mut hi[..rb.len()]))
        }
        (Some(ra), None) => (Some(&mut grads[ra]), None),
        (None, Some(rb)) => (None, Some(&mut grads[rb])),
        _ => (None, None),
    }
}

/// Assign inference buffers: each value a buffer no value it is computed from is still using; a buffer is
/// free again after its value's last reader. A chain gets two, used in turn. Returns (buffer of each value,
/// number of buffers).
fn inference_slots(n_in: usize, layers: &[Node]) -> (Vec<usize>, usize) {
    let mut last_read = vec![0usize; n_in + layers.len()];
    for (i, l) in layers.iter().enumerate() {
        l.inputs.iter().for_each(|&v| last_read[v] = i);
    }
    let mut slots = vec![NONE; n_in + layers.len()];
    let (mut free, mut count) = (Vec::new(), 0usize);
    let mut take = |free: &mut Vec<usize>| {
        free.pop().unwrap_or_else(|| {
            count += 1;
            count - 1
        })
    };
    if n_in > 1 {
        (0..n_in).for_each(|v| slots[v] = take(&mut free));
    }
    for (i, l) in layers.iter().enumerate() {
        if i + 1 < layers.len() {
            slots[n_in + i] = take(&mut free);
        }
        for (k, &v) in l.inputs.iter().enumerate() {
            if last_read[v] == i && slots[v] != NONE && !l.inputs[..k].contains(&v) {
                free.push(slots[v]);
            }
        }
    }
    (slots, count)
}

/// `Network::loss_logits` for a graph's nodes (the GPU's copy of a network has them too).
pub(crate) fn loss_logits(layers: &[Node], loss: &Loss) -> Option<LogitsAt> {
    final_logits(layers).filter(|_| loss.reads_final_logits()).map(|(at, _)| at)
}

/// The final sigmoid or softmax whose logits a crossentropy reads, and where they are, if the last layer
/// applies one.
pub(crate) fn final_logits(layers: &[Node]) -> Option<(LogitsAt, Activation)> {
    let squashes = |a: &Activation| matches!(a, Activation::Sigmoid | Activation::Softmax);
    match layers.last().map(|l| &l.spec) {
        Some(LayerSpec::Dense { activation, .. }) if squashes(activation) => Some((LogitsAt::DensePre, *activation)),
        Some(LayerSpec::Activation(a)) if squashes(a) => Some((LogitsAt::ActivationInput, *a)),
        _ => None,
    }
}

/// The width of value `v` of a graph with model inputs `inputs` and nodes `layers`.
pub(crate) fn width(inputs: &[usize], layers: &[Node], v: usize) -> usize {
    match v.checked_sub(inputs.len()) {
        Some(i) => layers[i].output,
        None => inputs[v],
    }
}

fn weight_index_error(i: usize, n: usize) -> Error {
    Error::value(format!("weight index out of range: the network has {n} weights. Received: index={i}"))
}
