//! A fixed team of helper threads that split one kernel call between them and the caller.
//!
//! Why not `rayon::join`: a training step is a chain of GEMMs of a few hundred microseconds each, separated
//! by short single-threaded passes. With `join`, the second half of a GEMM only runs in parallel if an idle
//! worker steals it in time; a worker that has just gone back to its queue, or has fallen asleep, steals
//! late or not at all. Here helpers stay awake for a while after each job (so the next GEMM of the step finds
//! them ready), then park.
//!
//! Every participant, the caller included, claims parts until none are left (each its own part first). A
//! helper that is slow to wake (parked, or its core taken by another process) therefore costs nothing: the
//! caller runs the parts itself. Waiting threads spin only briefly between `yield_now` calls, so that on a
//! busy machine they hand their core to whoever can use it.
//!
//! One caller at a time owns the team; a concurrent caller gets `false` from [`run`] and splits its work
//! some other way. Nothing here allocates after the team has started.

use std::cell::UnsafeCell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use crate::pool::PerProcess;

/// How long an idle helper stays awake before it parks: long enough to bridge the single-threaded passes
/// between the GEMMs of a step, short enough not to hold a core once a fit or predict is over.
const AWAKE: Duration = Duration::from_micros(300);

/// `spin_loop` hints between two `yield_now` calls while waiting.
const SPINS_PER_YIELD: u32 = 256;

/// How long after a job a helper spins without yielding its core: the gaps between the products of a
/// training step are mostly shorter, and a helper inside `yield_now` when the next job opens starts late.
const SPIN_ONLY: Duration = Duration::from_micros(30);

/// A value alone in its cache lines (two, against the adjacent-line prefetcher): the counters that the
/// caller and the helpers write in turn would otherwise move one shared line back and forth at each write.
#[repr(align(128))]
struct Padded<T>(T);

