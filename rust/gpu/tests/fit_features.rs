//! More whole training runs on the CPU and the GPU from the same start (see fit.rs's `run_case`): graphs
//! (two inputs joined by Concatenate, a residual Add, the other merges), sample weights with weighted metrics,
//! a sparse softmax classifier, regularizers and constraints, stateful metrics, loss reductions and
//! ignore_class, weight decay and Nadam,
//! Normalization.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::fit::{case, dense, run_case};
use super::layers::optimizers;
use crate::activation::Activation;
use crate::layer::LayerSpec;
use crate::layers::merge::Merge;
use crate::loss::Loss;
use crate::metric::Metric;
use crate::network::Nodes;
use crate::optimizer::OptimizerKind;

/// A chain-less case: `graph` over inputs of widths `inputs`.
fn graph_case(inputs: Vec<usize>, nodes: Nodes, loss: Loss, metrics: Vec<Metric>) -> super::fit::Case {
    let mut c = case(inputs.iter().sum(), vec![], loss, metrics, optimizers()[0]);
    c.graph = Some((inputs, nodes));
    c.shuffle = true;
    c
}

#[test]
fn fit_with_regularizers_and_constraints() {
    use crate::regularize::{Constraint, Penalty, WeightRules};
    let with = |units: usize, activation: Activation, rules: WeightRules| LayerSpec::Dense {
        units,
        activation,
        use_bias: true,
        rules,
    };
    let first = WeightRules {
        kernel_reg: Penalty { l1: 0.01, l2: 0.02 },
        bias_reg: Penalty { l1: 0.0, l2: 0.05 },
        kernel_constraint: Constraint::MaxNorm { max_value: 1.5, axis: 0 },
        bias_constraint: Constraint::NonNeg,
        ..WeightRules::default()
    };
    let second = WeightRules { kernel_constraint: Constraint::UnitNorm { axis: 0 }, ..WeightRules::default() };
    let last = WeightRules {
        kernel_reg: Penalty { l1: 0.03, l2: 0.0 },
        kernel_constraint: Constraint::MinMaxNorm { min_value: 0.5, max_value: 1.0, rate: 0.5, axis: 0 },
        ..WeightRules::default()
    };
    let specs =
        vec![with(12, Activation::Tanh, first), with(6, Activation::Relu, second), with(1, Activation::Linear, last)];
    for kind in [optimizers()[0], OptimizerKind::Sgd { learning_rate: 0.05, momentum: 0.9, nesterov: false }] {
        let mut c = case(5, specs.clone(), Loss::MeanSquaredError, vec![Metric::MeanAbsoluteError], kind);
        c.shuffle = true;
        run_case(&c);
    }
}

#[test]
fn fit_with_sample_weights_and_weighted_metrics() {
    let mut c = case(
        5,
        vec![dense(12, Activation::Tanh), dense(3, Activation::Softmax)],
        Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 },
        vec![Metric::CategoricalAccuracy, Metric::MeanSquaredError],
        optimizers()[0],
    );
    c.weighted = Some(vec![Metric::CategoricalAccuracy, Metric::MeanSquaredError]);
    c.shuffle = true;
    run_case(&c);
}

#[test]
fn fit_sparse_softmax_classifier() {
    let sparse = Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: None };
    let specs =
        vec![dense(10, Activation::Relu), dense(4, Activation::Linear), LayerSpec::Activation(Activation::Softmax)];
    let metrics = vec![Metric::SparseCategoricalAccuracy, Metric::SparseTopKCategoricalAccuracy { k: 2 }];
    run_case(&case(6, specs, sparse, metrics, optimizers()[0]));
}

#[test]
fn fit_two_inputs_joined_by_concatenate() {
    // Inputs of widths 3 and 4, each through its own Dense, side by side, then a sigmoid read through its
    // logits by binary cross-entropy.
    let bce = Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 };
    let nodes = vec![
        (dense(8, Activation::Relu), vec![0]),
        (dense(6, Activation::Tanh), vec![1]),
        (LayerSpec::Concatenate, vec![2, 3]),
        (dense(5, Activation::Relu), vec![4]),
        (dense(1, Activation::Sigmoid), vec![5]),
    ];
    run_case(&graph_case(vec![3, 4], nodes, bce, vec![Metric::BinaryAccuracy { threshold: 0.5 }]));
}

#[test]
fn fit_residual_block_joined_by_add() {
    // v1 = relu Dense; v4 = BatchNorm(tanh Dense(v1)) + v1: v1 feeds two layers and gets both gradients.
    let bn = LayerSpec::BatchNorm { momentum: 0.9, epsilon: 1e-3, center: true, scale: true };
    let nodes = vec![
        (dense(8, Activation::Relu), vec![0]),
        (dense(8, Activation::Tanh), vec![1]),
        (bn, vec![2]),
        (LayerSpec::Add, vec![3, 1]),
        (LayerSpec::Activation(Activation::Relu), vec![4]),
        (dense(1, Activation::Linear), vec![5]),
    ];
    run_case(&graph_case(vec![6], nodes, Loss::MeanSquaredError, vec![Metric::MeanAbsoluteError]));
}

