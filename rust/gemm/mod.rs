//! A packed, cache-blocked f32 GEMM, `C (+)= A·B`, with A and B read through strides so that transposed
//! operands cost nothing extra, and no allocation once its thread-local buffers have grown.
//!
//! K is cut into panels of `KC`. For each panel a block of `MC` rows of A is packed into `MR`-row slivers
//! and the B panel into `NR`-column slivers (`pack.rs`); the micro-kernel computes one `MR × NR` tile per
//! sliver pair. Threads take disjoint column ranges of C (each packs all of A, which costs `2/n` of the
//! work) or, when C is narrow, disjoint row ranges. The driver is generic over the kernel's tile: AVX-512F
//! 12×32 (`avx512.rs`), AVX2 6×16 or portable 6×16 (`kernel.rs`), chosen once per process ([`Isa`]).
//!
//! Reproducibility: each value of C is summed in k order whatever the tile, the blocking or the thread
//! count, so a product gives the same bits run to run. AVX-512 and AVX2 agree bit for bit too (same fused
//! multiply-adds, same `KC`); the portable kernel, on CPUs with neither, rounds differently, so trained
//! weights match only between machines that run a vector kernel.

mod avx512;
pub mod kernel;
mod pack;
mod shared;
mod small;
#[cfg(test)]
mod tests;

use std::cell::RefCell;

use kernel::Micro;
pub use kernel::{Epilogue, Isa};
pub use shared::gemm_then;
pub use small::THIN;

/// Depth of a packed panel: a B sliver (KC × NR: 16 KB at NR = 16, 32 KB at 32) stays in L1 while A
/// slivers stream past it. Shared by all kernels, which keeps their results identical.
const KC: usize = 256;
/// The largest `MC` of any kernel: the A pack buffer's fixed size is `KC × MC_MAX`.
const MC_MAX: usize = 144;
/// Columns of B packed at a time (a multiple of every NR): a 1 MB panel. The pack buffers have fixed sizes,
/// so each thread allocates them once, whatever the shapes and the kernel.
const NC: usize = 1024;
/// Spare values in each pack buffer, so that the packed data can start on a 64-byte boundary (aligned
/// vector loads of B for the 512-bit kernel).
const ALIGN_PAD: usize = 16;

/// A read-only matrix operand: element (i, j) is `data[i * rs + j * cs]`.
#[derive(Debug, Clone, Copy)]
pub struct Operand<'a> {
    /// The values.
    pub data: &'a [f32],
    /// Row stride.
    pub rs: usize,
    /// Column stride.
    pub cs: usize,
}

impl<'a> Epilogue<'a> {
    /// This epilogue re-based at the tile at (i, j) of an `ldc`-wide C, for the K panel that is `first` and/or
    /// `last`: the bias goes with the first panel's store, the clamp and mask with the last one's.
    fn tile(&self, i: usize, j: usize, ldc: usize, first: bool, last: bool) -> Epilogue<'a> {
        Epilogue {
            bias: if first { self.bias.map(|b| &b[j..]) } else { None },
            relu: last && self.relu,
            mask: if last { self.mask.map(|m| &m[i * ldc + j..]) } else { None },
        }
    }

    /// Apply the epilogue to a finished `m × n` C in a separate pass (for the paths that do not pack).
    fn apply(&self, c: &mut [f32], m: usize, n: usize) {
        if self.is_identity() {
            return;
        }
        for (i, row) in c[..m * n].chunks_exact_mut(n).enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = self.scalar(*v, j, i * n + j);
            }
        }
    }
}

