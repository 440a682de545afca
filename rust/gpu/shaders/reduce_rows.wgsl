//! Column sums of the rows×`cols` value matrix into slot `stp.slot` of the per-step sums:
//! `sums[slot·stride + c] = Σ_r vals[r·cols + c]` (a slot is `stride` wide: stateful metrics keep their
//! state after the columns). One workgroup per column, a tree reduction in workgroup memory.

struct Params {
    rows: u32,
    cols: u32,
    stride: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> vals: array<f32>;
@group(0) @binding(2) var<storage, read_write> sums: array<f32>;

var<workgroup> part: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
    let c = wid.x;
    var s = 0.0;
    for (var r = li; r < prm.rows; r += 256u) {
        s += vals[r * prm.cols + c];
    }
    part[li] = s;
    workgroupBarrier();
    for (var h = 128u; h > 0u; h = h / 2u) {
        if li < h {
            part[li] = part[li] + part[li + h];
        }
        workgroupBarrier();
    }
    if li == 0u && c < prm.cols {
        sums[stp.slot * prm.stride + c] = part[0];
    }
}
