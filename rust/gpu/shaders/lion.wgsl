//! Lion (see optimizer/more.rs): `w −= lr·sign(β1·m + (1−β1)g)`, then `m = β2·m + (1−β2)g`. `lr` comes from
//! the step record.

struct Params {
    n: u32,
    beta_1: f32,
    beta_2: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if i >= prm.n {
        return;
    }
    let gi = g[i];
    let mi = m[i];
    w[i] = w[i] - stp.lr * sign_keep_nan(mi * prm.beta_1 + gi * (1.0 - prm.beta_1));
    m[i] = mi * prm.beta_2 + gi * (1.0 - prm.beta_2);
}
