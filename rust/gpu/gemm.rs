//! Choosing and recording the kernels of one matrix product `out = epilogue(op(A)·op(B))` (M×K by K×N):
//! the tiled GEMM on 64×64 or 128×128 tiles, with vec4 loads where the operands allow, the matrix-vector
//! kernel for one-column (or one-row) outputs, and split-K over the depth (the batch, for a weight gradient)
//! into a scratch buffer followed by a fixed-order reduction.
//!
//! The choice rule, in order (the reasons: a large GPU has on the order of 100-150 compute units and wants
//! about two 256-thread workgroups on each to hide latency, i.e. `TARGET_GROUPS`; a workgroup's partial
//! output costs a write and a read of its tile, so each split part keeps a good depth):
//! 1. N = 1 or M = 1: the matrix-vector kernel. A tile would leave 63 of 64 columns idle, and the product is
//!    bound by reading the matrix once, which the kernel does with coalesced (vec4) loads.
//! 2. Both sides ≥ 128 and at least `WIDE_MIN_TILES` wide tiles: the wide tile, no split (enough workgroups
//!    as it is; the wide tile does twice the arithmetic per staged value).
//! 3. Split allowed (a weight gradient, whose depth is the batch), both sides ≥ 128, and wide tiles × at most
//!    `MAX_WIDE_SPLIT` parts reach `TARGET_GROUPS`: the wide tile split that many ways (gpu-large's 1024×1024
//!    weight gradient over 4096 rows: 64 tiles × 4 parts of 1024 rows).
//! 4. Otherwise the 64×64 tile, split (when allowed) up to `MAX_SPLIT` ways to reach `TARGET_GROUPS`, each
//!    part at least `MIN_SPLIT_DEPTH` deep (gpu-large's 64×1024 first-layer gradient: 16 tiles × 16 parts).
//!
//! A product whose depth is too short to split runs unsplit, so small models record exactly the dispatches
//! they did before. Splitting is monotone in the depth, so the scratch sized for the largest batch serves
//! the last, shorter one.

use crate::error::{Error, Result};

use super::context::Ctx;
use super::kernels::{grid, Params, K};
use super::program::Builder;

/// Workgroups that fill a large GPU (about two per compute unit of a 132-unit H100/H200).
const TARGET_GROUPS: usize = 256;
/// Wide tiles that fill a GPU without splitting.
const WIDE_MIN_TILES: usize = 128;
/// The fewest depths per split part of the tiled kernel, and of the matrix-vector kernel.
const MIN_SPLIT_DEPTH: usize = 256;
const MIN_SPLIT_DEPTH_GEMV: usize = 64;
/// The most parts: of a wide-tiled product, a 64×64-tiled one, a matrix-vector one.
const MAX_WIDE_SPLIT: usize = 4;
const MAX_SPLIT: usize = 16;
const MAX_SPLIT_GEMV: usize = 64;
/// The most partial values a product may write (32 MiB of scratch).
const MAX_SCRATCH: usize = 1 << 23;
/// Outputs per workgroup of the matrix-vector kernel: by rows of the matrix, by columns.
const GEMV_ROWS: usize = 8;
const GEMV_COLS: usize = 256;

/// Which kernel computes a product, and in how many split-K parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Choice {
    /// `K::Gemm`, `K::GemmWide`, their `Vec` forms, `K::Gemv` or `K::GemvVec`.
    pub kernel: K,
    /// Parts of the depth, each written to the scratch buffer and summed by `K::GemmReduce` (1: none).
    pub split: usize,
}

/// Parts for `groups` workgroups over depth `k`: enough to reach `TARGET_GROUPS`, within the limits.
fn parts(groups: usize, k: usize, min_depth: usize, max: usize, len: usize) -> usize {
    if groups >= TARGET_GROUPS {
        return 1;
    }
    let want = TARGET_GROUPS.div_ceil(groups.max(1));
    want.min(k / min_depth).min(max).min(MAX_SCRATCH / len.max(1)).max(1)
}

