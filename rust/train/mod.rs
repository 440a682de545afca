//! The training passes over a network's graph: the batch gathered into a preallocated `Workspace`, the
//! training-mode forward pass (which keeps every value), and the backward pass, which visits the nodes last
//! to first and leaves the gradient of every parameter in `Workspace::param_grads`. A value read by several
//! layers receives the sum of their gradients.

use crate::backend::Data;
use crate::error::{checked_size, Result};
use crate::layer::LayerSpec;
use crate::layers::{self, batch_norm, dense, dropout, WeightId};
use crate::lines::Lines;
use crate::network::{two_mut, width, LogitsAt, Network};

mod gather;
mod session;
pub use gather::prefetch_batch;
use gather::{copy_rows, gather_rows};
pub(crate) use session::CpuSession;

/// Buffers for training on batches of up to `cap` rows: allocated once, reused every step.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Row capacity.
    pub cap: usize,
    /// Every value of the batch: the inputs, then each node's output.
    acts: Vec<Lines>,
    /// Per node: the pre-activation of a Dense layer that keeps it.
    pre: Vec<Lines>,
    /// Per node: a Dropout layer's mask.
    masks: Vec<Lines>,
    /// Per node: a BatchNormalization layer's statistics.
    bn: Vec<batch_norm::Cache>,
    /// Per value: the gradient of the batch loss with respect to it.
    grads: Vec<Lines>,
    /// Per value: whether its gradient already includes its producer's activation derivative.
    act_done: Vec<bool>,
    /// Gradient of the batch loss with respect to every parameter.
    pub param_grads: Lines,
    /// The batch's targets.
    target: Lines,
    /// The batch's sample weights (when the data has them).
    weights: Lines,
}

/// What the loss reads and writes: (input, targets, gradient, weights).
pub type LossViews<'a> = (&'a [f32], &'a [f32], &'a mut [f32], Option<&'a [f32]>);

impl Workspace {
    /// The sample weights of the last batch gathered (`rows` of them), if its data had weights.
    pub fn weights(&self, rows: usize, weighted: bool) -> Option<&[f32]> {
        weighted.then(|| &self.weights[..rows])
    }
}

impl Network {
    /// Buffers for training batches of up to `cap` rows, or `Error::Memory` if they cannot be had.
    pub fn workspace(&self, cap: usize) -> Result<Workspace> {
        let buf = |width: usize| -> Result<Lines> {
            Lines::zeros(checked_size(cap, width, "a batch buffer")?, "the batch buffers")
        };
        let values = self.inputs.len() + self.layers.len();
        let acts = (0..values).map(|v| buf(self.width(v))).collect::<Result<Vec<_>>>()?;
        let grads = (0..values).map(|v| buf(self.width(v))).collect::<Result<Vec<_>>>()?;
        let per = |f: &dyn Fn(&LayerSpec) -> bool, keep: &dyn Fn(usize) -> bool| -> Result<Vec<Lines>> {
            let nodes = self.layers.iter().enumerate();
            nodes.map(|(i, l)| if f(&l.spec) && keep(i) { buf(l.output) } else { Ok(Lines::default()) }).collect()
        };
        let is_bn = |s: &LayerSpec| matches!(s, LayerSpec::BatchNorm { .. });
        let bn_xhat = per(&is_bn, &|_| true)?;
        let bn = bn_xhat.into_iter().zip(&self.layers).map(|(x, l)| batch_norm::Cache::new(x, l.output)).collect();
        Ok(Workspace {
            cap,
            acts,
            pre: per(&|_| true, &|i| self.layers[i].keep_pre)?,
            masks: per(&|s| matches!(s, LayerSpec::Dropout { .. }), &|_| true)?,
            bn,
            grads,
            act_done: vec![false; values],
            param_grads: Lines::zeros(self.params.len(), "the gradients")?,
            target: buf(self.output_dim())?,
            weights: buf(1)?,
        })
    }

    /// Copy rows `idx` of the data's `x` (rows of `input_dim`, each input's columns in turn), `y` (rows `tw`
    /// wide: the output width, or 1 for class ids) and weights into the batch.
    pub fn gather(&self, ws: &mut Workspace, data: Data<'_>, tw: usize, idx: &[u32]) {
        let (x, y, iw, ow) = (data.x, data.y, self.input_dim, tw);
        if let Some(w) = data.w {
            copy_rows(&mut ws.weights, 1, w, 1, 0, idx);
        }
        let mut offset = 0;
        for (v, &w) in self.inputs.iter().enumerate() {
            gather_rows(&mut ws.acts[v], w, x, iw, offset, idx);
            offset += w;
        }
        copy_rows(&mut ws.target, ow, y, ow, 0, idx);
    }

