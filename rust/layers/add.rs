//! Add: `y = Σ_k x_k` over inputs of one width. Backward hands every input `dy`.

/// Add input `x` into `y`; the first input (`first`) is written, the others added, so `y = Σ inputs`.
pub fn forward(x: &[f32], y: &mut [f32], first: bool) {
    super::store(y, x, !first);
}

/// Every input's gradient is `dy`: write it into (or with `accumulate`, add it to) `dx`.
pub fn backward(g: &[f32], dx: &mut [f32], accumulate: bool) {
    super::store(dx, g, accumulate);
}

#[cfg(test)]
mod tests {
    use super::super::gradcheck::{assert_close, dot, numeric, values};
    use super::*;

    #[test]
    fn backward_matches_finite_differences() {
        let n = 12;
        let (x1, x2, c) = (values(n, 24, 1.0), values(n, 25, 1.0), values(n, 26, 1.0));
        let run = |x1: &[f32], x2: &[f32]| {
            let mut y = vec![0.0; n];
            forward(x1, &mut y, true);
            forward(x2, &mut y, false);
            y
        };
        let (mut d1, mut d2) = (vec![0.0; n], vec![-3.0; n]);
        backward(&c, &mut d1, false);
        backward(&c, &mut d2, true);
        assert_close(&d1, &numeric(&|x| dot(&c, &run(x, &x2)), &x1), "first input");
        let added: Vec<f64> = numeric(&|x| dot(&c, &run(&x1, x)), &x2).iter().map(|v| v - 3.0).collect();
        assert_close(&d2, &added, "second input, added to what was there");
    }
}
