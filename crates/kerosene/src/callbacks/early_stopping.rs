//! [`EarlyStopping`]: stops when a monitored value stops improving.

use kerosene_nn::{Module, StateDict};

use super::monitor::{Mode, Monitor, lookup};
use super::{Callback, FitInfo, Logs};
use crate::error::Result;
use crate::model::Sequential;

/// Stops training after `patience` epochs without an improvement larger than `min_delta` in
/// `monitor` (Keras' `EarlyStopping`); optionally restores the best epoch's weights at the end.
///
/// ```
/// use kerosene::callbacks::EarlyStopping;
/// let es = EarlyStopping::new("val_loss").patience(3).min_delta(1e-4).restore_best_weights(true);
/// # let _ = es;
/// ```
pub struct EarlyStopping {
    monitor: Monitor,
    patience: usize,
    restore_best_weights: bool,
    wait: usize,
    best_weights: Option<StateDict>,
    /// The epoch at which training was stopped, if it was.
    pub stopped_epoch: Option<usize>,
    /// The epoch with the best monitored value.
    pub best_epoch: Option<usize>,
}

impl EarlyStopping {
    /// Watches `monitor` (e.g. `"val_loss"`), patience 0, min_delta 0, mode auto.
    pub fn new(monitor: &str) -> EarlyStopping {
        EarlyStopping {
            monitor: Monitor::new(monitor, Mode::Auto, 0.0),
            patience: 0,
            restore_best_weights: false,
            wait: 0,
            best_weights: None,
            stopped_epoch: None,
            best_epoch: None,
        }
    }

    /// Epochs without improvement before stopping.
    pub fn patience(mut self, p: usize) -> Self {
        self.patience = p;
        self
    }

    /// The smallest change that counts as an improvement.
    pub fn min_delta(mut self, d: f64) -> Self {
        self.monitor.min_delta = d.abs();
        self
    }

    /// Whether lower or higher is better.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.monitor = Monitor::new(&self.monitor.name, mode, self.monitor.min_delta);
        self
    }

    /// Restores the weights of the best epoch when training ends.
    pub fn restore_best_weights(mut self, on: bool) -> Self {
        self.restore_best_weights = on;
        self
    }
}

impl Callback for EarlyStopping {
    fn on_train_begin(&mut self, _info: &FitInfo, _model: &mut Sequential) -> Result<()> {
        self.monitor.reset();
        self.wait = 0;
        self.best_weights = None;
        self.stopped_epoch = None;
        self.best_epoch = None;
        Ok(())
    }

    fn on_epoch_end(&mut self, epoch: usize, logs: &Logs, model: &mut Sequential) -> Result<()> {
        let v = lookup(logs, &self.monitor.name, "EarlyStopping")?;
        if self.monitor.improves(v) {
            self.monitor.best = Some(v);
            self.best_epoch = Some(epoch);
            self.wait = 0;
            if self.restore_best_weights {
                self.best_weights = Some(model.state_dict());
            }
            return Ok(());
        }
        self.wait += 1;
        // Keras: stop once `patience` epochs in a row failed to improve.
        if self.wait >= self.patience {
            self.stopped_epoch = Some(epoch);
            model.stop_training();
        }
        Ok(())
    }

    fn on_train_end(&mut self, _logs: &Logs, model: &mut Sequential) -> Result<()> {
        if let Some(w) = self.best_weights.take() {
            model.load_state_dict(&w)?;
        }
        Ok(())
    }
}
