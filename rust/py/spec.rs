//! Layer, loss and optimizer descriptions as Python passes them: a dict with a `kind` key and that kind's
//! hyper-parameters, e.g. `{"kind": "dense", "units": 8, "activation": "relu", "use_bias": True}`.
//!
//! Each kind's keys are one `#[derive(FromPyObject)]` struct below, read after the `kind` key has chosen it.
//! A missing key or a value of the wrong type is a `TypeError` naming the field; an unknown kind, activation
//! or loss, or a value the core refuses, is the core's `ValueError`.

use pyo3::prelude::*;

use crate::activation::Activation;
use crate::error::Error;
use crate::layer::LayerSpec;
use crate::optimizer::{Clip, OptimizerKind, Schedule};
use crate::regularize::{Constraint, Penalty, WeightRules};

use super::schedule::ScheduleArg;

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

/// `{"kind": "activation", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct ActivationLayer {
    activation: String,
}

/// `{"kind": "dropout", ...}`; `seed` may be `None`.
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
    momentum: f32,
    epsilon: f32,
    center: bool,
    scale: bool,
}

/// `{"kind": "adam" | "adamw", ...}` (AdamW's `weight_decay` is every optimizer's, in `OptimizerHead`).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Adam {
    learning_rate: f32,
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    amsgrad: bool,
}

/// `{"kind": "sgd", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Sgd {
    learning_rate: f32,
    momentum: f32,
    nesterov: bool,
}

/// `{"kind": "rmsprop", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct RmsProp {
    learning_rate: f32,
    rho: f32,
    momentum: f32,
    epsilon: f32,
    centered: bool,
}

/// `{"kind": "adagrad", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Adagrad {
    learning_rate: f32,
    initial_accumulator_value: f32,
    epsilon: f32,
}

/// `{"kind": "adamax", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Adamax {
    learning_rate: f32,
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
}

/// `{"kind": "nadam", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Nadam {
    learning_rate: f32,
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
}

/// `{"kind": "lion", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Lion {
    learning_rate: f32,
    beta_1: f32,
    beta_2: f32,
}

/// A constraint as `(name, a, b, rate, axis)`: `max_norm` (a = max), `min_max_norm` (a = min, b = max),
/// `unit_norm`, `non_neg` or `none`.
type ConstraintArg = (String, f32, f32, f32, i32);

/// Dense's optional `rules` key: `((l1, l2), (l1, l2), kernel constraint, bias constraint)`.
fn rules(obj: &Bound<'_, PyAny>) -> PyResult<WeightRules> {
    let (k, b, kc, bc): ((f32, f32), (f32, f32), ConstraintArg, ConstraintArg) = obj.extract()?;
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
    })
}

/// A layer description (`kind` `dense`, `activation`, `dropout` or `batch_normalization`) as the core's spec.
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
                let ActivationLayer { activation } = obj.extract()?;
                LayerSpec::Activation(Activation::from_name(&activation)?)
            }
            "dropout" => {
                let Dropout { rate, seed } = obj.extract()?;
                LayerSpec::Dropout { rate, seed }
            }
            "batch_normalization" => {
                let BatchNormalization { momentum, epsilon, center, scale } = obj.extract()?;
                LayerSpec::BatchNorm { momentum, epsilon, center, scale }
            }
            other => return Err(Error::value(format!("Unknown layer kind. Received: kind={other:?}")).into()),
        }))
    }
}

/// The keys of every optimizer description: its kind and learning-rate schedule (`None` or absent: the
/// constant `learning_rate`).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct OptimizerHead {
    kind: String,
    #[pyo3(default)]
    schedule: Option<ScheduleArg>,
    /// `("clipnorm" | "clipvalue" | "global_clipnorm", threshold)`, or absent/None.
    #[pyo3(default)]
    clip: Option<(String, f32)>,
    /// Keras's `weight_decay` (absent/None: no decay) and the indices of the weights it skips.
    #[pyo3(default)]
    weight_decay: Option<f32>,
    #[pyo3(default)]
    no_decay: Vec<usize>,
}

/// An optimizer description (`kind` `adam`, `adamw`, `sgd`, `rmsprop`, `adagrad`, `adamax`, `lion` or
/// `nadam`, its `schedule`, `clip` and `weight_decay`) as the core's optimizer, learning-rate schedule,
/// clipping and weight decay (the rate and the indices of the weights it skips).
pub struct OptimizerArg(pub OptimizerKind, pub Option<Schedule>, pub Clip, pub (f32, Vec<usize>));

impl<'a, 'py> FromPyObject<'a, 'py> for OptimizerArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let OptimizerHead { kind, schedule, clip, weight_decay, no_decay } = obj.extract()?;
        let clip = match clip {
            None => Clip::None,
            Some((name, c)) => match name.as_str() {
                "clipnorm" => Clip::Norm(c),
                "clipvalue" => Clip::Value(c),
                "global_clipnorm" => Clip::GlobalNorm(c),
                _ => return Err(Error::value(format!("Unknown gradient clipping. Received: {name:?}")).into()),
            },
        };
        clip.validate()?;
        let schedule = schedule.map(|s| s.0);
        let kind = match kind.as_str() {
            "adam" | "adamw" => {
                let Adam { learning_rate, beta_1, beta_2, epsilon, amsgrad } = obj.extract()?;
                OptimizerKind::Adam { learning_rate, beta_1, beta_2, epsilon, amsgrad }
            }
            "sgd" => {
                let Sgd { learning_rate, momentum, nesterov } = obj.extract()?;
                OptimizerKind::Sgd { learning_rate, momentum, nesterov }
            }
            "rmsprop" => {
                let RmsProp { learning_rate, rho, momentum, epsilon, centered } = obj.extract()?;
                OptimizerKind::RmsProp { learning_rate, rho, momentum, epsilon, centered }
            }
            "adagrad" => {
                let Adagrad { learning_rate, initial_accumulator_value, epsilon } = obj.extract()?;
                OptimizerKind::Adagrad { learning_rate, initial_accumulator_value, epsilon }
            }
            "adamax" => {
                let Adamax { learning_rate, beta_1, beta_2, epsilon } = obj.extract()?;
                OptimizerKind::Adamax { learning_rate, beta_1, beta_2, epsilon }
            }
            "lion" => {
                let Lion { learning_rate, beta_1, beta_2 } = obj.extract()?;
                OptimizerKind::Lion { learning_rate, beta_1, beta_2 }
            }
            "nadam" => {
                let Nadam { learning_rate, beta_1, beta_2, epsilon } = obj.extract()?;
                OptimizerKind::Nadam { learning_rate, beta_1, beta_2, epsilon }
            }
            other => return Err(Error::value(format!("Unknown optimizer. Received: kind={other:?}")).into()),
        };
        Ok(OptimizerArg(kind, schedule, clip, (weight_decay.unwrap_or(0.0), no_decay)))
    }
}
