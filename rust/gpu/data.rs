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
}

/// A data set on the device.
pub(crate) struct DevData {
    pub rows: usize,
    pub shards: Vec<Shard>,
}

impl DevData {
    /// Upload `d` (inputs `iw` wide, targets `ow` wide) in shards that each fit one binding.
    pub fn upload(ctx: &Ctx, d: Data<'_>, iw: usize, ow: usize) -> Result<DevData> {
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
            shards.push(Shard { first, rows, x, y });
            first += rows;
        }
        Ok(DevData { rows: d.rows, shards })
    }

    /// Record the gather of `rows` rows into `ws.x` and `ws.target`: batch row `r` is data row
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
        }
        Ok(())
    }
}
