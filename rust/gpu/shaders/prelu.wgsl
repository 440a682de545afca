//! PReLU element-wise (layers/prelu.rs), alpha one value per column: MODE 0 the forward pass
//! `out = x if x > 0 else alpha·x`; MODE 1 the backward pass in place on the gradient,
//! `out ← out · (1 where x > 0, alpha where x < 0, 0 at x = 0)`.

override MODE: u32 = 0u;

struct Params {
    n: u32,
    width: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> alpha: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if i >= prm.n {
        return;
    }
    let v = x[i];
    let a = alpha[i % prm.width];
    if MODE == 0u {
        out[i] = select(a * v, v, v > 0.0);
    } else {
        out[i] = out[i] * select(select(0.0, a, v < 0.0), 1.0, v > 0.0);
    }
}
