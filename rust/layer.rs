//! Layer specifications (data, not code) and the weights each one owns, in Keras's order.

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::layers::dropout::Noise;
use crate::layers::encode::EncodeMode;
use crate::layers::merge::Merge;
use crate::regularize::WeightRules;

/// What a layer is, independent of its input width.
#[derive(Debug, Clone, PartialEq)]
pub enum LayerSpec {
    /// `y = f(x·W + b)`.
    Dense { units: usize, activation: Activation, use_bias: bool, rules: WeightRules },
    /// `y = f(x)`.
    Activation(Activation),
    /// Inverted dropout while training, identity otherwise; with Gaussian `noise`, Keras's GaussianDropout
    /// (`rate` its rate) or GaussianNoise (`rate` its stddev) (layers/dropout.rs).
    Dropout { rate: f32, seed: Option<u64>, noise: Noise },
    /// Batch normalization over the feature axis with moving statistics; `momentum` as given (f64), its
    /// complement computed from it (layers/batch_norm.rs).
    BatchNorm { momentum: f64, epsilon: f32, center: bool, scale: bool },
    /// Its inputs side by side along the feature axis, in order.
    Concatenate,
    /// The element-wise sum of inputs of one width.
    Add,
    /// Another element-wise merge of inputs of one width (Average, Subtract, Multiply, Maximum, Minimum).
    Merge(Merge),
    /// `(x − mean)/max(√variance, 1e-7)` (or its inverse) with statistics that are not trained: the layer's
    /// `mean`, `variance` and `count` weights, or `fixed` (mean, variance) given to it. `scalar`: one mean and
    /// variance for every feature (Keras's `axis=None`).
    Normalization { invert: bool, scalar: bool, fixed: Option<(Vec<f32>, Vec<f32>)> },
    /// `y = x if x > 0 else alpha·x`, a trainable `alpha` per feature (Keras's PReLU).
    PRelu,
    /// Each row normalized over its features, then `γx̂ + β` (Keras's LayerNormalization).
    LayerNorm { epsilon: f32, center: bool, scale: bool },
    /// Values made integer ids, kept or encoded in `depth` columns (layers/encode.rs): by their bin among
    /// sorted `bins` (Keras's Discretization, `depth` one more than the boundaries), or truncated (Keras's
    /// CategoryEncoding, `depth` its `num_tokens`).
    Encode { bins: Option<Vec<f32>>, depth: usize, mode: EncodeMode },
    /// `x·scale + offset` (Keras's Rescaling, layers/rescale.rs): each one value for every feature, or one
    /// per feature.
    Rescale { scale: Vec<f32>, offset: Vec<f32> },
}

/// One weight of a built layer.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightInfo {
    /// Keras's variable name (`kernel`, `bias`, `gamma`, ...).
    pub name: &'static str,
    /// Shape, `(in, units)` for a kernel, `(features,)` otherwise.
    pub shape: Vec<usize>,
    /// Offset into the network's parameter vector.
    pub offset: usize,
    /// Whether the optimizer updates it.
    pub trainable: bool,
}

impl WeightInfo {
    /// Number of values.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the weight holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The range of the parameter vector it occupies.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len()
    }
}

