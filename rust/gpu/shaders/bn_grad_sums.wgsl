//! BatchNormalization backward, column sums: `Σg` and `Σg·x̂` per column, which are also `dβ` and `dγ`.

struct Params {
    rows: u32,
    width: u32,
    has_gamma: u32,
    has_beta: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> xhat: array<f32>;
@group(0) @binding(3) var<storage, read_write> sum_g: array<f32>;
@group(0) @binding(4) var<storage, read_write> sum_gx: array<f32>;
@group(0) @binding(5) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(6) var<storage, read_write> dbeta: array<f32>;

var<workgroup> pa: array<f32, 256>;
var<workgroup> pb: array<f32, 256>;

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
    let col = group_index(wid, nwg) * 16u + lid.x;
    var s = 0.0;
    var sx = 0.0;
    if col < prm.width {
        for (var r = lid.y; r < prm.rows; r += 16u) {
            let i = r * prm.width + col;
            s += g[i];
            sx += g[i] * xhat[i];
        }
    }
    let t = lid.y * 16u + lid.x;
    pa[t] = s;
    pb[t] = sx;
    workgroupBarrier();
    for (var h = 8u; h > 0u; h = h / 2u) {
        if lid.y < h {
            pa[t] = pa[t] + pa[t + h * 16u];
            pb[t] = pb[t] + pb[t + h * 16u];
        }
        workgroupBarrier();
    }
    if lid.y == 0u && col < prm.width {
        sum_g[col] = pa[lid.x];
        sum_gx[col] = pb[lid.x];
        if prm.has_gamma != 0u {
            dgamma[col] = pb[lid.x];
        }
        if prm.has_beta != 0u {
            dbeta[col] = pa[lid.x];
        }
    }
}
