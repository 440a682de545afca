//! The batch gather: rows copied by index (narrow ones without a `memcpy` call each, batches of 2^12 values
//! or more by the thread team), and rows asked of the cache before they are copied: the next batch's narrow
//! rows while a step computes (a small network's step is otherwise spent waiting for its randomly chosen
//! rows), a wider row a few rows ahead of the copy.

use crate::backend::Data;

/// Ask the cache for the rows `next` of the data's x and y (when there is data: a streamed batch is already
/// in memory). Only a hint: no value is read.
pub fn prefetch_batch(data: Option<Data<'_>>, next: &[u32]) {
    if let Some(d) = data.filter(|d| d.rows > 0) {
        prefetch_rows(d.x, d.x.len() / d.rows, next);
        prefetch_rows(d.y, d.y.len() / d.rows, next);
    }
}

/// Rows `idx` of a matrix of narrow rows (at most 16 values, which span at most two cache lines; wider rows
/// are left to the hardware, and to the gather's own look-ahead).
fn prefetch_rows(data: &[f32], width: usize, idx: &[u32]) {
    if (1..=16).contains(&width) {
        for &i in idx {
            crate::lines::prefetch(data, i as usize * width, width);
        }
    }
}

/// `dst.copy_from_slice(src)` without a call to `memcpy` for rows of at most 64 values (a small network's
/// one target and eight features, a tabular row of 32): a call per row is a large part of such a gather.
/// (Fixed-size pieces: a loop of single values may itself be compiled into a `memcpy` call.)
#[inline]
pub(super) fn copy_row(dst: &mut [f32], src: &[f32]) {
    if dst.len() > 64 || dst.len() != src.len() {
        dst.copy_from_slice(src);
        return;
    }
    let (n, mut i) = (dst.len(), 0);
    while i + 16 <= n {
        if let (Ok(d), Ok(s)) =
            (<&mut [f32; 16]>::try_from(&mut dst[i..i + 16]), <&[f32; 16]>::try_from(&src[i..i + 16]))
        {
            *d = *s;
        }
        i += 16;
    }
    if i + 8 <= n {
        if let (Ok(d), Ok(s)) = (<&mut [f32; 8]>::try_from(&mut dst[i..i + 8]), <&[f32; 8]>::try_from(&src[i..i + 8])) {
            *d = *s;
        }
        i += 8;
    }
    if i + 4 <= n {
        if let (Ok(d), Ok(s)) = (<&mut [f32; 4]>::try_from(&mut dst[i..i + 4]), <&[f32; 4]>::try_from(&src[i..i + 4])) {
            *d = *s;
        }
        i += 4;
    }
    // At most three left, copied one by one without a loop.
    for at in [i, i + 1, i + 2] {
        if at < n {
            dst[at] = src[at];
        }
    }
}

/// Rows `idx` of `src` (rows `stride` wide), columns `offset..offset + w`, into `dst`'s rows of `w`: the
/// common narrow widths (a one-value target, a small network's eight features) by a loop made for the
/// width, which leaves a row's copy two moves (`copy_row` decides a row's pieces afresh for each row), other
/// widths row by row with `copy_row`.
pub(super) fn copy_rows(dst: &mut [f32], w: usize, src: &[f32], stride: usize, offset: usize, idx: &[u32]) {
    match w {
        1 => fixed::<1>(dst, src, stride, offset, idx),
        2 => fixed::<2>(dst, src, stride, offset, idx),
        4 => fixed::<4>(dst, src, stride, offset, idx),
        8 => fixed::<8>(dst, src, stride, offset, idx),
        16 => fixed::<16>(dst, src, stride, offset, idx),
        _ => {
            for (d, &i) in dst.chunks_exact_mut(w.max(1)).zip(idx) {
                let start = i as usize * stride + offset;
                copy_row(d, &src[start..start + w]);
            }
        }
    }
}

/// `copy_rows` for rows of `W` values.
#[inline(always)]
fn fixed<const W: usize>(dst: &mut [f32], src: &[f32], stride: usize, offset: usize, idx: &[u32]) {
    for (d, &i) in dst.chunks_exact_mut(W).zip(idx) {
        let start = i as usize * stride + offset;
        if let (Ok(d), Ok(s)) = (<&mut [f32; W]>::try_from(d), <&[f32; W]>::try_from(&src[start..start + W])) {
            *d = *s;
        }
    }
}

