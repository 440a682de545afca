//! One sample's loss and its gradient (see mod.rs for the formulas).

use super::{Loss, EPSILON};
use crate::activation::exp::{exp, exp_in_place};
use crate::activation::{sigmoid, softplus};

/// What a row's loss needs beyond its values.
pub(super) struct Row {
    pub loss: Loss,
    /// Output width.
    pub width: usize,
    /// Rows in the batch (the batch value is the mean over them).
    pub rows: usize,
    /// The input holds logits.
    pub logits: bool,
    /// Hinge losses: every label in the batch is 0 or 1, so labels become `2t − 1`.
    pub hinge01: bool,
}

impl Row {
    /// Whether a row's loss costs enough (logarithms, exponentials: tens of nanoseconds a value) for a large
    /// batch's rows to be cut between the thread team.
    pub fn costly(&self) -> bool {
        !matches!(
            self.loss,
            Loss::MeanAbsoluteError
                | Loss::MeanSquaredError
                | Loss::Huber { .. }
                | Loss::MeanAbsolutePercentageError
                | Loss::Hinge
                | Loss::SquaredHinge
                | Loss::CategoricalHinge
        )
    }

    /// The sample's loss; with `grad`, `grad ← ∂(batch mean)/∂input` for this row.
    pub fn value(&self, p: &[f32], t: &[f32], grad: Option<&mut [f32]>) -> f64 {
        match self.loss {
            Loss::CategoricalCrossentropy { label_smoothing, .. } => self.cce(p, t, label_smoothing, grad),
            Loss::SparseCategoricalCrossentropy { .. } if !self.loss.counts(t) => {
                // An ignored sample: loss 0, and no gradient.
                if let Some(g) = grad {
                    g.fill(0.0);
                }
                0.0
            }
            Loss::SparseCategoricalCrossentropy { .. } => self.sparse_cce(p, t[0] as usize, grad),
            Loss::KlDivergence => self.kld(p, t, grad),
            Loss::CategoricalHinge => self.categorical_hinge(p, t, grad),
            Loss::CosineSimilarity => self.cosine(p, t, grad),
            Loss::CategoricalFocalCrossentropy { label_smoothing, gamma, alpha, .. } => {
                super::focal::categorical(p, t, self.logits, (gamma, alpha, label_smoothing), self.scale(), grad)
            }
            _ => {
                // Element-wise, then the mean over the row.
                let scale = 1.0 / (self.rows * self.width) as f32;
                let mut s = 0.0f32;
                match grad {
                    Some(g) => {
                        for ((&p, &t), g) in p.iter().zip(t).zip(g.iter_mut()) {
                            let (v, d) = self.element(p, t);
                            s += v;
                            *g = d * scale;
                        }
                    }
                    None => s = p.iter().zip(t).map(|(&p, &t)| self.element(p, t).0).sum(),
                }
                f64::from(s) * (1.0 / self.width as f64)
            }
        }
    }

    /// `Σ value(row)` over the batch with every row's gradient, for an unweighted element-wise loss (targets as
    /// wide as the input): the same operations in the same order as `value`, its constants computed once.
    pub fn elementwise_sum(&self, input: &[f32], target: &[f32], grad: &mut [f32]) -> f64 {
        // The commonest losses get a loop of their own, their element compiled in (not a call per element).
        match self.loss {
            Loss::MeanAbsoluteError => {
                self.elementwise_with(input, target, grad, |p, t| self.element_as(Loss::MeanAbsoluteError, p, t))
            }
            Loss::MeanSquaredError => {
                self.elementwise_with(input, target, grad, |p, t| self.element_as(Loss::MeanSquaredError, p, t))
            }
            _ => self.elementwise_with(input, target, grad, |p, t| self.element(p, t)),
        }
    }

