//! [`AutogradError`]: misuse of backward and gradient-check failures.

use kerosene_tensor::TensorError;

/// Shorthand for results of autograd operations.
pub type Result<T, E = AutogradError> = std::result::Result<T, E>;

/// What went wrong in a backward pass or a gradient check.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AutogradError {
    /// `backward()` without a seed needs a one-element result.
    #[error(
        "backward: called on a tensor of shape {shape:?}; it needs a one-element result (a loss), or use backward_with(seed)"
    )]
    NonScalarBackward {
        /// The shape of the variable.
        shape: Vec<usize>,
    },
    /// The seed of `backward_with` has the wrong shape.
    #[error("backward_with: seed of shape {seed:?} for a variable of shape {var:?}")]
    SeedShape {
        /// The seed's shape.
        seed: Vec<usize>,
        /// The variable's shape.
        var: Vec<usize>,
    },
    /// Backward through a graph that a previous backward freed.
    #[error(
        "backward: the graph through `{op}` was freed by a previous backward; pass retain_graph = true to the first backward_with to run backward twice"
    )]
    GraphFreed {
        /// The op whose saved state is gone.
        op: &'static str,
    },
    /// A tensor operation failed.
    #[error(transparent)]
    Tensor(#[from] TensorError),
    /// A gradient check found a mismatch (see [`gradcheck`](crate::gradcheck)).
    #[error("{0}")]
    Gradcheck(String),
}
