//! Normalization backward in place: `g ← g/s`, or with INVERT `g ← g·s`, where `s = max(√v, floor)`, or with
//! RAW `s = v` (Rescaling's scale). The variance holds one value per column, or one for all when `per_col` = 0.

override INVERT: bool = false;
// Rescaling: the variance buffer holds the scale itself.
override RAW: bool = false;

struct Params {
    n: u32,
    width: u32,
    per_col: u32,
    floor: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> g: array<f32>;
@group(0) @binding(2) var<storage, read> variance: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if i >= prm.n {
        return;
    }
    var j = 0u;
    if prm.per_col != 0u {
        j = i % prm.width;
    }
    var s = variance[j];
    if !RAW {
        s = norm_scale(s, prm.floor);
    }
    if INVERT {
        g[i] = g[i] * s;
    } else {
        g[i] = g[i] / s;
    }
}
