//! The settings of a compiled model that change after `compile`: gradient clipping, the loss's reduction and
//! weight, weight decay, and the learning rate (a number, or a schedule that replaces it).

use crate::backend::{not_compiled, Change};
use crate::error::{Error, Result};
use crate::layer::LayerSpec;
use crate::model::Model;
use crate::network::Network;
use crate::optimizer::{Clip, OptimizerKind, Schedule};

impl Model {
    /// Clip the gradients before each update from now on (Keras's `clipnorm`, `clipvalue`, `global_clipnorm`).
    pub fn set_gradient_clip(&self, clip: crate::optimizer::Clip) -> Result<()> {
        clip.validate()?;
        let _exclusive = self.exclusive("changing the gradient clipping")?;
        let mut st = self.write()?;
        st.compiled.as_mut().ok_or_else(not_compiled)?.optimizer.clip = clip;
        st.host_changed(Change::Other)
    }

    /// Reduce the loss over each batch with `reduction` (Keras's `Loss(reduction=...)`), then multiply it by
    /// `weight` (compile's `loss_weights`), from now on.
    pub fn set_loss_reduction(&self, reduction: crate::loss::Reduction, weight: f32) -> Result<()> {
        if !weight.is_finite() {
            return Err(Error::value(format!("loss_weights must be a finite number. Received: {weight}")));
        }
        let _exclusive = self.exclusive("changing the loss reduction")?;
        let mut st = self.write()?;
        let compiled = st.compiled.as_mut().ok_or_else(not_compiled)?;
        (compiled.reduction, compiled.loss_weight) = (reduction, weight);
        st.host_changed(Change::Other)
    }

    /// Decay the trainable weights by `rate` before each update from now on (Keras's `weight_decay`), except
    /// the weights whose indices are in `skip` (`exclude_from_weight_decay`).
    pub fn set_weight_decay(&self, rate: f32, skip: &[usize]) -> Result<()> {
        let _exclusive = self.exclusive("changing the weight decay")?;
        let mut st = self.write()?;
        let decay = decay_of(&st.net, rate, skip)?;
        st.compiled.as_mut().ok_or_else(not_compiled)?.optimizer.decay = decay;
        st.host_changed(Change::Other)
    }

    /// Set the learning rate the next optimizer step uses (also during `fit`, from a callback or a thread).
    /// Refused for an optimizer with a schedule.
    pub fn set_learning_rate(&self, lr: f32) -> Result<()> {
        let mut st = self.write()?;
        let c = st.compiled.as_mut().ok_or_else(not_compiled)?;
        if let Some(s) = &c.optimizer.schedule {
            return Err(Error::State(format!(
                "the optimizer's learning rate is the schedule {}, which cannot be set",
                s.name()
            )));
        }
        c.optimizer.kind.set_learning_rate(lr)?;
        st.host_changed(Change::LearningRate)
    }

    /// Evaluate `schedule` at the step count before each optimizer step from now on, instead of the rate or
    /// schedule before (Keras's `optimizer.learning_rate = schedule`). Refused while the model trains.
    pub fn set_schedule(&self, schedule: Schedule) -> Result<()> {
        schedule.validate()?;
        let _exclusive = self.exclusive("setting a learning-rate schedule")?;
        let mut st = self.write()?;
        st.compiled.as_mut().ok_or_else(not_compiled)?.optimizer.schedule = Some(schedule);
        st.host_changed(Change::Other)
    }

