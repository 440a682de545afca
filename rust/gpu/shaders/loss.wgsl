//! Loss per row with its gradient (see loss/): writes `grad = ∂(batch mean)/∂input` and the row's loss into
//! column `col` of the rows×`stride` value matrix. Element-wise losses (the row's value is the mean over its
//! elements; `scale` = 1/(rows·width)): 0 mae, 1 mse, 2 huber, 3 binary crossentropy (LOGITS: from logits),
//! 4 mape, 5 msle, 6 log-cosh, 7 poisson, 8 hinge, 9 squared hinge (`flag[0]` = 1 when every label of the
//! batch is 0 or 1, which then become 2t−1). Row-wise (`row_scale` = 1/rows): 10 categorical crossentropy
//! (LOGITS: from logits), 11 its sparse form (targets are cls ids, one per row), 12 KL divergence,
//! 13 categorical hinge, 14 cosine similarity (negated); 15 binary focal crossentropy (element-wise,
//! LOGITS: the crossentropy from logits; `delta` holds gamma, `alpha` and `balanced` its class weights);
//! 16 categorical focal crossentropy (row-wise; LOGITS: a softmax first; gamma in `delta`).
//! SCALED applies the step's reduction factors (loss/reduce.rs); IGNORE masks the rows labelled `ignore`;
//! VALUE_ONLY (a loss as a metric) writes the value alone.

override LOSS: u32 = 0u;
override LOGITS: bool = false;
// Rows carry sample weights: the loss and its gradient are scaled by the row's weight.
override WEIGHTED: bool = false;
// A reduction other than the mean over the rows: the step record's factors scale the gradient and the value.
override SCALED: bool = false;
// Rows whose class id equals `ignore` (the sparse loss's ignore_class) get loss 0 and no gradient.
override IGNORE: bool = false;
// A metric's pass (metric/mod.rs's `Metric::Loss`): the row's value alone, without its gradient and without
// the weight column.
override VALUE_ONLY: bool = false;

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
    row_scale: f32,
    ignore: f32,
    alpha: f32,
    balanced: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> tgt: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> rowvals: array<f32>;
@group(0) @binding(5) var<storage, read> flag: array<f32>;
@group(0) @binding(6) var<storage, read> weights: array<f32>;

fn put_grad(i: u32, v: f32) {
    if !VALUE_ONLY {
        grad[i] = v;
    }
}

fn sign_(e: f32) -> f32 {
    return select(select(0.0, -1.0, e < 0.0), 1.0, e > 0.0);
}

// `x^y` as Rust's powf (WGSL's pow is undefined for x < 0): 1 for y = 0, 0 or ∞ at x = 0, and for a negative
// base (a prediction outside [0, 1] in the binary focal factor) the real power for a whole y, NaN otherwise.
fn pow_(x: f32, y: f32) -> f32 {
    if y == 0.0 {
        return 1.0;
    }
    if x == 0.0 {
        return select(bitcast<f32>(0x7f800000u), 0.0, y > 0.0);
    }
    if x < 0.0 {
        if y != floor(y) {
            return bitcast<f32>(0x7fc00000u);
        }
        let odd = abs(y) < 16777216.0 && (i32(abs(y)) & 1) == 1;
        return select(1.0, -1.0, odd) * pow(-x, y);
    }
    return pow(x, y);
}

// Binary focal crossentropy of one element (target smoothed) and its derivative (loss/rows.rs focal_element):
// `w·((1 − p_t)^γ·bce)`, bce from the logit when LOGITS (p its sigmoid), else from p clipped; γ is `delta`.
fn focal(x: f32, t: f32) -> vec2<f32> {
    var p = x;
    var dp = 1.0;
    var bce: f32;
    var dbce: f32;
    if LOGITS {
        p = sigmoid_(x);
        dp = p * (1.0 - p);
        bce = max(x, 0.0) - x * t + log1p_(exp(-abs(x)));
        dbce = p - t;
    } else {
        let q = clamp_keep_nan(x, prm.eps, prm.hi);
        bce = -(t * log(q) + (1.0 - t) * log(1.0 - q));
        dbce = select(-(t / q) + (1.0 - t) / (1.0 - q), 0.0, x < prm.eps || x > prm.hi);
    }
    let base = 1.0 - (t * p + (1.0 - t) * (1.0 - p));
    let gamma = prm.delta;
    let factor = pow_(base, gamma);
    let dfactor = gamma * pow_(base, gamma - 1.0) * (1.0 - 2.0 * t) * dp;
    let w = select(1.0, t * prm.alpha + (1.0 - t) * (1.0 - prm.alpha), prm.balanced > 0.5);
    return vec2<f32>(w * (factor * bce), w * (dfactor * bce + factor * dbce));
}

