//! `_core.Model`: a built model (weights, optimizer state) that Python's `Sequential` drives.

use numpy::{PyArray2, PyArrayDyn, PyReadonlyArray1, PyReadonlyArray2, PyReadonlyArrayDyn};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::backend::FitOptions;
use crate::metric::Metric;
use crate::model;

use super::convert::{self, shaped};
use super::errors::{detached, guarded};
use super::graph;
use super::inference;
use super::loss::LossArg;
use super::observer;
use super::optimizer::OptimizerArg;
use super::schedule::RateArg;
use super::spec::LayerArg;

/// `(layer_index, name, shape, trainable)` of one weight.
type WeightRow = (usize, &'static str, Vec<usize>, bool);

/// What `snapshot` returns: the weights and, when compiled, the optimizer state.
type Snapshot<'py> = (Vec<Bound<'py, PyArrayDyn<f32>>>, Option<(u64, Vec<SlotRow<'py>>)>);

/// `(weight_index, slot_name, values)` of one optimizer slot (weight index None: Nadam's `u_product`).
type SlotRow<'py> = (Option<usize>, &'static str, Bound<'py, PyArrayDyn<f32>>);

/// A core model built for one input width, with its parameters and (after `compile`) optimizer state.
#[pyclass(frozen, module = "keras_lite._core")]
pub struct Model {
    pub(super) model: model::Model,
    /// Fixed at construction: the widths and the multiply-adds of one row, for the predict fast path.
    shape: inference::Shape,
}

#[pymethods]
impl Model {
    /// A model of `layers` (see `spec::LayerArg`) on inputs `input_dim` wide, its weights drawn from `seed`.
    #[new]
    fn new(input_dim: usize, layers: Vec<LayerArg>, seed: u64) -> PyResult<Self> {
        let (model, shape) = graph::chain(input_dim, layers, seed)?;
        Ok(Model { model, shape })
    }

    /// A graph: model inputs of widths `inputs` (side by side in each row of `x`), then `nodes` as (layer,
    /// the values it reads: the inputs first, then each node's output); the last node's output is the model's.
    #[staticmethod]
    fn graph(inputs: Vec<usize>, nodes: Vec<(LayerArg, Vec<usize>)>, seed: u64) -> PyResult<Self> {
        let (model, shape) = graph::graph(inputs, nodes, seed)?;
        Ok(Model { model, shape })
    }

    /// Input width.
    #[getter]
    fn input_dim(&self) -> PyResult<usize> {
        Ok(self.model.read()?.net.input_dim)
    }

    /// Number of layers.
    #[getter]
    fn layer_count(&self) -> PyResult<usize> {
        Ok(self.model.read()?.net.layers.len())
    }

    /// Output width.
    #[getter]
    fn output_dim(&self) -> PyResult<usize> {
        Ok(self.model.read()?.net.output_dim())
    }

    /// Optimizer steps taken since `compile` (Keras's `optimizer.iterations`).
    #[getter]
    fn iterations(&self) -> PyResult<u64> {
        Ok(self.model.read()?.compiled.as_ref().map_or(0, |c| c.optimizer.iterations))
    }

    /// `[(layer_index, name, shape, trainable), ...]` in Keras's weight order.
    fn weight_info(&self) -> PyResult<Vec<WeightRow>> {
        let st = self.model.read()?;
        let net = &st.net;
        let mut out = Vec::with_capacity(net.weights.len());
        for (li, l) in net.layers.iter().enumerate() {
            for wi in l.weights.clone() {
                let w = &net.weights[wi];
                out.push((li, w.name, w.shape.clone(), net.weight_trainable(wi)));
            }
        }
        Ok(out)
    }

    /// A copy of weight `i` as a float32 array of its shape.
    fn get_weight<'py>(&self, py: Python<'py>, i: usize) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
        let st = self.model.read()?;
        let v = st.net.weight(i)?;
        let shape = st.net.weights.get(i).map(|w| w.shape.as_slice()).unwrap_or(&[]);
        shaped(py, v, shape)
    }

    /// Copies of all weights, Keras order.
    fn get_weights<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyArrayDyn<f32>>>> {
        let st = self.model.read()?;
        st.net.weights.iter().map(|w| shaped(py, &st.net.params[w.range()], &w.shape)).collect()
    }

    /// Overwrite weight `i` (a C-contiguous float32 array with its number of values).
    fn set_weight(&self, i: usize, value: PyReadonlyArrayDyn<'_, f32>) -> PyResult<()> {
        Ok(self.model.set_weight(i, convert::c_slice(&value, "value")?)?)
    }

    /// Overwrite all weights at once (all are checked before any is written).
    fn set_weights(&self, values: Vec<PyReadonlyArrayDyn<'_, f32>>) -> PyResult<()> {
        let slices = values.iter().map(|v| convert::c_slice(v, "weights")).collect::<PyResult<Vec<_>>>()?;
        Ok(self.model.set_weights(&slices)?)
    }

    /// Set the weights (when given) and the optimizer state (when given: `(iterations, slot arrays in
    /// optimizer_state's order)`) together: everything is checked before anything is written.
    #[pyo3(signature = (weights, optimizer))]
    fn load_state(
        &self,
        weights: Option<Vec<PyReadonlyArrayDyn<'_, f32>>>,
        optimizer: Option<(u64, Vec<PyReadonlyArrayDyn<'_, f32>>)>,
    ) -> PyResult<()> {
        let w = weights.as_deref().map(|ws| convert::c_slices(ws, "weights")).transpose()?;
        let o = optimizer
            .as_ref()
            .map(|(it, vs)| convert::c_slices(vs, "optimizer state").map(|v| (*it, v)))
            .transpose()?;
        Ok(self.model.load_state(w.as_deref(), o.as_ref().map(|(it, v)| (*it, v.as_slice())))?)
    }

    /// The learning rate the next optimizer step uses (`None` before `compile`).
    #[getter]
    fn learning_rate(&self) -> PyResult<Option<f32>> {
        Ok(self.model.learning_rate()?)
    }

    /// Set the learning rate for the next optimizer step (also while `fit` runs), or a schedule (not then).
    fn set_learning_rate(&self, value: RateArg) -> PyResult<()> {
        Ok(value.set_on(&self.model)?)
    }

    /// `(weights, (iterations, slot rows) | None)` read under one lock (see `optimizer_state`).
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Snapshot<'py>> {
        let (weights, opt) = self.model.snapshot()?;
        let st = self.model.read()?;
        let shapes: Vec<&[usize]> = st.net.weights.iter().map(|w| w.shape.as_slice()).collect();
        let ws = weights.iter().zip(&shapes).map(|(v, s)| shaped(py, v, s)).collect::<PyResult<Vec<_>>>()?;
        let shape_of = |i: Option<usize>| i.and_then(|i| shapes.get(i)).copied().unwrap_or(&[]);
        let opt = match opt {
            Some((it, rows)) => Some((
                it,
                rows.iter()
                    .map(|(i, name, v)| Ok((*i, *name, shaped(py, v, shape_of(*i))?)))
                    .collect::<PyResult<Vec<_>>>()?,
            )),
            None => None,
        };
        Ok((ws, opt))
    }

    /// `(iterations, [(weight_index, slot_name, values)])`: per trainable weight (Keras order), each slot;
    /// Python regroups them into the order Keras's files use.
    fn optimizer_state<'py>(&self, py: Python<'py>) -> PyResult<(u64, Vec<SlotRow<'py>>)> {
        let (it, slots) = self.model.optimizer_state()?;
        let st = self.model.read()?;
        let mut rows = Vec::with_capacity(slots.len());
        for (i, name, values) in slots {
            let shape = i.and_then(|i| st.net.weights.get(i)).map_or(&[][..], |w| w.shape.as_slice());
            rows.push((i, name, shaped(py, &values, shape)?));
        }
        Ok((it, rows))
    }

    /// Restore the optimizer state: `iterations` and the slot arrays in `optimizer_state`'s order.
    fn set_optimizer_state(&self, iterations: u64, values: Vec<PyReadonlyArrayDyn<'_, f32>>) -> PyResult<()> {
        let slices = values.iter().map(|v| convert::c_slice(v, "optimizer state")).collect::<PyResult<Vec<_>>>()?;
        Ok(self.model.set_optimizer_state(iterations, &slices)?)
    }

    /// Move the model to `"gpu"` (a software adapter only when `allow_software`) or `"cpu"`.
    fn set_device(&self, py: Python<'_>, device: &str, allow_software: bool) -> PyResult<()> {
        let gpu = match device {
            "gpu" => true,
            "cpu" => false,
            other => {
                return Err(PyValueError::new_err(format!("device must be 'cpu' or 'gpu'. Received: device={other:?}")))
            }
        };
        let model = &self.model;
        detached(py, || model.set_device(gpu, allow_software))
    }

    /// `("cpu", None)` or `("gpu", adapter name)`.
    #[getter]
    fn device(&self) -> PyResult<(String, Option<String>)> {
        Ok(self.model.read()?.device())
    }

    /// Freeze or unfreeze layer `layer` (Keras's `layer.trainable`); false: kept until the running fit ends.
    fn set_layer_trainable(&self, layer: usize, trainable: bool) -> PyResult<bool> {
        Ok(self.model.set_layer_trainable(layer, trainable)?)
    }

    /// Set the loss, metrics (and `weighted_metrics`, which see the sample weights) and a fresh optimizer
    /// (see `loss::LossArg` and `optimizer::OptimizerArg`).
    #[pyo3(signature = (loss, metrics, optimizer, weighted_metrics=Vec::new()))]
    fn compile(
        &self,
        loss: LossArg,
        metrics: Vec<String>,
        optimizer: OptimizerArg,
        weighted_metrics: Vec<String>,
    ) -> PyResult<()> {
        let parse = |v: &[String]| v.iter().map(|m| Metric::from_name(m)).collect::<Result<Vec<_>, _>>();
        let (metrics, weighted) = (parse(&metrics)?, parse(&weighted_metrics)?);
        guarded(|| self.model.compile_with(loss.0, metrics, weighted, optimizer.0, optimizer.1.clone()))?;
        guarded(|| self.model.set_loss_reduction(loss.1, loss.2).and_then(|()| optimizer.set_rules(&self.model)))
    }

    /// The compiled optimizer's hyper-parameters, clipping and decay from `optimizer` (`OptimizerArg::reconfigure`).
    fn reconfigure_optimizer(&self, optimizer: OptimizerArg) -> PyResult<()> {
        Ok(optimizer.reconfigure(&self.model)?)
    }

    /// Train; see `trainer::fit`. Returns the number of epochs run.
    #[pyo3(signature = (x, y, val_x, val_y, batch_size, epochs, initial_epoch, shuffle, validation_batch_size, observer, batch_interval, sample_weight=None, val_sample_weight=None))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        &self,
        py: Python<'_>,
        x: PyReadonlyArray2<'_, f32>,
        y: PyReadonlyArray2<'_, f32>,
        val_x: Option<PyReadonlyArray2<'_, f32>>,
        val_y: Option<PyReadonlyArray2<'_, f32>>,
        batch_size: usize,
        epochs: usize,
        initial_epoch: usize,
        shuffle: bool,
        validation_batch_size: usize,
        observer: Py<PyAny>,
        batch_interval: f64,
        sample_weight: Option<PyReadonlyArray1<'_, f32>>,
        val_sample_weight: Option<PyReadonlyArray1<'_, f32>>,
    ) -> PyResult<usize> {
        let train = convert::data(&x, &y, sample_weight.as_ref(), "x", "y")?;
        let val = match (&val_x, &val_y) {
            (Some(vx), Some(vy)) => {
                let vw = val_sample_weight.as_ref();
                Some(convert::data(vx, vy, vw, "validation_data x", "validation_data y")?)
            }
            _ => None,
        };
        let opts = FitOptions { batch_size, epochs, initial_epoch, shuffle, validation_batch_size };
        observer::fit(py, &self.model, (train, val), opts, observer, batch_interval)
    }

    /// Inference on a (rows, input_dim) float32 array; with `as_type` (a subclass of `numpy.ndarray`), the
    /// result is made as that type directly: cheaper than a `view` for a one-row call.
    #[pyo3(signature = (x, as_type=None))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: Bound<'py, PyArray2<f32>>,
        as_type: Option<Bound<'py, PyType>>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        inference::predict(&self.model, self.shape, py, &x, as_type)
    }

    /// `[loss, metric...]` over (x, y) in inference mode. With an `observer`, its `on_test_batch_begin(step)`
    /// and `on_test_batch_end(step, running)` are called around each batch (see `observer::Relay`).
    #[pyo3(signature = (x, y, batch_size, observer=None, sample_weight=None))]
    fn evaluate(
        &self,
        py: Python<'_>,
        x: PyReadonlyArray2<'_, f32>,
        y: PyReadonlyArray2<'_, f32>,
        batch_size: usize,
        observer: Option<Py<PyAny>>,
        sample_weight: Option<PyReadonlyArray1<'_, f32>>,
    ) -> PyResult<Vec<f64>> {
        let d = convert::data(&x, &y, sample_weight.as_ref(), "x", "y")?;
        inference::evaluate(&self.model, self.shape, py, d, batch_size, observer)
    }

    /// Predictions one batch at a time, calling `observer.on_predict_batch_begin(step)` and
    /// `observer.on_predict_batch_end(step, outputs)` around each (Keras's predict hooks).
    fn predict_batches<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f32>,
        batch_size: usize,
        observer: Py<PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        inference::predict_batches(&self.model, self.shape, py, &x, batch_size, observer)
    }
}
