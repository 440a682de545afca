//! Tests of loss/mod.rs.

use super::*;

#[test]
fn mae_keras_example() {
    // keras.losses.MeanAbsoluteError()([[0,1],[0,0]], [[1,1],[1,0]]) == 0.5
    // (the tf-keras MeanAbsoluteError docstring example).
    let v = Loss::MeanAbsoluteError.sum(&[1.0, 1.0, 1.0, 0.0], &[0.0, 1.0, 0.0, 0.0], 2, false, None);
    assert!((v / 2.0 - 0.5).abs() < 1e-7);
}

#[test]
fn bce_clipped_golden_values() {
    let l = Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 };
    let a = l.sum(&[1.0], &[0.0], 1, false, None);
    let b = l.sum(&[0.0], &[1.0], 1, false, None);
    assert!((a - 15.942385).abs() < 1e-5, "{a}");
    assert!((b - 16.118095).abs() < 1e-5, "{b}");
    // A saturated wrong prediction through the logits path scores the logit itself.
    let c = l.sum(&[50.0], &[0.0], 1, true, None);
    assert!((c - 50.0).abs() < 1e-5);
}

#[test]
fn gradients_match_finite_differences() {
    let losses = [
        Loss::MeanAbsoluteError,
        Loss::MeanSquaredError,
        Loss::Huber { delta: 1.0 },
        Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.1 },
        Loss::BinaryCrossentropy { from_logits: true, label_smoothing: 0.0 },
        Loss::CosineSimilarity,
        Loss::BinaryFocalCrossentropy {
            from_logits: false,
            label_smoothing: 0.1,
            gamma: 2.0,
            alpha: 0.25,
            balanced: true,
        },
        Loss::BinaryFocalCrossentropy {
            from_logits: true,
            label_smoothing: 0.0,
            gamma: 1.5,
            alpha: 0.25,
            balanced: false,
        },
        Loss::CategoricalFocalCrossentropy { from_logits: false, label_smoothing: 0.1, gamma: 2.0, alpha: 0.25 },
        Loss::CategoricalFocalCrossentropy { from_logits: true, label_smoothing: 0.0, gamma: 1.5, alpha: 0.5 },
    ];
    let p = [0.3f32, 0.8, 0.45, 0.1, 2.5, 0.6];
    let t = [0.0f32, 1.0, 1.0, 0.0, 1.0, 0.0];
    for l in losses {
        let mut g = [0.0f32; 6];
        l.sum(&p, &t, 3, false, Some(&mut g));
        for i in 0..6 {
            let h = 1e-3;
            let mut pp = p;
            pp[i] += h;
            let mut pm = p;
            pm[i] -= h;
            let num = (l.sum(&pp, &t, 3, false, None) - l.sum(&pm, &t, 3, false, None)) / 2.0 / 2.0 / h as f64;
            assert!((g[i] as f64 - num).abs() < 1e-3, "{l:?} {i}: {} vs {num}", g[i]);
        }
    }
}

/// The batch mean of `loss` over rows of `width`.
fn mean(loss: Loss, p: &[f32], t: &[f32], width: usize, logits: bool) -> f64 {
    loss.sum(p, t, width, logits, None) / (p.len() / width) as f64
}

fn close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() <= 1e-5 * want.abs().max(1.0), "{what}: {got} vs Keras's {want}");
}

