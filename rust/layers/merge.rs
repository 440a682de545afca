//! Keras 3's element-wise merge layers besides Add, over inputs of one width: Average, Subtract (exactly two
//! inputs, `a − b`), Multiply, Maximum and Minimum. Like Keras, the forward pass folds the inputs pairwise in
//! order, `y = op(…op(op(x_0, x_1), x_2)…, x_{n−1})` (Average: the sum, then `/ n`).
//!
//! Backward, per input `k`: Average `dy / n`; Subtract `dy` and `−dy`; Multiply `dy × Π_{j≠k} x_j`, a product
//! (no division, so zeros are safe); Maximum and Minimum hand each element's `dy` to one input, the first
//! that holds the result. That is Keras on TensorFlow: `tf.maximum(x, y)` sends the gradient to `x` where
//! `x >= y` (`tf.minimum`: where `x <= y`), and the layer folds its inputs in order, so on a tie the earliest
//! input wins (checked against Keras 3.15.1: `Maximum()([a, b, c])` with `a = b = max` gives `a` all of it).
//! It is computed by claiming: input `k`, in order, takes `dy` where `x_k == y` and zeroes it there, so later
//! inputs that tie get nothing. `y` is one of the inputs exactly, so the comparison is exact, except where it
//! is NaN: no input claims it and every input's gradient there is 0 (TensorFlow's goes to one input; the loss
//! is NaN either way). The GPU's kernel does the same.

/// Which element-wise merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    Average,
    Subtract,
    Multiply,
    Maximum,
    Minimum,
}

impl Merge {
    /// Keras's class name.
    pub fn class_name(self) -> &'static str {
        match self {
            Merge::Average => "Average",
            Merge::Subtract => "Subtract",
            Merge::Multiply => "Multiply",
            Merge::Maximum => "Maximum",
            Merge::Minimum => "Minimum",
        }
    }

    /// The merge a layer description names (`average`, `subtract`, `multiply`, `maximum`, `minimum`).
    pub fn from_kind(kind: &str) -> Option<Merge> {
        Some(match kind {
            "average" => Merge::Average,
            "subtract" => Merge::Subtract,
            "multiply" => Merge::Multiply,
            "maximum" => Merge::Maximum,
            "minimum" => Merge::Minimum,
            _ => return None,
        })
    }

    /// The pairwise step of the forward fold.
    fn pair(self, a: f32, b: f32) -> f32 {
        match self {
            Merge::Average => a + b,
            Merge::Subtract => a - b,
            Merge::Multiply => a * b,
            // A NaN on either side is the result, as TensorFlow's maximum and minimum give it (Rust's max and
            // min, like C's fmax, return the other number).
            Merge::Maximum | Merge::Minimum if a.is_nan() || b.is_nan() => a + b,
            Merge::Maximum => a.max(b),
            Merge::Minimum => a.min(b),
        }
    }

    /// The number the output is divided by at the end of the fold (Average: the input count), and what
    /// Average's and Subtract's backward divide `dy` by for input `k` (Subtract's second input: −1).
    pub fn divisor(self, n: usize, k: usize) -> f32 {
        match self {
            Merge::Average => n as f32,
            Merge::Subtract if k == 1 => -1.0,
            _ => 1.0,
        }
    }
}

/// The merge of `n` inputs (`input(k)`, each as long as `y`) into `y`.
pub fn forward<'a>(op: Merge, n: usize, input: &dyn Fn(usize) -> &'a [f32], y: &mut [f32]) {
    y.copy_from_slice(input(0));
    for k in 1..n {
        y.iter_mut().zip(input(k)).for_each(|(a, &b)| *a = op.pair(*a, b));
    }
    if op == Merge::Average {
        let d = op.divisor(n, 0);
        y.iter_mut().for_each(|a| *a /= d);
    }
}

/// Elements per stack chunk of Multiply's backward.
const CHUNK: usize = 64;

