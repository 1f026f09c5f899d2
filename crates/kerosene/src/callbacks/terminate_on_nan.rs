//! [`TerminateOnNaN`]: stops as soon as the loss is NaN or infinite.

use super::{Callback, Logs};
use crate::error::Result;
use crate::model::Sequential;

/// Stops training at the first batch whose loss is not finite (Keras' `TerminateOnNaN`).
///
/// ```
/// use kerosene::callbacks::TerminateOnNaN;
/// let t = TerminateOnNaN::new();
/// assert!(t.stopped_at.is_none());
/// ```
#[derive(Debug, Default)]
pub struct TerminateOnNaN {
    /// The batch at which training was stopped, if it was.
    pub stopped_at: Option<usize>,
}

impl TerminateOnNaN {
    /// The callback.
    pub fn new() -> TerminateOnNaN {
        TerminateOnNaN::default()
    }
}

impl Callback for TerminateOnNaN {
    fn on_train_batch_end(&mut self, batch: usize, logs: &Logs, model: &mut Sequential) -> Result<()> {
        if let Some(&l) = logs.get("loss")
            && !l.is_finite()
        {
            eprintln!("Batch {batch}: invalid loss {l}, terminating training");
            self.stopped_at = Some(batch);
            model.stop_training();
        }
        Ok(())
    }
}
