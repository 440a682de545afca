//! The WGSL kernels (one file each under `shaders/`), their binding layouts, and a cache of compute
//! pipelines specialised by WGSL `override` constants (activation, loss, transposition, ...).
//!
//! Every kernel binds, in group 0, its parameters as a 64-byte uniform (binding 0) then its storage
//! buffers (bindings 1..); in group 1 the current step's record (start row, output slot, Adam's step size,
//! step counter) as a uniform with a dynamic offset, so one recorded program serves every step.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

use super::context::Ctx;

/// Threads per workgroup of the element-wise kernels.
pub(crate) const WG: u32 = 256;
/// Columns per workgroup of the column-reduction kernels (16 × 16 threads).
pub(crate) const COLS: u32 = 16;
/// Bytes of a kernel's parameter block.
pub(crate) const PARAMS_BYTES: u64 = 64;
/// Bytes of a step record.
pub(crate) const STEP_BYTES: u64 = 48;

/// Shared WGSL: activation functions and their derivatives, numerically careful helpers.
const COMMON: &str = include_str!("shaders/common.wgsl");

/// A kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum K {
    /// The tiled GEMM on 64×64 tiles (gemm.rs chooses among the GEMM family).
    Gemm,
    /// The tiled GEMM on 128×128 tiles.
    GemmWide,
    /// `Gemm` with vec4 loads of both operands.
    GemmVec,
    /// `GemmWide` with vec4 loads of both operands.
    GemmWideVec,
    /// The matrix-vector product, for outputs of one column or row.
    Gemv,
    /// `Gemv` with vec4 loads of the matrix.
    GemvVec,
    /// The split-K reduction.
    GemmReduce,
    ActForward,
    ActBackward,
    Loss,
    Metric,
    ReduceRows,
    Counts,
    ColSum,
    BnStats,
    BnApply,
    BnGradSums,
    BnBackward,
    NormApply,
    NormBackward,
    Prelu,
    Encode,
    LayerNorm,
    Dropout,
    DropoutBackward,
    Gather,
    CopyCols,
    Merge,
    MergePick,
    AllBinary,
    Penalty,
    Constrain,
    Clip,
    Adam,
    Sgd,
    RmsProp,
    Adagrad,
    Adamax,
    Lion,
    Nadam,
    Adadelta,
    Decay,
    /// Every optimizer with its decay over several weights at once (update.rs).
    Update,
}

