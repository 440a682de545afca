//! Learning-rate schedule descriptions as Python passes them (`{"kind": "exponential_decay", ...}`, the
//! Keras constructor's arguments), and `learning_rate_at`, which evaluates one in the core (the schedule
//! classes' `__call__`, the same arithmetic a fit uses); `RateTable`, the rates of a schedule written in
//! Python (`{"kind": "table", "table": RateTable}`).

use pyo3::prelude::*;

use crate::error::Error;
use crate::optimizer::{self, Schedule};

/// The key that says which schedule a description holds.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Kind {
    kind: String,
}

/// `{"kind": "exponential_decay" | "inverse_time_decay", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Decay {
    initial_learning_rate: f32,
    decay_steps: f32,
    decay_rate: f32,
    staircase: bool,
}

/// `{"kind": "piecewise_constant_decay", ...}` (the boundaries as given, read as the step's type by `Schedule`).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Piecewise {
    boundaries: Vec<f64>,
    values: Vec<f32>,
}

/// `{"kind": "polynomial_decay", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Polynomial {
    initial_learning_rate: f32,
    decay_steps: f32,
    end_learning_rate: f32,
    power: f32,
    cycle: bool,
}

/// `{"kind": "cosine_decay", ...}`; `warmup_target` may be `None`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Cosine {
    initial_learning_rate: f32,
    decay_steps: f32,
    alpha: f32,
    warmup_target: Option<f32>,
    warmup_steps: f32,
}

/// `{"kind": "cosine_decay_restarts", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Restarts {
    initial_learning_rate: f32,
    first_decay_steps: f32,
    t_mul: f32,
    m_mul: f32,
    alpha: f32,
}

/// `{"kind": "table", "table": RateTable}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Table {
    table: Py<RateTable>,
}

/// A learning rate as Python sets it on a compiled model: a number, or a schedule description.
#[derive(FromPyObject)]
pub enum RateArg {
    Fixed(f64),
    Scheduled(ScheduleArg),
}

impl RateArg {
    /// Set this rate on `model` (`Model::set_learning_rate` or `Model::set_schedule`).
    pub fn set_on(self, model: &crate::model::Model) -> crate::error::Result<()> {
        match self {
            RateArg::Fixed(lr) => model.set_learning_rate(lr as f32),
            RateArg::Scheduled(s) => model.set_schedule(s.0),
        }
    }
}

/// A schedule description as the core's `Schedule` (checked by `Schedule::validate` where it is used).
pub struct ScheduleArg(pub Schedule);

impl<'a, 'py> FromPyObject<'a, 'py> for ScheduleArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let Kind { kind } = obj.extract()?;
        let s = match kind.as_str() {
            "exponential_decay" | "inverse_time_decay" => {
                let Decay { initial_learning_rate: initial, decay_steps, decay_rate: rate, staircase } =
                    obj.extract()?;
                if kind == "exponential_decay" {
                    Schedule::Exponential { initial, decay_steps, rate, staircase }
                } else {
                    Schedule::InverseTime { initial, decay_steps, rate, staircase }
                }
            }
            "piecewise_constant_decay" => {
                let Piecewise { boundaries, values } = obj.extract()?;
                Schedule::Piecewise { boundaries, values }
            }
            "polynomial_decay" => {
                let p: Polynomial = obj.extract()?;
                Schedule::Polynomial {
                    initial: p.initial_learning_rate,
                    decay_steps: p.decay_steps,
                    end: p.end_learning_rate,
                    power: p.power,
                    cycle: p.cycle,
                }
            }
            "cosine_decay" => {
                let c: Cosine = obj.extract()?;
                Schedule::Cosine {
                    initial: c.initial_learning_rate,
                    decay_steps: c.decay_steps,
                    alpha: c.alpha,
                    warmup_target: c.warmup_target,
                    warmup_steps: c.warmup_steps,
                }
            }
            "cosine_decay_restarts" => {
                let r: Restarts = obj.extract()?;
                Schedule::CosineRestarts {
                    initial: r.initial_learning_rate,
                    first_decay_steps: r.first_decay_steps,
                    t_mul: r.t_mul,
                    m_mul: r.m_mul,
                    alpha: r.alpha,
                }
            }
            "table" => {
                let Table { table } = obj.extract()?;
                Schedule::Table(table.get().0.clone())
            }
            other => {
                return Err(Error::value(format!("Unknown learning-rate schedule. Received: kind={other:?}")).into())
            }
        };
        Ok(ScheduleArg(s))
    }
}

/// The rate of `schedule` at optimizer step `step` (what the formula gives, NaN or negative included).
#[pyfunction]
pub fn learning_rate_at(schedule: ScheduleArg, step: u64) -> PyResult<f32> {
    schedule.0.validate()?;
    Ok(schedule.0.lr(step))
}

/// The rate of `schedule` at a step that is not a whole number (`step` finite and non-negative).
#[pyfunction]
pub fn learning_rate_at_fraction(schedule: ScheduleArg, step: f64) -> PyResult<f32> {
    schedule.0.validate()?;
    Ok(schedule.0.lr_fractional(step))
}

/// The rates of a learning-rate schedule written in Python, by optimizer step, shared with the core's
/// optimizer: Python appends each step's rate before a fit runs the step (optimizer/rates.rs).
#[pyclass(frozen, module = "keras_lite._core")]
pub struct RateTable(optimizer::RateTable);

#[pymethods]
impl RateTable {
    /// An empty table for the schedule called `name`.
    #[new]
    fn new(name: &str) -> Self {
        RateTable(optimizer::RateTable::new(name))
    }

    /// Forget every rate; the next appended is step `first`'s.
    fn restart(&self, first: u64) {
        self.0.restart(first);
    }

    /// Append the rates of the next steps.
    fn extend(&self, rates: Vec<f32>) {
        self.0.extend(&rates);
    }

    /// The step whose rate is appended next.
    #[getter]
    fn end(&self) -> u64 {
        self.0.end()
    }
}
