//! PReLU: `y = x if x > 0 else alpha·x`, with a trainable `alpha` per feature (Keras starts it at zeros: relu).
//! Keras computes `relu(x) − alpha·relu(−x)`, whose gradient TensorFlow takes as 0 at `x = 0`, for `x` and for
//! `alpha` alike; backward turns `dy` into `dx` in place and writes `dalpha = Σ_rows dy·min(x, 0)`.

/// `y = prelu(x)` over rows of `alpha.len()` features.
pub fn forward(alpha: &[f32], x: &[f32], y: &mut [f32]) {
    let w = alpha.len();
    for (xr, yr) in x.chunks_exact(w).zip(y.chunks_exact_mut(w)) {
        for ((y, &x), &a) in yr.iter_mut().zip(xr).zip(alpha) {
            *y = if x > 0.0 { x } else { a * x };
        }
    }
}

/// `dalpha` (when the layer trains) from `g = dL/dy`, then `g` turned into `dL/dx` in place.
pub fn backward(alpha: &[f32], x: &[f32], g: &mut [f32], dalpha: Option<&mut [f32]>) {
    let w = alpha.len();
    if let Some(da) = dalpha {
        da.fill(0.0);
        for (xr, gr) in x.chunks_exact(w).zip(g.chunks_exact(w)) {
            for ((d, &x), &g) in da.iter_mut().zip(xr).zip(gr) {
                if x < 0.0 {
                    *d += g * x;
                }
            }
        }
    }
    for (xr, gr) in x.chunks_exact(w).zip(g.chunks_exact_mut(w)) {
        for ((g, &x), &a) in gr.iter_mut().zip(xr).zip(alpha) {
            *g *= if x > 0.0 {
                1.0
            } else if x < 0.0 {
                a
            } else {
                0.0
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::gradcheck::{assert_close, dot, numeric, values};
    use super::*;

    #[test]
    fn backward_matches_finite_differences() {
        let (rows, width) = (6, 4);
        let x = values(rows * width, 12, 2.0);
        let alpha = values(width, 13, 0.5);
        let c = values(rows * width, 14, 1.0);
        let run = |alpha: &[f32], x: &[f32]| {
            let mut y = vec![0.0; x.len()];
            forward(alpha, x, &mut y);
            dot(&c, &y)
        };
        let (mut g, mut dalpha) = (c.clone(), vec![7.0; width]);
        backward(&alpha, &x, &mut g, Some(&mut dalpha));
        assert_close(&g, &numeric(&|x| run(&alpha, x), &x), "dx");
        assert_close(&dalpha, &numeric(&|a| run(a, &x), &alpha), "dalpha");
        // A frozen layer: the same dx, no alpha gradient.
        let mut frozen = c.clone();
        backward(&alpha, &x, &mut frozen, None);
        assert_eq!(frozen, g);
    }

    #[test]
    fn zero_input_has_zero_gradient_and_alpha_zero_is_relu() {
        let (mut y, mut g, mut da) = ([0.0; 3], [1.0; 3], [0.0; 3]);
        forward(&[0.0, 0.5, 2.0], &[-1.0, -1.0, 0.0], &mut y);
        assert_eq!(y, [0.0, -0.5, 0.0]);
        backward(&[0.0, 0.5, 2.0], &[-1.0, -1.0, 0.0], &mut g, Some(&mut da));
        assert_eq!(g, [0.0, 0.5, 0.0]);
        assert_eq!(da, [-1.0, -1.0, 0.0]);
    }
}
