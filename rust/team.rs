//! A fixed team of helper threads that split one kernel call between them and the caller.
//!
//! Why not `rayon::join`: a training step is a chain of GEMMs of a few hundred microseconds each, separated
//! by short single-threaded passes. With `join`, the second half of a GEMM only runs in parallel if an idle
//! worker steals it in time; a worker that has just gone back to its queue, or has fallen asleep, steals
//! late or not at all, and the caller then runs both halves. Measured on the tabular step's 256×256×256
//! products (`cargo run --release --example seqbench`), that cost a third of the two-thread rate.
//!
//! Here each call hands part `t` to helper `t - 1` explicitly: helpers spin on a generation counter for a
//! while after each job (so the next GEMM of the step finds them awake), then park. One caller at a time
//! owns the team; a concurrent caller gets `false` from [`run`] and splits its work some other way.
//!
//! Nothing here allocates after the team has started.

use std::cell::UnsafeCell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// How long an idle helper keeps spinning before it parks: long enough to bridge the single-threaded
/// passes between the GEMMs of a step, short enough not to hold a core once a fit or predict is over.
const SPIN: Duration = Duration::from_micros(300);

/// The job of the current generation, with its lifetime erased (see `run`'s safety argument).
type JobPtr = *const (dyn Fn(usize) + Sync + 'static);

struct Team {
    /// Set while a caller owns the team.
    busy: AtomicBool,
    /// Bumped once per job; helpers run a job when they see it change.
    generation: AtomicUsize,
    /// Helpers that have not yet finished the current generation.
    pending: AtomicUsize,
    /// Parts in the current job: helper `h` runs part `h + 1` if it is below this.
    parts: AtomicUsize,
    /// A part of the current job panicked on a helper.
    panicked: AtomicBool,
    /// The current job; written only by the owner while every helper is idle.
    job: UnsafeCell<Option<JobPtr>>,
    /// Per helper: parked (or about to park) and must be unparked for the next job.
    sleeping: Vec<AtomicBool>,
    /// The helpers' threads, for `unpark`.
    threads: OnceLock<Vec<Thread>>,
}

// SAFETY: `job` is written only by the caller that owns the team (`busy`), before it publishes a generation
// (Release on `generation`) and after every helper has finished the previous one (Acquire on `pending`);
// helpers read it only between seeing a new generation and decrementing `pending`. The pointee is `Sync`.
unsafe impl Sync for Team {}
// SAFETY: as above; the team lives in a static and is shared, never moved between threads by value.
unsafe impl Send for Team {}

/// This process's team, and the process it belongs to: a forked child inherits the team but not its
/// threads, and starts its own (the old one is leaked).
static TEAM: Mutex<Option<(u32, Option<&'static Team>)>> = Mutex::new(None);

/// The team, started on first use with `crate::pool::threads() - 1` helpers; `None` on one CPU or if a
/// thread could not be spawned.
fn team() -> Option<&'static Team> {
    let pid = std::process::id();
    let mut slot = TEAM.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    match *slot {
        Some((owner, t)) if owner == pid => t,
        _ => {
            let t = start();
            *slot = Some((pid, t));
            t
        }
    }
}

fn start() -> Option<&'static Team> {
    let helpers = crate::pool::threads().saturating_sub(1);
    if helpers == 0 {
        return None;
    }
    let team: &'static Team = Box::leak(Box::new(Team {
        busy: AtomicBool::new(false),
        generation: AtomicUsize::new(0),
        pending: AtomicUsize::new(0),
        parts: AtomicUsize::new(0),
        panicked: AtomicBool::new(false),
        job: UnsafeCell::new(None),
        sleeping: (0..helpers).map(|_| AtomicBool::new(false)).collect(),
        threads: OnceLock::new(),
    }));
    let mut threads = Vec::with_capacity(helpers);
    for h in 0..helpers {
        let spawned = thread::Builder::new().name(format!("keras_lite-team-{h}")).spawn(move || helper(team, h));
        match spawned {
            Ok(handle) => threads.push(handle.thread().clone()),
            // The helpers already started stay parked forever; the team is not used.
            Err(_) => return None,
        }
    }
    team.threads.set(threads).ok()?;
    Some(team)
}

