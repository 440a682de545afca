//! Discretization and CategoryEncoding (layers/encode.rs). ZERO: the backward pass, which writes the input's
//! gradient 0 (an id does not change with its input), one thread per value. Otherwise one thread per row:
//! each value's id (its bin among the sorted `bins` when `nbins` > 0 or `has_bins`, else the value truncated
//! toward zero; NaN ids set nothing) kept (MODE 0) or encoded in `wo` columns: MODE 1 one_hot and
//! 2 multi_hot set the id's column to 1, MODE 3 count adds 1; ids outside 0..wo set nothing.

override MODE: u32 = 0u;
override ZERO: bool = false;

struct Params {
    rows: u32,
    wi: u32,
    wo: u32,
    has_bins: u32,
    nbins: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> bins: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

// How many boundaries are not above v (NaN: all of them), by bisection.
fn bin_of(v: f32) -> u32 {
    var lo = 0u;
    var hi = prm.nbins;
    loop {
        if lo >= hi {
            break;
        }
        let mid = (lo + hi) / 2u;
        if v < bins[mid] {
            hi = mid;
        } else {
            lo = mid + 1u;
        }
    }
    return lo;
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if ZERO {
        if i < prm.rows * prm.wi {
            y[i] = 0.0;
        }
        return;
    }
    if i >= prm.rows {
        return;
    }
    let xin = i * prm.wi;
    let yout = i * prm.wo;
    if MODE == 0u {
        for (var j = 0u; j < prm.wi; j++) {
            y[xin + j] = f32(bin_of(x[xin + j]));
        }
        return;
    }
    for (var k = 0u; k < prm.wo; k++) {
        y[yout + k] = 0.0;
    }
    for (var j = 0u; j < prm.wi; j++) {
        let v = x[xin + j];
        var k = 0.0;
        if prm.has_bins != 0u {
            k = f32(bin_of(v));
        } else {
            k = trunc(v);
        }
        // (NaN fails both comparisons.)
        if k >= 0.0 && k < f32(prm.wo) {
            let c = yout + u32(k);
            if MODE == 3u {
                y[c] = y[c] + 1.0;
            } else {
                y[c] = 1.0;
            }
        }
    }
}
