//! Tests of train/mod.rs.

use crate::activation::Activation;
use crate::infer::Scratch;
use crate::layer::LayerSpec;
use crate::layers::merge::Merge;
use crate::network::{Network, Nodes};
use crate::rng::Rng;

/// Checks a graph's gradients against central finite differences of `L = Σ c·y` (random `c`) with respect to
/// every trainable parameter. Each model input first passes through a linear Dense "lens", so the gradient
/// the layers under test send to their inputs is checked too (through the lens's kernel gradient).
fn check_gradients(inputs: &[usize], nodes: Vec<(crate::layer::LayerSpec, Vec<usize>)>, rows: usize) {
    let k = inputs.len();
    let mut graph: Vec<(LayerSpec, Vec<usize>)> = inputs
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            (
                LayerSpec::Dense {
                    units: w,
                    activation: Activation::Linear,
                    use_bias: false,
                    rules: Default::default(),
                },
                vec![i],
            )
        })
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
        n.gather(&mut ws, crate::backend::Data::new(&x, &target, rows), ow, &idx);
        n.forward_train(&mut ws, rows, None, false).unwrap();
        n.output(&ws, rows).iter().zip(&c).map(|(&y, &c)| f64::from(y) * f64::from(c)).sum()
    };
    let mut n = net.clone();
    let mut ws = n.workspace(rows).unwrap();
    n.gather(&mut ws, crate::backend::Data::new(&x, &target, rows), ow, &idx);
    n.forward_train(&mut ws, rows, None, false).unwrap();
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

fn dense(units: usize, activation: Activation) -> LayerSpec {
    LayerSpec::Dense { units, activation, use_bias: true, rules: Default::default() }
}

/// Graphs whose layers have no training-only behaviour, so inference must give the forward pass's output.
fn deterministic_graphs() -> Vec<(Vec<usize>, Nodes)> {
    vec![
        // A chain with a relu Dense under a Dense (its derivative fused into the product below).
        (vec![3], vec![(dense(5, Activation::Relu), vec![0]), (dense(2, Activation::Tanh), vec![1])]),
        // Two inputs of different widths, side by side, then mixed.
        (vec![3, 2], vec![(LayerSpec::Concatenate, vec![0, 1]), (dense(2, Activation::Tanh), vec![2])]),
        // The same input twice.
        (vec![3], vec![(LayerSpec::Concatenate, vec![0, 0]), (dense(2, Activation::Tanh), vec![1])]),
        // A residual block: y = Dense(x) + x.
        (
            vec![4],
            vec![
                (dense(4, Activation::Tanh), vec![0]),
                (LayerSpec::Add, vec![1, 0]),
                (dense(2, Activation::Sigmoid), vec![2]),
            ],
        ),
        // A relu Dense read by two layers (no fused derivative), one of them a Dense that adds its share.
        (
            vec![3, 3],
            vec![
                (dense(3, Activation::Relu), vec![0]),
                (dense(3, Activation::Tanh), vec![2]),
                (LayerSpec::Add, vec![2, 1, 3]),
                (dense(1, Activation::Linear), vec![4]),
            ],
        ),
        // Every other merge: a product of three with one value twice, then Maximum, Subtract, Average and
        // Minimum of values that feed several layers.
        (
            vec![3, 3],
            vec![
                (dense(4, Activation::Tanh), vec![0]),
                (dense(4, Activation::Sigmoid), vec![1]),
                (LayerSpec::Merge(Merge::Multiply), vec![2, 3, 2]),
                (LayerSpec::Merge(Merge::Maximum), vec![3, 2]),
                (LayerSpec::Merge(Merge::Subtract), vec![5, 4]),
                (LayerSpec::Merge(Merge::Average), vec![6, 4, 2]),
                (LayerSpec::Merge(Merge::Minimum), vec![7, 3]),
                (dense(2, Activation::Linear), vec![8]),
            ],
        ),
        // Merges that read a model input directly, and one of a single input (itself, as in Keras).
        (
            vec![3],
            vec![
                (dense(3, Activation::Tanh), vec![0]),
                (LayerSpec::Merge(Merge::Maximum), vec![0, 1]),
                (LayerSpec::Merge(Merge::Multiply), vec![2, 0]),
                (LayerSpec::Merge(Merge::Minimum), vec![3]),
                (dense(1, Activation::Linear), vec![4]),
            ],
        ),
    ]
}

