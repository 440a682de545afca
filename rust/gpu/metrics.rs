//! Recording a batch's metrics beside its loss (gpu/forward.rs `loss_and_metrics`): the ids and parameters of
//! the loss and metric kernels, a loss as a metric, and the stateful metrics' counts (shaders/counts.wgsl).

use crate::error::Result;
use crate::loss::{Loss, EPSILON};
use crate::metric::Metric;

use super::context::Ctx;
use super::data::DevData;
use super::kernels::{grid_for, Params, K};
use super::plan::{Training, Workspace};
use super::program::Builder;

/// The loss kernel's LOSS id and whether its input holds logits (see shaders/loss.wgsl).
pub(super) fn loss_consts(loss: Loss, logits: bool) -> (u32, bool) {
    match loss {
        Loss::MeanAbsoluteError => (0, false),
        Loss::MeanSquaredError => (1, false),
        Loss::Huber { .. } => (2, false),
        Loss::BinaryCrossentropy { from_logits, .. } => (3, logits || from_logits),
        Loss::MeanAbsolutePercentageError => (4, false),
        Loss::MeanSquaredLogarithmicError => (5, false),
        Loss::LogCosh => (6, false),
        Loss::Poisson => (7, false),
        Loss::Hinge => (8, false),
        Loss::SquaredHinge => (9, false),
        Loss::CategoricalCrossentropy { from_logits, .. } => (10, logits || from_logits),
        Loss::SparseCategoricalCrossentropy { from_logits, .. } => (11, logits || from_logits),
        Loss::KlDivergence => (12, false),
        Loss::CategoricalHinge => (13, false),
        Loss::CosineSimilarity => (14, false),
        Loss::BinaryFocalCrossentropy { from_logits, .. } => (15, logits || from_logits),
        Loss::CategoricalFocalCrossentropy { from_logits, .. } => (16, logits || from_logits),
    }
}

/// A loss's parameters as shaders/loss.wgsl reads them (0 where it has none): the Huber delta (the focal
/// loss's gamma), the label smoothing, and the focal loss's alpha and class balancing (1 or 0).
pub(super) fn loss_params(loss: Loss) -> [f32; 4] {
    match loss {
        Loss::Huber { delta } => [delta, 0.0, 0.0, 0.0],
        Loss::BinaryCrossentropy { label_smoothing, .. } | Loss::CategoricalCrossentropy { label_smoothing, .. } => {
            [0.0, label_smoothing, 0.0, 0.0]
        }
        Loss::BinaryFocalCrossentropy { label_smoothing, gamma, alpha, balanced, .. } => {
            [gamma, label_smoothing, alpha, f32::from(u8::from(balanced))]
        }
        Loss::CategoricalFocalCrossentropy { label_smoothing, gamma, alpha, .. } => {
            [gamma, label_smoothing, alpha, 0.0]
        }
        _ => [0.0; 4],
    }
}

/// The metric kernel's METRIC id, threshold and k (see shaders/metric.wgsl).
pub(super) fn metric_consts(m: &Metric) -> (u32, f32, usize) {
    match *m {
        Metric::MeanAbsoluteError => (0, 0.0, 0),
        Metric::MeanSquaredError | Metric::RootMeanSquaredError => (1, 0.0, 0),
        Metric::BinaryAccuracy { threshold } => (2, threshold, 0),
        Metric::CategoricalAccuracy => (3, 0.0, 0),
        Metric::SparseCategoricalAccuracy => (4, 0.0, 0),
        Metric::TopKCategoricalAccuracy { k } => (5, 0.0, k),
        Metric::SparseTopKCategoricalAccuracy { k } => (6, 0.0, k),
        Metric::MeanAbsolutePercentageError => (7, 0.0, 0),
        Metric::ExactAccuracy => (8, 0.0, 0),
        Metric::CosineSimilarity => (9, 0.0, 0),
        // Their sums come from `counts` (shaders/counts.wgsl), and a loss's from shaders/loss.wgsl
        // (`loss_metric`); this kernel does not run for them.
        Metric::Confusion(_) | Metric::R2(_) | Metric::FBeta(_) | Metric::Loss(_) => (0, 0.0, 0),
    }
}

/// Record, for a hinge loss, whether every one of the batch's `values` targets is 0 or 1 (labels then read as
/// `2t − 1`) into `flag`.
pub(super) fn hinge_flag(b: &mut Builder, loss: Loss, values: usize, target: &wgpu::Buffer, flag: &wgpu::Buffer) {
    if matches!(loss, Loss::Hinge | Loss::SquaredHinge) {
        b.push(K::AllBinary, &[], &[Some(target), Some(flag)], Params::new().u(values), [1, 1, 1]);
    }
}

