//! The loss reduction's factors of each batch on the device (loss/reduce.rs): computed on the host, where the
//! targets and weights are, and written into each step's or chunk's record, which the loss kernel reads.

use crate::backend::Data;
use crate::loss::{Loss, Reduction, Scales};

use super::program::StepRecord;

/// What the factors of a pass's batches need: the targets and weights when they depend on them.
pub(crate) struct BatchScales {
    loss: Loss,
    reduction: Reduction,
    /// Compile's loss weight, which multiplies every batch's factors.
    weight: f32,
    /// Target width.
    tw: usize,
    /// Copies of the targets and weights, kept only when the factors read them.
    y: Vec<f32>,
    w: Option<Vec<f32>>,
    reads: bool,
    /// A batch's targets and weights, gathered.
    batch_y: Vec<f32>,
    batch_w: Vec<f32>,
}

impl BatchScales {
    /// For the data `d` (targets `tw` wide), with the reduction and loss weight `(reduction, weight)`.
    pub fn new(loss: Loss, (reduction, weight): (Reduction, f32), d: Data<'_>, tw: usize) -> Self {
        let reads = reduction.reads_batch(loss.ignored_label().is_some(), d.w.is_some());
        let (y, w) = if reads { (d.y.to_vec(), d.w.map(<[f32]>::to_vec)) } else { (Vec::new(), None) };
        BatchScales { loss, reduction, weight, tw, y, w, reads, batch_y: Vec::new(), batch_w: Vec::new() }
    }

    /// Set the factors of each record, record `s`'s batch being the `cap` rows from `s·cap` in `order` (the
    /// rows in order when `None`); the last batch may be shorter. `total` is the number of rows.
    pub fn fill(&mut self, records: &mut [StepRecord], order: Option<&[u32]>, cap: usize, total: usize) {
        for (s, r) in records.iter_mut().enumerate() {
            let start = s * cap;
            let rows = cap.min(total.saturating_sub(start));
            r.scales = self.batch(order, start, rows).times(self.weight);
        }
    }

    fn batch(&mut self, order: Option<&[u32]>, start: usize, rows: usize) -> Scales {
        if !self.reads {
            let masks = self.loss.ignored_label().is_some();
            return self.reduction.scales(rows, rows, None, masks);
        }
        let tw = self.tw;
        self.batch_y.clear();
        self.batch_w.clear();
        for k in start..start + rows {
            let i = order.map_or(k, |o| o[k] as usize);
            self.batch_y.extend_from_slice(&self.y[i * tw..(i + 1) * tw]);
            if let Some(w) = &self.w {
                self.batch_w.push(w[i]);
            }
        }
        let w = self.w.as_ref().map(|_| &self.batch_w[..]);
        self.loss.scales(self.reduction, &self.batch_y, tw, w)
    }
}
