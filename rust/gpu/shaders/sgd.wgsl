//! SGD (see optimizer.rs). MODE 0: `w −= lr·g`; 1 momentum: `m = μm − lr·g`, `w += m`;
//! 2 Nesterov: `m = μm − lr·g`, `w += μm − lr·g`. `lr` comes from the step record.

override MODE: u32 = 0u;

struct Params {
    n: u32,
    momentum: f32,
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
    if MODE == 0u {
        w[i] = w[i] - stp.lr * gi;
        return;
    }
    let mi = prm.momentum * m[i] - stp.lr * gi;
    m[i] = mi;
    if MODE == 2u {
        w[i] = w[i] + (prm.momentum * mi - stp.lr * gi);
    } else {
        w[i] = w[i] + mi;
    }
}