impl LayerSpec {
    /// Check the hyper-parameters, with Keras's messages.
    pub fn validate(&self) -> Result<()> {
        match *self {
            LayerSpec::Dense { rules, .. } if rules.validate().is_err() => rules.validate(),
            LayerSpec::Dense { units, .. } if units == 0 => Err(Error::value(format!(
                "Received an invalid value for `units`, expected a positive integer. Received: units={units}"
            ))),
            // A Dense layer's activation is a name (Keras's `activation="relu"`), whose parameters are the
            // defaults; the general relu is the ReLU layer's, which the products' epilogues do not apply.
            LayerSpec::Dense { activation: a @ Activation::ReluCustom { .. }, .. } => Err(Error::value(format!(
                "A Dense layer's activation is one of the named activations; Keras's relu with a cap or threshold \
                 is a separate ReLU layer. Received: activation={a:?}"
            ))),
            LayerSpec::Dropout { rate, noise, .. } if !(0.0..=1.0).contains(&rate) || noise == Noise::Multiplicative && rate == 1.0 => {
                let arg = if noise == Noise::Additive { "stddev" } else { "rate" };
                Err(Error::value(format!(
                    "Invalid value received for argument `{arg}` of a {}. Expected a float value between 0 and 1{}. Received: {arg}={rate}",
                    noise.class_name(),
                    if noise == Noise::Multiplicative { " (below 1)" } else { "" }
                )))
            }
            // epsilon 0 is Keras's too (a constant feature then normalizes to NaN, as there)
            LayerSpec::LayerNorm { epsilon, .. } if epsilon.is_nan() || epsilon < 0.0 => Err(Error::value(format!(
                "LayerNormalization needs epsilon >= 0. Received: epsilon={epsilon}"
            ))),
            LayerSpec::BatchNorm { momentum, epsilon, .. } if epsilon.is_nan() || epsilon < 0.0 || !momentum.is_finite() => Err(
                Error::value(format!("BatchNormalization needs epsilon >= 0 and a finite momentum. Received: momentum={momentum}, epsilon={epsilon}")),
            ),
            LayerSpec::Normalization { scalar, fixed: Some((ref m, ref v)), .. }
                if m.len() != v.len() || m.is_empty() || (scalar && m.len() != 1) =>
            {
                Err(Error::value(format!(
                    "Normalization's mean and variance must have the same shape, a single value with axis=None. \
                     Received: {} mean values and {} variance values",
                    m.len(),
                    v.len()
                )))
            }
            LayerSpec::Encode { ref bins, depth, mode } => encode_checks(bins.as_deref(), depth, mode),
            LayerSpec::Rescale { ref scale, ref offset } if scale.is_empty() || offset.is_empty() => {
                Err(Error::value(format!(
                    "Rescaling needs a scale and an offset of one value, or one per feature. Received: {} scale \
                     values and {} offset values",
                    scale.len(),
                    offset.len()
                )))
            }
            _ => Ok(()),
        }
    }

