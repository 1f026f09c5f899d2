//! [`StepDecay`]: multiply the learning rate by `gamma` every `step_size` steps (PyTorch's `StepLR`).

use serde::{Deserialize, Serialize};

use super::{LrSchedule, ScheduleConfig};
use crate::error::{OptimError, Result, check_lr, non_negative, ok};

/// `initial_lr * gamma^floor(step / step_size)`: the learning rate drops by a factor `gamma`
/// every `step_size` steps (PyTorch's `StepLR`, counted in optimizer steps).
///
/// ```
/// use kerosene_optim::{LrSchedule, StepDecay};
///
/// let s = StepDecay::new(1.0, 3, 0.1);
/// let lrs: Vec<f64> = (0..7).map(|t| s.lr(t)).collect();
/// assert_eq!(lrs[..3], [1.0, 1.0, 1.0]);
/// assert!((lrs[3] - 0.1).abs() < 1e-15 && (lrs[6] - 0.01).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepDecay {
    initial_lr: f64,
    step_size: u64,
    gamma: f64,
}

impl StepDecay {
    /// Starts at `initial_lr` and multiplies by `gamma` every `step_size` steps.
    ///
    /// # Panics
    /// If `initial_lr` or `gamma` is negative or NaN, or `step_size` is 0. See [`StepDecay::try_new`].
    #[track_caller]
    pub fn new(initial_lr: f64, step_size: u64, gamma: f64) -> StepDecay {
        ok(StepDecay::try_new(initial_lr, step_size, gamma))
    }

    /// [`StepDecay::new`] returning an error instead of panicking.
    pub fn try_new(initial_lr: f64, step_size: u64, gamma: f64) -> Result<StepDecay> {
        let s = StepDecay { initial_lr, step_size, gamma };
        s.validate()?;
        Ok(s)
    }

    pub(crate) fn validate(&self) -> Result<()> {
        check_lr(self.initial_lr)?;
        if self.step_size == 0 {
            return Err(OptimError::InvalidHyperParameter("Invalid step_size value: 0".into()));
        }
        if !non_negative(self.gamma) {
            return Err(OptimError::InvalidHyperParameter(format!("Invalid gamma value: {:?}", self.gamma)));
        }
        Ok(())
    }
}

impl LrSchedule for StepDecay {
    fn lr(&self, step: u64) -> f64 {
        let k = step / self.step_size;
        self.initial_lr * self.gamma.powf(k as f64)
    }

    fn config(&self) -> Option<ScheduleConfig> {
        Some(ScheduleConfig::StepDecay(self.clone()))
    }
}
