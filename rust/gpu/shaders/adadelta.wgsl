//! Adadelta (see optimizer/more.rs): `a = ρa + (1−ρ)g²`, `Δ = −√(d + ε)·g/√(a + ε)`, `d = ρd + (1−ρ)Δ²`,
//! `w += lr·Δ`. `lr` comes from the step record.

struct Params {
    n: u32,
    rho: f32,
    one_minus_rho: f32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> acc_g: array<f32>;
@group(0) @binding(4) var<storage, read_write> acc_d: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if i >= prm.n {
        return;
    }
    let gi = g[i];
    let a = prm.rho * acc_g[i] + prm.one_minus_rho * (gi * gi);
    acc_g[i] = a;
    let delta = -(sqrt(acc_d[i] + prm.eps) * gi / sqrt(a + prm.eps));
    acc_d[i] = prm.rho * acc_d[i] + prm.one_minus_rho * (delta * delta);
    w[i] = w[i] + stp.lr * delta;
}