/// The matrix-vector form of a product with N = 1 or M = 1: (outputs, whether the matrix is stored with the
/// outputs contiguous, whether the matrix is B).
fn gemv_form(m: usize, n: usize, ta: bool, tb: bool) -> Option<(usize, bool, bool)> {
    if n == 1 {
        Some((m, ta, false))
    } else if m == 1 {
        Some((n, !tb, true))
    } else {
        None
    }
}

/// Whether the tiled kernel may load both operands as vec4s: each one's contiguous dimension (A's rows, or
/// columns when transposed; B's columns, or rows when transposed) a multiple of 4.
fn vec4_ok(m: usize, n: usize, k: usize, (ta, tb): (bool, bool)) -> bool {
    (if ta { m } else { k }).is_multiple_of(4) && (if tb { k } else { n }).is_multiple_of(4)
}

/// The kernel and split for an m × n output over depth k (`split_ok`: a scratch buffer is at hand).
pub(crate) fn choose(m: usize, n: usize, k: usize, (ta, tb): (bool, bool), split_ok: bool) -> Choice {
    let unsplit = |kernel| Choice { kernel, split: 1 };
    if let Some((len, col, _)) = gemv_form(m, n, ta, tb) {
        let vec = if col { len.is_multiple_of(4) } else { k.is_multiple_of(4) };
        let kernel = if vec { K::GemvVec } else { K::Gemv };
        let groups = len.div_ceil(if col { GEMV_COLS } else { GEMV_ROWS });
        let split = if split_ok { parts(groups, k, MIN_SPLIT_DEPTH_GEMV, MAX_SPLIT_GEMV, len) } else { 1 };
        return Choice { kernel, split };
    }
    let vec = vec4_ok(m, n, k, (ta, tb));
    let (small, wide) = if vec { (K::GemmVec, K::GemmWideVec) } else { (K::Gemm, K::GemmWide) };
    let tiles = |t: usize| m.div_ceil(t) * n.div_ceil(t);
    let wide_ok = m >= 128 && n >= 128;
    if wide_ok && tiles(128) >= WIDE_MIN_TILES {
        return unsplit(wide);
    }
    if !split_ok {
        return unsplit(small);
    }
    let wide_split = parts(tiles(128), k, MIN_SPLIT_DEPTH, MAX_WIDE_SPLIT, m * n);
    if wide_ok && tiles(128) * wide_split >= TARGET_GROUPS {
        return Choice { kernel: wide, split: wide_split };
    }
    Choice { kernel: small, split: parts(tiles(64), k, MIN_SPLIT_DEPTH, MAX_SPLIT, m * n) }
}

/// Floats of split-K scratch the weight gradients of Dense layers of `shapes` (input, output width) need
/// over batches of up to `rows` rows: the kernel's, `xᵀ·g`, and the bias's, `bias_grad`'s `gᵀ·1`.
pub(crate) fn scratch_len(shapes: impl Iterator<Item = (usize, usize)>, rows: usize) -> usize {
    let need = |m: usize, n: usize, ta: bool| {
        let c = choose(m, n, rows, (ta, false), true);
        if c.split > 1 {
            c.split * m * n
        } else {
            0
        }
    };
    shapes.map(|(win, wout)| need(win, wout, true).max(need(wout, 1, wout != 1))).max().unwrap_or(0)
}

/// Record a Dense bias gradient, the column sums `db = gᵀ·1` of `g` (`rows × width`), as a matrix-vector
/// product with `ones` (at least `rows` ones): split over the rows into `scratch`, it keeps the whole device
/// busy, where one workgroup per column tile left most of it idle (and a one-unit layer one workgroup).
/// A one-column `g` is read as the single row it also is, the form whose loads are contiguous.
pub(crate) fn bias_grad(
    b: &mut Builder,
    ctx: &Ctx,
    (g, ones, db): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    (rows, width): (usize, usize),
    scratch: Option<&wgpu::Buffer>,
) -> Result<Choice> {
    Gemm::plain((g, width != 1), (ones, false), db, (width, 1, rows)).record(b, ctx, scratch)
}

