//! A data set on the device, uploaded once per `fit` or `evaluate`: inputs and targets in shards of rows,
//! each shard small enough for one storage binding; and the row gather that builds a batch from it.

use crate::backend::Data;
use crate::error::{Error, Result};

use super::context::Ctx;
use super::kernels::{grid_for, Params, K};
use super::plan::Workspace;
use super::program::Builder;

/// Rows `first..first + rows` of a data set.
pub(crate) struct Shard {
    pub first: usize,
    pub rows: usize,
    pub x: wgpu::Buffer,
    pub y: wgpu::Buffer,
    /// The rows' sample weights.
    pub w: Option<wgpu::Buffer>,
}

/// A data set on the device.
pub(crate) struct DevData {
    pub rows: usize,
    pub shards: Vec<Shard>,
    /// Whether it has sample weights.
    pub weighted: bool,
    /// A target row (`ow` values) that R² subtracts from every target before it sums them and their squares
    /// in float32 (shaders/counts.wgsl), so that a mean far from 0 does not cancel their variance away: the
    /// first row of the data, or of a stream's first batch for each of its batches. Any one row gives the same
    /// R²; the sums of different shifts are merged on the host (metric/r2.rs `merge`), as the CPU's are.
    pub shift: wgpu::Buffer,
}

impl DevData {
    /// Upload `d` (inputs `iw` wide, targets `ow` wide) in shards that each fit one binding.
    pub fn upload(ctx: &Ctx, d: Data<'_>, iw: usize, ow: usize) -> Result<DevData> {
        DevData::upload_shifted(ctx, d, iw, ow, first_row(d.y, ow))
    }

    /// [`DevData::upload`] with R²'s `shift` given: a stream's batches all take its first batch's.
    pub fn upload_shifted(ctx: &Ctx, d: Data<'_>, iw: usize, ow: usize, shift: &[f32]) -> Result<DevData> {
        if u32::try_from(d.rows).is_err() {
            return Err(Error::Backend(format!(
                "the GPU backend takes at most {} rows per data set. Received: {} rows",
                u32::MAX,
                d.rows
            )));
        }
        let widest = iw.max(ow).max(1) as u64 * 4;
        let per = (ctx.max_binding() / widest).max(1) as usize;
        let mut shards = Vec::new();
        let mut first = 0;
        while first < d.rows {
            let rows = per.min(d.rows - first);
            let x = ctx.storage_with(&d.x[first * iw..(first + rows) * iw], "the input data")?;
            let y = ctx.storage_with(&d.y[first * ow..(first + rows) * ow], "the target data")?;
            let w = match d.w {
                Some(w) => Some(ctx.storage_with(&w[first..first + rows], "the sample weights")?),
                None => None,
            };
            shards.push(Shard { first, rows, x, y, w });
            first += rows;
        }
        let mut row = shift.to_vec();
        row.resize(ow.max(1), 0.0);
        let shift = ctx.storage_with(&row, "the targets' shift")?;
        Ok(DevData { rows: d.rows, shards, weighted: d.w.is_some(), shift })
    }

    /// Record the gather of `rows` rows into `ws.x`, `ws.target` and (when weighted) `ws.weights`: batch row `r` is data row
    /// `perm[stp.start + r]`, or `stp.start + r` without a permutation.
    pub fn gather(
        &self,
        b: &mut Builder,
        ctx: &Ctx,
        ws: &Workspace,
        perm: Option<&wgpu::Buffer>,
        rows: usize,
        (iw, ow): (usize, usize),
    ) -> Result<()> {
        let n = rows * (iw + ow);
        for s in &self.shards {
            let p = Params::new().u(rows).u(iw).u(ow).u(s.first).u(s.rows);
            let bind = [perm, Some(&s.x), Some(&s.y), Some(&ws.x), Some(&ws.target)];
            b.push(K::Gather, &[("IDENTITY", u32::from(perm.is_none()))], &bind, p, grid_for(ctx, n)?);
            if let Some(w) = s.w.as_ref() {
                // The weights as a one-column input with no targets.
                let p = Params::new().u(rows).u(1).u(0).u(s.first).u(s.rows);
                let bind = [perm, Some(w), Some(w), Some(&ws.weights), Some(&ws.target)];
                b.push(K::Gather, &[("IDENTITY", u32::from(perm.is_none()))], &bind, p, grid_for(ctx, rows)?);
            }
        }
        Ok(())
    }
}

/// The first of the targets' rows `ow` wide (nothing when there are none).
pub(crate) fn first_row(y: &[f32], ow: usize) -> &[f32] {
    &y[..ow.min(y.len())]
}
