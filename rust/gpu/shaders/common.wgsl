// Shared by every kernel (prepended to each file): activations f(z) and g·f'(z) with Keras's formulas
// (see activation.rs), numerically careful expm1/log1p/tanh/erfc, and the linear workgroup index.
//
// Activation ids (the ACT override): 0 linear, 1 relu, 2 sigmoid, 3 tanh, 4 elu(p = alpha), 5 selu,
// 6 silu, 7 gelu, 8 gelu (tanh approximation), 9 softplus, 10 softsign, 11 leaky_relu(p = slope), 12 relu6,
// 13 hard_sigmoid, 14 exponential, 15 softmax (row-wise; handled by the activation kernels, not here),
// 16 Keras's general relu (p = negative_slope, with a cap and a threshold: relu_custom_f/_b, used by the
// activation kernels only), 17 mish, 18 celu(p = alpha), 19 hard_silu, 20 hard_tanh, 21 hard_shrink(p =
// threshold), 22 soft_shrink(p = threshold), 23 tanh_shrink, 24 log_sigmoid, 25 sparse_plus, 26 squareplus(p =
// b), 27 sparse_sigmoid, 28 threshold (p = threshold, with a default value: threshold_f/_b, the activation
// kernels only), 29 log_softmax (row-wise, the activation kernels only).

const SELU_ALPHA: f32 = 1.6732632;
const SELU_SCALE: f32 = 1.050701;

// Linear workgroup index of a grid laid out by kernels.rs::grid.
fn group_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return wid.y * nwg.x + wid.x;
}

fn sigmoid_(z: f32) -> f32 {
    if z >= 0.0 {
        // Below 1 until z = 17.33 as the exact value (1/(1 + e) rounds to 1 from 16.64, its derivative 0).
        let e = exp(-z);
        return 1.0 - e / (1.0 + e);
    }
    let e = exp(z);
    return e / (1.0 + e);
}

// e^z - 1 without cancellation near 0 (Kahan's trick there; away from 0 there is nothing to cancel).
fn expm1_(z: f32) -> f32 {
    let u = exp(z);
    if abs(z) >= 0.5 {
        return u - 1.0;
    }
    if u == 1.0 {
        return z;
    }
    let um1 = u - 1.0;
    if um1 == -1.0 {
        return -1.0;
    }
    return um1 * z / log(u);
}

// expm1 for z ≤ 0 as TensorFlow's elu and selu compute it (exp(z) − 1): 0 where e^z rounds to 1 (−2⁻²⁵ ≤ z),
// as activation.rs's elu_exp_m1.
fn elu_expm1_(z: f32) -> f32 {
    return select(expm1_(z), 0.0, z >= -2.9802322e-8);
}

// ln(1 + x) without cancellation near 0.
fn log1p_(x: f32) -> f32 {
    let u = 1.0 + x;
    if u == 1.0 {
        return x;
    }
    return log(u) * x / (u - 1.0);
}

// tanh without the overflow some drivers' builtin has for large |z|.
fn tanh_(z: f32) -> f32 {
    let e = expm1_(-2.0 * abs(z));
    let t = -e / (2.0 + e);
    return select(t, -t, z < 0.0);
}

// erfc to ~1.2e-7 relative for x >= 0 (Numerical Recipes' Chebyshev fit); 2 - erfc(-x) below 0.
fn erfc_(x: f32) -> f32 {
    let z = abs(x);
    let t = 1.0 / (1.0 + 0.5 * z);
    let p = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
        + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
    let r = t * exp(p);
    return select(r, 2.0 - r, x < 0.0);
}

// Φ(z), the standard normal CDF, accurate relative to its value in the lower tail too.
fn normal_cdf(z: f32) -> f32 {
    return 0.5 * erfc_(-z * 0.70710678);
}

fn softplus_(z: f32) -> f32 {
    return max(z, 0.0) + log1p_(exp(-abs(z)));
}

const GELU_C: f32 = 0.7978846; // sqrt(2/pi)

