//! Keras's `AUC` from confusion counts at fixed thresholds: the thresholds `[−1e-7, (i+1)/(T−1) for i < T−2,
//! 1+1e-7]`, and the area as a Riemann sum over adjacent thresholds of the ROC curve (x = FP/(FP+TN), y =
//! TP/(TP+FN)) or the precision-recall curve (x = recall, y = precision): `interpolation` takes the mean of
//! the two heights (for PR, Davis and Goadrich's interpolation of precision between the counts), `minoring`
//! the lower and `majoring` the higher.

use crate::error::{Error, Result};

/// How far outside [0, 1] the end thresholds lie.
const EPSILON: f64 = 1e-7;

/// Which curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// Receiver operating characteristic.
    Roc,
    /// Precision against recall.
    Pr,
}

/// How adjacent heights become one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Summation {
    /// Their mean (Davis–Goadrich for PR).
    Interpolation,
    /// The lower.
    Minoring,
    /// The higher.
    Majoring,
}

impl Curve {
    /// From Keras's `curve` argument (any case).
    pub fn from_name(s: &str) -> Result<Self> {
        match s.to_ascii_uppercase().as_str() {
            "ROC" => Ok(Curve::Roc),
            "PR" => Ok(Curve::Pr),
            _ => Err(Error::value(format!(
                "Invalid AUC curve value: {s:?}. Expected 'ROC' or 'PR'. Received: curve={s:?}"
            ))),
        }
    }
}

impl Summation {
    /// From Keras's `summation_method` argument (any case).
    pub fn from_name(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "interpolation" => Ok(Summation::Interpolation),
            "minoring" => Ok(Summation::Minoring),
            "majoring" => Ok(Summation::Majoring),
            _ => Err(Error::value(format!(
                "Invalid AUC summation method value: {s:?}. Expected 'interpolation', 'minoring' or 'majoring'. \
                 Received: summation_method={s:?}"
            ))),
        }
    }
}

/// `num_thresholds` evenly spaced thresholds, with the two ends just outside [0, 1].
pub fn even_thresholds(num_thresholds: usize) -> Result<Vec<f32>> {
    if num_thresholds <= 1 {
        return Err(Error::value(format!(
            "Argument `num_thresholds` must be an integer > 1. Received: num_thresholds={num_thresholds}"
        )));
    }
    let inner = (0..num_thresholds - 2).map(|i| (i + 1) as f64 / (num_thresholds - 1) as f64);
    Ok(with_ends(inner))
}

/// Given thresholds, sorted and between the two ends (Keras does not check them against [0, 1] here).
pub fn given_thresholds(given: &[f32]) -> Result<Vec<f32>> {
    if given.iter().any(|t| !t.is_finite()) {
        return Err(Error::value(format!("Threshold values must be finite. Received: thresholds={given:?}")));
    }
    let mut inner: Vec<f64> = given.iter().map(|&t| f64::from(t)).collect();
    inner.sort_by(f64::total_cmp);
    Ok(with_ends(inner.into_iter()))
}

/// Whether `given` thresholds, sorted and between 0 and 1, are evenly spaced (Keras's
/// `is_evenly_distributed_thresholds`: at least three in all, each within 1e-7 + 1e-5 relative of `i / (n − 1)`).
/// Keras then counts clipped predictions in buckets; other thresholds see the predictions as they are.
pub fn evenly_spaced(given: &[f32]) -> bool {
    let mut all: Vec<f64> = given.iter().map(|&t| f64::from(t)).collect();
    all.sort_by(f64::total_cmp);
    all.insert(0, 0.0);
    all.push(1.0);
    close_to_even(&all)
}

/// Whether thresholds, as given (the confusion counts' and Precision's and Recall's), are evenly spaced from 0
/// to 1 in Keras's sense (see [`evenly_spaced`]), so that Keras counts clipped predictions in buckets.
pub fn evenly_spaced_as_given(given: &[f32]) -> bool {
    close_to_even(&given.iter().map(|&t| f64::from(t)).collect::<Vec<_>>())
}

