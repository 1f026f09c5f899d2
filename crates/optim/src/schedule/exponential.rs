//! [`ExponentialDecay`]: Keras' `ExponentialDecay` schedule.

use serde::{Deserialize, Serialize};

use super::{LrSchedule, ScheduleConfig};
use crate::error::{OptimError, Result, check_lr, non_negative, ok};

/// `initial_lr * decay_rate^(step / decay_steps)`, with the exponent floored when
/// [`staircase`](ExponentialDecay::staircase) is on (Keras' `ExponentialDecay`).
///
/// ```
/// use kerosene_optim::{ExponentialDecay, LrSchedule};
///
/// let smooth = ExponentialDecay::new(0.1, 10, 0.5);
/// assert!((smooth.lr(5) - 0.1 * 0.5f64.sqrt()).abs() < 1e-15);
/// assert!((smooth.lr(20) - 0.025).abs() < 1e-15);
/// let stairs = ExponentialDecay::new(0.1, 10, 0.5).staircase(true);
/// assert_eq!(stairs.lr(9), 0.1);
/// assert_eq!(stairs.lr(10), 0.05);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExponentialDecay {
    initial_lr: f64,
    decay_steps: u64,
    decay_rate: f64,
    staircase: bool,
}

impl ExponentialDecay {
    /// Starts at `initial_lr` and is multiplied by `decay_rate` every `decay_steps` steps,
    /// continuously in between.
    ///
    /// # Panics
    /// If `initial_lr` or `decay_rate` is negative or NaN, or `decay_steps` is 0.
    /// See [`ExponentialDecay::try_new`].
    #[track_caller]
    pub fn new(initial_lr: f64, decay_steps: u64, decay_rate: f64) -> ExponentialDecay {
        ok(ExponentialDecay::try_new(initial_lr, decay_steps, decay_rate))
    }

    /// [`ExponentialDecay::new`] returning an error instead of panicking.
    pub fn try_new(initial_lr: f64, decay_steps: u64, decay_rate: f64) -> Result<ExponentialDecay> {
        let s = ExponentialDecay { initial_lr, decay_steps, decay_rate, staircase: false };
        s.validate()?;
        Ok(s)
    }

    /// Decays in discrete jumps every `decay_steps` steps instead of continuously.
    pub fn staircase(mut self, staircase: bool) -> ExponentialDecay {
        self.staircase = staircase;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        check_lr(self.initial_lr)?;
        if self.decay_steps == 0 {
            return Err(OptimError::InvalidHyperParameter("Invalid decay_steps value: 0".into()));
        }
        if !non_negative(self.decay_rate) {
            return Err(OptimError::InvalidHyperParameter(format!("Invalid decay_rate value: {:?}", self.decay_rate)));
        }
        Ok(())
    }
}

impl LrSchedule for ExponentialDecay {
    fn lr(&self, step: u64) -> f64 {
        let mut p = step as f64 / self.decay_steps as f64;
        if self.staircase {
            p = p.floor();
        }
        self.initial_lr * self.decay_rate.powf(p)
    }

    fn config(&self) -> Option<ScheduleConfig> {
        Some(ScheduleConfig::ExponentialDecay(self.clone()))
    }
}
