//! Uploads through the staging ring, writes at offsets, kept read-back buffers, and a predict that uses them all.

use super::{allow_software, close, device, values};
use crate::activation::Activation;
use crate::gpu::GpuModel;
use crate::layer::LayerSpec;

#[test]
fn large_arrays_arrive_whole() {
    let Some((ctx, _)) = device() else { return };
    // Arrays on both sides of one staging buffer's size (a mapping at creation below it, the staging ring
    // above), and a data set's shard of 64 MiB and a bit (not a multiple of a page). All are uploaded before
    // any is read, so the ring's buffers are reused by later arrays while earlier copies may be in flight.
    let chunk = (crate::gpu::staging::CHUNK / 4) as usize;
    let sizes = [chunk - 1, chunk, chunk + 1, 2 * chunk, 3 * chunk + 7, (64 << 20) / 4 + 3085];
    let arrays: Vec<Vec<f32>> =
        sizes.iter().enumerate().map(|(k, &n)| (0..n).map(|i| (i + 31 * k) as f32).collect()).collect();
    let bufs: Vec<_> = arrays.iter().map(|a| ctx.storage_with(a, "test data").unwrap()).collect();
    assert!(!ctx.staging.lock().unwrap().is_empty(), "no array went through the staging ring");
    for (a, b) in arrays.iter().zip(&bufs) {
        let back: Vec<f32> = ctx.read(b, 0, a.len()).unwrap();
        assert!(&back == a, "an uploaded array of {} values differs from what was read back", a.len());
    }
}

#[test]
fn staged_writes_land_at_their_offset_and_read_back_through_a_kept_buffer() {
    let Some((ctx, _)) = device() else { return };
    // A small write (queued) and a large one (through the staging ring, several chunks) into one buffer at
    // offsets that are not chunk-aligned, then the whole buffer read back through a kept read-back buffer.
    let chunk = (crate::gpu::staging::CHUNK / 4) as usize;
    let (small, large) = (1000, 2 * chunk + 5);
    let (at_small, at_large) = (3, 1017);
    let n = at_large + large + 11;
    let buf = ctx.storage_with(&vec![-1.0; n], "test buffer").unwrap();
    let a: Vec<f32> = (0..small).map(|i| i as f32).collect();
    let b: Vec<f32> = (0..large).map(|i| (i as f32) * 0.5 + 7.0).collect();
    ctx.write_staged(&buf, at_small, &a, "test data").unwrap();
    ctx.write_staged(&buf, at_large, &b, "test data").unwrap();
    let mut want = vec![-1.0; n];
    want[at_small..at_small + small].copy_from_slice(&a);
    want[at_large..at_large + large].copy_from_slice(&b);
    let kept = ctx.buffer((n * 4) as u64, wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST, "kept").unwrap();
    for _ in 0..2 {
        // Twice: the kept buffer is unmapped after each read and can take the next copy.
        let mut enc = ctx.encoder();
        enc.copy_buffer_to_buffer(&buf, 0, &kept, 0, Some((n * 4) as u64));
        ctx.submit(enc);
        let mut got = vec![0.0; n];
        ctx.read_kept(&kept, &mut got).unwrap();
        assert!(got == want, "the staged writes did not land where they were written");
    }
}

#[test]
fn a_predict_of_several_chunks_of_wide_rows_matches_the_cpu() {
    // 300 inputs a row: each chunk's inputs (19.7 MB) go through the staging ring, and its outputs through the
    // predict cache's kept read-back buffer, used again by the next chunk and by a shorter last one; twice, so
    // that the second predict reuses the cache.
    let specs = vec![
        LayerSpec::Dense { units: 5, activation: Activation::Relu, use_bias: true, rules: Default::default() },
        LayerSpec::Dense { units: 3, activation: Activation::Linear, use_bias: true, rules: Default::default() },
    ];
    let net = crate::network::Network::new(300, specs, 7).unwrap();
    let g = match GpuModel::new(&net, None, allow_software()) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("SKIP GPU test: {e}");
            return;
        }
    };
    let rows = 2 * crate::gpu::infer::PREDICT_ROWS + 77;
    let mut want = vec![0.0; rows * 3];
    for seed in [5u64, 6] {
        let x = values(rows * 300, seed, 1.0);
        let mut got = vec![f32::NAN; rows * 3];
        g.predict(&x, rows, &mut got, &crate::backend::NEVER).unwrap();
        net.infer(&x, rows, &mut want, &mut crate::infer::Scratch::default(), false).unwrap();
        close(&got, &want, 1e-5, 1e-6, &format!("predict {rows} rows of 300 (seed {seed})"));
    }
}