#[test]
fn categorical_crossentropy_keras_goldens() {
    let cce = Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 };
    let t = [0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
    let p = [0.05, 0.95, 0.0, 0.1, 0.8, 0.1];
    close(mean(cce, &p, &t, 3, false), 1.1769392, "default");
    close(cce.sum(&p, &t, 3, false, None), 2.3538785, "sum");
    let smooth = Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.1 };
    close(mean(smooth, &p, &t, 3, false), 1.4591359, "label_smoothing=0.1");
    let logits = Loss::CategoricalCrossentropy { from_logits: true, label_smoothing: 0.0 };
    close(logits.sum(&[1.0, 2.0, 3.0], &[0.0, 1.0, 0.0], 3, false, None), 1.4076059, "from_logits row 1");
    close(logits.sum(&[0.0, 0.0, 5.0], &[0.0, 0.0, 1.0], 3, false, None), 0.0133859, "from_logits row 2");
    close(cce.sum(&[0.2, 0.2, 0.2], &[1.0, 0.0, 0.0], 3, false, None), 1.0986123, "unnormalised");
    close(cce.sum(&[0.0, 0.5, 0.5], &[1.0, 0.0, 0.0], 3, false, None), 16.118095, "p=0 on the true class");
    // Read through a final softmax's logits: no clipping.
    close(cce.sum(&[100.0, 0.0, -100.0], &[0.0, 0.0, 1.0], 3, true, None), 200.0, "softmax logits");
    close(smooth.sum(&[100.0, 0.0, -100.0], &[0.0, 0.0, 1.0], 3, true, None), 190.0, "softmax logits, smoothed");
    // The sparse form with labels [1, 2] gives the same numbers.
    let sparse = Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: None };
    close(mean(sparse, &p, &[1.0, 2.0], 3, false), 1.1769392, "sparse");
    close(sparse.sum(&[100.0, 0.0, -100.0], &[2.0], 3, true, None), 200.0, "sparse, softmax logits");
    let sparse_logits = Loss::SparseCategoricalCrossentropy { from_logits: true, ignore_class: None };
    close(sparse_logits.sum(&[1.0, 2.0, 3.0], &[1.0], 3, false, None), 1.4076059, "sparse from_logits");
}

#[test]
fn crossentropy_from_logits_has_tensorflows_gradient() {
    // TensorFlow's fused softmax crossentropy: the gradient is softmax(z) − t even where t does not sum to 1
    // (Keras 3.15's bias step for z = [0.35, −0.05, 0.3], t = [1, 1, 0]: [−0.6185462, −0.7443039, 0.36285007]).
    let logits = Loss::CategoricalCrossentropy { from_logits: true, label_smoothing: 0.0 };
    let mut g = [0.0f32; 3];
    let v = logits.sum(&[0.35, -0.05, 0.3], &[1.0, 1.0, 0.0], 3, false, Some(&mut g));
    close(v, 2.3275309, "multi-hot loss");
    for (got, want) in g.iter().zip([-0.6185462, -0.7443039, 0.36285007]) {
        close(f64::from(*got), want, "multi-hot gradient");
    }
}

#[test]
fn other_losses_keras_goldens() {
    let t = [0.0, 1.0, 0.0, 0.0];
    close(
        mean(Loss::MeanAbsolutePercentageError, &[90.0, 210.0, 310.0], &[100.0, 200.0, 300.0], 3, false),
        6.111111,
        "mape",
    );
    close(mean(Loss::MeanAbsolutePercentageError, &[1.0], &[0.0], 1, false), 1e9, "mape, zero target");
    close(mean(Loss::MeanSquaredLogarithmicError, &[1.0, 1.0, 1.0, 0.0], &t, 2, false), 0.24022643, "msle");
    close(mean(Loss::LogCosh, &[1.0, 1.0, 0.0, 0.0], &t, 2, false), 0.1084452, "log_cosh");
    close(mean(Loss::Poisson, &[1.0, 1.0, 0.0, 0.0], &t, 2, false), 0.49999997, "poisson");
    let p = [0.6, 0.4, 0.4, 0.6];
    close(mean(Loss::KlDivergence, &p, &t, 2, false), 0.45814306, "kl_divergence");
    close(mean(Loss::Hinge, &p, &t, 2, false), 1.3, "hinge, 0/1 labels");
    close(mean(Loss::Hinge, &[0.6, 0.4], &[-1.0, 1.0], 2, false), 1.1, "hinge, ±1 labels");
    close(mean(Loss::SquaredHinge, &p, &t, 2, false), 1.86, "squared_hinge");
    close(mean(Loss::CategoricalHinge, &p, &t, 2, false), 1.4, "categorical_hinge");
    // keras.losses.cosine_similarity([[0, 1], [1, 1], [1, 1]], [[1, 0], [1, 1], [-1, -1]]) (its docstring):
    // [0, -0.99999994, 0.99999994] (negated similarities); a zero row gives 0.
    let v = Loss::CosineSimilarity.sum(
        &[1.0, 0.0, 1.0, 1.0, -1.0, -1.0, 0.0, 0.0],
        &[0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0],
        2,
        false,
        None,
    );
    close(v, 0.0, "cosine_similarity");
}