#[test]
fn fit_branches_joined_by_the_other_merges() {
    // Two branches joined by Multiply, then Subtract, Average, Maximum and Minimum of Dense outputs; values
    // that feed several merges get every share of their gradient.
    let merge = LayerSpec::Merge;
    let nodes = vec![
        (dense(6, Activation::Tanh), vec![0]),
        (dense(6, Activation::Sigmoid), vec![1]),
        (merge(Merge::Multiply), vec![2, 3]),
        (dense(6, Activation::Relu), vec![4]),
        (merge(Merge::Subtract), vec![5, 2]),
        (merge(Merge::Average), vec![6, 4, 3]),
        (merge(Merge::Maximum), vec![7, 2]),
        (merge(Merge::Minimum), vec![8, 5, 6]),
        (dense(1, Activation::Linear), vec![9]),
    ];
    run_case(&graph_case(vec![4, 3], nodes, Loss::MeanSquaredError, vec![Metric::MeanAbsoluteError]));
}

#[test]
fn fit_merges_of_three_and_of_model_inputs() {
    // A product of three with one value twice (its gradient through the scratch buffer and added), and
    // Maximum and Minimum that read a model input directly, which takes no gradient but claims its ties.
    let merge = LayerSpec::Merge;
    let nodes = vec![
        (dense(5, Activation::Tanh), vec![0]),
        (merge(Merge::Maximum), vec![0, 1]),
        (merge(Merge::Multiply), vec![1, 2, 1]),
        (merge(Merge::Minimum), vec![3, 0, 1]),
        (dense(3, Activation::Softmax), vec![4]),
    ];
    let cce = Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 };
    run_case(&graph_case(vec![5], nodes, cce, vec![Metric::CategoricalAccuracy]));
}

#[test]
fn fit_with_gradient_clipping() {
    use crate::optimizer::Clip;
    let specs = vec![dense(16, Activation::Tanh), dense(8, Activation::Relu), dense(1, Activation::Linear)];
    // Thresholds small enough that every step clips.
    for clip in [Clip::Value(0.01), Clip::Norm(0.05), Clip::GlobalNorm(0.05)] {
        let kind = OptimizerKind::Sgd { learning_rate: 0.1, momentum: 0.5, nesterov: false };
        let mut c = case(5, specs.clone(), Loss::MeanSquaredError, vec![Metric::MeanAbsoluteError], kind);
        c.clip = clip;
        run_case(&c);
    }
}

#[test]
fn fit_with_stateful_metrics() {
    // Counts per threshold (AUC's three curves and sums, precision, recall with top_k and class_id, TN), R²
    // per column, RMSE, MAPE and a moved accuracy threshold: their epoch, validation and evaluate values.
    let m = |s: &str| Metric::from_name(s).unwrap();
    let metrics = vec![
        m("auc"),
        m("auc:curve=PR;num_thresholds=50"),
        m("auc:multi_label=1;summation_method=minoring;label_weights=0.5,1.0,2.0"),
        m("auc:from_logits=1;curve=PR;summation_method=majoring;thresholds=0.6,0.7"),
        m("precision:thresholds=0.3,0.7"),
        m("recall:top_k=1"),
        m("true_negatives:thresholds=0.5"),
        m("r2_score:class_aggregation=none"),
        m("root_mean_squared_error"),
        m("mape"),
        m("binary_accuracy:threshold=0.7"),
    ];
    let bce = Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 };
    let sgd = OptimizerKind::Sgd { learning_rate: 0.01, momentum: 0.0, nesterov: false };
    let mut c = case(5, vec![dense(8, Activation::Tanh), dense(3, Activation::Sigmoid)], bce, metrics, sgd);
    c.weighted =
        Some(vec![m("auc"), m("r2_score:class_aggregation=variance_weighted_average"), m("precision:class_id=1")]);
    c.shuffle = true;
    run_case(&c);
}

