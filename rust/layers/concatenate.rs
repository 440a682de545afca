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
    use super::super::gradcheck::{assert_close, dot, numeric, values};
    use super::*;

    #[test]
    fn backward_matches_finite_differences() {
        let (rows, w1, w2) = (4, 3, 2);
        let (x1, x2) = (values(rows * w1, 21, 1.0), values(rows * w2, 22, 1.0));
        let c = values(rows * (w1 + w2), 23, 1.0);
        let run = |x1: &[f32], x2: &[f32]| {
            let mut y = vec![0.0; rows * (w1 + w2)];
            place(x1, w1, &mut y, w1 + w2, 0);
            place(x2, w2, &mut y, w1 + w2, w1);
            y
        };
        let (mut d1, mut d2) = (vec![0.0; rows * w1], vec![7.0; rows * w2]);
        backward(&c, w1 + w2, 0, &mut d1, w1, false);
        backward(&c, w1 + w2, w1, &mut d2, w2, true);
        assert_close(&d1, &numeric(&|x| dot(&c, &run(x, &x2)), &x1), "first input");
        let added: Vec<f64> = numeric(&|x| dot(&c, &run(&x1, x)), &x2).iter().map(|v| v + 7.0).collect();
        assert_close(&d2, &added, "second input, added to what was there");
    }
}