#[test]
fn sparse_targets_must_be_class_ids() {
    let sparse = Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: None };
    assert_eq!(sparse.target_width(10), 1);
    assert!(sparse.check_targets(&[0.0, 9.0], 10, "y").is_ok());
    for bad in [10.0, -1.0, 1.5, f32::NAN] {
        let e = sparse.check_targets(&[0.0, bad], 10, "y").unwrap_err().to_string();
        assert!(e.contains("y[1]"), "{e}");
    }
}

#[test]
fn sparse_gradients_match_finite_differences() {
    let p = [0.3f32, 0.8, 0.45, 0.1, 2.5, 0.6];
    let t = [1.0f32, 0.0];
    for from_logits in [false, true] {
        let l = Loss::SparseCategoricalCrossentropy { from_logits, ignore_class: None };
        let mut g = [0.0f32; 6];
        l.sum(&p, &t, 3, false, Some(&mut g));
        for i in 0..6 {
            let h = 1e-3;
            let (mut pp, mut pm) = (p, p);
            pp[i] += h;
            pm[i] -= h;
            let num = (l.sum(&pp, &t, 3, false, None) - l.sum(&pm, &t, 3, false, None)) / 2.0 / 2.0 / h as f64;
            assert!((g[i] as f64 - num).abs() < 1e-3, "{l:?} {i}: {} vs {num}", g[i]);
        }
    }
}

/// The batch value under `reduction`: `reduced_sum` is the batch's share of an epoch sum divided by its rows.
fn reduced(loss: Loss, r: Reduction, p: &[f32], t: &[f32], width: usize, w: Option<&[f32]>) -> f64 {
    loss.reduced_sum((r, 1.0), p, t, width, false, w, None) / (p.len() / width) as f64
}

#[test]
fn reductions_keras_goldens() {
    // §13.1: MSE of y [1, 2, 3, 4] against 0; sw [1, 0, 0, 0] gives 0.25 (the count divides), 1.0 with
    // mean_with_sample_weight (Σw divides), 1.0 with sum; a scalar 2.0 gives 15.0.
    let (p, t) = ([0.0f32; 4], [1.0f32, 2.0, 3.0, 4.0]);
    let mse = Loss::MeanSquaredError;
    let sw = [1.0f32, 0.0, 0.0, 0.0];
    close(reduced(mse, Reduction::SumOverBatchSize, &p, &t, 1, Some(&sw)), 0.25, "default, weighted");
    close(reduced(mse, Reduction::MeanWithSampleWeight, &p, &t, 1, Some(&sw)), 1.0, "mean_with_sample_weight");
    close(reduced(mse, Reduction::SumOverBatchSize, &p, &t, 1, Some(&[2.0; 4])), 15.0, "scalar weight 2");
    // The tracker weights a batch by its rows: `sum` gives Σ·rows, `none` the mean per sample.
    close(mse.reduced_sum((Reduction::Sum, 1.0), &p, &t, 1, false, None, None), 30.0 * 4.0, "sum");
    close(mse.reduced_sum((Reduction::None, 1.0), &p, &t, 1, false, None, None), 30.0, "none");
    // §13.3: [1, 2, -1] with ignore_class=-1 gives 1.1769392; sum 2.3538785.
    let sparse = Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: Some(-1) };
    let p = [0.05f32, 0.95, 0.0, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4];
    let t = [1.0f32, 2.0, -1.0];
    close(reduced(sparse, Reduction::SumOverBatchSize, &p, &t, 3, None), 1.1769392, "ignore_class");
    close(
        sparse.reduced_sum((Reduction::Sum, 1.0), &p, &t, 3, false, None, None) / 3.0,
        2.3538785,
        "ignore_class, sum",
    );
    assert!(sparse.check_targets(&t, 3, "y").is_ok());
    assert!(sparse.check_targets(&[1.0, -2.0], 3, "y").is_err());
    // Every sample ignored: divide_no_nan gives 0, and no gradient.
    let mut g = [1.0f32; 3];
    let v = sparse.reduced_sum((Reduction::SumOverBatchSize, 1.0), &p[..3], &[-1.0], 3, false, None, Some(&mut g));
    assert_eq!((v, g), (0.0, [0.0; 3]));
}

