//! [`ReduceLROnPlateau`]: lowers the learning rate when a monitored value stalls.

use super::monitor::{Mode, Monitor, lookup};
use super::{Callback, FitInfo, Logs};
use crate::error::Result;
use crate::model::Sequential;

/// Multiplies the learning rate by `factor` after `patience` epochs without improvement, then
/// waits `cooldown` epochs; never below `min_lr` (Keras defaults: factor 0.1, patience 10,
/// min_delta 1e-4, cooldown 0, min_lr 0).
///
/// ```
/// use kerosene::callbacks::ReduceLROnPlateau;
/// let r = ReduceLROnPlateau::new("val_loss").factor(0.5).patience(2).min_lr(1e-5);
/// # let _ = r;
/// ```
pub struct ReduceLROnPlateau {
    monitor: Monitor,
    factor: f64,
    patience: usize,
    cooldown: usize,
    min_lr: f64,
    wait: usize,
    cooldown_left: usize,
}

impl ReduceLROnPlateau {
    /// Watches `monitor` with Keras' defaults.
    pub fn new(monitor: &str) -> ReduceLROnPlateau {
        ReduceLROnPlateau {
            monitor: Monitor::new(monitor, Mode::Auto, 1e-4),
            factor: 0.1,
            patience: 10,
            cooldown: 0,
            min_lr: 0.0,
            wait: 0,
            cooldown_left: 0,
        }
    }

    /// The multiplier, in `(0, 1)`.
    ///
    /// # Panics
    /// If not in `(0, 1)`.
    #[track_caller]
    pub fn factor(mut self, f: f64) -> Self {
        assert!(f > 0.0 && f < 1.0, "ReduceLROnPlateau: factor must be in (0, 1), got {f}");
        self.factor = f;
        self
    }

    /// Epochs without improvement before reducing.
    pub fn patience(mut self, p: usize) -> Self {
        self.patience = p;
        self
    }

    /// Epochs to wait after a reduction.
    pub fn cooldown(mut self, c: usize) -> Self {
        self.cooldown = c;
        self
    }

    /// The floor of the learning rate.
    pub fn min_lr(mut self, m: f64) -> Self {
        self.min_lr = m;
        self
    }

    /// The smallest change that counts as an improvement.
    pub fn min_delta(mut self, d: f64) -> Self {
        self.monitor.min_delta = d.abs();
        self
    }
}

impl Callback for ReduceLROnPlateau {
    fn on_train_begin(&mut self, _info: &FitInfo, _model: &mut Sequential) -> Result<()> {
        self.monitor.reset();
        self.wait = 0;
        self.cooldown_left = 0;
        Ok(())
    }

    fn on_epoch_end(&mut self, _epoch: usize, logs: &Logs, model: &mut Sequential) -> Result<()> {
        let v = lookup(logs, &self.monitor.name, "ReduceLROnPlateau")?;
        if self.cooldown_left > 0 {
            self.cooldown_left -= 1;
            self.wait = 0;
        }
        if self.monitor.improves(v) {
            self.monitor.best = Some(v);
            self.wait = 0;
        } else if self.cooldown_left == 0 {
            self.wait += 1;
            if self.wait >= self.patience {
                let lr = model.learning_rate()?;
                let new = (lr * self.factor).max(self.min_lr);
                if new < lr {
                    model.set_learning_rate(new)?;
                }
                self.cooldown_left = self.cooldown;
                self.wait = 0;
            }
        }
        Ok(())
    }
}