    /// Train with `kind`'s hyper-parameters, clipping `clip` and weight decay `rate` (skipping the weights in
    /// `skip`) from the next step on (Keras's `optimizer.beta_1 = 0.8` and the like). The learning rate (or
    /// schedule) and the step count stay, and so do the slots: a change of the slots the update keeps (SGD's
    /// momentum from or to 0, RMSprop's `centered`, Adam's `amsgrad`, Adagrad's `initial_accumulator_value`)
    /// makes them afresh before the first step, as Keras builds them then, and is refused after it, as is a
    /// change of update rule. Refused while the model trains.
    pub fn reconfigure_optimizer(&self, kind: OptimizerKind, clip: Clip, (rate, skip): (f32, &[usize])) -> Result<()> {
        kind.validate()?;
        clip.validate()?;
        let _exclusive = self.exclusive("changing the optimizer")?;
        let mut st = self.write()?;
        let decay = decay_of(&st.net, rate, skip)?;
        let params = st.net.params.len();
        let o = &mut st.compiled.as_mut().ok_or_else(not_compiled)?.optimizer;
        let slots =
            |k: &OptimizerKind| k.slot_names().iter().map(|s| (*s, k.slot_initial(s).to_bits())).collect::<Vec<_>>();
        let rule = std::mem::discriminant(&kind) == std::mem::discriminant(&o.kind);
        let same_slots = slots(&kind) == slots(&o.kind);
        if !rule || !same_slots && o.iterations > 0 {
            return Err(Error::value(
                "the optimizer's update rule, and after its first step the slots it keeps, cannot change: give the \
                 new values to a new optimizer and compile with it."
                    .to_string(),
            ));
        }
        let lr = o.kind.learning_rate();
        if !same_slots {
            o.slots = crate::optimizer::Optimizer::new(kind, params).slots;
        }
        (o.kind, o.clip, o.decay) = (kind.with_learning_rate(lr), clip, decay);
        st.host_changed(Change::Other)
    }

    /// Compute layer `i` by `spec` from now on, keeping the weights, the trainable flags and the rest of the
    /// network (Keras's `layer.rate = 0.3`, `layer.activation = tanh` on a built layer, which Keras reads when
    /// it traces a call). Refused for a spec of another kind or one that changes the layer's weights or its
    /// output's width, for a final activation the compiled loss cannot read, and while the model trains.
    pub fn set_layer_spec(&self, i: usize, spec: LayerSpec) -> Result<()> {
        let _exclusive = self.exclusive("changing a layer")?;
        let mut guard = self.write()?;
        let st = &mut *guard;
        let old = &st.net;
        let n = old.layers.len();
        let node = old
            .layers
            .get(i)
            .ok_or_else(|| Error::value(format!("layer index out of range ({n} layers). Received: layer={i}")))?;
        let same_kind = std::mem::discriminant(&node.spec) == std::mem::discriminant(&spec);
        let nodes = old.layers.iter().enumerate();
        let nodes = nodes.map(|(j, l)| (if j == i { spec.clone() } else { l.spec.clone() }, l.inputs.clone()));
        let mut net = Network::graph(&old.inputs, nodes.collect(), 0)?;
        let weights = |w: &[crate::layer::WeightInfo]| w.iter().map(|w| (w.name, w.shape.clone())).collect::<Vec<_>>();
        let widths = |net: &Network| net.layers.iter().map(|l| l.output).collect::<Vec<_>>();
        if !same_kind || weights(&net.weights) != weights(&old.weights) || widths(&net) != widths(old) {
            return Err(Error::value(
                "the layer's new value changes its kind, its weights or its output's width: build a new model"
                    .to_string(),
            ));
        }
        if let Some(c) = &st.compiled {
            crate::model::check_final_activation(&net, &c.loss, &c.metrics)?;
        }
        net.params.clone_from(&old.params);
        net.weights.iter_mut().zip(&old.weights).for_each(|(a, b)| a.trainable = b.trainable);
        net.layers.iter_mut().zip(&old.layers).for_each(|(a, b)| a.trainable = b.trainable);
        (net.dropout_rngs, net.dropout_seeds) = (old.dropout_rngs.clone(), old.dropout_seeds.clone());
        st.net = net;
        st.host_changed(Change::Other)
    }

    /// The learning rate the next step uses (a schedule's at the step count; `None` before `compile`).
    pub fn learning_rate(&self) -> Result<Option<f32>> {
        Ok(self.read()?.compiled.as_ref().map(|c| c.optimizer.learning_rate()))
    }
}

/// Weight decay `rate` of `net`'s weights but those whose indices are in `skip`, checked.
fn decay_of(net: &crate::network::Network, rate: f32, skip: &[usize]) -> Result<crate::optimizer::Decay> {
    let n = net.weights.len();
    let skip = skip.iter().map(|&i| net.weights.get(i).map(|w| w.range())).collect::<Option<Vec<_>>>();
    let skip = skip.ok_or_else(|| Error::value(format!("no_decay names a weight past the last of {n}")))?;
    let decay = crate::optimizer::Decay { rate, skip };
    decay.validate()?;
    Ok(decay)
}