#[test]
fn reduction_gradients_scale_the_mean_gradient() {
    let (p, t, w) = ([0.5f32, -1.0, 2.0], [0.0f32, 1.0, 1.0], [1.0f32, 3.0, 0.0]);
    let mut mean = [0.0f32; 3];
    Loss::MeanSquaredError.weighted_sum(&p, &t, 1, false, Some(&w), Some(&mut mean));
    for (r, k) in [(Reduction::Sum, 3.0), (Reduction::None, 3.0), (Reduction::MeanWithSampleWeight, 3.0 / 4.0)] {
        let mut g = [0.0f32; 3];
        Loss::MeanSquaredError.reduced_sum((r, 1.0), &p, &t, 1, false, Some(&w), Some(&mut g));
        for (a, b) in g.iter().zip(&mean) {
            assert!((a - b * k).abs() < 1e-6, "{r:?}: {a} vs {}", b * k);
        }
    }
    assert!(Reduction::from_name(Some("average")).unwrap_err().to_string().contains("reduction=\"average\""));
}

/// The unweighted MAE/MSE sum (its own loop, constants hoisted) gives the bits of the general per-row path,
/// which weights of 1 take, gradient included.
#[test]
fn unweighted_elementwise_sum_matches_the_general_path_bit_for_bit() {
    let mut r = crate::rng::Rng::new(4, 0);
    for loss in [Loss::MeanAbsoluteError, Loss::MeanSquaredError] {
        for (rows, width) in [(32, 1), (7, 3), (1, 16)] {
            let (mut p, mut t) = (vec![0.0; rows * width], vec![0.0; rows * width]);
            r.fill_uniform(&mut p, 2.0);
            r.fill_uniform(&mut t, 2.0);
            t[0] = p[0]; // an exact zero error
            let ones = vec![1.0f32; rows];
            let (mut g_fast, mut g_general) = (vec![0.0; rows * width], vec![0.0; rows * width]);
            let fast = loss.weighted_sum(&p, &t, width, false, None, Some(&mut g_fast));
            let general = loss.weighted_sum(&p, &t, width, false, Some(&ones), Some(&mut g_general));
            assert_eq!(fast.to_bits(), general.to_bits(), "{loss:?} {rows}x{width}: {fast} vs {general}");
            let bits = |g: &[f32]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&g_fast), bits(&g_general), "{loss:?} {rows}x{width}: gradients");
        }
    }
}