// A probability of the categorical focal loss's row: the softmax of logits (`mx` their max, `se` the sum of
// their shifted exponentials), or the input itself.
fn focal_prob(z: f32, mx: f32, se: f32) -> f32 {
    if LOGITS {
        return exp(z - mx) / se;
    }
    return z;
}

// (value, d value / d q) of one class of the categorical focal loss: q the renormalised probability, t the
// smoothed target; no gradient where the clip to [eps, 1 − eps] binds.
fn focal_term(q: f32, t: f32) -> vec2<f32> {
    let o = clamp_keep_nan(q, prm.eps, prm.hi);
    let cce = -t * log(o);
    let gamma = prm.delta;
    let modulating = pow_(1.0 - o, gamma);
    let d = prm.alpha * (-gamma * pow_(1.0 - o, gamma - 1.0) * cce + modulating * (-t / o));
    return vec2<f32>(modulating * prm.alpha * cce, select(0.0, d, q >= prm.eps && q <= prm.hi));
}

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
            // A NaN error (neither a <= d nor a > d) has a NaN gradient, as on the CPU.
            return vec2<f32>(d * a - 0.5 * d * d, select(d * sign(e), a, !(a > d)));
        }
        case 3u: {
            let ls = prm.label_smoothing;
            let t = t0 * (1.0 - ls) + 0.5 * ls;
            if LOGITS {
                let z = p;
                return vec2<f32>(max(z, 0.0) - z * t + log1p_(exp(-abs(z))), sigmoid_(z) - t);
            }
            let q = clamp_keep_nan(p, prm.eps, prm.hi);
            let v = -(t * log(q) + (1.0 - t) * log(1.0 - q));
            // Clipping passes no gradient outside [eps, 1 - eps], as tf.clip_by_value.
            let d = select(-(t / q) + (1.0 - t) / (1.0 - q), 0.0, p < prm.eps || p > prm.hi);
            return vec2<f32>(v, d);
        }
        case 15u: {
            return focal(p, t0 * (1.0 - prm.label_smoothing) + 0.5 * prm.label_smoothing);
        }
        case 4u: {
            let den = max(abs(t0), prm.eps);
            return vec2<f32>(100.0 * abs(t0 - p) / den, 100.0 * sign_(p - t0) / den);
        }
        case 5u: {
            let a = log(max_keep_nan(p, prm.eps) + 1.0);
            let b = log(max_keep_nan(t0, prm.eps) + 1.0);
            return vec2<f32>((a - b) * (a - b), select(0.0, 2.0 * (a - b) / (p + 1.0), p >= prm.eps));
        }
        case 6u: {
            let d = p - t0;
            return vec2<f32>(d + softplus_(-2.0 * d) - 0.6931471805599453, tanh(d));
        }
        case 7u: {
            return vec2<f32>(p - t0 * log(p + prm.eps), 1.0 - t0 / (p + prm.eps));
        }
        default: {
            let t = select(t0, 2.0 * t0 - 1.0, flag[0] > 0.5);
            let x = 1.0 - t * p;
            let m = max_keep_nan(x, 0.0);
            if LOSS == 8u {
                // The gradient at the kink too (x = 0), as TensorFlow's maximum gives it.
                return vec2<f32>(m, select(0.0, -t, x >= 0.0));
            }
            return vec2<f32>(m * m, -2.0 * m * t);
        }
    }
}

