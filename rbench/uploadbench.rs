//! How fast a host array reaches a GPU storage buffer, by three ways of copying it there, each phase timed:
//!
//! - `mapped`: the buffer created mapped, the array copied into the mapping, unmapped, an empty submission
//!   waited for (what `Ctx::storage_with` does: wgpu backs the mapping with a staging buffer of the same size);
//! - `write`: the buffer created, `queue.write_buffer` of the whole array, a submission waited for;
//! - `ring`: a few staging buffers of a fixed size, made once and reused for every upload, each chunk
//!   copied into a mapped one, unmapped, copied on the device into the buffer, and the staging buffer mapped
//!   again as soon as the device is done with it.
//!
//! Every upload is read back once and compared, outside the timing.
//!
//!     cargo run --release --features gpu --example uploadbench -- [MB] [repeats]
//!
//! A software adapter (lavapipe) is used only with KERAS_LITE_ALLOW_SOFTWARE_GPU=1 (to check the bench,
//! not to time anything).

#![allow(clippy::expect_used)]

use std::sync::mpsc;
use std::time::{Duration, Instant};

const USAGE: wgpu::BufferUsages =
    wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_DST).union(wgpu::BufferUsages::COPY_SRC);

struct Gpu {
    device: wgpu::Device,
    queue: wgpu::Queue,
}

impl Gpu {
    fn open() -> Gpu {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
        desc.backends = wgpu::Backends::PRIMARY.with_env();
        let inst = wgpu::Instance::new(desc);
        let soft = std::env::var("KERAS_LITE_ALLOW_SOFTWARE_GPU").is_ok_and(|v| v == "1");
        let adapters = pollster::block_on(inst.enumerate_adapters(wgpu::Backends::all()));
        let adapter = adapters
            .into_iter()
            .find(|a| soft || a.get_info().device_type != wgpu::DeviceType::Cpu)
            .expect("no hardware GPU adapter (KERAS_LITE_ALLOW_SOFTWARE_GPU=1 takes a software one)");
        let info = adapter.get_info();
        println!("adapter: {} ({:?}, {:?}), driver {}", info.name, info.backend, info.device_type, info.driver_info);
        let desc = wgpu::DeviceDescriptor { required_limits: adapter.limits(), ..Default::default() };
        let (device, queue) = pollster::block_on(adapter.request_device(&desc)).expect("request_device");
        Gpu { device, queue }
    }

    fn wait(&self) {
        self.device.poll(wgpu::PollType::wait_indefinitely()).expect("poll");
    }

    fn buffer(&self, bytes: u64, usage: wgpu::BufferUsages, mapped: bool) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: bytes,
            usage,
            mapped_at_creation: mapped,
        })
    }

    fn submit_empty(&self) {
        let enc = self.device.create_command_encoder(&Default::default());
        self.queue.submit([enc.finish()]);
    }

    /// The buffer's first `len` bytes, read back.
    fn read(&self, buf: &wgpu::Buffer, len: u64) -> Vec<u8> {
        let staging = self.buffer(len, wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST, false);
        let mut enc = self.device.create_command_encoder(&Default::default());
        enc.copy_buffer_to_buffer(buf, 0, &staging, 0, Some(len));
        self.queue.submit([enc.finish()]);
        let (tx, rx) = mpsc::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |r| {
            let _ = tx.send(r);
        });
        self.wait();
        rx.recv().expect("map callback").expect("map");
        let v = staging.get_mapped_range(..).expect("mapped range").to_vec();
        staging.unmap();
        v
    }
}

/// Staging buffers of `chunk` bytes, reused by every upload; `mapped[i]` receives when buffer `i` is mapped.
struct Ring {
    chunk: u64,
    bufs: Vec<wgpu::Buffer>,
    ready: Vec<Option<mpsc::Receiver<Result<(), wgpu::BufferAsyncError>>>>,
}

impl Ring {
    fn new(gpu: &Gpu, chunk: u64, count: usize) -> Ring {
        let usage = wgpu::BufferUsages::MAP_WRITE | wgpu::BufferUsages::COPY_SRC;
        let bufs: Vec<_> = (0..count).map(|_| gpu.buffer(chunk, usage, true)).collect();
        Ring { chunk, ready: bufs.iter().map(|_| None).collect(), bufs }
    }

