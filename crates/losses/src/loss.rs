//! [`Loss`]: the losses by value and by Keras name, for `compile`.

use serde::{Deserialize, Serialize};

use kerosene_autograd::Var;
use kerosene_tensor::Tensor;

use crate::binary_cross_entropy::binary_cross_entropy_weighted;
use crate::cross_entropy::{categorical_cross_entropy, kl_divergence, sparse_categorical_cross_entropy};
use crate::error::{LossError, Result};
use crate::reduction::Reduction;
use crate::regression::{huber_weighted, mae_weighted, mse_weighted};

/// A loss function by value (Keras' loss classes). The `FromLogits` variants take raw scores;
/// the others take probabilities (after a sigmoid or softmax).
///
/// ```
/// use kerosene_losses::Loss;
/// assert_eq!(Loss::from_name("sparse_categorical_crossentropy").unwrap(), Loss::SparseCategoricalCrossentropy);
/// assert_eq!(Loss::SparseCategoricalCrossentropy.from_logits(), Loss::SparseCategoricalCrossentropyFromLogits);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Loss {
    /// `"mse"`
    MeanSquaredError,
    /// `"mae"`
    MeanAbsoluteError,
    /// `"huber"` with its delta (Keras default 1.0).
    Huber(f64),
    /// `"binary_crossentropy"` on probabilities.
    BinaryCrossentropy,
    /// Binary cross-entropy on logits.
    BinaryCrossentropyFromLogits,
    /// `"categorical_crossentropy"` (one-hot targets) on probabilities.
    CategoricalCrossentropy,
    /// Categorical cross-entropy on logits.
    CategoricalCrossentropyFromLogits,
    /// `"sparse_categorical_crossentropy"` (integer labels) on probabilities.
    SparseCategoricalCrossentropy,
    /// Sparse categorical cross-entropy on logits.
    SparseCategoricalCrossentropyFromLogits,
    /// `"kl_divergence"`
    KLDivergence,
}

impl Loss {
    /// Looks up a Keras name (`"mse"`, `"mean_squared_error"`, `"mae"`, `"huber"`,
    /// `"binary_crossentropy"`, `"categorical_crossentropy"`, `"sparse_categorical_crossentropy"`,
    /// `"kl_divergence"` / `"kld"`).
    pub fn from_name(name: &str) -> Result<Loss> {
        Ok(match name {
            "mse" | "mean_squared_error" => Loss::MeanSquaredError,
            "mae" | "mean_absolute_error" => Loss::MeanAbsoluteError,
            "huber" | "huber_loss" => Loss::Huber(1.0),
            "binary_crossentropy" | "bce" => Loss::BinaryCrossentropy,
            "categorical_crossentropy" => Loss::CategoricalCrossentropy,
            "sparse_categorical_crossentropy" => Loss::SparseCategoricalCrossentropy,
            "kl_divergence" | "kld" | "kullback_leibler_divergence" => Loss::KLDivergence,
            other => return Err(LossError::UnknownName(other.to_string())),
        })
    }

    /// The Keras name.
    pub fn name(&self) -> &'static str {
        match self {
            Loss::MeanSquaredError => "mean_squared_error",
            Loss::MeanAbsoluteError => "mean_absolute_error",
            Loss::Huber(_) => "huber",
            Loss::BinaryCrossentropy | Loss::BinaryCrossentropyFromLogits => "binary_crossentropy",
            Loss::CategoricalCrossentropy | Loss::CategoricalCrossentropyFromLogits => "categorical_crossentropy",
            Loss::SparseCategoricalCrossentropy | Loss::SparseCategoricalCrossentropyFromLogits => {
                "sparse_categorical_crossentropy"
            }
            Loss::KLDivergence => "kl_divergence",
        }
    }

    /// The same loss taking logits (unchanged for losses without a logits form).
    pub fn from_logits(self) -> Loss {
        match self {
            Loss::BinaryCrossentropy => Loss::BinaryCrossentropyFromLogits,
            Loss::CategoricalCrossentropy => Loss::CategoricalCrossentropyFromLogits,
            Loss::SparseCategoricalCrossentropy => Loss::SparseCategoricalCrossentropyFromLogits,
            other => other,
        }
    }

    /// True for the variants that take logits.
    pub fn takes_logits(&self) -> bool {
        matches!(
            self,
            Loss::BinaryCrossentropyFromLogits
                | Loss::CategoricalCrossentropyFromLogits
                | Loss::SparseCategoricalCrossentropyFromLogits
        )
    }

    /// True for the multi-class cross-entropies, whose softmax can be fused into the loss.
    pub fn is_categorical(&self) -> bool {
        matches!(
            self,
            Loss::CategoricalCrossentropy
                | Loss::CategoricalCrossentropyFromLogits
                | Loss::SparseCategoricalCrossentropy
                | Loss::SparseCategoricalCrossentropyFromLogits
        )
    }

    /// True for the sparse (integer label) cross-entropy.
    pub fn is_sparse(&self) -> bool {
        matches!(self, Loss::SparseCategoricalCrossentropy | Loss::SparseCategoricalCrossentropyFromLogits)
    }

    /// True for binary cross-entropy.
    pub fn is_binary(&self) -> bool {
        matches!(self, Loss::BinaryCrossentropy | Loss::BinaryCrossentropyFromLogits)
    }

    /// The loss of `pred` against `target`, weighted and reduced.
    ///
    /// # Errors
    /// If the shapes do not fit the loss, a label is out of range, or the weights do not fit.
    pub fn compute(&self, pred: &Var, target: &Tensor, weights: Option<&Tensor>, reduction: Reduction) -> Result<Var> {
        match *self {
            Loss::MeanSquaredError => mse_weighted(pred, target, weights, reduction),
            Loss::MeanAbsoluteError => mae_weighted(pred, target, weights, reduction),
            Loss::Huber(d) => huber_weighted(pred, target, d, weights, reduction),
            Loss::BinaryCrossentropy => binary_cross_entropy_weighted(pred, target, false, weights, reduction),
            Loss::BinaryCrossentropyFromLogits => binary_cross_entropy_weighted(pred, target, true, weights, reduction),
            Loss::CategoricalCrossentropy => categorical_cross_entropy(pred, target, false, weights, reduction),
            Loss::CategoricalCrossentropyFromLogits => {
                categorical_cross_entropy(pred, target, true, weights, reduction)
            }
            Loss::SparseCategoricalCrossentropy => {
                sparse_categorical_cross_entropy(pred, target, false, weights, reduction)
            }
            Loss::SparseCategoricalCrossentropyFromLogits => {
                sparse_categorical_cross_entropy(pred, target, true, weights, reduction)
            }
            Loss::KLDivergence => kl_divergence(pred, target, weights, reduction),
        }
    }
}