/// Record a loss's per-row values as metric column `col` (shaders/loss.wgsl without its gradient): `bind` is
/// its input (logits, when `logits`), the targets, a gradient buffer it leaves alone, the value matrix and the
/// hinge losses' flag; `w` scales each row's value by its weight. `(rows, width, col, cols)`.
#[allow(clippy::too_many_arguments)]
pub(super) fn loss_metric(
    b: &mut Builder,
    ctx: &Ctx,
    loss: Loss,
    logits: bool,
    (rows, width, col, cols): (usize, usize, usize, usize),
    w: bool,
    bind: [Option<&wgpu::Buffer>; 5],
    weights: &wgpu::Buffer,
) -> Result<()> {
    if let (Some(target), Some(flag)) = (bind[1], bind[4]) {
        hinge_flag(b, loss, rows * loss.target_width(width), target, flag);
    }
    let (id, from_logits) = loss_consts(loss, logits);
    let [delta, ls, alpha, balanced] = loss_params(loss);
    let p = Params::new().u(rows).u(width).u(col).u(cols).f(0.0).f(delta).f(ls).f(EPSILON).f(1.0 - EPSILON).f(0.0);
    let consts = [("LOSS", id), ("LOGITS", u32::from(from_logits)), ("WEIGHTED", u32::from(w)), ("VALUE_ONLY", 1)];
    let [i, t, g, v, f] = bind;
    b.push(K::Loss, &consts, &[i, t, g, v, f, Some(weights)], p.f(0.0).f(alpha).f(balanced), grid_for(ctx, rows)?);
    Ok(())
}

/// Loop iterations one invocation of shaders/counts.wgsl may run: Mesa's lavapipe ends a shader's loops after
/// 65,535 iterations in all (silently, leaving rows uncounted), so a batch is cut into dispatches that each
/// stay well inside that.
const LOOP_BUDGET: usize = 16_384;

/// The row ranges of a batch of `rows` rows whose counts one dispatch each of shaders/counts.wgsl takes, for
/// a metric whose row costs `per_row` loop iterations (counted generously: a loop also costs one iteration
/// where it does not run).
fn count_rows(rows: usize, per_row: usize) -> impl Iterator<Item = (usize, usize)> {
    let step = (LOOP_BUDGET / per_row.max(1)).max(1);
    (0..rows.max(1)).step_by(step).map(move |r0| (r0, (r0 + step).min(rows)))
}

/// Record the stateful metrics' sums into the step's slot of `sums`, after the per-row columns.
#[allow(clippy::too_many_arguments)]
pub(super) fn counts(
    b: &mut Builder,
    ctx: &Ctx,
    pred: &wgpu::Buffer,
    ws: &Workspace,
    rows: usize,
    width: usize,
    t: &Training,
    sums: &wgpu::Buffer,
    data: &DevData,
) -> Result<()> {
    let weighted = data.weighted;
    let mut at = t.row_cols();
    for (k, m) in t.metrics.iter().enumerate() {
        let w = u32::from(weighted && k >= t.averaging.weighted_from);
        match m {
            Metric::Confusion(c) => {
                let mut aux = c.thresholds.clone();
                aux.extend(c.label_weights.iter().flatten());
                let aux = ctx.storage_with(&aux, "metric thresholds")?;
                let nthr = c.thresholds.len();
                let jobs = nthr * c.labels();
                let class_id = c.class_id.map_or(u32::MAX, |c| c as u32);
                let top_k = c.top_k.unwrap_or(0);
                let columns = if c.multi_label || c.class_id.is_some() { 1 } else { width };
                // The row loop, the columns before the counted ones, each counted column, and top_k's passes.
                let per_row = 4 + width + 3 * columns + top_k * (2 * width + 4);
                let consts = [
                    ("MODE", 0),
                    ("WEIGHTED", w),
                    ("AUC", u32::from(matches!(c.report, crate::metric::Report::Auc(..)))),
                    ("LOGITS", u32::from(c.from_logits)),
                    ("CLIP", u32::from(c.clip)),
                    ("MULTI", u32::from(c.multi_label)),
                    ("LABEL_WEIGHTS", u32::from(c.label_weights.is_some())),
                ];
                let bind = [Some(pred), Some(&ws.target), Some(&ws.weights), Some(&aux), Some(sums)];
                for (r0, r1) in count_rows(rows, per_row) {
                    let p = Params::new().u(r1).u(width).u(at).u(t.cols()).u(nthr).u(top_k).u(class_id as usize);
                    b.push(K::Counts, &consts, &bind, p.u(jobs).u(r0), grid_for(ctx, jobs)?);
                }
            }
            Metric::FBeta(f) => {
                // One job per column; a row costs its loop, the row's maximum and the column.
                let aux = ctx.storage_with(&[f.threshold.unwrap_or(0.0)], "metric thresholds")?;
                let bind = [Some(pred), Some(&ws.target), Some(&ws.weights), Some(&aux), Some(sums)];
                let consts = [("MODE", 2), ("WEIGHTED", w), ("ARGMAX", u32::from(f.threshold.is_none()))];
                for (r0, r1) in count_rows(rows, width + 4) {
                    let p = Params::new().u(r1).u(width).u(at).u(t.cols()).u(0).u(0).u(0).u(width).u(r0);
                    b.push(K::Counts, &consts, &bind, p, grid_for(ctx, width)?);
                }
            }
            Metric::R2(_) => {
                let bind = [Some(pred), Some(&ws.target), Some(&ws.weights), Some(&data.shift), Some(sums)];
                for (r0, r1) in count_rows(rows, 2) {
                    let p = Params::new().u(r1).u(width).u(at).u(t.cols()).u(0).u(0).u(0).u(width).u(r0);
                    b.push(K::Counts, &[("MODE", 1), ("WEIGHTED", w)], &bind, p, grid_for(ctx, width)?);
                }
            }
            _ => {}
        }
        at += m.extra_width();
    }
    Ok(())
}
