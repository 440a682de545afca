//! Developer instrumentation, built only with the `probe` feature (never in a wheel): where a training step's
//! time goes, job by job. Each call that hands work to the thread team (`team::run`) is a job; the probe
//! numbers the jobs of a step from zero and sums, per job number, call site and product shape (`matmul`
//! labels its jobs m×k×n), the job's wall time, the time of its part 0 (the calling thread's) and of its
//! other parts. `rbench/fitbench.rs` prints the table after its fits.
//!
//! A step on a shorter last batch has rows of its own (another shape, or another job number where a pass
//! stayed on one thread); jobs outside the steps (the validation pass after an epoch's last step) take the
//! numbers after that step's last job. Their rows have fewer calls than there were steps.

use std::cell::Cell;
use std::fmt::Write as _;
use std::panic::Location;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Duration;

/// Rows of the table; jobs past them share the last row.
pub const SLOTS: usize = 64;

/// What a row counts: a job number within the step, its call site and its shape.
type Key = (usize, &'static Location<'static>, [usize; 3]);

/// What the probe has recorded.
struct Probe {
    /// Per row: calls, wall nanoseconds, part 0's nanoseconds, the other parts' nanoseconds.
    sums: [[AtomicU64; 4]; SLOTS],
    /// Per row, in order of first use: what it counts.
    keys: Mutex<[Option<Key>; SLOTS]>,
    /// The next job's number within the current step.
    next: AtomicUsize,
    /// The open job's row (one job is open at a time: the team has one owner).
    open: AtomicUsize,
    /// Training steps begun since the last `reset`.
    steps: AtomicU64,
}

/// The probe the team and the training steps report to.
static PROBE: Probe = Probe::new();

thread_local! {
    /// The shape of the product this thread is computing (m, k, n), if it said so (see `Shape`).
    static SHAPE: Cell<[usize; 3]> = const { Cell::new([0; 3]) };
}

/// Forget everything recorded.
pub fn reset() {
    PROBE.reset();
}

/// A training step begins: its first job is number 0.
pub fn step_begin() {
    PROBE.next.store(0, Relaxed);
    PROBE.steps.fetch_add(1, Relaxed);
}

/// While it lives, the jobs this thread starts compute an m×k×n product.
pub struct Shape(());

impl Shape {
    /// Label this thread's jobs m×k×n until the value is dropped.
    pub fn new(m: usize, k: usize, n: usize) -> Self {
        SHAPE.set([m, k, n]);
        Shape(())
    }
}

impl Drop for Shape {
    fn drop(&mut self) {
        SHAPE.set([0; 3]);
    }
}

/// A job begins at `site`: its row.
pub(crate) fn job_begin(site: &'static Location<'static>) -> usize {
    PROBE.job_begin(site, SHAPE.get())
}

/// The job of row `j` took `wall` from hand-off to the return of its last part.
pub(crate) fn job_end(j: usize, wall: Duration) {
    PROBE.job_end(j, wall);
}

/// Part `t` of the open job ran for `time`.
pub(crate) fn part(t: usize, time: Duration) {
    PROBE.part(t, time);
}

