//! [`NnError`]: building, shape-inference and checkpoint errors of layers.

use kerosene_tensor::TensorError;

/// Shorthand for results of layer operations.
pub type Result<T, E = NnError> = std::result::Result<T, E>;

/// What went wrong while building a layer, inferring shapes, or loading weights.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NnError {
    /// An input shape a layer cannot take, named Keras-style.
    #[error("layer \"{layer}\" {message}")]
    InputShape {
        /// The layer's name.
        layer: String,
        /// What was expected and what arrived, with both shapes.
        message: String,
    },
    /// A bad layer configuration (e.g. zero units, a dropout rate outside `[0, 1)`).
    #[error("{0}")]
    Config(String),
    /// A state dict that does not fit the module; lists every problem at once.
    #[error("{0}")]
    StateDict(#[from] StateDictMismatch),
    /// A tensor operation failed.
    #[error(transparent)]
    Tensor(#[from] TensorError),
}

/// Every missing, unexpected and wrongly shaped entry of a state dict, reported together.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StateDictMismatch {
    /// Names the module has but the state dict lacks.
    pub missing: Vec<String>,
    /// Names in the state dict that the module does not have.
    pub unexpected: Vec<String>,
    /// `(name, module's shape, state dict's shape)` for entries whose shapes differ.
    pub mismatched: Vec<(String, Vec<usize>, Vec<usize>)>,
}

impl StateDictMismatch {
    /// True if nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty() && self.mismatched.is_empty()
    }
}

impl std::fmt::Display for StateDictMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "weights do not match the model:")?;
        for m in &self.missing {
            write!(f, "\n  missing: {m}")?;
        }
        for u in &self.unexpected {
            write!(f, "\n  unexpected: {u}")?;
        }
        for (n, want, got) in &self.mismatched {
            write!(f, "\n  wrong shape: {n}: model has {want:?}, file has {got:?}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StateDictMismatch {}