    /// `elementwise_sum` with the element's loss and derivative from `element`.
    #[inline(always)]
    fn elementwise_with(
        &self,
        input: &[f32],
        target: &[f32],
        grad: &mut [f32],
        element: impl Fn(f32, f32) -> (f32, f32),
    ) -> f64 {
        let w = self.width;
        let (scale, per_row) = (1.0 / (self.rows * w) as f32, 1.0 / w as f64);
        let mut total = 0.0f64;
        if w == 1 {
            // One output: the same sums as below, as one flat loop (which keeps `total` in a register).
            for ((&p, &t), g) in input.iter().zip(target).zip(grad.iter_mut()) {
                let (v, d) = element(p, t);
                *g = d * scale;
                total += f64::from(0.0f32 + v) * per_row;
            }
            return total;
        }
        for ((p, t), g) in input.chunks_exact(w).zip(target.chunks_exact(w)).zip(grad.chunks_exact_mut(w)) {
            let mut s = 0.0f32;
            for ((&p, &t), g) in p.iter().zip(t).zip(g.iter_mut()) {
                let (v, d) = element(p, t);
                s += v;
                *g = d * scale;
            }
            total += f64::from(s) * per_row;
        }
        total
    }

    /// An element's loss and its derivative with respect to the prediction (or logit).
    #[inline]
    fn element(&self, p: f32, t: f32) -> (f32, f32) {
        self.element_as(self.loss, p, t)
    }

    /// `element` for the loss `loss` (this row's, or a constant equal to it, so that the match folds away).
    #[inline(always)]
    fn element_as(&self, loss: Loss, p: f32, t: f32) -> (f32, f32) {
        let sign = |e: f32| {
            if e > 0.0 {
                1.0
            } else if e < 0.0 {
                -1.0
            } else {
                0.0
            }
        };
        match loss {
            Loss::MeanAbsoluteError => ((p - t).abs(), sign(p - t)),
            Loss::MeanSquaredError => ((p - t) * (p - t), 2.0 * (p - t)),
            Loss::Huber { delta } => {
                let e = p - t;
                if e.abs() <= delta {
                    (0.5 * e * e, e)
                } else {
                    (delta * e.abs() - 0.5 * delta * delta, delta * e.signum())
                }
            }
            Loss::BinaryCrossentropy { label_smoothing, .. } => {
                let t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing;
                if self.logits {
                    (p.max(0.0) - p * t + (-p.abs()).exp().ln_1p(), sigmoid(p) - t)
                } else {
                    let hi = 1.0 - EPSILON;
                    let q = p.clamp(EPSILON, hi);
                    let v = -(t * q.ln() + (1.0 - t) * (1.0 - q).ln());
                    // Clipping passes no gradient outside [eps, 1-eps], as tf.clip_by_value.
                    let d = if p < EPSILON || p > hi { 0.0 } else { -(t / q) + (1.0 - t) / (1.0 - q) };
                    (v, d)
                }
            }
            Loss::BinaryFocalCrossentropy { label_smoothing, gamma, alpha, balanced, .. } => {
                let t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing;
                super::focal::binary(p, t, self.logits, (gamma, alpha, balanced))
            }
            Loss::MeanAbsolutePercentageError => {
                let den = t.abs().max(EPSILON);
                // The ratio first, as Keras: an error past float32's range / 100 stays finite.
                (100.0 * ((t - p).abs() / den), 100.0 * sign(p - t) / den)
            }
            Loss::MeanSquaredLogarithmicError => {
                let a = (max_keep_nan(p, EPSILON) + 1.0).ln();
                let b = (max_keep_nan(t, EPSILON) + 1.0).ln();
                // TensorFlow's maximum(p, eps) passes the gradient where p >= eps.
                let d = if p >= EPSILON { 2.0 * (a - b) / (p + 1.0) } else { 0.0 };
                ((a - b) * (a - b), d)
            }
            Loss::LogCosh => {
                let d = p - t;
                (d + softplus(-2.0 * d) - std::f32::consts::LN_2, d.tanh())
            }
            Loss::Poisson => (p - t * (p + EPSILON).ln(), 1.0 - t / (p + EPSILON)),
            Loss::Hinge | Loss::SquaredHinge => {
                let t = if self.hinge01 { 2.0 * t - 1.0 } else { t };
                let x = 1.0 - t * p;
                let m = max_keep_nan(x, 0.0);
                // TensorFlow's maximum passes the gradient to its first argument where it is >= the second: at
                // the kink (x = 0) too; a NaN x gets none (the value is NaN).
                match (loss, x >= 0.0) {
                    (Loss::Hinge, true) => (m, -t),
                    (Loss::Hinge, false) => (m, 0.0),
                    _ => (m * m, -2.0 * m * t),
                }
            }
            _ => (0.0, 0.0),
        }
    }

