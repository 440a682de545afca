//! Keras 3's learning-rate schedules, evaluated at the optimizer's step count before each step (batch `k`,
//! counted over all epochs, uses step `k`). Each rate is computed in f32 in Keras's order of operations: the
//! step and the hyper-parameters are cast to float32 (Keras casts them to `initial_learning_rate`'s dtype),
//! so a schedule gives the same rate on both backends (the GPU is handed each step's rate from here).

use super::rates::RateTable;
use crate::error::{Error, Result};

/// A learning-rate schedule (`keras.optimizers.schedules`); the optimizer's float rate is used without one.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// `lr0·rate^(s/D)`; `staircase` floors `s/D`.
    Exponential { initial: f32, decay_steps: f32, rate: f32, staircase: bool },
    /// `lr0/(1 + rate·s/D)`; `staircase` floors `s/D`.
    InverseTime { initial: f32, decay_steps: f32, rate: f32, staircase: bool },
    /// `values[0]` while `s ≤ boundaries[0]`, `values[i]` while `boundaries[i−1] < s ≤ boundaries[i]`, the
    /// last value after the last boundary. As Keras casts them to the step's type, a step count compares
    /// with the boundaries truncated to integers, a fractional step with them as float32.
    Piecewise { boundaries: Vec<f64>, values: Vec<f32> },
    /// `(lr0 − end)(1 − s/D)^power + end`, `s` capped at `D`; with `cycle`, `D` is the first multiple of
    /// itself at or above `s` instead.
    Polynomial { initial: f32, decay_steps: f32, end: f32, power: f32, cycle: bool },
    /// Cosine decay from `lr0` (or, after a linear warmup over `warmup_steps` steps, from `warmup_target`)
    /// to `alpha` times it over `decay_steps` steps.
    Cosine { initial: f32, decay_steps: f32, alpha: f32, warmup_target: Option<f32>, warmup_steps: f32 },
    /// SGDR: cosine decay restarted after `first_decay_steps`, each period `t_mul` times longer and its peak
    /// `m_mul` times lower.
    CosineRestarts { initial: f32, first_decay_steps: f32, t_mul: f32, m_mul: f32, alpha: f32 },
    /// A schedule written in Python, evaluated there: the rates Python appended for the steps to run.
    Table(RateTable),
}

impl Schedule {
    /// Check the arguments as Keras's constructors do (a positive decay length; one more value than
    /// boundaries). Other arguments are not checked: a rate that comes out negative or NaN is refused when
    /// a fit would use it (`check`).
    pub fn validate(&self) -> Result<()> {
        let positive = |name: &str, v: f32| {
            if v > 0.0 {
                Ok(())
            } else {
                Err(Error::value(format!("Argument `{name}` must be > 0. Received: {name}={v}")))
            }
        };
        match self {
            Schedule::Exponential { decay_steps, .. }
            | Schedule::InverseTime { decay_steps, .. }
            | Schedule::Polynomial { decay_steps, .. }
            | Schedule::Cosine { decay_steps, .. } => positive("decay_steps", *decay_steps),
            Schedule::CosineRestarts { first_decay_steps, .. } => positive("first_decay_steps", *first_decay_steps),
            Schedule::Table(_) => Ok(()),
            Schedule::Piecewise { boundaries, values } => {
                if boundaries.len() + 1 != values.len() {
                    return Err(Error::value(format!(
                        "The length of boundaries should be 1 less than the length of values. Received: \
                         boundaries of length {}, and values of length {}.",
                        boundaries.len(),
                        values.len()
                    )));
                }
                Ok(())
            }
        }
    }

    /// The Keras class name, or a Python schedule's (used in errors).
    pub fn name(&self) -> &str {
        match self {
            Schedule::Exponential { .. } => "ExponentialDecay",
            Schedule::InverseTime { .. } => "InverseTimeDecay",
            Schedule::Piecewise { .. } => "PiecewiseConstantDecay",
            Schedule::Polynomial { .. } => "PolynomialDecay",
            Schedule::Cosine { .. } => "CosineDecay",
            Schedule::CosineRestarts { .. } => "CosineDecayRestarts",
            Schedule::Table(t) => t.name(),
        }
    }

    /// The learning rate at step `step` (the optimizer's `iterations` before the step), unchecked (NaN for
    /// a step a table does not hold).
    pub fn lr(&self, step: u64) -> f32 {
        let at = i64::try_from(step).unwrap_or(i64::MAX);
        self.rate(step as f32, |b| at <= b as i64, step) // (`as`: truncated toward zero, saturating)
    }