thread_local! {
    static PACK_A: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    static PACK_B: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Run `f` with `len` values of a thread-local buffer of `cap` values (allocated on the thread's first call;
/// a fresh one if it is already in use), starting on a 64-byte boundary.
fn with_buffer<T>(
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

/// The output block `C[i0..i1, j0..j1]` of `C (+)= A·B`, single-threaded.
///
/// `c` is the whole row-major C (row stride `ldc`), given as a raw pointer so that threads can own disjoint
/// column ranges of the same rows.
///
/// # Safety
/// `c` must be valid for reads and writes of `i1 * ldc` values (with `j1 <= ldc`), and no other thread may
/// touch `C[i0..i1, j0..j1]` during the call.
#[allow(clippy::too_many_arguments)]
unsafe fn block<const MR: usize, const NR: usize, K: Micro<MR, NR>>(
    c: *mut f32,
    ldc: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    (i0, i1): (usize, usize),
    (j0, j1): (usize, usize),
    k: usize,
    accumulate: bool,
    epi: Epilogue<'_>,
) {
    for jb in (j0..j1).step_by(NC) {
        let jb_end = (jb + NC).min(j1);
        let nc = jb_end - jb;
        let slivers_n = nc.div_ceil(NR);
        let mut p0 = 0;
        while p0 < k {
            let kc = KC.min(k - p0);
            let acc = accumulate || p0 > 0;
            let (first, last) = (p0 == 0, p0 + kc == k);
            with_buffer(&PACK_B, KC * NC, slivers_n * kc * NR, |bpack| {
                pack::pack_b::<NR>(bpack, b, p0, kc, jb, nc);
                let mut ic = i0;
                while ic < i1 {
                    let mc = K::MC.min(i1 - ic);
                    with_buffer(&PACK_A, KC * MC_MAX, mc.div_ceil(MR) * kc * MR, |apack| {
                        pack::pack_a::<MR>(apack, a, ic, mc, p0, kc);
                        // SAFETY: the tiles of rows ic..ic+mc, columns jb..jb_end lie inside the caller's
                        // block, which it guarantees is valid and ours alone.
                        unsafe {
                            macro_kernel::<MR, NR, K>(
                                c,
                                ldc,
                                apack,
                                bpack,
                                (ic, ic + mc),
                                (jb, jb_end),
                                kc,
                                acc,
                                |i, j| epi.tile(i, j, ldc, first, last),
                            )
                        };
                    });
                    ic += mc;
                }
            });
            p0 += kc;
        }
    }
}

/// All `MR × NR` tiles of `C[i0..i1, j0..j1]` from packed A and B slivers of depth `kc`.
///
/// # Safety
/// As for `block`: `C[i0..i1, j0..j1]` must be valid and touched by no other thread.
#[allow(clippy::too_many_arguments)]
unsafe fn macro_kernel<'e, const MR: usize, const NR: usize, K: Micro<MR, NR>>(
    c: *mut f32,
    ldc: usize,
    apack: &[f32],
    bpack: &[f32],
    (i0, i1): (usize, usize),
    (j0, j1): (usize, usize),
    kc: usize,
    acc: bool,
    epi: impl Fn(usize, usize) -> Epilogue<'e>,
) {
    for js in 0..(j1 - j0).div_ceil(NR) {
        let j = j0 + js * NR;
        let nr = NR.min(j1 - j);
        let bs = &bpack[js * kc * NR..(js + 1) * kc * NR];
        for is in 0..(i1 - i0).div_ceil(MR) {
            let i = i0 + is * MR;
            let mr = MR.min(i1 - i);
            let asl = &apack[is * kc * MR..(is + 1) * kc * MR];
            let te = epi(i, j);
            if mr == MR && nr == NR {
                // SAFETY: rows i..i+MR, columns j..j+NR lie inside the block (see the function's contract).
                let tile = unsafe { std::slice::from_raw_parts_mut(c.add(i * ldc + j), (MR - 1) * ldc + NR) };
                checked_tile::<MR, NR, K>(kc, asl, bs, tile, ldc, acc, te);
            } else {
                let mut tmp2 = [[0.0f32; NR]; MR];
                let tmp = tmp2.as_flattened_mut();
                if acc {
                    for r in 0..mr {
                        // SAFETY: the `mr` rows and `nr` columns from (i, j) lie inside the block.
                        let row = unsafe { std::slice::from_raw_parts(c.add((i + r) * ldc + j), nr) };
                        tmp[r * NR..r * NR + nr].copy_from_slice(row);
                    }
                }
                checked_tile::<MR, NR, K>(kc, asl, bs, tmp, NR, acc, Epilogue::default());
                for r in 0..mr {
                    // SAFETY: as above.
                    let row = unsafe { std::slice::from_raw_parts_mut(c.add((i + r) * ldc + j), nr) };
                    if te.is_identity() {
                        row.copy_from_slice(&tmp[r * NR..r * NR + nr]);
                    } else {
                        for (col, v) in row.iter_mut().enumerate() {
                            *v = te.scalar(tmp[r * NR + col], col, r * ldc + col);
                        }
                    }
                }
            }
        }
    }
}

/// One tile through the kernel `K`, after checking that the slices hold what it reads and writes (see
/// [`Micro::tile`]); does nothing otherwise.
#[allow(clippy::too_many_arguments)]
fn checked_tile<const MR: usize, const NR: usize, K: Micro<MR, NR>>(
    kc: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    ldc: usize,
    accumulate: bool,
    epi: Epilogue<'_>,
) {
    let span = (MR - 1) * ldc + NR;
    if a.len() < kc * MR
        || b.len() < kc * NR
        || ldc < NR
        || c.len() < span
        || epi.bias.is_some_and(|b| b.len() < NR)
        || epi.mask.is_some_and(|m| m.len() < span)
    {
        return;
    }
    // SAFETY: the lengths are checked above; the kernel is only instantiated for a kernel the CPU runs
    // (`gemm_with` falls back to `Isa::best`).
    unsafe { K::tile(kc, a.as_ptr(), b.as_ptr(), c.as_mut_ptr(), ldc, accumulate, epi) }
}

/// A raw pointer that may cross to pool threads; each thread writes only its own block of C.
#[derive(Clone, Copy)]
struct SharedC(*mut f32);
// SAFETY: `gemm` hands each thread a disjoint block of C and waits for all of them before returning.
unsafe impl Send for SharedC {}
// SAFETY: as above; the pointer is only dereferenced inside `block`, on disjoint blocks.
unsafe impl Sync for SharedC {}

impl SharedC {
    /// The pointer (a method, so that closures capture the whole `Sync` wrapper, not the raw field).
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// `C(m×n, row-major) (+)= A(m×k)·B(k×n)`, then the epilogue, on up to `threads` threads, with the kernel
/// [`Isa::selected`].
///
/// Does nothing if `c` is shorter than `m*n`, an operand cannot hold its shape, or the epilogue's bias is
/// shorter than `n` or its mask than `m*n`.
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    m: usize,
    k: usize,
    n: usize,
    accumulate: bool,
    threads: usize,
    epi: Epilogue<'_>,
) {
    gemm_with(Isa::selected(), c, a, b, (m, k, n), accumulate, threads, epi);
}

/// [`gemm`] with the kernel `isa` (or [`Isa::best`] if the CPU cannot run it): for tests and benchmarks
/// that compare the kernels in one process.
#[allow(clippy::too_many_arguments)]
pub fn gemm_with(
    isa: Isa,
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    threads: usize,
    epi: Epilogue<'_>,
) {
    let covers = |o: &Operand<'_>, rows: usize, cols: usize| {
        rows == 0 || cols == 0 || o.data.len() > (rows - 1) * o.rs + (cols - 1) * o.cs
    };
    let short_epi = epi.bias.is_some_and(|b| b.len() < n) || epi.mask.is_some_and(|x| x.len() < m * n);
    if c.len() < m * n || !covers(&a, m, k) || !covers(&b, k, n) || short_epi || m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        epi.apply(c, m, n);
        return;
    }
    let isa = if isa.available() { isa } else { Isa::best() };
    if n <= small::THIN || k <= small::THIN {
        small::gemm_thin(c, a, b, (m, k, n), accumulate, isa != Isa::Portable);
        epi.apply(c, m, n);
        return;
    }
    let threads = threads.max(1);
    match isa {
        Isa::Avx512 => {
            split::<{ avx512::MR }, { avx512::NR }, avx512::Avx512>(c, a, b, (m, k, n), accumulate, threads, epi)
        }
        Isa::Avx2 => split::<6, 16, kernel::Avx2>(c, a, b, (m, k, n), accumulate, threads, epi),
        Isa::Portable => split::<6, 16, kernel::Portable>(c, a, b, (m, k, n), accumulate, threads, epi),
    }
}

