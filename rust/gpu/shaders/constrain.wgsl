//! A weight constraint after the optimizer step (see regularize.rs), in place. KIND 0 non_neg: `max(w, 0)`,
//! element-wise. Otherwise the weight is `outer × len × inner` and each (outer, inner) vector along `len` is
//! scaled by `target(n)/(ε + n)`, n its L2 norm: KIND 1 max_norm `clip(n, 0, a)`, 2 min_max_norm
//! `rate·clip(n, a, b) + (1 − rate)·n`, 3 unit_norm `1`.

override KIND: u32 = 0u;

struct Params {
    outer: u32,
    len: u32,
    inner: u32,
    a: f32,
    b: f32,
    rate: f32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let t = group_index(wid, nwg) * 256u + li;
    if KIND == 0u {
        if t < prm.outer * prm.len * prm.inner {
            w[t] = max(w[t], 0.0);
        }
        return;
    }
    if t >= prm.outer * prm.inner {
        return;
    }
    let base = (t / prm.inner) * prm.len * prm.inner + t % prm.inner;
    var ss = 0.0;
    for (var k = 0u; k < prm.len; k++) {
        let v = w[base + k * prm.inner];
        ss += v * v;
    }
    let n = sqrt(ss);
    var goal = 1.0;
    if KIND == 1u {
        goal = clamp(n, 0.0, prm.a);
    } else if KIND == 2u {
        goal = prm.rate * clamp(n, prm.a, prm.b) + (1.0 - prm.rate) * n;
    }
    let s = goal / (prm.eps + n);
    for (var k = 0u; k < prm.len; k++) {
        w[base + k * prm.inner] = w[base + k * prm.inner] * s;
    }
}
