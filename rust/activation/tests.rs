//! Tests of activation/mod.rs.

use super::*;

#[test]
fn erf_known_values() {
    // Values from Abramowitz & Stegun table 7.1.
    for (x, want) in [(0.1, 0.1124629160), (0.5, 0.5204998778), (1.0, 0.8427007929), (2.0, 0.9953222650)] {
        assert!((erf(x) - want).abs() < 1e-9, "{x}");
        assert!((erf(-x) + want).abs() < 1e-9);
    }
}

#[test]
fn every_name_round_trips() {
    for &n in NAMES {
        let a = Activation::from_name(n).unwrap();
        let expect = match n {
            "swish" => "silu",
            "hard_swish" => "hard_silu",
            _ => n,
        };
        assert_eq!(a.name(), expect);
    }
    assert!(Activation::from_name("nope").is_err());
}

#[test]
fn backward_matches_finite_differences() {
    let zs = [-4.0f32, -2.5, -1.0, -0.3, 0.2, 0.7, 1.5, 2.9, 5.0];
    for &n in NAMES {
        let act = Activation::from_name(n).unwrap();
        if act.row_wise() {
            continue;
        }
        for &z in &zs {
            // Kinks, where a central difference straddles two slopes (their derivatives: piecewise.rs's test).
            if matches!((n, z), ("hard_tanh" | "sparse_sigmoid", -1.0)) {
                continue;
            }
            let h = 1e-3f32;
            let num = (act.scalar(z + h) as f64 - act.scalar(z - h) as f64) / (2.0 * h as f64);
            let y = act.scalar(z);
            let mut g = [1.0f32];
            act.backward_inplace(&[z], &[y], &mut g, 1);
            assert!((g[0] as f64 - num).abs() < 2e-2 * (1.0 + num.abs()), "{n} at {z}: {} vs {num}", g[0]);
        }
    }
}

#[test]
fn derivative_at_kinks_follows_tensorflow() {
    // TensorFlow's gradient kernels at exactly z = 0 (and relu6's z = 6): ReluGrad and Relu6Grad use
    // `features > 0` (0 at the kink), LeakyReluGrad `features > 0` (slope at 0), EluGrad and SeluGrad
    // `activations < 0` (so the positive side's slope at 0: 1 for elu, scale for selu). hard_sigmoid is
    // relu6(x + 3) / 6 in Keras 3, so 0 at both ends.
    let cases: [(&str, f32, f32); 7] = [
        ("relu", 0.0, 0.0),
        ("relu6", 0.0, 0.0),
        ("relu6", 6.0, 0.0),
        ("leaky_relu", 0.0, 0.2),
        ("elu", 0.0, 1.0),
        ("selu", 0.0, SELU_SCALE),
        ("hard_sigmoid", -3.0, 0.0),
    ];
    for (name, z, want) in cases {
        let act = Activation::from_name(name).unwrap();
        let y = act.scalar(z);
        let mut g = [1.0f32];
        act.backward_inplace(&[z], &[y], &mut g, 1);
        assert_eq!(g[0], want, "{name}'({z})");
    }
}

#[test]
fn softmax_rows_sum_to_one_and_backward() {
    let z = [1.0f32, 2.0, 3.0, -1.0, 0.0, 1.0];
    let mut y = [0.0; 6];
    Activation::Softmax.forward(&z, &mut y, 3);
    assert!((y[..3].iter().sum::<f32>() - 1.0).abs() < 1e-6);
    let mut g = [1.0f32; 6];
    Activation::Softmax.backward_inplace(&z, &y, &mut g, 3);
    assert!(g.iter().all(|v| v.abs() < 1e-6));
}

