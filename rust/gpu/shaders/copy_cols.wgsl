//! Copy a block of columns between row-major matrices: `dst[r, dst_offset + c] = src[r, src_offset + c]` for
//! every row r < rows and column c < cols, or `+=` when ACCUMULATE. It joins inputs (Concatenate forward),
//! splits gradients (its backward), sums (Add), and adds the gradients of a value that feeds several layers.

override ACCUMULATE: bool = false;

struct Params {
    rows: u32,
    cols: u32,
    src_width: u32,
    src_offset: u32,
    dst_width: u32,
    dst_offset: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let e = group_index(wid, nwg) * 256u + li;
    if e >= prm.rows * prm.cols {
        return;
    }
    let r = e / prm.cols;
    let c = e % prm.cols;
    let v = src[r * prm.src_width + prm.src_offset + c];
    let d = r * prm.dst_width + prm.dst_offset + c;
    if ACCUMULATE {
        dst[d] = dst[d] + v;
    } else {
        dst[d] = v;
    }
}
