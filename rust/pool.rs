//! The thread pools the parallel kernels run on: one for training, one for inference.
//!
//! Two pools, because a pool worker that waits inside `join` runs other queued jobs: if training and
//! inference shared a pool, a worker finishing a prediction (which holds the model's read lock) could pick up
//! a queued `fit` and block on the write lock beneath its own frame, a deadlock. With separate pools a
//! prediction's workers never run training, and the reverse.
//!
//! Work submitted from outside a pool goes through rayon's shared injector queue, which allocates a block
//! every few dozen submissions; running a whole `fit` inside its pool (`train`) keeps its steady state free
//! of allocation. Each pool has `KERAS_LITE_NUM_THREADS` threads, else one per CPU.
//!
//! A forked child (`multiprocessing`'s default on Linux) inherits the pools but none of their threads, so
//! work sent to them would wait forever. Each pool remembers the process that built it, and a process that
//! finds another's pool builds its own (the old one is leaked: its threads do not exist here).

use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicUsize, Ordering};
use std::sync::OnceLock;

/// A thread-owning singleton (a pool, the thread team) started on first use in each process: a forked
/// child finds its parent's value, whose threads it does not have, and starts its own (the parent's is
/// leaked). `None` is remembered too: a start that failed is not retried in the same process.
///
/// The common call (the value of this process exists) reads two atomics and takes no lock, so a `fork` at any
/// moment of a parent's hot loop cannot leave the child a lock held by a thread it does not have. Starting a
/// value takes a lock word holding the starter's process id; a child that finds it held by its parent's id
/// takes it over.
pub(crate) struct PerProcess<T: 'static> {
    /// The process whose value `value` is (0: none yet).
    owner: AtomicU32,
    /// The value (null: the start failed).
    value: AtomicPtr<T>,
    /// The process id of the thread starting a value, 0 when free.
    lock: AtomicU32,
}

impl<T: 'static> PerProcess<T> {
    pub(crate) const fn new() -> Self {
        PerProcess { owner: AtomicU32::new(0), value: AtomicPtr::new(std::ptr::null_mut()), lock: AtomicU32::new(0) }
    }

    /// This process's value, from `start` on this process's first call.
    pub(crate) fn get(&self, start: impl FnOnce() -> Option<&'static T>) -> Option<&'static T> {
        let pid = std::process::id();
        if self.owner.load(Ordering::Acquire) == pid {
            return self.current();
        }
        loop {
            match self.lock.compare_exchange(0, pid, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => break,
                // Held by another process: a thread of the parent this process was forked from, which will
                // never release it here.
                Err(holder) if holder != pid => {
                    if self.lock.compare_exchange(holder, pid, Ordering::Acquire, Ordering::Relaxed).is_ok() {
                        break;
                    }
                }
                Err(_) => std::thread::yield_now(),
            }
        }
        if self.owner.load(Ordering::Acquire) != pid {
            let value = start().map_or(std::ptr::null_mut(), |v| v as *const T as *mut T);
            self.value.store(value, Ordering::Release);
            self.owner.store(pid, Ordering::Release);
        }
        self.lock.store(0, Ordering::Release);
        self.current()
    }

    fn current(&self) -> Option<&'static T> {
        // SAFETY: a non-null value is a leaked `&'static T` stored by `get`, never freed.
        unsafe { self.value.load(Ordering::Acquire).as_ref() }
    }
}

static TRAIN: PerProcess<rayon::ThreadPool> = PerProcess::new();
static INFER: PerProcess<rayon::ThreadPool> = PerProcess::new();

fn threads_setting() -> Option<usize> {
    std::env::var("KERAS_LITE_NUM_THREADS").ok().and_then(|v| v.parse::<usize>().ok()).filter(|&n| n > 0)
}

fn build(name: &'static str) -> Option<&'static rayon::ThreadPool> {
    // Each thread makes its GEMM pack buffers as it starts, not in the first product it happens to pack for
    // (a fit's step or a repeated predict, where nothing is to be allocated: see `scratch`).
    let mut b = rayon::ThreadPoolBuilder::new()
        .thread_name(move |i| format!("keras_lite-{name}-{i}"))
        .start_handler(|_| crate::scratch::reserve());
    if let Some(n) = threads_setting() {
        b = b.num_threads(n);
    }
    b.build().ok().map(|p| &*Box::leak(Box::new(p)))
}

fn run_in<T: Send>(
    cell: &'static PerProcess<rayon::ThreadPool>,
    name: &'static str,
    f: impl FnOnce() -> T + Send,
) -> T {
    match cell.get(|| build(name)) {
        Some(p) => {
            let lineage = crate::lineage::current();
            p.install(|| crate::lineage::within(lineage, f))
        }
        None => f(),
    }
}

/// Fits running on threads of the training pool now.
static TRAINING: AtomicUsize = AtomicUsize::new(0);

/// Run `f` on a thread of the training pool (or here, if the pool could not be started).
///
/// A fit started from a callback of another fit (a model trained inside another's training loop) would
/// wait for a pool thread while the outer fit holds one waiting for it: once as many fits are nested as the
/// pool has threads, none could ever run. So a fit that finds every pool thread busy with a fit runs on the
/// calling thread instead (its kernels then split work with the thread team alone).
pub fn train<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let pool = TRAIN.get(|| build("train"));
    match pool {
        Some(p) if TRAINING.load(Ordering::Acquire) < p.current_num_threads() => {
            // The pool thread works for this thread's calls (its callbacks' nested calls stop with them).
            let lineage = crate::lineage::current();
            p.install(|| {
                TRAINING.fetch_add(1, Ordering::AcqRel);
                let _done = Leave;
                crate::lineage::within(lineage, f)
            })
        }
        _ => f(),
    }
}

/// Counts a fit off the pool when dropped, also when the fit unwinds.
struct Leave;

impl Drop for Leave {
    fn drop(&mut self) {
        TRAINING.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Run `f` on a thread of the inference pool (or here, if the pool could not be started).
pub fn infer<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    run_in(&INFER, "infer", f)
}

/// Number of threads kernels may split work across (read once: finding the CPU count reads files).
pub fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| {
        threads_setting().unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A process id that is not this process's (as a forked child sees its parent's).
    fn other_pid() -> u32 {
        std::process::id().wrapping_add(1).max(1)
    }

    #[test]
    fn a_start_lock_left_by_another_process_is_taken_over() {
        static CELL: PerProcess<u32> = PerProcess::new();
        static SEVEN: u32 = 7;
        static EIGHT: u32 = 8;
        // As a child forked while its parent was starting the value: the lock held by the parent's id.
        CELL.lock.store(other_pid(), Ordering::Relaxed);
        assert_eq!(CELL.get(|| Some(&SEVEN)), Some(&7));
        assert_eq!(CELL.lock.load(Ordering::Relaxed), 0, "the lock is free again");
        let mut started = false;
        assert_eq!(
            CELL.get(|| {
                started = true;
                None
            }),
            Some(&7)
        );
        assert!(!started, "the value is kept: no second start");
        // The parent's value is not this process's: a child starts its own.
        CELL.owner.store(other_pid(), Ordering::Relaxed);
        assert_eq!(CELL.get(|| Some(&EIGHT)), Some(&8));
    }

    #[test]
    fn a_failed_start_is_remembered() {
        static CELL: PerProcess<u32> = PerProcess::new();
        let mut starts = 0;
        assert_eq!(
            CELL.get(|| {
                starts += 1;
                None
            }),
            None
        );
        assert_eq!(
            CELL.get(|| {
                starts += 1;
                None
            }),
            None
        );
        assert_eq!(starts, 1);
    }
}
