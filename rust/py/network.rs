//! `_core.Network`: a built model (weights, optimizer state) that Python's `Sequential` drives.

use numpy::{IntoPyArray, PyArray2, PyArrayDyn, PyArrayMethods, PyReadonlyArray2, PyReadonlyArrayDyn};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use crate::error::{checked_size, try_zeros};
use crate::metric::Metric;
use crate::model::Model;
use crate::trainer::{self, Data, FitOptions};

use super::convert;
use super::errors::{detached, guarded, to_py};
use super::observer::PyObserver;

/// `(layer_index, name, shape, trainable)` of one weight.
type WeightRow = (usize, &'static str, Vec<usize>, bool);

/// What `snapshot` returns: the weights and, when compiled, the optimizer state.
type Snapshot<'py> = (Vec<Bound<'py, PyArrayDyn<f32>>>, Option<(u64, Vec<SlotRow<'py>>)>);

/// `(weight_index, slot_name, values)` of one optimizer slot.
type SlotRow<'py> = (usize, &'static str, Bound<'py, PyArrayDyn<f32>>);

/// A network built for one input width, with its parameters and (after `compile`) optimizer state.
#[pyclass(frozen, module = "keras_lite._core")]
pub struct Network {
    model: Model,
    /// Fixed at construction: the widths and the multiply-adds of one row, for the predict fast path.
    input_dim: usize,
    output_dim: usize,
    row_macs: usize,
}

/// How often the thread that called `fit` checks for Ctrl-C while the loop runs.
const SIGNAL_POLL: Duration = Duration::from_millis(10);

/// Outputs above this many values are allocated on the Rust side (see `predict`).
const LARGE_OUTPUT: usize = 1 << 20;

/// Predictions below this many multiply-adds run with the GIL held: releasing and re-taking it costs more.
const DETACH_MIN_MACS: usize = 1 << 14;

fn shaped<'py>(py: Python<'py>, values: &[f32], shape: &[usize]) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    let flat = numpy::PyArray1::from_slice(py, values);
    Ok(flat.reshape(shape.to_vec())?.to_dyn().clone())
}

#[pymethods]
impl Network {
    #[new]
    fn new(input_dim: usize, layers: &Bound<'_, PyList>, seed: u64) -> PyResult<Self> {
        let specs = layers.iter().map(|l| convert::layer_spec(l.cast::<PyTuple>()?)).collect::<PyResult<Vec<_>>>()?;
        let model = guarded(|| Model::new(input_dim, specs, seed))?;
        let (output_dim, row_macs) = {
            let st = model.read().map_err(to_py)?;
            (st.net.output_dim(), st.net.params.len())
        };
        Ok(Network { model, input_dim, output_dim, row_macs })
    }

    /// Input width.
    #[getter]
    fn input_dim(&self) -> PyResult<usize> {
        Ok(self.model.read().map_err(to_py)?.net.input_dim)
    }

    /// Output width.
    #[getter]
    fn output_dim(&self) -> PyResult<usize> {
        Ok(self.model.read().map_err(to_py)?.net.output_dim())
    }

    /// Optimizer steps taken since `compile` (Keras's `optimizer.iterations`).
    #[getter]
    fn iterations(&self) -> PyResult<u64> {
        Ok(self.model.read().map_err(to_py)?.compiled.as_ref().map_or(0, |c| c.optimizer.iterations))
    }

    /// `[(layer_index, name, shape, trainable), ...]` in Keras's weight order.
    fn weight_info(&self) -> PyResult<Vec<WeightRow>> {
        let st = self.model.read().map_err(to_py)?;
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
        let st = self.model.read().map_err(to_py)?;
        let v = st.net.weight(i).map_err(to_py)?;
        shaped(py, v, &st.net.weights[i].shape)
    }

    /// Copies of all weights, Keras order.
    fn get_weights<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyArrayDyn<f32>>>> {
        let st = self.model.read().map_err(to_py)?;
        st.net.weights.iter().map(|w| shaped(py, &st.net.params[w.range()], &w.shape)).collect()
    }

    /// Overwrite weight `i` (a C-contiguous float32 array with its number of values).
    fn set_weight(&self, i: usize, value: PyReadonlyArrayDyn<'_, f32>) -> PyResult<()> {
        let s = convert::c_slice(&value, "value")?;
        let mut st = self.model.write().map_err(to_py)?;
        st.net.set_weight(i, s).map_err(to_py)?;
        st.host_changed().map_err(to_py)
    }

