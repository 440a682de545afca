//! A packed, cache-blocked f32 GEMM, `C (+)= A·B`, with A and B read through strides so that transposed
//! operands cost nothing extra, and no allocation once its thread-local buffers have grown.
//!
//! K is cut into panels of `KC`. For each panel the B panel is packed into `NR`-column slivers (`pack.rs`),
//! unless B is row-major and the thread's block of C is short: then the kernel reads B where it is (each
//! k's `NR` values a row stride apart; only a last narrower sliver is packed). The micro-kernel reads A
//! where it is when it is row- or column-major (only a last sliver of fewer than `MR` rows is packed,
//! zero-padded), and packs blocks of `MC` rows into `MR`-row slivers otherwise; it computes one `MR × NR`
//! tile per sliver pair (`block.rs`). Threads take disjoint column ranges of C or, when C is narrow or its
//! A has to be packed (each thread would pack all of it), disjoint row ranges (each packs all of a B it
//! does not read in place). The driver is generic over the kernel's tile: AVX-512F 12×32, or 12×16
//! for C at most 16 wide (`avx512.rs`), AVX2 6×16 or portable 6×16 (`kernel.rs`), chosen once per process
//! ([`Isa`]).
//!
//! Reproducibility: each value of C is summed in k order whatever the tile, the blocking or the thread
//! count, so a product gives the same bits run to run. AVX-512 and AVX2 agree bit for bit too (same fused
//! multiply-adds, same `KC`); the portable kernel, on CPUs with neither, rounds differently, so trained
//! weights match only between machines that run a vector kernel.

mod avx512;
mod block;
mod column;
mod direct;
#[cfg(target_arch = "x86_64")]
mod direct_avx2;
pub mod kernel;
mod pack;
mod small;
mod sums;
#[cfg(test)]
mod tests;

use block::block;
use kernel::Micro;
pub use kernel::{Epilogue, Isa};
pub use small::THIN;
pub use sums::column_sums;

/// Depth of a packed panel: a B sliver (KC × NR: 16 KB at NR = 16, 32 KB at 32) stays in L1 while A
/// slivers stream past it. Shared by all kernels, which keeps their results identical.
const KC: usize = 256;
/// The largest `MC` of any kernel: the A pack buffer's fixed size is `KC × MC_MAX`.
const MC_MAX: usize = 144;
/// Columns of B packed at a time (a multiple of every NR): a 1 MB panel. The pack buffers have fixed sizes,
/// so each thread allocates them once, whatever the shapes and the kernel (`scratch`, which holds them).
const NC: usize = 1024;
const _: () = assert!(KC * NC == crate::scratch::PACK_B_LEN && KC * MC_MAX == crate::scratch::PACK_A_LEN);

/// Whether a kernel gradient of `rows × cols` is tall enough for `split` to cut its rows at `row_share`
/// (at least twice as tall as wide). Exported, with `row_share`, so that the optimizer can cut the kernel's
/// update where the product cut its gradient (`Network::update_cuts`, optimizer/adam.rs).
pub fn tall(rows: usize, cols: usize) -> bool {
    cols > 0 && rows >= 2 * cols
}

/// The rows of C the first threads take each when a tall kernel gradient's rows are split between `threads`
/// (see `split`): a multiple of the AVX-512 tile's height, which is twice the AVX2 one's.
pub fn row_share(m: usize, threads: usize) -> usize {
    share(m, threads, avx512::MR)
}

/// What each of the first `threads` takes of `len` rows or columns: an equal share rounded up to a multiple of
/// `multiple` (a tile's height or width), the last thread taking what is left.
fn share(len: usize, threads: usize, multiple: usize) -> usize {
    len.div_ceil(threads.max(1)).div_ceil(multiple) * multiple
}

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
    pub(super) fn tile(&self, i: usize, j: usize, ldc: usize, first: bool, last: bool) -> Epilogue<'a> {
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

/// `C = A·B` as [`gemm`] (no accumulate, no epilogue) that also leaves `sums[j] = Σ_p B[p][j]` (as
/// [`column_sums`] sums them) when the product's own threads can take them with the columns of C they
/// compute, B's columns then in their caches: `true` then; `false`, `sums` untouched, when the product takes
/// a path that does not (a thin or row-split product) or `sums` is shorter than `n`.
///
/// A Dense layer's kernel gradient `Xᵀ·dZ` and bias gradient `Σ dZ` so come out of one job of the thread
/// team instead of two, which was measured to matter beyond the sums' own time.
#[allow(clippy::too_many_arguments)]
pub fn gemm_summing_b(
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    m: usize,
    k: usize,
    n: usize,
    threads: usize,
    sums: &mut [f32],
) -> bool {
    let sums = (sums.len() >= n).then_some(sums);
    product(Isa::selected(), c, a, b, (m, k, n), false, threads, Epilogue::default(), sums)
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
    product(isa, c, a, b, (m, k, n), accumulate, threads, epi, None);
}

