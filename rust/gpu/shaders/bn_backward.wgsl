//! BatchNormalization backward, in place on g. TRAIN: `g ← γ·inv_std·(g − Σg/n − x̂·Σg·x̂/n)` (stat = inv_std);
//! frozen layer (inference mode): `g ← g·γ/√(v+ε)` (stat = moving variance).

override TRAIN: bool = true;

struct Params {
    n: u32,
    width: u32,
    rows: u32,
    epsilon: f32,
    has_gamma: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> g: array<f32>;
@group(0) @binding(2) var<storage, read> xhat: array<f32>;
@group(0) @binding(3) var<storage, read> sum_g: array<f32>;
@group(0) @binding(4) var<storage, read> sum_gx: array<f32>;
@group(0) @binding(5) var<storage, read> gamma: array<f32>;
@group(0) @binding(6) var<storage, read> stat: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if i >= prm.n {
        return;
    }
    let j = i % prm.width;
    var gm = 1.0;
    if prm.has_gamma != 0u {
        gm = gamma[j];
    }
    if TRAIN {
        let m = f32(max(prm.rows, 1u));
        let scale = gm * stat[j];
        g[i] = scale * (g[i] - sum_g[j] / m - xhat[i] * (sum_gx[j] / m));
    } else {
        g[i] = g[i] * (gm / sqrt(stat[j] + prm.epsilon));
    }
}
