//! [`LossError`]: targets that do not fit the predictions.

use kerosene_tensor::TensorError;

/// Shorthand for loss results.
pub type Result<T, E = LossError> = std::result::Result<T, E>;

/// Why a loss could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LossError {
    /// Predictions and targets whose shapes do not fit this loss.
    #[error("{loss}: {message}: predictions {pred:?}, targets {target:?}")]
    Shape {
        /// The loss.
        loss: &'static str,
        /// The rule.
        message: String,
        /// Prediction shape.
        pred: Vec<usize>,
        /// Target shape.
        target: Vec<usize>,
    },
    /// A class label outside `0..classes` or not a whole number.
    #[error("{loss}: label {label} at index {index} is out of range for {classes} classes (0..{classes})")]
    Label {
        /// The loss.
        loss: &'static str,
        /// The offending label.
        label: f64,
        /// Its position (flat index into the targets).
        index: usize,
        /// The number of classes the predictions have.
        classes: usize,
    },
    /// Sample weights that do not broadcast to the per-sample losses.
    #[error("{loss}: sample weights of shape {weights:?} do not fit per-sample losses of shape {losses:?}")]
    Weights {
        /// The loss.
        loss: &'static str,
        /// Weight shape.
        weights: Vec<usize>,
        /// Loss shape.
        losses: Vec<usize>,
    },
    /// An unknown loss name.
    #[error(
        "unknown loss \"{0}\"; known: mse, mae, huber, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, kl_divergence"
    )]
    UnknownName(String),
    /// A tensor operation failed.
    #[error(transparent)]
    Tensor(#[from] TensorError),
}