#[test]
fn parameters_make_the_parameterised_forms() {
    assert_eq!(Activation::with_params("elu", &[0.5]).unwrap(), Activation::Elu { alpha: 0.5 });
    assert_eq!(Activation::with_params("leaky_relu", &[0.3]).unwrap(), Activation::LeakyRelu { negative_slope: 0.3 });
    assert_eq!(Activation::with_params("relu6", &[]).unwrap(), Activation::Relu6);
    assert_eq!(Activation::with_params("gelu", &[1.0]).unwrap(), Activation::Gelu { approximate: true });
    let general = Activation::with_params("relu", &[0.1, 2.5, 0.5]).unwrap();
    assert_eq!(general.name(), "relu");
    // Keras 3.15.1's ReLU(max_value=2.5, negative_slope=0.1, threshold=0.5) at these points.
    for (z, want) in [(f32::NEG_INFINITY, f32::NEG_INFINITY), (-1.0, -0.15), (0.5, 0.0), (1.0, 1.0), (9.0, 2.5)] {
        assert!((general.scalar(z) - want).abs() < 1e-6 || general.scalar(z) == want, "{z}");
    }
    let no_slope = Activation::with_params("relu", &[0.0, f32::INFINITY, 1.0]).unwrap();
    assert_eq!(no_slope.scalar(f32::NEG_INFINITY), 0.0, "0, not 0·(−∞)");
    assert_eq!(no_slope.scalar(f32::NAN), 0.0, "Keras's where(z > threshold, z, 0) reads NaN as 0");
    let no_threshold = Activation::with_params("relu", &[0.0, 2.5, 0.0]).unwrap();
    assert!(no_threshold.scalar(f32::NAN).is_nan(), "relu(NaN) is NaN, and so is its clip");
    let below_zero = Activation::with_params("relu", &[0.0, 1.0, -1.0]).unwrap();
    assert_eq!(below_zero.scalar(-0.5), 0.0, "a cap clips to [0, cap]");
    for bad in [("relu", vec![0.1]), ("sigmoid", vec![1.0]), ("elu", vec![f32::NAN]), ("nope", vec![])] {
        assert!(Activation::with_params(bad.0, &bad.1).is_err(), "{bad:?}");
    }
}

#[test]
fn general_relu_derivative_at_its_kinks_follows_tensorflow() {
    // Keras's composition's gradient: clip passes its bound (g at z = max_value), the threshold is 0 from both
    // sides, the slope applies below it.
    let a = Activation::ReluCustom { negative_slope: 0.1, max_value: 2.5, threshold: 0.5 };
    for (z, want) in [(2.5f32, 1.0f32), (2.6, 0.0), (0.5, 0.0), (0.4, 0.1), (1.0, 1.0)] {
        let mut g = [1.0f32];
        a.backward_inplace(&[z], &[a.scalar(z)], &mut g, 1);
        assert_eq!(g[0], want, "{z}");
    }
}

#[test]
fn a_dense_layer_refuses_the_general_relu() {
    // The products' epilogues apply the named activations only; the general relu is the ReLU layer's.
    let dense =
        |activation| crate::layer::LayerSpec::Dense { units: 3, activation, use_bias: true, rules: Default::default() };
    let general = Activation::ReluCustom { negative_slope: 0.0, max_value: 1.0, threshold: 0.0 };
    assert!(dense(general).validate().unwrap_err().to_string().contains("ReLU layer"));
    assert!(dense(Activation::Relu6).validate().is_ok());
    assert!(crate::layer::LayerSpec::Activation(general).validate().is_ok());
}

#[test]
fn mish_celu_and_hard_silu_derivatives_are_tensorflows() {
    // tf.GradientTape of keras.activations.{mish, celu, hard_silu} (Keras 3.15.1, TensorFlow 2.21) at these z:
    // celu's is 2 at 0 (maximum and minimum both pass it), hard_silu's relu6 passes none at its kinks.
    let z = [-30.0f32, -5.0, -3.0, -2.5, -1.0, -0.5, 0.0, 0.25, 1.0, 2.9999, 3.0, 3.5, 8.0, 30.0];
    let tf: [(Activation, [f32; 14]); 3] = [
        (
            Activation::Mish,
            [
                -2.713_711_2e-12,
                -0.026_747_504,
                -0.093_393_09,
                -0.109_743_55,
                0.059_216_812,
                0.289_510_67,
                0.6,
                0.754_172_7,
                1.049_036_3,
                1.021_11,
                1.021_107,
                1.009_939_3,
                1.0,
                1.0,
            ],
        ),
        (
            Activation::Celu { alpha: 1.0 },
            [
                9.357_623e-14,
                0.006_737_947,
                0.049_787_07,
                0.082_085,
                0.367_879_45,
                0.606_530_7,
                2.0,
                1.0,
                1.0,
                1.0,
                1.0,
                1.0,
                1.0,
                1.0,
            ],
        ),
        (
            Activation::HardSilu,
            [
                0.0,
                0.0,
                0.0,
                -1.0 / 3.0,
                1.0 / 6.0,
                1.0 / 3.0,
                0.5,
                0.583_333_4,
                0.833_333_4,
                1.499_966_6,
                1.0,
                1.0,
                1.0,
                1.0,
            ],
        ),
    ];
    for (a, want) in tf {
        let y: Vec<f32> = z.iter().map(|&v| a.scalar(v)).collect();
        let mut g = [1.0f32; 14];
        a.backward_inplace(&z, &y, &mut g, 1);
        for i in 0..14 {
            // (TensorFlow's float32 tanh reaches 1 a little sooner than Rust's: 4e-6 at z = 8.)
            assert!(
                (g[i] - want[i]).abs() <= 5e-6 * want[i].abs().max(1e-6),
                "{a:?} at {}: {} vs {}",
                z[i],
                g[i],
                want[i]
            );
        }
    }
}

