//! The split-K reduction: `out[i] = epilogue(Σ_z part[z·len + i])`, summing the parts in order z = 0, 1, ...
//! so a product's result is the same on every run. One thread per output value.

struct Params {
    len: u32,
    n: u32,
    splits: u32,
    act_param: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> part: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let idx = group_index(wid, nwg) * 256u + t;
    if idx >= prm.len {
        return;
    }
    var s = 0.0;
    for (var z = 0u; z < prm.splits; z++) {
        s += part[z * prm.len + idx];
    }
    finish(idx, idx % prm.n, s, 0u, prm.len, prm.act_param);
}
