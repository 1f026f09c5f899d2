//! Callbacks: the only extension points of `fit`. The progress bar and `History` are callbacks
//! too; write your own by implementing [`Callback`].

mod csv_logger;
mod early_stopping;
mod history;
mod lr_scheduler;
mod model_checkpoint;
mod monitor;
mod progbar;
mod reduce_lr;
mod terminate_on_nan;

use std::collections::BTreeMap;

use crate::error::Result;
use crate::model::Sequential;

pub use csv_logger::CsvLogger;
pub use early_stopping::EarlyStopping;
pub use history::History;
pub use lr_scheduler::LearningRateScheduler;
pub use model_checkpoint::ModelCheckpoint;
pub use monitor::Mode;
pub use progbar::ProgbarLogger;
pub use reduce_lr::ReduceLROnPlateau;
pub use terminate_on_nan::TerminateOnNaN;

/// Named values at a point of training: `loss`, metrics, and `val_`-prefixed validation scores.
pub type Logs = BTreeMap<String, f64>;

/// What `fit` is about to do, given to [`Callback::on_train_begin`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FitInfo {
    /// The epoch to stop before (`fit`'s `epochs`).
    pub epochs: usize,
    /// The first epoch (`initial_epoch`).
    pub initial_epoch: usize,
    /// Batches per epoch.
    pub steps: usize,
    /// Training samples.
    pub samples: usize,
    /// 0 silent, 1 progress bar, 2 one line per epoch.
    pub verbose: u8,
}

/// A hook into `fit`. Every method has a default that does nothing; the model is passed so that
/// a callback can stop training ([`Sequential::stop_training`]), change the learning rate, or save
/// and restore weights. An `Err` stops training and is returned by `fit`.
///
/// ```
/// use kerosene::callbacks::{Callback, Logs};
/// use kerosene::model::Sequential;
///
/// /// Stops once the training loss is below a target.
/// struct StopBelow(f64);
///
/// impl Callback for StopBelow {
///     fn on_epoch_end(&mut self, _epoch: usize, logs: &Logs, model: &mut Sequential) -> kerosene::Result<()> {
///         if logs["loss"] < self.0 {
///             model.stop_training();
///         }
///         Ok(())
///     }
/// }
///
/// let fit = kerosene::model::Fit::epochs(100).callback(StopBelow(0.05));
/// # let _ = fit;
/// ```
pub trait Callback: Send {
    /// Before the first epoch.
    fn on_train_begin(&mut self, _info: &FitInfo, _model: &mut Sequential) -> Result<()> {
        Ok(())
    }
    /// Before each epoch.
    fn on_epoch_begin(&mut self, _epoch: usize, _model: &mut Sequential) -> Result<()> {
        Ok(())
    }
    /// After each training batch; `logs` holds the running means of the epoch so far.
    fn on_train_batch_end(&mut self, _batch: usize, _logs: &Logs, _model: &mut Sequential) -> Result<()> {
        Ok(())
    }
    /// After each epoch; `logs` holds its training means and validation scores.
    fn on_epoch_end(&mut self, _epoch: usize, _logs: &Logs, _model: &mut Sequential) -> Result<()> {
        Ok(())
    }
    /// After the last epoch (or an early stop).
    fn on_train_end(&mut self, _logs: &Logs, _model: &mut Sequential) -> Result<()> {
        Ok(())
    }
}
