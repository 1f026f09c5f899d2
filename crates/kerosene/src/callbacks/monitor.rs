//! [`Mode`] and the "is this an improvement" rule shared by EarlyStopping, ModelCheckpoint and
//! ReduceLROnPlateau.

/// Whether the monitored quantity should go down or up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Up for names containing `acc`, `precision` or `recall`; down otherwise (Keras' rule).
    #[default]
    Auto,
    /// Lower is better.
    Min,
    /// Higher is better.
    Max,
}

/// Tracks the best value of a monitored quantity.
#[derive(Debug, Clone)]
pub(crate) struct Monitor {
    pub(crate) name: String,
    higher_better: bool,
    pub(crate) min_delta: f64,
    pub(crate) best: Option<f64>,
}

impl Monitor {
    pub(crate) fn new(name: &str, mode: Mode, min_delta: f64) -> Monitor {
        let higher_better = match mode {
            Mode::Max => true,
            Mode::Min => false,
            Mode::Auto => ["acc", "precision", "recall", "auc"].iter().any(|k| name.contains(k)),
        };
        Monitor { name: name.to_string(), higher_better, min_delta: min_delta.abs(), best: None }
    }

    /// True if `v` beats the best so far by more than `min_delta` (the first value always does).
    pub(crate) fn improves(&self, v: f64) -> bool {
        match self.best {
            None => !v.is_nan(),
            Some(b) if self.higher_better => v - self.min_delta > b,
            Some(b) => v + self.min_delta < b,
        }
    }

    pub(crate) fn reset(&mut self) {
        self.best = None;
    }
}

/// The monitored value from the logs, or a clear error naming what is available.
pub(crate) fn lookup(logs: &super::Logs, name: &str, who: &str) -> crate::Result<f64> {
    logs.get(name).copied().ok_or_else(|| {
        let keys: Vec<&str> = logs.keys().map(|k| k.as_str()).collect();
        crate::Error::Config(format!("{who}: monitored value \"{name}\" is not in the logs; available: {keys:?}"))
    })
}
