//! LayerNormalization (layers/layer_norm.rs) over rows of `width` features; `stats` holds each row's mean, as
//! its offset from the row's first value (see `centered`), and 1/√(var + ε). MODE 0, one thread per row: the
//! statistics, then `out = γ·x̂ + β` with `x̂ = (x − mean)/√(var + ε)`. MODE 1, 16 columns per workgroup (16
//! row lanes each, as colsum.wgsl): `dγ = Σ g·x̂`, `dβ = Σ g` with `out` holding g. MODE 2, one thread per
//! row: `out` (g) turned into the input's gradient in place, `(γg − mean(γg) − x̂·mean(γg·x̂))/√(var + ε)`.

override MODE: u32 = 0u;

struct Params {
    rows: u32,
    width: u32,
    epsilon: f32,
    has_gamma: u32,
    has_beta: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(7) var<storage, read_write> dbeta: array<f32>;

var<workgroup> part_g: array<f32, 256>;
var<workgroup> part_b: array<f32, 256>;

fn gamma_at(c: u32) -> f32 {
    return select(1.0, gamma[c], prm.has_gamma != 0u);
}

// x − mean for the value at `at` of the row starting at `base`, whose mean is `offset` above its first value:
// float32 sums of the values themselves lose the small differences of a row of nearly equal values (the CPU
// sums in float64), and a row of equal values would not normalize to exactly 0; differences from the first
// value keep them.
fn centered(base: u32, at: u32, offset: f32) -> f32 {
    return (x[at] - x[base]) - offset;
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let w = prm.width;
    let inv_w = 1.0 / f32(max(w, 1u));
    if MODE == 1u {
        let lx = li % 16u;
        let ly = li / 16u;
        let col = group_index(wid, nwg) * 16u + lx;
        var sg = 0.0;
        var sb = 0.0;
        if col < w {
            for (var r = ly; r < prm.rows; r += 16u) {
                let g = out[r * w + col];
                sg += g * centered(r * w, r * w + col, stats[2u * r]) * stats[2u * r + 1u];
                sb += g;
            }
        }
        part_g[li] = sg;
        part_b[li] = sb;
        workgroupBarrier();
        for (var h = 8u; h > 0u; h = h / 2u) {
            if ly < h {
                part_g[li] = part_g[li] + part_g[li + h * 16u];
                part_b[li] = part_b[li] + part_b[li + h * 16u];
            }
            workgroupBarrier();
        }
        if ly == 0u && col < w {
            if prm.has_gamma != 0u {
                dgamma[col] = part_g[lx];
            }
            if prm.has_beta != 0u {
                dbeta[col] = part_b[lx];
            }
        }
        return;
    }
    let r = group_index(wid, nwg) * 256u + li;
    if r >= prm.rows {
        return;
    }
    let base = r * w;
    if MODE == 0u {
        var offset = 0.0;
        for (var c = 0u; c < w; c++) {
            offset += x[base + c] - x[base];
        }
        offset *= inv_w;
        var v = 0.0;
        for (var c = 0u; c < w; c++) {
            let d = centered(base, base + c, offset);
            v += d * d;
        }
        let inv = 1.0 / sqrt(v * inv_w + prm.epsilon);
        stats[2u * r] = offset;
        stats[2u * r + 1u] = inv;
        for (var c = 0u; c < w; c++) {
            let b = select(0.0, beta[c], prm.has_beta != 0u);
            out[base + c] = centered(base, base + c, offset) * inv * gamma_at(c) + b;
        }
        return;
    }
    let offset = stats[2u * r];
    let inv = stats[2u * r + 1u];
    var sum_d = 0.0;
    var sum_dx = 0.0;
    for (var c = 0u; c < w; c++) {
        let d = out[base + c] * gamma_at(c);
        sum_d += d;
        sum_dx += d * centered(base, base + c, offset) * inv;
    }
    let mean_d = sum_d * inv_w;
    let mean_dx = sum_dx * inv_w;
    for (var c = 0u; c < w; c++) {
        let d = out[base + c] * gamma_at(c);
        out[base + c] = (d - mean_d - centered(base, base + c, offset) * inv * mean_dx) * inv;
    }
}
