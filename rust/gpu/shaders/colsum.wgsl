//! PReLU's alpha gradient, the column sums `out[j] = Σ_r g·min(x, 0)` (read before its backward pass turns g
//! into the input's gradient). Each 16×16 workgroup sums 16 columns, 16 row lanes per column, then reduces the
//! lanes in workgroup memory. (A Dense bias gradient, a plain column sum, is a matrix-vector product: gemm.rs
//! `bias_grad`.)

struct Params {
    rows: u32,
    width: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;

var<workgroup> part: array<f32, 256>;

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
    let col = group_index(wid, nwg) * 16u + lid.x;
    var s = 0.0;
    if col < prm.width {
        for (var r = lid.y; r < prm.rows; r += 16u) {
            let i = r * prm.width + col;
            let v = x[i];
            if v < 0.0 {
                s += g[i] * v;
            }
        }
    }
    part[lid.y * 16u + lid.x] = s;
    workgroupBarrier();
    for (var h = 8u; h > 0u; h = h / 2u) {
        if lid.y < h {
            part[lid.y * 16u + lid.x] = part[lid.y * 16u + lid.x] + part[(lid.y + h) * 16u + lid.x];
        }
        workgroupBarrier();
    }
    if lid.y == 0u && col < prm.width {
        out[col] = part[lid.x];
    }
}
