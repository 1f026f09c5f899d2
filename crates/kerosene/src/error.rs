//! [`Error`]: one error type for the whole API, with each crate's error inside.

use std::path::PathBuf;

/// Shorthand for results of the Kerosene API.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong at the API level. Bad user data and bad configuration are
/// reported with messages that say what was expected and what arrived.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A tensor operation failed.
    #[error(transparent)]
    Tensor(#[from] kerosene_tensor::TensorError),
    /// A backward pass or gradient check failed.
    #[error(transparent)]
    Autograd(#[from] kerosene_autograd::AutogradError),
    /// A layer could not be built, or weights did not fit.
    #[error(transparent)]
    Nn(#[from] kerosene_nn::NnError),
    /// A loss could not be computed.
    #[error(transparent)]
    Loss(#[from] kerosene_losses::LossError),
    /// An optimizer could not be built or restored.
    #[error(transparent)]
    Optim(#[from] kerosene_optim::OptimError),
    /// A dataset could not be read.
    #[error(transparent)]
    Dataset(#[from] kerosene_datasets::DatasetError),
    /// Training or evaluation data that does not fit the model (lengths, shapes, labels, emptiness).
    #[error("{0}")]
    Data(String),
    /// A bad setting (batch size, validation split, an unknown name, a missing `compile`).
    #[error("{0}")]
    Config(String),
    /// A model file that cannot be read: corrupted, truncated, foreign, or from a newer version.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// An I/O error on a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}