/// One product and its epilogue.
pub(crate) struct Gemm<'a> {
    /// A and whether it is stored transposed (K×M).
    pub a: (&'a wgpu::Buffer, bool),
    /// B and whether it is stored transposed (N×K).
    pub b: (&'a wgpu::Buffer, bool),
    /// (m, n, k).
    pub mnk: (usize, usize, usize),
    pub out: &'a wgpu::Buffer,
    /// Forward epilogue: the bias added, the pre-activation kept.
    pub bias: Option<&'a wgpu::Buffer>,
    pub pre: Option<&'a wgpu::Buffer>,
    /// Backward epilogue: the product times the activation derivative at (z, y).
    pub grad_of: Option<(&'a wgpu::Buffer, &'a wgpu::Buffer)>,
    /// The activation (id, parameter): applied (forward) or differentiated (backward).
    pub act: (u32, f32),
}

fn too_small(what: &str, buf: &wgpu::Buffer, need: usize) -> Result<()> {
    if buf.size() < need as u64 * 4 {
        return Err(Error::State(format!(
            "a GPU matrix product's {what} holds {} bytes, needs {need} floats",
            buf.size()
        )));
    }
    Ok(())
}

impl Gemm<'_> {
    /// A product without an epilogue: `out = op(A)·op(B)`.
    pub fn plain<'a>(
        a: (&'a wgpu::Buffer, bool),
        b: (&'a wgpu::Buffer, bool),
        out: &'a wgpu::Buffer,
        mnk: (usize, usize, usize),
    ) -> Gemm<'a> {
        Gemm { a, b, mnk, out, bias: None, pre: None, grad_of: None, act: (0, 0.0) }
    }

    /// Record the product with the kernel `choose` picks; `scratch` (when given) allows split-K.
    pub fn record(&self, b: &mut Builder, ctx: &Ctx, scratch: Option<&wgpu::Buffer>) -> Result<Choice> {
        let (m, n, k) = self.mnk;
        let c = choose(m, n, k, (self.a.1, self.b.1), scratch.is_some_and(|s| s.size() > 0));
        self.record_with(b, ctx, c, scratch)?;
        Ok(c)
    }

    /// Record the product with kernel and split `c`. The unchecked kernels rely on what is checked here:
    /// each buffer holds what (m, n, k) need, vec4 kernels get operands whose contiguous dimension is a
    /// multiple of 4, the scratch holds every part.
    pub fn record_with(&self, b: &mut Builder, ctx: &Ctx, c: Choice, scratch: Option<&wgpu::Buffer>) -> Result<()> {
        let (m, n, k) = self.mnk;
        let ((a, ta), (bm, tb)) = (self.a, self.b);
        let (len, n_out) = (m * n, n);
        too_small("A", a, m * k)?;
        too_small("B", bm, k * n)?;
        too_small("output", self.out, len)?;
        for (what, buf, need) in [("bias", self.bias, n), ("pre-activation", self.pre, len)] {
            buf.map_or(Ok(()), |buf| too_small(what, buf, need))?;
        }
        if let Some((z, y)) = self.grad_of {
            too_small("activation", z, len)?;
            too_small("activation", y, len)?;
        }
        let gemv = gemv_form(m, n, ta, tb);
        let wrong =
            |why: &str| Err(Error::State(format!("{:?} cannot compute a {m}x{k} by {k}x{n} product: {why}", c.kernel)));
        let vec_ok = match (c.kernel, gemv) {
            (K::Gemv | K::GemvVec, Some((len, col, _))) => {
                !matches!(c.kernel, K::GemvVec) || (if col { len } else { k }).is_multiple_of(4)
            }
            (K::Gemv | K::GemvVec, None) => return wrong("neither side is 1"),
            (kernel, _) => match kernel.tiled() {
                Some((_, _, true)) => vec4_ok(m, n, k, (ta, tb)),
                Some(_) => true,
                None => return wrong("not a product kernel"),
            },
        };
        if !vec_ok {
            return wrong("an operand's rows are not a multiple of 4 floats");
        }
        // Depth per part: a whole number of the kernel's K-slices (or vec4s), every part non-empty.
        let granule = c.kernel.tiled().map_or(4, |(_, bk, _)| bk as usize);
        let kc = k.div_ceil(c.split.max(1)).div_ceil(granule).max(1) * granule;
        let split = k.div_ceil(kc).max(1);
        let target = if split > 1 {
            let s = scratch.ok_or_else(|| Error::State("a split-K product needs its scratch buffer".into()))?;
            too_small("scratch", s, split * len)?;
            s
        } else {
            self.out
        };
        let epi = if split > 1 {
            2
        } else if self.grad_of.is_some() {
            1
        } else {
            0
        };
        let own = |epi| {
            let (bias, pre) =
                if epi == 2 { (0, 0) } else { (u32::from(self.bias.is_some()), u32::from(self.pre.is_some())) };
            let act = if epi == 2 { 0 } else { self.act.0 };
            [("BIAS", bias), ("STORE_PRE", pre), ("ACT", act), ("EPI", epi)]
        };
        let (z, y) = (self.grad_of.map(|g| g.0), self.grad_of.map(|g| g.1));
        let (bias, pre) = if split > 1 { (None, None) } else { (self.bias, self.pre) };
        let (aux_z, aux_y) = if split > 1 { (None, None) } else { (z, y) };
        let max = u64::from(ctx.limits.max_compute_workgroups_per_dimension);
        let p = self.act.1;
        match gemv {
            Some((len, col, swap)) if matches!(c.kernel, K::Gemv | K::GemvVec) => {
                let (mat, v) = if swap { (bm, a) } else { (a, bm) };
                let groups = len.div_ceil(if col { GEMV_COLS } else { GEMV_ROWS });
                let mut g = grid(ctx, groups as u64)?;
                g[2] = split as u32;
                let mut consts = vec![("COL", u32::from(col))];
                consts.extend(own(epi));
                let params = Params::new().u(len).u(k).u(n_out).f(p).u(kc);
                b.push(c.kernel, &consts, &[Some(mat), Some(v), bias, aux_z, aux_y, Some(target), pre], params, g);
            }
            _ => {
                let t = c.kernel.tiled().map_or(64, |s| s.0) as u64;
                let tiles = [(n as u64).div_ceil(t).max(1), (m as u64).div_ceil(t).max(1)];
                if tiles[0] > max || tiles[1] > max || split as u64 > max {
                    return Err(Error::Backend(format!(
                        "a matrix product of {} x {} tiles exceeds {}'s workgroup limit ({max}); use a smaller batch_size",
                        tiles[1], tiles[0], ctx.info.name
                    )));
                }
                let mut consts = vec![("TRANS_A", u32::from(ta)), ("TRANS_B", u32::from(tb))];
                consts.extend(own(epi));
                let params = Params::new().u(m).u(n).u(k).f(p).u(kc);
                let g = [tiles[0] as u32, tiles[1] as u32, split as u32];
                b.push(c.kernel, &consts, &[Some(a), Some(bm), bias, aux_z, aux_y, Some(target), pre], params, g);
            }
        }
        if split > 1 {
            let mut consts = vec![];
            consts.extend(own(if self.grad_of.is_some() { 1 } else { 0 }));
            let params = Params::new().u(len).u(n_out).u(split).f(p);
            let bind = [Some(target), None, self.bias, z, y, Some(self.out), self.pre];
            b.push(K::GemmReduce, &consts, &bind, params, super::kernels::grid_for(ctx, len)?);
        }
        Ok(())
    }
}
