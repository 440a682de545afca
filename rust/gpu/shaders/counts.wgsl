//! The stateful metrics' sums of a batch (see metric/confusion.rs and metric/r2.rs), written straight into
//! the step's slot of the per-step sums at column `offset` (no float atomics: one invocation per job loops
//! over the batch's rows). MODE 0: confusion counts, one job per (label, threshold) writing `[TP, FP, TN, FN]`
//! (`p > aux[threshold]` is positive, `y != 0` a positive label; `top_k` keeps the k largest of a row, the
//! first on ties; CLIP clips p to [0, 1], after AUC's sigmoid with LOGITS; MULTI counts each column as a label;
//! LABEL_WEIGHTS scales a column's decisions by `aux[thresholds + column]`). MODE 1: R², one job per output
//! column writing `[Σw·(y − c), Σw·(y − c)², Σw·(y − ŷ)², Σw, c]` with `c = aux[column]` (a target row, gpu/data.rs
//! `shift`: R² is the same for any, and float32 sums of targets far from 0 would cancel their variance away;
//! the host merges chunks of different shifts, metric/r2.rs `merge`). MODE 2: F-beta, one job per column writing
//! `[Σw·d·y, Σw·d·(1 − y), Σw·(1 − d)·y, Σw·y]` of the decision `d` (`p > aux[0]`, or with ARGMAX `p` at its row's
//! maximum and `|p| > 1e-9`; metric/fbeta.rs).
//!
//! A dispatch covers the rows `row0..rows`; one after the first (`row0 > 0`) goes on from the sums the one
//! before it left, so a batch cut into several dispatches sums exactly as one loop over it would. The host
//! cuts a batch so that no invocation loops more than a few thousand times (gpu/forward.rs `count_rows`):
//! Mesa's lavapipe ends a shader's loops after 65,535 iterations in all, which silently left rows out.
//! For the same reason `top_k` finds a row's k-th largest value once (at most k passes over the row) instead
//! of ranking each of its values against all the others.

override MODE: u32 = 0u;
// A `weighted_metrics` entry with sample weights.
override WEIGHTED: bool = false;
override AUC: bool = false;
override LOGITS: bool = false;
// Clip the predictions to [0, 1] (evenly spaced thresholds, as Keras's bucketed count; metric/confusion.rs).
override CLIP: bool = false;
override MULTI: bool = false;
override LABEL_WEIGHTS: bool = false;
// F-beta without a threshold: a row's largest prediction is its positive.
override ARGMAX: bool = false;

