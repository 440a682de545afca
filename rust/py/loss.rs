//! A loss description as Python passes it: `{"kind": ..., "reduction": ..., ...}` with that kind's
//! hyper-parameters (see spec.rs for the convention).

use pyo3::prelude::*;

use crate::loss::{Loss, Reduction};

/// The keys every loss description may have: its kind and reduction (absent: Keras's default; the string
/// `"none"` stands for Python's `None`).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Head {
    kind: String,
    #[pyo3(default)]
    reduction: Option<String>,
    /// compile's `loss_weights` factor (absent: 1).
    #[pyo3(default)]
    weight: Option<f32>,
}

/// `{"kind": "huber", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Huber {
    delta: f32,
}

/// `{"kind": "binary_crossentropy" | "categorical_crossentropy", ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct BinaryCrossentropy {
    from_logits: bool,
    label_smoothing: f32,
}

/// `{"kind": "binary_focal_crossentropy" | "categorical_focal_crossentropy", ...}` (the categorical one
/// without class balancing).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Focal {
    from_logits: bool,
    label_smoothing: f32,
    gamma: f32,
    alpha: f32,
    #[pyo3(default)]
    apply_class_balancing: bool,
}

/// `{"kind": "sparse_categorical_crossentropy", "from_logits": ..., "ignore_class": ...}`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Sparse {
    from_logits: bool,
    #[pyo3(default)]
    ignore_class: Option<i32>,
}

/// A loss description (`kind` one of `Loss::from_name`'s names, with `delta` for huber, `from_logits` and
/// `label_smoothing` for the crossentropies, `ignore_class` for the sparse one) as the core's loss and its
/// reduction and weight.
pub struct LossArg(pub Loss, pub Reduction, pub f32);

impl<'a, 'py> FromPyObject<'a, 'py> for LossArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let Head { kind, reduction, weight } = obj.extract()?;
        let loss = match kind.as_str() {
            "huber" => Loss::from_name(&kind, obj.extract::<Huber>()?.delta, false, 0.0),
            "binary_crossentropy" | "categorical_crossentropy" => {
                let BinaryCrossentropy { from_logits, label_smoothing } = obj.extract()?;
                Loss::from_name(&kind, 1.0, from_logits, label_smoothing)
            }
            "binary_focal_crossentropy" | "categorical_focal_crossentropy" => {
                let Focal { from_logits, label_smoothing, gamma, alpha, apply_class_balancing } = obj.extract()?;
                Loss::focal(&kind, from_logits, label_smoothing, (gamma, alpha, apply_class_balancing))
            }
            "sparse_categorical_crossentropy" => {
                let Sparse { from_logits, ignore_class } = obj.extract()?;
                Ok(Loss::SparseCategoricalCrossentropy { from_logits, ignore_class })
            }
            _ => Loss::from_name(&kind, 1.0, false, 0.0),
        };
        let reduction = match reduction {
            None => Reduction::default(),
            Some(r) => Reduction::from_name(Some(&r))?,
        };
        Ok(LossArg(loss?, reduction, weight.unwrap_or(1.0)))
    }
}