impl K {
    /// (source, which storage bindings are written, in binding order from 1).
    fn def(self) -> (&'static str, &'static [bool]) {
        const R: bool = false;
        const W: bool = true;
        match self {
            // a, b, bias, aux_z, aux_y, out, pre (the GEMM family: gemm_src.rs writes each one's source)
            K::Gemm | K::GemmWide | K::GemmVec | K::GemmWideVec | K::Gemv | K::GemvVec | K::GemmReduce => {
                ("", &[R, R, R, R, R, W, W])
            }
            // z, y
            K::ActForward => (include_str!("shaders/act_forward.wgsl"), &[R, W]),
            // z, y, g
            K::ActBackward => (include_str!("shaders/act_backward.wgsl"), &[R, R, W]),
            // input, target, grad, rowvals, flag, weights
            K::Loss => (include_str!("shaders/loss.wgsl"), &[R, R, W, W, R, R]),
            // target, flag
            K::AllBinary => (include_str!("shaders/all_binary.wgsl"), &[R, W]),
            // w, out (the step sums, or the gradient)
            K::Penalty => (include_str!("shaders/penalty.wgsl"), &[R, W]),
            // w
            K::Constrain => (include_str!("shaders/constrain.wgsl"), &[W]),
            // g, acc
            K::Clip => (include_str!("shaders/clip.wgsl"), &[W, W]),
            // pred, target, rowvals, weights
            K::Metric => (include_str!("shaders/metric.wgsl"), &[R, R, W, R]),
            // rowvals, sums
            K::ReduceRows => (include_str!("shaders/reduce_rows.wgsl"), &[R, W]),
            // pred, target, weights, aux (thresholds, label weights), sums
            K::Counts => (include_str!("shaders/counts.wgsl"), &[R, R, R, R, W]),
            // g, out, x
            K::ColSum => (include_str!("shaders/colsum.wgsl"), &[R, W, R]),
            // x, mean, inv_std, moving_mean, moving_var
            K::BnStats => (include_str!("shaders/bn_stats.wgsl"), &[R, W, W, W, W]),
            // x, stat_a, stat_b, gamma, beta, xhat, y
            K::BnApply => (include_str!("shaders/bn_apply.wgsl"), &[R, R, R, R, R, W, W]),
            // g, xhat, sum_g, sum_gx, dgamma, dbeta
            K::BnGradSums => (include_str!("shaders/bn_grad_sums.wgsl"), &[R, R, W, W, W, W]),
            // g, xhat, sum_g, sum_gx, gamma, stat
            K::BnBackward => (include_str!("shaders/bn_backward.wgsl"), &[W, R, R, R, R, R]),
            // x, mean, variance, y
            K::NormApply => (include_str!("shaders/norm_apply.wgsl"), &[R, R, R, W]),
            // g, variance
            K::NormBackward => (include_str!("shaders/norm_backward.wgsl"), &[W, R]),
            // x, alpha, out (MODE 0: y; MODE 1: the gradient, turned into the input's in place)
            K::Prelu => (include_str!("shaders/prelu.wgsl"), &[R, R, W]),
            // x, bins, y (ZERO: the input's gradient)
            K::Encode => (include_str!("shaders/encode.wgsl"), &[R, R, W]),
            // x, gamma, beta, stats, out (MODE 0: y; 1, 2: the gradient), dgamma, dbeta
            K::LayerNorm => (include_str!("shaders/layer_norm.wgsl"), &[R, R, R, W, W, W, W]),
            // x, mask, y
            K::Dropout => (include_str!("shaders/dropout.wgsl"), &[R, W, W]),
            // mask, g
            K::DropoutBackward => (include_str!("shaders/dropout_backward.wgsl"), &[R, W]),
            // perm, xs, ys, x_out, y_out
            K::Gather => (include_str!("shaders/gather.wgsl"), &[R, R, R, W, W]),
            // src, dst
            K::CopyCols => (include_str!("shaders/copy_cols.wgsl"), &[R, W]),
            // src, other, dst
            K::Merge => (include_str!("shaders/merge.wgsl"), &[R, R, W]),
            // x, y, g, dx
            K::MergePick => (include_str!("shaders/merge_pick.wgsl"), &[R, R, W, W]),
            // w, g, m, v, vhat
            K::Adam => (include_str!("shaders/adam.wgsl"), &[W, R, W, W, W]),
            // w, g, m
            K::Sgd => (include_str!("shaders/sgd.wgsl"), &[W, R, W]),
            // w, g, v, mom, avg
            K::RmsProp => (include_str!("shaders/rmsprop.wgsl"), &[W, R, W, W, W]),
            // w, g, accumulator
            K::Adagrad => (include_str!("shaders/adagrad.wgsl"), &[W, R, W]),
            // w, g, m, u
            K::Adamax => (include_str!("shaders/adamax.wgsl"), &[W, R, W, W]),
            // w, g, m
            K::Lion => (include_str!("shaders/lion.wgsl"), &[W, R, W]),
            // w, g, m, v
            K::Nadam => (include_str!("shaders/nadam.wgsl"), &[W, R, W, W]),
            // w, g, accumulated gradient, accumulated delta
            K::Adadelta => (include_str!("shaders/adadelta.wgsl"), &[W, R, W, W]),
            // w
            K::Decay => (include_str!("shaders/decay.wgsl"), &[W]),
            // per weight: w, g, a, b, c (the bindings are generated: `fused::fused_prelude`)
            K::Update => (include_str!("shaders/update.wgsl"), &super::fused::FUSED_ACCESS),
        }
    }

