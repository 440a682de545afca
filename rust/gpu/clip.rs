//! Recording gradient clipping (optimizer/clip.rs) before the optimizer step, over the gradients the
//! optimizer updates.

use crate::error::Result;
use crate::optimizer::Clip;

use super::context::Ctx;
use super::kernels::{grid_for, Params, K};
use super::plan::DevNet;
use super::program::Builder;

/// Record `clip` over every trainable weight's gradient; `acc` holds a value per weight (global_clipnorm).
pub(crate) fn clip(b: &mut Builder, ctx: &Ctx, net: &DevNet, clip: Clip, acc: &wgpu::Buffer) -> Result<()> {
    let grads: Vec<(&wgpu::Buffer, usize)> = (0..net.w.len())
        .filter(|&i| net.trainable[i])
        .filter_map(|i| net.w[i].grad.as_ref().map(|g| (g, net.weights[i].len())))
        .collect();
    let count = grads.len();
    let push = |b: &mut Builder, mode: u32, (g, n): (&wgpu::Buffer, usize), c: f32, slot: usize, wide: bool| {
        let p = Params::new().u(n).f(c).u(slot).u(count);
        let grid = if wide { grid_for(ctx, n)? } else { [1, 1, 1] };
        b.push(K::Clip, &[("MODE", mode)], &[Some(g), Some(acc)], p, grid);
        Ok::<(), crate::error::Error>(())
    };
    match clip {
        Clip::None => {}
        Clip::Value(c) => grads.iter().try_for_each(|&w| push(b, 0, w, c, 0, true))?,
        Clip::Norm(c) => grads.iter().try_for_each(|&w| push(b, 1, w, c, 0, false))?,
        Clip::GlobalNorm(c) => {
            grads.iter().enumerate().try_for_each(|(k, &w)| push(b, 2, w, c, k, false))?;
            grads.iter().try_for_each(|&w| push(b, 3, w, c, 0, true))?;
        }
    }
    Ok(())
}