fn helper(team: &'static Team, h: usize) {
    let mut seen = 0;
    loop {
        let start = Instant::now();
        let mut spins = 0u32;
        loop {
            let g = team.generation.load(Ordering::Acquire);
            if g != seen {
                seen = g;
                break;
            }
            spins = spins.wrapping_add(1);
            if !spins.is_multiple_of(64) || start.elapsed() < SPIN {
                std::hint::spin_loop();
                continue;
            }
            team.sleeping[h].store(true, Ordering::SeqCst);
            if team.generation.load(Ordering::SeqCst) == seen {
                thread::park();
            }
            team.sleeping[h].store(false, Ordering::SeqCst);
        }
        if h + 1 < team.parts.load(Ordering::Acquire) {
            // SAFETY: the owner wrote `job` before publishing this generation and keeps the closure alive
            // until `pending` reaches zero, which this helper's decrement below contributes to.
            if let Some(f) = unsafe { *team.job.get() } {
                // SAFETY: as above, the pointee outlives this call.
                let f = unsafe { &*f };
                if catch_unwind(AssertUnwindSafe(|| f(h + 1))).is_err() {
                    team.panicked.store(true, Ordering::Release);
                }
            }
        }
        team.pending.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Run `f(0)`, …, `f(parts - 1)` at once: part 0 on the calling thread, the others on the team's helpers.
///
/// Returns `false` without running anything if there is no team, it has fewer than `parts` threads, or
/// another caller owns it; the caller then does the work some other way. A panic in any part is re-raised
/// here once every part has finished.
pub fn run(parts: usize, f: &(dyn Fn(usize) + Sync)) -> bool {
    let Some(team) = team() else { return false };
    if parts == 0 || parts > team.sleeping.len() + 1 {
        return false;
    }
    if team.busy.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
        return false;
    }
    // SAFETY: only the lifetime is erased. The pointer is cleared below, after every helper has finished
    // with it (`pending` is zero), before this function returns and `f`'s borrow ends.
    let erased: JobPtr = unsafe { std::mem::transmute::<*const (dyn Fn(usize) + Sync + '_), JobPtr>(f) };
    // SAFETY: we own the team (`busy`) and every helper finished the previous generation before its owner
    // released it, so no helper reads `job` now.
    unsafe { *team.job.get() = Some(erased) };
    team.parts.store(parts, Ordering::Relaxed);
    team.panicked.store(false, Ordering::Relaxed);
    team.pending.store(team.sleeping.len(), Ordering::Relaxed);
    team.generation.fetch_add(1, Ordering::SeqCst);
    if let Some(threads) = team.threads.get() {
        for (t, asleep) in threads.iter().zip(&team.sleeping) {
            if asleep.load(Ordering::SeqCst) {
                t.unpark();
            }
        }
    }
    let mine = catch_unwind(AssertUnwindSafe(|| f(0)));
    let mut spins = 0u32;
    while team.pending.load(Ordering::Acquire) != 0 {
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(1024) {
            thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
    // SAFETY: every helper is done with this generation (`pending` is zero) and we still own the team.
    unsafe { *team.job.get() = None };
    let helper_panicked = team.panicked.load(Ordering::Acquire);
    team.busy.store(false, Ordering::Release);
    if let Err(payload) = mine {
        resume_unwind(payload);
    }
    if helper_panicked {
        resume_unwind(Box::new("a keras_lite team thread panicked"));
    }
    true
}

/// Run `f(t)` for `t` in `0..parts` at once: on the team when it is free, else on the current rayon pool
/// (by recursive `rayon::join`, which, unlike `rayon::scope`, allocates nothing).
pub fn parallel(parts: usize, f: &(dyn Fn(usize) + Sync)) {
    if !run(parts, f) {
        split(0, parts, f);
    }
}

fn split(lo: usize, hi: usize, f: &(dyn Fn(usize) + Sync)) {
    if hi - lo <= 1 {
        if hi > lo {
            f(lo);
        }
        return;
    }
    let mid = lo + (hi - lo) / 2;
    rayon::join(|| split(lo, mid, f), || split(mid, hi, f));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    #[test]
    fn every_part_runs_once() {
        let parts = crate::pool::threads().clamp(1, 4);
        for round in 0..200u64 {
            let hits: Vec<AtomicU64> = (0..parts).map(|_| AtomicU64::new(0)).collect();
            let ran = run(parts, &|t| {
                hits[t].fetch_add(round + 1, Ordering::Relaxed);
            });
            if ran {
                assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == round + 1));
            }
            if round % 50 == 0 {
                // Let the helpers park, so that waking them is exercised too.
                thread::sleep(Duration::from_millis(2));
            }
        }
    }

    #[test]
    fn concurrent_callers_never_share_the_team() {
        let parts = crate::pool::threads().clamp(1, 4);
        thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..500 {
                        let count = AtomicUsize::new(0);
                        if run(parts, &|_| {
                            count.fetch_add(1, Ordering::Relaxed);
                        }) {
                            assert_eq!(count.load(Ordering::Relaxed), parts);
                        }
                    }
                });
            }
        });
    }

    #[test]
    fn a_panicking_part_is_reraised_and_the_team_recovers() {
        let parts = crate::pool::threads().clamp(1, 4);
        let caught = catch_unwind(|| run(parts, &|t| assert!(t != parts - 1, "boom")));
        if parts > 1 {
            // Either the team ran it (and re-raised) or another test owned the team (false).
            assert!(caught.is_err() || caught.ok() == Some(false));
        }
        let count = AtomicUsize::new(0);
        let ok = run(parts, &|_| {
            count.fetch_add(1, Ordering::Relaxed);
        });
        assert!(!ok || count.load(Ordering::Relaxed) == parts);
    }
}
