//! A recorded sequence of kernel dispatches (a training step, an evaluation chunk, a forward pass): the
//! pipelines, bind groups and parameter blocks are made once, then the program is replayed every step with
//! that step's record bound at a dynamic offset.

use crate::error::Result;

use super::context::{Ctx, UNIFORM_ALIGN};
use super::kernels::{Kernels, Key, Params, K, PARAMS_BYTES, STEP_BYTES};

struct Pending {
    key: Key,
    bufs: Vec<Option<wgpu::Buffer>>,
    params: Params,
    grid: [u32; 3],
}

/// Collects dispatches; `build` makes them runnable.
#[derive(Default)]
pub(crate) struct Builder {
    ops: Vec<Pending>,
}

impl Builder {
    /// An empty program.
    pub fn new() -> Self {
        Builder::default()
    }

    /// Append a dispatch of kernel `k` specialised by `consts`, on `bufs` (storage bindings in order; `None`
    /// binds a dummy), with `params`, over `grid` workgroups.
    pub fn push(
        &mut self,
        k: K,
        consts: &[(&'static str, u32)],
        bufs: &[Option<&wgpu::Buffer>],
        params: Params,
        grid: [u32; 3],
    ) {
        self.ops.push(Pending {
            key: (k, consts.to_vec()),
            bufs: bufs.iter().map(|b| b.cloned()).collect(),
            params,
            grid,
        });
    }

    /// Compile (or fetch) the pipelines, upload the parameter blocks and make the bind groups.
    pub fn build(self, ctx: &Ctx, kernels: &Kernels) -> Result<Program> {
        let stride = UNIFORM_ALIGN.max(u64::from(ctx.limits.min_uniform_buffer_offset_alignment));
        let params = if self.ops.is_empty() {
            None
        } else {
            let bytes = stride * self.ops.len() as u64;
            let buf =
                ctx.buffer(bytes, wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST, "kernel parameters")?;
            let words_per = (stride / 4) as usize;
            let mut words = vec![0u32; words_per * self.ops.len()];
            for (i, op) in self.ops.iter().enumerate() {
                words[i * words_per..i * words_per + 16].copy_from_slice(op.params.words());
            }
            ctx.write(&buf, 0, &words);
            Some(buf)
        };
        let mut ops = Vec::with_capacity(self.ops.len());
        let mut uses = Vec::with_capacity(self.ops.len());
        for (i, op) in self.ops.into_iter().enumerate() {
            let pipeline = kernels.pipeline(ctx, &op.key)?;
            let layout = kernels.group0(ctx, op.key.0)?;
            let Some(pbuf) = params.as_ref() else { continue };
            // An absent writable binding gets a stand-in of its own: one shared between dispatches would be a
            // write-after-write hazard between otherwise independent ones (the per-weight optimizer passes).
            let resolved: Vec<(wgpu::Buffer, bool)> = (0..op.key.0.storage_count())
                .map(|j| match op.bufs.get(j).and_then(|b| b.as_ref()) {
                    Some(b) => (b.clone(), false),
                    None if op.key.0.writes(j) => (ctx.dummy(), true),
                    None => (ctx.dummy_read.clone(), true),
                })
                .collect();
            let mut entries = vec![wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: pbuf,
                    offset: i as u64 * stride,
                    size: wgpu::BufferSize::new(PARAMS_BYTES),
                }),
            }];
            for (j, (b, _)) in resolved.iter().enumerate() {
                entries.push(wgpu::BindGroupEntry { binding: j as u32 + 1, resource: b.as_entire_binding() });
            }
            let group = ctx.scoped("bind group", || {
                ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: None,
                    layout: &layout,
                    entries: &entries,
                })
            })?;
            ops.push((pipeline, group, op.grid));
            let bound = resolved.into_iter().enumerate().map(|(j, (buffer, dummy))| Use {
                buffer,
                writes: op.key.0.writes(j),
                dummy,
            });
            uses.push((format!("{:?}", op.key.0), bound.collect()));
        }
        Ok(Program { ops, uses, _params: params })
    }
}

/// A storage buffer one dispatch binds, and how.
pub(crate) struct Use {
    pub buffer: wgpu::Buffer,
    pub writes: bool,
    /// A stand-in for an absent optional binding.
    pub dummy: bool,
}

/// Dispatches ready to record.
pub(crate) struct Program {
    ops: Vec<(wgpu::ComputePipeline, wgpu::BindGroup, [u32; 3])>,
    /// Per dispatch: its kernel's name and the storage buffers it binds (for `profile.rs`).
    pub uses: Vec<(String, Vec<Use>)>,
    _params: Option<wgpu::Buffer>,
}

