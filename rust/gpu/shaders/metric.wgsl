//! A metric's per-row value into column `col` of the rows×`stride` value matrix (see metric.rs): 0 mae,
//! 1 mse (row means), 2 binary accuracy `(p > threshold) == t` (row mean), 3 categorical accuracy (argmax
//! match), 4 sparse categorical accuracy (targets are cls ids), 5 top-k categorical accuracy, 6 its sparse
//! form (the target cls has fewer than k predictions above it, in a row of finite values), 7 mean absolute
//! percentage error, 8 exact accuracy `p == t` (row mean), 9 cosine similarity (each side scaled by
//! `min(1/√Σx², 1e7)`, then their dot product).

override METRIC: u32 = 0u;
// A `weighted_metrics` entry with sample weights: the row's value is scaled by its weight.
override WEIGHTED: bool = false;

struct Params {
    rows: u32,
    width: u32,
    col: u32,
    stride: u32,
    threshold: f32,
    k: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> pred: array<f32>;
@group(0) @binding(2) var<storage, read> tgt: array<f32>;
@group(0) @binding(3) var<storage, read_write> rowvals: array<f32>;
@group(0) @binding(4) var<storage, read> weights: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let r = group_index(wid, nwg) * 256u + li;
    if r >= prm.rows {
        return;
    }
    let base = r * prm.width;
    var v = 0.0;
    if METRIC >= 4u && METRIC <= 6u {
        var cls = 0u;
        if METRIC == 5u {
            for (var c = 1u; c < prm.width; c++) {
                if tgt[base + c] > tgt[base + cls] {
                    cls = c;
                }
            }
        } else {
            let t = tgt[r];
            cls = select(prm.width, u32(t), t >= 0.0 && fract(t) == 0.0 && t < f32(prm.width));
        }
        var above = 0u;
        var best = 0u;
        // A row with a NaN or infinite value is no top-k hit (TensorFlow's in_top_k cannot rank it).
        var finite = true;
        for (var c = 0u; c < prm.width; c++) {
            if cls < prm.width && pred[base + c] > pred[base + cls] {
                above += 1u;
            }
            finite = finite && !is_nan_(pred[base + c]) && !is_inf_(pred[base + c]);
            // TensorFlow's argmax: the largest value that is not NaN (0 when all are NaN)
            if pred[base + c] > pred[base + best] || (is_nan_(pred[base + best]) && !is_nan_(pred[base + c])) {
                best = c;
            }
        }
        if METRIC == 4u {
            v = select(0.0, 1.0, best == cls);
        } else {
            v = select(0.0, 1.0, cls < prm.width && above < prm.k && finite);
        }
    } else if METRIC == 9u {
        var sp = 0.0;
        var st = 0.0;
        for (var c = 0u; c < prm.width; c++) {
            sp += pred[base + c] * pred[base + c];
            st += tgt[base + c] * tgt[base + c];
        }
        // A zero row scales by 1e7 (its 1/0 would be infinite), as min(rsqrt(0), 1e7) in Keras.
        let ip = min(1.0 / sqrt(max(sp, 1e-30)), 1e7);
        let it = min(1.0 / sqrt(max(st, 1e-30)), 1e7);
        for (var c = 0u; c < prm.width; c++) {
            v += (tgt[base + c] * it) * (pred[base + c] * ip);
        }
    } else if METRIC == 3u {
        var bp = 0u;
        var bt = 0u;
        for (var c = 1u; c < prm.width; c++) {
            if pred[base + c] > pred[base + bp] {
                bp = c;
            }
            if tgt[base + c] > tgt[base + bt] {
                bt = c;
            }
        }
        v = select(0.0, 1.0, bp == bt);
    } else {
        var s = 0.0;
        for (var c = 0u; c < prm.width; c++) {
            let p = pred[base + c];
            let t = tgt[base + c];
            if METRIC == 0u {
                s += abs(p - t);
            } else if METRIC == 1u {
                s += (p - t) * (p - t);
            } else if METRIC == 7u {
                s += 100.0 * abs((t - p) / max(abs(t), 1e-7));
            } else if METRIC == 8u {
                s += select(0.0, 1.0, p == t);
            } else {
                s += select(0.0, 1.0, select(0.0, 1.0, p > prm.threshold) == t);
            }
        }
        v = s / f32(prm.width);
    }
    rowvals[r * prm.stride + prm.col] = select(v, v * weights[r], WEIGHTED);
}
