//! Rescaling (Keras's `Rescaling`): `y = x·scale + offset` in float32, a product then a sum, as Keras computes
//! it. The scale and the offset each hold one value for every feature, or one per feature. Nothing is trained:
//! the training forward pass is inference, and backward is `dx = dy·scale`.

/// The scale and offset a pass reads, each one value for all features or one per feature.
#[derive(Debug, Clone, Copy)]
pub struct Affine<'a> {
    /// The factor.
    pub scale: &'a [f32],
    /// The term added after it.
    pub offset: &'a [f32],
}

/// Value `j` of `v`, or its only value.
fn at(v: &[f32], j: usize) -> f32 {
    if v.len() == 1 {
        v[0]
    } else {
        v[j]
    }
}

/// Inference and the training forward pass over rows `w` wide.
pub fn forward(a: &Affine<'_>, x: &[f32], y: &mut [f32], w: usize) {
    for (xr, yr) in x.chunks_exact(w).zip(y.chunks_exact_mut(w)) {
        for (j, (&x, y)) in xr.iter().zip(yr.iter_mut()).enumerate() {
            *y = x * at(a.scale, j) + at(a.offset, j);
        }
    }
}

/// Turn `g = dL/dy` into `dL/dx` in place.
pub fn backward(a: &Affine<'_>, g: &mut [f32], w: usize) {
    for gr in g.chunks_exact_mut(w) {
        for (j, g) in gr.iter_mut().enumerate() {
            *g *= at(a.scale, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::gradcheck::{assert_close, dot, numeric, values};
    use super::*;

    #[test]
    fn backward_matches_finite_differences() {
        let (rows, w) = (5, 3);
        let x = values(rows * w, 31, 2.0);
        let c = values(rows * w, 32, 1.0);
        let (scale, offset) = (values(w, 33, 1.5), values(w, 34, 1.0));
        let per_feature = Affine { scale: &scale, offset: &offset };
        let scalar = Affine { scale: &scale[..1], offset: &offset[..1] };
        let mixed = Affine { scale: &scale, offset: &offset[..1] };
        for (a, what) in [(per_feature, "per feature"), (scalar, "scalar"), (mixed, "scale per feature")] {
            let run = |x: &[f32]| {
                let mut y = vec![0.0; x.len()];
                forward(&a, x, &mut y, w);
                y
            };
            let mut g = c.clone();
            backward(&a, &mut g, w);
            assert_close(&g, &numeric(&|x| dot(&c, &run(x)), &x), what);
        }
    }

    #[test]
    fn a_product_then_a_sum_in_float32() {
        // 255·(1/255) rounds to 1 in float32, and (1/127.5)·255 − 1 to 1: the values Keras gives.
        let a = Affine { scale: &[1.0 / 255.0], offset: &[0.0] };
        let mut y = [0.0; 3];
        forward(&a, &[0.0, 127.0, 255.0], &mut y, 3);
        assert_eq!(y, [0.0, 127.0f32 * (1.0 / 255.0), 1.0]);
        let a = Affine { scale: &[1.0 / 127.5], offset: &[-1.0] };
        forward(&a, &[0.0, 127.5, 255.0], &mut y, 3);
        assert_eq!(y, [-1.0, 0.0, 1.0]);
        // One scale and offset per feature.
        let a = Affine { scale: &[2.0, -1.0], offset: &[0.5, 3.0] };
        let mut y = [0.0; 4];
        forward(&a, &[1.0, 1.0, -2.0, 4.0], &mut y, 2);
        assert_eq!(y, [2.5, 2.0, -3.5, -1.0]);
    }

    #[test]
    fn factors_that_do_not_fit_the_width_are_refused() {
        use crate::layer::LayerSpec;
        use crate::network::Network;
        let build = |scale: Vec<f32>, offset: Vec<f32>| Network::new(3, vec![LayerSpec::Rescale { scale, offset }], 1);
        assert!(build(vec![1.0], vec![0.0, 1.0, 2.0]).is_ok());
        for (scale, offset, says) in [
            (vec![1.0, 2.0], vec![0.0], "scale cannot be broadcast to the input's 3 features. Received: 2 values"),
            (vec![1.0], vec![0.0; 4], "offset cannot be broadcast to the input's 3 features. Received: 4 values"),
            (Vec::new(), vec![0.0], "Received: 0 scale values and 1 offset values"),
        ] {
            let err = build(scale, offset).expect_err("refused").to_string();
            assert!(err.contains(says), "{err}");
        }
    }
}
