//! The compute of each layer kind, one file per kind: inference, the training forward pass and the backward
//! pass side by side, each file with a test of its backward pass against finite differences. The network
//! (network.rs) owns the buffers and walks its graph; these functions see slices.

pub mod activation;
pub mod add;
pub mod batch_norm;
pub mod concatenate;
pub mod dense;
pub mod dropout;
pub mod encode;
pub mod layer_norm;
pub mod merge;
pub mod normalization;
pub mod prelu;
pub mod rescale;

/// A typed index into a network's weight list (`Network::weights`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightId(pub usize);

/// Write `src` into `dst`, or add it when `accumulate` (a value that feeds several layers receives the sum
/// of their gradients).
pub fn store(dst: &mut [f32], src: &[f32], accumulate: bool) {
    if accumulate {
        dst.iter_mut().zip(src).for_each(|(d, &s)| *d += s);
    } else {
        dst.copy_from_slice(src);
    }
}

#[cfg(test)]
pub(crate) mod gradcheck;
