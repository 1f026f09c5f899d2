//! [`OptimizerConfig`]: a serializable description of an optimizer (kind, hyper-parameters,
//! schedule, clipping), Keras-style names with Keras' defaults, and building an optimizer back.

use kerosene_autograd::Var;
use serde::{Deserialize, Serialize};

use crate::adagrad::{Adagrad, AdagradParams};
use crate::adam::{Adam, AdamParams};
use crate::adamax::{Adamax, AdamaxParams};
use crate::adamw::AdamW;
use crate::clip::Clip;
use crate::error::{OptimError, Result};
use crate::lion::{Lion, LionParams};
use crate::nadam::{NAdam, NAdamParams};
use crate::optimizer::Optimizer;
use crate::rmsprop::{RmsProp, RmsPropParams};
use crate::schedule::ScheduleConfig;
use crate::sgd::{Sgd, SgdParams};

/// The names [`OptimizerConfig::from_name`] knows.
pub const OPTIMIZER_NAMES: &[&str] = &["sgd", "adam", "adamw", "rmsprop", "adagrad", "adamax", "nadam", "lion"];

/// A serializable description of an optimizer: what [`Optimizer::config`] returns and what a saved
/// model stores. `hyper.lr` is the constant learning rate; when `schedule` is set it takes over.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_optim::{Optimizer, OptimizerConfig};
/// use kerosene_tensor::Tensor;
///
/// // Keras' `optimizer="adam"`:
/// let cfg = OptimizerConfig::from_name("adam").unwrap();
/// assert_eq!(cfg.learning_rate(), 0.001);
/// let mut opt = cfg.with_learning_rate(0.01).build(vec![]).unwrap();
/// opt.add_params(vec![Var::param(Tensor::zeros(&[3]))]);
/// assert_eq!(opt.learning_rate(), 0.01);
/// assert_eq!(opt.config().name(), "adam");
///
/// let err = OptimizerConfig::from_name("adamm").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "unknown optimizer \"adamm\"; known optimizers: sgd, adam, adamw, rmsprop, adagrad, adamax, nadam, lion"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OptimizerConfig {
    /// [`Sgd`].
    Sgd {
        /// Hyper-parameters.
        hyper: SgdParams,
        /// Learning-rate schedule, if any.
        schedule: Option<ScheduleConfig>,
        /// Gradient clipping, if any.
        clip: Option<Clip>,
    },
    /// [`Adam`].
    Adam {
        /// Hyper-parameters.
        hyper: AdamParams,
        /// Learning-rate schedule, if any.
        schedule: Option<ScheduleConfig>,
        /// Gradient clipping, if any.
        clip: Option<Clip>,
    },
    /// [`AdamW`] (`hyper.decoupled_weight_decay` is forced on).
    AdamW {
        /// Hyper-parameters.
        hyper: AdamParams,
        /// Learning-rate schedule, if any.
        schedule: Option<ScheduleConfig>,
        /// Gradient clipping, if any.
        clip: Option<Clip>,
    },
    /// [`RmsProp`].
    RmsProp {
        /// Hyper-parameters.
        hyper: RmsPropParams,
        /// Learning-rate schedule, if any.
        schedule: Option<ScheduleConfig>,
        /// Gradient clipping, if any.
        clip: Option<Clip>,
    },
    /// [`Adagrad`].
    Adagrad {
        /// Hyper-parameters.
        hyper: AdagradParams,
        /// Learning-rate schedule, if any.
        schedule: Option<ScheduleConfig>,
        /// Gradient clipping, if any.
        clip: Option<Clip>,
    },
    /// [`Adamax`].
    Adamax {
        /// Hyper-parameters.
        hyper: AdamaxParams,
        /// Learning-rate schedule, if any.
        schedule: Option<ScheduleConfig>,
        /// Gradient clipping, if any.
        clip: Option<Clip>,
    },
    /// [`NAdam`].
    NAdam {
        /// Hyper-parameters.
        hyper: NAdamParams,
        /// Learning-rate schedule, if any.
        schedule: Option<ScheduleConfig>,
        /// Gradient clipping, if any.
        clip: Option<Clip>,
    },
    /// [`Lion`].
    Lion {
        /// Hyper-parameters.
        hyper: LionParams,
        /// Learning-rate schedule, if any.
        schedule: Option<ScheduleConfig>,
        /// Gradient clipping, if any.
        clip: Option<Clip>,
    },
}

