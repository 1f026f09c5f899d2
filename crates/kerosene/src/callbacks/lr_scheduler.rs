//! [`LearningRateScheduler`]: sets the learning rate at the start of each epoch.

use super::Callback;
use crate::error::Result;
use crate::model::Sequential;

/// Calls `schedule(epoch, current_lr)` before each epoch and sets the learning rate it returns
/// (Keras' `LearningRateScheduler`).
///
/// ```
/// use kerosene::callbacks::LearningRateScheduler;
/// // Halve every 10 epochs.
/// let s = LearningRateScheduler::new(|epoch, lr| if epoch > 0 && epoch % 10 == 0 { lr * 0.5 } else { lr });
/// # let _ = s;
/// ```
pub struct LearningRateScheduler {
    schedule: Box<dyn FnMut(usize, f64) -> f64 + Send>,
}

impl LearningRateScheduler {
    /// A scheduler from a closure `(epoch, lr) -> new lr`.
    pub fn new(schedule: impl FnMut(usize, f64) -> f64 + Send + 'static) -> LearningRateScheduler {
        LearningRateScheduler { schedule: Box::new(schedule) }
    }
}

impl Callback for LearningRateScheduler {
    fn on_epoch_begin(&mut self, epoch: usize, model: &mut Sequential) -> Result<()> {
        let lr = model.learning_rate()?;
        let new = (self.schedule)(epoch, lr);
        if !(new.is_finite() && new >= 0.0) {
            return Err(crate::Error::Config(format!(
                "LearningRateScheduler: the schedule returned {new} at epoch {epoch}; a learning rate must be finite and non-negative"
            )));
        }
        model.set_learning_rate(new)
    }
}
