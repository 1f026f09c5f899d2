//! [`TensorError`]: every failure of a tensor operation, naming the operation and the shapes.

use std::fmt;

use crate::DType;

/// Shorthand for results of tensor operations.
pub type Result<T, E = TensorError> = std::result::Result<T, E>;

/// A shape written the way the messages print it: `[32, 784]`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Shape(pub Vec<usize>);

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl From<&[usize]> for Shape {
    fn from(s: &[usize]) -> Self {
        Shape(s.to_vec())
    }
}

/// Why a tensor operation failed. The message always starts with the operation's name.
///
/// ```
/// use kerosene_tensor::Tensor;
/// let a = Tensor::zeros(&[32, 784]);
/// let b = Tensor::zeros(&[128, 10]);
/// let err = a.try_matmul(&b).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "matmul: inner dimensions differ: lhs [32, 784], rhs [128, 10] (784 != 128)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TensorError {
    /// Two operands whose shapes do not fit together.
    #[error("{op}: {reason}: lhs {lhs}, rhs {rhs}{detail}")]
    Shapes {
        /// The operation, e.g. `"matmul"`.
        op: &'static str,
        /// The rule that was broken, e.g. `"inner dimensions differ"`.
        reason: String,
        /// Shape of the left (first) operand.
        lhs: Shape,
        /// Shape of the right (second) operand.
        rhs: Shape,
        /// Extra detail such as `" (784 != 128)"`, empty if none.
        detail: String,
    },
    /// An axis outside `-ndim..ndim`.
    #[error("{op}: axis {axis} is out of range for a tensor of shape {shape}")]
    Axis {
        /// The operation.
        op: &'static str,
        /// The axis that was asked for.
        axis: isize,
        /// The tensor's shape.
        shape: Shape,
    },
    /// Operands of different element types.
    #[error("{op}: element types differ: lhs {lhs}, rhs {rhs}")]
    DType {
        /// The operation.
        op: &'static str,
        /// Left element type.
        lhs: DType,
        /// Right element type.
        rhs: DType,
    },
    /// Any other invalid argument; the message says what and shows the shape involved.
    #[error("{op}: {message}")]
    Invalid {
        /// The operation.
        op: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl TensorError {
    /// The name of the operation that failed.
    pub fn op(&self) -> &'static str {
        match self {
            TensorError::Shapes { op, .. }
            | TensorError::Axis { op, .. }
            | TensorError::DType { op, .. }
            | TensorError::Invalid { op, .. } => op,
        }
    }

    pub(crate) fn shapes(op: &'static str, reason: impl Into<String>, lhs: &[usize], rhs: &[usize]) -> Self {
        TensorError::Shapes { op, reason: reason.into(), lhs: lhs.into(), rhs: rhs.into(), detail: String::new() }
    }

    pub(crate) fn invalid(op: &'static str, message: impl Into<String>) -> Self {
        TensorError::Invalid { op, message: message.into() }
    }
}

/// Unwraps the result of a `try_` twin, panicking with the error's message (the math-style API).
#[track_caller]
pub(crate) fn ok<T>(r: Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}