/// The packed product with the kernel `K`, its C cut between threads. `c` holds `m*n` values, the operands
/// cover their shapes, the epilogue is long enough, and `m, n, k > 0`.
#[allow(clippy::too_many_arguments)]
fn split<const MR: usize, const NR: usize, K: Micro<MR, NR>>(
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    threads: usize,
    epi: Epilogue<'_>,
) {
    const { assert!(K::MC.is_multiple_of(MR) && K::MC <= MC_MAX && NC.is_multiple_of(NR)) };
    let ptr = SharedC(c.as_mut_ptr());
    if threads > 1 && n >= 2 * NR * threads {
        // Column ranges, a multiple of NR wide.
        let per = n.div_ceil(threads).div_ceil(NR) * NR;
        crate::team::parallel(threads, &|t| {
            let (j0, j1) = (t * per, ((t + 1) * per).min(n));
            if j0 < j1 {
                // SAFETY: C holds m*n values (checked by the caller); threads own disjoint column ranges.
                unsafe { block::<MR, NR, K>(ptr.get(), n, a, b, (0, m), (j0, j1), k, accumulate, epi) }
            }
        });
    } else if threads > 1 && m >= 4 * MR * threads {
        let per = m.div_ceil(threads).div_ceil(MR) * MR;
        crate::team::parallel(threads, &|t| {
            let (i0, i1) = (t * per, ((t + 1) * per).min(m));
            if i0 < i1 {
                // SAFETY: C holds m*n values (checked by the caller); threads own disjoint row ranges.
                unsafe { block::<MR, NR, K>(ptr.get(), n, a, b, (i0, i1), (0, n), k, accumulate, epi) }
            }
        });
    } else {
        // SAFETY: C holds m*n values (checked by the caller) and is borrowed mutably here.
        unsafe { block::<MR, NR, K>(ptr.get(), n, a, b, (0, m), (0, n), k, accumulate, epi) }
    }
}
