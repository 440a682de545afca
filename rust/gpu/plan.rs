//! The network on the device: one buffer per weight (so no binding exceeds the adapter's limit unless one
//! weight does), its gradient and optimizer slots, and the per-batch workspace (activations, pre-activations,
//! dropout masks, BatchNormalization statistics, gradients, targets, per-row loss and metric values).

use crate::backend::Compiled;
use crate::error::{Error, Result};
use crate::layer::{LayerSpec, WeightInfo};
use crate::layers::encode::EncodeMode;
use crate::layers::WeightId;
use crate::network::{LogitsAt, Network, Node};
use crate::optimizer::OptimizerKind;

pub(crate) use super::act_ids::{act_bounds, act_id, in_epilogue};
use super::context::Ctx;

/// A weight's buffers.
pub(crate) struct DevWeight {
    /// Values.
    pub param: wgpu::Buffer,
    /// Gradient, for weights the optimizer may update.
    pub grad: Option<wgpu::Buffer>,
    /// Optimizer slots in `OptimizerKind::slot_names` order (empty when not compiled or not trainable).
    pub slots: Vec<wgpu::Buffer>,
}

/// The structure of a `Network` and its weights on the device.
pub(crate) struct DevNet {
    pub input_dim: usize,
    /// Each model input's width (values `0..inputs.len()`).
    pub inputs: Vec<usize>,
    pub output_dim: usize,
    /// The widest value, or row of inputs.
    pub max_width: usize,
    /// The graph's nodes, as in `Network::layers`.
    pub layers: Vec<Node>,
    /// How many layers read each value.
    pub readers: Vec<usize>,
    pub weights: Vec<WeightInfo>,
    /// Whether the optimizer updates weight `i` (its flag and its layer's).
    pub trainable: Vec<bool>,
    pub w: Vec<DevWeight>,
    /// Seed of each layer's dropout hash.
    pub dropout_seeds: Vec<u32>,
    /// Per layer: the (mean, variance) a Normalization layer was given rather than holds as weights, or a
    /// Rescaling layer's (offset, scale), which the same kernels apply (their RAW mode).
    pub norm_fixed: Vec<Option<(wgpu::Buffer, wgpu::Buffer)>>,
    /// Per layer: a Discretization layer's bin boundaries (an unread value for a CategoryEncoding layer).
    pub encode_bins: Vec<Option<wgpu::Buffer>>,
}

/// The encode kernel's MODE for an output mode.
pub(crate) fn encode_mode_id(mode: EncodeMode) -> u32 {
    match mode {
        EncodeMode::Int => 0,
        EncodeMode::OneHot => 1,
        EncodeMode::MultiHot => 2,
        EncodeMode::Count => 3,
    }
}