    /// Keras's class name, for messages.
    pub fn class_name(&self) -> &'static str {
        match self {
            LayerSpec::Dense { .. } => "Dense",
            LayerSpec::Activation(_) => "Activation",
            LayerSpec::Dropout { noise, .. } => noise.class_name(),
            LayerSpec::BatchNorm { .. } => "BatchNormalization",
            LayerSpec::Concatenate => "Concatenate",
            LayerSpec::Add => "Add",
            LayerSpec::Merge(op) => op.class_name(),
            LayerSpec::Normalization { .. } => "Normalization",
            LayerSpec::PRelu => "PReLU",
            LayerSpec::LayerNorm { .. } => "LayerNormalization",
            LayerSpec::Encode { bins: Some(_), .. } => "Discretization",
            LayerSpec::Encode { bins: None, .. } => "CategoryEncoding",
            LayerSpec::Rescale { .. } => "Rescaling",
        }
    }

    /// Whether the layer joins several inputs (every other kind takes exactly one).
    pub fn merges(&self) -> bool {
        matches!(self, LayerSpec::Concatenate | LayerSpec::Add | LayerSpec::Merge(_))
    }

    /// Output width for inputs of widths `inputs`, or a `ValueError` naming what does not fit.
    pub fn output_width(&self, inputs: &[usize]) -> Result<usize> {
        let name = self.class_name();
        match (self, inputs) {
            (LayerSpec::Merge(Merge::Subtract), _) if inputs.len() != 2 => Err(Error::value(format!(
                "A `Subtract` layer should be called on exactly 2 inputs. Received: {} inputs of widths {inputs:?}",
                inputs.len()
            ))),
            (_, []) => Err(Error::value(format!("A {name} layer needs at least one input. Received: 0 inputs"))),
            (LayerSpec::Concatenate, _) => {
                inputs.iter().try_fold(0usize, |acc, &w| acc.checked_add(w)).ok_or_else(|| {
                    Error::value(format!("Concatenate's output width overflows. Received: input widths {inputs:?}"))
                })
            }
            (LayerSpec::Add | LayerSpec::Merge(_), [first, ..]) => match inputs.iter().find(|&&w| w != *first) {
                Some(_) => Err(Error::value(format!(
                    "Inputs of a {name} layer must have the same shape (one width). Received: input widths {inputs:?}"
                ))),
                None => Ok(*first),
            },
            (_, [_, _, ..]) => {
                Err(Error::value(format!("A {name} layer takes one input. Received: {} inputs", inputs.len())))
            }
            (LayerSpec::Dense { units, .. }, _) => Ok(*units),
            (LayerSpec::Encode { mode: EncodeMode::Int, .. }, [w]) => Ok(*w),
            (LayerSpec::Encode { mode: EncodeMode::OneHot, .. }, [w]) if *w != 1 => Err(Error::value(format!(
                "A {name} layer's one_hot output encodes one value per row (its input has one feature); \
                 {w} features would make a 3-D output, which keras_lite's networks do not hold. Use multi_hot \
                 or count, or one feature per layer. Received: input width {w}"
            ))),
            (LayerSpec::Encode { depth, .. }, _) => Ok(*depth),
            (LayerSpec::Normalization { fixed: Some((m, _)), .. }, [w]) if m.len() != 1 && m.len() != *w => {
                Err(Error::value(format!(
                    "Normalization's mean and variance cannot be broadcast to the input's {w} features. \
                     Received: {} values",
                    m.len()
                )))
            }
            (LayerSpec::Rescale { scale, offset }, [w]) => {
                match [("scale", scale), ("offset", offset)].into_iter().find(|(_, v)| v.len() != 1 && v.len() != *w) {
                    Some((arg, v)) => Err(Error::value(format!(
                        "Rescaling's {arg} cannot be broadcast to the input's {w} features. Received: {} values",
                        v.len()
                    ))),
                    None => Ok(*w),
                }
            }
            (_, [w]) => Ok(*w),
        }
    }

    /// Number of parameter values for input width `input`, or a `ValueError` if it overflows.
    pub fn param_count(&self, input: usize) -> Result<usize> {
        let mut total = 0usize;
        for (_, shape, _) in self.weight_shapes(input) {
            let n = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
            total = n.and_then(|n| total.checked_add(n)).ok_or_else(|| {
                Error::value(format!(
                    "the layer's weights are too large: shape {shape:?} overflows. Received: input width {input}"
                ))
            })?;
        }
        Ok(total)
    }

    /// The weights this layer creates for input width `input`, as (name, shape, trainable), in Keras order.
    pub fn weight_shapes(&self, input: usize) -> Vec<(&'static str, Vec<usize>, bool)> {
        match *self {
            LayerSpec::Dense { units, use_bias, .. } => {
                let mut v = vec![("kernel", vec![input, units], true)];
                if use_bias {
                    v.push(("bias", vec![units], true));
                }
                v
            }
            LayerSpec::BatchNorm { center, scale, .. } => {
                let mut v = Vec::new();
                if scale {
                    v.push(("gamma", vec![input], true));
                }
                if center {
                    v.push(("beta", vec![input], true));
                }
                v.push(("moving_mean", vec![input], false));
                v.push(("moving_variance", vec![input], false));
                v
            }
            LayerSpec::Normalization { fixed: Some(_), .. } => Vec::new(),
            LayerSpec::Normalization { scalar, .. } => {
                let shape = if scalar { Vec::new() } else { vec![input] };
                vec![("mean", shape.clone(), false), ("variance", shape, false), ("count", Vec::new(), false)]
            }
            LayerSpec::PRelu => vec![("alpha", vec![input], true)],
            LayerSpec::LayerNorm { center, scale, .. } => {
                let mut v = Vec::new();
                if scale {
                    v.push(("gamma", vec![input], true));
                }
                if center {
                    v.push(("beta", vec![input], true));
                }
                v
            }
            LayerSpec::Activation(_)
            | LayerSpec::Encode { .. }
            | LayerSpec::Rescale { .. }
            | LayerSpec::Dropout { .. }
            | LayerSpec::Concatenate
            | LayerSpec::Add
            | LayerSpec::Merge(_) => Vec::new(),
        }
    }
}

/// Discretization's boundaries must be sorted and not NaN (TensorFlow's Bucketize refuses others), and it has
/// one more bin than boundaries; CategoryEncoding needs a depth and has no `int` mode.
fn encode_checks(bins: Option<&[f32]>, depth: usize, mode: EncodeMode) -> Result<()> {
    match bins {
        Some(b) if b.iter().any(|v| v.is_nan()) || b.windows(2).any(|p| p[1] < p[0]) => Err(Error::value(format!(
            "Discretization's bin_boundaries must be sorted in increasing order, without NaN. Received: \
             bin_boundaries={b:?}"
        ))),
        Some(b) if depth != b.len() + 1 => Err(Error::value(format!(
            "Discretization has one more bin than boundaries. Received: {} boundaries and depth={depth}",
            b.len()
        ))),
        None if depth == 0 => Err(Error::value("`num_tokens` must be >= 1. Received: num_tokens=0".to_string())),
        None if mode == EncodeMode::Int => Err(Error::value(
            "Unknown arg for output_mode: int (CategoryEncoding takes one_hot, multi_hot or count)".to_string(),
        )),
        _ => Ok(()),
    }
}