struct Params {
    rows: u32,
    width: u32,
    offset: u32,
    stride: u32,
    nthr: u32,
    top_k: u32,
    // 0xffffffff: every column.
    class_id: u32,
    jobs: u32,
    // The first row of this dispatch; 0 writes the sums, another adds to them.
    row0: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> pred: array<f32>;
@group(0) @binding(2) var<storage, read> tgt: array<f32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read> aux: array<f32>;
@group(0) @binding(5) var<storage, read_write> sums: array<f32>;

// A row's top-k cut: a value above `t` is among the k largest, one equal to `t` is if fewer than `left` equal
// ones come before it, one below is not. `all` when the row has at most k values that are not NaN.
struct Cut {
    t: f32,
    left: u32,
    all: bool,
}

// The cut of the row at `base`: `t` the k-th largest value (counting equal values one by one), `left` = k less
// the number of values above `t`. A NaN is never above another value nor equal to one, as in a rank by `>`
// and `==`, so it neither moves the cut nor is cut (metric/confusion.rs `TopCut`).
fn top_cut(base: u32) -> Cut {
    var above = 0u;
    var prev = 0.0;
    for (var round = 0u; round < prm.top_k; round++) {
        // The largest value below the last round's (any value in the first round).
        var best = 0.0;
        var found = false;
        for (var j = 0u; j < prm.width; j++) {
            let v = pred[base + j];
            if (round == 0u || v < prev) && (!found || v > best) {
                best = v;
                found = found || !is_nan_(v);
            }
        }
        if !found {
            break;
        }
        var equal = 0u;
        for (var j = 0u; j < prm.width; j++) {
            equal += u32(pred[base + j] == best);
        }
        if above + equal >= prm.top_k {
            return Cut(best, prm.top_k - above, false);
        }
        above += equal;
        prev = best;
    }
    return Cut(0.0, 0u, true);
}

// The prediction of column c as the thresholds see it; `before` is how many values equal to the cut come
// before c in its row (no top_k: a cut that keeps all).
fn value(p_in: f32, cut: Cut, before: u32) -> f32 {
    var p = p_in;
    if !cut.all && (p < cut.t || (p == cut.t && before >= cut.left)) {
        p = -1e10;
    }
    if AUC && LOGITS {
        p = sigmoid_(p);
    }
    if CLIP {
        p = clamp_keep_nan(p, 0.0, 1.0);
    }
    return p;
}

// The four sums at `out` that the dispatch before this one left (zero in the first: `row0 == 0`).
fn carried(out: u32) -> vec4<f32> {
    if prm.row0 > 0u {
        return vec4<f32>(sums[out], sums[out + 1u], sums[out + 2u], sums[out + 3u]);
    }
    return vec4<f32>(0.0);
}

fn put(out: u32, s: vec4<f32>) {
    sums[out] = s.x;
    sums[out + 1u] = s.y;
    sums[out + 2u] = s.z;
    sums[out + 3u] = s.w;
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let job = group_index(wid, nwg) * 256u + li;
    if job >= prm.jobs {
        return;
    }
    if MODE == 2u {
        let out = stp.slot * prm.stride + prm.offset + job * 4u;
        var s = carried(out);
        for (var r = prm.row0; r < prm.rows; r++) {
            let w = select(1.0, weights[r], WEIGHTED);
            let base = r * prm.width;
            let p = pred[base + job];
            var d = p > aux[0];
            if ARGMAX {
                var top = pred[base];
                for (var j = 1u; j < prm.width; j++) {
                    top = max(top, pred[base + j]);
                }
                d = p >= top && abs(p) > 1e-9;
            }
            let y = tgt[base + job];
            let dv = select(0.0, 1.0, d);
            s += w * vec4<f32>(dv * y, dv * (1.0 - y), (1.0 - dv) * y, y);
        }
        put(out, s);
        return;
    }
    if MODE == 1u {
        let out = stp.slot * prm.stride + prm.offset + job * 5u;
        var s = carried(out);
        for (var r = prm.row0; r < prm.rows; r++) {
            let w = select(1.0, weights[r], WEIGHTED);
            let y0 = tgt[r * prm.width + job];
            let d = y0 - pred[r * prm.width + job];
            let y = y0 - aux[job];
            s += w * vec4<f32>(y, y * y, d * d, 1.0);
        }
        put(out, s);
        sums[out + 4u] = aux[job];
        return;
    }
    let out = stp.slot * prm.stride + prm.offset + job * 4u;
    let label = job / prm.nthr;
    let thr = aux[job % prm.nthr];
    var c0 = 0u;
    var c1 = prm.width;
    if MULTI {
        c0 = label;
        c1 = label + 1u;
    } else if prm.class_id != 0xffffffffu {
        c0 = prm.class_id;
        c1 = prm.class_id + 1u;
    }
    // TP, FP, TN, FN.
    var n = carried(out);
    for (var r = prm.row0; r < prm.rows; r++) {
        let rw = select(1.0, weights[r], WEIGHTED);
        let base = r * prm.width;
        var cut = Cut(0.0, 0u, true);
        var before = 0u;
        if prm.top_k > 0u {
            cut = top_cut(base);
            for (var j = 0u; j < c0; j++) {
                before += u32(pred[base + j] == cut.t);
            }
        }
        for (var c = c0; c < c1; c++) {
            var w = rw;
            if LABEL_WEIGHTS && !MULTI {
                w *= aux[prm.nthr + c];
            }
            let p = pred[base + c];
            let above = value(p, cut, before) > thr;
            before += u32(p == cut.t);
            if tgt[base + c] != 0.0 {
                n += select(vec4<f32>(0.0, 0.0, 0.0, w), vec4<f32>(w, 0.0, 0.0, 0.0), above);
            } else {
                n += select(vec4<f32>(0.0, 0.0, w, 0.0), vec4<f32>(0.0, w, 0.0, 0.0), above);
            }
        }
    }
    put(out, n);
}