impl DevNet {
    /// Upload `net` (and, when given, the optimizer slots of `compiled`).
    pub fn upload(ctx: &Ctx, net: &Network, compiled: Option<&Compiled>) -> Result<DevNet> {
        let trainable: Vec<bool> = (0..net.weights.len()).map(|i| net.weight_trainable(i)).collect();
        let n_slots = compiled.map_or(0, |c| c.optimizer.slots.len());
        let mut w = Vec::with_capacity(net.weights.len());
        for info in &net.weights {
            let range = info.range();
            let values = net
                .params
                .get(range.clone())
                .ok_or_else(|| Error::State(format!("weight {} lies outside the parameter vector", info.name)))?;
            let param = ctx.storage_with(values, &format!("weight {}", info.name))?;
            let (grad, slots) = if info.trainable {
                let g = ctx.storage(info.len(), &format!("the gradient of {}", info.name))?;
                let mut slots = Vec::with_capacity(n_slots);
                if let Some(c) = compiled {
                    for s in &c.optimizer.slots {
                        let v = s.get(range.clone()).ok_or_else(|| {
                            Error::State("the optimizer's slots do not match the network's parameters".into())
                        })?;
                        slots.push(ctx.storage_with(v, &format!("an optimizer slot of {}", info.name))?);
                    }
                }
                (Some(g), slots)
            } else {
                (None, Vec::new())
            };
            w.push(DevWeight { param, grad, slots });
        }
        // The CPU's seeds: both devices draw a step's masks from the same hashes (layers/dropout.rs).
        let dropout_seeds = net.dropout_seeds.clone();
        let mut norm_fixed = Vec::with_capacity(net.layers.len());
        for l in &net.layers {
            norm_fixed.push(match &l.spec {
                LayerSpec::Normalization { fixed: Some((m, v)), .. } => Some((
                    ctx.storage_with(m, "Normalization's mean")?,
                    ctx.storage_with(v, "Normalization's variance")?,
                )),
                // Rescaling's (offset, scale), each one value per column for the kernels' one `per_col`.
                LayerSpec::Rescale { scale, offset } => {
                    let per_col = |v: &[f32]| (0..l.output).map(|j| v[if v.len() == 1 { 0 } else { j }]).collect();
                    let (offset, scale): (Vec<f32>, Vec<f32>) = (per_col(offset), per_col(scale));
                    Some((
                        ctx.storage_with(&offset, "Rescaling's offset")?,
                        ctx.storage_with(&scale, "Rescaling's scale")?,
                    ))
                }
                _ => None,
            });
        }
        let mut encode_bins = Vec::with_capacity(net.layers.len());
        for l in &net.layers {
            encode_bins.push(match &l.spec {
                // (A buffer holds at least one value: an empty list of boundaries binds a placeholder.)
                LayerSpec::Encode { bins, .. } => {
                    let values = bins.as_deref().filter(|b| !b.is_empty()).unwrap_or(&[0.0]);
                    Some(ctx.storage_with(values, "Discretization's boundaries")?)
                }
                _ => None,
            });
        }
        Ok(DevNet {
            input_dim: net.input_dim,
            inputs: net.inputs.clone(),
            output_dim: net.output_dim(),
            max_width: net.max_width().max(net.input_dim),
            layers: net.layers.clone(),
            readers: net.readers.clone(),
            weights: net.weights.clone(),
            trainable,
            w,
            dropout_seeds,
            norm_fixed,
            encode_bins,
        })
    }

    /// Encode layer `i`'s boundaries buffer.
    pub fn encode_bins(&self, i: usize) -> Result<&wgpu::Buffer> {
        self.encode_bins[i].as_ref().ok_or_else(|| Error::State(format!("layer {i} has no boundaries buffer")))
    }

    /// Normalization layer `i`'s (mean, variance) buffers and whether they hold one value per column (for a
    /// Rescaling layer, its (offset, scale) per column).
    pub fn norm_stats(&self, i: usize) -> (&wgpu::Buffer, &wgpu::Buffer, bool) {
        let l = &self.layers[i];
        match (&self.norm_fixed[i], &l.spec) {
            (Some((m, v)), LayerSpec::Normalization { fixed: Some((mean, _)), .. }) => (m, v, mean.len() != 1),
            (Some((offset, scale)), LayerSpec::Rescale { .. }) => (offset, scale, true),
            _ => {
                let ids = crate::layers::normalization::Ids::new(l.weights.start);
                let per_col = self.weights[ids.mean.0].len() != 1;
                (&self.w(ids.mean).param, &self.w(ids.variance).param, per_col)
            }
        }
    }

    /// The buffers of a weight.
    pub fn w(&self, id: WeightId) -> &DevWeight {
        &self.w[id.0]
    }

    /// (input, output) widths of the Dense layers whose kernel gradient is computed.
    pub fn dense_shapes(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.layers
            .iter()
            .filter(|l| matches!(l.spec, LayerSpec::Dense { .. }) && l.trainable)
            .map(|l| (l.input, l.output))
    }

    /// The width of value `v`.
    pub fn width(&self, v: usize) -> usize {
        crate::network::width(&self.inputs, &self.layers, v)
    }

    /// The network's output value.
    pub fn output_value(&self) -> usize {
        self.inputs.len() + self.layers.len() - 1
    }