#[test]
fn graph_gradients_match_finite_differences() {
    for (inputs, nodes) in deterministic_graphs() {
        check_gradients(&inputs, nodes, 5);
    }
    let drop = LayerSpec::Dropout { rate: 0.4, seed: Some(5), noise: crate::layers::dropout::Noise::Bernoulli };
    let bn = LayerSpec::BatchNorm { momentum: 0.9, epsilon: 1e-3, center: true, scale: true };
    let top = dense(2, Activation::Tanh);
    check_gradients(&[6], vec![(drop, vec![0]), (bn, vec![1]), (top, vec![2])], 8);
}

#[test]
fn inference_gives_the_forward_pass_output() {
    for (inputs, nodes) in deterministic_graphs() {
        let rows = 6;
        let mut net = Network::graph(&inputs, nodes.clone(), 3).unwrap();
        let iw: usize = inputs.iter().sum();
        let mut x = vec![0.0; rows * iw];
        Rng::new(4, 0).fill_uniform(&mut x, 1.0);
        let mut out = vec![0.0; rows * net.output_dim()];
        net.infer(&x, rows, &mut out, &mut Scratch::default(), false).unwrap();
        let mut ws = net.workspace(rows).unwrap();
        let idx: Vec<u32> = (0..rows as u32).collect();
        let ow = net.output_dim();
        let y = vec![0.0; rows * ow];
        net.gather(&mut ws, crate::backend::Data::new(&x, &y, rows), ow, &idx);
        net.forward_train(&mut ws, rows, None, false).unwrap();
        assert_eq!(out, net.output(&ws, rows), "{inputs:?} {nodes:?}");
    }
}

#[test]
fn graphs_that_cannot_be_built_are_clear_errors() {
    let d = || dense(2, Activation::Linear);
    let cases: Vec<(Vec<usize>, Nodes, &str)> = vec![
        (vec![3], vec![(d(), vec![1])], "not computed before it"),
        (vec![3], vec![(d(), vec![0]), (d(), vec![0])], "does not lead to the output"),
        (vec![3, 2], vec![(LayerSpec::Add, vec![0, 1])], "same shape"),
        (vec![3, 2], vec![(LayerSpec::Merge(Merge::Maximum), vec![0, 1])], "Maximum layer must have the same shape"),
        (vec![3, 2], vec![(LayerSpec::Merge(Merge::Minimum), vec![0, 0, 1])], "input widths [3, 3, 2]"),
        (vec![3], vec![(LayerSpec::Merge(Merge::Subtract), vec![])], "exactly 2 inputs. Received: 0"),
        (vec![3], vec![(LayerSpec::Merge(Merge::Subtract), vec![0, 0, 0])], "exactly 2 inputs. Received: 3"),
        (vec![3], vec![(LayerSpec::Merge(Merge::Subtract), vec![0])], "exactly 2 inputs. Received: 1"),
        (vec![3], vec![(LayerSpec::Merge(Merge::Average), vec![])], "Average layer needs at least one input"),
        (vec![3, 2], vec![(d(), vec![0, 1])], "takes one input"),
        (vec![3], vec![(LayerSpec::Concatenate, vec![])], "at least one input"),
        (vec![3, 0], vec![(LayerSpec::Concatenate, vec![0, 1])], "positive integer"),
        (vec![], vec![(d(), vec![0])], "inputs"),
        (vec![3], vec![], "layers"),
    ];
    for (inputs, nodes, want) in cases {
        let e = Network::graph(&inputs, nodes, 1).unwrap_err().to_string();
        assert!(e.contains(want), "{inputs:?}: {e}");
    }
}

