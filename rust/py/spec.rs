//! Layer descriptions as Python passes them (losses: loss.rs; optimizers: optimizer.rs): a dict with a `kind` key and that kind's
//! hyper-parameters, e.g. `{"kind": "dense", "units": 8, "activation": "relu", "use_bias": True}`.
//!
//! Each kind's keys are one `#[derive(FromPyObject)]` struct below, read after the `kind` key has chosen it.
//! A missing key or a value of the wrong type is a `TypeError` naming the field; an unknown kind, activation
//! or loss, or a value the core refuses, is the core's `ValueError`.

use pyo3::prelude::*;

use crate::activation::Activation;
use crate::error::Error;
use crate::layer::LayerSpec;
use crate::layers::dropout::Noise;
use crate::layers::merge::Merge;
use crate::regularize::{Constraint, Penalty, WeightRules};

/// The key that says which of the structs below a description holds.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Kind {
    kind: String,
}

/// `{"kind": "dense", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Dense {
    units: usize,
    activation: String,
    use_bias: bool,
}

/// `{"kind": "activation", ...}`: the function's name and its parameters (`Activation::with_params`).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct ActivationLayer {
    activation: String,
    parameters: Vec<f32>,
}

/// `{"kind": "dropout", ...}` (also `gaussian_dropout`, and `gaussian_noise` with its stddev as `rate`); `seed`
/// may be `None`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Dropout {
    rate: f32,
    seed: Option<u64>,
}

/// `{"kind": "batch_normalization", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct BatchNormalization {
    momentum: f64,
    epsilon: f32,
    center: bool,
    scale: bool,
}

/// `{"kind": "layer_normalization", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct LayerNormalization {
    epsilon: f32,
    center: bool,
    scale: bool,
}

/// A constraint as `(name, a, b, rate, axis)`: `max_norm` (a = max), `min_max_norm` (a = min, b = max),
/// `unit_norm`, `non_neg` or `none`.
type ConstraintArg = (String, f32, f32, f32, i32);

/// Dense's optional `rules` key: `((l1, l2), (l1, l2), kernel constraint, bias constraint, (l1, l2))`, the
/// last pair the activity regularizer's.
fn rules(obj: &Bound<'_, PyAny>) -> PyResult<WeightRules> {
    type Pair = (f32, f32);
    let (k, b, kc, bc, a): (Pair, Pair, ConstraintArg, ConstraintArg, Pair) = obj.extract()?;
    let constraint = |(name, a, b, rate, axis): ConstraintArg| -> PyResult<Constraint> {
        Ok(match name.as_str() {
            "none" => Constraint::None,
            "max_norm" => Constraint::MaxNorm { max_value: a, axis },
            "min_max_norm" => Constraint::MinMaxNorm { min_value: a, max_value: b, rate, axis },
            "unit_norm" => Constraint::UnitNorm { axis },
            "non_neg" => Constraint::NonNeg,
            _ => return Err(Error::value(format!("Unknown constraint: {name}")).into()),
        })
    };
    Ok(WeightRules {
        kernel_reg: Penalty { l1: k.0, l2: k.1 },
        bias_reg: Penalty { l1: b.0, l2: b.1 },
        kernel_constraint: constraint(kc)?,
        bias_constraint: constraint(bc)?,
        activity: Penalty { l1: a.0, l2: a.1 },
    })
}

/// A layer description (`dense`, `dropout`, `normalization`, ..., or a merge without keys: `add`, `multiply`,
/// ...) as the core's spec.
pub struct LayerArg(pub LayerSpec);

impl<'a, 'py> FromPyObject<'a, 'py> for LayerArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(LayerArg(match obj.extract::<Kind>()?.kind.as_str() {
            "dense" => {
                let Dense { units, activation, use_bias } = obj.extract()?;
                let rules = match obj.cast::<pyo3::types::PyDict>() {
                    Ok(d) => d.get_item("rules")?.map(|r| rules(&r)).transpose()?.unwrap_or_default(),
                    Err(_) => WeightRules::default(),
                };
                LayerSpec::Dense { units, activation: Activation::from_name(&activation)?, use_bias, rules }
            }
            "activation" => {
                let ActivationLayer { activation, parameters } = obj.extract()?;
                LayerSpec::Activation(Activation::with_params(&activation, &parameters)?)
            }
            kind @ ("dropout" | "gaussian_dropout" | "gaussian_noise") => {
                let Dropout { rate, seed } = obj.extract()?;
                let noise = match kind {
                    "dropout" => Noise::Bernoulli,
                    "gaussian_dropout" => Noise::Multiplicative,
                    _ => Noise::Additive,
                };
                LayerSpec::Dropout { rate, seed, noise }
            }
            "batch_normalization" => {
                let BatchNormalization { momentum, epsilon, center, scale } = obj.extract()?;
                LayerSpec::BatchNorm { momentum, epsilon, center, scale }
            }
            "prelu" => LayerSpec::PRelu,
            "layer_normalization" => {
                let LayerNormalization { epsilon, center, scale } = obj.extract()?;
                LayerSpec::LayerNorm { epsilon, center, scale }
            }
            "concatenate" => LayerSpec::Concatenate,
            "add" => LayerSpec::Add,
            "normalization" => super::spec_norm::normalization(obj)?,
            "encode" => super::spec_norm::encode(obj)?,
            "rescale" => super::spec_norm::rescale(obj)?,
            other => LayerSpec::Merge(
                Merge::from_kind(other)
                    .ok_or_else(|| Error::value(format!("Unknown layer kind. Received: kind={other:?}")))?,
            ),
        }))
    }
}
