//! Process forks. A child made by `fork()` (Python's `multiprocessing` default on Linux, `os.fork`) gets a
//! copy of every lock in the parent, in whatever state it was, but only the thread that forked: a lock that
//! another thread held at that moment stays held forever in the child. Code that owns locks asks which
//! "fork generation" it is in (0 in the first process, one more in each child, counted by a
//! `pthread_atfork` handler) and, seeing a new one, checks its locks once before trusting them (see
//! `Model`'s adoption in model.rs).

use std::sync::atomic::{AtomicU64, Ordering};

static GENERATION: AtomicU64 = AtomicU64::new(0);

#[cfg(unix)]
extern "C" fn in_child() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// Start counting forks (once per process; idempotent and cheap after the first call).
pub fn watch() {
    #[cfg(unix)]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: registers a handler that only increments an atomic, which is async-signal-safe and
            // therefore allowed in a child between fork and exec. The call has no other preconditions.
            unsafe {
                libc::pthread_atfork(None, None, Some(in_child));
            }
        });
    }
}

/// The current fork generation: different from a value read before a fork in any child made since.
/// Only forks after the first `watch()` are counted; everything that records a generation calls it first.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Relaxed)
}

/// The message for state that a forked child cannot use because a thread of its parent held it.
pub const FORKED_WHILE_BUSY: &str = "This model was in use by another thread (training, or a call in progress) \
when this process was forked, and a forked child inherits its locks but not the thread that held them, so the \
model cannot be used here. Use the 'spawn' or 'forkserver' start method \
(multiprocessing.get_context('spawn')), or fork while no thread is using the model.";

/// The message for a GPU used in a forked child.
pub const FORKED_GPU: &str = "The GPU cannot be used in a process forked from one that had opened it: the \
driver's state does not survive fork(). Use the 'spawn' or 'forkserver' start method \
(multiprocessing.get_context('spawn')), or keep the model on the CPU in the forked children.";

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_child_sees_a_new_generation() {
        watch();
        let before = generation();
        // SAFETY: the child only reads an atomic and exits with `_exit`, which are async-signal-safe.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        if pid == 0 {
            let code = if generation() == before + 1 { 0 } else { 1 };
            // SAFETY: ends the child at once, without running the parent's atexit handlers or destructors.
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        // SAFETY: waits for the child forked above; `status` is a valid pointer.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "status {status}");
        assert_eq!(generation(), before, "the parent's generation is unchanged");
    }
}
