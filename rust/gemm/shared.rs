//! The column split with one packed copy of A for the whole team.
//!
//! `split`'s column split has each thread pack all of A for its own column range of C: with two threads
//! that is A packed twice, and each thread's time holds a whole A pack (for the step's 256-row products,
//! about as long as a fifth of its share of the multiply). Here A is packed once into a buffer the team
//! shares, a unit (`GROUP` slivers of a K panel) at a time: before it multiplies a block of A, a thread packs
//! the block's units that no thread has claimed, then waits for those that others are packing. Threads
//! visit the row blocks of a K panel, and the units of a block, in rotated orders, so that they pack
//! different units side by side.
//!
//! The same tiles, packed slivers and kernel as `block`, each value of C summed in k order (the K panels
//! stay in order for every tile): the results are those of `split`, bit for bit.
//!
//! After its columns of C, each thread runs the caller's `after(j0, j1)` for the same columns (a backward
//! pass sums its bias gradient there), so that work is split between the threads too.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::kernel::{Epilogue, Isa, Micro};
use super::{macro_kernel, pack, with_buffer, Operand, SharedC, ALIGN_PAD, KC, NC, PACK_B};

/// The shared packed A and, per unit, the ticket of the product that claimed it and of the one it was
/// last packed for.
struct Packed {
    buf: Vec<f32>,
    claimed: Vec<AtomicUsize>,
    ready: Vec<AtomicUsize>,
}

/// One product at a time uses it; another finds it taken and splits the usual way.
static PACKED: Mutex<Packed> = Mutex::new(Packed { buf: Vec::new(), claimed: Vec::new(), ready: Vec::new() });

/// MR-row slivers per unit of packing work: a block's slivers are packed by both threads at once even when
/// A has a single block (up to `MC` rows, as the 128-row batches of the multiclass workload).
const GROUP: usize = 2;

/// Tickets: each product gets a larger one than any before, so that no state needs resetting.
static TICKET: AtomicUsize = AtomicUsize::new(0);

/// The shared buffer, as a pointer the team's threads may write through (each to the units it claimed).
#[derive(Clone, Copy)]
struct SharedA(*mut f32);
// SAFETY: the threads write disjoint units, each claimed by exactly one of them, and read a unit only after
// its `ready` ticket is published (release/acquire); the buffer outlives the team job (the lock is held).
unsafe impl Send for SharedA {}
// SAFETY: as above.
unsafe impl Sync for SharedA {}