/// Input `k`'s gradient into `dx` (written, or added with `accumulate`), given the output `y` and its gradient
/// `g`. Call it for every input in order, `k = 0, 1, …`, `dx` `None` for an input that takes no gradient (a
/// model input): Maximum and Minimum zero the elements of `g` that input `k` claims.
#[allow(clippy::too_many_arguments)]
pub fn backward<'a>(
    op: Merge,
    n: usize,
    k: usize,
    input: &dyn Fn(usize) -> &'a [f32],
    y: &[f32],
    g: &mut [f32],
    dx: Option<&mut [f32]>,
    accumulate: bool,
) {
    let put = |d: &mut f32, v: f32| if accumulate { *d += v } else { *d = v };
    match (op, dx) {
        (Merge::Maximum | Merge::Minimum, dx) => {
            let x = input(k);
            let mut dx = dx;
            for (e, gv) in g.iter_mut().enumerate() {
                let v = if x[e] == y[e] { std::mem::take(gv) } else { 0.0 };
                if let Some(dx) = dx.as_deref_mut() {
                    put(&mut dx[e], v);
                }
            }
        }
        (_, None) => {}
        (Merge::Average | Merge::Subtract, Some(dx)) => {
            let d = op.divisor(n, k);
            dx.iter_mut().zip(g.iter()).for_each(|(d0, &gv)| put(d0, gv / d));
        }
        (Merge::Multiply, Some(dx)) => {
            // `dy × x_j` for each other input in order, a stack chunk at a time.
            let mut buf = [0.0f32; CHUNK];
            for start in (0..g.len()).step_by(CHUNK) {
                let end = (start + CHUNK).min(g.len());
                let t = &mut buf[..end - start];
                t.copy_from_slice(&g[start..end]);
                for j in (0..n).filter(|&j| j != k) {
                    t.iter_mut().zip(&input(j)[start..end]).for_each(|(a, &b)| *a *= b);
                }
                dx[start..end].iter_mut().zip(t.iter()).for_each(|(d0, &v)| put(d0, v));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::gradcheck::{assert_close, dot, numeric, values};
    use super::*;

    /// The merge of `xs` by `op`.
    fn run(op: Merge, xs: &[Vec<f32>]) -> Vec<f32> {
        let mut y = vec![0.0; xs[0].len()];
        forward(op, xs.len(), &|k| &xs[k], &mut y);
        y
    }

    /// Every input's gradient of `Σ c·y`, the second one added to 2.0 already there.
    fn grads(op: Merge, xs: &[Vec<f32>], c: &[f32]) -> Vec<Vec<f32>> {
        let y = run(op, xs);
        let mut g = c.to_vec();
        let mut out: Vec<Vec<f32>> = (0..xs.len()).map(|k| vec![if k == 1 { 2.0 } else { 0.0 }; c.len()]).collect();
        for (k, dx) in out.iter_mut().enumerate() {
            backward(op, xs.len(), k, &|j| &xs[j], &y, &mut g, Some(dx), k == 1);
        }
        out
    }

    #[test]
    fn backward_matches_finite_differences() {
        let len = 15;
        let c = values(len, 50, 1.0);
        for op in [Merge::Average, Merge::Subtract, Merge::Multiply, Merge::Maximum, Merge::Minimum] {
            let n = if op == Merge::Subtract { 2 } else { 3 };
            let mut xs: Vec<Vec<f32>> = (0..n as u64).map(|k| values(len, 40 + k, 2.0)).collect();
            if op == Merge::Multiply {
                // Zeros, one of them shared: the gradient is a product, never a quotient.
                xs[0][3] = 0.0;
                xs[2][3] = 0.0;
                xs[1][7] = 0.0;
            }
            let xs = &xs[..];
            let got = grads(op, xs, &c);
            for k in 0..n {
                let f = |x: &[f32]| {
                    let mut v = xs.to_vec();
                    v[k] = x.to_vec();
                    dot(&c, &run(op, &v))
                };
                let mut want = numeric(&f, &xs[k]);
                if k == 1 {
                    want.iter_mut().for_each(|w| *w += 2.0);
                }
                assert_close(&got[k], &want, &format!("{} input {k}", op.class_name()));
            }
        }
    }

    #[test]
    fn forward_folds_in_order() {
        let xs = vec![vec![1.0, -2.0, 0.0], vec![3.0, 5.0, -1.0], vec![2.0, 4.0, -4.0]];
        assert_eq!(run(Merge::Average, &xs), vec![2.0, 7.0 / 3.0, -5.0 / 3.0]);
        assert_eq!(run(Merge::Subtract, &xs[..2]), vec![-2.0, -7.0, 1.0]);
        assert_eq!(run(Merge::Multiply, &xs), vec![6.0, -40.0, 0.0]);
        assert_eq!(run(Merge::Maximum, &xs), vec![3.0, 5.0, 0.0]);
        // NaN, first or later, wins, as in TensorFlow.
        for op in [Merge::Maximum, Merge::Minimum] {
            assert!(op.pair(f32::NAN, 1.0).is_nan() && op.pair(1.0, f32::NAN).is_nan(), "{op:?}");
            assert!(op.pair(f32::NAN, f32::NEG_INFINITY).is_nan(), "{op:?}");
        }
        assert_eq!(run(Merge::Minimum, &xs), vec![1.0, -2.0, -4.0]);
        assert_eq!(run(Merge::Average, &xs[..1]), xs[0], "one input: itself");
    }

    #[test]
    fn a_tie_goes_to_the_first_input_that_holds_it() {
        // Keras 3.15.1 on TensorFlow, Maximum()([a, b, c]) with dy = [1, 2, 3]: a [1, 0, 3], b [0, 2, 0],
        // c 0; Minimum: a [0, 2, 3], b 0, c [1, 0, 0].
        let xs = vec![vec![1.0, 2.0, 3.0], vec![1.0, 5.0, 3.0], vec![0.0, 5.0, 3.0]];
        let c = [1.0, 2.0, 3.0];
        let max = grads(Merge::Maximum, &xs, &c);
        assert_eq!(max, vec![vec![1.0, 0.0, 3.0], vec![2.0, 4.0, 2.0], vec![0.0; 3]]);
        let min = grads(Merge::Minimum, &xs, &c);
        assert_eq!(min, vec![vec![0.0, 2.0, 3.0], vec![2.0; 3], vec![1.0, 0.0, 0.0]]);
        // An input that takes no gradient still claims its ties.
        let y = run(Merge::Maximum, &xs);
        let (mut g, mut dx) = (c.to_vec(), vec![9.0; 3]);
        backward(Merge::Maximum, 3, 0, &|j| &xs[j], &y, &mut g, None, false);
        backward(Merge::Maximum, 3, 1, &|j| &xs[j], &y, &mut g, Some(&mut dx), false);
        assert_eq!(dx, vec![0.0, 2.0, 0.0]);
    }
}
