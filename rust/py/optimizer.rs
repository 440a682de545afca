//! Optimizer descriptions as Python passes them: a dict with a `kind` key, that kind's hyper-parameters, and
//! the keys every optimizer has (`schedule`, `clip`, `weight_decay`, `no_decay`), e.g.
//! `{"kind": "sgd", "learning_rate": 0.01, "momentum": 0.0, "nesterov": False, "weight_decay": None}`.
//! As in spec.rs, a missing key or a value of the wrong type is a `TypeError` naming the field.

use pyo3::prelude::*;

use crate::error::Error;
use crate::model::Model;
use crate::optimizer::{Clip, OptimizerKind, Schedule};

use super::schedule::ScheduleArg;

/// `{"kind": "adam" | "adamw", ...}` (AdamW's `weight_decay` is every optimizer's, in `OptimizerHead`).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Adam {
    learning_rate: f32,
    beta_1: f64,
    beta_2: f64,
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
    rho: f64,
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
    beta_1: f64,
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

/// `{"kind": "adadelta", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Adadelta {
    learning_rate: f32,
    rho: f64,
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
            "adadelta" => {
                let Adadelta { learning_rate, rho, epsilon } = obj.extract()?;
                OptimizerKind::Adadelta { learning_rate, rho, epsilon }
            }
            other => return Err(Error::value(format!("Unknown optimizer. Received: kind={other:?}")).into()),
        };
        Ok(OptimizerArg(kind, schedule, clip, (weight_decay.unwrap_or(0.0), no_decay)))
    }
}

impl OptimizerArg {
    /// Set the gradient clipping and the weight decay of `model`, compiled with this optimizer.
    pub fn set_rules(&self, model: &Model) -> crate::error::Result<()> {
        let (rate, skip) = &self.3;
        model.set_gradient_clip(self.2).and_then(|()| model.set_weight_decay(*rate, skip))
    }

    /// Make the optimizer `model` was compiled with this one (`Model::reconfigure_optimizer`; the learning
    /// rate and schedule are left as they are).
    pub fn reconfigure(&self, model: &Model) -> crate::error::Result<()> {
        let (rate, skip) = &self.3;
        model.reconfigure_optimizer(self.0, self.2, (*rate, skip))
    }
}