    /// Whether the structure (graph, widths, weights) equals `net`'s.
    pub fn same_structure(&self, net: &Network) -> bool {
        self.inputs == net.inputs
            && self.weights == net.weights
            && self.layers.len() == net.layers.len()
            && self.layers.iter().zip(&net.layers).all(|(a, b)| a.spec == b.spec && a.inputs == b.inputs)
    }
}

/// BatchNormalization buffers of one layer.
pub(crate) struct BnBufs {
    pub xhat: wgpu::Buffer,
    pub mean: wgpu::Buffer,
    pub inv_std: wgpu::Buffer,
    pub sum_g: wgpu::Buffer,
    pub sum_gx: wgpu::Buffer,
}

/// Buffers for batches of up to `cap` rows.
pub(crate) struct Workspace {
    /// The batch's rows of inputs (`cap × input_dim`): the gather and predict write here.
    pub x: wgpu::Buffer,
    /// Every value of the batch: the inputs (with one input, `x` itself), then each node's output.
    pub acts: Vec<wgpu::Buffer>,
    pub pre: Vec<Option<wgpu::Buffer>>,
    pub masks: Vec<Option<wgpu::Buffer>>,
    pub bn: Vec<Option<BnBufs>>,
    /// A LayerNormalization layer's per-row mean (as its offset from the row's first value) and 1/√(var + ε)
    /// (`cap × 2`), written by its forward pass.
    pub row_stats: Vec<Option<wgpu::Buffer>>,
    /// Per value, the gradient with respect to it: every value when training, else only the loss's.
    pub grads: Vec<Option<wgpu::Buffer>>,
    /// Where an input gradient is made before it is added to a value's (cap × widest value; training only).
    pub grad_tmp: Option<wgpu::Buffer>,
    /// The split-K parts of the weight gradients (gemm.rs; training only, and only where a product splits).
    pub splitk: Option<wgpu::Buffer>,
    /// `cap` ones, the vector a bias gradient's column sums are taken with (training only).
    pub ones: Option<wgpu::Buffer>,
    /// A value per weight for global_clipnorm (training only).
    pub clip_acc: Option<wgpu::Buffer>,
    pub target: wgpu::Buffer,
    /// One value: whether the batch's labels are all 0 or 1 (hinge losses).
    pub flag: wgpu::Buffer,
    /// The batch's sample weights (when the data has them).
    pub weights: wgpu::Buffer,
    /// Per-row loss and metric values, cap × (1 + metrics).
    pub rowvals: wgpu::Buffer,
}

impl Workspace {
    /// Allocate for `cap` rows and `cols` figures (loss + metrics); `train` adds what backward needs.
    pub fn new(ctx: &Ctx, net: &DevNet, cap: usize, cols: usize, train: bool) -> Result<Workspace> {
        let buf = |width: usize, what: &str| ctx.storage(cap.saturating_mul(width), what);
        let n_in = net.inputs.len();
        let x = buf(net.input_dim, "the input batch")?;
        let mut acts = Vec::new();
        for &w in &net.inputs {
            acts.push(if n_in == 1 { x.clone() } else { buf(w, "an input batch")? });
        }
        let mut pre = Vec::new();
        let mut masks = Vec::new();
        let mut bn = Vec::new();
        let mut row_stats = Vec::new();
        for l in &net.layers {
            let is_ln = matches!(l.spec, LayerSpec::LayerNorm { .. });
            row_stats.push(if is_ln { Some(buf(2, "LayerNormalization statistics")?) } else { None });
            acts.push(buf(l.output, "a layer's activations")?);
            pre.push(if l.keep_pre { Some(buf(l.output, "pre-activations")?) } else { None });
            let is_dropout = matches!(l.spec, LayerSpec::Dropout { .. });
            masks.push(if train && is_dropout { Some(buf(l.output, "a dropout mask")?) } else { None });
            bn.push(if matches!(l.spec, LayerSpec::BatchNorm { .. }) {
                let col = |what: &str| ctx.storage(l.output, what);
                Some(BnBufs {
                    xhat: if train { buf(l.output, "BatchNormalization x̂")? } else { col("BatchNormalization x̂")? },
                    mean: col("BatchNormalization statistics")?,
                    inv_std: col("BatchNormalization statistics")?,
                    sum_g: col("BatchNormalization sums")?,
                    sum_gx: col("BatchNormalization sums")?,
                })
            } else {
                None
            });
        }
        // The loss writes the gradient of the output, or of the final sigmoid's input.
        let out = net.output_value();
        let loss_input = net.layers[net.layers.len() - 1].inputs[0];
        let mut grads = Vec::new();
        for v in 0..acts.len() {
            let wanted = train && v >= n_in || v == out || v == loss_input;
            grads.push(if wanted { Some(buf(net.width(v), "gradients")?) } else { None });
        }
        Ok(Workspace {
            x,
            acts,
            pre,
            masks,
            bn,
            row_stats,
            grads,
            grad_tmp: if train { Some(buf(net.max_width, "gradients")?) } else { None },
            splitk: match super::gemm::scratch_len(net.dense_shapes(), cap) {
                len if train && len > 0 => Some(ctx.storage(len, "split-K partial products")?),
                _ => None,
            },
            ones: if train { Some(ctx.storage_with(&vec![1.0; cap.max(1)], "a vector of ones")?) } else { None },
            clip_acc: if train { Some(ctx.storage(net.w.len().max(1), "gradient norms")?) } else { None },
            target: buf(net.output_dim, "the target batch")?,
            flag: ctx.storage(1, "the label flag")?,
            weights: buf(1, "the sample weights")?,
            rowvals: buf(cols.max(1), "per-row losses")?,
        })
    }
}

