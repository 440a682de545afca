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

#[cfg(test)]
mod tests {
    use super::*;

    const X: [f32; 12] = [1.0, 2.0, 3.0, 0.0, -1.0, 5.0, 2.0, 0.5, -1.0, 4.0, 1.0, 0.0];

    #[test]
    fn batch_norm_uses_the_batch_statistics_and_updates_the_moving_ones() {
        let bn = LayerSpec::BatchNorm { momentum: 0.8, epsilon: 0.01, center: true, scale: true };
        let model = Model::new(3, vec![bn], 1).unwrap();
        let mut out = [0.0f32; 12];
        model.call_training(&X, 4, &mut out).unwrap();
        let (weights, _) = model.snapshot().unwrap();
        for j in 0..3 {
            let col: Vec<f64> = (0..4).map(|r| f64::from(X[r * 3 + j])).collect();
            let mean = col.iter().sum::<f64>() / 4.0;
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 4.0;
            for r in 0..4 {
                let want = (col[r] - mean) / (var + 0.01).sqrt();
                assert!((f64::from(out[r * 3 + j]) - want).abs() < 1e-5, "row {r} column {j}");
            }
            // gamma 1, beta 0, moving mean 0 and moving variance 1 at first
            assert!((f64::from(weights[2][j]) - 0.2 * mean).abs() < 1e-5);
            assert!((f64::from(weights[3][j]) - (0.8 + 0.2 * var)).abs() < 1e-5);
        }
    }

    #[test]
    fn dropout_drops_and_scales_and_a_wrong_width_is_refused() {
        let model = Model::new(
            3,
            vec![LayerSpec::Dropout { rate: 0.5, seed: Some(3), noise: crate::layers::dropout::Noise::Bernoulli }],
            1,
        )
        .unwrap();
        let x = vec![1.5f32; 3000];
        let mut out = vec![0.0f32; 3000];
        model.call_training(&x, 1000, &mut out).unwrap();
        let kept = out.iter().filter(|&&v| v != 0.0).count();
        assert!((1300..1700).contains(&kept), "{kept} of 3000 kept");
        assert!(out.iter().all(|&v| v == 0.0 || v == 3.0));
        assert!(model.call_training(&x[..4], 1, &mut out[..3]).is_err());
    }
}
