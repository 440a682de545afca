//! What a model owns, and its checked changes: the built network, the compiled configuration, the shuffle
//! generator, the GPU copy, and what the host changed since that copy was last in step. `Model` (model.rs)
//! keeps it behind one lock.

use crate::backend::{not_compiled, Change, Changes, Compiled};
use crate::error::{Error, Result};
use crate::network::Network;
use crate::rng::Rng;

/// Everything a model owns.
#[derive(Debug)]
pub struct ModelState {
    /// The built network and its parameters (always current outside `fit`; on a GPU, current at each
    /// epoch's end during `fit`).
    pub net: Network,
    /// Set by `compile`.
    pub compiled: Option<Compiled>,
    /// Draws each epoch's shuffle.
    pub shuffle_rng: Rng,
    /// Counts changes made from the host (weights, optimizer state, trainable flags, compile).
    pub version: u64,
    /// What the host changed since a GPU `fit` last synchronised (see `trainer::HostCopy`).
    pub pending: Changes,
    /// The model's copy on a GPU, when it lives there (taken out while a GPU `fit` runs).
    pub gpu: Option<Box<crate::gpu::GpuModel>>,
    /// Whether a `fit` (or `train_on_batch`) of the model is running (`trainer::FitRunning`).
    pub in_fit: bool,
    /// Trainable flags `(layer, trainable)` set while a fit ran, made when it ends (`Model::set_layer_trainable`).
    pub deferred_trainable: Vec<(usize, bool)>,
}

impl Drop for ModelState {
    fn drop(&mut self) {
        // A forked child cannot free a device copy its parent made: wgpu's drop waits for the device to go
        // idle, which it never does in the child (the parent's device threads are not there), so it is leaked.
        if let Some(g) = self.gpu.take() {
            if g.forked() {
                std::mem::forget(g);
            }
        }
    }
}

impl ModelState {
    /// Record a change made on the host and, on a GPU, send it to the device.
    pub fn host_changed(&mut self, change: Change) -> Result<()> {
        self.version += 1;
        self.pending.add(change);
        if let Some(g) = self.gpu.as_mut() {
            self.pending = Changes::default();
            g.upload(&self.net, self.compiled.as_ref())?;
        }
        Ok(())
    }

    /// `"cpu"`, or `"gpu"` and the adapter's name.
    pub fn device(&self) -> (String, Option<String>) {
        if let Some(g) = &self.gpu {
            return ("gpu".into(), Some(g.adapter().name));
        }
        ("cpu".into(), None)
    }

    /// Set the weights and/or the optimizer state, all checked before anything is written: a refused load
    /// leaves the state exactly as it was.
    pub fn load(&mut self, weights: Option<&[&[f32]]>, optimizer: Option<(u64, &[&[f32]])>) -> Result<()> {
        if let Some(w) = weights {
            check_weights(self, w)?;
        }
        if let Some((_, values)) = optimizer {
            check_optimizer_state(self, values)?;
        }
        if let Some(w) = weights {
            for (i, v) in w.iter().enumerate() {
                self.net.set_weight(i, v)?;
            }
            self.host_changed(Change::Weights)?;
        }
        if let Some((iterations, values)) = optimizer {
            let trainable = trainable_ranges(self);
            let c = self.compiled.as_mut().ok_or_else(not_compiled)?;
            let n_slots = c.optimizer.slots.len();
            let per_weight = trainable.len() * n_slots;
            for (k, v) in values[..per_weight].iter().enumerate() {
                let r = trainable[k / n_slots].clone();
                c.optimizer.slots[k % n_slots][r].copy_from_slice(v);
            }
            // After the slots: Nadam's `u_product` (`check_optimizer_state` saw one value).
            c.optimizer.u_product = values.get(per_weight).map_or(1.0, |v| v[0]);
            c.optimizer.iterations = iterations;
            self.host_changed(Change::OptimizerState)?;
        }
        Ok(())
    }

    /// The optimizer's state: for each trainable weight (Keras order), each slot (Python reorders them into
    /// the grouping Keras's files use), then the optimizer-wide variables (Nadam's `u_product`, weight index
    /// `None`). Returns `(iterations, [(weight index, slot name, values)])`.
    pub fn optimizer_state(&self) -> Result<OptimizerState> {
        let c = self.compiled.as_ref().ok_or_else(not_compiled)?;
        let names = c.optimizer.kind.slot_names();
        let mut out = Vec::new();
        for (i, w) in self.net.weights.iter().enumerate() {
            if !self.net.weight_trainable(i) {
                continue;
            }
            for (s, name) in names.iter().enumerate() {
                out.push((Some(i), *name, c.optimizer.slots[s][w.range()].to_vec()));
            }
        }
        if has_u_product(c) {
            out.push((None, "u_product", vec![c.optimizer.u_product]));
        }
        Ok((c.optimizer.iterations, out))
    }
}

/// `(iterations, [(weight index, slot name, values)])`, see `Model::optimizer_state`.
pub type OptimizerState = (u64, Vec<(Option<usize>, &'static str, Vec<f32>)>);

/// Whether the optimizer keeps Keras's `u_product` variable (Nadam).
fn has_u_product(c: &crate::backend::Compiled) -> bool {
    matches!(c.optimizer.kind, crate::optimizer::OptimizerKind::Nadam { .. })
}

/// The ranges of the trainable weights' values, Keras order.
fn trainable_ranges(st: &ModelState) -> Vec<std::ops::Range<usize>> {
    (0..st.net.weights.len()).filter(|&i| st.net.weight_trainable(i)).map(|i| st.net.weights[i].range()).collect()
}

/// Check a full set of weight values against the network: count and each length.
fn check_weights(st: &ModelState, values: &[&[f32]]) -> Result<()> {
    let weights = &st.net.weights;
    if values.len() != weights.len() {
        return Err(Error::value(format!(
            "set_weights expects {} arrays. Received: {} arrays",
            weights.len(),
            values.len()
        )));
    }
    for (w, v) in weights.iter().zip(values) {
        if w.len() != v.len() {
            return Err(Error::value(format!(
                "weight {} expects {} values. Received: {} values",
                w.name,
                w.len(),
                v.len()
            )));
        }
    }
    Ok(())
}

/// Check optimizer slot arrays (`optimizer_state`'s order) against the compiled optimizer.
fn check_optimizer_state(st: &ModelState, values: &[&[f32]]) -> Result<()> {
    let trainable = trainable_ranges(st);
    let c = st.compiled.as_ref().ok_or_else(not_compiled)?;
    let n_slots = c.optimizer.slots.len();
    let extra = usize::from(has_u_product(c));
    if values.len() != trainable.len() * n_slots + extra {
        return Err(Error::value(format!(
            "optimizer state expects {} arrays ({} trainable weights x {n_slots} slots{}). Received: {} arrays",
            trainable.len() * n_slots + extra,
            trainable.len(),
            if extra > 0 { " and u_product" } else { "" },
            values.len()
        )));
    }
    if let Some(u) = values.get(trainable.len() * n_slots).filter(|_| extra > 0) {
        if u.len() != 1 || !u[0].is_finite() {
            return Err(Error::value(format!("u_product must be one finite number. Received: {u:?}")));
        }
    }
    for (k, v) in values[..trainable.len() * n_slots].iter().enumerate() {
        let r = &trainable[k / n_slots.max(1)];
        if v.len() != r.len() {
            return Err(Error::value(format!(
                "optimizer state array {k} expects {} values. Received: {} values",
                r.len(),
                v.len()
            )));
        }
    }
    Ok(())
}
