//! Learning-rate schedules: the [`LrSchedule`] trait, its serializable description
//! [`ScheduleConfig`], and the schedules [`StepDecay`], [`ExponentialDecay`], [`CosineDecay`]
//! (with linear warmup) and [`LambdaLr`].

mod cosine;
mod exponential;
mod lambda;
mod step;

use serde::{Deserialize, Serialize};

pub use cosine::CosineDecay;
pub use exponential::ExponentialDecay;
pub use lambda::LambdaLr;
pub use step::StepDecay;

use crate::error::Result;

/// A learning rate that depends on the step: an optimizer given a schedule through its
/// `.schedule(..)` builder uses `schedule.lr(t)` for its update number `t` (counting from 0, so
/// the first update uses `lr(0)`), like a Keras `LearningRateSchedule` evaluated at
/// `optimizer.iterations`.
///
/// ```
/// use kerosene_optim::{LrSchedule, Optimizer, Sgd, StepDecay};
///
/// // Halve every 10 steps:
/// let s = StepDecay::new(0.1, 10, 0.5);
/// assert_eq!(s.lr(9), 0.1);
/// assert_eq!(s.lr(10), 0.05);
/// let opt = Sgd::new(vec![], 0.1).schedule(s);
/// assert_eq!(opt.learning_rate(), 0.1);
/// ```
pub trait LrSchedule: Send + Sync {
    /// The learning rate at `step` (the number of updates already taken).
    fn lr(&self, step: u64) -> f64;

    /// A serializable description, if the schedule has one (closures do not). Optimizer
    /// [`config`](crate::Optimizer::config)s include it.
    fn config(&self) -> Option<ScheduleConfig> {
        None
    }
}

impl<S: LrSchedule + ?Sized> LrSchedule for Box<S> {
    fn lr(&self, step: u64) -> f64 {
        (**self).lr(step)
    }

    fn config(&self) -> Option<ScheduleConfig> {
        (**self).config()
    }
}

/// The serializable schedules, saved in an [`OptimizerConfig`](crate::OptimizerConfig).
///
/// ```
/// use kerosene_optim::{CosineDecay, LrSchedule, ScheduleConfig};
///
/// let cfg = CosineDecay::new(0.1, 100).config().unwrap();
/// assert!(matches!(cfg, ScheduleConfig::CosineDecay(_)));
/// assert_eq!(cfg.build().unwrap().lr(100), 0.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ScheduleConfig {
    /// A [`StepDecay`].
    StepDecay(StepDecay),
    /// An [`ExponentialDecay`].
    ExponentialDecay(ExponentialDecay),
    /// A [`CosineDecay`].
    CosineDecay(CosineDecay),
}

impl ScheduleConfig {
    /// Checks the description (it may come from a file) and builds the schedule.
    pub fn build(&self) -> Result<Box<dyn LrSchedule>> {
        Ok(match self {
            ScheduleConfig::StepDecay(s) => {
                s.validate()?;
                Box::new(s.clone())
            }
            ScheduleConfig::ExponentialDecay(s) => {
                s.validate()?;
                Box::new(s.clone())
            }
            ScheduleConfig::CosineDecay(s) => {
                s.validate()?;
                Box::new(s.clone())
            }
        })
    }
}
