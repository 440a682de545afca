//! BatchNormalization batch statistics per column: `μ = Σx/n`, `σ² = Σ(x−μ)²/n`, `inv_std = 1/√(σ²+ε)`, and
//! the moving statistics `m ← m·momentum + μ·(1−momentum)`, `v ← v·momentum + σ²·(1−momentum)` (the
//! complement `one_minus` computed on the host from the momentum as given)
//! (when MOVING). Each 16×16 workgroup handles 16 columns with 16 row lanes, two passes over the rows.

override MOVING: bool = true;

struct Params {
    rows: u32,
    width: u32,
    momentum: f32,
    epsilon: f32,
    one_minus: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> inv_std: array<f32>;
@group(0) @binding(4) var<storage, read_write> moving_mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> moving_var: array<f32>;

var<workgroup> part: array<f32, 256>;
var<workgroup> mu: array<f32, 16>;

fn lane_sum(lid: vec3<u32>, v: f32) -> f32 {
    part[lid.y * 16u + lid.x] = v;
    workgroupBarrier();
    for (var h = 8u; h > 0u; h = h / 2u) {
        if lid.y < h {
            part[lid.y * 16u + lid.x] = part[lid.y * 16u + lid.x] + part[(lid.y + h) * 16u + lid.x];
        }
        workgroupBarrier();
    }
    let s = part[lid.x];
    workgroupBarrier();
    return s;
}

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
    let col = group_index(wid, nwg) * 16u + lid.x;
    let ok = col < prm.width;
    let n = f32(max(prm.rows, 1u));
    var s = 0.0;
    if ok {
        for (var r = lid.y; r < prm.rows; r += 16u) {
            s += x[r * prm.width + col];
        }
    }
    let m = lane_sum(lid, s) / n;
    var q = 0.0;
    if ok {
        for (var r = lid.y; r < prm.rows; r += 16u) {
            let d = x[r * prm.width + col] - m;
            q += d * d;
        }
    }
    let v = lane_sum(lid, q) / n;
    if ok && lid.y == 0u {
        mean[col] = m;
        inv_std[col] = 1.0 / sqrt(v + prm.epsilon);
        if MOVING {
            moving_mean[col] = moving_mean[col] * prm.momentum + m * prm.one_minus;
            moving_var[col] = moving_var[col] * prm.momentum + v * prm.one_minus;
        }
    }
}
