//! Activation forward `y = f(z)`, element-wise; softmax (ACT = 15) row by row: `y = e^(z−max) / Σ e^(z−max)`,
//! log_softmax (ACT = 29) `y = (z − max) − ln Σ e^(z−max)`.

override ACT: u32 = 0u;

struct Params {
    n: u32,
    width: u32,
    act_param: f32,
    // Keras's general relu's cap and threshold (ACT = 16); threshold's default value (ACT = 28, its threshold
    // being act_param).
    act_max: f32,
    act_threshold: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

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
        if ACT == 15u {
            softmax_row(i * prm.width);
        } else {
            log_softmax_row(i * prm.width);
        }
        return;
    }
    if i >= prm.n {
        return;
    }
    if ACT == 16u {
        y[i] = relu_custom_f(z[i], prm.act_param, prm.act_max, prm.act_threshold);
        return;
    }
    if ACT == 28u {
        y[i] = threshold_f(z[i], prm.act_param, prm.act_max);
        return;
    }
    y[i] = act_f(ACT, z[i], prm.act_param);
}

fn softmax_row(base: u32) {
    var mx = -3.4028235e38;
    for (var c = 0u; c < prm.width; c++) {
        mx = max(mx, z[base + c]);
    }
    var s = 0.0;
    for (var c = 0u; c < prm.width; c++) {
        let e = exp(z[base + c] - mx);
        y[base + c] = e;
        s += e;
    }
    let inv = 1.0 / s;
    for (var c = 0u; c < prm.width; c++) {
        y[base + c] = y[base + c] * inv;
    }
}

fn log_softmax_row(base: u32) {
    // max_nan: a NaN in the row makes it all NaN, as on the CPU (there through the sum).
    var mx = -3.4028235e38;
    for (var c = 0u; c < prm.width; c++) {
        mx = max_nan(mx, z[base + c]);
    }
    var s = 0.0;
    for (var c = 0u; c < prm.width; c++) {
        s += exp(z[base + c] - mx);
    }
    let log_s = log(s);
    for (var c = 0u; c < prm.width; c++) {
        y[base + c] = (z[base + c] - mx) - log_s;
    }
}
