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
        if logits.is_none() && self.is_plain_dense_chain() {
            return self.infer_dense_chain(x, rows, out, scratch, parallel);
        }
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

    /// Whether the network is one input through a chain of Dense layers without activity penalties: most
    /// Sequential models, which `infer_dense_chain` runs.
    fn is_plain_dense_chain(&self) -> bool {
        self.inputs.len() == 1
            && self.layers.iter().enumerate().all(|(i, l)| {
                l.inputs == [i]
                    && matches!(l.spec, LayerSpec::Dense { .. })
                    && crate::network_rules::activity_of(&l.spec).is_none()
            })
    }

    /// `infer_to` for `is_plain_dense_chain` networks, without the graph's bookkeeping (buffers per value,
    /// readers, penalties): the layers write two buffers in turn, the last one `out`. The same `dense::forward`
    /// calls on the same values as the graph's pass, so the same bits; a one-row prediction through the
    /// `tiny` model (2-4-3-1) takes 94 ns here against 116 in the graph's pass (a 200,000-call loop of
    /// `Network::infer`, the two alternated four times on a busy machine).
    fn infer_dense_chain(
        &self,
        x: &[f32],
        rows: usize,
        out: &mut [f32],
        scratch: &mut Scratch,
        parallel: bool,
    ) -> Result<()> {
        let need = checked_size(rows, self.max_width(), "the inference buffer")?;
        if scratch.slots.len() < 2 {
            scratch.slots.resize_with(2, Lines::default);
        }
        let (first, rest) = scratch.slots.split_at_mut(1);
        let (a, b) = (&mut first[0], &mut rest[0]);
        for buf in [&mut *a, &mut *b] {
            if buf.len() < need {
                buf.resize(need, "the inference buffers")?;
            }
        }
        scratch.activity = 0.0;
        let last = self.layers.len() - 1;
        for (i, node) in self.layers.iter().enumerate() {
            let LayerSpec::Dense { activation, use_bias, .. } = node.spec else {
                unreachable!("is_plain_dense_chain holds only Dense layers")
            };
            let ids = dense::Ids::new(node.weights.start, use_bias);
            // (`w` less the product of the weight's shape, which is (input, output) and (output,) here)
            let at = |id: WeightId, len: usize| &self.params[self.weights[id.0].offset..][..len];
            let (kernel, bias) = (at(ids.kernel, node.input * node.output), ids.bias.map(|b| at(b, node.output)));
            // Layer i reads what layer i - 1 wrote: `a` after an even layer, `b` after an odd one.
            let (src, dst): (&[f32], &mut [f32]) = match (i % 2 == 0, &mut *a, &mut *b) {
                (true, a, b) => (if i == 0 { x } else { b }, a),
                (false, a, b) => (a, b),
            };
            let src = &src[..rows * node.input];
            let dst = if i == last { &mut out[..rows * node.output] } else { &mut dst[..rows * node.output] };
            dense::forward(src, rows, (node.input, node.output), kernel, bias, activation, dst, (parallel, i))?;
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
