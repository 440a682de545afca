//! Nadam (see optimizer/nadam.rs): `m += (g−m)(1−β1)`, `v += (g²−v)(1−β2)`, `m̂ = a·m + b·g`,
//! `w −= m̂·lr/(√(v/c) + ε)`, with `a`, `b`, `c` and `lr` from the step record (computed on the host by
//! `OptimizerKind::nadam_step`, as the CPU does).

struct Params {
    n: u32,
    c1: f32,
    c2: f32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if i >= prm.n {
        return;
    }
    let gi = g[i];
    let mi = m[i] + (gi - m[i]) * prm.c1;
    let vi = v[i] + (gi * gi - v[i]) * prm.c2;
    m[i] = mi;
    v[i] = vi;
    let m_hat = stp.nadam_m * mi + stp.nadam_g * gi;
    w[i] = w[i] - m_hat * stp.lr / (sqrt(vi / stp.nadam_v) + prm.eps);
}
