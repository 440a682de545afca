//! Gradient clipping before the optimizer step (see optimizer/clip.rs), on one weight's gradient `g` of `n`
//! values. MODE 0 clipvalue: clamp to [−c, c], element-wise. MODE 1 clipnorm: one workgroup scales `g` by
//! `c / max(‖g‖, c)`. global_clipnorm in two passes: MODE 2, one workgroup writes Σg² into `acc[slot]`; then
//! MODE 3, element-wise, scales `g` by `c / max(√Σ acc[0..count], c)`.

override MODE: u32 = 0u;

struct Params {
    n: u32,
    c: f32,
    slot: u32,
    count: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> acc: array<f32>;

var<workgroup> part: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    if MODE == 0u || MODE == 3u {
        let e = group_index(wid, nwg) * 256u + li;
        if e >= prm.n {
            return;
        }
        if MODE == 0u {
            g[e] = clamp_keep_nan(g[e], -prm.c, prm.c);
            return;
        }
        var s = 0.0;
        for (var k = 0u; k < prm.count; k++) {
            s += acc[k];
        }
        g[e] = g[e] * (prm.c / max_keep_nan(sqrt(s), prm.c));
        return;
    }
    var s = 0.0;
    for (var i = li; i < prm.n; i += 256u) {
        s += g[i] * g[i];
    }
    part[li] = s;
    workgroupBarrier();
    for (var h = 128u; h > 0u; h = h / 2u) {
        if li < h {
            part[li] = part[li] + part[li + h];
        }
        workgroupBarrier();
    }
    if MODE == 2u {
        if li == 0u {
            acc[prm.slot] = part[0];
        }
        return;
    }
    let scale = prm.c / max_keep_nan(sqrt(part[0]), prm.c);
    for (var i = li; i < prm.n; i += 256u) {
        g[i] = g[i] * scale;
    }
}
