//! BatchNormalization forward. TRAIN: `x̂ = (x−μ)·inv_std` (stat_a = μ, stat_b = inv_std, x̂ kept for backward);
//! otherwise the moving statistics: `x̂ = (x−m)/√(v+ε)` (stat_a = m, stat_b = v). Then `y = γ·x̂ + β`.

override TRAIN: bool = true;

struct Params {
    n: u32,
    width: u32,
    epsilon: f32,
    has_gamma: u32,
    has_beta: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stat_a: array<f32>;
@group(0) @binding(3) var<storage, read> stat_b: array<f32>;
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> beta: array<f32>;
@group(0) @binding(6) var<storage, read_write> xhat: array<f32>;
@group(0) @binding(7) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if i >= prm.n {
        return;
    }
    let j = i % prm.width;
    var h: f32;
    if TRAIN {
        h = (x[i] - stat_a[j]) * stat_b[j];
        xhat[i] = h;
    } else {
        h = (x[i] - stat_a[j]) / sqrt(stat_b[j] + prm.epsilon);
    }
    var g = 1.0;
    if prm.has_gamma != 0u {
        g = gamma[j];
    }
    var b = 0.0;
    if prm.has_beta != 0u {
        b = beta[j];
    }
    y[i] = h * g + b;
}