    /// A tiled GEMM kernel's (tile, K-slice, vec4 loads): each 256-thread workgroup computes a tile × tile
    /// block of the output, 16 × 16 threads of (tile/16)² values each, over K-slices of `bk` in workgroup memory
    /// (double-buffered: 2 × 2 × bk × tile floats, 16 KiB for both shapes, WebGPU's default limit). The wide tile
    /// holds 8 × 8 accumulators per thread (twice the reuse of each staged value) with shallower slices.
    pub fn tiled(self) -> Option<(u32, u32, bool)> {
        match self {
            K::Gemm => Some((64, 16, false)),
            K::GemmWide => Some((128, 8, false)),
            K::GemmVec => Some((64, 16, true)),
            K::GemmWideVec => Some((128, 8, true)),
            _ => None,
        }
    }

    /// WGSL declarations that go before a kernel's source: the fused update's generated bindings.
    fn prelude(self) -> String {
        if self == K::Update {
            return super::fused::fused_prelude();
        }
        String::new()
    }

    /// The source of a GEMM-family kernel (`None` for the others).
    fn gemm_source(self) -> Option<String> {
        use super::gemm_src;
        match self {
            K::Gemv => Some(gemm_src::gemv(false)),
            K::GemvVec => Some(gemm_src::gemv(true)),
            K::GemmReduce => Some(gemm_src::reduce()),
            _ => self.tiled().map(|(tile, bk, vec)| gemm_src::tiled(tile, bk, vec)),
        }
    }

    /// Number of storage bindings.
    pub fn storage_count(self) -> usize {
        self.def().1.len()
    }

    /// Whether storage binding `i` (0-based, i.e. binding `i + 1`) is written.
    pub fn writes(self, i: usize) -> bool {
        self.def().1.get(i).copied().unwrap_or(false)
    }
}

/// A pipeline's identity: the kernel and its override constants.
pub(crate) type Key = (K, Vec<(&'static str, u32)>);

/// The 16 32-bit parameters of one dispatch, in the order the kernel's `Params` struct declares them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Params {
    vals: [u32; 16],
    len: usize,
}

impl Params {
    /// No parameters yet.
    pub fn new() -> Self {
        Params::default()
    }

    /// Append an unsigned integer.
    pub fn u(mut self, v: usize) -> Self {
        if self.len < 16 {
            self.vals[self.len] = u32::try_from(v).unwrap_or(u32::MAX);
            self.len += 1;
        }
        self
    }

    /// Append a float.
    pub fn f(mut self, v: f32) -> Self {
        if self.len < 16 {
            self.vals[self.len] = v.to_bits();
            self.len += 1;
        }
        self
    }

    /// The raw words.
    pub fn words(&self) -> &[u32; 16] {
        &self.vals
    }
}

struct Layouts {
    group0: wgpu::BindGroupLayout,
    pipeline: wgpu::PipelineLayout,
    module: wgpu::ShaderModule,
}

/// Compiled kernels, shared by every program of one model.
pub(crate) struct Kernels {
    /// Layout of group 1 (the step record).
    pub step_layout: wgpu::BindGroupLayout,
    layouts: Mutex<HashMap<K, Arc<Layouts>>>,
    pipelines: Mutex<HashMap<Key, wgpu::ComputePipeline>>,
    /// Pipelines compiled so far (the tests check that a fit compiles none once its steps run).
    pub created: std::sync::atomic::AtomicUsize,
}

fn uniform_entry(binding: u32, dynamic: bool, size: u64) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: dynamic,
            min_binding_size: wgpu::BufferSize::new(size),
        },
        count: None,
    }
}

fn poisoned() -> Error {
    Error::Backend("the GPU kernel cache was poisoned by an earlier failure".into())
}

