//! Which interruptible calls a thread works for, so that Ctrl-C stops exactly the calls it should.
//!
//! Only the main thread receives signals. A call that waits for long work there (`py::errors::interruptible`)
//! checks for Ctrl-C and, on one, sets its cancel flag. The work runs on other threads (the call's worker, then
//! a pool thread), and Python callbacks run there; a `fit`, `predict` or `evaluate` made from such a callback
//! is a call nested in the first, and must stop with it, as it would in Keras, where the whole chain runs on
//! the main thread and the `KeyboardInterrupt` unwinds through it. Each thread therefore carries its lineage: the
//! cancel flags of the calls it works for, outermost first. A new interruptible call waits with its caller's
//! lineage and hands its worker that lineage plus its own flag; a pool thread takes on, for the length of one
//! job, the lineage of the thread that gave it. A call on an unrelated thread (a `fit` on a thread of the
//! user's own) has a lineage of its own and goes on when the main thread's call is interrupted.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The cancel flags of the calls a thread works for, outermost first.
pub type Lineage = Vec<Arc<AtomicBool>>;

thread_local! {
    static LINEAGE: RefCell<Lineage> = const { RefCell::new(Vec::new()) };
}

/// This thread's lineage (empty, and no allocation, on a thread that works for no interruptible call).
pub fn current() -> Lineage {
    LINEAGE.with(|l| l.borrow().clone())
}

/// Whether this thread works for no interruptible call (its lineage is empty; nothing is cloned).
pub fn is_empty() -> bool {
    LINEAGE.with(|l| l.borrow().is_empty())
}

/// Whether a call of `lineage` has been cancelled.
pub fn cancelled(lineage: &[Arc<AtomicBool>]) -> bool {
    lineage.iter().any(|c| c.load(Ordering::Relaxed))
}

/// Run `f` on this thread as working for `lineage`, then give the thread back its own (a pool thread serves
/// many callers), also when `f` unwinds.
pub fn within<T>(lineage: Lineage, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Lineage>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(own) = self.0.take() {
                LINEAGE.with(|l| *l.borrow_mut() = own);
            }
        }
    }
    let own = LINEAGE.with(|l| std::mem::replace(&mut *l.borrow_mut(), lineage));
    let _restore = Restore(Some(own));
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lineage_holds_for_the_job_and_the_thread_gets_its_own_back() {
        let outer = Arc::new(AtomicBool::new(false));
        assert!(current().is_empty());
        within(vec![outer.clone()], || {
            assert_eq!(current().len(), 1);
            assert!(!cancelled(&current()));
            outer.store(true, Ordering::Relaxed);
            assert!(cancelled(&current()));
        });
        assert!(current().is_empty());
        let unwound = std::panic::catch_unwind(|| within(vec![outer.clone()], || panic!("a job that unwinds")));
        assert!(unwound.is_err());
        assert!(current().is_empty(), "restored on unwind too");
    }
}
