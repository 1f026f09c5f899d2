//! [`OptimError`]: invalid hyper-parameters, unknown optimizer names and checkpoints that do not
//! fit, plus the range checks every constructor shares (with PyTorch's messages).

use std::fmt;

/// Shorthand for results of optimizer operations.
pub type Result<T, E = OptimError> = std::result::Result<T, E>;

/// A state tensor whose shape differs from what the optimizer expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeMismatch {
    /// The state name, e.g. `"0.exp_avg"`.
    pub name: String,
    /// The shape the optimizer expects (the parameter's shape, or `[]` for scalars).
    pub expected: Vec<usize>,
    /// The shape found in the state.
    pub found: Vec<usize>,
}

impl fmt::Display for ShapeMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} has shape {:?}, expected {:?}", self.name, self.found, self.expected)
    }
}

/// What went wrong when building an optimizer or loading its state.
///
/// ```
/// use kerosene_optim::{Adam, OptimError};
///
/// let err = Adam::try_new(vec![], -0.1).unwrap_err();
/// assert_eq!(err, OptimError::InvalidHyperParameter("Invalid learning rate: -0.1".into()));
/// assert_eq!(err.to_string(), "Invalid learning rate: -0.1");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OptimError {
    /// A hyper-parameter out of range. The message is PyTorch's, e.g. `Invalid learning rate: -0.1`
    /// or `Invalid beta parameter at index 1: 1.0`.
    #[error("{0}")]
    InvalidHyperParameter(String),
    /// [`OptimizerConfig::from_name`](crate::OptimizerConfig::from_name) does not know the name.
    #[error("unknown optimizer {name:?}; known optimizers: {}", known.join(", "))]
    UnknownOptimizer {
        /// The name asked for.
        name: String,
        /// Every name that is known.
        known: Vec<&'static str>,
    },
    /// [`load_state_dict`](crate::Optimizer::load_state_dict) found names or shapes that do not fit
    /// this optimizer and its parameters. Nothing was loaded.
    #[error("load_state_dict: {}", state_dict_message(missing, unexpected, mismatched))]
    StateDict {
        /// Names the optimizer needs that the state lacks (`"step"`, or a buffer of a parameter
        /// whose other buffers are present).
        missing: Vec<String>,
        /// Names the optimizer does not know: an unknown buffer, a parameter index out of range,
        /// or a name given twice.
        unexpected: Vec<String>,
        /// Known names whose tensors have the wrong shape.
        mismatched: Vec<ShapeMismatch>,
    },
    /// A state entry with the right name and shape but an impossible value (a negative or
    /// fractional step count, a negative learning rate).
    #[error("load_state_dict: {0}")]
    InvalidState(String),
}

fn state_dict_message(missing: &[String], unexpected: &[String], mismatched: &[ShapeMismatch]) -> String {
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing {}", missing.join(", ")));
    }
    if !unexpected.is_empty() {
        parts.push(format!("unexpected {}", unexpected.join(", ")));
    }
    if !mismatched.is_empty() {
        let m: Vec<String> = mismatched.iter().map(ToString::to_string).collect();
        parts.push(format!("wrong shape: {}", m.join(", ")));
    }
    parts.join("; ")
}

/// Unwraps a constructor's result, panicking with its message (the `new` twin of `try_new`).
#[track_caller]
pub(crate) fn ok<T>(r: Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

/// `x >= 0`, false for NaN.
pub(crate) fn non_negative(x: f64) -> bool {
    x >= 0.0
}

fn invalid(msg: String) -> OptimError {
    OptimError::InvalidHyperParameter(msg)
}

/// `lr >= 0` (NaN fails).
pub(crate) fn check_lr(lr: f64) -> Result<()> {
    if lr >= 0.0 { Ok(()) } else { Err(invalid(format!("Invalid learning rate: {lr:?}"))) }
}

/// `eps >= 0`.
pub(crate) fn check_eps(eps: f64) -> Result<()> {
    if eps >= 0.0 { Ok(()) } else { Err(invalid(format!("Invalid epsilon value: {eps:?}"))) }
}

/// `0 <= beta < 1`, for the beta at `index` of a pair.
pub(crate) fn check_beta(index: usize, beta: f64) -> Result<()> {
    if (0.0..1.0).contains(&beta) {
        Ok(())
    } else {
        Err(invalid(format!("Invalid beta parameter at index {index}: {beta:?}")))
    }
}

/// `weight_decay >= 0`.
pub(crate) fn check_weight_decay(wd: f64) -> Result<()> {
    if wd >= 0.0 { Ok(()) } else { Err(invalid(format!("Invalid weight_decay value: {wd:?}"))) }
}

/// `momentum >= 0`.
pub(crate) fn check_momentum(momentum: f64) -> Result<()> {
    if momentum >= 0.0 { Ok(()) } else { Err(invalid(format!("Invalid momentum value: {momentum:?}"))) }
}

/// `value >= 0`, with PyTorch's message `Invalid {what} value: {value}`.
pub(crate) fn check_non_negative(what: &str, value: f64) -> Result<()> {
    if value >= 0.0 { Ok(()) } else { Err(invalid(format!("Invalid {what} value: {value:?}"))) }
}