/// Every buffer that a step's or a prediction's products write starts on a 64-byte line (`lines.rs`): the
/// weights, their gradients, the optimizer's slots, each activation, pre-activation, dropout mask, batch
/// normalization cache and gradient, and inference's buffers, for widths that are not multiples of 16.
#[test]
fn the_buffers_the_team_writes_start_on_a_cache_line() {
    let on_line = |v: &[f32]| (v.as_ptr() as usize).is_multiple_of(64);
    let drop = LayerSpec::Dropout { rate: 0.4, seed: Some(5), noise: crate::layers::dropout::Noise::Bernoulli };
    let bn = LayerSpec::BatchNorm { momentum: 0.9, epsilon: 1e-3, center: true, scale: true };
    let nodes = vec![
        (dense(37, Activation::Relu), vec![0]),
        (drop, vec![1]),
        (bn, vec![2]),
        (dense(3, Activation::Softmax), vec![3]),
    ];
    let net = Network::graph(&[13], nodes, 3).unwrap();
    assert!(on_line(&net.params));
    let kind = crate::optimizer::OptimizerKind::Adam {
        learning_rate: 1e-3,
        beta_1: 0.9,
        beta_2: 0.999,
        epsilon: 1e-7,
        amsgrad: true,
    };
    assert!(crate::optimizer::Optimizer::new(kind, net.params.len()).slots.iter().all(|s| on_line(s)));
    let ws = net.workspace(9).unwrap();
    let lists = [&ws.acts, &ws.pre, &ws.masks, &ws.grads];
    assert!(lists.iter().flat_map(|l| l.iter()).all(|b| on_line(b)));
    assert!(ws.bn.iter().all(|c| on_line(&c.xhat)));
    assert!(on_line(&ws.param_grads) && on_line(&ws.target) && on_line(&ws.weights));
    let (x, mut out, mut scratch) = (vec![0.5; 9 * 13], vec![0.0; 9 * 3], Scratch::default());
    net.infer(&x, 9, &mut out, &mut scratch, false).unwrap();
    assert!(scratch.slots.iter().all(|s| on_line(s)));
}

/// Adam's split pass cuts each Dense kernel at least twice as tall as wide where the kernel gradient's rows
/// are cut between the threads (`gemm::row_share`), and no other weight.
#[test]
fn update_cuts_fall_where_tall_kernel_gradients_are_cut() {
    let dense =
        |units| LayerSpec::Dense { units, activation: Activation::Relu, use_bias: true, rules: Default::default() };
    // Kernels 784×256, 256×128 and 400×10 are tall; 128×400 is not.
    let net = Network::new(784, vec![dense(256), dense(128), dense(400), dense(10)], 1).expect("the network builds");
    let w = &net.weights;
    let cut = |i: usize, threads: usize, t: usize| {
        w[i].offset + t * crate::gemm::row_share(w[i].shape[0], threads) * w[i].shape[1]
    };
    assert_eq!(net.update_cuts(1), Vec::<usize>::new());
    assert_eq!(net.update_cuts(2), [cut(0, 2, 1), cut(2, 2, 1), cut(6, 2, 1)]);
    let three = [cut(0, 3, 1), cut(0, 3, 2), cut(2, 3, 1), cut(2, 3, 2), cut(6, 3, 1), cut(6, 3, 2)];
    assert_eq!(net.update_cuts(3), three);
    assert_eq!((cut(0, 3, 1), cut(0, 3, 2)), (264 * 256, 528 * 256));
}

#[test]
fn a_dense_chain_infers_the_same_bits_as_the_graph_pass() {
    // The chain's own pass (`infer_dense_chain`) against the graph's, which an inference-mode Dropout (the
    // identity) between the layers selects for the same weights.
    let drop = LayerSpec::Dropout { rate: 0.5, seed: Some(1), noise: crate::layers::dropout::Noise::Bernoulli };
    for widths in [[4, 3, 1], [512, 300, 10]] {
        let [a, b, c] = widths.map(|u| dense(u, Activation::Relu));
        let chain = Network::new(7, vec![a.clone(), b.clone(), c.clone()], 2).unwrap();
        let mut graph = Network::new(7, vec![a, drop.clone(), b, c], 2).unwrap();
        graph.params.copy_from_slice(&chain.params);
        for rows in [1, 3, 4, 5, 40] {
            let mut x = vec![0.0; rows * 7];
            Rng::new(rows as u64, 0).fill_uniform(&mut x, 1.0);
            for parallel in [false, true] {
                let mut outs = [vec![0.0f32; rows * widths[2]], vec![0.0f32; rows * widths[2]]];
                chain.infer(&x, rows, &mut outs[0], &mut Scratch::default(), parallel).unwrap();
                graph.infer(&x, rows, &mut outs[1], &mut Scratch::default(), parallel).unwrap();
                let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&outs[0]), bits(&outs[1]), "widths {widths:?}, {rows} rows, parallel {parallel}");
            }
        }
    }
}
