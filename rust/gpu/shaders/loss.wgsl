//! Loss per row with its gradient (see loss.rs): MAE `|p−t|`, MSE `(p−t)²`, Huber, binary crossentropy on
//! clipped probabilities or on logits `max(z,0) − z·t + ln(1+e^{−|z|})`. Writes `grad = ∂(batch mean)/∂input`
//! (scale = 1/(rows·width)) and the row's mean loss into column `col` of the rows×`stride` value matrix.
//! LOSS: 0 mae, 1 mse, 2 huber, 3 binary crossentropy; LOGITS: the input holds logits.

override LOSS: u32 = 0u;
override LOGITS: bool = false;

struct Params {
    rows: u32,
    width: u32,
    col: u32,
    stride: u32,
    scale: f32,
    delta: f32,
    label_smoothing: f32,
    eps: f32,
    hi: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> tgt: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> rowvals: array<f32>;

// (loss, d loss / d input) of one element.
fn element(p: f32, t0: f32) -> vec2<f32> {
    switch LOSS {
        case 0u: {
            let e = p - t0;
            return vec2<f32>(abs(e), sign(e));
        }
        case 1u: {
            let e = p - t0;
            return vec2<f32>(e * e, 2.0 * e);
        }
        case 2u: {
            let e = p - t0;
            let a = abs(e);
            let d = prm.delta;
            if a <= d {
                return vec2<f32>(0.5 * e * e, e);
            }
            return vec2<f32>(d * a - 0.5 * d * d, d * sign(e));
        }
        default: {
            let ls = prm.label_smoothing;
            let t = t0 * (1.0 - ls) + 0.5 * ls;
            if LOGITS {
                let z = p;
                return vec2<f32>(max(z, 0.0) - z * t + log1p_(exp(-abs(z))), sigmoid_(z) - t);
            }
            let q = clamp(p, prm.eps, prm.hi);
            let v = -(t * log(q) + (1.0 - t) * log(1.0 - q));
            // Clipping passes no gradient outside [eps, 1 - eps], as tf.clip_by_value.
            let d = select(-(t / q) + (1.0 - t) / (1.0 - q), 0.0, p < prm.eps || p > prm.hi);
            return vec2<f32>(v, d);
        }
    }
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let r = group_index(wid, nwg) * 256u + li;
    if r >= prm.rows {
        return;
    }
    let base = r * prm.width;
    var s = 0.0;
    for (var c = 0u; c < prm.width; c++) {
        let vd = element(input[base + c], tgt[base + c]);
        s += vd.x;
        grad[base + c] = vd.y * prm.scale;
    }
    rowvals[r * prm.stride + prm.col] = s / f32(prm.width);
}