#[test]
fn tanh_shrink_log_sigmoid_and_squareplus_are_kerass() {
    // Keras 3.15.1 (TensorFlow 2.21): f(z) and tf.GradientTape's f'(z) of activations.tanh_shrink, log_sigmoid
    // and squareplus (b = 4, then b = 0.5). TensorFlow's float32 tanh and exp are approximations a few ulps
    // from Rust's, hence the tolerance.
    let z = [-1e30f32, -20.0, -2.0, -0.5, 0.0, 0.25, 1.0, 2.0, 20.0, 1e30];
    #[rustfmt::skip]
    let tf: [(Activation, [f32; 10], [f32; 10]); 4] = [
        (Activation::TanhShrink,
         [-1e30, -19.0, -1.035_972_4, -0.037_882_864, 0.0, 0.005_081_340_7, 0.238_405_82, 1.035_972_4, 19.0, 1e30],
         [1.0, 1.0, 0.929_349_2, 0.213_552_24, 0.0, 0.059_985_16, 0.580_025_7, 0.929_349_2, 1.0, 1.0]),
        (Activation::LogSigmoid,
         [-1e30, -20.0, -2.126_928, -0.974_076_9, -std::f32::consts::LN_2, -0.575_939_5, -0.313_261_7, -0.126_928, -2.061_153_7e-9,
          -0.0],
         [1.0, 1.0, 0.880_797_1, 0.622_459_35, 0.5, 0.437_823_44, 0.268_941_4, 0.119_202_94, 2.061_154_1e-9, 0.0]),
        (Activation::Squareplus { b: 4.0 },
         [f32::INFINITY, 0.049_875_26, 0.414_213_54, 0.780_776_4, 1.0, 1.132_782_2, 1.618_034, 2.414_213_7, 20.049_875,
          f32::INFINITY],
         [0.5, 0.002_481_371_2, 0.146_446_62, 0.378_732_17, 0.5, 0.562_017_4, 0.723_606_8, 0.853_553_4, 0.997_518_66, 0.5]),
        (Activation::Squareplus { b: 0.5 },
         [f32::INFINITY, 0.006_248_474, 0.060_660_124, 0.183_012_7, 0.353_553_38, 0.5, 1.112_372_4, 2.060_660_1,
          20.006_248, f32::INFINITY],
         [0.5, 0.000_312_238_93, 0.028_595_448, 0.211_324_87, 0.5, 0.666_666_7, 0.908_248_3, 0.971_404_55, 0.999_687_8,
          0.5]),
    ];
    // (2e-8 absolute: z − tanh z near 0 is a difference of values an ulp of tanh apart.)
    let near = |a: f32, b: f32| a == b || (a - b).abs() <= 2e-6 * b.abs() + 2e-8;
    for (act, want_y, want_g) in tf {
        let y: Vec<f32> = z.iter().map(|&v| act.scalar(v)).collect();
        let mut g = [1.0f32; 10];
        act.backward_inplace(&z, &y, &mut g, 1);
        for i in 0..10 {
            assert!(near(y[i], want_y[i]), "{act:?}({}): {} vs {}", z[i], y[i], want_y[i]);
            assert!(near(g[i], want_g[i]), "{act:?}'({}): {} vs {}", z[i], g[i], want_g[i]);
        }
    }
}
