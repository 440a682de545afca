//! `model(x, training=True)` outside `fit`: the training-mode forward pass of one batch (Dropout's masks,
//! BatchNormalization's batch statistics and moving-statistics update) with no backward pass or optimizer
//! step. It runs on the host copy of the network, which is current outside `fit`; on a GPU the updated
//! moving statistics are then uploaded, so both copies stay the same.

use crate::backend::Change;
use crate::error::{Error, Result};
use crate::layer::LayerSpec;
use crate::model::Model;

impl Model {
    /// The outputs of the training-mode forward pass over `rows` rows of `x` (row-major, input width) into
    /// `out` (rows × output width). Refused while a `fit` of this model runs.
    pub fn call_training(&self, x: &[f32], rows: usize, out: &mut [f32]) -> Result<()> {
        let _exclusive = self.try_fitting()?.ok_or_else(|| {
            Error::State(
                "model(x, training=True) cannot run while this model is training: fit() is running in another \
                 thread, or this call comes from one of its callbacks."
                    .into(),
            )
        })?;
        let mut guard = self.write()?;
        let st = &mut *guard;
        let (iw, ow) = (st.net.input_dim, st.net.output_dim());
        if rows == 0 || x.len() != rows * iw || out.len() != rows * ow {
            return Err(Error::value(format!(
                "Input has {} values, expected {rows} rows of width {iw} (and at least one row). Received: x \
                 with {} values",
                x.len(),
                x.len()
            )));
        }
        let mut ws = st.net.workspace(rows)?;
        st.net.call_training(&mut ws, x, rows, out)?;
        let updates = st.net.layers.iter().any(|l| l.trainable && matches!(l.spec, LayerSpec::BatchNorm { .. }));
        if updates {
            st.host_changed(Change::Weights)?;
        }
        Ok(())
    }
}
