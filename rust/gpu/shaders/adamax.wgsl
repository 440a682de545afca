//! Adamax (see optimizer/more.rs): `m += (g−m)(1−β1)`, `u = max(β2·u, |g|)`, `w −= α·m/(u + ε)` with
//! `α = lr/(1−β1ᵗ)` from the step record (computed on the host exactly as the CPU does).

struct Params {
    n: u32,
    c1: f32,
    beta_2: f32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> u: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if i >= prm.n {
        return;
    }
    let gi = g[i];
    let mi = m[i] + (gi - m[i]) * prm.c1;
    let ui = max(prm.beta_2 * u[i], abs(gi));
    m[i] = mi;
    u[i] = ui;
    w[i] = w[i] - stp.alpha * mi / (ui + prm.eps);
}