impl SharedA {
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// Wait for `done()`, spinning briefly between `yield_now` calls.
fn wait_until(done: impl Fn() -> bool) {
    let mut spins = 0u32;
    while !done() {
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(256) {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}

/// `C (+)= A·B` with C's columns split between `threads` team threads sharing one packed A, then
/// `after(j0, j1)` on each thread's columns. Returns false, having done nothing, when the shared buffer is
/// in use (or a previous user panicked holding it).
///
/// The caller has checked the shapes as `split` expects (`c` holds `m*n` values, the operands cover their
/// shapes, the epilogue is long enough, `m, n, k > 0`) and that `n >= 2 * NR * threads`.
#[allow(clippy::too_many_arguments)]
pub(super) fn columns<const MR: usize, const NR: usize, K: Micro<MR, NR>>(
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    threads: usize,
    epi: Epilogue<'_>,
    after: &(dyn Fn(usize, usize) + Sync),
) -> bool {
    let Ok(mut packed) = PACKED.try_lock() else { return false };
    let blocks = m.div_ceil(K::MC);
    let panels = k.div_ceil(KC);
    let per_block = K::MC.div_ceil(MR).div_ceil(GROUP);
    let units = blocks * panels * per_block;
    // Panel q starts at q·KC·rows (earlier panels are KC deep); block ic within it at ic·kc.
    let rows = m.div_ceil(MR) * MR;
    let need = rows * k + ALIGN_PAD;
    if packed.buf.len() < need {
        packed.buf.resize(need, 0.0);
    }
    if packed.claimed.len() < units {
        packed.claimed.resize_with(units, || AtomicUsize::new(0));
        packed.ready.resize_with(units, || AtomicUsize::new(0));
    }
    let ticket = TICKET.fetch_add(1, Ordering::Relaxed) + 1;
    let Packed { buf, claimed, ready } = &mut *packed;
    let at = buf.as_ptr().align_offset(64).min(ALIGN_PAD);
    let apack = SharedA(buf[at..].as_mut_ptr());
    let (claimed, ready) = (&claimed[..units], &ready[..units]);
    let ptr = SharedC(c.as_mut_ptr());
    let per = n.div_ceil(threads).div_ceil(NR) * NR;
    crate::team::parallel(threads, &|t| {
        let (j0, j1) = ((t * per).min(n), ((t + 1) * per).min(n));
        for jb in (j0..j1).step_by(NC) {
            let jb_end = (jb + NC).min(j1);
            let nc = jb_end - jb;
            for q in 0..panels {
                let p0 = q * KC;
                let kc = KC.min(k - p0);
                let acc = accumulate || p0 > 0;
                let (first, last) = (p0 == 0, p0 + kc == k);
                with_buffer(&PACK_B, KC * NC, nc.div_ceil(NR) * kc * NR, |bpack| {
                    pack::pack_b::<NR>(bpack, b, p0, kc, jb, nc);
                    for s in 0..blocks {
                        let bi = (s + t * blocks / threads) % blocks;
                        let ic = bi * K::MC;
                        let mc = K::MC.min(m - ic);
                        let (len, start) = (mc.div_ceil(MR) * kc * MR, q * KC * rows + ic * kc);
                        // Claim and pack the block's free groups (from a rotated start), then wait for the
                        // groups others claimed.
                        let (groups, first_unit) = (mc.div_ceil(MR).div_ceil(GROUP), (q * blocks + bi) * per_block);
                        for s in 0..groups {
                            let g = (s + t * groups / threads) % groups;
                            let u = first_unit + g;
                            if ready[u].load(Ordering::Acquire) != ticket
                                && claimed[u].fetch_max(ticket, Ordering::AcqRel) < ticket
                            {
                                let (r0, at) = (g * GROUP * MR, g * GROUP * kc * MR);
                                let rows_g = (GROUP * MR).min(mc - r0);
                                let glen = rows_g.div_ceil(MR) * kc * MR;
                                // SAFETY: group g of unit block (q, bi) is the `glen` values from `start + at`,
                                // inside the buffer (`rows·k` values past its aligned start) and disjoint from
                                // every other group; this thread alone claimed it, and no thread reads it
                                // before its `ready` ticket says so.
                                let dst = unsafe { std::slice::from_raw_parts_mut(apack.get().add(start + at), glen) };
                                pack::pack_a::<MR>(dst, a, ic + r0, rows_g, p0, kc);
                                ready[u].store(ticket, Ordering::Release);
                            }
                        }
                        for r in &ready[first_unit..first_unit + groups] {
                            wait_until(|| r.load(Ordering::Acquire) == ticket);
                        }
                        // SAFETY: the unit is packed for this product (its `ready` ticket, acquired above) and
                        // nobody writes it again during the job.
                        let unit = unsafe { std::slice::from_raw_parts(apack.get().add(start), len) };
                        // SAFETY: the tiles of rows ic..ic+mc, columns jb..jb_end lie inside C (m×n) and in
                        // this thread's column range, which no other thread touches.
                        unsafe {
                            macro_kernel::<MR, NR, K>(
                                ptr.get(),
                                n,
                                unit,
                                bpack,
                                (ic, ic + mc),
                                (jb, jb_end),
                                kc,
                                acc,
                                |i, j| epi.tile(i, j, n, first, last),
                            )
                        };
                    }
                });
            }
        }
        if j0 < j1 {
            after(j0, j1);
        }
    });
    true
}

/// [`gemm`] (with the kernel [`Isa::selected`]), then `after(j0, j1)` on column ranges that cover `0..n`
/// once. When C's columns are split between threads, each range is one thread's, run on that thread once its
/// columns are done, and the threads share one packed copy of A (`shared.rs`); otherwise `after(0, n)` runs
/// here after the product. Same results as [`gemm`], bit for bit.
#[allow(clippy::too_many_arguments)]
pub fn gemm_then(
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    threads: usize,
    epi: Epilogue<'_>,
    after: &(dyn Fn(usize, usize) + Sync),
) {
    let covers = |o: &Operand<'_>, rows: usize, cols: usize| o.data.len() > (rows - 1) * o.rs + (cols - 1) * o.cs;
    let shaped = m > 0 && n > 0 && k > super::small::THIN && n > super::small::THIN && c.len() >= m * n;
    let fits = shaped && covers(&a, m, k) && covers(&b, k, n);
    let short_epi = epi.bias.is_some_and(|b| b.len() < n) || epi.mask.is_some_and(|x| x.len() < m * n);
    if fits && !short_epi && threads > 1 {
        let dims = (m, k, n);
        let done = match Isa::selected() {
            Isa::Avx512 => {
                n >= 2 * super::avx512::NR * threads
                    && columns::<{ super::avx512::MR }, { super::avx512::NR }, super::avx512::Avx512>(
                        c, a, b, dims, accumulate, threads, epi, after,
                    )
            }
            Isa::Avx2 => {
                n >= 32 * threads
                    && columns::<6, 16, super::kernel::Avx2>(c, a, b, dims, accumulate, threads, epi, after)
            }
            Isa::Portable => {
                n >= 32 * threads
                    && columns::<6, 16, super::kernel::Portable>(c, a, b, dims, accumulate, threads, epi, after)
            }
        };
        if done {
            return;
        }
    }
    super::gemm(c, a, b, m, k, n, accumulate, threads, epi);
    if n > 0 {
        after(0, n);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{gemm, Epilogue, Operand};
    use super::gemm_then;
    use crate::rng::Rng;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// The shared-A column split gives `gemm`'s bits, with every epilogue and plain or transposed operands,
    /// over shapes with several row blocks, K panels and column panels; `after` sees every column once.
    #[test]
    fn shared_a_matches_gemm_bit_for_bit_and_after_covers_every_column() {
        let mut r = Rng::new(21, 0);
        for &(m, k, n) in
            &[(256, 256, 256), (784, 128, 256), (128, 784, 256), (300, 600, 1100), (13, 9, 130), (145, 257, 64)]
        {
            let (mut a, mut b, mut bias, mut mask) =
                (vec![0.0; m * k], vec![0.0; k * n], vec![0.0; n], vec![0.0; m * n]);
            r.fill_uniform(&mut a, 1.0);
            r.fill_uniform(&mut b, 1.0);
            r.fill_uniform(&mut bias, 1.0);
            r.fill_uniform(&mut mask, 1.0);
            let c0: Vec<f32> = (0..m * n).map(|x| (x % 5) as f32 * 0.5 - 1.0).collect();
            for (combo, at) in [(0, false), (1, true), (2, false), (3, true), (4, false)] {
                let epi = Epilogue {
                    bias: (combo & 1 > 0).then_some(&bias[..]),
                    relu: combo == 2,
                    mask: (combo >= 3).then_some(&mask[..]),
                };
                let ao = if at { Operand { data: &a, rs: 1, cs: m } } else { Operand { data: &a, rs: k, cs: 1 } };
                let bo = Operand { data: &b, rs: n, cs: 1 };
                let accumulate = combo % 2 == 1;
                let mut want = c0.clone();
                gemm(&mut want, ao, bo, m, k, n, accumulate, 1, epi);
                for threads in [2, 3] {
                    let seen: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
                    let mut c = c0.clone();
                    gemm_then(&mut c, ao, bo, (m, k, n), accumulate, threads, epi, &|j0, j1| {
                        seen[j0..j1].iter().for_each(|s| {
                            s.fetch_add(1, Ordering::Relaxed);
                        });
                    });
                    let same = want.iter().zip(&c).all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "{m}x{k}x{n} combo={combo} at={at} threads={threads} differs");
                    assert!(seen.iter().all(|s| s.load(Ordering::Relaxed) == 1), "{m}x{k}x{n}: columns missed");
                }
            }
        }
    }
}
