//! The device a `GpuModel` runs on: adapter choice, the wgpu device and queue, buffers created with their
//! size checked against the adapter's limits and out-of-memory caught, uploads, read-backs, and wgpu's
//! asynchronous errors turned into `Error::Backend` instead of its default panic.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use wgpu::util::DeviceExt as _;

use crate::error::{Error, Result};

use super::AdapterInfo;

/// Alignment of per-dispatch and per-step uniform records (the largest `min_uniform_buffer_offset_alignment`
/// WebGPU allows).
pub(crate) const UNIFORM_ALIGN: u64 = 256;

/// How a user checks what the machine offers, quoted in errors.
const HOW_TO_CHECK: &str = "Check with `vulkaninfo --summary` (package vulkan-tools) or \
    `keras_lite.config.list_devices()`; a software adapter (Mesa's lavapipe) is used only when \
    KERAS_LITE_ALLOW_SOFTWARE_GPU=1 is set";

fn instance() -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    desc.backends = wgpu::Backends::PRIMARY.with_env();
    wgpu::Instance::new(desc)
}

fn kind_name(t: wgpu::DeviceType) -> &'static str {
    match t {
        wgpu::DeviceType::DiscreteGpu => "discrete",
        wgpu::DeviceType::IntegratedGpu => "integrated",
        wgpu::DeviceType::Cpu => "cpu",
        wgpu::DeviceType::VirtualGpu => "virtual",
        wgpu::DeviceType::Other => "other",
    }
}

fn info_of(a: &wgpu::AdapterInfo) -> AdapterInfo {
    AdapterInfo { name: a.name.clone(), backend: a.backend.to_str().to_string(), kind: kind_name(a.device_type).into() }
}

/// Every adapter wgpu finds on this machine (Vulkan, Metal or DX12), software ones included.
pub(crate) fn enumerate() -> Vec<AdapterInfo> {
    let inst = instance();
    pollster::block_on(inst.enumerate_adapters(wgpu::Backends::all())).iter().map(|a| info_of(&a.get_info())).collect()
}

/// Preference among adapters: discrete, integrated, virtual, other, then (only when allowed) software.
fn rank(t: wgpu::DeviceType, allow_software: bool) -> Option<u8> {
    match t {
        wgpu::DeviceType::DiscreteGpu => Some(0),
        wgpu::DeviceType::IntegratedGpu => Some(1),
        wgpu::DeviceType::VirtualGpu => Some(2),
        wgpu::DeviceType::Other => Some(3),
        wgpu::DeviceType::Cpu => allow_software.then_some(4),
    }
}

/// Staging buffers, least recently used first, each with the submission that last read it and the receiver of
/// the map asked for after it (`staging.rs` uses them).
pub(super) type StagingRing = Vec<(wgpu::Buffer, Option<MapAfter>)>;
/// A submission, and the receiver of a buffer's map that completes once the submission has run.
pub(super) type MapAfter = (wgpu::SubmissionIndex, mpsc::Receiver<std::result::Result<(), wgpu::BufferAsyncError>>);

/// A device with its queue and what is known about its adapter.
pub(crate) struct Ctx {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: AdapterInfo,
    pub limits: wgpu::Limits,
    /// Errors wgpu reported outside any error scope (validation, device loss), oldest first.
    errors: Arc<Mutex<Vec<String>>>,
    /// Bound where a kernel's optional input is absent.
    pub dummy_read: wgpu::Buffer,
    /// Read-backs so far (each a staging buffer, a map and a wait), for the tests.
    pub reads: std::sync::atomic::AtomicUsize,
    /// The staging buffers of large uploads, made at the first one (`staging.rs`).
    pub(super) staging: Mutex<StagingRing>,
    /// A lower storage-binding cap than the adapter's, so tests can exercise the splitting paths.
    #[cfg(test)]
    pub binding_cap: std::sync::atomic::AtomicU64,
}

impl Ctx {
    /// Run `f` inside a validation error scope; a validation error becomes `Error::Backend` naming `what`.
    pub(crate) fn scoped<T>(&self, what: &str, f: impl FnOnce() -> T) -> Result<T> {
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let v = f();
        match pollster::block_on(scope.pop()) {
            None => Ok(v),
            Some(e) => Err(Error::Backend(format!("GPU kernel setup failed ({what}) on {}: {e}", self.info.name))),
        }
    }

