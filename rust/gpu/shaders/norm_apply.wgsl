//! Normalization forward (inference and training alike): `y = (x − m)/s`, or with INVERT `y = m + x·s`, where
//! `s = max(√v, floor)`, or with RAW `s = v` (Rescaling: `offset + x·scale`, the offset and the scale bound as
//! the mean and the variance). They hold one value per column, or one for all (`per_col` = 0).

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
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> variance: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

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
        y[i] = mean[j] + x[i] * s;
    } else {
        y[i] = (x[i] - mean[j]) / s;
    }
}