impl<T> std::ops::Deref for Padded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The job of the current generation, with its lifetime erased (see `run`'s safety argument).
type JobPtr = *const (dyn Fn(usize) + Sync + 'static);

struct Team {
    /// Set while a caller owns the team.
    busy: AtomicBool,
    /// Odd while a job is open, even between jobs; each job moves it on by two.
    generation: AtomicUsize,
    /// Per part of the open job: taken by some thread (helper `h` tries part `h + 1` first, the caller
    /// part 0, so that a part's data tends to stay in the same core's cache from one job to the next).
    claimed: Vec<Padded<AtomicBool>>,
    /// Parts of the open job that have finished (returned or panicked).
    done: Padded<AtomicUsize>,
    /// Parts in the open job.
    parts: AtomicUsize,
    /// Helpers inside a job; the owner waits for none before it lets the job's closure go.
    active: Padded<AtomicUsize>,
    /// A part of the current job panicked on a helper.
    panicked: AtomicBool,
    /// The owner's floating-point control word (fpmode.rs), which a helper takes on for the open job's parts.
    fp: AtomicU32,
    /// The open job; written only by the owner while no helper is inside a job.
    job: UnsafeCell<Option<JobPtr>>,
    /// Per helper: parked (or about to park) and must be unparked for the next job.
    sleeping: Vec<AtomicBool>,
    /// The helpers' threads, for `unpark`.
    threads: OnceLock<Vec<Thread>>,
}

/// Wait for `done()`: a few spin hints at a time, then a `yield_now`, so a busy machine gets the core back.
fn wait_until(done: impl Fn() -> bool) {
    let mut spins = 0u32;
    while !done() {
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(SPINS_PER_YIELD) {
            thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}

// SAFETY: `job` is written only by the caller that owns the team (`busy`), while the generation is even
// (closed) and no helper is inside a job (`active` is zero), and published by the SeqCst increment that
// opens the generation. A helper reads it only after registering in `active` and then finding the
// generation it saw still open, and the owner does not close the job's lifetime before `active` is zero
// again. The pointee is `Sync`.
unsafe impl Sync for Team {}
// SAFETY: as above; the team lives in a static and is shared, never moved between threads by value.
unsafe impl Send for Team {}

/// This process's team (a forked child starts its own: see `PerProcess`).
static TEAM: PerProcess<Team> = PerProcess::new();

/// The team, started on first use with `crate::pool::threads() - 1` helpers; `None` on one CPU or if a
/// thread could not be spawned.
fn team() -> Option<&'static Team> {
    TEAM.get(start)
}

fn start() -> Option<&'static Team> {
    let helpers = crate::pool::threads().saturating_sub(1);
    if helpers == 0 {
        return None;
    }
    let team: &'static Team = Box::leak(Box::new(Team {
        busy: AtomicBool::new(false),
        generation: AtomicUsize::new(0),
        claimed: (0..=helpers).map(|_| Padded(AtomicBool::new(false))).collect(),
        done: Padded(AtomicUsize::new(0)),
        parts: AtomicUsize::new(0),
        active: Padded(AtomicUsize::new(0)),
        panicked: AtomicBool::new(false),
        fp: AtomicU32::new(0),
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
    crate::scratch::reserve();
    let mut seen = 0;
    loop {
        // Wait for an open generation not yet seen: awake for `AWAKE`, then parked until unparked.
        let mut start = Instant::now();
        let mut spins = 0u32;
        let g = loop {
            let g = team.generation.load(Ordering::SeqCst);
            if !g.is_multiple_of(2) && g != seen {
                break g;
            }
            spins = spins.wrapping_add(1);
            if !spins.is_multiple_of(SPINS_PER_YIELD) || start.elapsed() < SPIN_ONLY {
                std::hint::spin_loop();
            } else if start.elapsed() < AWAKE {
                thread::yield_now();
            } else {
                team.sleeping[h].store(true, Ordering::SeqCst);
                let g = team.generation.load(Ordering::SeqCst);
                if g.is_multiple_of(2) || g == seen {
                    thread::park();
                }
                team.sleeping[h].store(false, Ordering::SeqCst);
                // Woken for a job it may already have missed: stay awake for the next one.
                start = Instant::now();
            }
        };
        seen = g;
        team.active.fetch_add(1, Ordering::SeqCst);
        if team.generation.load(Ordering::SeqCst) == g {
            // SAFETY: generation `g` is still open and we are registered in `active`, so the owner wrote
            // `job` before opening it and keeps the closure alive until `active` is zero again.
            if let Some(f) = unsafe { *team.job.get() } {
                // SAFETY: as above, the pointee outlives this use.
                let f = unsafe { &*f };
                // The owner's mode, kept until another job's owner asks for another (a helper runs only
                // jobs).
                let word = team.fp.load(Ordering::Relaxed);
                if !crate::fpmode::same(crate::fpmode::get(), word) {
                    crate::fpmode::set(word);
                }
                claim_parts(team, f, h + 1, |_| team.panicked.store(true, Ordering::Release));
            }
        }
        team.active.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Claim and run parts of the open job, `first` first, until none are left; `on_panic` receives a panicking
/// part's payload.
fn claim_parts(
    team: &Team,
    f: &(dyn Fn(usize) + Sync),
    first: usize,
    mut on_panic: impl FnMut(Box<dyn std::any::Any + Send>),
) {
    let parts = team.parts.load(Ordering::Acquire).min(team.claimed.len());
    for t in std::iter::once(first).chain(0..parts) {
        if t >= parts || team.claimed[t].swap(true, Ordering::AcqRel) {
            continue;
        }
        #[cfg(feature = "probe")]
        let began = Instant::now();
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| f(t))) {
            on_panic(payload);
        }
        #[cfg(feature = "probe")]
        crate::probe::part(t, began.elapsed());
        team.done.fetch_add(1, Ordering::AcqRel);
    }
}

/// Run `f(0)`, …, `f(parts - 1)` at once, on the calling thread and the team's helpers, each part once.
///
/// Returns `false` without running anything if there is no team, it has fewer than `parts` threads, or
/// another caller owns it; the caller then does the work some other way. A panic in any part is re-raised
/// here once every part has finished. The helpers run their parts in the caller's floating-point mode
/// (fpmode.rs).
#[cfg_attr(feature = "probe", track_caller)]
pub fn run(parts: usize, f: &(dyn Fn(usize) + Sync)) -> bool {
    let Some(team) = team() else { return false };
    if parts == 0 || parts > team.sleeping.len() + 1 {
        return false;
    }
    if team.busy.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
        return false;
    }
    #[cfg(feature = "probe")]
    let probe = (crate::probe::job_begin(std::panic::Location::caller()), Instant::now());
    // SAFETY: only the lifetime is erased. The pointer is cleared below, after the job is closed and no
    // helper is inside it (`active` is zero), before this function returns and `f`'s borrow ends.
    let erased: JobPtr = unsafe { std::mem::transmute::<*const (dyn Fn(usize) + Sync + '_), JobPtr>(f) };
    // SAFETY: we own the team (`busy`), the generation is closed and `active` was zero when the previous
    // owner let go, so no helper reads `job` now (see the `Sync` impl).
    unsafe { *team.job.get() = Some(erased) };
    team.parts.store(parts, Ordering::Release);
    team.claimed[..parts].iter().for_each(|c| c.store(false, Ordering::Release));
    team.done.store(0, Ordering::Release);
    team.panicked.store(false, Ordering::Release);
    team.fp.store(crate::fpmode::get(), Ordering::Relaxed);
    team.generation.fetch_add(1, Ordering::SeqCst);
    if let Some(threads) = team.threads.get() {
        for (t, asleep) in threads.iter().zip(&team.sleeping) {
            if asleep.load(Ordering::SeqCst) {
                t.unpark();
            }
        }
    }
    let mut mine = None;
    claim_parts(team, f, 0, |payload| {
        mine.get_or_insert(payload);
    });
    wait_until(|| team.done.load(Ordering::Acquire) >= parts);
    team.generation.fetch_add(1, Ordering::SeqCst);
    wait_until(|| team.active.load(Ordering::SeqCst) == 0);
    // SAFETY: the job is closed and no helper is inside it; we still own the team.
    unsafe { *team.job.get() = None };
    let helper_panicked = team.panicked.load(Ordering::Acquire);
    #[cfg(feature = "probe")]
    crate::probe::job_end(probe.0, probe.1.elapsed());
    team.busy.store(false, Ordering::Release);
    if let Some(payload) = mine {
        resume_unwind(payload);
    }
    if helper_panicked {
        resume_unwind(Box::new("a keras_lite team thread panicked"));
    }
    true
}

/// A mutable slice that the parts of one job write in disjoint ranges.
pub struct Disjoint<T = f32> {
    ptr: *mut T,
    len: usize,
}

impl<T> Clone for Disjoint<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Disjoint<T> {}

// SAFETY: a `Disjoint` is only a pointer; `slice`'s contract (disjoint ranges, the slice outliving the job)
// is what makes sharing it between a job's parts sound, for values that may be sent between threads.
unsafe impl<T: Send> Send for Disjoint<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Disjoint<T> {}

impl<T> Disjoint<T> {
    /// Share `values` between the parts of a job (the borrow ends here; see `slice`).
    pub fn new(values: &mut [T]) -> Self {
        Disjoint { ptr: values.as_mut_ptr(), len: values.len() }
    }

    /// `len` values from offset `at` (clamped to the slice's end).
    ///
    /// # Safety
    /// The slice given to `new` must still be alive and otherwise unused, and no two live results may
    /// overlap: each part of a job takes its own range.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn slice(&self, at: usize, len: usize) -> &mut [T] {
        let at = at.min(self.len);
        let len = len.min(self.len - at);
        // SAFETY: `at..at + len` lies inside the slice (clamped above); the caller's contract does the rest.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(at), len) }
    }
}

/// Run `f(t)` for `t` in `0..parts` at once: on the team when it is free, else on the current rayon pool
/// (by recursive `rayon::join`, which, unlike `rayon::scope`, allocates nothing), else one after another
/// here (outside keras_lite's pools, so as never to start rayon's global pool). Every part runs in the
/// caller's floating-point mode (fpmode.rs).
#[cfg_attr(feature = "probe", track_caller)]
pub fn parallel(parts: usize, f: &(dyn Fn(usize) + Sync)) {
    if run(parts, f) {
        return;
    }
    if rayon::current_thread_index().is_some() {
        // Each part in the caller's floating-point mode, wherever it runs.
        let word = crate::fpmode::get();
        split(0, parts, &|t| crate::fpmode::with(word, || f(t)));
    } else {
        (0..parts).for_each(f);
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