    /// `1/rows`: the batch value is the mean of the rows' values.
    fn scale(&self) -> f32 {
        1.0 / self.rows as f32
    }

    /// Categorical crossentropy, from logits `−Σ t·log_softmax(z)` (with TensorFlow's gradient `softmax(z) − t`),
    /// else on renormalised clipped probabilities `−Σ t·ln clip(p/Σp)` (no gradient where the clip binds).
    fn cce(&self, p: &[f32], t: &[f32], ls: f32, grad: Option<&mut [f32]>) -> f64 {
        let c = self.width as f32;
        let smooth = |t: f32| t * (1.0 - ls) + ls / c;
        let scale = self.scale();
        if self.logits {
            let Some(g) = grad else {
                let (max, lse) = log_sum_exp(p);
                return f64::from(t.iter().zip(p).map(|(&t, &z)| smooth(t) * (lse - (z - max))).sum::<f32>());
            };
            let (max, sum) = shifted_exps(p, g);
            let lse = sum.ln();
            let v: f32 = t.iter().zip(p).map(|(&t, &z)| smooth(t) * (lse - (z - max))).sum();
            // TensorFlow's fused softmax crossentropy, which Keras calls, gives `softmax(z) − t` as the gradient
            // whatever the targets sum to (the loss's own derivative is `softmax(z)·Σt − t`): as there, so that
            // multi-hot or unnormalised targets train as in Keras.
            let inv = 1.0 / sum;
            for (g, &t) in g.iter_mut().zip(t) {
                *g = (*g * inv - smooth(t)) * scale;
            }
            return f64::from(v);
        }
        let sum: f32 = p.iter().sum();
        let hi = 1.0 - EPSILON;
        let v: f32 = t.iter().zip(p).map(|(&t, &p)| -smooth(t) * (p / sum).clamp(EPSILON, hi).ln()).sum();
        if let Some(g) = grad {
            // d/dq_j = −t_j/q_j where the clip does not bind; dq_j/dp_k = (δ_jk − q_j)/Σp.
            let dq = |t: f32, p: f32| {
                let q = p / sum;
                if (EPSILON..=hi).contains(&q) {
                    -smooth(t) / q
                } else {
                    0.0
                }
            };
            let dot: f32 = t.iter().zip(p).map(|(&t, &p)| dq(t, p) * (p / sum)).sum();
            for ((g, &p), &t) in g.iter_mut().zip(p).zip(t) {
                *g = (dq(t, p) - dot) / sum * scale;
            }
        }
        f64::from(v)
    }

    /// Sparse categorical crossentropy for class `class`: from logits `lse(z) − z_y`; on probabilities as
    /// TensorFlow computes it, `−ln clip(p_y) + ln Σ clip(p_j)`.
    fn sparse_cce(&self, p: &[f32], class: usize, grad: Option<&mut [f32]>) -> f64 {
        let scale = self.scale();
        if self.logits {
            let z_y = p.get(class).copied().unwrap_or(0.0);
            let Some(g) = grad else {
                let (max, lse) = log_sum_exp(p);
                return f64::from(lse - (z_y - max));
            };
            let (max, sum) = shifted_exps(p, g);
            let inv = 1.0 / sum;
            for (j, g) in g.iter_mut().enumerate() {
                *g = (*g * inv - f32::from(u8::from(j == class))) * scale;
            }
            return f64::from(sum.ln() - (z_y - max));
        }
        let hi = 1.0 - EPSILON;
        let sum: f32 = p.iter().map(|&p| p.clamp(EPSILON, hi)).sum();
        let py = p.get(class).map_or(EPSILON, |&p| p.clamp(EPSILON, hi));
        let v = sum.ln() - py.ln();
        if let Some(g) = grad {
            for (j, (g, &p)) in g.iter_mut().zip(p).enumerate() {
                let d =
                    if (EPSILON..=hi).contains(&p) { 1.0 / sum - if j == class { 1.0 / p } else { 0.0 } } else { 0.0 };
                *g = d * scale;
            }
        }
        f64::from(v)
    }

