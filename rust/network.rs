//! A built network (the "plan"): layers fixed to an input width, all parameters in one contiguous vector
//! in Keras's weight order, and the forward and backward passes over a preallocated `Workspace`.
//!
//! Dense: `z = x·W + b` (bias written first, the product accumulated onto it), `y = f(z)`; backward
//! `dz = dy·f'(z)`, `dW = xᵀ·dz`, `db = Σ_rows dz`, `dx = dz·Wᵀ`. BatchNormalization (training):
//! `x̂ = (x−μ)/√(σ²+ε)`, `y = γx̂ + β`, `dx = (γ/√(σ²+ε))·(dy − mean(dy) − x̂·mean(dy·x̂))`.

use std::ops::Range;

use crate::activation::Activation;
use crate::error::{checked_size, try_resize, try_zeros, Error, Result};
use crate::layer::{LayerSpec, WeightInfo};
use crate::matmul::{matmul, matmul_fused, Epilogue, Layout};
use crate::rng::Rng;

/// Rows up to which a Dense layer uses the row-by-row (GEMV) path instead of the blocked GEMM.
pub const GEMV_MAX_ROWS: usize = 4;

/// A layer fixed to its input width.
#[derive(Debug, Clone)]
pub struct BuiltLayer {
    /// The layer's specification.
    pub spec: LayerSpec,
    /// Input width.
    pub input: usize,
    /// Output width.
    pub output: usize,
    /// Indices into `Network::weights`.
    pub weights: Range<usize>,
    /// Keras's `layer.trainable`: when false its weights are frozen and BatchNormalization runs in
    /// inference mode.
    pub trainable: bool,
    /// Whether the forward pass keeps the pre-activation `z` (Dense only).
    keep_pre: bool,
}

/// Where the final sigmoid's logits live, for losses computed from logits (KERAS_COMPAT §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogitsAt {
    /// The last layer is `Dense(activation="sigmoid")`: its pre-activation buffer.
    DensePre,
    /// The last layer is `Activation("sigmoid")`: its input.
    ActivationInput,
}

/// A network built for one input width.
#[derive(Debug, Clone)]
pub struct Network {
    /// Input width.
    pub input_dim: usize,
    /// Layers in order.
    pub layers: Vec<BuiltLayer>,
    /// Every weight, Keras order.
    pub weights: Vec<WeightInfo>,
    /// All parameter values, each weight a contiguous row-major slice.
    pub params: Vec<f32>,
    dropout_rngs: Vec<Rng>,
}

/// (gamma, beta, moving_mean, moving_variance) of a BatchNormalization layer; gamma and beta are optional.
type BnParams<'a> = (Option<&'a [f32]>, Option<&'a [f32]>, &'a [f32], &'a [f32]);

/// Buffers for training on batches of up to `cap` rows: allocated once, reused every step.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Row capacity.
    pub cap: usize,
    /// `acts[0]` is the input batch, `acts[i+1]` the output of layer `i`.
    acts: Vec<Vec<f32>>,
    pre: Vec<Vec<f32>>,
    masks: Vec<Vec<f32>>,
    bn_xhat: Vec<Vec<f32>>,
    bn_inv_std: Vec<Vec<f32>>,
    bn_mean: Vec<Vec<f64>>,
    bn_var: Vec<Vec<f64>>,
    /// Gradient of the batch loss with respect to the current layer's output; the loss writes it.
    pub grad: Vec<f32>,
    grad_next: Vec<f32>,
    /// Gradient of the batch loss with respect to every parameter.
    pub param_grads: Vec<f32>,
    /// The batch's targets.
    pub target: Vec<f32>,
}

/// Two buffers for the inference pass (ping-pong between layers).
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    a: Vec<f32>,
    b: Vec<f32>,
}

