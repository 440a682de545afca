//! One thread's share of a packed product: the loops over B panels, K panels and A blocks around the
//! micro-kernel, the packing buffers, and the tiles cut by the edges of C.

use super::kernel::{Epilogue, Micro};
use super::{pack, Operand, KC, NC};
use crate::scratch::{with_buffer, PACK_A, PACK_A_LEN, PACK_B, PACK_B_LEN};

/// Where the micro-kernel reads the A block of one call of `macro_kernel`.
#[derive(Clone, Copy)]
enum ABlock<'a> {
    /// All of it packed in MR-row slivers of depth `kc`.
    Packed(&'a [f32]),
    /// A where it is, from column `p0`; `edge` holds the last sliver packed if
    /// the block's height is not a multiple of MR.
    Direct { a: Operand<'a>, p0: usize, edge: &'a [f32] },
}

/// A row-major B is read in place (each k's NR values of a sliver are contiguous, a row stride apart) by a
/// block of at most this many rows: packing costs a pass over the panel, which a short block reuses only a
/// few times (each of its row tiles reads every sliver once), while a taller block gains from the packed
/// sliver's contiguous lines, which stay in L1 from one row tile to the next (a sliver read in place is
/// `kc` lines a row stride apart, and a stride of 1 or 2 KB maps them onto a few L1 sets). Measured on the
/// Intel Xeon host, AVX-512, B 256 wide and 256 deep, A transposed (a weight gradient), one thread: 24-48
/// rows +19-35% in place, 64 rows even, 96-256 rows within the noise; the forward products of 256-row
/// batches (A row-major), one and two threads: +8-10% (B 256 wide) and +14-16% (512 wide) packed; whole
/// fits (`fitbench`, paired) with the old limit of 22 row tiles: wine 5%, multiclass 3% and tabular 1.5-4%
/// slower. Earlier, with 22 tiles: 11 and 32 rows +67% and +18% in place (AVX2: +40% and +9%).
const DIRECT_B_MAX_ROWS: usize = 48;

/// ... and only for a K panel at least this deep: a shallow one (a first layer of 11 or 32 inputs) is
/// re-read from L1 by every row tile when packed, and lost 5-11% read in place.
const DIRECT_B_MIN_K: usize = 64;

