//! `evaluate` and `test_on_batch`: the loss and metrics without training.

use kerosene_autograd::{Var, no_grad};
use kerosene_losses::Reduction;
use kerosene_nn::Module;
use kerosene_tensor::Tensor;

use super::Scores;
use super::fit::Tracker;
use super::sequential::Sequential;
use super::validate::{check_batch_size, check_targets, check_xy};
use crate::callbacks::Logs;
use crate::error::Result;

impl Sequential {
    /// The loss and metrics on `(x, y)` in batches of 32, in evaluation mode with no graph
    /// recorded: `scores["loss"]`, `scores["accuracy"]`, ...
    ///
    /// # Errors
    /// If the model is not compiled, or the data does not fit it (as `fit`).
    pub fn evaluate(&mut self, x: &Tensor, y: &Tensor) -> Result<Scores> {
        self.evaluate_batched(x, y, 32)
    }

    /// [`Sequential::evaluate`] with a batch size.
    ///
    /// # Errors
    /// As [`Sequential::evaluate`], or if `batch_size` is 0.
    pub fn evaluate_batched(&mut self, x: &Tensor, y: &Tensor, batch_size: usize) -> Result<Scores> {
        self.compiled()?;
        check_batch_size(batch_size)?;
        check_xy(x, y)?;
        self.ensure_built_for(x)?;
        check_targets(self, y, self.compiled()?.loss)?;
        self.set_training(false);
        self.evaluate_logs(x, y, batch_size, "")
    }

    /// Loss and metrics of one batch (Keras' `test_on_batch`).
    ///
    /// # Errors
    /// As [`Sequential::evaluate`].
    pub fn test_on_batch(&mut self, x: &Tensor, y: &Tensor) -> Result<Scores> {
        let n = x.shape().first().copied().unwrap_or(0).max(1);
        self.evaluate_batched(x, y, n)
    }

    pub(crate) fn evaluate_logs(&self, x: &Tensor, y: &Tensor, batch_size: usize, prefix: &str) -> Result<Logs> {
        let loss_kind = self.compiled()?.loss;
        let mut tracker = Tracker::new(self)?;
        let n = x.shape()[0];
        no_grad(|| -> Result<()> {
            for s in (0..n).step_by(batch_size) {
                let e = (s + batch_size).min(n);
                let (xb, yb) = (x.slice(0, s, e, 1), y.slice(0, s, e, 1).contiguous());
                let (out, loss_kind, fused) = self.forward_for_loss(&Var::new(xb), loss_kind);
                let loss = loss_kind.compute(&out, &yb, None, Reduction::Mean)?;
                tracker.update(loss.item(), &out.value(), fused, &yb);
            }
            Ok(())
        })?;
        Ok(tracker.logs(prefix))
    }
}