    /// The learning rate at a step that is not a whole number (Keras's schedules take any float step, which
    /// a plot of one calls them on); NaN for a table, which holds the rates of whole steps.
    pub fn lr_fractional(&self, step: f64) -> f32 {
        match self {
            Schedule::Table(_) => f32::NAN,
            _ => self.rate(step as f32, |b| step as f32 <= b as f32, 0),
        }
    }

    /// The rate at step `s`, `within(b)` telling whether the step is at or below a piecewise boundary `b`;
    /// `step` indexes a table.
    fn rate(&self, s: f32, within: impl Fn(f64) -> bool, step: u64) -> f32 {
        match *self {
            Schedule::Exponential { initial, decay_steps, rate, staircase } => {
                initial * rate.powf(fraction(s, decay_steps, staircase))
            }
            Schedule::InverseTime { initial, decay_steps, rate, staircase } => {
                initial / (1.0 + rate * fraction(s, decay_steps, staircase))
            }
            Schedule::Piecewise { ref boundaries, ref values } => {
                let i = boundaries.iter().position(|&b| within(b)).unwrap_or(boundaries.len());
                values.get(i).copied().unwrap_or(f32::NAN)
            }
            Schedule::Polynomial { initial, decay_steps, end, power, cycle } => {
                let (s, d) = if cycle {
                    let multiplier = if s == 0.0 { 1.0 } else { (s / decay_steps).ceil() };
                    (s, decay_steps * multiplier)
                } else {
                    (s.min(decay_steps), decay_steps)
                };
                (initial - end) * (1.0 - s / d).powf(power) + end
            }
            Schedule::Cosine { initial, decay_steps, alpha, warmup_target, warmup_steps } => match warmup_target {
                None => cosine(s.min(decay_steps), decay_steps, initial, alpha),
                Some(target) => {
                    let s = s.min(decay_steps + warmup_steps);
                    if s < warmup_steps {
                        (target - initial) * (s / warmup_steps) + initial
                    } else {
                        cosine(s - warmup_steps, decay_steps, target, alpha)
                    }
                }
            },
            Schedule::CosineRestarts { initial, first_decay_steps, t_mul, m_mul, alpha } => {
                let f = s / first_decay_steps;
                let (i, f) = if t_mul == 1.0 {
                    let i = f.floor();
                    (i, f - i)
                } else {
                    let i = ((1.0 - f * (1.0 - t_mul)).ln() / t_mul.ln()).floor();
                    let sum = (1.0 - t_mul.powf(i)) / (1.0 - t_mul);
                    (i, (f - sum) / t_mul.powf(i))
                };
                let decayed = 0.5 * m_mul.powf(i) * (1.0 + (std::f32::consts::PI * f).cos());
                initial * ((1.0 - alpha) * decayed + alpha)
            }
            Schedule::Table(ref t) => t.get(step).unwrap_or(f32::NAN),
        }
    }

    /// The learning rate at `step`, refused (a `ValueError` naming the schedule and the step) when it is
    /// negative, NaN or infinite.
    pub fn check(&self, step: u64) -> Result<f32> {
        if let Schedule::Table(t) = self {
            // Python appends each step's rate before the core reads it; a step outside means `iterations`
            // moved under the running fit.
            if t.get(step).is_none() {
                return Err(Error::State(format!(
                    "the learning-rate schedule {} was not evaluated for optimizer step {step} (its rates run up \
                     to step {}): the optimizer's iterations changed during the fit",
                    t.name(),
                    t.end()
                )));
            }
        }
        let lr = self.lr(step);
        if lr.is_finite() && lr >= 0.0 {
            return Ok(lr);
        }
        Err(Error::value(format!(
            "The learning-rate schedule {} gives learning_rate={lr} at step {step}; a learning rate must be a \
             non-negative finite float.",
            self.name()
        )))
    }

    /// `check` each of `count` steps from `first` (the steps a fit is about to run). A table's rates are
    /// checked by Python as it appends them, and a streamed fit's arrive as it runs: `check` reads each.
    pub fn check_steps(&self, first: u64, count: u64) -> Result<()> {
        if let Schedule::Table(_) = self {
            return Ok(());
        }
        let end = first.saturating_add(count);
        (first..end).try_for_each(|s| self.check(s).map(|_| ()))
    }
}

/// `s/D`, floored for a staircase.
fn fraction(s: f32, d: f32, staircase: bool) -> f32 {
    let p = s / d;
    if staircase {
        p.floor()
    } else {
        p
    }
}

/// Keras's cosine decay from `from` over `d` steps, at `s ≤ d`.
fn cosine(s: f32, d: f32, from: f32, alpha: f32) -> f32 {
    let decayed = 0.5 * (1.0 + (std::f32::consts::PI * (s / d)).cos());
    from * ((1.0 - alpha) * decayed + alpha)
}
