//! Maximum's and Minimum's backward for one input `x`, taken in input order: where `x` holds the output `y`,
//! it claims the output gradient `g` (into `dx`, written, or with ACCUMULATE added) and zeroes it there, so a
//! later input that ties gets nothing (see layers/merge.rs). Elsewhere `dx` gets 0.

override ACCUMULATE: bool = false;

struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> g: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let e = group_index(wid, nwg) * 256u + li;
    if e >= prm.n {
        return;
    }
    var v = 0.0;
    if x[e] == y[e] {
        v = g[e];
        g[e] = 0.0;
    }
    if ACCUMULATE {
        dx[e] = dx[e] + v;
    } else {
        dx[e] = v;
    }
}
