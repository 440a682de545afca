//! Adam's element-wise pass, the runs of adjacent weights it is made over, and its split between threads.

use std::ops::Range;

use crate::team::Disjoint;

/// Trainable values from which Adam's pass is split between the thread team.
const PARALLEL_MIN: usize = 1 << 16;

/// Adam's pass without AMSGrad over the `trainable` ranges of `params`, their gradients `grads` and
/// `moments` (m, v), with step size `alpha` and the complements `c1`, `c2` of β₁, β₂. With `PARALLEL_MIN`
/// values or more, in ranges in order and apart, the thread team makes it one job (the pass is memory-bound): part `t` updates the `t`-th piece of each unit, a unit being a range
/// of at least `PARALLEL_MIN / 2` values with `cuts` inside it, or else a run of adjacent ranges. A unit is cut
/// at its `cuts` when they are one fewer than the parts (a tall kernel, where its gradient's product cut its
/// rows: `gemm::row_share`, so that a thread updates the weights whose gradient it has just written; the
/// multiclass kernel's pass 80-83 → 67-72 µs a step), else in equal pieces. Each value takes the same
/// operations wherever it runs, so the bits do not depend on the cuts or the threads.
pub(super) fn update(
    params: &mut [f32],
    grads: &[f32],
    (m, v): (&mut [f32], &mut [f32]),
    trainable: &[Range<usize>],
    cuts: &[usize],
    (alpha, c1, c2, eps): (f32, f32, f32, f32),
) {
    let total: usize = trainable.iter().map(|r| r.len()).sum();
    let end = params.len().min(grads.len()).min(m.len()).min(v.len());
    let apart = trainable.windows(2).all(|p| p[0].end <= p[1].start)
        && trainable.iter().all(|r| r.start <= r.end && r.end <= end);
    let parts = crate::pool::threads().min(total.div_ceil(PARALLEL_MIN / 2)).max(1);
    if total < PARALLEL_MIN || !apart || parts < 2 {
        // One pass over each run of adjacent weights: a small network's six tensors are one run.
        for r in coalesced(trainable) {
            let (w, g) = (&mut params[r.clone()], &grads[r.clone()]);
            adam_pass(w, g, &mut m[r.clone()], &mut v[r.clone()], alpha, c1, c2, eps);
        }
        return;
    }
    let cuts = if cuts.windows(2).all(|p| p[0] < p[1]) { cuts } else { &[] };
    let (wp, mp, vp) = (Disjoint::new(params), Disjoint::new(m), Disjoint::new(v));
    crate::team::parallel(parts, &|t| {
        for (r, cut) in units(trainable, cuts) {
            let (lo, hi) = piece(&r, t, parts, if cut { cuts } else { &[] });
            // SAFETY: the ranges lie in order and apart inside the four slices (checked above), which outlive
            // the job, and the pieces of a range are disjoint (`piece`): no value is reachable from two parts.
            let (w, m, v) = unsafe { (wp.slice(lo, hi - lo), mp.slice(lo, hi - lo), vp.slice(lo, hi - lo)) };
            adam_pass(w, &grads[lo..hi], m, v, alpha, c1, c2, eps);
        }
    });
}

/// The units of `update`'s split pass, each with whether it is cut at its `cuts` (without cuts, the runs of
/// `coalesced`).
fn units<'a>(trainable: &'a [Range<usize>], cuts: &'a [usize]) -> impl Iterator<Item = (Range<usize>, bool)> + 'a {
    let cut = |r: &Range<usize>| r.len() >= PARALLEL_MIN / 2 && cuts.iter().any(|&c| r.start < c && c < r.end);
    let mut rest = trainable.iter().peekable();
    std::iter::from_fn(move || {
        let mut r = rest.next()?.clone();
        if cut(&r) {
            return Some((r, true));
        }
        while let Some(next) = rest.next_if(|n| n.start == r.end && !cut(n)) {
            r.end = next.end;
        }
        Some((r, false))
    })
}

/// Piece `t` of `parts` of range `r` (`lo..hi`): the pieces are in order, apart, and cover `r`, cut at the
/// offsets of `cuts` (strictly increasing) inside `r` when there are `parts - 1` of them, else equal.
fn piece(r: &Range<usize>, t: usize, parts: usize, cuts: &[usize]) -> (usize, usize) {
    let inside = &cuts[cuts.partition_point(|&c| c <= r.start)..cuts.partition_point(|&c| c < r.end)];
    let at = |i: usize| match i {
        0 => r.start,
        i if i >= parts => r.end,
        i if inside.len() + 1 == parts => inside[i - 1],
        i => r.start + i * r.len() / parts,
    };
    (at(t), at(t + 1))
}

