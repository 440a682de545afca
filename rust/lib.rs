//! keras_lite's core: tensors as row-major f32 buffers, dense networks, their kernels, losses, metrics,
//! optimizers and the training loop. No Python here: the bindings live in `py/` behind the `python` feature.

pub mod activation;
pub mod backend;
pub mod call;
pub mod error;
pub mod evaluate;
pub mod finite;
pub mod fork;
pub mod fpmode;
pub mod gemm;
pub mod gemv;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod hooks;
pub mod infer;
// Without the feature, a stand-in with the same names that says so when a GPU is asked for.
#[cfg(not(feature = "gpu"))]
#[path = "gpu_off.rs"]
pub mod gpu;
pub mod layer;
pub mod layers;
pub mod lineage;
pub mod lines;
pub mod loss;
pub mod matmul;
pub mod metric;
pub mod model;
pub mod network;
pub mod network_rules;
pub mod optimizer;
pub mod pool;
#[cfg(feature = "probe")]
pub mod probe;
pub mod regularize;
pub mod rng;
pub mod scratch;
pub mod settings;
pub mod state;
pub mod stream;
pub mod team;
pub mod train;
pub mod trainer;

#[cfg(feature = "python")]
mod py;
