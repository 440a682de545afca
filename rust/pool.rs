//! The one thread pool every parallel kernel runs on.
//!
//! Work submitted from outside a pool goes through rayon's shared injector queue, which allocates a block
//! every few dozen submissions; running a whole `fit` inside the pool (`run`) keeps its steady state free of
//! allocation. The size comes from `KERAS_LITE_NUM_THREADS`, else the number of CPUs.

use std::sync::OnceLock;

static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();

fn pool() -> Option<&'static rayon::ThreadPool> {
    POOL.get_or_init(|| {
        let threads =
            std::env::var("KERAS_LITE_NUM_THREADS").ok().and_then(|v| v.parse::<usize>().ok()).filter(|&n| n > 0);
        let mut b = rayon::ThreadPoolBuilder::new().thread_name(|i| format!("keras_lite-{i}"));
        if let Some(n) = threads {
            b = b.num_threads(n);
        }
        b.build().ok()
    })
    .as_ref()
}

/// Run `f` on a thread of the pool (or here, if the pool could not be started).
pub fn run<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    match pool() {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// Number of threads kernels may split work across.
pub fn threads() -> usize {
    pool().map_or(1, |p| p.current_num_threads())
}
