//! Activation backward in place: `g ← g·f'(z)` element-wise; softmax row by row: `g ← y·(g − Σ g·y)`, log_softmax
//! `g ← g − e^y·Σ g`.

override ACT: u32 = 0u;

struct Params {
    n: u32,
    width: u32,
    act_param: f32,
    // Keras's general relu's cap and threshold (ACT = 16); threshold's default value (ACT = 28).
    act_max: f32,
    act_threshold: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> g: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = group_index(wid, nwg) * 256u + li;
    if ACT == 15u || ACT == 29u {
        // One thread per row.
        let rows = prm.n / max(prm.width, 1u);
        if i >= rows {
            return;
        }
        let base = i * prm.width;
        if ACT == 15u {
            var dot = 0.0;
            for (var c = 0u; c < prm.width; c++) {
                dot += g[base + c] * y[base + c];
            }
            for (var c = 0u; c < prm.width; c++) {
                g[base + c] = y[base + c] * (g[base + c] - dot);
            }
        } else {
            var sum = 0.0;
            for (var c = 0u; c < prm.width; c++) {
                sum += g[base + c];
            }
            for (var c = 0u; c < prm.width; c++) {
                g[base + c] = g[base + c] - exp(y[base + c]) * sum;
            }
        }
        return;
    }
    if i >= prm.n {
        return;
    }
    if ACT == 16u {
        g[i] = relu_custom_b(z[i], g[i], prm.act_param, prm.act_max, prm.act_threshold);
        return;
    }
    if ACT == 28u {
        g[i] = threshold_b(z[i], g[i], prm.act_param);
        return;
    }
    g[i] = act_b(ACT, z[i], y[i], g[i], prm.act_param);
}