    /// Overwrite all weights at once (all are checked before any is written).
    fn set_weights(&self, values: Vec<PyReadonlyArrayDyn<'_, f32>>) -> PyResult<()> {
        let slices = values.iter().map(|v| convert::c_slice(v, "weights")).collect::<PyResult<Vec<_>>>()?;
        let mut st = self.model.write().map_err(to_py)?;
        if slices.len() != st.net.weights.len() {
            return Err(PyValueError::new_err(format!(
                "set_weights expects {} arrays. Received: {} arrays",
                st.net.weights.len(),
                slices.len()
            )));
        }
        for (w, s) in st.net.weights.iter().zip(&slices) {
            if w.len() != s.len() {
                return Err(PyValueError::new_err(format!(
                    "weight {} expects {} values. Received: {}",
                    w.name,
                    w.len(),
                    s.len()
                )));
            }
        }
        for (i, s) in slices.iter().enumerate() {
            st.net.set_weight(i, s).map_err(to_py)?;
        }
        st.host_changed().map_err(to_py)
    }

    /// `(weights, (iterations, slot rows) | None)` read under one lock (see `optimizer_state`).
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Snapshot<'py>> {
        let (weights, opt) = self.model.snapshot().map_err(to_py)?;
        let st = self.model.read().map_err(to_py)?;
        let shapes: Vec<&[usize]> = st.net.weights.iter().map(|w| w.shape.as_slice()).collect();
        let ws = weights.iter().zip(&shapes).map(|(v, s)| shaped(py, v, s)).collect::<PyResult<Vec<_>>>()?;
        let opt = match opt {
            Some((it, rows)) => Some((
                it,
                rows.iter()
                    .map(|(i, name, v)| Ok((*i, *name, shaped(py, v, shapes[*i])?)))
                    .collect::<PyResult<Vec<_>>>()?,
            )),
            None => None,
        };
        Ok((ws, opt))
    }

    /// `(iterations, [(weight_index, slot_name, values)])`: per trainable weight (Keras order), each slot;
    /// Python regroups them into the order Keras's files use.
    fn optimizer_state<'py>(&self, py: Python<'py>) -> PyResult<(u64, Vec<SlotRow<'py>>)> {
        let (it, slots) = self.model.optimizer_state().map_err(to_py)?;
        let st = self.model.read().map_err(to_py)?;
        let mut rows = Vec::with_capacity(slots.len());
        for (i, name, values) in slots {
            rows.push((i, name, shaped(py, &values, &st.net.weights[i].shape)?));
        }
        Ok((it, rows))
    }

    /// Restore the optimizer state: `iterations` and the slot arrays in `optimizer_state`'s order.
    fn set_optimizer_state(&self, iterations: u64, values: Vec<PyReadonlyArrayDyn<'_, f32>>) -> PyResult<()> {
        let slices = values.iter().map(|v| convert::c_slice(v, "optimizer state")).collect::<PyResult<Vec<_>>>()?;
        self.model.set_optimizer_state(iterations, &slices).map_err(to_py)?;
        self.model.write().map_err(to_py)?.host_changed().map_err(to_py)
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
        Ok(self.model.read().map_err(to_py)?.device())
    }

    /// Freeze or unfreeze layer `layer` (Keras's `layer.trainable`).
    fn set_layer_trainable(&self, layer: usize, trainable: bool) -> PyResult<()> {
        let mut st = self.model.write().map_err(to_py)?;
        let n = st.net.layers.len();
        let l = st.net.layers.get_mut(layer).ok_or_else(|| {
            PyValueError::new_err(format!("layer index out of range ({n} layers). Received: {layer}"))
        })?;
        l.trainable = trainable;
        st.host_changed().map_err(to_py)
    }

    /// Set the loss, metrics and a fresh optimizer.
    fn compile(
        &self,
        loss: &str,
        loss_params: &Bound<'_, PyDict>,
        metrics: Vec<String>,
        optimizer: &str,
        optimizer_params: &Bound<'_, PyDict>,
    ) -> PyResult<()> {
        let loss = convert::loss(loss, loss_params)?;
        let opt = convert::optimizer(optimizer, optimizer_params)?;
        let metrics = metrics.iter().map(|m| Metric::from_name(m)).collect::<Result<Vec<_>, _>>().map_err(to_py)?;
        guarded(|| self.model.compile(loss, metrics, opt))
    }

    /// Train; see `trainer::fit`. Returns the number of epochs run.
    #[pyo3(signature = (x, y, val_x, val_y, batch_size, epochs, initial_epoch, shuffle, validation_batch_size, observer, batch_interval))]
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
    ) -> PyResult<usize> {
        let (xs, rows, _) = convert::matrix(&x, "x")?;
        let (ys, yrows, _) = convert::matrix(&y, "y")?;
        if rows != yrows {
            return Err(PyValueError::new_err(format!(
                "x and y must have the same number of samples. Received: x with {rows} rows, y with {yrows} rows"
            )));
        }
        let val = match (&val_x, &val_y) {
            (Some(vx), Some(vy)) => {
                let (vxs, vrows, _) = convert::matrix(vx, "validation_data x")?;
                let (vys, vyrows, _) = convert::matrix(vy, "validation_data y")?;
                if vrows != vyrows {
                    return Err(PyValueError::new_err(format!(
                        "validation x and y must have the same number of samples. Received: {vrows} and {vyrows} rows"
                    )));
                }
                Some(Data { x: vxs, y: vys, rows: vrows })
            }
            _ => None,
        };
        let opts = FitOptions { batch_size, epochs, initial_epoch, shuffle, validation_batch_size };
        let cancel = AtomicBool::new(false);
        let mut obs = PyObserver::new(observer, batch_interval, &cancel);
        let train = Data { x: xs, y: ys, rows };
        let model = &self.model;
        let mut interrupt: Option<PyErr> = None;
        // The loop runs on a pool thread; this thread (usually Python's main thread, the only one that sees
        // Ctrl-C) waits for it without the GIL and checks for signals every few milliseconds.
        let outcome = py.detach(|| {
            let (done_tx, done_rx) = mpsc::channel::<()>();
            std::thread::scope(|s| {
                let obs = &mut obs;
                let worker = s.spawn(move || {
                    let r = catch_unwind(AssertUnwindSafe(|| trainer::fit(model, train, val, opts, obs)));
                    let _ = done_tx.send(());
                    r
                });
                loop {
                    match done_rx.recv_timeout(SIGNAL_POLL) {
                        Err(mpsc::RecvTimeoutError::Timeout) if interrupt.is_none() => {
                            if let Err(e) = Python::attach(|py| py.check_signals()) {
                                interrupt = Some(e);
                                cancel.store(true, Ordering::Relaxed);
                            }
                        }
                        Err(mpsc::RecvTimeoutError::Timeout) => {}
                        _ => break,
                    }
                }
                worker.join()
            })
        });
        if let Some(e) = interrupt {
            return Err(e);
        }
        if let Some(e) = obs.error.take() {
            return Err(e);
        }
        match outcome {
            Ok(Ok(r)) => r.map_err(to_py),
            _ => Err(pyo3::exceptions::PyRuntimeError::new_err(
                "keras_lite internal error in the training loop (please report)",
            )),
        }
    }

    /// Inference on a (rows, input_dim) float32 array.
    fn predict<'py>(&self, py: Python<'py>, x: PyReadonlyArray2<'py, f32>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let (xs, rows, cols) = convert::matrix(&x, "x")?;
        let (iw, ow) = (self.input_dim, self.output_dim);
        if cols != iw {
            return Err(PyValueError::new_err(format!(
                "Input 0 of the model is incompatible: expected shape=(None, {iw}), found shape=({rows}, {cols})"
            )));
        }
        let model = &self.model;
        let len = checked_size(rows, ow, "the prediction").map_err(to_py)?;
        if len > LARGE_OUTPUT {
            // Large outputs are allocated in Rust, where a failure is a MemoryError rather than a panic.
            let mut values = try_zeros(len, "the predictions").map_err(to_py)?;
            detached(py, || model.predict(xs, rows, &mut values))?;
            let arr = numpy::ndarray::Array2::from_shape_vec((rows, ow), values)
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
            return Ok(arr.into_pyarray(py));
        }
        // SAFETY: a new array, not yet visible to any other code; every element is written by `predict`
        // below before it is returned (on error it is dropped unread).
        let out = unsafe { PyArray2::<f32>::new(py, [rows, ow], false) };
        // SAFETY: as above: nothing else can hold a view of `out` yet, so this exclusive slice is unique.
        let slice = unsafe { out.as_slice_mut() }.map_err(|e| PyValueError::new_err(e.to_string()))?;
        if rows.saturating_mul(self.row_macs) < DETACH_MIN_MACS {
            guarded(|| model.predict(xs, rows, slice))?;
        } else {
            detached(py, || model.predict(xs, rows, slice))?;
        }
        Ok(out)
    }

    /// `[loss, metric...]` over (x, y) in inference mode.
    fn evaluate(
        &self,
        py: Python<'_>,
        x: PyReadonlyArray2<'_, f32>,
        y: PyReadonlyArray2<'_, f32>,
        batch_size: usize,
    ) -> PyResult<Vec<f64>> {
        let (xs, rows, _) = convert::matrix(&x, "x")?;
        let (ys, yrows, _) = convert::matrix(&y, "y")?;
        if rows != yrows {
            return Err(PyValueError::new_err(format!(
                "x and y must have the same number of samples. Received: x with {rows} rows, y with {yrows} rows"
            )));
        }
        let model = &self.model;
        detached(py, || model.evaluate(xs, ys, rows, batch_size))
    }
}