#[test]
fn fit_with_each_loss_reduction_and_ignore_class() {
    use crate::loss::Reduction;
    let reductions = [Reduction::SumOverBatchSize, Reduction::Sum, Reduction::MeanWithSampleWeight, Reduction::None];
    let sparse = |ignore_class| Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class };
    let classifier = vec![dense(10, Activation::Tanh), dense(4, Activation::Softmax)];
    let regression = vec![dense(8, Activation::Relu), dense(2, Activation::Linear)];
    let kind = OptimizerKind::Sgd { learning_rate: 0.01, momentum: 0.5, nesterov: false };
    for reduction in reductions {
        for weighted in [false, true] {
            let cases = [
                (regression.clone(), Loss::MeanSquaredError, vec![Metric::MeanAbsoluteError]),
                (classifier.clone(), sparse(Some(-1)), vec![Metric::SparseCategoricalAccuracy]),
                // An ignored class inside the output's range.
                (classifier.clone(), sparse(Some(1)), vec![]),
            ];
            for (specs, loss, metrics) in cases {
                let mut c = case(5, specs, loss, metrics.clone(), kind);
                c.reduction = reduction;
                c.shuffle = true;
                c.batch = 24;
                c.weighted = weighted.then_some(metrics);
                run_case(&c);
            }
        }
    }
}

#[test]
fn fit_with_weight_decay_and_nadam() {
    use crate::optimizer::Schedule;
    let specs = vec![dense(16, Activation::Tanh), dense(8, Activation::Relu), dense(1, Activation::Linear)];
    let nadam = OptimizerKind::Nadam { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 };
    let kinds = [
        nadam,
        OptimizerKind::Sgd { learning_rate: 0.05, momentum: 0.9, nesterov: false },
        OptimizerKind::Lion { learning_rate: 0.001, beta_1: 0.9, beta_2: 0.99 },
    ];
    for (k, kind) in kinds.into_iter().enumerate() {
        let mut c = case(5, specs.clone(), Loss::MeanSquaredError, vec![Metric::MeanAbsoluteError], kind);
        // The biases (weights 1, 3, 5) excluded from the decay for one of them.
        c.decay = (0.1, if k == 1 { vec![1, 3, 5] } else { vec![] });
        run_case(&c);
    }
    // Nadam without decay, with a schedule, and stopped by a callback mid-epoch (its u_product comes back).
    let mut c = case(5, specs, Loss::MeanSquaredError, vec![], nadam);
    c.schedule = Some(Schedule::Exponential { initial: 0.02, decay_steps: 3.0, rate: 0.7, staircase: false });
    c.stop_at = Some(3);
    run_case(&c);
}

#[test]
fn fit_with_normalization() {
    let norm = |invert: bool, scalar: bool, fixed: Option<(Vec<f32>, Vec<f32>)>| LayerSpec::Normalization {
        invert,
        scalar,
        fixed,
    };
    let per_feature = Some((vec![0.5, -1.0, 2.0, 0.0, 1.5], vec![0.25, 4.0, 0.0, 1e-16, 9.0]));
    let cases = vec![
        // Held statistics (the defaults, mean 0 and variance 1) first, as after `Input`: no gradient below it.
        vec![norm(false, false, None), dense(8, Activation::Tanh), dense(1, Activation::Linear)],
        // Given per-feature statistics (a zero variance scales by 1e7) after a layer, so its gradient flows.
        vec![dense(5, Activation::Tanh), norm(false, false, per_feature), dense(1, Activation::Linear)],
        // One mean and variance for every feature, inverted, and a held scalar one after it.
        vec![
            dense(6, Activation::Relu),
            norm(true, true, Some((vec![0.3], vec![2.5]))),
            norm(false, true, None),
            dense(1, Activation::Linear),
        ],
    ];
    for specs in cases {
        let mut c = case(4, specs, Loss::MeanSquaredError, vec![Metric::MeanAbsoluteError], optimizers()[0]);
        c.shuffle = true;
        run_case(&c);
    }
}

#[test]
fn fit_with_activity_regularizers() {
    use crate::regularize::{Penalty, WeightRules};
    let with = |units: usize, activation: Activation, l1: f32, l2: f32| LayerSpec::Dense {
        units,
        activation,
        use_bias: true,
        rules: WeightRules { activity: Penalty { l1, l2 }, ..WeightRules::default() },
    };
    let sgd = OptimizerKind::Sgd { learning_rate: 0.05, momentum: 0.0, nesterov: false };
    // A tanh layer under a penalized one (its derivative is not fused into the GEMM above), a frozen relu
    // layer, and outputs whose logits the loss reads (sigmoid, softmax) or not (linear); batches of 32 over
    // 200 rows end in a partial one, whose penalty divides by its own rows.
    let hidden = || vec![with(10, Activation::Tanh, 0.01, 0.02), with(6, Activation::Relu, 0.03, 0.0)];
    let cases = [
        (with(1, Activation::Linear, 0.0, 0.05), Loss::MeanSquaredError),
        (with(1, Activation::Sigmoid, 0.1, 0.1), Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 }),
        (
            with(3, Activation::Softmax, 0.05, 0.2),
            Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 },
        ),
    ];
    for (last, loss) in cases {
        let mut specs = hidden();
        specs.push(last);
        let mut c = case(5, specs, loss, vec![Metric::MeanSquaredError], sgd);
        c.frozen = vec![1];
        run_case(&c);
    }
}