/// Three or more values, each within 1e-7 + 1e-5 relative of `i / (n − 1)` (NumPy's `allclose`).
fn close_to_even(all: &[f64]) -> bool {
    let n = all.len();
    n >= 3
        && all.iter().enumerate().all(|(i, &t)| {
            let even = f64::from(i as f32 / (n - 1) as f32);
            (t - even).abs() <= EPSILON + 1e-5 * even.abs()
        })
}

fn with_ends(inner: impl Iterator<Item = f64>) -> Vec<f32> {
    let mut t = vec![(0.0 - EPSILON) as f32];
    t.extend(inner.map(|v| v as f32));
    t.push((1.0 + EPSILON) as f32);
    t
}

/// The area from one label's counts, `[TP, FP, TN, FN]` per threshold in increasing order.
pub fn area(state: &[f64], curve: Curve, summation: Summation) -> f64 {
    let n = state.len() / 4;
    let c = |i: usize, k: usize| state[4 * i + k];
    if curve == Curve::Pr && summation == Summation::Interpolation {
        return (0..n.saturating_sub(1))
            .map(|i| pr_term(c(i, 0), c(i, 1), c(i + 1, 0), c(i + 1, 1), c(i + 1, 3)))
            .sum();
    }
    let point = |i: usize| {
        let recall = divide_no_nan(c(i, 0), c(i, 0) + c(i, 3));
        match curve {
            Curve::Roc => (divide_no_nan(c(i, 1), c(i, 1) + c(i, 2)), recall),
            Curve::Pr => (recall, divide_no_nan(c(i, 0), c(i, 0) + c(i, 1))),
        }
    };
    (0..n.saturating_sub(1))
        .map(|i| {
            let ((x0, y0), (x1, y1)) = (point(i), point(i + 1));
            let h = match summation {
                Summation::Interpolation => (y0 + y1) / 2.0,
                Summation::Minoring => y0.min(y1),
                Summation::Majoring => y0.max(y1),
            };
            (x0 - x1) * h
        })
        .sum()
}

/// `a / b`, or 0 where `b` is 0 (Keras's `divide_no_nan`).
pub fn divide_no_nan(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        a / b
    }
}

/// One interval's term of Davis and Goadrich's interpolated PR area, between thresholds i (`tp0`, `fp0`) and
/// i+1 (`tp1`, `fp1`, `fn1`).
fn pr_term(tp0: f64, fp0: f64, tp1: f64, fp1: f64, fn1: f64) -> f64 {
    let dtp = tp0 - tp1;
    let (p0, p1) = (tp0 + fp0, tp1 + fp1);
    let slope = divide_no_nan(dtp, (p0 - p1).max(0.0));
    let intercept = tp1 - slope * p1;
    let ratio = if p0 > 0.0 && p1 > 0.0 { divide_no_nan(p0, p1.max(0.0)) } else { 1.0 };
    divide_no_nan(slope * (dtp + intercept * ratio.ln()), (tp1 + fn1).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_and_names() {
        let t = even_thresholds(200).unwrap();
        assert_eq!((t.len(), t[0], t[199]), (200, -1e-7, 1.000_000_1));
        assert!((t[1] - 0.005_025_1).abs() < 1e-7 && (t[198] - 0.994_974_9).abs() < 1e-7);
        assert!(even_thresholds(1).is_err() && given_thresholds(&[f32::NAN]).is_err());
        assert_eq!(given_thresholds(&[0.9, 0.1]).unwrap(), vec![-1e-7, 0.1, 0.9, 1.000_000_1]);
        assert!(Curve::from_name("pr").is_ok() && Summation::from_name("Majoring").is_ok());
        assert!(Curve::from_name("PRGAIN").is_err());
    }

    #[test]
    fn a_perfect_ranking_has_area_one() {
        // Three thresholds [TP, FP, TN, FN]: everything positive, a perfect split, everything negative.
        let state = [2.0, 2.0, 0.0, 0.0, 2.0, 0.0, 2.0, 0.0, 0.0, 0.0, 2.0, 2.0];
        assert!((area(&state, Curve::Roc, Summation::Interpolation) - 1.0).abs() < 1e-12);
        assert!((area(&state, Curve::Roc, Summation::Minoring) - 1.0).abs() < 1e-12);
    }
}
