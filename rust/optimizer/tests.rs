//! Tests of optimizer/mod.rs.
#![allow(clippy::single_range_in_vec_init)]

use super::*;

fn adam(lr: f32) -> OptimizerKind {
    OptimizerKind::Adam {
        learning_rate: lr,
        beta_1: 0.9,
        beta_2: 0.999,
        epsilon: 1e-7,
        amsgrad: false,
        weight_decay: 0.0,
    }
}

#[test]
fn slot_layout_is_the_position_of_each_name() {
    let rms =
        |momentum, centered| OptimizerKind::RmsProp { learning_rate: 0.1, rho: 0.9, momentum, epsilon: 1e-7, centered };
    let mut kinds = vec![
        OptimizerKind::Adam {
            learning_rate: 0.1,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            amsgrad: true,
            weight_decay: 0.0,
        },
        adam(0.1),
        OptimizerKind::Sgd { learning_rate: 0.1, momentum: 0.0, nesterov: false },
        OptimizerKind::Sgd { learning_rate: 0.1, momentum: 0.9, nesterov: true },
    ];
    for (m, c) in [(0.0, false), (0.9, false), (0.0, true), (0.9, true), (-0.5, true)] {
        kinds.push(rms(m, c));
    }
    for k in kinds {
        let names = k.slot_names();
        let at = k.slot_layout();
        let pos = |n| names.iter().position(|&x| x == n);
        assert_eq!(at.momentum, pos("momentum"), "{k:?}");
        assert_eq!(at.velocity, pos("velocity"), "{k:?}");
        assert_eq!(at.velocity_hat, pos("velocity_hat"), "{k:?}");
        assert_eq!(at.average_gradient, pos("average_gradient"), "{k:?}");
        let found = [at.momentum, at.velocity, at.velocity_hat, at.average_gradient].iter().flatten().count();
        assert_eq!(found, names.len(), "{k:?}: a slot name the layout does not know");
    }
    assert_eq!(rms(0.0, true).slot_layout().average_gradient, Some(1));
    assert_eq!(rms(0.9, true).slot_layout().average_gradient, Some(2));
    assert_eq!(rms(0.9, false).slot_layout().momentum, Some(1));
}

#[test]
fn adam_keras_golden_step() {
    // Keras docstring example: lr 0.5, grads [1,6,7,2], vars [1,2,3,4] -> [0.5,1.5,2.5,3.5].
    let mut w = vec![1.0, 2.0, 3.0, 4.0];
    let mut o = Optimizer::new(adam(0.5), 4);
    o.step(&mut w, &[1.0, 6.0, 7.0, 2.0], &[0..4]);
    for (a, b) in w.iter().zip([0.5, 1.5, 2.5, 3.5]) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
    assert_eq!(o.iterations, 1);
}

#[test]
fn sgd_momentum_two_steps() {
    // m1 = -0.1*1 = -0.1, w = 0.9; m2 = 0.9*-0.1 - 0.1*1 = -0.19, w = 0.71.
    let k = OptimizerKind::Sgd { learning_rate: 0.1, momentum: 0.9, nesterov: false };
    let mut o = Optimizer::new(k, 1);
    let mut w = vec![1.0];
    o.step(&mut w, &[1.0], &[0..1]);
    o.step(&mut w, &[1.0], &[0..1]);
    assert!((w[0] - 0.71).abs() < 1e-6);
}

#[test]
fn rmsprop_one_step() {
    // v = 0.1*4 = 0.4; w = 1 - 0.01*2/sqrt(0.4+1e-7).
    let k = OptimizerKind::RmsProp { learning_rate: 0.01, rho: 0.9, momentum: 0.0, epsilon: 1e-7, centered: false };
    let mut o = Optimizer::new(k, 1);
    let mut w = vec![1.0];
    o.step(&mut w, &[2.0], &[0..1]);
    let want = 1.0 - 0.01 * 2.0 / (0.4f32 + 1e-7).sqrt();
    assert!((w[0] - want).abs() < 1e-7);
}

#[test]
fn untrainable_range_untouched() {
    let mut o = Optimizer::new(adam(0.1), 4);
    let mut w = vec![1.0; 4];
    o.step(&mut w, &[1.0; 4], &[0..2]);
    assert_eq!(&w[2..], &[1.0, 1.0]);
    assert!(w[0] < 1.0);
}

#[test]
fn an_iteration_count_restored_at_u64_max_saturates() {
    // At t = 2^64 both bias corrections are 1: m = 0.1, v = 0.001, w = 1 - 0.1*0.1/(sqrt(0.001) + 1e-7).
    let mut o = Optimizer::new(adam(0.1), 1);
    o.iterations = u64::MAX;
    let mut w = vec![1.0];
    o.step(&mut w, &[1.0], &[0..1]);
    assert_eq!(o.iterations, u64::MAX);
    let want = 1.0 - 0.1 * 0.1 / (0.001f32.sqrt() + 1e-7);
    assert!((w[0] - want).abs() < 1e-5, "{} vs {want}", w[0]);
}