/// The table of the jobs recorded: per row, the job number, call site and shape, the calls, and the
/// microseconds per step of the wall time, of part 0 and of the other parts (summed over the parts).
pub fn report() -> String {
    PROBE.report()
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Probe {
    const fn new() -> Self {
        Probe {
            sums: [const { [const { AtomicU64::new(0) }; 4] }; SLOTS],
            keys: Mutex::new([None; SLOTS]),
            next: AtomicUsize::new(0),
            open: AtomicUsize::new(0),
            steps: AtomicU64::new(0),
        }
    }

    fn reset(&self) {
        for row in &self.sums {
            row.iter().for_each(|v| v.store(0, Relaxed));
        }
        if let Ok(mut keys) = self.keys.lock() {
            *keys = [None; SLOTS];
        }
        self.next.store(0, Relaxed);
        self.steps.store(0, Relaxed);
    }

    fn job_begin(&self, site: &'static Location<'static>, shape: [usize; 3]) -> usize {
        let key = (self.next.fetch_add(1, Relaxed), site, shape);
        let same = |k: &Option<Key>| k.is_some_and(|(j, l, s)| (j, s) == (key.0, key.2) && std::ptr::eq(l, site));
        let row = match self.keys.lock() {
            Ok(mut keys) => match keys.iter().position(|k| same(k) || k.is_none()) {
                Some(r) => {
                    keys[r] = Some(key);
                    r
                }
                None => SLOTS - 1,
            },
            Err(_) => SLOTS - 1,
        };
        self.open.store(row, Relaxed);
        row
    }

    fn job_end(&self, j: usize, wall: Duration) {
        self.sums[j][0].fetch_add(1, Relaxed);
        self.sums[j][1].fetch_add(nanos(wall), Relaxed);
    }

    fn part(&self, t: usize, time: Duration) {
        let j = self.open.load(Relaxed);
        self.sums[j][if t == 0 { 2 } else { 3 }].fetch_add(nanos(time), Relaxed);
    }

    fn report(&self) -> String {
        let steps = self.steps.load(Relaxed).max(1) as f64;
        let keys = self.keys.lock().map(|k| *k).unwrap_or([None; SLOTS]);
        let mut out =
            format!("   {steps} steps; per step: job, call site, m×k×n, calls, wall µs, part 0 µs, other parts µs\n");
        let mut wall = 0.0;
        for (row, key) in self.sums.iter().zip(keys) {
            let (calls, Some((j, l, [m, k, n]))) = (row[0].load(Relaxed), key) else { continue };
            let us = |i: usize| row[i].load(Relaxed) as f64 / steps / 1e3;
            wall += us(1);
            let at = format!("{}:{}", l.file(), l.line());
            let shape = if m > 0 { format!("{m}x{k}x{n}") } else { "-".into() };
            let _ = writeln!(out, "   {j:2} {at:28} {shape:>12} {calls:7} {:8.1} {:8.1} {:8.1}", us(1), us(2), us(3));
        }
        let _ = writeln!(out, "   all jobs: {wall:.1} µs per step");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_s_jobs_are_numbered_timed_and_tabled() {
        // An instance of its own: the global one sees whatever other tests hand the team.
        let p = Probe::new();
        let ms = Duration::from_millis;
        let here = Location::caller();
        for rows in [4, 4, 3] {
            p.next.store(0, Relaxed);
            p.steps.fetch_add(1, Relaxed);
            let j = p.job_begin(here, [rows, 5, 6]);
            p.part(0, ms(3));
            p.part(1, ms(2));
            p.job_end(j, ms(4));
            let j = p.job_begin(here, [0; 3]);
            p.part(0, ms(1));
            p.job_end(j, ms(1));
        }
        let sums = |r: usize| p.sums[r].each_ref().map(|v| v.load(Relaxed));
        // Rows in order of first use: job 0 on 4 rows, job 1, job 0 on 3 rows.
        assert_eq!(
            (sums(0), sums(1), sums(2)),
            (
                [2, 8e6 as u64, 6e6 as u64, 4e6 as u64],
                [3, 3e6 as u64, 3e6 as u64, 0],
                [1, 4e6 as u64, 3e6 as u64, 2e6 as u64]
            )
        );
        let table = p.report();
        let rows: Vec<&str> = table.lines().collect();
        assert_eq!(rows.len(), 5, "{table}");
        assert!(rows[1].contains("probe.rs") && rows[1].contains("4x5x6"), "{table}");
        // Per step (three of them): 8 ms of wall time over 3, 6 in part 0 and 4 in the other parts.
        assert!(rows[1].trim_end().ends_with("2666.7   2000.0   1333.3"), "{table}");
        assert!(rows[2].contains(" - ") && rows[3].contains("3x5x6"), "{table}");
        assert!(rows[4].contains("5000.0 µs per step"), "{table}");
        p.reset();
        assert_eq!(p.report().lines().count(), 2);
    }
}