// Whether x is NaN, from its bits. Vulkan lets a driver assume no float is NaN unless a shader asks otherwise
// (which WGSL cannot), so a comparison such as `x != x` may be folded away and `select(z, 0.0, z < 0.0)` become
// max(z, 0.0), which gives 0 for a NaN (NVIDIA's driver does this): every NaN that must survive is tested here.
fn is_nan_(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

// sign(x), but NaN for a NaN x, as TensorFlow's sign (Lion's step).
fn sign_keep_nan(x: f32) -> f32 {
    return select(sign(x), x, is_nan_(x));
}

// clamp(x, lo, hi), but NaN for a NaN x (clamp's result is then the driver's choice; the CPU's f32::clamp, and
// TensorFlow's clip, keep the NaN).
fn clamp_keep_nan(x: f32, lo: f32, hi: f32) -> f32 {
    return select(select(select(x, lo, x < lo), hi, x > hi), x, is_nan_(x));
}

// max(a, b), but NaN when a is (max may give b), as TensorFlow's maximum: a hinge or MSLE loss of a NaN
// prediction, or a gradient's NaN norm, stays NaN, as on the CPU.
fn max_keep_nan(a: f32, b: f32) -> f32 {
    return select(select(a, b, a < b), a, is_nan_(a));
}

// Normalization's scale max(√v, floor) for variance v: NaN for a negative or NaN variance (WGSL leaves the
// square root of a negative number undefined), as on the CPU.
fn norm_scale(v: f32, floor: f32) -> f32 {
    return select(max(sqrt(v), floor), bitcast<f32>(0x7fc00000u), v < 0.0 || is_nan_(v));
}

// max(a, b) and min(a, b) that give a NaN on either side, as TensorFlow's maximum and minimum (and
// layers/merge.rs) do.
fn max_nan(a: f32, b: f32) -> f32 {
    return select(select(max(a, b), b, is_nan_(b)), a, is_nan_(a));
}

fn min_nan(a: f32, b: f32) -> f32 {
    return select(select(min(a, b), b, is_nan_(b)), a, is_nan_(a));
}

// Whether x is ±∞, from its bits (see is_nan_).
fn is_inf_(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u;
}

// A quiet NaN (as norm_scale makes it).
fn nan_() -> f32 {
    return bitcast<f32>(0x7fc00000u);
}

// Keras's squareplus (z + √(z² + b))/2 in its order: NaN at −∞ (−∞ + ∞) and where z² + b < 0 (WGSL leaves a
// negative number's square root undefined), +∞ where z² overflows.
fn squareplus_(z: f32, b: f32) -> f32 {
    let u = z * z + b;
    return select((z + sqrt(u)) / 2.0, nan_(), u < 0.0 || (is_inf_(z) && z < 0.0));
}

fn act_f(act: u32, z: f32, p: f32) -> f32 {
    // Every activation keeps a NaN, as the CPU kernels do (tested by its bits: see is_nan_), but hard_shrink
    // and soft_shrink, whose `where` (as Keras's) gives 0 for it.
    if is_nan_(z) {
        return select(z, 0.0, act == 21u || act == 22u);
    }
    switch act {
        case 1u: { return max(z, 0.0); }
        case 2u: { return sigmoid_(z); }
        case 3u: { return tanh_(z); }
        case 4u: { return select(p * elu_expm1_(z), z, z > 0.0); }
        case 5u: { return SELU_SCALE * select(SELU_ALPHA * elu_expm1_(z), z, z > 0.0); }
        case 6u: { return z * sigmoid_(z); }
        case 7u: { return z * normal_cdf(z); }
        // ½(1 + tanh u) = sigmoid(2u), which keeps its relative precision in the lower tail.
        case 8u: { return z * sigmoid_(2.0 * GELU_C * (z + 0.044715 * z * z * z)); }
        case 9u: { return softplus_(z); }
        case 10u: { return z / (1.0 + abs(z)); }
        case 11u: { return select(p * z, z, z > 0.0); }
        case 12u: { return clamp_keep_nan(z, 0.0, 6.0); }
        case 13u: { return clamp_keep_nan(z / 6.0 + 0.5, 0.0, 1.0); }
        case 14u: { return exp(z); }
        case 17u: { return z * mish_t(z); }
        // max(z, 0) + α·expm1(min(z, 0)/α).
        case 18u: { return max(z, 0.0) + p * expm1_(min(z, 0.0) / p); }
        case 19u: { return z * (clamp_keep_nan(z + 3.0, 0.0, 6.0) / 6.0); }
        case 20u: { return clamp_keep_nan(z, -1.0, 1.0); }
        case 21u: { return select(0.0, z, abs(z) > p); }
        case 22u: { return select(select(0.0, z + p, z < -p), z - p, z > p); }
        case 23u: { return z - tanh_(z); }
        case 24u: { return -softplus_(-z); }
        case 25u: { return select(select(z, 0.25 * ((z + 1.0) * (z + 1.0)), z < 1.0), 0.0, z <= -1.0); }
        case 26u: { return squareplus_(z, p); }
        case 27u: { return select(select(0.5 * (z + 1.0), 1.0, z >= 1.0), 0.0, z <= -1.0); }
        default: { return z; }
    }
}

// Keras's threshold(z, t, d): z above t, else d (also for a NaN z, as Keras's `where`).
fn threshold_f(z: f32, t: f32, d: f32) -> f32 {
    return select(select(d, z, z > t), d, is_nan_(z));
}

// Its gradient: g above t, else 0.
fn threshold_b(z: f32, g: f32, t: f32) -> f32 {
    return select(select(0.0, g, z > t), 0.0, is_nan_(z));
}

// Keras's relu(z, negative_slope = s, max_value = m, threshold = t): clip(z, 0, m) above t (z itself with no
// cap, m = ∞), else s·(z − t) (0 when s = 0, also for z = −∞; NaN stays NaN but where t ≠ 0 and s = 0, where it
// is 0), as activation.rs's ReluCustom.
fn relu_custom_f(z: f32, s: f32, m: f32, t: f32) -> f32 {
    if z > t {
        return select(z, max(min(z, m), 0.0), m <= 3.4028235e38);
    }
    if s == 0.0 && (t != 0.0 || !is_nan_(z)) {
        return 0.0;
    }
    return s * (z - t);
}

// Its gradient as TensorFlow takes it: g up to and including the cap, s·g below the threshold, 0 at it.
fn relu_custom_b(z: f32, g: f32, s: f32, m: f32, t: f32) -> f32 {
    if z > t {
        return select(0.0, g, z <= m);
    }
    return select(0.0, g * s, z < t);
}

// tanh(softplus z) = n/(n + 2) with n = e^z(e^z + 2): one exponential and no cancellation (mish, ACT = 17);
// 1 above z = 20, where it rounds to 1 in f32.
fn mish_t(z: f32) -> f32 {
    if z > 20.0 {
        return 1.0;
    }
    let e = exp(z);
    let n = e * (e + 2.0);
    return n / (n + 2.0);
}

// g · f'(z), from the pre-activation z and the output y (each activation reads the one the CPU reads).
fn act_b(act: u32, z: f32, y: f32, g: f32, p: f32) -> f32 {
    if act >= 20u && is_nan_(z) {
        // TensorFlow's gradients at a NaN input: 0 through the clip or `where` that does not take it, ½g through
        // sparse_sigmoid's middle branch, NaN for the others (tested here, as a driver may fold a comparison).
        return select(select(z, 0.5 * g, act == 27u), 0.0, act <= 22u);
    }
    switch act {
        case 1u: { return select(g, 0.0, y <= 0.0); }
        case 2u: { return g * (y * (1.0 - y)); }
        case 3u: { return g * (1.0 - y * y); }
        case 4u: { return select(g, g * (y + p), y <= 0.0); }
        case 5u: { return g * select(SELU_SCALE, y + SELU_SCALE * SELU_ALPHA, y < 0.0); }
        case 6u: {
            let s = sigmoid_(z);
            return g * (s * (1.0 + z * (1.0 - s)));
        }
        case 7u: {
            let cdf = normal_cdf(z);
            let pdf = exp(-0.5 * z * z) * 0.39894228;
            return g * (cdf + z * pdf);
        }
        case 8u: {
            // With s = sigmoid(2u) = ½(1 + tanh u): 1 − tanh²u = 4s(1 − s).
            let s = sigmoid_(2.0 * GELU_C * (z + 0.044715 * z * z * z));
            return g * (s + 2.0 * z * s * (1.0 - s) * GELU_C * (1.0 + 3.0 * 0.044715 * z * z));
        }
        case 9u: { return g * sigmoid_(z); }
        case 10u: {
            let d = 1.0 + abs(z);
            return g / (d * d);
        }
        case 11u: { return select(g, g * p, y <= 0.0); }
        case 12u: { return select(g, 0.0, y <= 0.0 || y >= 6.0); }
        case 13u: { return select(g / 6.0, 0.0, y <= 0.0 || y >= 1.0); }
        case 14u: { return g * y; }
        case 17u: {
            // 1 − tanh²(softplus z) = 4(n + 1)/(n + 2)² with n = e^z(e^z + 2), without cancellation.
            if z > 20.0 {
                return g;
            }
            let e = exp(z);
            let n = e * (e + 2.0);
            return g * (mish_t(z) + z * (4.0 * (n + 1.0) / ((n + 2.0) * (n + 2.0))) * sigmoid_(z));
        }
        case 18u: {
            // Both branches pass the gradient at 0 (TensorFlow's maximum and minimum).
            return g * (select(0.0, 1.0, z >= 0.0) + select(0.0, exp(min(z, 0.0) / p), z <= 0.0));
        }
        case 19u: {
            let inside = z + 3.0 > 0.0 && z + 3.0 < 6.0;
            return g * (clamp_keep_nan(z + 3.0, 0.0, 6.0) / 6.0 + select(0.0, z / 6.0, inside));
        }
        // TensorFlow's gradients of Keras's formulas, as activation/piecewise.rs and more.rs compute them.
        case 20u: { return select(0.0, g, z >= -1.0 && z <= 1.0); }
        case 21u: { return select(0.0, g, abs(z) > p); }
        case 22u: { return select(0.0, g, z > p || z < -p); }
        case 23u: {
            let t = tanh_(z);
            return g - g * (1.0 - t * t);
        }
        case 24u: { return g * sigmoid_(-z); }
        case 25u: {
            // 0 times the untaken square's slope: NaN at ±∞.
            let d = select(select(g, 0.5 * g * (z + 1.0), z < 1.0), 0.0, z <= -1.0);
            return select(d, nan_(), is_inf_(z));
        }
        case 26u: {
            let h = g / 2.0;
            let u = z * z + p;
            return select(h + (0.5 * h / sqrt(u)) * (z * 2.0), nan_(), is_inf_(z) || u < 0.0);
        }
        case 27u: { return select(0.5 * g, 0.0, z <= -1.0 || z >= 1.0); }
        default: { return g; }
    }
}

// The step record (group 1, dynamic offset): first row of the batch, output slot, Adam's step size, step counter.
struct Step {
    start: u32,
    slot: u32,
    alpha: f32,
    iter: u32,
    // The learning rate in force at this step (a callback or an assignment may change it between steps).
    lr: f32,
    // Nadam's per-step scalars: the coefficients of m and g in m-hat, and 1 - beta_2^t.
    nadam_m: f32,
    nadam_g: f32,
    nadam_v: f32,
    // The loss reduction's factors for this batch (loss/reduce.rs): on the gradient and on the loss sum.
    loss_grad: f32,
    loss_sum: f32,
    pad3: u32,
    pad4: u32,
}
@group(1) @binding(0) var<uniform> stp: Step;