impl OptimizerConfig {
    /// The configuration Keras gives a name (`compile(optimizer="adam")`), with Keras' defaults:
    ///
    /// | name | defaults |
    /// |---|---|
    /// | `sgd` | `lr = 0.01` |
    /// | `adam` | `lr = 0.001`, `betas = (0.9, 0.999)`, `eps = 1e-7` |
    /// | `adamw` | as `adam`, with decoupled `weight_decay = 0.004` |
    /// | `rmsprop` | `lr = 0.001`, `rho = 0.9`, `eps = 1e-7` |
    /// | `adagrad` | `lr = 0.001`, `initial_accumulator_value = 0.1`, `eps = 1e-7` |
    /// | `adamax` | `lr = 0.001`, `betas = (0.9, 0.999)`, `eps = 1e-7` |
    /// | `nadam` | `lr = 0.001`, `betas = (0.9, 0.999)`, `eps = 1e-7` |
    /// | `lion` | `lr = 0.001`, `betas = (0.9, 0.99)` |
    ///
    /// Names are matched ignoring ASCII case (`"Adam"` works too).
    pub fn from_name(name: &str) -> Result<OptimizerConfig> {
        let (schedule, clip) = (None, None);
        Ok(match name.to_ascii_lowercase().as_str() {
            "sgd" => OptimizerConfig::Sgd { hyper: SgdParams::default(), schedule, clip },
            "adam" => OptimizerConfig::Adam { hyper: AdamParams::default(), schedule, clip },
            "adamw" => OptimizerConfig::AdamW {
                hyper: AdamParams { weight_decay: 0.004, decoupled_weight_decay: true, ..AdamParams::default() },
                schedule,
                clip,
            },
            "rmsprop" => OptimizerConfig::RmsProp { hyper: RmsPropParams::default(), schedule, clip },
            "adagrad" => OptimizerConfig::Adagrad { hyper: AdagradParams::default(), schedule, clip },
            "adamax" => OptimizerConfig::Adamax { hyper: AdamaxParams::default(), schedule, clip },
            "nadam" => OptimizerConfig::NAdam { hyper: NAdamParams::default(), schedule, clip },
            "lion" => OptimizerConfig::Lion { hyper: LionParams::default(), schedule, clip },
            _ => {
                return Err(OptimError::UnknownOptimizer { name: name.to_string(), known: OPTIMIZER_NAMES.to_vec() });
            }
        })
    }