    /// Open the best adapter: a hardware one, or a software one when `allow_software`.
    pub fn new(allow_software: bool) -> Result<Ctx> {
        let inst = instance();
        let adapters = pollster::block_on(inst.enumerate_adapters(wgpu::Backends::all()));
        let found: Vec<String> = adapters
            .iter()
            .map(|a| a.get_info())
            .map(|i| format!("{} ({}, {})", i.name, i.backend.to_str(), kind_name(i.device_type)))
            .collect();
        let best = adapters
            .into_iter()
            .filter_map(|a| rank(a.get_info().device_type, allow_software).map(|r| (r, a)))
            .min_by_key(|(r, _)| *r)
            .map(|(_, a)| a);
        let adapter = best.ok_or_else(|| {
            let seen = if found.is_empty() { "none".to_string() } else { found.join(", ") };
            Error::Backend(format!(
                "No GPU adapter is available for device=\"gpu\" (adapters found: {seen}). {HOW_TO_CHECK}."
            ))
        })?;
        let info = info_of(&adapter.get_info());
        let limits = adapter.limits();
        // Timestamp queries, where the adapter has them, let `profile.rs` time each kernel.
        let desc = wgpu::DeviceDescriptor {
            label: Some("keras_lite"),
            required_limits: limits.clone(),
            required_features: adapter.features() & wgpu::Features::TIMESTAMP_QUERY,
            ..Default::default()
        };
        let (device, queue) = pollster::block_on(adapter.request_device(&desc)).map_err(|e| {
            Error::Backend(format!("Could not open the GPU adapter {} ({}): {e}", info.name, info.backend))
        })?;
        let errors: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = errors.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            if let Ok(mut v) = sink.lock() {
                v.push(e.to_string());
            }
        }));
        let sink = errors.clone();
        device.set_device_lost_callback(move |_, msg| {
            if let Ok(mut v) = sink.lock() {
                v.push(format!("the GPU device was lost: {msg}"));
            }
        });
        let mk = |label: &'static str| {
            device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: &[0u8; 16],
                usage: wgpu::BufferUsages::STORAGE,
            })
        };
        let dummy_read = mk("dummy read");
        let ctx = Ctx {
            device,
            queue,
            info,
            limits,
            errors,
            dummy_read,
            reads: Default::default(),
            staging: Mutex::default(),
            #[cfg(test)]
            binding_cap: std::sync::atomic::AtomicU64::new(u64::MAX),
        };
        ctx.check()?;
        Ok(ctx)
    }

    /// A 16-byte storage buffer to bind where a kernel's optional output is absent (each such binding gets
    /// its own: no two writable bindings alias, and no two dispatches share a false write-after-write hazard).
    pub fn dummy(&self) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("stand-in output"),
            size: 16,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        })
    }

    /// Fail with the first error wgpu reported asynchronously since the last check, if any.
    pub fn check(&self) -> Result<()> {
        let mut v = self.errors.lock().map_err(|_| Error::Backend("the GPU error log was poisoned".into()))?;
        if v.is_empty() {
            return Ok(());
        }
        let msg = v.join("; ");
        v.clear();
        Err(Error::Backend(format!("GPU error on {}: {msg}", self.info.name)))
    }

    /// The largest storage binding, in bytes (also capped by the largest buffer).
    pub fn max_binding(&self) -> u64 {
        let m = self.limits.max_storage_buffer_binding_size.min(self.limits.max_buffer_size);
        #[cfg(test)]
        let m = m.min(self.binding_cap.load(std::sync::atomic::Ordering::Relaxed));
        m
    }

    /// A buffer of `bytes` (rounded up to 4, at least 16), or `Error::Backend` if it is larger than the adapter
    /// allows or the device is out of memory. `what` names it in the message.
    pub fn buffer(&self, bytes: u64, usage: wgpu::BufferUsages, what: &str) -> Result<wgpu::Buffer> {
        self.create(bytes, usage, what, false)
    }

    /// `buffer`, mapped for writing when `mapped`.
    pub(super) fn create(
        &self,
        bytes: u64,
        usage: wgpu::BufferUsages,
        what: &str,
        mapped: bool,
    ) -> Result<wgpu::Buffer> {
        let size = bytes.div_ceil(4).max(4) * 4;
        let is_storage = usage.contains(wgpu::BufferUsages::STORAGE);
        let cap = if is_storage { self.max_binding() } else { self.limits.max_buffer_size };
        if size > cap {
            return Err(Error::Backend(format!(
                "{what} needs {} on the GPU but {} ({}) allows at most {} per buffer; use a smaller batch_size \
                 or narrower layers",
                gib(size),
                self.info.name,
                self.info.backend,
                gib(cap)
            )));
        }
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let val = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let buf = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(what),
            size,
            usage,
            mapped_at_creation: mapped,
        });
        let val_err = pollster::block_on(val.pop());
        let oom_err = pollster::block_on(oom.pop());
        if oom_err.is_some() {
            return Err(Error::Backend(format!(
                "GPU out of memory: cannot allocate {what} ({}) on {}; use a smaller batch_size or model",
                gib(size),
                self.info.name
            )));
        }
        if let Some(e) = val_err {
            return Err(Error::Backend(format!("cannot allocate {what} ({}) on {}: {e}", gib(size), self.info.name)));
        }
        Ok(buf)
    }

    /// A storage buffer of `len` f32 (or u32) values that can be copied to and from.
    pub fn storage(&self, len: usize, what: &str) -> Result<wgpu::Buffer> {
        let u = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC;
        self.buffer((len as u64).saturating_mul(4), u, what)
    }

    /// A storage buffer holding `bytes`, copied once into the buffer's mapping at creation (no queued write
    /// holding a second copy until the next submission). `storage_with` takes this way for small arrays.
    pub(super) fn storage_mapped(&self, bytes: &[u8], what: &str) -> Result<wgpu::Buffer> {
        let u = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC;
        let b = self.create(bytes.len() as u64, u, what, true)?;
        {
            let mut view = b
                .get_mapped_range_mut(..)
                .map_err(|e| Error::Backend(format!("cannot fill {what} on {}: {e}", self.info.name)))?;
            view.slice(..bytes.len()).copy_from_slice(bytes);
        }
        b.unmap();
        Ok(b)
    }

    /// Queue a write of `data` at float offset `at` (it lands before the next submission's work).
    pub fn write<T: bytemuck::Pod>(&self, buf: &wgpu::Buffer, at: usize, data: &[T]) {
        if !data.is_empty() {
            self.queue.write_buffer(buf, (at * std::mem::size_of::<T>()) as u64, bytemuck::cast_slice(data));
        }
    }

    /// Submit an encoder's commands.
    pub fn submit(&self, enc: wgpu::CommandEncoder) -> wgpu::SubmissionIndex {
        self.queue.submit([enc.finish()])
    }

    /// A fresh command encoder.
    pub fn encoder(&self) -> wgpu::CommandEncoder {
        self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("keras_lite") })
    }

    /// Block until the queue is idle, then report any asynchronous error.
    pub fn wait(&self) -> Result<()> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::Backend(format!("waiting for the GPU failed: {e}")))?;
        self.check()
    }

    /// Block until submission `idx` is done.
    pub fn wait_for(&self, idx: wgpu::SubmissionIndex) -> Result<()> {
        self.device
            .poll(wgpu::PollType::Wait { submission_index: Some(idx), timeout: None })
            .map_err(|e| Error::Backend(format!("waiting for the GPU failed: {e}")))?;
        self.check()
    }

    /// Copy `len` values starting at value `at` of `buf` back to the host (waits for the queue).
    pub fn read<T: bytemuck::Pod + Default>(&self, buf: &wgpu::Buffer, at: usize, len: usize) -> Result<Vec<T>> {
        let mut out = Vec::new();
        out.try_reserve_exact(len).map_err(|_| Error::Memory(format!("cannot allocate {len} values to read back")))?;
        if len == 0 {
            return Ok(out);
        }
        self.read_into(&[(buf, at, len)], &mut out)?;
        Ok(out)
    }

    /// The first `len` floats of each buffer of `parts`, read back together: one staging buffer, one map and
    /// one wait for all of them (more only when they exceed the largest buffer), in `parts`' order.
    pub fn read_many(&self, parts: &[(&wgpu::Buffer, usize)]) -> Result<Vec<Vec<f32>>> {
        let cap = (self.limits.max_buffer_size / 4).max(1) as usize;
        let mut all: Vec<f32> = Vec::new();
        let (mut from, mut total) = (0, 0);
        for (i, &(_, len)) in parts.iter().enumerate() {
            if total > 0 && total + len > cap {
                let group: Vec<_> = parts[from..i].iter().map(|&(b, l)| (b, 0, l)).collect();
                self.read_into(&group, &mut all)?;
                (from, total) = (i, 0);
            }
            total += len;
        }
        let group: Vec<_> = parts[from..].iter().map(|&(b, l)| (b, 0, l)).collect();
        self.read_into(&group, &mut all)?;
        let mut at = 0;
        Ok(parts
            .iter()
            .map(|&(_, len)| {
                at += len;
                all[at - len..at].to_vec()
            })
            .collect())
    }

    /// Append `len` values from value `at` of each `(buffer, at, len)` to `out`, through one staging buffer.
    fn read_into<T: bytemuck::Pod + Default>(
        &self,
        parts: &[(&wgpu::Buffer, usize, usize)],
        out: &mut Vec<T>,
    ) -> Result<()> {
        let sz = std::mem::size_of::<T>() as u64;
        let bytes = parts.iter().map(|p| p.2 as u64 * sz).sum::<u64>();
        if bytes == 0 {
            return Ok(());
        }
        let n = (bytes / sz) as usize;
        out.try_reserve(n).map_err(|_| Error::Memory(format!("cannot allocate {n} values to read back")))?;
        let staging =
            self.buffer(bytes, wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST, "a read-back buffer")?;
        let mut enc = self.encoder();
        let mut dst = 0;
        for &(buf, at, len) in parts {
            let b = len as u64 * sz;
            if b > 0 {
                enc.copy_buffer_to_buffer(buf, at as u64 * sz, &staging, dst, Some(b));
            }
            dst += b;
        }
        self.submit(enc);
        self.read_mapped(&staging, bytes, |vals: &[T]| out.extend_from_slice(vals))
    }
}

/// A size in GiB (or MiB below 1 GiB) for messages.
pub(crate) fn gib(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= (1u64 << 30) as f64 {
        format!("{:.2} GiB", b / (1u64 << 30) as f64)
    } else {
        format!("{:.1} MiB", b / (1u64 << 20) as f64)
    }
}
