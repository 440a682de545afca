//! Every optimizer's update, with its weight decay first, over up to TENSORS weights in one dispatch
//! (update.rs generates, before this source, each weight's bindings `w`, `g`, `a`, `b`, `c` and its `step_t`
//! accessor, and `step`, which picks one). The formulas are the one-weight kernels' (adam.wgsl, sgd.wgsl,
//! rmsprop.wgsl, adagrad.wgsl, adamax.wgsl, lion.wgsl, nadam.wgsl, decay.wgsl), operation for operation.
//! Workgroups are dealt to the weights in order, `⌈n_t/256⌉` each.

// 0 Adam, 1 SGD, 2 RMSprop, 3 Adagrad, 4 Adamax, 5 Lion, 6 Nadam.
override OPT: u32 = 0u;
// SGD: 0 plain, 1 momentum, 2 Nesterov.
override MODE: u32 = 0u;
override AMSGRAD: bool = false;
override CENTERED: bool = false;
override MOMENTUM: bool = false;
// Which of the slots `a`, `b`, `c` the optimizer has (an absent one is a stand-in, never read or written).
override USE_A: bool = false;
override USE_B: bool = false;
override USE_C: bool = false;

struct Params {
    // Each weight's length (0: no weight).
    n: array<vec4<u32>, 2>,
    // The optimizer's constants, as the one-weight kernel's `Params` after its `n`.
    h: vec4<f32>,
    decay_rate: f32,
    // Bit t: weight t is decayed.
    decay_mask: u32,
    pad0: u32,
    pad1: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;

// A weight's value and its slots' at one index.
struct Vals {
    w: f32,
    a: f32,
    b: f32,
    c: f32,
}

fn len_of(t: u32) -> u32 {
    return prm.n[t / 4u][t % 4u];
}

fn update(gi: f32, v: Vals, t: u32) -> Vals {
    var x = v;
    if (prm.decay_mask & (1u << t)) != 0u {
        let wi = x.w;
        x.w = wi - wi * prm.decay_rate * stp.lr;
    }
    let h = prm.h;
    switch OPT {
        case 0u: {
            // Adam: a = m, b = v, c = v̂; h = (1−β1, 1−β2, ε).
            let mi = x.a + (gi - x.a) * h.x;
            let vi = x.b + (gi * gi - x.b) * h.y;
            x.a = mi;
            x.b = vi;
            var d = vi;
            if AMSGRAD {
                d = max(x.c, vi);
                x.c = d;
            }
            x.w = x.w - stp.alpha * mi / (sqrt(d) + h.z);
        }
        case 1u: {
            // SGD: a = momentum; h.x = μ.
            if MODE == 0u {
                x.w = x.w - stp.lr * gi;
            } else {
                let mi = h.x * x.a - stp.lr * gi;
                x.a = mi;
                if MODE == 2u {
                    x.w = x.w + (h.x * mi - stp.lr * gi);
                } else {
                    x.w = x.w + mi;
                }
            }
        }
        case 2u: {
            // RMSprop: a = v, b = momentum, c = average gradient; h = (ρ, 1−ρ, μ, ε).
            let vi = h.x * x.a + h.y * (gi * gi);
            x.a = vi;
            var denom = vi + h.w;
            if CENTERED {
                let avg = h.x * x.c + h.y * gi;
                x.c = avg;
                denom = vi - avg * avg + h.w;
            }
            let inc = stp.lr * gi / sqrt(denom);
            if MOMENTUM {
                let mo = h.z * x.b + inc;
                x.b = mo;
                x.w = x.w - mo;
            } else {
                x.w = x.w - inc;
            }
        }
        case 3u: {
            // Adagrad: a = accumulator; h.x = ε.
            let ai = x.a + gi * gi;
            x.a = ai;
            x.w = x.w - stp.lr * gi / sqrt(ai + h.x);
        }
        case 4u: {
            // Adamax: a = m, b = u; h = (1−β1, β2, ε).
            let mi = x.a + (gi - x.a) * h.x;
            let ui = max(h.y * x.b, abs(gi));
            x.a = mi;
            x.b = ui;
            x.w = x.w - stp.alpha * mi / (ui + h.z);
        }
        case 7u: {
            // Adadelta: a = accumulated gradient, b = accumulated delta; h = (ρ, 1−ρ, ε).
            let ai = h.x * x.a + h.y * (gi * gi);
            x.a = ai;
            let delta = -(sqrt(x.b + h.z) * gi / sqrt(ai + h.z));
            x.b = h.x * x.b + h.y * (delta * delta);
            x.w = x.w + stp.lr * delta;
        }
        case 5u: {
            // Lion: a = m; h = (β1, β2).
            let mi = x.a;
            x.w = x.w - stp.lr * sign_keep_nan(mi * h.x + gi * (1.0 - h.x));
            x.a = mi * h.y + gi * (1.0 - h.y);
        }
        default: {
            // Nadam: a = m, b = v; h = (1−β1, 1−β2, ε).
            let mi = x.a + (gi - x.a) * h.x;
            let vi = x.b + (gi * gi - x.b) * h.y;
            x.a = mi;
            x.b = vi;
            let m_hat = stp.nadam_m * mi + stp.nadam_g * gi;
            x.w = x.w - m_hat * stp.lr / (sqrt(vi / stp.nadam_v) + h.z);
        }
    }
    return x;
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    var wg = group_index(wid, nwg);
    var t = 0u;
    loop {
        if t >= TENSORS {
            return;
        }
        let groups = (len_of(t) + 255u) / 256u;
        if wg < groups {
            break;
        }
        wg -= groups;
        t += 1u;
    }
    let i = wg * 256u + li;
    if i >= len_of(t) {
        return;
    }
    step(t, i);
}