    fn upload(&mut self, gpu: &Gpu, dst: &wgpu::Buffer, data: &[u8]) {
        for (n, part) in data.chunks(self.chunk as usize).enumerate() {
            let i = n % self.bufs.len();
            if let Some(rx) = self.ready[i].take() {
                // Mapped once the device has finished the copy out of it: the wait for the queue runs its callback.
                gpu.wait();
                rx.recv().expect("the staging buffer's map was dropped").expect("the staging buffer's map failed");
            }
            let buf = &self.bufs[i];
            buf.get_mapped_range_mut(..part.len() as u64).expect("mapped").copy_from_slice(part);
            buf.unmap();
            let mut enc = gpu.device.create_command_encoder(&Default::default());
            enc.copy_buffer_to_buffer(buf, 0, dst, (n as u64) * self.chunk, Some(part.len() as u64));
            gpu.queue.submit([enc.finish()]);
            let (tx, rx) = mpsc::channel();
            buf.map_async(wgpu::MapMode::Write, .., move |r| {
                let _ = tx.send(r);
            });
            self.ready[i] = Some(rx);
        }
        gpu.wait();
    }
}

/// One upload, its phases timed (ms): the buffer made (`mapped` or not), `fill` putting the data in, the
/// device's queue drained, the buffer dropped. The first upload of each way (`checked` false) is read back.
fn timed(
    gpu: &Gpu,
    data: &[u8],
    mapped: bool,
    checked: &mut bool,
    fill: &mut dyn FnMut(&wgpu::Buffer),
) -> Vec<(&'static str, f64)> {
    let t = Instant::now();
    let b = gpu.buffer(data.len() as u64, USAGE, mapped);
    let create = ms(t.elapsed());
    let t = Instant::now();
    fill(&b);
    let filled = ms(t.elapsed());
    let t = Instant::now();
    gpu.submit_empty();
    gpu.wait();
    let land = ms(t.elapsed());
    if !*checked {
        assert!(gpu.read(&b, data.len() as u64) == data, "the upload differs from the data");
        *checked = true;
    }
    let t = Instant::now();
    drop(b);
    gpu.submit_empty();
    gpu.wait();
    vec![("create", create), ("fill", filled), ("land", land), ("drop", ms(t.elapsed()))]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Run `f` `repeats` times; each run returns its phases' times (ms); print each phase's median.
fn report(name: &str, mb: f64, repeats: usize, mut f: impl FnMut() -> Vec<(&'static str, f64)>) {
    let runs: Vec<_> = (0..repeats).map(|_| f()).collect();
    let mut line = format!("{name:>18}:");
    let mut total = 0.0;
    for p in 0..runs[0].len() {
        let m = median(runs.iter().map(|r| r[p].1).collect());
        total += m;
        line += &format!("  {} {m:7.1}", runs[0][p].0);
    }
    let upload = median(runs.iter().map(|r| r.iter().map(|p| p.1).sum::<f64>()).collect());
    println!("{line}  | total {total:7.1} ms (median of sums {upload:.1} ms, {:.1} GB/s)", mb / upload);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mb: usize = args.get(1).map_or(258, |s| s.parse().expect("MB"));
    let repeats: usize = args.get(2).map_or(5, |s| s.parse().expect("repeats"));
    let gpu = Gpu::open();
    let bytes = mb << 20;
    let data: Vec<u8> = (0..bytes).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let mbf = bytes as f64 / 1e6;
    println!("{mb} MiB, median of {repeats} (ms)");

    let t = Instant::now();
    let mut host = vec![0u8; bytes];
    host.copy_from_slice(&data);
    let fresh = ms(t.elapsed());
    let t = Instant::now();
    host.copy_from_slice(&data);
    println!("host memcpy: into a fresh Vec {fresh:.1} ms, again {:.1} ms", ms(t.elapsed()));
    drop(host);

    let mut checked = false;
    report("mapped", mbf, repeats, || {
        timed(&gpu, &data, true, &mut checked, &mut |b| {
            b.get_mapped_range_mut(..).expect("mapped").copy_from_slice(&data);
            b.unmap();
        })
    });
    let mut checked = false;
    report("write", mbf, repeats, || {
        timed(&gpu, &data, false, &mut checked, &mut |b| gpu.queue.write_buffer(b, 0, &data))
    });
    for (chunk_mb, count) in [(4, 2), (8, 2), (8, 4), (16, 2), (16, 4), (32, 2), (64, 2)] {
        let mut ring = Ring::new(&gpu, chunk_mb << 20, count);
        let mut checked = false;
        report(&format!("ring {chunk_mb} MiB x{count}"), mbf, repeats, || {
            timed(&gpu, &data, false, &mut checked, &mut |b| ring.upload(&gpu, b, &data))
        });
    }
}
