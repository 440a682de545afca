//! A weight's L1/L2 penalty `l1·Σ|w| + l2·Σw²` (see regularize.rs). MODE 0: one workgroup sums it and adds
//! `scale` times it to the loss column of the step's slot of `out` (the per-step sums, `cols` wide), after
//! the loss and metrics were reduced there; MODE 1: adds `scale` times its gradient `l1·sign(w) + 2·l2·w` to
//! `out` (the weight's gradient, or a layer's output gradient for an activity penalty), element-wise; MODE 2
//! writes it there instead.

override MODE: u32 = 0u;

struct Params {
    n: u32,
    cols: u32,
    l1: f32,
    l2: f32,
    scale: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> part: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    if MODE == 1u {
        let e = group_index(wid, nwg) * 256u + li;
        if e < prm.n {
            let v = w[e];
            out[e] = out[e] + prm.scale * (prm.l1 * sign(v) + 2.0 * prm.l2 * v);
        }
        return;
    }
    if MODE == 2u {
        let e = group_index(wid, nwg) * 256u + li;
        if e < prm.n {
            let v = w[e];
            out[e] = prm.scale * (prm.l1 * sign(v) + 2.0 * prm.l2 * v);
        }
        return;
    }
    var s = 0.0;
    for (var i = li; i < prm.n; i += 256u) {
        let v = w[i];
        s += prm.l1 * abs(v) + prm.l2 * v * v;
    }
    part[li] = s;
    workgroupBarrier();
    for (var h = 128u; h > 0u; h = h / 2u) {
        if li < h {
            part[li] = part[li] + part[li + h];
        }
        workgroupBarrier();
    }
    if li == 0u {
        let at = stp.slot * prm.cols;
        out[at] = out[at] + prm.scale * part[0];
    }
}