/// Values from which a batch's rows are copied by the thread team: a batch gathered from random rows of a
/// large array waits on memory, and two cores wait for twice the rows. Measured with `rbench/fitbench`'s
/// per-step probe on the tabular workload (256 rows of 32 values): the gather's share of a step fell from
/// 7.5-9.8 to 5.6-6.4 µs split (with `AHEAD_NARROW`) against 2^15, the bound before.
const GATHER_SPLIT_MIN: usize = 1 << 12;

/// Rows ahead of the one being copied whose values the gather asks the cache for: randomly chosen rows
/// that are not in the cache each wait on memory, and a row at a time they would wait one after another.
/// A row of at most `AHEAD_NARROW_MAX` values (asked for whole, see `lines::prefetch`) looks further ahead
/// than a wide one, of which only the first 64 values are asked for: more wide rows in flight measured slower
/// (the multiclass gather, 784-value rows: 23-25 µs at 24 rows ahead against 20.6-22 at 8).
const GATHER_AHEAD: usize = 8;
/// See `GATHER_AHEAD`.
const AHEAD_NARROW: usize = 24;
/// See `GATHER_AHEAD`.
const AHEAD_NARROW_MAX: usize = 64;

/// `dst`'s rows (`w` wide) from rows `idx` of `x` (rows `iw` wide), columns `offset..offset + w`.
pub(super) fn gather_rows(dst: &mut [f32], w: usize, x: &[f32], iw: usize, offset: usize, idx: &[u32]) {
    let copy = |dst: &mut [f32], idx: &[u32]| {
        if w <= 16 {
            // Asked for during the previous step (`prefetch_batch`).
            copy_rows(dst, w, x, iw, offset, idx);
            return;
        }
        let ahead = if w <= AHEAD_NARROW_MAX { AHEAD_NARROW } else { GATHER_AHEAD };
        for (r, (d, &i)) in dst.chunks_exact_mut(w).zip(idx).enumerate() {
            if let Some(&ahead) = idx.get(r + ahead) {
                crate::lines::prefetch(x, ahead as usize * iw + offset, w);
            }
            let start = i as usize * iw + offset;
            copy_row(d, &x[start..start + w]);
        }
    };
    let rows = idx.len().min(dst.len() / w.max(1));
    let parts = crate::pool::threads().min(rows * w / GATHER_SPLIT_MIN).max(1);
    if parts < 2 {
        copy(dst, idx);
        return;
    }
    let out = crate::team::Disjoint::new(&mut dst[..rows * w]);
    crate::team::parallel(parts, &|t| {
        let (r0, r1) = (t * rows / parts, (t + 1) * rows / parts);
        // SAFETY: the parts' row ranges are disjoint and inside `dst`, which outlives the job.
        let d = unsafe { out.slice(r0 * w, (r1 - r0) * w) };
        copy(d, &idx[r0..r1]);
    });
}

#[cfg(test)]
mod tests {
    use super::{copy_row, copy_rows};

    /// Every width (the narrow ones with a loop of their own and the others, wide ones too), at any column
    /// offset, gathers the rows asked for, in their order, repeated rows included.
    #[test]
    fn rows_are_gathered_by_index() {
        let (rows, stride) = (9, 80);
        let src: Vec<f32> = (0..rows * stride).map(|v| v as f32 * 0.25 - 3.0).collect();
        let idx = [4u32, 0, 8, 4, 7];
        for w in (1..=17).chain([33, 70]) {
            for offset in [0, 1, stride - w] {
                let mut dst = vec![f32::NAN; idx.len() * w];
                copy_rows(&mut dst, w, &src, stride, offset, &idx);
                let want: Vec<f32> =
                    idx.iter().flat_map(|&i| src[i as usize * stride + offset..][..w].iter().copied()).collect();
                assert_eq!(dst, want, "width {w}, offset {offset}");
            }
        }
    }

    #[test]
    fn narrow_and_wide_rows_are_copied_whole() {
        for n in 0..70 {
            let src: Vec<f32> = (0..n).map(|v| v as f32 + 0.5).collect();
            let mut dst = vec![-1.0; n];
            copy_row(&mut dst, &src);
            assert_eq!(dst, src, "{n} values");
        }
    }
}
