//! Recording the element-wise merges of layers/merge.rs (Average, Subtract, Multiply, Maximum, Minimum):
//! the forward fold one input per pass (shaders/merge.wgsl), and each input's gradient in input order
//! (Maximum and Minimum claim theirs with shaders/merge_pick.wgsl).

use crate::error::{Error, Result};
use crate::layers::merge::Merge;
use crate::network::Node;

use super::context::Ctx;
use super::kernels::{grid_for, Params, K};
use super::plan::Workspace;
use super::program::Builder;

/// shaders/merge.wgsl's OP for folding one more input in.
fn fold_op(op: Merge) -> u32 {
    match op {
        Merge::Average => 0,
        Merge::Subtract => 1,
        Merge::Multiply => 2,
        Merge::Maximum => 3,
        Merge::Minimum => 4,
    }
}
/// shaders/merge.wgsl's OP for `dst (+)= src / c`.
const SCALE: u32 = 5;
/// shaders/merge.wgsl's OP for `dst (+)= src × other`.
const PRODUCT: u32 = 6;

/// Record `dst (+)= src / c` over `n` values (with `c` 1, a copy).
fn scale(
    b: &mut Builder,
    ctx: &Ctx,
    src: &wgpu::Buffer,
    dst: &wgpu::Buffer,
    (n, c): (usize, f32),
    acc: bool,
) -> Result<()> {
    let consts = [("OP", SCALE), ("ACCUMULATE", u32::from(acc))];
    b.push(K::Merge, &consts, &[Some(src), None, Some(dst)], Params::new().u(n).f(c), grid_for(ctx, n)?);
    Ok(())
}

/// Record `y = op(x_0, …)` over `rows` rows of node `l`; `bufs` holds every value's buffer.
pub(crate) fn forward(
    b: &mut Builder,
    ctx: &Ctx,
    op: Merge,
    l: &Node,
    bufs: &[wgpu::Buffer],
    y: &wgpu::Buffer,
    rows: usize,
) -> Result<()> {
    let (w, n_inputs) = (l.output, l.inputs.len());
    let n = rows * w;
    scale(b, ctx, &bufs[l.inputs[0]], y, (n, 1.0), false)?;
    for (k, &v) in l.inputs.iter().enumerate().skip(1) {
        let c = if k + 1 == n_inputs { op.divisor(n_inputs, 0) } else { 1.0 };
        let p = Params::new().u(n).f(c);
        b.push(
            K::Merge,
            &[("OP", fold_op(op)), ("ACCUMULATE", 0)],
            &[Some(&bufs[v]), None, Some(y)],
            p,
            grid_for(ctx, n)?,
        );
    }
    Ok(())
}

/// Record every input's gradient from `gy`: the output `y` and its gradient `g` (Maximum and Minimum zero it
/// as they go); `grads` holds each value's gradient buffer, `n_in` model inputs take none.
#[allow(clippy::too_many_arguments)]
pub(crate) fn backward(
    b: &mut Builder,
    ctx: &Ctx,
    op: Merge,
    l: &Node,
    ws: &Workspace,
    grads: &[Option<wgpu::Buffer>],
    (y, g): (&wgpu::Buffer, &wgpu::Buffer),
    (n_in, rows): (usize, usize),
) -> Result<()> {
    let missing = || Error::State("a gradient buffer is missing from the training workspace".into());
    let (w, n_inputs) = (l.output, l.inputs.len());
    let n = rows * w;
    let tmp = ws.grad_tmp.as_ref().ok_or_else(missing)?;
    for (k, &v) in l.inputs.iter().enumerate() {
        let dst = if v >= n_in { Some(grads[v].as_ref().ok_or_else(missing)?) } else { None };
        let acc = l.accumulate[k];
        match (op, dst) {
            (Merge::Maximum | Merge::Minimum, dst) => {
                // A model input still claims its ties, into the scratch buffer.
                let (dx, acc) = match dst {
                    Some(d) => (d, acc),
                    None => (tmp, false),
                };
                let bind = [Some(&ws.acts[v]), Some(y), Some(g), Some(dx)];
                let consts = [("ACCUMULATE", u32::from(acc))];
                b.push(K::MergePick, &consts, &bind, Params::new().u(n), grid_for(ctx, n)?);
            }
            (_, None) => {}
            (Merge::Average | Merge::Subtract, Some(dst)) => scale(b, ctx, g, dst, (n, op.divisor(n_inputs, k)), acc)?,
            (Merge::Multiply, Some(dst)) => {
                // dy × x_j for the other inputs in order: straight into `dst` for two inputs, else through
                // the scratch buffer (then added, or copied, into `dst`).
                let mut others = l.inputs.iter().enumerate().filter(|&(j, _)| j != k).map(|(_, &u)| u);
                let first = others.next().ok_or_else(missing)?;
                let direct = n_inputs == 2;
                let t = if direct { dst } else { tmp };
                let consts = [("OP", PRODUCT), ("ACCUMULATE", u32::from(direct && acc))];
                let p = Params::new().u(n).f(1.0);
                b.push(K::Merge, &consts, &[Some(g), Some(&ws.acts[first]), Some(t)], p, grid_for(ctx, n)?);
                for u in others {
                    let consts = [("OP", fold_op(Merge::Multiply)), ("ACCUMULATE", 0)];
                    let p = Params::new().u(n).f(1.0);
                    b.push(K::Merge, &consts, &[Some(&ws.acts[u]), None, Some(t)], p, grid_for(ctx, n)?);
                }
                if !direct {
                    scale(b, ctx, tmp, dst, (n, 1.0), acc)?;
                }
            }
        }
    }
    Ok(())
}
