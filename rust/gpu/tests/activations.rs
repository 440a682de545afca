//! Keras 3.15's activations on the activation kernels at their kinks, at ±0, far out, at ±∞ and at NaN: the
//! CPU's values and gradients (themselves TensorFlow's: activation/piecewise.rs), where a driver that assumes
//! no NaN could fold a comparison away.

use super::{close, device, read, run};
use crate::activation::Activation;
use crate::gpu::kernels::{grid_for, Params, K};
use crate::gpu::plan::{act_bounds, act_id};
use crate::gpu::program::{Builder, StepRecord};

/// `(y, g·f'(z))` on the device for `z` in rows of `width`, `g` all ones.
fn on_device(act: Activation, z: &[f32], width: usize) -> Option<(Vec<f32>, Vec<f32>)> {
    let (ctx, k) = device()?;
    let n = z.len();
    let (zb, yb, gb) = (
        ctx.storage_with(z, "z").unwrap(),
        ctx.storage(n, "y").unwrap(),
        ctx.storage_with(&vec![1.0; n], "g").unwrap(),
    );
    let ((id, p), (second, third)) = (act_id(act), act_bounds(act));
    let threads = if act.row_wise() { n / width } else { n };
    let params = || Params::new().u(n).u(width).f(p).f(second).f(third);
    let mut b = Builder::new();
    b.push(K::ActForward, &[("ACT", id)], &[Some(&zb), Some(&yb)], params(), grid_for(&ctx, threads).unwrap());
    b.push(
        K::ActBackward,
        &[("ACT", id)],
        &[Some(&zb), Some(&yb), Some(&gb)],
        params(),
        grid_for(&ctx, threads).unwrap(),
    );
    run(&ctx, &k, b, StepRecord::default());
    Some((read(&ctx, &yb, n), read(&ctx, &gb, n)))
}

#[test]
fn kinks_infinities_and_nan_match_the_cpu() {
    let inf = f32::INFINITY;
    let z = [
        -inf,
        -1e30,
        -2.0,
        -1.0,
        -0.999_999_9,
        -0.5,
        -0.25,
        -0.0,
        0.0,
        0.5,
        0.500_000_1,
        0.999_999_9,
        1.0,
        2.0,
        1e30,
        inf,
        f32::NAN,
    ];
    for act in [
        Activation::HardTanh,
        Activation::HardShrink { threshold: 0.5 },
        Activation::HardShrink { threshold: 1.0 },
        Activation::SoftShrink { threshold: 0.5 },
        Activation::TanhShrink,
        Activation::LogSigmoid,
        Activation::SparsePlus,
        Activation::Squareplus { b: 4.0 },
        Activation::Squareplus { b: 0.5 },
        Activation::SparseSigmoid,
        Activation::Threshold { threshold: 0.5, default_value: -3.0 },
        Activation::Threshold { threshold: -1.0, default_value: 7.0 },
    ] {
        let Some((y, g)) = on_device(act, &z, z.len()) else { return };
        let mut want_y = vec![0.0; z.len()];
        act.forward(&z, &mut want_y, z.len());
        let mut want_g = vec![1.0; z.len()];
        act.backward_inplace(&z, &want_y, &mut want_g, z.len());
        // (tanh, exp and log are the device's own: an ulp or so apart.)
        close(&y, &want_y, 1e-6, 1e-7, &format!("{act:?} forward"));
        close(&g, &want_g, 1e-6, 1e-7, &format!("{act:?} backward"));
    }
}

#[test]
fn log_softmax_rows_with_infinities_and_nan_match_the_cpu() {
    let (inf, nan) = (f32::INFINITY, f32::NAN);
    let z = [1.0, 2.0, 3.0, -inf, 0.0, 1.0, inf, 0.0, 1.0, nan, 0.0, 1.0, 1e30, -1e30, 0.0, -20.0, 20.0, 0.5];
    let Some((y, g)) = on_device(Activation::LogSoftmax, &z, 3) else { return };
    let mut want_y = vec![0.0; z.len()];
    Activation::LogSoftmax.forward(&z, &mut want_y, 3);
    let mut want_g = vec![1.0; z.len()];
    Activation::LogSoftmax.backward_inplace(&z, &want_y, &mut want_g, 3);
    close(&y, &want_y, 1e-6, 1e-7, "log_softmax forward");
    close(&g, &want_g, 1e-6, 1e-6, "log_softmax backward");
}
