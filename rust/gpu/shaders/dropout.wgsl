//! Dropout-like layers' training forward pass (layers/dropout.rs). NOISE 0, Dropout: `mask = 0` with
//! probability `rate`, else `scale` = 1/(1−rate), `y = x·mask`; 1, GaussianDropout: `mask = 1 + scale·z`,
//! `y = x·mask`; 2, GaussianNoise: `mask = scale·z`, `y = x + mask`, with z standard normal (Box–Muller) and
//! `scale` the draw's deviation. The uniform draws are counter-based hashes of (layer seed, step counter,
//! element index), so masks need no state.

override NOISE: u32 = 0u;

struct Params {
    n: u32,
    seed: u32,
    rate: f32,
    scale: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> mask: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

// PCG-style integer hash (Jarzynski & Olano, "Hash Functions for GPU Rendering", 2020).
fn pcg(v: u32) -> u32 {
    let s = v * 747796405u + 2891336453u;
    let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
    return (w >> 22u) ^ w;
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if i >= prm.n {
        return;
    }
    let h = pcg(i ^ pcg(prm.seed ^ pcg(stp.iter)));
    let u = f32(h >> 8u) * (1.0 / 16777216.0);
    if NOISE == 0u {
        var m = prm.scale;
        if prm.rate > 0.0 && u < prm.rate {
            m = 0.0;
        }
        mask[i] = m;
        y[i] = x[i] * m;
        return;
    }
    var z = 0.0;
    if prm.rate > 0.0 {
        let u2 = f32(pcg(h ^ 0x9E3779B9u) >> 8u) * (1.0 / 16777216.0);
        z = sqrt(-2.0 * log(1.0 - u)) * cos(6.2831853 * u2); // 1 - u in (0, 1]
    }
    if NOISE == 1u {
        let m = 1.0 + prm.scale * z;
        mask[i] = m;
        y[i] = x[i] * m;
    } else {
        let m = prm.scale * z;
        mask[i] = m;
        y[i] = x[i] + m;
    }
}
