//! The compute of each layer kind, one file per kind: inference, the training forward pass and the backward
//! pass side by side, each file with a test of its backward pass against finite differences. The network
//! (network.rs) owns the buffers and walks its graph; these functions see slices.

pub mod activation;
pub mod add;
pub mod batch_norm;
pub mod concatenate;
pub mod dense;
pub mod dropout;

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

/// Checks a graph's gradients against central finite differences of `L = Σ c·y` (random `c`) with respect to
/// every trainable parameter. Each model input first passes through a linear Dense "lens", so the gradient
/// the layers under test send to their inputs is checked too (through the lens's kernel gradient).
#[cfg(test)]
pub fn check_gradients(inputs: &[usize], nodes: Vec<(crate::layer::LayerSpec, Vec<usize>)>, rows: usize) {
    use crate::activation::Activation;
    use crate::layer::LayerSpec;
    use crate::network::Network;
    use crate::rng::Rng;

    let k = inputs.len();
    let mut graph: Vec<(LayerSpec, Vec<usize>)> = inputs
        .iter()
        .enumerate()
        .map(|(i, &w)| (LayerSpec::Dense { units: w, activation: Activation::Linear, use_bias: false }, vec![i]))
        .collect();
    graph.extend(nodes.into_iter().map(|(s, ins)| (s, ins.into_iter().map(|v| v + k).collect())));
    let net = Network::graph(inputs, graph, 7).expect("the test graph builds");
    let iw: usize = inputs.iter().sum();
    let ow = net.output_dim();
    let mut rng = Rng::new(11, 0);
    let mut x = vec![0.0f32; rows * iw];
    rng.fill_uniform(&mut x, 1.5);
    let mut c = vec![0.0f32; rows * ow];
    rng.fill_uniform(&mut c, 1.0);
    let idx: Vec<u32> = (0..rows as u32).collect();
    let target = vec![0.0f32; rows * ow];

    // L for a copy of `net` (fresh dropout generators, so every evaluation draws the same masks).
    let loss = |params: &[f32]| -> f64 {
        let mut n = net.clone();
        n.params.copy_from_slice(params);
        let mut ws = n.workspace(rows).unwrap();
        n.gather(&mut ws, &x, &target, &idx);
        n.forward_train(&mut ws, rows, false).unwrap();
        n.output(&ws, rows).iter().zip(&c).map(|(&y, &c)| f64::from(y) * f64::from(c)).sum()
    };
    let mut n = net.clone();
    let mut ws = n.workspace(rows).unwrap();
    n.gather(&mut ws, &x, &target, &idx);
    n.forward_train(&mut ws, rows, false).unwrap();
    n.output_grad(&mut ws, rows).copy_from_slice(&c);
    n.backward(&mut ws, rows, None, false).unwrap();
    let analytic = ws.param_grads.clone();

    let h = 1e-3f32;
    let mut params = net.params.clone();
    let mut checked = 0;
    for r in net.trainable_ranges() {
        for p in r {
            let v = params[p];
            params[p] = v + h;
            let up = loss(&params);
            params[p] = v - h;
            let down = loss(&params);
            params[p] = v;
            let numeric = (up - down) / (2.0 * f64::from(h));
            let a = f64::from(analytic[p]);
            assert!(
                (numeric - a).abs() <= 5e-3 + 5e-3 * a.abs(),
                "parameter {p}: backward gives {a}, finite differences {numeric}"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no trainable parameter was checked");
}