impl Network {
    /// Build `specs` for inputs of width `input_dim`, drawing kernels from glorot_uniform with `seed`.
    pub fn new(input_dim: usize, specs: Vec<LayerSpec>, seed: u64) -> Result<Self> {
        if input_dim == 0 {
            return Err(Error::value("The input width must be a positive integer. Received: input_dim=0"));
        }
        if specs.is_empty() {
            return Err(Error::value("A network needs at least one layer. Received: layers=[]"));
        }
        // Size everything first: an absurd width is a clear error, never an overflow or an aborted allocation.
        let mut total = 0usize;
        let mut w = input_dim;
        for spec in &specs {
            spec.validate()?;
            total = total
                .checked_add(spec.param_count(w)?)
                .ok_or_else(|| Error::value("the network's parameter count overflows".to_string()))?;
            w = spec.output_width(w);
        }
        let mut params = Vec::new();
        try_resize(&mut params, total, 0.0, "the network's parameters")?;
        params.clear();
        let mut init = Rng::new(seed, 0);
        let mut layers = Vec::with_capacity(specs.len());
        let mut weights = Vec::new();
        let mut dropout_rngs = Vec::with_capacity(specs.len());
        let mut width = input_dim;
        let last = specs.len() - 1;
        for (i, spec) in specs.into_iter().enumerate() {
            spec.validate()?;
            let first = weights.len();
            for (name, shape, trainable) in spec.weight_shapes(width) {
                let info = WeightInfo { name, shape, offset: params.len(), trainable };
                let n = info.len();
                match name {
                    "kernel" => {
                        let (fan_in, fan_out) = (info.shape[0], info.shape[1]);
                        let limit = (6.0 / (fan_in + fan_out) as f64).sqrt() as f32;
                        let start = params.len();
                        params.resize(start + n, 0.0);
                        init.fill_uniform(&mut params[start..], limit);
                    }
                    "gamma" | "moving_variance" => params.resize(params.len() + n, 1.0),
                    _ => params.resize(params.len() + n, 0.0),
                }
                weights.push(info);
            }
            let keep_pre = match spec {
                LayerSpec::Dense { activation, .. } => {
                    activation.needs_input() || (i == last && activation == Activation::Sigmoid)
                }
                _ => false,
            };
            let dseed = match spec {
                LayerSpec::Dropout { seed: Some(s), .. } => s,
                _ => seed.wrapping_add(i as u64),
            };
            dropout_rngs.push(Rng::new(dseed, 3));
            let output = spec.output_width(width);
            layers.push(BuiltLayer {
                spec,
                input: width,
                output,
                weights: first..weights.len(),
                trainable: true,
                keep_pre,
            });
            width = output;
        }
        Ok(Network { input_dim, layers, weights, params, dropout_rngs })
    }

    /// Output width.
    pub fn output_dim(&self) -> usize {
        self.layers.last().map_or(self.input_dim, |l| l.output)
    }

    /// The widest activation, input included.
    pub fn max_width(&self) -> usize {
        self.layers.iter().map(|l| l.output).fold(self.input_dim, usize::max)
    }

