//! Weight decay before the optimizer's update (see optimizer/decay.rs): `w −= w·wd·lr`, with this step's
//! learning rate from the step record.

struct Params {
    n: u32,
    rate: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if i >= prm.n {
        return;
    }
    let wi = w[i];
    w[i] = wi - wi * prm.rate * stp.lr;
}
