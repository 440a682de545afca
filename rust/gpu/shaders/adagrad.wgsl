//! Adagrad (see optimizer/more.rs): `a += g²`, `w −= lr·g/√(a + ε)`. `lr` comes from the step record.

struct Params {
    n: u32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> acc: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if i >= prm.n {
        return;
    }
    let gi = g[i];
    let ai = acc[i] + gi * gi;
    acc[i] = ai;
    w[i] = w[i] - stp.lr * gi / sqrt(ai + prm.eps);
}
