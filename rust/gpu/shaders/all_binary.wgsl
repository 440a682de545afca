//! `flag[0] = 1` when each of the first `n` targets is 0 or 1, else 0 (hinge losses then read the labels
//! as 2t−1, per batch, as Keras does). One workgroup.

struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> tgt: array<f32>;
@group(0) @binding(2) var<storage, read_write> flag: array<f32>;

var<workgroup> other: atomic<u32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(local_invocation_index) li: u32) {
    if li == 0u {
        atomicStore(&other, 0u);
    }
    workgroupBarrier();
    for (var i = li; i < prm.n; i += 256u) {
        let t = tgt[i];
        if t != 0.0 && t != 1.0 {
            atomicOr(&other, 1u);
        }
    }
    workgroupBarrier();
    if li == 0u {
        flag[0] = select(1.0, 0.0, atomicLoad(&other) != 0u);
    }
}