/// The unweighted fast path of MAE and MSE (its own loop, a flat one for one output) gives the bits of the
/// general per-row path, which unit weights take: the loss sum and every gradient value.
#[test]
fn elementwise_fast_path_matches_the_row_path_bit_for_bit() {
    let mut r = crate::rng::Rng::new(9, 0);
    for loss in [Loss::MeanAbsoluteError, Loss::MeanSquaredError] {
        for width in [1, 3, 16] {
            let rows = 37;
            let (mut p, mut t) = (vec![0.0; rows * width], vec![0.0; rows * width]);
            r.fill_uniform(&mut p, 2.0);
            r.fill_uniform(&mut t, 2.0);
            p[..width].copy_from_slice(&t[..width]);
            p[width] = -0.0;
            t[width] = 0.0;
            let ones = vec![1.0; rows];
            let (mut g_fast, mut g_row) = (vec![f32::NAN; rows * width], vec![f32::NAN; rows * width]);
            let fast = loss.weighted_sum(&p, &t, width, false, None, Some(&mut g_fast));
            let row = loss.weighted_sum(&p, &t, width, false, Some(&ones), Some(&mut g_row));
            assert_eq!(fast.to_bits(), row.to_bits(), "{loss:?} width {width}: {fast} vs {row}");
            let same = g_fast.iter().zip(&g_row).all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{loss:?} width {width}: gradients differ");
        }
    }
}

/// A large batch of a costly loss has its rows cut between the thread team: the loss sum and every gradient
/// value have the bits of a loop over the rows on one thread, with and without sample weights.
#[test]
fn rows_split_between_threads_match_one_thread_bit_for_bit() {
    let mut r = crate::rng::Rng::new(11, 0);
    let (rows, width) = (300, 10);
    let sparse = Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: Some(3) };
    let losses = [
        (Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.1 }, false),
        (Loss::CategoricalCrossentropy { from_logits: true, label_smoothing: 0.0 }, true),
        (sparse, false),
        (Loss::SparseCategoricalCrossentropy { from_logits: true, ignore_class: None }, true),
        (Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 }, false),
        (Loss::KlDivergence, false),
        (Loss::Poisson, false),
    ];
    for (loss, logits) in losses {
        assert!(rows * width >= reduce::SPLIT_ROWS_MIN);
        let tw = loss.target_width(width);
        let mut p = vec![0.0; rows * width];
        r.fill_uniform(&mut p, 1.0);
        let p: Vec<f32> =
            if logits { p.iter().map(|v| v * 4.0).collect() } else { p.iter().map(|v| v.abs()).collect() };
        let mut t = vec![0.0; rows * tw];
        r.fill_uniform(&mut t, 1.0);
        let t: Vec<f32> = if tw == 1 {
            t.iter().map(|v| ((v + 1.0) * 4.99).floor()).collect()
        } else {
            t.iter().map(|v| v.abs()).collect()
        };
        let mut w = vec![0.0; rows];
        r.fill_uniform(&mut w, 1.0);
        let w: Vec<f32> = w.iter().map(|v| v.abs()).collect();
        for weights in [None, Some(&w[..])] {
            let mut g = vec![f32::NAN; rows * width];
            let got = crate::pool::train(|| loss.weighted_sum(&p, &t, width, logits, weights, Some(&mut g)));
            // The same rows one after another (what a batch below the split size gets).
            let ctx = rows::Row { loss, width, rows, logits: logits || loss.reads_logits(), hinge01: false };
            let (mut want_g, mut want) = (vec![f32::NAN; rows * width], 0.0f64);
            for (k, gr) in want_g.chunks_exact_mut(width).enumerate() {
                let v = ctx.value(&p[k * width..][..width], &t[k * tw..][..tw], Some(&mut *gr));
                want += match weights {
                    Some(w) => {
                        gr.iter_mut().for_each(|d| *d *= w[k]);
                        v * f64::from(w[k])
                    }
                    None => v,
                };
            }
            let what = format!("{loss:?} weighted={}", weights.is_some());
            assert_eq!(got.to_bits(), want.to_bits(), "{what}: {got} vs {want}");
            assert!(g.iter().zip(&want_g).all(|(a, b)| a.to_bits() == b.to_bits()), "{what}: gradients differ");
        }
    }
}