    /// Parameter ranges the optimizer updates.
    pub fn trainable_ranges(&self) -> Vec<Range<usize>> {
        let mut v = Vec::new();
        self.trainable_ranges_into(&mut v);
        v
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

    /// Where the logits of a final sigmoid are, if the network ends in one.
    pub fn sigmoid_logits(&self) -> Option<LogitsAt> {
        match self.layers.last().map(|l| &l.spec) {
            Some(LayerSpec::Dense { activation: Activation::Sigmoid, .. }) => Some(LogitsAt::DensePre),
            Some(LayerSpec::Activation(Activation::Sigmoid)) => Some(LogitsAt::ActivationInput),
            _ => None,
        }
    }

    /// Inference on `rows` rows of `x` into `out` (rows × output_dim). Allocates only when `scratch` grows.
    pub fn infer(&self, x: &[f32], rows: usize, out: &mut [f32], scratch: &mut Scratch, parallel: bool) -> Result<()> {
        self.infer_to(x, rows, out, scratch, parallel, false)
    }

    /// `infer`, optionally stopping before a final sigmoid so that `out` holds its logits.
    pub fn infer_to(
        &self,
        x: &[f32],
        rows: usize,
        out: &mut [f32],
        scratch: &mut Scratch,
        parallel: bool,
        logits: bool,
    ) -> Result<()> {
        let skip_last = logits && self.sigmoid_logits().is_some();
        let need = checked_size(rows, self.max_width(), "the inference buffer")?;
        if scratch.a.len() < need {
            try_resize(&mut scratch.a, need, 0.0, "the inference buffers")?;
            try_resize(&mut scratch.b, need, 0.0, "the inference buffers")?;
        }
        let n = self.layers.len();
        for (i, layer) in self.layers.iter().enumerate() {
            let (src, dst): (&[f32], &mut [f32]) = if i == 0 {
                (&x[..rows * layer.input], if n == 1 { &mut *out } else { &mut scratch.a })
            } else if i == n - 1 {
                (if i % 2 == 1 { &scratch.a } else { &scratch.b }, &mut *out)
            } else if i % 2 == 1 {
                (&scratch.a, &mut scratch.b)
            } else {
                (&scratch.b, &mut scratch.a)
            };
            let (src, dst) = (&src[..rows * layer.input], &mut dst[..rows * layer.output]);
            if skip_last && i == n - 1 {
                self.layer_logits(layer, src, rows, dst, parallel)?;
            } else {
                self.layer_infer(layer, src, rows, dst, parallel)?;
            }
        }
        Ok(())
    }

    /// A final sigmoid layer without its sigmoid.
    fn layer_logits(&self, layer: &BuiltLayer, x: &[f32], rows: usize, y: &mut [f32], parallel: bool) -> Result<()> {
        match layer.spec {
            LayerSpec::Dense { use_bias, .. } => {
                let kernel = &self.params[self.weights[layer.weights.start].range()];
                let bias = use_bias.then(|| &self.params[self.weights[layer.weights.start + 1].range()]);
                dense_forward(x, rows, layer.input, layer.output, kernel, bias, Activation::Linear, y, parallel)
            }
            _ => {
                y.copy_from_slice(x);
                Ok(())
            }
        }
    }

    fn layer_infer(&self, layer: &BuiltLayer, x: &[f32], rows: usize, y: &mut [f32], parallel: bool) -> Result<()> {
        match layer.spec {
            LayerSpec::Dense { activation, use_bias, .. } => {
                let kernel = &self.params[self.weights[layer.weights.start].range()];
                let bias = use_bias.then(|| &self.params[self.weights[layer.weights.start + 1].range()]);
                dense_forward(x, rows, layer.input, layer.output, kernel, bias, activation, y, parallel)?;
            }
            LayerSpec::Activation(a) => a.forward(x, y, layer.output),
            LayerSpec::Dropout { .. } => y.copy_from_slice(x),
            LayerSpec::BatchNorm { epsilon, .. } => {
                let (gamma, beta, mean, var) = self.bn_params(layer);
                let w = layer.input;
                for (xr, yr) in x.chunks_exact(w).zip(y.chunks_exact_mut(w)) {
                    for j in 0..w {
                        let g = gamma.map_or(1.0, |g| g[j]);
                        let b = beta.map_or(0.0, |b| b[j]);
                        yr[j] = (xr[j] - mean[j]) / (var[j] + epsilon).sqrt() * g + b;
                    }
                }
            }
        }
        Ok(())
    }

    /// (gamma, beta, moving_mean, moving_variance) slices of a BatchNormalization layer.
    fn bn_params(&self, layer: &BuiltLayer) -> BnParams<'_> {
        let ws = &self.weights[layer.weights.clone()];
        let find = |name: &str| ws.iter().find(|w| w.name == name).map(|w| &self.params[w.range()]);
        (find("gamma"), find("beta"), find("moving_mean").unwrap_or(&[]), find("moving_variance").unwrap_or(&[]))
    }

    /// Buffers for training batches of up to `cap` rows, or `Error::Memory` if they cannot be had.
    pub fn workspace(&self, cap: usize) -> Result<Workspace> {
        let buf = |width: usize| -> Result<Vec<f32>> {
            try_zeros(checked_size(cap, width, "a batch buffer")?, "the batch buffers")
        };
        let mut acts = vec![buf(self.input_dim)?];
        for l in &self.layers {
            acts.push(buf(l.output)?);
        }
        let per = |f: &dyn Fn(&BuiltLayer) -> bool| -> Result<Vec<Vec<f32>>> {
            self.layers.iter().map(|l| if f(l) { buf(l.output) } else { Ok(Vec::new()) }).collect()
        };
        let is_bn = |l: &BuiltLayer| matches!(l.spec, LayerSpec::BatchNorm { .. });
        let bn_f64: Vec<Vec<f64>> =
            self.layers.iter().map(|l| if is_bn(l) { vec![0.0; l.output] } else { Vec::new() }).collect();
        Ok(Workspace {
            cap,
            acts,
            pre: per(&|l| l.keep_pre)?,
            masks: per(&|l| matches!(l.spec, LayerSpec::Dropout { .. }))?,
            bn_xhat: per(&is_bn)?,
            bn_inv_std: self.layers.iter().map(|l| if is_bn(l) { vec![0.0; l.output] } else { Vec::new() }).collect(),
            bn_mean: bn_f64.clone(),
            bn_var: bn_f64,
            grad: buf(self.max_width())?,
            grad_next: buf(self.max_width())?,
            param_grads: try_zeros(self.params.len(), "the gradients")?,
            target: buf(self.output_dim())?,
        })
    }

