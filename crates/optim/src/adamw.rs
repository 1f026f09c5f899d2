//! [`AdamW`]: Adam with decoupled weight decay (Loshchilov & Hutter; PyTorch's `AdamW`).

use kerosene_autograd::Var;

use crate::adam::AdamParams;
use crate::config::OptimizerConfig;
use crate::error::{Result, ok};
use crate::optimizer::{impl_optimizer, setter};
use crate::state::Core;

/// Adam with decoupled weight decay: every step first shrinks the parameter,
/// `p *= 1 - lr * weight_decay`, then applies the Adam update of the raw gradient (see
/// [`adam_update`](crate::adam_update) with `decoupled_weight_decay`). Same state as
/// [`Adam`](crate::Adam).
///
/// Two sets of defaults:
/// - [`AdamW::new(params, lr)`](AdamW::new) follows PyTorch: `weight_decay = 0.01`,
///   `betas = (0.9, 0.999)`, `eps = 1e-8`.
/// - [`AdamW::default()`](AdamW::default) (and `OptimizerConfig::from_name("adamw")`) follows
///   Keras: `lr = 0.001`, `weight_decay = 0.004`, `eps = 1e-7`, no parameters yet.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_optim::{AdamW, Optimizer};
/// use kerosene_tensor::Tensor;
///
/// let w = Var::param(Tensor::from_vec(vec![2.0f64], &[1]));
/// let mut opt = AdamW::new(vec![w.clone()], 0.1).weight_decay(0.5);
/// w.set_grad(Some(Tensor::from_vec(vec![1.0f64], &[1])));
/// opt.step();
/// // 2 * (1 - 0.1 * 0.5) = 1.9, then the first Adam step of about -lr.
/// assert!((w.item() - 1.8).abs() < 1e-6);
/// ```
pub struct AdamW {
    core: Core,
    hyper: AdamParams,
}

/// Keras' `AdamW()` hyper-parameters.
fn keras_defaults() -> AdamParams {
    AdamParams { weight_decay: 0.004, decoupled_weight_decay: true, ..AdamParams::default() }
}

impl AdamW {
    /// AdamW over `params` with learning rate `lr` and PyTorch's defaults: `weight_decay = 0.01`,
    /// `betas = (0.9, 0.999)`, `eps = 1e-8`.
    ///
    /// # Panics
    /// If `lr` is negative or NaN (`Invalid learning rate: -0.1`). See [`AdamW::try_new`].
    #[track_caller]
    pub fn new(params: Vec<Var>, lr: f64) -> AdamW {
        ok(AdamW::try_new(params, lr))
    }

    /// [`AdamW::new`] returning an error instead of panicking.
    pub fn try_new(params: Vec<Var>, lr: f64) -> Result<AdamW> {
        AdamW::from_hyper(params, AdamParams { lr, eps: 1e-8, weight_decay: 0.01, ..keras_defaults() })
    }

    /// An optimizer with all hyper-parameters given (checked); `decoupled_weight_decay` is forced on.
    pub fn from_hyper(params: Vec<Var>, hyper: AdamParams) -> Result<AdamW> {
        let hyper = AdamParams { decoupled_weight_decay: true, ..hyper };
        hyper.validate()?;
        Ok(AdamW { core: Core::new(params, hyper.lr), hyper })
    }

    /// The hyper-parameters, with the current learning rate.
    pub fn hyper(&self) -> AdamParams {
        AdamParams { lr: self.core.learning_rate(), ..self.hyper }
    }

    /// The decay rates of the moment estimates (default `(0.9, 0.999)`).
    ///
    /// # Panics
    /// If either is outside `[0, 1)` (`Invalid beta parameter at index 0: ...`).
    #[track_caller]
    pub fn betas(self, beta1: f64, beta2: f64) -> AdamW {
        ok(self.try_betas(beta1, beta2))
    }

    /// [`AdamW::betas`] returning an error instead of panicking.
    pub fn try_betas(self, beta1: f64, beta2: f64) -> Result<AdamW> {
        self.try_with(|h| (h.beta1, h.beta2) = (beta1, beta2))
    }

    setter!(
        /// The term added to the denominator (PyTorch default `1e-8`, Keras `1e-7`).
        ///
        /// # Panics
        /// If negative or NaN (`Invalid epsilon value: ...`).
        eps, try_eps, eps: f64
    );

    setter!(
        /// The decoupled weight decay (PyTorch default 0.01, Keras 0.004).
        ///
        /// # Panics
        /// If negative or NaN (`Invalid weight_decay value: ...`).
        weight_decay, try_weight_decay, weight_decay: f64
    );

    /// AMSGrad: divide by the running maximum of the second moment (default off).
    pub fn amsgrad(mut self, amsgrad: bool) -> AdamW {
        self.hyper.amsgrad = amsgrad;
        self
    }

    fn kernel(&self) -> AdamParams {
        self.hyper()
    }

    fn make_config(&self) -> OptimizerConfig {
        OptimizerConfig::AdamW {
            hyper: AdamParams { lr: self.core.config_lr(), ..self.hyper },
            schedule: self.core.schedule_config(),
            clip: self.core.clip,
        }
    }
}

impl Default for AdamW {
    /// Keras' `AdamW()`: `lr = 0.001`, `weight_decay = 0.004`, `betas = (0.9, 0.999)`,
    /// `eps = 1e-7`, no parameters yet.
    fn default() -> AdamW {
        ok(AdamW::from_hyper(Vec::new(), keras_defaults()))
    }
}

impl_optimizer!(AdamW, AdamParams);