// Row-wise losses: the row's value; its gradient written to `grad`.
fn row_loss(base: u32, r: u32) -> f32 {
    let w = prm.width;
    let rs = prm.row_scale;
    switch LOSS {
        case 10u, 11u: {
            let ls = prm.label_smoothing;
            let c = f32(w);
            let cls = u32(tgt[r]);
            if LOGITS {
                var mx = input[base];
                for (var j = 1u; j < w; j++) {
                    mx = max(mx, input[base + j]);
                }
                var se = 0.0;
                for (var j = 0u; j < w; j++) {
                    se += exp(input[base + j] - mx);
                }
                let lse = log(se);
                var v = 0.0;
                for (var j = 0u; j < w; j++) {
                    var t = select(0.0, 1.0, j == cls);
                    if LOSS == 10u {
                        t = tgt[base + j] * (1.0 - ls) + ls / c;
                    }
                    v += t * (lse - (input[base + j] - mx));
                }
                for (var j = 0u; j < w; j++) {
                    var t = select(0.0, 1.0, j == cls);
                    if LOSS == 10u {
                        t = tgt[base + j] * (1.0 - ls) + ls / c;
                    }
                    // TensorFlow's fused op's gradient, softmax − t, whatever Σt is (loss/rows.rs `cce`).
                    put_grad(base + j, (exp(input[base + j] - mx - lse) - t) * rs);
                }
                return v;
            }
            if LOSS == 11u {
                // As TensorFlow: −ln clip(p_y) + ln Σ clip(p_j).
                var s = 0.0;
                for (var j = 0u; j < w; j++) {
                    s += clamp_keep_nan(input[base + j], prm.eps, prm.hi);
                }
                for (var j = 0u; j < w; j++) {
                    let p = input[base + j];
                    let inside = p >= prm.eps && p <= prm.hi;
                    let d = 1.0 / s - select(0.0, 1.0 / p, j == cls);
                    put_grad(base + j, select(0.0, d, inside) * rs);
                }
                return log(s) - log(clamp_keep_nan(input[base + cls], prm.eps, prm.hi));
            }
            var s = 0.0;
            for (var j = 0u; j < w; j++) {
                s += input[base + j];
            }
            var v = 0.0;
            var dot = 0.0;
            for (var j = 0u; j < w; j++) {
                let t = tgt[base + j] * (1.0 - ls) + ls / c;
                let q = input[base + j] / s;
                v -= t * log(clamp_keep_nan(q, prm.eps, prm.hi));
                dot += select(0.0, -t / q, q >= prm.eps && q <= prm.hi) * q;
            }
            for (var j = 0u; j < w; j++) {
                let t = tgt[base + j] * (1.0 - ls) + ls / c;
                let q = input[base + j] / s;
                let dq = select(0.0, -t / q, q >= prm.eps && q <= prm.hi);
                put_grad(base + j, (dq - dot) / s * rs);
            }
            return v;
        }
        case 16u: {
            // Categorical focal crossentropy (loss/focal.rs `categorical`): Σ α·(1 − o)^γ·(−t·ln o), o the
            // clipped, renormalised probabilities (of the softmax of the logits when LOGITS).
            let ls = prm.label_smoothing;
            let c = f32(w);
            var mx = 0.0;
            var se = 1.0;
            if LOGITS {
                mx = input[base];
                for (var j = 1u; j < w; j++) {
                    mx = max(mx, input[base + j]);
                }
                se = 0.0;
                for (var j = 0u; j < w; j++) {
                    se += exp(input[base + j] - mx);
                }
            }
            var s = 0.0;
            for (var j = 0u; j < w; j++) {
                s += focal_prob(input[base + j], mx, se);
            }
            var v = 0.0;
            var dot = 0.0;
            for (var j = 0u; j < w; j++) {
                let term = focal_term(focal_prob(input[base + j], mx, se) / s, tgt[base + j] * (1.0 - ls) + ls / c);
                v += term.x;
                dot += term.y * focal_prob(input[base + j], mx, se) / s;
            }
            if VALUE_ONLY {
                return v;
            }
            // dL/dp_j = (dL/dq_j − Σ dL/dq·q)/Σp, then through the softmax for logits.
            var dot2 = 0.0;
            for (var j = 0u; j < w; j++) {
                let p = focal_prob(input[base + j], mx, se);
                let dp = (focal_term(p / s, tgt[base + j] * (1.0 - ls) + ls / c).y - dot) / s;
                dot2 += dp * p;
                grad[base + j] = dp;
            }
            for (var j = 0u; j < w; j++) {
                let p = focal_prob(input[base + j], mx, se);
                grad[base + j] = select(grad[base + j], p * (grad[base + j] - dot2), LOGITS) * rs;
            }
            return v;
        }
        case 14u: {
            // −Σ (t·s_t)·(p·s_p), s_x = min(1/√Σx², 1e7) (loss/rows.rs `cosine`).
            var sp = 0.0;
            var st = 0.0;
            var dot = 0.0;
            for (var j = 0u; j < w; j++) {
                let p = input[base + j];
                let t = tgt[base + j];
                sp += p * p;
                st += t * t;
                dot += t * p;
            }
            let ip = min(1.0 / sqrt(max(sp, 1e-30)), 1e7);
            let it = min(1.0 / sqrt(max(st, 1e-30)), 1e7);
            let capped = ip >= 1e7;
            var v = 0.0;
            for (var j = 0u; j < w; j++) {
                let p = input[base + j];
                let t = tgt[base + j];
                v -= (t * it) * (p * ip);
                let d = select(t * ip - dot * p * ip * ip * ip, t * ip, capped);
                put_grad(base + j, -it * d * rs);
            }
            return v;
        }
        case 12u: {
            var v = 0.0;
            for (var j = 0u; j < w; j++) {
                let p = input[base + j];
                let t = clamp_keep_nan(tgt[base + j], prm.eps, 1.0);
                v += t * log(t / clamp_keep_nan(p, prm.eps, 1.0));
                put_grad(base + j, select(0.0, -t / p * rs, p >= prm.eps && p <= 1.0));
            }
            return v;
        }
        default: {
            var pos = 0.0;
            var neg = -3.4028235e38;
            var bad = false;
            for (var j = 0u; j < w; j++) {
                let t = tgt[base + j];
                let p = input[base + j];
                pos += t * p;
                let c = (1.0 - t) * p;
                // A NaN (an infinite prediction times a zero target) makes the row NaN, as on the CPU.
                bad = bad || !(c <= c);
                neg = max(neg, c);
            }
            // The max's gradient shared evenly among the columns that tie for it, and the maximum's passed on at
            // the kink, as on the CPU (TensorFlow's).
            var ties = 0.0;
            for (var j = 0u; j < w; j++) {
                ties += select(0.0, 1.0, (1.0 - tgt[base + j]) * input[base + j] == neg);
            }
            let x = neg - pos + 1.0;
            let v = select(max_keep_nan(x, 0.0), bitcast<f32>(0x7fc00000u), bad);
            for (var j = 0u; j < w; j++) {
                let t = tgt[base + j];
                let tied = (1.0 - t) * input[base + j] == neg;
                let d = select(0.0, 1.0 / max(ties, 1.0) * (1.0 - t), tied) - t;
                put_grad(base + j, select(0.0, d * rs, x >= 0.0 && !bad));
            }
            return v;
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
    // The last column of the value matrix is the row's weight (see backend::Averaging).
    let w = select(1.0, weights[r], WEIGHTED);
    if !VALUE_ONLY {
        rowvals[r * prm.stride + prm.stride - 1u] = w;
    }
    if IGNORE && tgt[r] == prm.ignore {
        for (var c = 0u; c < prm.width; c++) {
            put_grad(base + c, 0.0);
        }
        rowvals[r * prm.stride + prm.col] = 0.0;
        return;
    }
    var v = 0.0;
    if LOSS >= 10u && LOSS != 15u {
        v = row_loss(base, r);
    } else {
        var s = 0.0;
        for (var c = 0u; c < prm.width; c++) {
            let vd = element(input[base + c], tgt[base + c]);
            s += vd.x;
            put_grad(base + c, vd.y * prm.scale);
        }
        v = s / f32(prm.width);
    }
    if WEIGHTED {
        for (var c = 0u; c < prm.width; c++) {
            put_grad(base + c, grad[base + c] * w);
        }
        v = v * w;
    }
    if SCALED {
        for (var c = 0u; c < prm.width; c++) {
            put_grad(base + c, grad[base + c] * stp.loss_grad);
        }
        v = v * stp.loss_sum;
    }
    rowvals[r * prm.stride + prm.col] = v;
}