/// `ranges` with each run of adjacent ones (`a.end == b.start`) joined into one range (no allocation).
pub(super) fn coalesced(ranges: &[Range<usize>]) -> impl Iterator<Item = Range<usize>> + '_ {
    units(ranges, &[]).map(|(r, _)| r)
}

/// The fused Adam loop over one contiguous range: 16 values at a time where the CPU has AVX-512F. Each value
/// takes the same operations in the same order either way (no fused multiply-add; IEEE square root and
/// division), so the bits do not depend on the path.
#[allow(clippy::too_many_arguments)]
pub(super) fn adam_pass(
    w: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    alpha: f32,
    c1: f32,
    c2: f32,
    eps: f32,
) {
    #[cfg(target_arch = "x86_64")]
    if crate::gemm::Isa::Avx512.available() {
        // SAFETY: the CPU has AVX-512F (just checked); the body is safe code.
        unsafe { adam_pass_avx512(w, g, m, v, alpha, c1, c2, eps) };
        return;
    }
    adam_body(w, g, m, v, alpha, c1, c2, eps);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn adam_pass_avx512(
    w: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    alpha: f32,
    c1: f32,
    c2: f32,
    eps: f32,
) {
    adam_body(w, g, m, v, alpha, c1, c2, eps);
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn adam_body(
    w: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    alpha: f32,
    c1: f32,
    c2: f32,
    eps: f32,
) {
    for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        *m += (g - *m) * c1;
        *v += (g * g - *v) * c2;
        *w -= alpha * *m / (v.sqrt() + eps);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::single_range_in_vec_init)]
    use super::*;

    /// Every range's pieces are in order and apart and cover it, cut at its cuts when there is one fewer
    /// than the parts.
    #[test]
    fn pieces_cover_each_range_once() {
        let r = 10..110;
        let cover = |cuts: &[usize], parts: usize| (0..parts).map(|t| piece(&r, t, parts, cuts)).collect::<Vec<_>>();
        assert_eq!(cover(&[], 2), [(10, 60), (60, 110)]);
        assert_eq!(cover(&[40], 2), [(10, 40), (40, 110)]);
        // Cuts outside the range, on its ends, or too many for the parts: equal pieces.
        assert_eq!(cover(&[5, 10, 110, 200], 2), [(10, 60), (60, 110)]);
        assert_eq!(cover(&[40, 50], 2), [(10, 60), (60, 110)]);
        assert_eq!(cover(&[40, 50], 3), [(10, 40), (40, 50), (50, 110)]);
        assert_eq!(cover(&[], 3), [(10, 43), (43, 76), (76, 110)]);
    }

    /// The split pass gives every weight the bits of one pass over it, for any cuts (even out of order, which
    /// are ignored), ranges with gaps, and ranges too small to split or overlapping (one pass per run).
    #[test]
    fn the_split_pass_has_the_bits_of_one_pass() {
        let n = 3 * PARALLEL_MIN;
        let mut rng = crate::rng::Rng::new(21, 0);
        let mut values = |scale: f32| {
            let mut v = vec![0.0f32; n];
            rng.fill_uniform(&mut v, scale);
            v
        };
        let (w0, g, m0, v0) = (values(1.0), values(0.1), values(0.01), values(0.001).iter().map(|x| x.abs()).collect());
        let v0: Vec<f32> = v0;
        let hp = (1e-3, 0.9, 0.999, 1e-7);
        let big = PARALLEL_MIN + 7;
        let cases: [(Vec<Range<usize>>, Vec<usize>); 6] = [
            (vec![0..big, big..big + 10, big + 10..n], vec![1000]),
            (vec![0..big, big + 10..n - 3], vec![]),
            (vec![0..big, big..n], vec![big - 5, 5]),
            (vec![0..n], vec![n / 3, 2 * n / 3]),
            (vec![0..100, 200..300], vec![50]),
            (vec![0..big, 10..20, big..n], vec![]),
        ];
        for (trainable, cuts) in cases {
            let (mut w, mut m, mut v) = (w0.clone(), m0.clone(), v0.clone());
            let (mut we, mut me, mut ve) = (w0.clone(), m0.clone(), v0.clone());
            for r in &trainable {
                let r = r.clone();
                adam_body(&mut we[r.clone()], &g[r.clone()], &mut me[r.clone()], &mut ve[r], hp.0, hp.1, hp.2, hp.3);
            }
            crate::pool::train(|| update(&mut w, &g, (&mut m, &mut v), &trainable, &cuts, hp));
            let same = |x: &[f32], y: &[f32]| x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits());
            assert!(same(&w, &we) && same(&m, &me) && same(&v, &ve), "{trainable:?} cut at {cuts:?}");
        }
    }
}