    /// `Σ t·ln(t/p)` with both clipped to `[ε, 1]`.
    fn kld(&self, p: &[f32], t: &[f32], grad: Option<&mut [f32]>) -> f64 {
        let clip = |v: f32| v.clamp(EPSILON, 1.0);
        let v: f32 = t.iter().zip(p).map(|(&t, &p)| clip(t) * (clip(t) / clip(p)).ln()).sum();
        if let Some(g) = grad {
            let scale = self.scale();
            for ((g, &p), &t) in g.iter_mut().zip(p).zip(t) {
                *g = if (EPSILON..=1.0).contains(&p) { -clip(t) / p * scale } else { 0.0 };
            }
        }
        f64::from(v)
    }

    /// `max(max_j (1−t_j)·p_j − Σ t·p + 1, 0)`, with TensorFlow's gradient: the max's shared evenly among
    /// the columns that tie for it, and passed on at the kink (`neg − pos + 1 = 0`) too.
    fn categorical_hinge(&self, p: &[f32], t: &[f32], grad: Option<&mut [f32]>) -> f64 {
        let pos: f32 = t.iter().zip(p).map(|(&t, &p)| t * p).sum();
        let c = |j: usize| (1.0 - t[j]) * p[j];
        let mut neg = f32::NEG_INFINITY;
        for j in 0..t.len() {
            let v = c(j);
            // A NaN (an infinite prediction times a zero target) makes the row NaN, as TensorFlow's max does.
            if v.is_nan() {
                neg = v;
                break;
            }
            neg = neg.max(v);
        }
        let x = neg - pos + 1.0;
        let v = max_keep_nan(x, 0.0);
        if let Some(g) = grad {
            let scale = self.scale();
            let ties = (0..t.len()).filter(|&j| c(j) == neg).count().max(1) as f32;
            for (j, (g, &t)) in g.iter_mut().zip(t).enumerate() {
                let d = if c(j) == neg { 1.0 / ties * (1.0 - t) } else { 0.0 } - t;
                *g = if x >= 0.0 { d * scale } else { 0.0 };
            }
        }
        f64::from(v)
    }
}

impl Row {
    /// `−Σ (t·s_t)·(p·s_p)`, each side scaled by `s_x = min(1/√Σx², 1e7)` as Keras's `normalize` does (a
    /// zero row scales by 1e7), in float32. Its gradient `−s_t·(t·s_p − (t·p)·p·s_p³)`, or `−s_t·t·1e7` where
    /// the prediction's scale is the capped one (as TensorFlow's `minimum` passes it).
    fn cosine(&self, p: &[f32], t: &[f32], grad: Option<&mut [f32]>) -> f64 {
        let scale_of = |v: &[f32]| (1.0 / v.iter().map(|x| x * x).sum::<f32>().sqrt()).min(1e7);
        let (sp, st) = (scale_of(p), scale_of(t));
        let v = -p.iter().zip(t).map(|(&p, &t)| (t * st) * (p * sp)).sum::<f32>();
        if let Some(g) = grad {
            let scale = self.scale();
            let capped = sp >= 1e7;
            let dot: f32 = p.iter().zip(t).map(|(&p, &t)| t * p).sum();
            for ((g, &p), &t) in g.iter_mut().zip(p).zip(t) {
                let d = if capped { t * sp } else { t * sp - dot * p * sp * sp * sp };
                *g = -st * d * scale;
            }
        }
        f64::from(v)
    }
}

/// `a.max(b)`, but NaN when `a` is (`f32::max` gives `b`): TensorFlow's `maximum` keeps a NaN, so Keras's
/// hinge and MSLE losses of NaN predictions are NaN (and `TerminateOnNaN` sees them).
fn max_keep_nan(a: f32, b: f32) -> f32 {
    if a < b {
        b
    } else {
        a
    }
}

/// `(max z, ln Σ e^{z−max})`, each exponential and the sum as `shifted_exps` computes them.
fn log_sum_exp(z: &[f32]) -> (f32, f32) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    (max, z.iter().fold(0.0f32, |sum, &v| sum + exp(v - max)).ln())
}

/// `e^{z−max}` into `out` (as long as `z`) and `(max z, Σ e^{z−max})`, the exponentials as the softmax
/// activation computes them (so the gradient `out / Σ − t` is the softmax's output less the target), one a
/// value for the loss and its gradient.
fn shifted_exps(z: &[f32], out: &mut [f32]) -> (f32, f32) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let out = &mut out[..z.len()];
    out.iter_mut().zip(z).for_each(|(o, &v)| *o = v - max);
    exp_in_place(out);
    (max, out.iter().fold(0.0f32, |sum, &x| sum + x))
}