impl Kernels {
    /// An empty cache for `ctx`'s device.
    pub fn new(ctx: &Ctx) -> Self {
        let step_layout = ctx.device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("step"),
            entries: &[uniform_entry(0, true, STEP_BYTES)],
        });
        Kernels { step_layout, layouts: Mutex::default(), pipelines: Mutex::default(), created: Default::default() }
    }

    fn layouts(&self, ctx: &Ctx, k: K) -> Result<Arc<Layouts>> {
        if let Some(l) = self.layouts.lock().map_err(|_| poisoned())?.get(&k) {
            return Ok(l.clone());
        }
        let (src, access) = k.def();
        let mut entries = vec![uniform_entry(0, false, PARAMS_BYTES)];
        for (i, &w) in access.iter().enumerate() {
            entries.push(wgpu::BindGroupLayoutEntry {
                binding: i as u32 + 1,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Storage { read_only: !w },
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            });
        }
        let name = format!("{k:?}");
        let l = ctx.scoped(&name, || {
            let group0 = ctx
                .device
                .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: Some(&name), entries: &entries });
            let pipeline = ctx.device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(&name),
                bind_group_layouts: &[Some(&group0), Some(&self.step_layout)],
                immediate_size: 0,
            });
            let module = match k.gemm_source() {
                Some(source) => {
                    let desc = wgpu::ShaderModuleDescriptor {
                        label: Some(&name),
                        source: wgpu::ShaderSource::Wgsl(source.into()),
                    };
                    // SAFETY: without runtime checks a shader must not index out of bounds nor loop forever.
                    // The GEMM family guards every global access with the m, n, k (len) it is given
                    // (gemm.wgsl, gemv.wgsl, gemm_reduce.wgsl say how), gemm.rs checks before recording that
                    // each bound buffer holds what those sizes need, every workgroup index is in range by
                    // construction, and every loop counts up to a bound from the parameters.
                    unsafe { ctx.device.create_shader_module_trusted(desc, wgpu::ShaderRuntimeChecks::unchecked()) }
                }
                None => ctx.device.create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(&name),
                    source: wgpu::ShaderSource::Wgsl(format!("{COMMON}\n{}{src}", k.prelude()).into()),
                }),
            };
            Layouts { group0, pipeline, module }
        })?;
        let l = Arc::new(l);
        self.layouts.lock().map_err(|_| poisoned())?.insert(k, l.clone());
        Ok(l)
    }

    /// The group-0 layout of kernel `k`.
    pub fn group0(&self, ctx: &Ctx, k: K) -> Result<wgpu::BindGroupLayout> {
        Ok(self.layouts(ctx, k)?.group0.clone())
    }

    /// The pipeline for `key`, compiled on first use.
    pub fn pipeline(&self, ctx: &Ctx, key: &Key) -> Result<wgpu::ComputePipeline> {
        if let Some(p) = self.pipelines.lock().map_err(|_| poisoned())?.get(key) {
            return Ok(p.clone());
        }
        let l = self.layouts(ctx, key.0)?;
        let consts: Vec<(&str, f64)> = key.1.iter().map(|&(n, v)| (n, f64::from(v))).collect();
        let name = format!("{:?}{:?}", key.0, key.1);
        let p = ctx.scoped(&name, || {
            ctx.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(&name),
                layout: Some(&l.pipeline),
                module: &l.module,
                entry_point: Some("main"),
                compilation_options: wgpu::PipelineCompilationOptions { constants: &consts, ..Default::default() },
                cache: None,
            })
        })?;
        self.pipelines.lock().map_err(|_| poisoned())?.insert(key.clone(), p.clone());
        self.created.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(p)
    }
}

/// A dispatch grid for `groups` workgroups: one row of up to the adapter's per-dimension limit, more rows
/// when needed. Kernels recover the linear index as `wid.y * num_workgroups.x + wid.x`.
pub(crate) fn grid(ctx: &Ctx, groups: u64) -> Result<[u32; 3]> {
    let max = u64::from(ctx.limits.max_compute_workgroups_per_dimension.max(1));
    let groups = groups.max(1);
    if groups <= max {
        return Ok([groups as u32, 1, 1]);
    }
    let y = groups.div_ceil(max);
    if y > max {
        return Err(Error::Backend(format!(
            "a GPU dispatch of {groups} workgroups exceeds {}'s limits; use a smaller batch_size",
            ctx.info.name
        )));
    }
    Ok([max as u32, y as u32, 1])
}

/// The grid for an element-wise kernel over `n` values.
pub(crate) fn grid_for(ctx: &Ctx, n: usize) -> Result<[u32; 3]> {
    grid(ctx, (n as u64).div_ceil(u64::from(WG)))
}
