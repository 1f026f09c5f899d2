//! [`Reduction`]: how per-sample losses become the loss, with optional sample weights.

use serde::{Deserialize, Serialize};

use kerosene_autograd::Var;
use kerosene_tensor::{Tensor, broadcast_shapes};

use crate::error::{LossError, Result};

/// How per-sample (or per-element) losses are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Reduction {
    /// The sum divided by the number of losses (Keras' `sum_over_batch_size`, PyTorch's `mean`).
    #[default]
    Mean,
    /// The sum.
    Sum,
    /// No reduction: one loss per sample (per element for sequences).
    None,
}

impl Reduction {
    /// Weights the losses (if `weights`), then reduces. With weights, `Mean` divides the weighted
    /// sum by the number of losses, as Keras does (so zero weights can mask padded positions).
    ///
    /// # Errors
    /// If the weights do not broadcast to the losses' shape.
    pub fn apply(self, loss: &'static str, losses: Var, weights: Option<&Tensor>) -> Result<Var> {
        let losses = match weights {
            None => losses,
            Some(w) => {
                let fits = broadcast_shapes(loss, w.shape(), losses.shape()).is_ok_and(|s| s == losses.shape());
                if !fits {
                    return Err(LossError::Weights {
                        loss,
                        weights: w.shape().to_vec(),
                        losses: losses.shape().to_vec(),
                    });
                }
                losses.mul(&Var::new(w.to_dtype(losses.dtype())))
            }
        };
        Ok(match self {
            Reduction::Mean => losses.mean_all(),
            Reduction::Sum => losses.sum_all(),
            Reduction::None => losses,
        })
    }
}
