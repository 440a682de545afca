//! RMSprop (see optimizer.rs): `v = ρv + (1−ρ)g²`; CENTERED `a = ρa + (1−ρ)g`, denominator `v − a² + ε`
//! (else `v + ε`); `Δ = lr·g/√denominator`; MOMENTUM `mo = μ·mo + Δ`, `w −= mo` (else `w −= Δ`). `lr` comes
//! from the step record.

override CENTERED: bool = false;
override MOMENTUM: bool = false;

struct Params {
    n: u32,
    rho: f32,
    one_minus_rho: f32,
    momentum: f32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> mom: array<f32>;
@group(0) @binding(5) var<storage, read_write> avg: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if i >= prm.n {
        return;
    }
    let gi = g[i];
    let vi = prm.rho * v[i] + prm.one_minus_rho * (gi * gi);
    v[i] = vi;
    var denom = vi + prm.eps;
    if CENTERED {
        let a = prm.rho * avg[i] + prm.one_minus_rho * gi;
        avg[i] = a;
        denom = vi - a * a + prm.eps;
    }
    let inc = stp.lr * gi / sqrt(denom);
    if MOMENTUM {
        let mo = prm.momentum * mom[i] + inc;
        mom[i] = mo;
        w[i] = w[i] - mo;
    } else {
        w[i] = w[i] - inc;
    }
}
