//! Grad mode: [`no_grad`] runs code without recording a graph (inference, metrics, updates).

use std::cell::Cell;

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// True unless inside [`no_grad`] (or a [`NoGradGuard`]) on this thread.
pub fn is_grad_enabled() -> bool {
    ENABLED.with(|e| e.get())
}

/// Runs `f` with graph recording off on this thread: results are constants, no tensors are
/// saved for backward. Nests, and restores the previous mode even if `f` panics.
///
/// ```
/// use kerosene_autograd::{Var, no_grad};
/// use kerosene_tensor::Tensor;
/// let w = Var::param(Tensor::ones(&[2]));
/// let y = no_grad(|| w.mul_scalar(2.0));
/// assert!(!y.requires_grad());
/// ```
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    let _g = NoGradGuard::new();
    f()
}

/// Turns graph recording off on this thread until dropped.
pub struct NoGradGuard {
    prev: bool,
}

impl NoGradGuard {
    /// Disables recording; the previous mode returns when the guard drops.
    pub fn new() -> NoGradGuard {
        let prev = ENABLED.with(|e| e.replace(false));
        NoGradGuard { prev }
    }
}

impl Default for NoGradGuard {
    fn default() -> Self {
        NoGradGuard::new()
    }
}

impl Drop for NoGradGuard {
    fn drop(&mut self) {
        ENABLED.with(|e| e.set(self.prev));
    }
}
