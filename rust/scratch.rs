//! The GEMM's per-thread pack buffers (gemm/block.rs), kept below the thread pools and the team, which make
//! them as each of their threads starts: which thread packs which part of a product is settled as threads
//! claim parts, so a thread may pack for the first time in a late step of a fit or in the hundredth predict,
//! where nothing is to be allocated (seen under load: two allocations in the counted epochs of a fit).

use std::cell::RefCell;

/// Values in the A pack buffer: the GEMM's `KC × MC_MAX` (checked there).
pub const PACK_A_LEN: usize = 256 * 144;
/// Values in the B pack buffer: the GEMM's `KC × NC` (a 1 MB panel).
pub const PACK_B_LEN: usize = 256 * 1024;
/// Spare values in each pack buffer, so that the packed data can start on a 64-byte boundary (aligned
/// vector loads of B for the 512-bit kernel).
pub const ALIGN_PAD: usize = 16;

thread_local! {
    pub static PACK_A: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    pub static PACK_B: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Run `f` with `len` values of a thread-local buffer of `cap` values (allocated on the thread's first call;
/// a fresh one if it is already in use), starting on a 64-byte boundary.
pub fn with_buffer<T>(
    key: &'static std::thread::LocalKey<RefCell<Vec<f32>>>,
    cap: usize,
    len: usize,
    f: impl FnOnce(&mut [f32]) -> T,
) -> T {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut v) => {
            if v.len() < cap + ALIGN_PAD {
                v.resize(cap + ALIGN_PAD, 0.0);
            }
            let at = v.as_ptr().align_offset(64).min(ALIGN_PAD);
            f(&mut v[at..at + len])
        }
        Err(_) => f(&mut vec![0.0; len]),
    })
}

/// Give this thread its pack buffers now, at their fixed sizes.
pub fn reserve() {
    with_buffer(&PACK_B, PACK_B_LEN, 0, |_| ());
    with_buffer(&PACK_A, PACK_A_LEN, 0, |_| ());
}
