//! Uploads of large arrays through a few host-visible staging buffers that the device keeps from its first
//! large upload on, instead of a staging buffer as large as the array made and freed for each one.
//!
//! A buffer created mapped (`Ctx::storage_mapped`) is backed by a staging buffer of its own size: for a
//! fit's 258 MB of gpu-large data on an NVIDIA H200, making that host memory took 76 ms of a 120 ms upload
//! (`rbench/uploadbench.rs`). Here each chunk of the array is copied into one of the ring's mapped buffers,
//! unmapped, copied on the device into its place, and the staging buffer asked to map again, which happens
//! once the device has read it; the next chunk fills the other buffer meanwhile. The same upload took 45 ms,
//! bound by the host's copy into the mapping.

use std::sync::mpsc;

use crate::error::{Error, Result};

use super::context::{Ctx, StagingRing};

/// Bytes of each staging buffer: an array larger than one goes through the ring.
pub(crate) const CHUNK: u64 = 8 << 20;
/// Staging buffers in the ring (2 x 8 MiB and 4 x 8 MiB took 44.6 and 42.6 ms for 258 MB on the H200: the
/// smaller ring keeps half the host memory for a difference within that run's noise).
const BUFFERS: usize = 2;

/// Make the ring's buffers, mapped for their first chunks.
fn make(ctx: &Ctx) -> Result<StagingRing> {
    let usage = wgpu::BufferUsages::MAP_WRITE | wgpu::BufferUsages::COPY_SRC;
    (0..BUFFERS).map(|_| ctx.create(CHUNK, usage, "a staging buffer for uploads", true).map(|b| (b, None))).collect()
}

/// Copy `bytes` into `dst` from byte 0 through `ring`, a chunk at a time; the device's copies are queued,
/// not waited for (work submitted later reads `dst` after them).
fn upload(ctx: &Ctx, ring: &mut StagingRing, dst: &wgpu::Buffer, bytes: &[u8], what: &str) -> Result<()> {
    let failed = |e: &dyn std::fmt::Display| Error::Backend(format!("cannot upload {what} to {}: {e}", ctx.info.name));
    for (n, part) in bytes.chunks(CHUNK as usize).enumerate() {
        let (buf, pending) = &mut ring[n % BUFFERS];
        if let Some(rx) = pending.take() {
            // Mapped again once the device has read its last chunk.
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
        enc.copy_buffer_to_buffer(buf, 0, dst, n as u64 * CHUNK, Some(part.len() as u64));
        ctx.submit(enc);
        let (tx, rx) = mpsc::channel();
        buf.map_async(wgpu::MapMode::Write, .., move |r| {
            let _ = tx.send(r);
        });
        *pending = Some(rx);
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
        let mut ring =
            self.staging.lock().map_err(|_| Error::Backend("the GPU staging buffers were poisoned".into()))?;
        if ring.is_empty() {
            *ring = make(self)?;
        }
        if let Err(e) = upload(self, &mut ring, &dst, bytes, what) {
            ring.clear(); // a ring left in an unknown state is made anew by the next upload
            return Err(e);
        }
        Ok(dst)
    }
}
