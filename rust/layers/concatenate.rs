//! Concatenate: the inputs side by side along the feature axis, `y[:, o_k..o_k + w_k] = x_k`. Backward hands
//! each input its columns of `dy`.

/// Copy `src` (`rows × w`) into columns `offset..offset + w` of `dst` (`rows × dst_width`).
pub fn place(src: &[f32], w: usize, dst: &mut [f32], dst_width: usize, offset: usize) {
    for (s, d) in src.chunks_exact(w).zip(dst.chunks_exact_mut(dst_width)) {
        d[offset..offset + w].copy_from_slice(s);
    }
}

/// Write (or with `accumulate`, add) columns `offset..offset + w` of `g` (`rows × width`) into `dx`
/// (`rows × w`).
pub fn backward(g: &[f32], width: usize, offset: usize, dx: &mut [f32], w: usize, accumulate: bool) {
    for (gr, dr) in g.chunks_exact(width).zip(dx.chunks_exact_mut(w)) {
        super::store(dr, &gr[offset..offset + w], accumulate);
    }
}

#[cfg(test)]
mod tests {
    use super::super::check_gradients;
    use crate::activation::Activation;
    use crate::layer::LayerSpec;

    #[test]
    fn backward_matches_finite_differences() {
        // Two inputs of different widths, joined, then a Dense that mixes every column.
        let dense = LayerSpec::Dense { units: 2, activation: Activation::Tanh, use_bias: true };
        check_gradients(&[3, 2], vec![(LayerSpec::Concatenate, vec![0, 1]), (dense, vec![2])], 6);
    }

    #[test]
    fn the_same_input_twice_gets_both_gradients() {
        let dense = LayerSpec::Dense { units: 2, activation: Activation::Tanh, use_bias: false };
        check_gradients(&[3], vec![(LayerSpec::Concatenate, vec![0, 0]), (dense, vec![1])], 4);
    }
}
