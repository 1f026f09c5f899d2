//! [`ModelCheckpoint`]: saves the model (or its weights) at the end of epochs.

use std::path::PathBuf;

use super::monitor::{Mode, Monitor, lookup};
use super::{Callback, Logs};
use crate::error::Result;
use crate::model::Sequential;

/// Saves the model after each epoch, or only when `monitor` improves (`save_best_only`).
/// `{epoch}` in the path is replaced by the 1-based epoch number. Files are written atomically
/// (temporary file, fsync, rename), so a crash never leaves half a model.
///
/// ```
/// use kerosene::callbacks::ModelCheckpoint;
/// let cp = ModelCheckpoint::new("best.kero").monitor("val_accuracy").save_best_only(true);
/// # let _ = cp;
/// ```
pub struct ModelCheckpoint {
    path: String,
    monitor: Monitor,
    save_best_only: bool,
    weights_only: bool,
    /// The files written so far.
    pub saved: Vec<PathBuf>,
}

impl ModelCheckpoint {
    /// Saves the whole model to `path` after every epoch (monitor `val_loss` if best-only).
    pub fn new(path: &str) -> ModelCheckpoint {
        ModelCheckpoint {
            path: path.to_string(),
            monitor: Monitor::new("val_loss", Mode::Auto, 0.0),
            save_best_only: false,
            weights_only: false,
            saved: Vec::new(),
        }
    }

    /// The value that decides "best".
    pub fn monitor(mut self, name: &str) -> Self {
        self.monitor = Monitor::new(name, Mode::Auto, 0.0);
        self
    }

    /// Whether lower or higher is better.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.monitor = Monitor::new(&self.monitor.name, mode, 0.0);
        self
    }

    /// Save only when the monitored value improves.
    pub fn save_best_only(mut self, on: bool) -> Self {
        self.save_best_only = on;
        self
    }

    /// Save only the weights (`save_weights`) instead of the whole model.
    pub fn save_weights_only(mut self, on: bool) -> Self {
        self.weights_only = on;
        self
    }
}

impl Callback for ModelCheckpoint {
    fn on_epoch_end(&mut self, epoch: usize, logs: &Logs, model: &mut Sequential) -> Result<()> {
        if self.save_best_only {
            let v = lookup(logs, &self.monitor.name, "ModelCheckpoint")?;
            if !self.monitor.improves(v) {
                return Ok(());
            }
            self.monitor.best = Some(v);
        }
        let path = PathBuf::from(self.path.replace("{epoch}", &(epoch + 1).to_string()));
        if self.weights_only {
            model.save_weights(&path)?
        } else {
            model.save(&path)?
        }
        self.saved.push(path);
        Ok(())
    }
}
