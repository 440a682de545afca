//! Uploads of large arrays through a few host-visible staging buffers that the device keeps from its first
//! large upload on, instead of a staging buffer as large as the array made and freed for each one.
//!
//! A buffer created mapped (`Ctx::storage_mapped`) is backed by a staging buffer of its own size: for a
//! fit's 258 MB of gpu-large data on an NVIDIA H200, making that host memory took 76 ms of a 120 ms upload
//! (`rbench/uploadbench.rs`). Here each chunk of the array is copied into one of the ring's mapped buffers,
//! unmapped, copied on the device into its place, and the staging buffer asked to map again, which happens
//! once the device has read it; the next chunk fills the other buffer meanwhile. The same upload took 45 ms,
//! bound by the host's copy into the mapping.
//!
//! Read-backs end here too: `read_mapped` maps a `MAP_READ` buffer once the work that fills it is done, for
//! `Ctx::read` (a staging buffer per read) and `read_kept` (a buffer its caller keeps).

use std::sync::mpsc;

use crate::error::{Error, Result};

use super::context::{Ctx, StagingRing};

/// Bytes of each staging buffer: an array larger than one goes through the ring.
pub(crate) const CHUNK: u64 = 8 << 20;
/// Staging buffers in the ring (2 x 8 MiB and 4 x 8 MiB took 44.6 and 42.6 ms for 258 MB on the H200: the
/// smaller ring keeps half the host memory for a difference within that run's noise).
const BUFFERS: usize = 2;
/// Bytes from which `write_staged` goes through the ring.
const RING_WRITE_FROM: usize = 1 << 20;

/// Make the ring's buffers, mapped for their first chunks.
fn make(ctx: &Ctx) -> Result<StagingRing> {
    let usage = wgpu::BufferUsages::MAP_WRITE | wgpu::BufferUsages::COPY_SRC;
    (0..BUFFERS).map(|_| ctx.create(CHUNK, usage, "a staging buffer for uploads", true).map(|b| (b, None))).collect()
}

/// Copy `bytes` into `dst` from byte `at` through `ring`, a chunk at a time, each into the least recently
/// used staging buffer; the device's copies are submitted, not waited for (work submitted later reads `dst`
/// after them).
fn upload(ctx: &Ctx, ring: &mut StagingRing, dst: &wgpu::Buffer, at: u64, bytes: &[u8], what: &str) -> Result<()> {
    let failed = |e: &dyn std::fmt::Display| Error::Backend(format!("cannot upload {what} to {}: {e}", ctx.info.name));
    for (n, part) in bytes.chunks(CHUNK as usize).enumerate() {
        ring.rotate_left(1);
        let Some((buf, pending)) = ring.last_mut() else {
            return Err(failed(&"the staging ring has no buffers"));
        };
        if let Some((after, rx)) = pending.take() {
            // Mapped again once the submission that read its last chunk has run.
            ctx.wait_for(after)?;
            let mapped = loop {
                match rx.try_recv() {
                    Ok(r) => break r.map_err(|e| failed(&e)),
                    Err(mpsc::TryRecvError::Empty) => ctx.wait()?,
                    Err(mpsc::TryRecvError::Disconnected) => {
                        break Err(failed(&"the staging buffer's map was dropped"))
                    }
                }
            };
            mapped?;
        }
        buf.get_mapped_range_mut(..part.len() as u64).map_err(|e| failed(&e))?.copy_from_slice(part);
        buf.unmap();
        let mut enc = ctx.encoder();
        enc.copy_buffer_to_buffer(buf, 0, dst, at + n as u64 * CHUNK, Some(part.len() as u64));
        let after = ctx.submit(enc);
        let (tx, rx) = mpsc::channel();
        buf.map_async(wgpu::MapMode::Write, .., move |r| {
            let _ = tx.send(r);
        });
        *pending = Some((after, rx));
    }
    Ok(())
}

impl Ctx {
    /// A storage buffer holding `data`: through a mapping at its creation when it fits one staging buffer,
    /// else created empty and filled through the device's staging ring.
    pub fn storage_with(&self, data: &[f32], what: &str) -> Result<wgpu::Buffer> {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        if bytes.len() as u64 <= CHUNK {
            return self.storage_mapped(bytes, what);
        }
        let u = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC;
        let dst = self.buffer(bytes.len() as u64, u, what)?;
        self.through_ring(&dst, 0, bytes, what)?;
        Ok(dst)
    }

    /// Write `data` into `buf` from value `at`, ahead of any work submitted after this call: through the
    /// staging ring when it is large (`queue.write_buffer` would make a staging buffer of its size), else
    /// queued by `write`.
    pub fn write_staged(&self, buf: &wgpu::Buffer, at: usize, data: &[f32], what: &str) -> Result<()> {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        if bytes.len() < RING_WRITE_FROM {
            self.write(buf, at, data);
            return Ok(());
        }
        self.through_ring(buf, at as u64 * 4, bytes, what)
    }

    /// `bytes` into `dst` from byte `at` through the staging ring (made at its first use).
    fn through_ring(&self, dst: &wgpu::Buffer, at: u64, bytes: &[u8], what: &str) -> Result<()> {
        let mut ring =
            self.staging.lock().map_err(|_| Error::Backend("the GPU staging buffers were poisoned".into()))?;
        if ring.is_empty() {
            *ring = make(self)?;
        }
        let done = upload(self, &mut ring, dst, at, bytes, what);
        if done.is_err() {
            ring.clear(); // a ring left in an unknown state is made anew by the next upload
        }
        done
    }

    /// The first `out.len()` values of `kept`, a read-back buffer (`MAP_READ | COPY_DST`) that work already
    /// submitted fills: waits for that work, without making a staging buffer as `read` does.
    pub fn read_kept(&self, kept: &wgpu::Buffer, out: &mut [f32]) -> Result<()> {
        if out.is_empty() {
            return Ok(());
        }
        self.read_mapped(kept, (out.len() * 4) as u64, |vals: &[f32]| out.copy_from_slice(vals))
    }

    /// The first `bytes` of `buf`, a `MAP_READ` buffer that work already submitted fills, handed to `take` once
    /// that work is done (the buffer mapped for it and unmapped after).
    pub(super) fn read_mapped<T: bytemuck::Pod>(
        &self,
        buf: &wgpu::Buffer,
        bytes: u64,
        take: impl FnOnce(&[T]),
    ) -> Result<()> {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mapped = bytes.div_ceil(4) * 4; // a map's size is a multiple of 4 bytes
        let (tx, rx) = mpsc::channel();
        buf.map_async(wgpu::MapMode::Read, ..mapped, move |r| {
            let _ = tx.send(r);
        });
        self.wait()?;
        match rx.recv() {
            Ok(Ok(())) => {}
            _ => return Err(Error::Backend(format!("reading results back from {} failed", self.info.name))),
        }
        {
            let view = buf
                .get_mapped_range(..mapped)
                .map_err(|e| Error::Backend(format!("reading results back from {} failed: {e}", self.info.name)))?;
            take(
                bytemuck::try_cast_slice(&view[..bytes as usize])
                    .map_err(|e| Error::Backend(format!("read-back buffer has a bad layout: {e}")))?,
            );
        }
        buf.unmap();
        Ok(())
    }
}