/// Where the micro-kernel reads the B panel of one call of `macro_kernel`.
#[derive(Clone, Copy)]
enum BPanel<'a> {
    /// All of it packed in NR-column slivers of depth `kc`.
    Packed(&'a [f32]),
    /// A row-major B where it is, from row `p0`; `edge` holds the last sliver packed if the panel's width
    /// is not a multiple of NR.
    Direct { b: Operand<'a>, p0: usize, edge: &'a [f32] },
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
pub(super) unsafe fn block<const MR: usize, const NR: usize, K: Micro<MR, NR>>(
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
    // A row-major A is read in place (its rows are contiguous in k, as a packed sliver is), and so is a
    // column-major one (each k holds the sliver's MR values side by side, as a packed sliver does): packing
    // them cost more than the strided reads (measured on the training products).
    let direct = a.cs == 1 || a.rs == 1;
    // A row-major B is read in place too, where packing it would not pay (see `DIRECT_B_MAX_ROWS`): for a
    // K panel of depth `kc`.
    let b_in_place = |kc: usize| b.cs == 1 && kc >= DIRECT_B_MIN_K && i1 - i0 <= DIRECT_B_MAX_ROWS;
    for jb in (j0..j1).step_by(NC) {
        let jb_end = (jb + NC).min(j1);
        let nc = jb_end - jb;
        let mut p0 = 0;
        while p0 < k {
            let kc = KC.min(k - p0);
            let acc = accumulate || p0 > 0;
            let (first, last) = (p0 == 0, p0 + kc == k);
            // Packed: the whole panel; direct: only a last sliver of fewer than NR columns.
            let direct_b = b_in_place(kc);
            let (pack_from, pack_cols) = if direct_b { (jb + nc / NR * NR, nc % NR) } else { (jb, nc) };
            with_buffer(&PACK_B, PACK_B_LEN, pack_cols.div_ceil(NR) * kc * NR, |bpack| {
                pack::pack_b::<NR>(bpack, b, p0, kc, pack_from, pack_cols);
                let bpanel = if direct_b { BPanel::Direct { b, p0, edge: bpack } } else { BPanel::Packed(bpack) };
                let mut ic = i0;
                while ic < i1 {
                    let mut mc = K::MC.min(i1 - ic);
                    if K::TILE8 && direct && i1 - ic - mc == 4 {
                        // Leave 16 rows to the last block (two 8-row tiles) rather than 4 (a 12-row one).
                        mc -= MR;
                    }
                    // Packed: the whole block; direct: only a last sliver of fewer than MR rows that goes
                    // through the MR-row kernel.
                    let (pack_from, pack_rows) = if direct {
                        let (full, _, edge) = row_tiles::<MR, NR, K>(mc, false);
                        (ic + full * MR, edge)
                    } else {
                        (ic, mc)
                    };
                    with_buffer(&PACK_A, PACK_A_LEN, pack_rows.div_ceil(MR) * kc * MR, |apack| {
                        pack::pack_a::<MR>(apack, a, pack_from, pack_rows, p0, kc);
                        let ablock = if direct { ABlock::Direct { a, p0, edge: apack } } else { ABlock::Packed(apack) };
                        // SAFETY: the tiles of rows ic..ic+mc, columns jb..jb_end lie inside the caller's
                        // block, which it guarantees is valid and ours alone.
                        unsafe {
                            macro_kernel::<MR, NR, K>(
                                c,
                                ldc,
                                ablock,
                                bpanel,
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

/// How `macro_kernel` cuts `mc` rows into tiles: `full` tiles of MR rows, then `short` tiles of 8 rows
/// (`K::tile8`: a remainder of 8 rows, or of 4 taken with the last full tile's 12 as two 8-row tiles, which
/// needs A in place), then, if `edge > 0`, a tile of the last `edge` rows through the MR-row kernel (A
/// zero-padded, C staged).
fn row_tiles<const MR: usize, const NR: usize, K: Micro<MR, NR>>(mc: usize, packed: bool) -> (usize, usize, usize) {
    let (full, rem) = (mc / MR, mc % MR);
    if K::TILE8 && MR == 12 && rem == 8 {
        (full, 1, 0)
    } else if K::TILE8 && MR == 12 && rem == 4 && full > 0 && !packed {
        (full - 1, 2, 0)
    } else {
        (full, 0, rem)
    }
}

/// All tiles of `C[i0..i1, j0..j1]` (cut by [`row_tiles`]) from the A block and the B panel, of depth
/// `kc`.
///
/// # Safety
/// As for `block`: `C[i0..i1, j0..j1]` must be valid and touched by no other thread.
#[allow(clippy::too_many_arguments)]
unsafe fn macro_kernel<'e, const MR: usize, const NR: usize, K: Micro<MR, NR>>(
    c: *mut f32,
    ldc: usize,
    ablock: ABlock<'_>,
    bpanel: BPanel<'_>,
    (i0, i1): (usize, usize),
    (j0, j1): (usize, usize),
    kc: usize,
    acc: bool,
    epi: impl Fn(usize, usize) -> Epilogue<'e>,
) {
    // The staging tile of the edge tiles, zeroed once per call rather than once per tile (a memset each):
    // values a previous tile left in it outside the `mr × nr` corner are computed over and never copied out.
    let mut staging: Option<[[f32; NR]; MR]> = None;
    let (full, short, edge) = row_tiles::<MR, NR, K>(i1 - i0, matches!(ablock, ABlock::Packed(_)));
    for js in 0..(j1 - j0).div_ceil(NR) {
        let j = j0 + js * NR;
        let nr = NR.min(j1 - j);
        // B̃'s values and row stride.
        let bs: (&[f32], usize) = match bpanel {
            BPanel::Packed(bpack) => (&bpack[js * kc * NR..(js + 1) * kc * NR], NR),
            BPanel::Direct { edge, .. } if nr < NR => (edge, NR),
            BPanel::Direct { b, p0, .. } => (b.data.get(p0 * b.rs + j..).unwrap_or_default(), b.rs),
        };
        for t in 0..full + short + usize::from(edge > 0) {
            // The tile's first row and the kernel's rows (`h`), of which the first `mr` are in C.
            let (i, h) = match t.checked_sub(full) {
                None => (i0 + t * MR, MR),
                Some(s) if s < short => (i0 + full * MR + s * 8, 8),
                Some(_) => (i0 + full * MR, MR),
            };
            let mr = h.min(i1 - i);
            // Ã's values and strides (value (r, p) at asl[r*ars + p*acs]).
            let (asl, strides): (&[f32], _) = match ablock {
                ABlock::Packed(apack) => (&apack[(i - i0) / MR * kc * MR + (i - i0) % MR..], (1, MR)),
                ABlock::Direct { edge, .. } if mr < h => (edge, (1, MR)),
                ABlock::Direct { a, p0, .. } => (&a.data[i * a.rs + p0 * a.cs..], (a.rs, a.cs)),
            };
            let te = epi(i, j);
            // The first sliver's pass over a row-major A read in place brings each tile's rows in from
            // wherever the previous product left them: the kernel may fetch the next tile's meanwhile.
            let next = match ablock {
                ABlock::Direct { a, p0, .. } if js == 0 && a.cs == 1 && t + 1 < full + short => {
                    Some(a.data.as_ptr().wrapping_add((i + h) * a.rs + p0))
                }
                _ => None,
            };
            if mr == h && nr == NR {
                // SAFETY: rows i..i+h, columns j..j+NR lie inside the block (see the function's contract).
                let tile = unsafe { std::slice::from_raw_parts_mut(c.add(i * ldc + j), (h - 1) * ldc + NR) };
                checked_tile::<MR, NR, K>(h, kc, (asl, strides), bs, tile, ldc, acc, te, next);
            } else {
                let tmp = staging.get_or_insert([[0.0; NR]; MR]).as_flattened_mut();
                if acc {
                    for r in 0..mr {
                        // SAFETY: the `mr` rows and `nr` columns from (i, j) lie inside the block.
                        let row = unsafe { std::slice::from_raw_parts(c.add((i + r) * ldc + j), nr) };
                        tmp[r * NR..r * NR + nr].copy_from_slice(row);
                    }
                }
                checked_tile::<MR, NR, K>(h, kc, (asl, strides), bs, tmp, NR, acc, Epilogue::default(), None);
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

/// One tile of `rows` rows (`MR`, or 8 where the kernel has [`Micro::tile8`]) through the kernel `K`, after
/// checking that the slices hold what it reads and writes (see [`Micro::tile`]); does nothing otherwise.
/// `next` (only prefetched) is where the next tile's A rows start, for an `MR`-row tile.
#[allow(clippy::too_many_arguments)]
fn checked_tile<const MR: usize, const NR: usize, K: Micro<MR, NR>>(
    rows: usize,
    kc: usize,
    (a, (ars, acs)): (&[f32], (usize, usize)),
    (b, ldb): (&[f32], usize),
    c: &mut [f32],
    ldc: usize,
    accumulate: bool,
    epi: Epilogue<'_>,
    next: Option<*const f32>,
) {
    let span = (rows - 1) * ldc + NR;
    if kc == 0
        || !(rows == MR || rows == 8 && K::TILE8)
        || a.len() < (rows - 1) * ars + (kc - 1) * acs + 1
        || b.len() < (kc - 1) * ldb + NR
        || ldc < NR
        || c.len() < span
        || epi.bias.is_some_and(|b| b.len() < NR)
        || epi.mask.is_some_and(|m| m.len() < span)
    {
        return;
    }
    // SAFETY: the lengths are checked above; the kernel is only instantiated for a kernel the CPU runs
    // (`gemm_with` falls back to `Isa::best`).
    unsafe {
        if rows == MR {
            K::tile(kc, a.as_ptr(), (ars, acs), (b.as_ptr(), ldb), c.as_mut_ptr(), ldc, accumulate, epi, next)
        } else {
            K::tile8(kc, a.as_ptr(), (ars, acs), (b.as_ptr(), ldb), c.as_mut_ptr(), ldc, accumulate, epi)
        }
    }
}