    /// Training-mode forward pass over the `rows` rows already in `ws.input_mut()`. Dropout draws its mask,
    /// BatchNormalization normalizes with batch statistics and updates its moving statistics.
    pub fn forward_train(&mut self, ws: &mut Workspace, rows: usize, parallel: bool) -> Result<()> {
        for i in 0..self.layers.len() {
            let (head, tail) = ws.acts.split_at_mut(i + 1);
            let x = &head[i][..rows * self.layers[i].input];
            let y = &mut tail[0][..rows * self.layers[i].output];
            let layer = &self.layers[i];
            match layer.spec {
                LayerSpec::Dense { activation, use_bias, .. } => {
                    let kernel = &self.params[self.weights[layer.weights.start].range()];
                    let bias = use_bias.then(|| &self.params[self.weights[layer.weights.start + 1].range()]);
                    if layer.keep_pre {
                        let z = &mut ws.pre[i][..rows * layer.output];
                        let linear = Activation::Linear;
                        dense_forward(x, rows, layer.input, layer.output, kernel, bias, linear, z, parallel)?;
                        activation.forward(z, y, layer.output);
                    } else {
                        dense_forward(x, rows, layer.input, layer.output, kernel, bias, activation, y, parallel)?;
                    }
                }
                LayerSpec::Activation(a) => a.forward(x, y, layer.output),
                LayerSpec::Dropout { rate, .. } => {
                    let mask = &mut ws.masks[i][..rows * layer.output];
                    let keep = if rate >= 1.0 { 0.0 } else { 1.0 / (1.0 - rate) };
                    let rng = &mut self.dropout_rngs[i];
                    for ((m, y), &x) in mask.iter_mut().zip(y.iter_mut()).zip(x) {
                        *m = if rate > 0.0 && rng.next_f32() < rate { 0.0 } else { keep };
                        *y = x * *m;
                    }
                }
                LayerSpec::BatchNorm { momentum, epsilon, .. } => {
                    if !layer.trainable {
                        let layer = layer.clone();
                        self.layer_infer(&layer, x, rows, y, false)?;
                        continue;
                    }
                    let w = layer.input;
                    let xhat = &mut ws.bn_xhat[i][..rows * w];
                    let inv_std = &mut ws.bn_inv_std[i];
                    let mean = &mut ws.bn_mean[i];
                    let var = &mut ws.bn_var[i];
                    batch_moments(x, w, mean, var);
                    let weights = &self.weights[layer.weights.clone()];
                    let find = |n: &str| weights.iter().find(|w| w.name == n).map(|w| w.range());
                    let (gamma, beta) = (find("gamma"), find("beta"));
                    let (mean_r, var_r) = (find("moving_mean"), find("moving_variance"));
                    for j in 0..w {
                        inv_std[j] = 1.0 / (var[j] as f32 + epsilon).sqrt();
                    }
                    let gamma = gamma.map(|r| &self.params[r]);
                    let beta = beta.map(|r| &self.params[r]);
                    for ((xr, hr), yr) in x.chunks_exact(w).zip(xhat.chunks_exact_mut(w)).zip(y.chunks_exact_mut(w)) {
                        for j in 0..w {
                            hr[j] = (xr[j] - mean[j] as f32) * inv_std[j];
                            yr[j] = hr[j] * gamma.map_or(1.0, |g| g[j]) + beta.map_or(0.0, |b| b[j]);
                        }
                    }
                    if let (Some(mr), Some(vr)) = (mean_r, var_r) {
                        for (j, mm) in self.params[mr].iter_mut().enumerate() {
                            *mm = *mm * momentum + mean[j] as f32 * (1.0 - momentum);
                        }
                        for (j, mv) in self.params[vr].iter_mut().enumerate() {
                            *mv = *mv * momentum + var[j] as f32 * (1.0 - momentum);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The batch input buffer of a workspace (`rows` × input_dim).
    pub fn input_mut<'a>(&self, ws: &'a mut Workspace, rows: usize) -> &'a mut [f32] {
        &mut ws.acts[0][..rows * self.input_dim]
    }

    /// What the loss reads and writes after a forward pass: (predictions or, with `logits`, the final
    /// sigmoid's logits; targets; the gradient buffer).
    pub fn loss_views<'a>(
        &self,
        ws: &'a mut Workspace,
        rows: usize,
        logits: Option<LogitsAt>,
    ) -> (&'a [f32], &'a [f32], &'a mut [f32]) {
        let n = self.layers.len();
        let len = rows * self.output_dim();
        let input: &[f32] = match logits {
            Some(LogitsAt::DensePre) => &ws.pre[n - 1][..len],
            Some(LogitsAt::ActivationInput) => &ws.acts[n - 1][..len],
            None => &ws.acts[n][..len],
        };
        (input, &ws.target[..len], &mut ws.grad[..len])
    }

    /// (predictions, targets) of the last forward pass.
    pub fn prediction_views<'a>(&self, ws: &'a Workspace, rows: usize) -> (&'a [f32], &'a [f32]) {
        let len = rows * self.output_dim();
        (&ws.acts[self.layers.len()][..len], &ws.target[..len])
    }

    /// Backward pass. On entry `ws.grad` holds the loss gradient with respect to the network's output, or
    /// with respect to the logits when `from` is given. Fills `ws.param_grads`.
    pub fn backward(&self, ws: &mut Workspace, rows: usize, from: Option<LogitsAt>, parallel: bool) -> Result<()> {
        let n = self.layers.len();
        let top = if from == Some(LogitsAt::ActivationInput) { n - 1 } else { n };
        // Set when the product that made `ws.grad` already applied this layer's relu derivative.
        let mut relu_applied = false;
        for i in (0..top).rev() {
            let layer = &self.layers[i];
            let (win, wout) = (layer.input, layer.output);
            let x = &ws.acts[i][..rows * win];
            let y = &ws.acts[i + 1][..rows * wout];
            let g = &mut ws.grad[..rows * wout];
            match layer.spec {
                LayerSpec::Dense { activation, use_bias, .. } => {
                    if !(relu_applied || i == n - 1 && from == Some(LogitsAt::DensePre)) {
                        let z = if layer.keep_pre { &ws.pre[i][..rows * wout] } else { y };
                        activation.backward_inplace(z, y, g, wout);
                    }
                    let kinfo = &self.weights[layer.weights.start];
                    if layer.trainable {
                        let dw = &mut ws.param_grads[kinfo.range()];
                        matmul(dw, x, Layout::Transposed, g, Layout::Plain, win, rows, wout, false, parallel)?;
                        if use_bias {
                            let db = &mut ws.param_grads[self.weights[layer.weights.start + 1].range()];
                            db.fill(0.0);
                            for gr in g.chunks_exact(wout) {
                                db.iter_mut().zip(gr).for_each(|(d, &v)| *d += v);
                            }
                        }
                    }
                    relu_applied = false;
                    if i > 0 {
                        // When the layer below is a relu Dense, its derivative (zero where its output,
                        // our input `x`, is not positive) is applied as the input gradient is stored.
                        let below_relu =
                            matches!(self.layers[i - 1].spec, LayerSpec::Dense { activation: Activation::Relu, .. });
                        let epi = Epilogue { mask: below_relu.then_some(x), ..Epilogue::default() };
                        let kernel = &self.params[kinfo.range()];
                        let gx = &mut ws.grad_next[..rows * win];
                        let shape = (rows, wout, win);
                        matmul_fused(gx, g, Layout::Plain, kernel, Layout::Transposed, shape, false, parallel, epi)?;
                        std::mem::swap(&mut ws.grad, &mut ws.grad_next);
                        relu_applied = below_relu;
                    }
                }
                LayerSpec::Activation(a) => a.backward_inplace(x, y, g, wout),
                LayerSpec::Dropout { .. } => {
                    g.iter_mut().zip(&ws.masks[i][..rows * wout]).for_each(|(g, m)| *g *= m);
                }
                LayerSpec::BatchNorm { epsilon, .. } => self.bn_backward(layer, i, ws, rows, epsilon),
            }
        }
        Ok(())
    }

    fn bn_backward(&self, layer: &BuiltLayer, i: usize, ws: &mut Workspace, rows: usize, epsilon: f32) {
        let w = layer.input;
        let (gamma, _, _, mvar) = self.bn_params(layer);
        let g = &mut ws.grad[..rows * w];
        if !layer.trainable {
            // Frozen: an affine map with the moving statistics.
            for gr in g.chunks_exact_mut(w) {
                for j in 0..w {
                    gr[j] *= gamma.map_or(1.0, |g| g[j]) / (mvar[j] + epsilon).sqrt();
                }
            }
            return;
        }
        let xhat = &ws.bn_xhat[i][..rows * w];
        let inv_std = &ws.bn_inv_std[i];
        // The forward pass's moment buffers are free again: reuse them for the two column sums.
        let sum_g = &mut ws.bn_mean[i];
        let sum_gx = &mut ws.bn_var[i];
        sum_g.fill(0.0);
        sum_gx.fill(0.0);
        for (gr, hr) in g.chunks_exact(w).zip(xhat.chunks_exact(w)) {
            for j in 0..w {
                sum_g[j] += gr[j] as f64;
                sum_gx[j] += (gr[j] * hr[j]) as f64;
            }
        }
        let ws_weights = &self.weights[layer.weights.clone()];
        for info in ws_weights {
            let dst = &mut ws.param_grads[info.range()];
            match info.name {
                "gamma" => dst.iter_mut().zip(sum_gx.iter()).for_each(|(d, &s)| *d = s as f32),
                "beta" => dst.iter_mut().zip(sum_g.iter()).for_each(|(d, &s)| *d = s as f32),
                _ => {}
            }
        }
        let m = rows as f64;
        for (gr, hr) in g.chunks_exact_mut(w).zip(xhat.chunks_exact(w)) {
            for j in 0..w {
                let scale = gamma.map_or(1.0, |g| g[j]) * inv_std[j];
                let mean_g = (sum_g[j] / m) as f32;
                let mean_gx = (sum_gx[j] / m) as f32;
                gr[j] = scale * (gr[j] - mean_g - hr[j] * mean_gx);
            }
        }
    }
}

fn weight_index_error(i: usize, n: usize) -> Error {
    Error::value(format!("weight index out of range: the network has {n} weights. Received: index={i}"))
}

/// Mean and biased variance of each column, in f64.
fn batch_moments(x: &[f32], w: usize, mean: &mut [f64], var: &mut [f64]) {
    mean.fill(0.0);
    var.fill(0.0);
    let rows = (x.len() / w).max(1) as f64;
    for r in x.chunks_exact(w) {
        for j in 0..w {
            mean[j] += r[j] as f64;
        }
    }
    mean.iter_mut().for_each(|m| *m /= rows);
    for r in x.chunks_exact(w) {
        for j in 0..w {
            let d = r[j] as f64 - mean[j];
            var[j] += d * d;
        }
    }
    var.iter_mut().for_each(|v| *v /= rows);
}

/// `y = act(x·W + b)` for `rows` rows. The bias, and relu, are applied as the product's tiles are stored;
/// other activations in a pass over `y` afterwards (`Linear` leaves `x·W + b`).
#[allow(clippy::too_many_arguments)]
pub fn dense_forward(
    x: &[f32],
    rows: usize,
    input: usize,
    output: usize,
    kernel: &[f32],
    bias: Option<&[f32]>,
    activation: Activation,
    y: &mut [f32],
    parallel: bool,
) -> Result<()> {
    let y = &mut y[..rows * output];
    if rows <= GEMV_MAX_ROWS {
        match bias {
            Some(b) => y.chunks_exact_mut(output).for_each(|r| r.copy_from_slice(b)),
            None => y.fill(0.0),
        }
        for (xr, yr) in x.chunks_exact(input).zip(y.chunks_exact_mut(output)) {
            if parallel {
                crate::gemv::accumulate_row_split(yr, xr, kernel);
            } else {
                crate::gemv::accumulate_row(yr, xr, kernel);
            }
        }
        activation.forward_inplace(y, output);
        return Ok(());
    }
    let relu = activation == Activation::Relu;
    let epi = Epilogue { bias, relu, mask: None };
    matmul_fused(y, x, Layout::Plain, kernel, Layout::Plain, (rows, input, output), false, parallel, epi)?;
    if !relu {
        activation.forward_inplace(y, output);
    }
    Ok(())
}
