//! # kerosene-optim
//!
//! Optimizers, learning-rate schedules and gradient clipping for Kerosene, with PyTorch's update
//! rules and constructors and Keras' names and defaults.
//!
//! A tour:
//! - **[`Optimizer`]**: the trait every optimizer implements. PyTorch's loop (`zero_grad`,
//!   `backward`, `step`), plus what Keras needs: [`add_params`](Optimizer::add_params) for an
//!   optimizer built before the model, [`set_learning_rate`](Optimizer::set_learning_rate) for
//!   callbacks, [`state_dict`](Optimizer::state_dict) / [`load_state_dict`](Optimizer::load_state_dict)
//!   for checkpoints that resume bit-identically, and [`config`](Optimizer::config) for saving.
//! - **Optimizers**: [`Sgd`] (plain, momentum, Nesterov), [`Adam`] (AMSGrad, L2), [`AdamW`],
//!   [`RmsProp`] (centered, momentum), [`Adagrad`], [`Adamax`], [`NAdam`], [`Lion`]. `X::new(params,
//!   lr)` has PyTorch's defaults and builders for the rest (`.betas(..)`, `.momentum(..)`);
//!   `X::default()` has Keras' defaults and no parameters. Invalid hyper-parameters panic in `new`
//!   and the builders with PyTorch's messages, and are returned as [`OptimError`] by the `try_`
//!   twins.
//! - **Update rules** are pure functions on slices, one fused pass per parameter, generic over
//!   `f32`/`f64`: [`sgd_update`], [`adam_update`], [`rmsprop_update`], [`adagrad_update`],
//!   [`adamax_update`], [`nadam_update`], [`lion_update`]. Optimizer state is created on a
//!   parameter's first update, in the parameter's element type; parameters without a gradient
//!   are skipped.
//! - **Schedules** ([`LrSchedule`]): [`StepDecay`], [`ExponentialDecay`], [`CosineDecay`] (with
//!   warmup), [`LambdaLr`]; attach one with `.schedule(..)`.
//! - **Clipping**: [`clip_grad_norm`], [`clip_grad_value`], or `.clip(`[`Clip`]`)` on any optimizer.
//! - **Configs**: [`OptimizerConfig`] is serde-serializable; [`OptimizerConfig::from_name`] knows
//!   Keras' names (`"adam"`, `"sgd"`, ...) and [`OptimizerConfig::build`] makes the optimizer.
//!
//! ```
//! use kerosene_autograd::Var;
//! use kerosene_optim::{Adam, Clip, CosineDecay, Optimizer};
//! use kerosene_tensor::{Rng, Tensor};
//!
//! // Least squares: find w with x w = y for y made from w* = [2, -3].
//! let mut rng = Rng::new(0);
//! let x = Tensor::randn(&[64, 2], &mut rng);
//! let y = x.matmul(&Tensor::from_vec(vec![2.0f32, -3.0], &[2, 1]));
//! let (x, y) = (Var::new(x), Var::new(y));
//! let w = Var::param(Tensor::zeros(&[2, 1]));
//!
//! let mut opt = Adam::new(vec![w.clone()], 0.1).schedule(CosineDecay::new(0.1, 500)).clip(Clip::GlobalNorm(10.0));
//! for _ in 0..500 {
//!     opt.zero_grad();
//!     let loss = x.matmul(&w).sub(&y).square().mean_all();
//!     loss.backward();
//!     opt.step();
//! }
//! let w = w.value().to_vec::<f32>();
//! assert!((w[0] - 2.0).abs() < 1e-2 && (w[1] + 3.0).abs() < 1e-2, "{w:?}");
//! ```
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod adagrad;
mod adam;
mod adamax;
mod adamw;
mod clip;
mod config;
mod error;
mod lion;
mod nadam;
mod optimizer;
mod rmsprop;
mod schedule;
mod sgd;
mod state;
pub mod subnormal;

pub use adagrad::{Adagrad, AdagradParams, adagrad_update};
pub use adam::{Adam, AdamParams, adam_update};
pub use adamax::{Adamax, AdamaxParams, adamax_update};
pub use adamw::AdamW;
pub use clip::{Clip, clip_grad_norm, clip_grad_value};
pub use config::{OPTIMIZER_NAMES, OptimizerConfig};
pub use error::{OptimError, Result, ShapeMismatch};
pub use lion::{Lion, LionParams, lion_update};
pub use nadam::{NAdam, NAdamParams, nadam_update};
pub use optimizer::Optimizer;
pub use rmsprop::{RmsProp, RmsPropParams, rmsprop_update};
pub use schedule::{CosineDecay, ExponentialDecay, LambdaLr, LrSchedule, ScheduleConfig, StepDecay};
pub use sgd::{Sgd, SgdParams, sgd_update};
