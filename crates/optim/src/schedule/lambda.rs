//! [`LambdaLr`]: a schedule from a closure (PyTorch's `LambdaLR`).

use std::fmt;

use super::LrSchedule;
use crate::error::{check_lr, ok};

/// `base_lr * factor(step)` for a user closure `factor` (PyTorch's `LambdaLR`, counted in
/// optimizer steps). Closures cannot be serialized, so an optimizer with a `LambdaLr` saves its
/// current learning rate as a constant in its [`config`](crate::Optimizer::config).
///
/// ```
/// use kerosene_optim::{LambdaLr, LrSchedule};
///
/// // Inverse square-root decay after 4 warmup steps.
/// let s = LambdaLr::new(0.1, |t| if t < 4 { (t + 1) as f64 / 4.0 } else { (4.0 / (t + 1) as f64).sqrt() });
/// assert!((s.lr(0) - 0.025).abs() < 1e-15);
/// assert_eq!(s.lr(3), 0.1);
/// assert!((s.lr(15) - 0.05).abs() < 1e-15);
/// ```
pub struct LambdaLr {
    base_lr: f64,
    factor: Box<dyn Fn(u64) -> f64 + Send + Sync>,
}

impl LambdaLr {
    /// The learning rate `base_lr * factor(step)`.
    ///
    /// # Panics
    /// If `base_lr` is negative or NaN.
    #[track_caller]
    pub fn new(base_lr: f64, factor: impl Fn(u64) -> f64 + Send + Sync + 'static) -> LambdaLr {
        ok(check_lr(base_lr));
        LambdaLr { base_lr, factor: Box::new(factor) }
    }
}

impl LrSchedule for LambdaLr {
    fn lr(&self, step: u64) -> f64 {
        self.base_lr * (self.factor)(step)
    }
}

impl fmt::Debug for LambdaLr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LambdaLr").field("base_lr", &self.base_lr).finish_non_exhaustive()
    }
}
