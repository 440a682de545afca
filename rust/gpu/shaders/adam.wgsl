//! Adam, one fused pass (see optimizer.rs; AdamW's decay is decay.wgsl, before it): `m += (g−m)(1−β1)`,
//! `v += (g²−v)(1−β2)`, AMSGRAD `v̂ = max(v̂, v)`, `w −= α·m/(√v + ε)` with `α = lr·√(1−β2ᵗ)/(1−β1ᵗ)` from the
//! step record (computed on the host exactly as the CPU does).

override AMSGRAD: bool = false;

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
@group(0) @binding(5) var<storage, read_write> vhat: array<f32>;

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
    var d = vi;
    if AMSGRAD {
        d = max(vhat[i], vi);
        vhat[i] = d;
    }
    w[i] = w[i] - stp.alpha * mi / (sqrt(d) + prm.eps);
}