    /// The Keras-style name: one of [`OPTIMIZER_NAMES`].
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerConfig::Sgd { .. } => "sgd",
            OptimizerConfig::Adam { .. } => "adam",
            OptimizerConfig::AdamW { .. } => "adamw",
            OptimizerConfig::RmsProp { .. } => "rmsprop",
            OptimizerConfig::Adagrad { .. } => "adagrad",
            OptimizerConfig::Adamax { .. } => "adamax",
            OptimizerConfig::NAdam { .. } => "nadam",
            OptimizerConfig::Lion { .. } => "lion",
        }
    }

    /// The constant learning rate (`hyper.lr`; a schedule, if set, overrides it).
    pub fn learning_rate(&self) -> f64 {
        match self {
            OptimizerConfig::Sgd { hyper, .. } => hyper.lr,
            OptimizerConfig::Adam { hyper, .. } | OptimizerConfig::AdamW { hyper, .. } => hyper.lr,
            OptimizerConfig::RmsProp { hyper, .. } => hyper.lr,
            OptimizerConfig::Adagrad { hyper, .. } => hyper.lr,
            OptimizerConfig::Adamax { hyper, .. } => hyper.lr,
            OptimizerConfig::NAdam { hyper, .. } => hyper.lr,
            OptimizerConfig::Lion { hyper, .. } => hyper.lr,
        }
    }

    /// The same configuration with the constant learning rate `lr` (Keras'
    /// `Adam(learning_rate=...)`). A schedule, if set, is removed.
    pub fn with_learning_rate(mut self, lr: f64) -> OptimizerConfig {
        match &mut self {
            OptimizerConfig::Sgd { hyper, schedule, .. } => (hyper.lr, *schedule) = (lr, None),
            OptimizerConfig::Adam { hyper, schedule, .. } | OptimizerConfig::AdamW { hyper, schedule, .. } => {
                (hyper.lr, *schedule) = (lr, None)
            }
            OptimizerConfig::RmsProp { hyper, schedule, .. } => (hyper.lr, *schedule) = (lr, None),
            OptimizerConfig::Adagrad { hyper, schedule, .. } => (hyper.lr, *schedule) = (lr, None),
            OptimizerConfig::Adamax { hyper, schedule, .. } => (hyper.lr, *schedule) = (lr, None),
            OptimizerConfig::NAdam { hyper, schedule, .. } => (hyper.lr, *schedule) = (lr, None),
            OptimizerConfig::Lion { hyper, schedule, .. } => (hyper.lr, *schedule) = (lr, None),
        }
        self
    }

    /// Builds the optimizer over `params` (which may be empty, to be filled by
    /// [`Optimizer::add_params`]). Every value is checked, as the description may come from a file.
    pub fn build(&self, params: Vec<Var>) -> Result<Box<dyn Optimizer>> {
        fn finish<O: Optimizer + 'static>(
            opt: O,
            schedule: &Option<ScheduleConfig>,
            clip: &Option<Clip>,
            set_schedule: impl FnOnce(O, Box<dyn crate::LrSchedule>) -> O,
            set_clip: impl FnOnce(O, Clip) -> Result<O>,
        ) -> Result<Box<dyn Optimizer>> {
            let mut opt = opt;
            if let Some(s) = schedule {
                opt = set_schedule(opt, s.build()?);
            }
            if let Some(c) = clip {
                opt = set_clip(opt, *c)?;
            }
            Ok(Box::new(opt))
        }
        match self {
            OptimizerConfig::Sgd { hyper, schedule, clip } => {
                finish(Sgd::from_hyper(params, *hyper)?, schedule, clip, Sgd::schedule, Sgd::try_clip)
            }
            OptimizerConfig::Adam { hyper, schedule, clip } => {
                finish(Adam::from_hyper(params, *hyper)?, schedule, clip, Adam::schedule, Adam::try_clip)
            }
            OptimizerConfig::AdamW { hyper, schedule, clip } => {
                finish(AdamW::from_hyper(params, *hyper)?, schedule, clip, AdamW::schedule, AdamW::try_clip)
            }
            OptimizerConfig::RmsProp { hyper, schedule, clip } => {
                finish(RmsProp::from_hyper(params, *hyper)?, schedule, clip, RmsProp::schedule, RmsProp::try_clip)
            }
            OptimizerConfig::Adagrad { hyper, schedule, clip } => {
                finish(Adagrad::from_hyper(params, *hyper)?, schedule, clip, Adagrad::schedule, Adagrad::try_clip)
            }
            OptimizerConfig::Adamax { hyper, schedule, clip } => {
                finish(Adamax::from_hyper(params, *hyper)?, schedule, clip, Adamax::schedule, Adamax::try_clip)
            }
            OptimizerConfig::NAdam { hyper, schedule, clip } => {
                finish(NAdam::from_hyper(params, *hyper)?, schedule, clip, NAdam::schedule, NAdam::try_clip)
            }
            OptimizerConfig::Lion { hyper, schedule, clip } => {
                finish(Lion::from_hyper(params, *hyper)?, schedule, clip, Lion::schedule, Lion::try_clip)
            }
        }
    }
}
