//! [`History`]: per-epoch logs, returned by `fit`.

use std::collections::BTreeMap;

use super::{Callback, FitInfo, Logs};
use crate::error::Result;
use crate::model::Sequential;

/// The per-epoch values of the loss and metrics, training and validation (Keras' `History`).
///
/// ```
/// use kerosene::callbacks::History;
/// let h = History::default();
/// assert!(h.get("loss").is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// The epochs that ran.
    pub epoch: Vec<usize>,
    /// For each name (`loss`, `accuracy`, `val_loss`, ...), its value at each epoch.
    pub history: BTreeMap<String, Vec<f64>>,
}

impl History {
    /// The values of `name` per epoch.
    pub fn get(&self, name: &str) -> Option<&[f64]> {
        self.history.get(name).map(|v| v.as_slice())
    }

    /// The last value of `name`.
    pub fn last(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(|v| v.last().copied())
    }
}

impl Callback for History {
    fn on_train_begin(&mut self, _info: &FitInfo, _model: &mut Sequential) -> Result<()> {
        *self = History::default();
        Ok(())
    }

    fn on_epoch_end(&mut self, epoch: usize, logs: &Logs, _model: &mut Sequential) -> Result<()> {
        self.epoch.push(epoch);
        for (k, v) in logs {
            self.history.entry(k.clone()).or_default().push(*v);
        }
        Ok(())
    }
}
