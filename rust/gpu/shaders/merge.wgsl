//! The element-wise merges of layers/merge.rs, one pass per input. OP 0..4 fold one more input `src` into
//! the output in place, `dst = op(dst, src) / c` (c: the input count on Average's last input, else 1):
//! 0 add, 1 subtract, 2 multiply, 3 maximum, 4 minimum. OP 5 and 6 are backward steps into `dst`, written or
//! with ACCUMULATE added: 5 `src / c` (Average's `dy / n`, Subtract's `±dy`), 6 `src × other` (Multiply's
//! `dy × x_j`, further factors then folded in by OP 2).

override OP: u32 = 0u;
override ACCUMULATE: bool = false;

struct Params {
    n: u32,
    c: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> other: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let e = group_index(wid, nwg) * 256u + li;
    if e >= prm.n {
        return;
    }
    let s = src[e];
    var v: f32;
    switch OP {
        case 0u: { v = (dst[e] + s) / prm.c; }
        case 1u: { v = dst[e] - s; }
        case 2u: { v = dst[e] * s; }
        case 3u: { v = max_nan(dst[e], s); }
        case 4u: { v = min_nan(dst[e], s); }
        case 5u: { v = s / prm.c; }
        default: { v = s * other[e]; }
    }
    if ACCUMULATE {
        dst[e] = dst[e] + v;
    } else {
        dst[e] = v;
    }
}
