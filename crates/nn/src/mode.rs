//! [`ModeFlag`]: the train / eval switch of layers such as Dropout and BatchNormalization.

use std::sync::atomic::{AtomicBool, Ordering};

/// Whether a layer is in training mode (the default, as in PyTorch) or evaluation mode.
/// Layers hold one and report it through [`Visitor::mode`](crate::Visitor::mode), so that
/// `model.eval()` reaches every layer without `&mut` access.
#[derive(Debug)]
pub struct ModeFlag(AtomicBool);

impl ModeFlag {
    /// A flag in training mode.
    pub fn new() -> ModeFlag {
        ModeFlag(AtomicBool::new(true))
    }

    /// True in training mode.
    pub fn is_training(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Switches between training (`true`) and evaluation (`false`).
    pub fn set_training(&self, training: bool) {
        self.0.store(training, Ordering::Relaxed)
    }
}

impl Default for ModeFlag {
    fn default() -> Self {
        ModeFlag::new()
    }
}

impl Clone for ModeFlag {
    fn clone(&self) -> Self {
        ModeFlag(AtomicBool::new(self.is_training()))
    }
}
