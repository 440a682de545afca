//! A metric from its spec string: a canonical name, then optionally `:k` (top-k ones) or `:key=value;...`
//! with Keras's argument names (`thresholds=0.3,0.7;top_k=2;class_id=1`, `num_thresholds=200;curve=PR`,
//! `class_aggregation=none;num_regressors=1`, `threshold=0.7`). Unknown names and keys are errors.

use crate::error::{Error, Result};

use super::auc::{self, Curve, Summation};
use super::confusion::{Confusion, Constrained, Report};
use super::r2::R2;
use super::Metric;

/// The options given after the name.
struct Options<'a> {
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> Options<'a> {
    fn take(&mut self, key: &str) -> Option<&'a str> {
        let i = self.pairs.iter().position(|&(k, _)| k == key)?;
        Some(self.pairs.remove(i).1)
    }

    fn number<T: std::str::FromStr>(&mut self, key: &str) -> Result<Option<T>> {
        self.take(key)
            .map(|v| {
                v.parse::<T>()
                    .map_err(|_| Error::value(format!("Invalid value for argument `{key}`. Received: {key}={v:?}")))
            })
            .transpose()
    }

    fn floats(&mut self, key: &str) -> Result<Option<Vec<f32>>> {
        self.take(key)
            .map(|v| {
                v.split(',')
                    .map(|x| x.trim().parse::<f32>())
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|_| Error::value(format!("Invalid value for argument `{key}`. Received: {key}={v:?}")))
            })
            .transpose()
    }

    fn flag(&mut self, key: &str) -> Result<bool> {
        Ok(self.number::<u8>(key)?.unwrap_or(0) != 0)
    }

    fn done(self, name: &str) -> Result<()> {
        match self.pairs.first() {
            Some((k, v)) => {
                Err(Error::value(format!("Unknown argument `{k}` for the metric {name:?}. Received: {k}={v:?}")))
            }
            None => Ok(()),
        }
    }
}

/// Thresholds for TP … Recall: each in [0, 1]; `default` when none are given.
fn thresholds(o: &mut Options<'_>, default: f32) -> Result<Vec<f32>> {
    match o.floats("thresholds")? {
        None => Ok(vec![default]),
        Some(t) if !t.is_empty() && t.iter().all(|v| (0.0..=1.0).contains(v)) => Ok(t),
        Some(t) => Err(Error::value(format!("Threshold values must be in [0, 1]. Received: thresholds={t:?}"))),
    }
}

