//! Tests of optimizer/mod.rs.
#![allow(clippy::single_range_in_vec_init)]

use super::adam::{adam_body, adam_pass};
use super::*;

fn adam(lr: f32) -> OptimizerKind {
    OptimizerKind::Adam { learning_rate: lr, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false }
}

#[test]
fn slot_layout_is_the_position_of_each_name() {
    let rms =
        |momentum, centered| OptimizerKind::RmsProp { learning_rate: 0.1, rho: 0.9, momentum, epsilon: 1e-7, centered };
    let mut kinds = vec![
        OptimizerKind::Adam { learning_rate: 0.1, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: true },
        adam(0.1),
        OptimizerKind::Sgd { learning_rate: 0.1, momentum: 0.0, nesterov: false },
        OptimizerKind::Sgd { learning_rate: 0.1, momentum: 0.9, nesterov: true },
    ];
    for (m, c) in [(0.0, false), (0.9, false), (0.0, true), (0.9, true), (-0.5, true)] {
        kinds.push(rms(m, c));
    }
    kinds.push(OptimizerKind::Adagrad { learning_rate: 0.1, initial_accumulator_value: 0.1, epsilon: 1e-7 });
    kinds.push(OptimizerKind::Adamax { learning_rate: 0.1, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 });
    kinds.push(OptimizerKind::Lion { learning_rate: 0.1, beta_1: 0.9, beta_2: 0.99 });
    kinds.push(OptimizerKind::Nadam { learning_rate: 0.1, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 });
    for k in kinds {
        let names = k.slot_names();
        let at = k.slot_layout();
        let pos = |n| names.iter().position(|&x| x == n);
        assert_eq!(at.momentum, pos("momentum"), "{k:?}");
        assert_eq!(at.velocity, pos("velocity"), "{k:?}");
        assert_eq!(at.velocity_hat, pos("velocity_hat"), "{k:?}");
        assert_eq!(at.average_gradient, pos("average_gradient"), "{k:?}");
        assert_eq!(at.accumulator, pos("accumulator"), "{k:?}");
        assert_eq!(at.norm, pos("norm"), "{k:?}");
        let all = [at.momentum, at.velocity, at.velocity_hat, at.average_gradient, at.accumulator, at.norm];
        let found = all.iter().flatten().count();
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

/// Keras 3.15's rates at steps 0, 1, 5, 10, 15, 20 and 30.
#[test]
fn schedules_match_keras_goldens() {
    use super::Schedule as S;
    let exp = |staircase| S::Exponential { initial: 0.1, decay_steps: 10.0, rate: 0.5, staircase };
    let inv = |staircase| S::InverseTime { initial: 0.1, decay_steps: 10.0, rate: 0.5, staircase };
    let poly = |decay_steps, end, power, cycle| S::Polynomial { initial: 0.1, decay_steps, end, power, cycle };
    let cos = |initial, alpha, warmup_target, warmup_steps| S::Cosine {
        initial,
        decay_steps: 20.0,
        alpha,
        warmup_target,
        warmup_steps,
    };
    let restarts = |t_mul, m_mul| S::CosineRestarts { initial: 0.1, first_decay_steps: 10.0, t_mul, m_mul, alpha: 0.0 };
    let cases: Vec<(S, [f32; 7])> = vec![
        (exp(false), [0.1, 0.093303, 0.070711, 0.05, 0.035355, 0.025, 0.0125]),
        (exp(true), [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]),
        (inv(false), [0.1, 0.095238, 0.08, 0.066667, 0.057143, 0.05, 0.04]),
        (inv(true), [0.1, 0.1, 0.1, 0.066667, 0.066667, 0.05, 0.04]),
        (
            S::Piecewise { boundaries: vec![5.0, 15.0], values: vec![1.0, 0.5, 0.1] },
            [1.0, 1.0, 1.0, 0.5, 0.5, 0.1, 0.1],
        ),
        (poly(20.0, 0.0001, 1.0, false), [0.1, 0.095005, 0.075025, 0.05005, 0.025075, 0.0001, 0.0001]),
        (poly(20.0, 0.01, 2.0, false), [0.1, 0.091225, 0.060625, 0.0325, 0.015625, 0.01, 0.01]),
        (poly(10.0, 0.01, 1.0, true), [0.1, 0.091, 0.055, 0.01, 0.0325, 0.01, 0.01]),
        (cos(0.1, 0.0, None, 0.0), [0.1, 0.099384, 0.085355, 0.05, 0.014645, 0.0, 0.0]),
        (cos(0.1, 0.1, None, 0.0), [0.1, 0.099446, 0.08682, 0.055, 0.02318, 0.01, 0.01]),
        (cos(0.0, 0.0, Some(0.1), 10.0), [0.0, 0.01, 0.05, 0.1, 0.085355, 0.05, 0.0]),
        (restarts(2.0, 1.0), [0.1, 0.097553, 0.05, 0.1, 0.085355, 0.05, 0.1]),
        (restarts(1.0, 0.5), [0.1, 0.097553, 0.05, 0.05, 0.025, 0.025, 0.0125]),
    ];
    for (s, want) in &cases {
        s.validate().unwrap();
        for (&step, &w) in [0u64, 1, 5, 10, 15, 20, 30].iter().zip(want) {
            let got = s.lr(step);
            assert!((got - w).abs() <= 1e-6, "{} at step {step}: {got} != {w}", s.name());
        }
    }
}

#[test]
fn schedule_arguments_and_bad_rates_are_refused() {
    use super::Schedule as S;
    let exp = |decay_steps| S::Exponential { initial: 0.1, decay_steps, rate: 0.5, staircase: false };
    assert!(exp(0.0).validate().is_err());
    assert!(exp(-1.0).validate().is_err());
    let short = S::Piecewise { boundaries: vec![5.0], values: vec![1.0] };
    assert!(short.validate().is_err());
    // A negative rate from step 3 on, NaN from a negative base: refused naming the schedule and the step.
    let neg = S::Piecewise { boundaries: vec![2.0], values: vec![0.1, -0.1] };
    assert!(neg.check_steps(0, 3).is_ok());
    let msg = neg.check_steps(0, 4).unwrap_err().to_string();
    assert!(msg.contains("PiecewiseConstantDecay") && msg.contains("step 3"), "{msg}");
    let nan = S::Exponential { initial: 0.1, decay_steps: 10.0, rate: -0.5, staircase: false };
    assert!(nan.check(0).is_ok() && nan.check(1).is_err());
}

#[test]
fn a_schedule_sets_each_steps_rate() {
    // Keras: PiecewiseConstantDecay([0], [1.0, 0.1]) with SGD, w = 1 and gradient 2 gives w = −1 after one
    // step (step 0 uses 1.0), then the next step uses 0.1.
    let kind = OptimizerKind::Sgd { learning_rate: 0.5, momentum: 0.0, nesterov: false };
    let mut o = Optimizer::new(kind, 1);
    o.schedule = Some(super::Schedule::Piecewise { boundaries: vec![0.0], values: vec![1.0, 0.1] });
    assert_eq!(o.learning_rate(), 1.0);
    let mut w = [1.0];
    o.step(&mut w, &[2.0], &[0..1]);
    assert_eq!(w, [-1.0]);
    assert_eq!(o.learning_rate(), 0.1);
    o.step(&mut w, &[2.0], &[0..1]);
    assert!((w[0] + 1.2).abs() < 1e-6);
    // Adam's step size follows the scheduled rate too.
    let adam = adam(0.5);
    assert_eq!(adam.with_learning_rate(0.25).adam_step_size(3), adam.adam_step_size(3) / 2.0);
}

#[test]
fn adjacent_ranges_are_joined_and_gaps_kept() {
    let joined: Vec<_> = coalesced(&[0..3, 3..5, 7..9, 9..9, 9..12, 20..21]).collect();
    assert_eq!(joined, vec![0..5, 7..12, 20..21]);
    assert_eq!(coalesced(&[]).count(), 0);
}

/// The vector Adam pass (AVX-512F where the CPU has it) and the scalar loop give the same bits, on lengths
/// that leave a partial vector; a step over adjacent ranges equals one step per range and leaves gaps alone.
#[test]
fn adam_pass_matches_the_scalar_loop_bit_for_bit() {
    let mut r = crate::rng::Rng::new(9, 0);
    for len in [1, 15, 16, 17, 433, 1000] {
        let mut vals = [vec![0.0; len], vec![0.0; len], vec![0.0; len], vec![0.0; len]];
        vals.iter_mut().for_each(|v| r.fill_uniform(v, 1.0));
        let [w, g, m, v] = vals;
        let v: Vec<f32> = v.iter().map(|x| x.abs()).collect();
        let (mut w1, mut m1, mut v1) = (w.clone(), m.clone(), v.clone());
        let (mut w2, mut m2, mut v2) = (w.clone(), m.clone(), v.clone());
        adam_pass(&mut w1, &g, &mut m1, &mut v1, 1e-3, 0.9, 0.999, 1e-7);
        adam_body(&mut w2, &g, &mut m2, &mut v2, 1e-3, 0.9, 0.999, 1e-7);
        let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!((bits(&w1), bits(&m1), bits(&v1)), (bits(&w2), bits(&m2), bits(&v2)), "len {len}");
    }
    let g: Vec<f32> = (0..40).map(|i| (i as f32 * 0.37).sin()).collect();
    let (mut joined, mut split) = (Optimizer::new(adam(0.01), 40), Optimizer::new(adam(0.01), 40));
    let (mut wj, mut ws) = (vec![0.5f32; 40], vec![0.5f32; 40]);
    for _ in 0..3 {
        joined.step(&mut wj, &g, &[0..10, 10..25, 30..40]);
        for r in [0..10, 10..25, 30..40] {
            let mut one = Optimizer { iterations: split.iterations, ..split.clone() };
            one.step(&mut ws, &g, std::slice::from_ref(&r));
            split.slots = one.slots;
        }
        split.iterations += 1;
    }
    assert!(wj.iter().zip(&ws).all(|(a, b)| a.to_bits() == b.to_bits()));
    assert!(wj[25..30].iter().all(|&x| x == 0.5), "a gap between ranges was updated");
}
