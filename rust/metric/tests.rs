//! The metrics' values against hand-computed and Keras's golden values.

use super::*;

#[test]
fn binary_accuracy_is_strict() {
    let m = Metric::BinaryAccuracy { threshold: 0.5 };
    assert_eq!(m.sum(&[0.5, 0.51, 0.2, 0.9], &[0.0, 1.0, 1.0, 0.0], 1), 2.0);
}

#[test]
fn sparse_and_top_k() {
    let p = [0.1, 0.7, 0.2, 0.5, 0.3, 0.2];
    assert_eq!(Metric::SparseCategoricalAccuracy.sum(&p, &[1.0, 2.0], 3), 1.0);
    // Keras's golden: k=1 on [[0,0,1],[0,1,0]] vs [[.1,.9,.8],[.05,.95,0]] gives 0.5.
    let p = [0.1, 0.9, 0.8, 0.05, 0.95, 0.0];
    let one_hot = [0.0, 0.0, 1.0, 0.0, 1.0, 0.0];
    assert_eq!(Metric::TopKCategoricalAccuracy { k: 1 }.sum(&p, &one_hot, 3), 1.0);
    assert_eq!(Metric::TopKCategoricalAccuracy { k: 2 }.sum(&p, &one_hot, 3), 2.0);
    assert_eq!(Metric::SparseTopKCategoricalAccuracy { k: 1 }.sum(&p, &[2.0, 1.0], 3), 1.0);
    // Ties count as hits, as TensorFlow's in_top_k.
    assert_eq!(Metric::SparseTopKCategoricalAccuracy { k: 1 }.sum(&[0.5, 0.5, 0.0], &[0.0], 3), 1.0);
    // A row with a NaN or infinite value is a miss, even for its first class, as TensorFlow's in_top_k.
    let p = [f32::NAN, 0.0, 0.0, 0.0, 0.5, 0.5, 1.0, f32::INFINITY, 0.0];
    assert_eq!(Metric::SparseTopKCategoricalAccuracy { k: 2 }.sum(&p, &[0.0, 1.0, 0.0], 3), 1.0);
    let one_hot = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0];
    assert_eq!(Metric::TopKCategoricalAccuracy { k: 3 }.sum(&p, &one_hot, 3), 1.0);
    assert_eq!(Metric::from_name("top_k_categorical_accuracy:3").unwrap(), Metric::TopKCategoricalAccuracy { k: 3 });
    assert!(Metric::from_name("top_k_categorical_accuracy:0").is_err());
}

/// Keras's `cosine_similarity` per row: a zero row gives 0 (its scale is capped at 1e7), opposite rows −1.
#[test]
fn cosine_and_exact_accuracy() {
    let m = Metric::CosineSimilarity;
    let sum = m.sum(&[0.0, 0.0, 1.0, 1.0, -2.0, -2.0], &[0.0, 0.0, 0.5, 0.5, 1.0, 1.0], 2);
    assert!((sum - 0.0).abs() < 1e-6, "{sum}");
    assert_eq!(Metric::ExactAccuracy.sum(&[1.0, 0.5, 2.0, 0.0], &[1.0, 0.0, 2.0, 0.0], 2), 1.5);
}

#[test]
fn categorical() {
    let p = [0.1, 0.7, 0.2, 0.5, 0.3, 0.2];
    assert_eq!(Metric::CategoricalAccuracy.sum(&p, &[0.0, 1.0, 0.0, 0.0, 0.0, 1.0], 3), 1.0);
}