impl Program {
    /// Record every dispatch into `pass`, with step record `step` (an index into `steps`).
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>, steps: &StepTable, step: usize) {
        let offset = (step as u64 * UNIFORM_ALIGN) as u32;
        for (p, g, grid) in &self.ops {
            pass.set_pipeline(p);
            pass.set_bind_group(0, g, &[]);
            pass.set_bind_group(1, &steps.group, &[offset]);
            pass.dispatch_workgroups(grid[0], grid[1], grid[2]);
        }
    }

    /// Record dispatch `i` alone into `pass` (`profile.rs` times each in its own pass).
    pub fn record_one(&self, pass: &mut wgpu::ComputePass<'_>, steps: &StepTable, step: usize, i: usize) {
        let offset = (step as u64 * UNIFORM_ALIGN) as u32;
        if let Some((p, g, grid)) = self.ops.get(i) {
            pass.set_pipeline(p);
            pass.set_bind_group(0, g, &[]);
            pass.set_bind_group(1, &steps.group, &[offset]);
            pass.dispatch_workgroups(grid[0], grid[1], grid[2]);
        }
    }
}

/// One step's record, as the kernels' `Step` struct reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepRecord {
    /// First row (into the permutation, or the data set) of the batch.
    pub start: u32,
    /// Where the step's loss and metric sums go.
    pub slot: u32,
    /// Adam's step size for this step.
    pub alpha: f32,
    /// The optimizer's step counter (seeds dropout).
    pub iter: u32,
    /// The learning rate for this step (SGD, RMSprop, Nadam and the weight decay read it).
    pub lr: f32,
    /// The loss reduction's factors for this batch (the loss kernel reads them when it is scaled).
    pub scales: crate::loss::Scales,
    /// Nadam's scalars for this step (`NadamStep`'s `m`, `g` and `v`).
    pub nadam: [f32; 3],
}

impl Default for StepRecord {
    fn default() -> Self {
        StepRecord {
            start: 0,
            slot: 0,
            alpha: 0.0,
            iter: 0,
            lr: 0.0,
            scales: crate::loss::Scales::ONE,
            nadam: [0.0; 3],
        }
    }
}

/// Per-step records in a uniform buffer, one per 256 bytes, bound at a dynamic offset.
pub(crate) struct StepTable {
    buf: wgpu::Buffer,
    group: wgpu::BindGroup,
    len: usize,
}

impl StepTable {
    /// Room for `len` records.
    pub fn new(ctx: &Ctx, kernels: &Kernels, len: usize) -> Result<Self> {
        let len = len.max(1);
        if (len as u64).saturating_mul(UNIFORM_ALIGN) > u64::from(u32::MAX) {
            return Err(crate::error::Error::Backend(format!(
                "an epoch of {len} steps is more than the GPU backend records at once (at most {}); use a larger \
                 batch_size",
                u64::from(u32::MAX) / UNIFORM_ALIGN
            )));
        }
        let buf = ctx.buffer(
            UNIFORM_ALIGN * len as u64,
            wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            "the step table",
        )?;
        let group = ctx.scoped("step table", || {
            ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("steps"),
                layout: &kernels.step_layout,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: &buf,
                        offset: 0,
                        size: wgpu::BufferSize::new(STEP_BYTES),
                    }),
                }],
            })
        })?;
        Ok(StepTable { buf, group, len })
    }

    /// Queue a write of `records` from record 0.
    pub fn write(&self, ctx: &Ctx, records: &[StepRecord]) {
        self.write_from(ctx, records, 0);
    }

    /// Queue a write of `records[from..]` into their places.
    pub fn write_from(&self, ctx: &Ctx, records: &[StepRecord], from: usize) {
        let words_per = (UNIFORM_ALIGN / 4) as usize;
        let n = records.len().min(self.len);
        if from >= n {
            return;
        }
        let mut words = vec![0u32; words_per * (n - from)];
        for (w, r) in words.chunks_exact_mut(words_per).zip(&records[from..n]) {
            let [m, g, v] = r.nadam.map(f32::to_bits);
            w[..8].copy_from_slice(&[r.start, r.slot, r.alpha.to_bits(), r.iter, r.lr.to_bits(), m, g, v]);
            w[8..10].copy_from_slice(&[r.scales.grad.to_bits(), r.scales.sum.to_bits()]);
        }
        ctx.write(&self.buf, from * words_per, &words);
    }
}
