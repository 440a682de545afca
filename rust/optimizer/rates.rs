//! The rates of a learning-rate schedule the core cannot evaluate (a `LearningRateSchedule` subclass written
//! in Python): Python evaluates it for the steps a fit is about to run and appends the rates
//! here before the core needs them (all of an in-memory fit's steps before it starts; a streamed fit's step
//! by step, as its batches are read). The table is shared: the optimizer, the GPU's plan and the Python
//! handle hold the same one, so a rate appended during a fit is seen by all.

use std::sync::{Arc, PoisonError, RwLock};

/// The rates of steps `first..first + rates.len()`.
#[derive(Debug, Default)]
struct Span {
    first: u64,
    rates: Vec<f32>,
}

/// A shared, growing table of learning rates by optimizer step, with the schedule's name for errors.
#[derive(Debug, Clone)]
pub struct RateTable {
    name: Arc<str>,
    span: Arc<RwLock<Span>>,
}

impl PartialEq for RateTable {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.span, &other.span)
    }
}

impl RateTable {
    /// An empty table for the schedule called `name` (its Python class's name).
    pub fn new(name: &str) -> Self {
        RateTable { name: name.into(), span: Arc::default() }
    }

    /// The schedule's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Forget every rate; the next one appended is step `first`'s.
    pub fn restart(&self, first: u64) {
        let mut span = self.span.write().unwrap_or_else(PoisonError::into_inner);
        span.first = first;
        span.rates.clear();
    }

    /// Append the rates of the steps after the last one held.
    pub fn extend(&self, rates: &[f32]) {
        self.span.write().unwrap_or_else(PoisonError::into_inner).rates.extend_from_slice(rates);
    }

    /// The step whose rate is appended next.
    pub fn end(&self) -> u64 {
        let span = self.span.read().unwrap_or_else(PoisonError::into_inner);
        span.first.saturating_add(span.rates.len() as u64)
    }

    /// The rate of `step`, when the table holds it.
    pub fn get(&self, step: u64) -> Option<f32> {
        let span = self.span.read().unwrap_or_else(PoisonError::into_inner);
        let i = usize::try_from(step.checked_sub(span.first)?).ok()?;
        span.rates.get(i).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::RateTable;

    #[test]
    fn holds_the_steps_appended_from_its_first() {
        let t = RateTable::new("Warmup");
        t.restart(5);
        assert_eq!((t.get(5), t.end()), (None, 5));
        t.extend(&[0.1, 0.2]);
        t.extend(&[0.3]);
        assert_eq!([t.get(4), t.get(5), t.get(7), t.get(8)], [None, Some(0.1), Some(0.3), None]);
        assert_eq!(t.end(), 8);
        let shared = t.clone();
        shared.restart(0);
        assert_eq!((t.get(5), t.end(), t == shared), (None, 0, true));
        assert!(t != RateTable::new("Warmup"));
    }
}