/// The compiled configuration a `GpuModel` trains with.
#[derive(Debug, Clone)]
pub(crate) struct Training {
    pub loss: crate::loss::Loss,
    /// How the loss is reduced over a batch, and compile's loss weight (each step's record holds their factors).
    pub reduction: crate::loss::Reduction,
    pub loss_weight: f32,
    pub metrics: Vec<crate::metric::Metric>,
    pub kind: OptimizerKind,
    /// How sums become means (which metrics are weighted).
    pub averaging: crate::backend::Averaging,
    /// Gradient clipping before each update.
    pub clip: crate::optimizer::Clip,
    /// The learning-rate schedule (each step's record holds its rate).
    pub schedule: Option<crate::optimizer::Schedule>,
    /// Weight decay before each update.
    pub decay: crate::optimizer::Decay,
    /// Whether the network has a trainable weight: without one a step applies no update and leaves the
    /// optimizer's step count (and so its rate) as it is, as Keras 3 does and the CPU.
    pub steps: bool,
}

impl Training {
    /// From `compile()`'s result, for `net`.
    pub fn of(c: &Compiled, net: &crate::network::Network) -> Self {
        let (kind, schedule) = (c.optimizer.kind, c.optimizer.schedule.clone());
        Training {
            loss: c.loss,
            reduction: c.reduction,
            loss_weight: c.loss_weight,
            metrics: c.metrics.clone(),
            kind,
            schedule,
            averaging: c.averaging(),
            clip: c.optimizer.clip,
            decay: c.optimizer.decay.clone(),
            steps: !net.trainable_ranges().is_empty(),
        }
    }

    /// Columns a pass sums: the loss, the metrics, the weights and the stateful metrics' states (see
    /// `backend::Averaging`).
    pub fn cols(&self) -> usize {
        self.row_cols() + self.metrics.iter().map(crate::metric::Metric::extra_width).sum::<usize>()
    }

    /// Columns of the per-row values: the loss, the metrics and the weights.
    pub fn row_cols(&self) -> usize {
        2 + self.metrics.len()
    }

    /// Whether a batch's loss factors may differ from the default's (a reduction other than the mean over the
    /// rows, or a loss weight): each batch's record then carries them (see reduce.rs).
    pub fn rescaled(&self) -> bool {
        self.reduction != crate::loss::Reduction::default() || self.loss_weight != 1.0
    }

    /// Where the loss reads logits instead of probabilities, for this network.
    pub fn logits(&self, net: &DevNet) -> Option<LogitsAt> {
        crate::network::loss_logits(&net.layers, &self.loss)
    }
}
