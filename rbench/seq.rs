//! scratch
#![allow(clippy::unwrap_used)]
use keras_lite::matmul::{matmul, Layout};
use std::time::Instant;
fn main() {
    keras_lite::pool::train(body);
}
fn body() {
    let shapes = [
        (256usize, 32usize, 256usize, Layout::Plain, Layout::Plain),
        (256, 256, 256, Layout::Plain, Layout::Plain),
        (256, 256, 1, Layout::Plain, Layout::Plain),
        (256, 256, 1, Layout::Transposed, Layout::Plain),
        (256, 1, 256, Layout::Plain, Layout::Transposed),
        (256, 256, 256, Layout::Transposed, Layout::Plain),
        (256, 256, 256, Layout::Plain, Layout::Transposed),
        (32, 256, 256, Layout::Transposed, Layout::Plain),
    ];
    let bufs: Vec<(Vec<f32>, Vec<f32>, Vec<f32>)> = shapes
        .iter()
        .map(|&(m, k, n, _, _)| (vec![0.5f32; m * k], vec![0.25f32; k * n], vec![0.0f32; m * n]))
        .collect();
    let mut bufs = bufs;
    let mut tot = vec![0.0f64; shapes.len()];
    for it in 0..300 {
        for (i, &(m, k, n, la, lb)) in shapes.iter().enumerate() {
            let (a, b, c) = &mut bufs[i];
            let t = Instant::now();
            matmul(c, a, la, b, lb, m, k, n, false, true).unwrap();
            if it >= 50 {
                tot[i] += t.elapsed().as_secs_f64();
            }
        }
    }
    for (i, &(m, k, n, la, lb)) in shapes.iter().enumerate() {
        let us = tot[i] / 250.0 * 1e6;
        println!("{m}x{k}x{n} {:?}{:?}: {:.1} us  {:.1} GFLOP/s", la, lb, us, 2.0 * (m * k * n) as f64 / us / 1e3);
    }
    println!("total {:.1} us", tot.iter().sum::<f64>() / 250.0 * 1e6);
}