    /// Training-mode forward pass over the `rows` rows gathered into `ws`. Dropout draws its mask (hashed
    /// from the optimizer's `step` count in a step of `fit`, else from its generator), BatchNormalization
    /// normalizes with batch statistics and updates its moving statistics.
    pub fn forward_train(&mut self, ws: &mut Workspace, rows: usize, step: Option<u32>, parallel: bool) -> Result<()> {
        let n_in = self.inputs.len();
        for i in 0..self.layers.len() {
            let (head, tail) = ws.acts.split_at_mut(n_in + i);
            let node = &self.layers[i];
            let y = &mut tail[0][..rows * node.output];
            let head: &[Lines] = head;
            let value = |v: usize| &head[v][..rows * width(&self.inputs, &self.layers, v)];
            let x = value(node.inputs[0]);
            match node.spec {
                LayerSpec::Dense { activation, use_bias, .. } => {
                    let ids = dense::Ids::new(node.weights.start, use_bias);
                    let (kernel, bias) = (self.w(ids.kernel), ids.bias.map(|b| self.w(b)));
                    let z = node.keep_pre.then(|| &mut ws.pre[i][..]);
                    let shape = (node.input, node.output);
                    dense::forward_train(x, rows, shape, kernel, bias, activation, z, y, parallel)?;
                }
                LayerSpec::Activation(a) => layers::activation::forward(a, x, y, node.output),
                LayerSpec::PRelu => layers::prelu::forward(self.w(WeightId(node.weights.start)), x, y),
                LayerSpec::LayerNorm { epsilon, center, scale } => {
                    let ids = layers::layer_norm::Ids::new(node.weights.start, center, scale);
                    let (gamma, beta) = (ids.gamma.map(|id| self.w(id)), ids.beta.map(|id| self.w(id)));
                    layers::layer_norm::forward(gamma, beta, epsilon, x, y, node.output);
                }
                LayerSpec::Dropout { rate, noise, .. } => {
                    let mask = &mut ws.masks[i][..rows * node.output];
                    let draws = match step {
                        Some(step) => dropout::Draws::Step { seed: self.dropout_seeds[i], step },
                        None => dropout::Draws::Rng(&mut self.dropout_rngs[i]),
                    };
                    dropout::forward_train(noise, rate, draws, x, mask, y);
                }
                LayerSpec::BatchNorm { momentum, epsilon, center, scale } => {
                    let ids = batch_norm::Ids::new(node.weights.start, center, scale);
                    if !node.trainable {
                        batch_norm::forward(&self.bn_params(&ids), epsilon, x, y, node.output);
                        continue;
                    }
                    batch_norm::forward_train(&self.bn_params(&ids), epsilon, x, y, node.output, &mut ws.bn[i]);
                    let mean = self.weights[ids.moving_mean.0].range();
                    let (lo, hi) = self.params.split_at_mut(mean.end);
                    let var = self.weights[ids.moving_variance.0].range();
                    let var = (var.start - mean.end)..(var.end - mean.end);
                    batch_norm::update_moving(&ws.bn[i], momentum, &mut lo[mean], &mut hi[var]);
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
                        let w = width(&self.inputs, &self.layers, v);
                        layers::concatenate::place(value(v), w, y, node.output, offset);
                        offset += w;
                    }
                }
                LayerSpec::Add => {
                    node.inputs.iter().enumerate().for_each(|(k, &v)| layers::add::forward(value(v), y, k == 0));
                }
                LayerSpec::Merge(op) => layers::merge::forward(op, node.inputs.len(), &|k| value(node.inputs[k]), y),
            }
        }
        Ok(())
    }

    /// `model(x, training=True)`: the training-mode forward pass over `rows` rows of `x` (each input's columns
    /// in turn), its output copied to `out`. Dropout draws its masks and BatchNormalization updates its
    /// moving statistics, as in a step of `fit`; nothing else changes.
    pub fn call_training(&mut self, ws: &mut Workspace, x: &[f32], rows: usize, out: &mut [f32]) -> Result<()> {
        let mut offset = 0;
        for (v, &w) in self.inputs.iter().enumerate() {
            for (dst, src) in ws.acts[v][..rows * w].chunks_exact_mut(w).zip(x.chunks_exact(self.input_dim)) {
                dst.copy_from_slice(&src[offset..offset + w]);
            }
            offset += w;
        }
        self.forward_train(ws, rows, None, false)?;
        out.copy_from_slice(self.output(ws, rows));
        Ok(())
    }

    /// What the loss reads and writes after a forward pass: (predictions or, with `logits`, the final
    /// activation's logits; targets; the gradient buffer of what it read; the batch's weights when
    /// `weighted`).
    pub fn loss_views<'a>(
        &self,
        ws: &'a mut Workspace,
        rows: usize,
        logits: Option<LogitsAt>,
        weighted: bool,
    ) -> LossViews<'a> {
        let len = rows * self.output_dim();
        let out = self.output_value();
        let (input, v): (&[f32], usize) = match logits {
            Some(LogitsAt::DensePre) => (&ws.pre[self.layers.len() - 1], out),
            Some(LogitsAt::ActivationInput) => {
                let v = self.layers[self.layers.len() - 1].inputs[0];
                (&ws.acts[v], v)
            }
            None => (&ws.acts[out], out),
        };
        let weights = weighted.then(|| &ws.weights[..rows]);
        (&input[..len], &ws.target[..len], &mut ws.grads[v][..len], weights)
    }

    /// The layers' activity penalties over the `rows` rows of the last forward pass: each `p(y)/rows`, the
    /// share of the batch's mean loss, times `rows` (what the loss sum gets per row of the batch).
    pub fn activity_penalty(&self, ws: &Workspace, rows: usize) -> f64 {
        let n_in = self.inputs.len();
        let with = self.layers.iter().enumerate();
        let with = with.filter_map(|(i, l)| crate::network_rules::activity_of(&l.spec).map(|p| (i, l, p)));
        with.map(|(i, l, p)| p.value(&ws.acts[n_in + i][..rows * l.output])).sum()
    }

    /// (predictions, targets) of the last forward pass.
    pub fn prediction_views<'a>(&self, ws: &'a Workspace, rows: usize) -> (&'a [f32], &'a [f32]) {
        let len = rows * self.output_dim();
        (&ws.acts[self.output_value()][..len], &ws.target[..len])
    }

    /// The logits of a final sigmoid or softmax in the last training forward pass (the metrics that read them:
    /// `Metric::reads_logits`), if the network ends in one.
    pub fn final_logits_view<'a>(&self, ws: &'a Workspace, rows: usize) -> Option<&'a [f32]> {
        let last = self.layers.len().checked_sub(1)?;
        let len = rows * self.output_dim();
        match crate::network::final_logits(&self.layers)?.0 {
            LogitsAt::DensePre => ws.pre[last].get(..len).filter(|_| self.layers[last].keep_pre),
            LogitsAt::ActivationInput => ws.acts[self.layers[last].inputs[0]].get(..len),
        }
    }

    /// The output of the last forward pass.
    pub fn output<'a>(&self, ws: &'a Workspace, rows: usize) -> &'a [f32] {
        self.prediction_views(ws, rows).0
    }

    /// The gradient with respect to the output, for the backward pass to start from.
    pub fn output_grad<'a>(&self, ws: &'a mut Workspace, rows: usize) -> &'a mut [f32] {
        &mut ws.grads[self.output_value()][..rows * self.output_dim()]
    }

    /// Backward pass. On entry the loss has written its gradient where `loss_views` pointed (with respect to
    /// the output, or to the logits when `from` is given). Fills `ws.param_grads`.
    pub fn backward(&self, ws: &mut Workspace, rows: usize, from: Option<LogitsAt>, parallel: bool) -> Result<()> {
        let n_in = self.inputs.len();
        let last = self.layers.len() - 1;
        ws.act_done.iter_mut().for_each(|d| *d = false);
        for (i, node) in self.layers.iter().enumerate().rev() {
            if i == last && from == Some(LogitsAt::ActivationInput) {
                continue;
            }
            let (wi, wo) = (node.input, node.output);
            let out = n_in + i;
            let (head, tail) = ws.grads.split_at_mut(out);
            let g = &mut tail[0][..rows * wo];
            let x = &ws.acts[node.inputs[0]][..rows * self.width(node.inputs[0])];
            let y = &ws.acts[out][..rows * wo];
            // The gradient of a single-input layer computed in place: hand it to the input.
            let pass_down = |g: &mut Lines, head: &mut [Lines]| {
                let v = node.inputs[0];
                if v >= n_in && node.accumulate[0] {
                    layers::store(&mut head[v][..rows * wi], &g[..rows * wi], true);
                } else if v >= n_in {
                    std::mem::swap(g, &mut head[v]);
                }
            };
            match node.spec {
                LayerSpec::Dense { activation, use_bias, .. } => {
                    let ids = dense::Ids::new(node.weights.start, use_bias);
                    let z = if node.keep_pre { &ws.pre[i][..rows * wo] } else { y };
                    let apply = !(ws.act_done[out] || i == last && from == Some(LogitsAt::DensePre));
                    let params = node.trainable.then(|| {
                        let k = self.weights[ids.kernel.0].range();
                        let (dk, rest) = ws.param_grads[k.start..].split_at_mut(k.len());
                        let db = ids.bias.map(|b| {
                            let r = self.weights[b.0].range();
                            &mut rest[r.start - k.end..r.end - k.end]
                        });
                        (dk, db)
                    });
                    let v = node.inputs[0];
                    let dx = (v >= n_in).then(|| {
                        // The relu derivative of a Dense layer below that only we read is applied as `dx` is
                        // stored.
                        let below = &self.layers[v - n_in];
                        let fuse = self.readers[v] == 1
                            && matches!(
                                below.spec,
                                LayerSpec::Dense { activation: crate::activation::Activation::Relu, .. }
                            );
                        ws.act_done[v] = fuse;
                        let dx = &mut head[v][..rows * wi];
                        dense::InputGrad { dx, accumulate: node.accumulate[0], relu_below: fuse.then_some(x) }
                    });
                    if let Some(p) = crate::network_rules::activity_of(&node.spec) {
                        let through = (i == last && from == Some(LogitsAt::DensePre)).then_some(activation);
                        crate::network_rules::add_activity_grad(p, y, g, wo, through);
                    }
                    let kernel = self.w(ids.kernel);
                    dense::backward(x, z, y, g, rows, (wi, wo), activation, apply, kernel, params, dx, parallel)?;
                }
                LayerSpec::Activation(a) => {
                    layers::activation::backward(a, x, y, g, wo);
                    pass_down(&mut tail[0], head);
                }
                LayerSpec::Dropout { noise, .. } => {
                    dropout::backward(noise, &ws.masks[i][..rows * wo], g);
                    pass_down(&mut tail[0], head);
                }
                LayerSpec::LayerNorm { epsilon, center, scale } => {
                    let ids = layers::layer_norm::Ids::new(node.weights.start, center, scale);
                    let (dgamma, dbeta) = match node.trainable {
                        true => two_mut(&mut ws.param_grads, self, ids.gamma, ids.beta),
                        false => (None, None),
                    };
                    let gamma = ids.gamma.map(|id| self.w(id));
                    layers::layer_norm::backward(gamma, epsilon, x, g, wo, dgamma, dbeta);
                    pass_down(&mut tail[0], head);
                }
                LayerSpec::PRelu => {
                    let id = WeightId(node.weights.start);
                    let dalpha = node.trainable.then(|| &mut ws.param_grads[self.weights[id.0].range()]);
                    layers::prelu::backward(self.w(id), x, g, dalpha);
                    pass_down(&mut tail[0], head);
                }
                LayerSpec::BatchNorm { epsilon, center, scale, .. } => {
                    let ids = batch_norm::Ids::new(node.weights.start, center, scale);
                    if node.trainable {
                        let (dgamma, dbeta) = two_mut(&mut ws.param_grads, self, ids.gamma, ids.beta);
                        let gamma = ids.gamma.map(|id| self.w(id));
                        batch_norm::backward(gamma, &mut ws.bn[i], g, wo, dgamma, dbeta);
                    } else {
                        batch_norm::backward_frozen(&self.bn_params(&ids), epsilon, g, wo);
                    }
                    pass_down(&mut tail[0], head);
                }
                LayerSpec::Encode { .. } => {
                    // An id does not change with its input: no gradient reaches the layer below.
                    let v = node.inputs[0];
                    if v >= n_in {
                        layers::encode::backward(&mut head[v][..rows * wi], node.accumulate[0]);
                    }
                }
                LayerSpec::Normalization { invert, .. } => {
                    // Nothing below a first layer needs its input's gradient.
                    if node.inputs[0] >= n_in {
                        layers::normalization::backward(&self.norm_stats(node), invert, g, wo);
                        pass_down(&mut tail[0], head);
                    }
                }
                LayerSpec::Rescale { ref scale, ref offset } => {
                    if node.inputs[0] >= n_in {
                        layers::rescale::backward(&layers::rescale::Affine { scale, offset }, g, wo);
                        pass_down(&mut tail[0], head);
                    }
                }
                LayerSpec::Concatenate => {
                    let mut offset = 0;
                    for (k, &v) in node.inputs.iter().enumerate() {
                        let w = self.width(v);
                        if v >= n_in {
                            let dx = &mut head[v][..rows * w];
                            layers::concatenate::backward(g, wo, offset, dx, w, node.accumulate[k]);
                        }
                        offset += w;
                    }
                }
                LayerSpec::Add => {
                    for (k, &v) in node.inputs.iter().enumerate().filter(|&(_, &v)| v >= n_in) {
                        layers::add::backward(g, &mut head[v][..rows * wo], node.accumulate[k]);
                    }
                }
                LayerSpec::Merge(op) => {
                    let input = |k: usize| &ws.acts[node.inputs[k]][..rows * wo];
                    for (k, &v) in node.inputs.iter().enumerate() {
                        let dx = (v >= n_in).then(|| &mut head[v][..rows * wo]);
                        layers::merge::backward(op, node.inputs.len(), k, &input, y, g, dx, node.accumulate[k]);
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