/// Parse a spec string.
pub fn parse(spec: &str) -> Result<Metric> {
    let (name, rest) = spec.split_once(':').unwrap_or((spec, ""));
    if name.ends_with("top_k_categorical_accuracy") {
        let k = if rest.is_empty() {
            5
        } else {
            rest.parse::<usize>()
                .ok()
                .filter(|&k| k > 0)
                .ok_or_else(|| Error::value(format!("k must be a positive integer. Received: k={rest:?}")))?
        };
        return Ok(if name.starts_with("sparse_") {
            Metric::SparseTopKCategoricalAccuracy { k }
        } else {
            Metric::TopKCategoricalAccuracy { k }
        });
    }
    let pairs = rest
        .split(';')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').ok_or_else(|| Error::value(format!("Invalid metric option {p:?} in {spec:?}"))))
        .collect::<Result<Vec<_>>>()?;
    let mut o = Options { pairs };
    let m = match name {
        "mae" => Metric::MeanAbsoluteError,
        "mse" => Metric::MeanSquaredError,
        "mape" => Metric::MeanAbsolutePercentageError,
        "root_mean_squared_error" => Metric::RootMeanSquaredError,
        "binary_accuracy" => {
            let threshold = o.number::<f32>("threshold")?.unwrap_or(0.5);
            // Any finite value, as Keras 3.15 takes it (y_pred > threshold).
            if !threshold.is_finite() {
                return Err(Error::value(format!(
                    "Invalid value for argument `threshold`: expected a finite number. Received: threshold={threshold}"
                )));
            }
            Metric::BinaryAccuracy { threshold }
        }
        "categorical_accuracy" => Metric::CategoricalAccuracy,
        "exact_accuracy" => Metric::ExactAccuracy,
        "cosine_similarity" => Metric::CosineSimilarity,
        "sparse_categorical_accuracy" => Metric::SparseCategoricalAccuracy,
        "true_positives" | "false_positives" | "true_negatives" | "false_negatives" => {
            let which = ["true_positives", "false_positives", "true_negatives", "false_negatives"]
                .iter()
                .position(|&n| n == name)
                .unwrap_or(0);
            let t = thresholds(&mut o, 0.5)?;
            let mut c = Confusion::new(Report::Count(which), t);
            // Evenly spaced thresholds: Keras counts clipped predictions in buckets.
            c.clip = auc::evenly_spaced_as_given(&c.thresholds);
            Metric::Confusion(Box::new(c))
        }
        "precision" | "recall" => {
            let top_k = o.number::<usize>("top_k")?;
            if top_k == Some(0) {
                return Err(Error::value("top_k must be a positive integer. Received: top_k=0"));
            }
            let report = if name == "precision" { Report::Precision } else { Report::Recall };
            let mut c = Confusion::new(report, thresholds(&mut o, if top_k.is_some() { -1e10 } else { 0.5 })?);
            c.clip = auc::evenly_spaced_as_given(&c.thresholds);
            c.top_k = top_k;
            c.class_id = o.number::<usize>("class_id")?;
            Metric::Confusion(Box::new(c))
        }
        "auc" => {
            let curve = Curve::from_name(o.take("curve").unwrap_or("ROC"))?;
            let summation = Summation::from_name(o.take("summation_method").unwrap_or("interpolation"))?;
            let (t, clip) = match (o.floats("thresholds")?, o.number::<usize>("num_thresholds")?) {
                (Some(given), _) => (auc::given_thresholds(&given)?, auc::evenly_spaced(&given)),
                (None, n) => (auc::even_thresholds(n.unwrap_or(200))?, true),
            };
            let mut c = Confusion::new(Report::Auc(curve, summation), t);
            c.clip = clip;
            c.multi_label = o.flag("multi_label")?;
            c.num_labels = o.number::<usize>("num_labels")?;
            c.label_weights = o.floats("label_weights")?;
            c.from_logits = o.flag("from_logits")?;
            Metric::Confusion(Box::new(c))
        }
        "binary_crossentropy"
        | "categorical_crossentropy"
        | "sparse_categorical_crossentropy"
        | "kl_divergence"
        | "poisson"
        | "hinge"
        | "squared_hinge"
        | "categorical_hinge"
        | "mean_squared_logarithmic_error"
        | "log_cosh"
        | "huber" => {
            // The options each loss has (others are unknown arguments, refused below).
            let from_logits = name.ends_with("crossentropy") && o.flag("from_logits")?;
            let smooths = matches!(name, "binary_crossentropy" | "categorical_crossentropy");
            let label_smoothing = if smooths { o.number::<f32>("label_smoothing")?.unwrap_or(0.0) } else { 0.0 };
            Metric::Loss(crate::loss::Loss::from_name(name, 1.0, from_logits, label_smoothing)?)
        }
        // `keras.losses.cosine_similarity` as a metric: the mean of the loss, `−cos` (the metric
        // `cosine_similarity` is `+cos`).
        "cosine_similarity_loss" => Metric::Loss(crate::loss::Loss::CosineSimilarity),
        "binary_focal_crossentropy" | "categorical_focal_crossentropy" => {
            // Keras's focal functions' defaults: gamma 2, alpha 0.25, no class balancing.
            let from_logits = o.flag("from_logits")?;
            let label_smoothing = o.number::<f32>("label_smoothing")?.unwrap_or(0.0);
            let gamma = o.number::<f32>("gamma")?.unwrap_or(2.0);
            let alpha = o.number::<f32>("alpha")?.unwrap_or(0.25);
            let balanced = name.starts_with("binary") && o.flag("apply_class_balancing")?;
            Metric::Loss(crate::loss::Loss::focal(name, from_logits, label_smoothing, (gamma, alpha, balanced))?)
        }
        "sensitivity_at_specificity" | "specificity_at_sensitivity" | "precision_at_recall" | "recall_at_precision" => {
            let which = match name {
                "sensitivity_at_specificity" => Constrained::SensitivityAtSpecificity,
                "specificity_at_sensitivity" => Constrained::SpecificityAtSensitivity,
                "precision_at_recall" => Constrained::PrecisionAtRecall,
                _ => Constrained::RecallAtPrecision,
            };
            let value = o.number::<f32>("value")?.unwrap_or(f32::NAN);
            if !(0.0..=1.0).contains(&value) {
                return Err(Error::value(format!("The constraint must be in the range [0, 1]. Received: {spec:?}")));
            }
            // Keras's evenly spaced thresholds count clipped predictions in buckets (as AUC's), but from exactly
            // 0 to 1 (AUC's ends lie just outside): a prediction at or below 0 is above none of them. One is 0.5.
            let (t, clip) = match o.number::<usize>("num_thresholds")?.unwrap_or(200) {
                1 => (vec![0.5], false),
                n => {
                    let mut t = auc::even_thresholds(n)?;
                    let last = t.len() - 1;
                    (t[0], t[last]) = (0.0, 1.0);
                    (t, true)
                }
            };
            let mut c = Confusion::new(Report::AtLeast(which, value), t);
            c.clip = clip;
            c.class_id = o.number::<usize>("class_id")?;
            Metric::Confusion(Box::new(c))
        }
        "fbeta_score" => {
            let beta = o.number::<f32>("beta")?.unwrap_or(1.0);
            let threshold = o.number::<f32>("threshold")?;
            Metric::FBeta(super::FBeta::new(beta, threshold, o.take("average").unwrap_or("none"))?)
        }
        "r2_score" => {
            let aggregation = R2::aggregation(o.take("class_aggregation").unwrap_or("uniform_average"))?;
            let num_regressors = o.number::<usize>("num_regressors")?.unwrap_or(0);
            Metric::R2(R2 { aggregation, num_regressors, width: 0 })
        }
        _ => return Err(Error::value(format!("Unknown metric: {spec:?}"))),
    };
    o.done(name)?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(parse("binary_accuracy:threshold=0.7").unwrap(), Metric::BinaryAccuracy { threshold: 0.7 });
        // Any finite threshold, as Keras 3.15 takes it.
        assert_eq!(parse("binary_accuracy:threshold=1").unwrap(), Metric::BinaryAccuracy { threshold: 1.0 });
        assert_eq!(parse("top_k_categorical_accuracy:3").unwrap(), Metric::TopKCategoricalAccuracy { k: 3 });
        let Metric::Confusion(c) = parse("precision:thresholds=0.3,0.7;class_id=1").unwrap() else { panic!() };
        assert_eq!((c.thresholds, c.class_id), (vec![0.3, 0.7], Some(1)));
        let Metric::Confusion(c) = parse("auc:num_thresholds=3;curve=pr;multi_label=1").unwrap() else { panic!() };
        assert_eq!((c.thresholds.len(), c.multi_label), (3, true));
        let cce = crate::loss::Loss::CategoricalCrossentropy { from_logits: true, label_smoothing: 0.1 };
        assert_eq!(parse("categorical_crossentropy:from_logits=1;label_smoothing=0.1").unwrap(), Metric::Loss(cce));
        assert_eq!(parse("log_cosh").unwrap(), Metric::Loss(crate::loss::Loss::LogCosh));
        assert_eq!(parse("cosine_similarity_loss").unwrap(), Metric::Loss(crate::loss::Loss::CosineSimilarity));
        let focal = crate::loss::Loss::BinaryFocalCrossentropy {
            from_logits: false,
            label_smoothing: 0.0,
            gamma: 2.0,
            alpha: 0.25,
            balanced: false,
        };
        assert_eq!(parse("binary_focal_crossentropy").unwrap(), Metric::Loss(focal));
        let spec = "categorical_focal_crossentropy:gamma=3;alpha=0.5;from_logits=1;label_smoothing=0.1";
        let focal = crate::loss::Loss::CategoricalFocalCrossentropy {
            from_logits: true,
            label_smoothing: 0.1,
            gamma: 3.0,
            alpha: 0.5,
        };
        assert_eq!(parse(spec).unwrap(), Metric::Loss(focal));
        // Class balancing is binary only, as in Keras.
        assert!(parse("categorical_focal_crossentropy:apply_class_balancing=1").is_err());
        assert!(parse("binary_focal_crossentropy:gamma=nan").is_err());
        let Metric::FBeta(f) = parse("fbeta_score:beta=2.0;average=weighted;threshold=0.4").unwrap() else { panic!() };
        assert_eq!((f.beta, f.threshold, f.average), (2.0, Some(0.4), super::super::fbeta::Average::Weighted));
        let Metric::Confusion(c) = parse("precision_at_recall:value=0.8;num_thresholds=3;class_id=1").unwrap() else {
            panic!()
        };
        assert_eq!((c.thresholds.len(), c.clip, c.class_id, c.out_len()), (3, true, Some(1), 1));
        // Evenly spaced thresholds (0, 0.5, 1): Keras clips the predictions and counts them in buckets.
        for (spec, clip) in [
            ("true_positives:thresholds=0,0.5,1", true),
            ("recall:thresholds=0,0.25,0.5,0.75,1", true),
            ("precision:thresholds=0.1,0.5,0.9", false),
            ("false_negatives:thresholds=1,0.5,0", false),
            ("true_negatives:thresholds=0,1", false),
        ] {
            let Metric::Confusion(c) = parse(spec).unwrap() else { panic!() };
            assert_eq!(c.clip, clip, "{spec}");
        }
        // Keras's huber function as a metric: delta 1.
        assert_eq!(parse("huber").unwrap(), Metric::Loss(crate::loss::Loss::Huber { delta: 1.0 }));
        assert!(parse("sparse_categorical_crossentropy").unwrap().sparse_targets());
        for bad in [
            "poisson:from_logits=1",
            "fbeta_score:average=mean",
            "precision_at_recall",
            "recall_at_precision:value=1.5",
            "sensitivity_at_specificity:value=0.5;num_thresholds=0",
            "fbeta_score:threshold=0",
            "hinge:label_smoothing=0.1",
            "sparse_categorical_crossentropy:label_smoothing=0.1",
            "binary_crossentropy:label_smoothing=2",
            "precision:thresholds=1.5",
            "auc:num_thresholds=1",
            "auc:curve=PRGAIN",
            "recall:top_k=0",
            "r2_score:class_aggregation=mean",
            "mae:k=1",
            "binary_accuracy:threshold=inf",
            "rmse",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
