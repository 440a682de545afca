//! Inference over a network's graph: each value gets one of a few reused buffers (a buffer is free again
//! after its value's last reader, so a chain uses two in turn), and the last node writes the caller's output.

use crate::activation::Activation;
use crate::error::{checked_size, Result};
use crate::layer::LayerSpec;
use crate::layers::{self, batch_norm, dense, WeightId};
use crate::lines::Lines;
use crate::network::{Network, Node, NONE};

/// Buffers for the inference pass, reused between calls.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    /// One buffer per slot (`Network::slots`).
    pub(crate) slots: Vec<Lines>,
    /// The layers' activity penalties `p(y)` over the rows of the last pass (a layer left at its logits
    /// excepted), for evaluation's loss.
    pub activity: f64,
}

impl Network {
    /// Inference on `rows` rows of `x` into `out` (rows × output_dim). Allocates only when `scratch` grows.
    pub fn infer(&self, x: &[f32], rows: usize, out: &mut [f32], scratch: &mut Scratch, parallel: bool) -> Result<()> {
        self.infer_to(x, rows, out, scratch, parallel, None)
    }

    /// `infer`, or with `logits` (see `loss_logits`) stopping before the final activation so that `out` holds
    /// its logits.
    pub fn infer_to(
        &self,
        x: &[f32],
        rows: usize,
        out: &mut [f32],
        scratch: &mut Scratch,
        parallel: bool,
        logits: Option<crate::network::LogitsAt>,
    ) -> Result<()> {
        let skip_last = logits.is_some();
        let need = checked_size(rows, self.max_width(), "the inference buffer")?;
        scratch.slots.resize_with(self.n_slots, Lines::default);
        for s in &mut scratch.slots {
            if s.len() < need {
                s.resize(need, "the inference buffers")?;
            }
        }
        let n_in = self.inputs.len();
        if n_in > 1 {
            let mut offset = 0;
            for (v, &w) in self.inputs.iter().enumerate() {
                let slot = &mut scratch.slots[self.slots[v]];
                layers::concatenate::backward(&x[..rows * self.input_dim], self.input_dim, offset, slot, w, false);
                offset += w;
            }
        }
        let last = self.layers.len() - 1;
        scratch.activity = 0.0;
        let mut dense_seen = 0;
        for (i, node) in self.layers.iter().enumerate() {
            let mut y =
                if i == last { Lines::default() } else { std::mem::take(&mut scratch.slots[self.slots[n_in + i]]) };
            let dst = if i == last { &mut out[..rows * node.output] } else { &mut y[..rows * node.output] };
            let value = |v: usize| -> &[f32] {
                let s = if self.slots[v] == NONE { x } else { &scratch.slots[self.slots[v]] };
                &s[..rows * self.width(v)]
            };
            let result = self.node_infer(node, &value, rows, dst, (parallel, dense_seen), skip_last && i == last);
            dense_seen += usize::from(matches!(node.spec, LayerSpec::Dense { .. }));
            match crate::network_rules::activity_of(&node.spec) {
                Some(p) if !(skip_last && i == last) => scratch.activity += p.value(dst),
                _ => {}
            }
            if i != last {
                scratch.slots[self.slots[n_in + i]] = y;
            }
            result?;
        }
        Ok(())
    }

    /// One node in inference mode (`logits`: its activation is left out).
    fn node_infer<'a>(
        &self,
        node: &Node,
        value: &dyn Fn(usize) -> &'a [f32],
        rows: usize,
        y: &mut [f32],
        split: (bool, usize),
        logits: bool,
    ) -> Result<()> {
        let x = value(node.inputs[0]);
        match node.spec {
            LayerSpec::Dense { activation, use_bias, .. } => {
                let ids = dense::Ids::new(node.weights.start, use_bias);
                let act = if logits { Activation::Linear } else { activation };
                let (kernel, bias) = (self.w(ids.kernel), ids.bias.map(|b| self.w(b)));
                dense::forward(x, rows, (node.input, node.output), kernel, bias, act, y, split)?;
            }
            LayerSpec::Activation(_) if logits => y.copy_from_slice(x),
            LayerSpec::Activation(a) => layers::activation::forward(a, x, y, node.output),
            LayerSpec::Dropout { .. } => y.copy_from_slice(x),
            LayerSpec::PRelu => layers::prelu::forward(self.w(WeightId(node.weights.start)), x, y),
            LayerSpec::LayerNorm { epsilon, center, scale } => {
                let ids = layers::layer_norm::Ids::new(node.weights.start, center, scale);
                let (gamma, beta) = (ids.gamma.map(|id| self.w(id)), ids.beta.map(|id| self.w(id)));
                layers::layer_norm::forward(gamma, beta, epsilon, x, y, node.output);
            }
            LayerSpec::BatchNorm { epsilon, center, scale, .. } => {
                let ids = batch_norm::Ids::new(node.weights.start, center, scale);
                batch_norm::forward(&self.bn_params(&ids), epsilon, x, y, node.output);
            }
            LayerSpec::Normalization { invert, .. } => {
                layers::normalization::forward(&self.norm_stats(node), invert, x, y, node.output);
            }
            LayerSpec::Encode { ref bins, mode, .. } => {
                layers::encode::forward(bins.as_deref(), mode, x, node.input, y, node.output);
            }
            LayerSpec::Rescale { ref scale, ref offset } => {
                layers::rescale::forward(&layers::rescale::Affine { scale, offset }, x, y, node.output);
            }
            LayerSpec::Concatenate => {
                let mut offset = 0;
                for &v in &node.inputs {
                    let w = self.width(v);
                    layers::concatenate::place(value(v), w, y, node.output, offset);
                    offset += w;
                }
            }
            LayerSpec::Add => {
                for (k, &v) in node.inputs.iter().enumerate() {
                    layers::add::forward(value(v), y, k == 0);
                }
            }
            LayerSpec::Merge(op) => layers::merge::forward(op, node.inputs.len(), &|k| value(node.inputs[k]), y),
        }
        Ok(())
    }
}
