//! [`CosineDecay`]: Keras' `CosineDecay`, with optional linear warmup.

use serde::{Deserialize, Serialize};

use super::{LrSchedule, ScheduleConfig};
use crate::error::{OptimError, Result, check_lr, non_negative, ok};

/// Keras' `CosineDecay`: an optional linear warmup, then half a cosine wave down to a floor.
///
/// Without warmup the learning rate at step `t` is
/// `initial_lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(t, decay_steps) / decay_steps)) + alpha)`:
/// it falls from `initial_lr` to `alpha * initial_lr` over `decay_steps` steps and stays there.
///
/// With [`warmup(warmup_steps, target)`](CosineDecay::warmup) it first rises linearly from
/// `initial_lr` (often 0) to `target` over `warmup_steps` steps, then decays from `target` to
/// `alpha * target` over the next `decay_steps` steps.
///
/// ```
/// use kerosene_optim::{CosineDecay, LrSchedule};
///
/// let s = CosineDecay::new(1.0, 10).alpha(0.1);
/// assert_eq!(s.lr(0), 1.0);
/// assert!((s.lr(5) - 0.55).abs() < 1e-12); // halfway: 0.9 * 0.5 + 0.1
/// assert!((s.lr(10) - 0.1).abs() < 1e-12);
/// assert!((s.lr(99) - 0.1).abs() < 1e-12);
///
/// // Warm up from 0 to 0.1 in 4 steps, then decay to 0 in 10.
/// let w = CosineDecay::new(0.0, 10).warmup(4, 0.1);
/// assert_eq!(w.lr(0), 0.0);
/// assert!((w.lr(2) - 0.05).abs() < 1e-15);
/// assert_eq!(w.lr(4), 0.1);
/// assert!(w.lr(14).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CosineDecay {
    initial_lr: f64,
    decay_steps: u64,
    alpha: f64,
    warmup_steps: u64,
    warmup_target: Option<f64>,
}

impl CosineDecay {
    /// Decays from `initial_lr` to 0 over `decay_steps` steps (set the floor with
    /// [`alpha`](CosineDecay::alpha)).
    ///
    /// # Panics
    /// If `initial_lr` is negative or NaN, or `decay_steps` is 0. See [`CosineDecay::try_new`].
    #[track_caller]
    pub fn new(initial_lr: f64, decay_steps: u64) -> CosineDecay {
        ok(CosineDecay::try_new(initial_lr, decay_steps))
    }

    /// [`CosineDecay::new`] returning an error instead of panicking.
    pub fn try_new(initial_lr: f64, decay_steps: u64) -> Result<CosineDecay> {
        let s = CosineDecay { initial_lr, decay_steps, alpha: 0.0, warmup_steps: 0, warmup_target: None };
        s.validate()?;
        Ok(s)
    }

    /// The floor, as a fraction of the decayed-from learning rate (Keras' `alpha`, default 0).
    ///
    /// # Panics
    /// If `alpha` is negative or NaN.
    #[track_caller]
    pub fn alpha(mut self, alpha: f64) -> CosineDecay {
        self.alpha = alpha;
        ok(self.validate());
        self
    }

    /// A linear warmup from the initial learning rate to `target` over `warmup_steps` steps,
    /// before the decay (Keras' `warmup_steps` and `warmup_target`).
    ///
    /// # Panics
    /// If `target` is negative or NaN.
    #[track_caller]
    pub fn warmup(mut self, warmup_steps: u64, target: f64) -> CosineDecay {
        self.warmup_steps = warmup_steps;
        self.warmup_target = Some(target);
        ok(self.validate());
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        check_lr(self.initial_lr)?;
        if self.decay_steps == 0 {
            return Err(OptimError::InvalidHyperParameter("Invalid decay_steps value: 0".into()));
        }
        if !non_negative(self.alpha) {
            return Err(OptimError::InvalidHyperParameter(format!("Invalid alpha value: {:?}", self.alpha)));
        }
        if let Some(t) = self.warmup_target
            && !non_negative(t)
        {
            return Err(OptimError::InvalidHyperParameter(format!("Invalid warmup_target value: {t:?}")));
        }
        Ok(())
    }

    fn decay(&self, step: u64, from: f64) -> f64 {
        let fraction = step as f64 / self.decay_steps as f64;
        let cosine = 0.5 * (1.0 + (std::f64::consts::PI * fraction).cos());
        from * ((1.0 - self.alpha) * cosine + self.alpha)
    }
}

impl LrSchedule for CosineDecay {
    fn lr(&self, step: u64) -> f64 {
        match self.warmup_target {
            None => self.decay(step.min(self.decay_steps), self.initial_lr),
            Some(target) => {
                let step = step.min(self.decay_steps + self.warmup_steps);
                if step < self.warmup_steps {
                    let fraction = step as f64 / self.warmup_steps as f64;
                    (target - self.initial_lr) * fraction + self.initial_lr
                } else {
                    self.decay(step - self.warmup_steps, target)
                }
            }
        }
    }

    fn config(&self) -> Option<ScheduleConfig> {
        Some(ScheduleConfig::CosineDecay(self.clone()))
    }
}