/// [`gemm_with`], and `B`'s column sums into `sums` where the path computes them (see [`gemm_summing_b`]):
/// whether it did.
#[allow(clippy::too_many_arguments)]
fn product(
    isa: Isa,
    c: &mut [f32],
    a: Operand<'_>,
    b: Operand<'_>,
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    threads: usize,
    epi: Epilogue<'_>,
    sums: Option<&mut [f32]>,
) -> bool {
    let covers = |o: &Operand<'_>, rows: usize, cols: usize| {
        rows == 0 || cols == 0 || o.data.len() > (rows - 1) * o.rs + (cols - 1) * o.cs
    };
    let short_epi = epi.bias.is_some_and(|b| b.len() < n) || epi.mask.is_some_and(|x| x.len() < m * n);
    if c.len() < m * n || !covers(&a, m, k) || !covers(&b, k, n) || short_epi || m == 0 || n == 0 {
        return false;
    }
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        epi.apply(c, m, n);
        return false;
    }
    let isa = if isa.available() { isa } else { Isa::best() };
    if direct::takes(m, k, n, isa) {
        return direct::gemm_direct(isa, c, a, b, (m, k, n), accumulate, epi, sums);
    }
    if n <= small::THIN || k <= small::THIN {
        small::gemm_thin(c, a, b, (m, k, n), accumulate, isa, epi);
        return false;
    }
    let (threads, sums) = (threads.max(1), sums.map(crate::team::Disjoint::new));
    let args = (c, a, b, (m, k, n), accumulate, threads, epi, sums);
    match isa {
        Isa::Avx512 if n <= avx512::NR_NARROW => {
            split::<{ avx512::MR }, { avx512::NR_NARROW }, avx512::Avx512<1>>(args)
        }
        Isa::Avx512 => split::<{ avx512::MR }, { avx512::NR }, avx512::Avx512<2>>(args),
        Isa::Avx2 => split::<6, 16, kernel::Avx2>(args),
        Isa::Portable => split::<6, 16, kernel::Portable>(args),
    }
}

/// `split`'s arguments: C, A, B, (m, k, n), accumulate, threads, epilogue, and where B's column sums go.
type SplitArgs<'c, 'o> = (
    &'c mut [f32],
    Operand<'o>,
    Operand<'o>,
    (usize, usize, usize),
    bool,
    usize,
    Epilogue<'o>,
    Option<crate::team::Disjoint>,
);

/// The packed product with the kernel `K`, its C cut between threads. `c` holds `m*n` values, the operands
/// cover their shapes, the epilogue is long enough, `m, n, k > 0`, and `sums` (if any) holds `n` values.
/// B's column sums go there from the threads (in column ranges, whichever way C is cut) or from this one;
/// returns whether they did (always, when asked).
fn split<const MR: usize, const NR: usize, K: Micro<MR, NR>>(
    (c, a, b, (m, k, n), accumulate, threads, epi, sums): SplitArgs<'_, '_>,
) -> bool {
    const { assert!(K::MC.is_multiple_of(MR) && K::MC <= MC_MAX && NC.is_multiple_of(NR)) };
    let ptr = SharedC(c.as_mut_ptr());
    // Each thread packs the B columns and A rows it needs: column ranges repeat A's packing in every
    // thread (none for a row-major A, read in place), row ranges B's (none where B is read in place).
    // Split the way that repeats less.
    let (by_cols, by_rows) = (n >= 2 * NR * threads, m >= 4 * MR * threads);
    let a_repeat = if a.cs == 1 || a.rs == 1 { 0 } else { m };
    // A kernel gradient `Xᵀ·dZ` (A read in place down its columns) that is `tall`: its rows are
    // cut where the optimizer cuts the kernel's update (`row_share`), so that each thread updates the weights
    // whose gradient it has just written. Measured on the Intel Xeon host, multiclass (a 784×256 kernel): the
    // Adam pass 80-83 → 67-72 µs a step, this product 1-6 µs slower than cut by columns, the fit 1-3.6%
    // faster (`rbench/fitbench.rs`, two builds alternated, three runs).
    let tall_gradient = a.rs == 1 && a.cs != 1 && tall(m, n);
    // Columns per thread (a multiple of NR): C's column ranges, or B's column sums' when C's rows are cut.
    let col_share = share(n, threads, NR);
    if threads > 1 && by_cols && !(by_rows && (n < a_repeat || tall_gradient)) {
        crate::team::parallel(threads, &|t| {
            let (j0, j1) = (t * col_share, ((t + 1) * col_share).min(n));
            if j0 < j1 {
                // SAFETY: C holds m*n values (checked by the caller); threads own disjoint column ranges.
                unsafe { block::<MR, NR, K>(ptr.get(), n, a, b, (0, m), (j0, j1), k, accumulate, epi) }
                if let Some(s) = sums {
                    // SAFETY: `sums` holds n values and outlives the job; the column ranges are disjoint.
                    sums::column_sums(b, k, j0, unsafe { s.slice(j0, j1 - j0) });
                }
            }
        });
        sums.is_some()
    } else if threads > 1 && by_rows {
        // Row ranges, a multiple of MR high (`row_share`'s, for a tall kernel gradient).
        let per = if tall_gradient { row_share(m, threads) } else { share(m, threads, MR) };
        // B's column sums, if asked for, in column ranges: each thread has read all of B for its rows.
        crate::team::parallel(threads, &|t| {
            let (i0, i1) = (t * per, ((t + 1) * per).min(m));
            if i0 < i1 {
                // SAFETY: C holds m*n values (checked by the caller); threads own disjoint row ranges.
                unsafe { block::<MR, NR, K>(ptr.get(), n, a, b, (i0, i1), (0, n), k, accumulate, epi) }
            }
            let (j0, j1) = ((t * col_share).min(n), ((t + 1) * col_share).min(n));
            if let Some(s) = sums.filter(|_| j0 < j1) {
                // SAFETY: `sums` holds n values and outlives the job; the column ranges are disjoint.
                sums::column_sums(b, k, j0, unsafe { s.slice(j0, j1 - j0) });
            }
        });
        sums.is_some()
    } else {
        // SAFETY: C holds m*n values (checked by the caller) and is borrowed mutably here.
        unsafe { block::<MR, NR, K>(ptr.get(), n, a, b, (0, m), (0, n), k, accumulate, epi) }
        if let Some(s) = sums {
            // SAFETY: `sums` holds n values, borrowed by the caller for this call, and no other thread runs.
            sums::column_sums(b, k, 0, unsafe { s.slice(0, n) });
        }
        sums.is_some()
    }
}
