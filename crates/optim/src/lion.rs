//! [`Lion`]: evolved sign momentum (Chen et al., 2023; Keras' `Lion`); its update rule
//! [`lion_update`].

use kerosene_autograd::Var;
use kerosene_tensor::Element;
use serde::{Deserialize, Serialize};

use crate::config::OptimizerConfig;
use crate::error::{Result, check_beta, check_lr, check_weight_decay, ok};
use crate::optimizer::{impl_optimizer, setter};
use crate::state::{Core, Kernel, Layout};
use crate::subnormal::{GRAD_MIN, STATE_MIN, or_zero};

/// The hyper-parameters of [`Lion`]. `Default` is Keras' `Lion()`: `lr = 0.001`,
/// `betas = (0.9, 0.99)`, no weight decay.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LionParams {
    /// The learning rate (typically 3-10 times smaller than Adam's).
    pub lr: f64,
    /// Interpolation between momentum and gradient for the update direction.
    pub beta1: f64,
    /// Decay of the momentum.
    pub beta2: f64,
    /// Decoupled weight decay: `p *= 1 - lr * weight_decay` every step.
    pub weight_decay: f64,
}

impl Default for LionParams {
    fn default() -> LionParams {
        LionParams { lr: 0.001, beta1: 0.9, beta2: 0.99, weight_decay: 0.0 }
    }
}

impl LionParams {
    /// Checks the ranges (PyTorch-style messages).
    pub fn validate(&self) -> Result<()> {
        check_lr(self.lr)?;
        check_beta(0, self.beta1)?;
        check_beta(1, self.beta2)?;
        check_weight_decay(self.weight_decay)
    }
}

/// One Lion update of a parameter `p` with gradient `g`, in one pass (the paper's Algorithm 2):
///
/// ```text
/// c = beta1 * m + (1 - beta1) * g
/// p = p * (1 - lr * weight_decay) - lr * sign(c)        (sign(0) = 0)
/// m = beta2 * m + (1 - beta2) * g
/// ```
///
/// ```
/// use kerosene_optim::{LionParams, lion_update};
///
/// let hp = LionParams { lr: 0.1, ..LionParams::default() };
/// let (mut p, mut m) = (vec![1.0f64, 1.0, 1.0], vec![0.0; 3]);
/// lion_update(&mut p, &[5.0, -0.01, 0.0], &mut m, &hp);
/// assert_eq!(p, vec![0.9, 1.1, 1.0]); // every coordinate moves by exactly lr
/// ```
///
/// # Panics
/// If the slices differ in length.
#[inline(always)]
pub fn lion_update<E: Element>(p: &mut [E], g: &[E], m: &mut [E], hp: &LionParams) {
    assert!(g.len() == p.len() && m.len() == p.len(), "lion_update: slices differ in length");
    let (lr, b1, omb1, b2, omb2) =
        (E::of(hp.lr), E::of(hp.beta1), E::of(1.0 - hp.beta1), E::of(hp.beta2), E::of(1.0 - hp.beta2));
    let (decay, shrink) = (hp.weight_decay != 0.0, E::of(1.0 - hp.lr * hp.weight_decay));
    let (gmin, smin) = (E::of(GRAD_MIN), E::of(STATE_MIN));
    for ((p, &g), m) in p.iter_mut().zip(g).zip(m.iter_mut()) {
        let c = b1 * *m + omb1 * g;
        if decay {
            *p *= shrink;
        }
        if c > E::zero() {
            *p -= lr;
        } else if c < E::zero() {
            *p += lr;
        }
        *m = or_zero(b2 * *m + omb2 * or_zero(g, gmin), smin);
    }
}

impl Kernel for LionParams {
    fn layout(&self) -> Layout {
        Layout { step: false, scalars: &[], buffers: &["exp_avg"] }
    }

    #[inline(always)]
    fn update<E: Element>(&self, p: &mut [E], g: &[E], bufs: &mut [&mut [E]], _scalars: &mut [f64], _step: u64) {
        let [m] = bufs else { unreachable!("lion keeps one buffer") };
        lion_update(p, g, m, self);
    }
}

/// Lion (EvoLved Sign Momentum, Chen et al., 2023): every coordinate moves by exactly `lr`, in
/// the direction of the sign of an interpolation of momentum and gradient; see [`lion_update`].
/// Memory-light (one buffer, `"{i}.exp_avg"`). Not in PyTorch's core; the rule matches Keras'
/// `Lion` and the paper.
///
/// [`Lion::new(params, lr)`](Lion::new) and [`Lion::default()`](Lion::default) share
/// `betas = (0.9, 0.99)`; the default `lr` is Keras' 0.001.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_optim::{Lion, Optimizer};
/// use kerosene_tensor::Tensor;
///
/// let w = Var::param(Tensor::from_vec(vec![3.0f64, -3.0], &[2]));
/// let mut opt = Lion::new(vec![w.clone()], 0.01);
/// for _ in 0..1000 {
///     opt.zero_grad();
///     w.square().sum_all().backward();
///     opt.step();
/// }
/// let v = w.value().to_vec::<f64>();
/// assert!(v[0].abs() < 0.02 && v[1].abs() < 0.02);
/// ```
pub struct Lion {
    core: Core,
    hyper: LionParams,
}

impl Lion {
    /// Lion over `params` with learning rate `lr`, `betas = (0.9, 0.99)`, no weight decay.
    ///
    /// # Panics
    /// If `lr` is negative or NaN (`Invalid learning rate: -0.1`). See [`Lion::try_new`].
    #[track_caller]
    pub fn new(params: Vec<Var>, lr: f64) -> Lion {
        ok(Lion::try_new(params, lr))
    }

    /// [`Lion::new`] returning an error instead of panicking.
    pub fn try_new(params: Vec<Var>, lr: f64) -> Result<Lion> {
        Lion::from_hyper(params, LionParams { lr, ..LionParams::default() })
    }

    /// An optimizer with all hyper-parameters given (checked).
    pub fn from_hyper(params: Vec<Var>, hyper: LionParams) -> Result<Lion> {
        hyper.validate()?;
        Ok(Lion { core: Core::new(params, hyper.lr), hyper })
    }

    /// The hyper-parameters, with the current learning rate.
    pub fn hyper(&self) -> LionParams {
        LionParams { lr: self.core.learning_rate(), ..self.hyper }
    }

    /// The interpolation and decay rates (default `(0.9, 0.99)`).
    ///
    /// # Panics
    /// If either is outside `[0, 1)` (`Invalid beta parameter at index 0: ...`).
    #[track_caller]
    pub fn betas(self, beta1: f64, beta2: f64) -> Lion {
        ok(self.try_betas(beta1, beta2))
    }

    /// [`Lion::betas`] returning an error instead of panicking.
    pub fn try_betas(self, beta1: f64, beta2: f64) -> Result<Lion> {
        self.try_with(|h| (h.beta1, h.beta2) = (beta1, beta2))
    }

    setter!(
        /// Decoupled weight decay (default 0), typically 3-10 times Adam's.
        ///
        /// # Panics
        /// If negative or NaN (`Invalid weight_decay value: ...`).
        weight_decay, try_weight_decay, weight_decay: f64
    );

    fn kernel(&self) -> LionParams {
        self.hyper()
    }

    fn make_config(&self) -> OptimizerConfig {
        OptimizerConfig::Lion {
            hyper: LionParams { lr: self.core.config_lr(), ..self.hyper },
            schedule: self.core.schedule_config(),
            clip: self.core.clip,
        }
    }
}

impl Default for Lion {
    /// Keras' `Lion()`: `lr = 0.001`, `betas = (0.9, 0.99)`, no parameters yet.
    fn default() -> Lion {
        ok(Lion::from_hyper(Vec::new(), LionParams::default()))
    }
}

impl_optimizer!(Lion, LionParams);

#[cfg(test)]
mod tests {
    use super::*;

    // Step 2 with m = 1 (from earlier gradients) and g = -5: c = 0.9 - 0.5 = 0.4 > 0, so p moves
    // by -lr although the gradient is negative; m = 0.99 - 0.05 = 0.94. Weight decay 0.5 at
    // lr 0.1 first scales p = 2 by 0.95.
    #[test]
    fn momentum_decides_the_sign_and_decay_is_decoupled() {
        let hp = LionParams { lr: 0.1, weight_decay: 0.5, ..LionParams::default() };
        let (mut p, mut m) = (vec![2.0f64], vec![1.0]);
        lion_update(&mut p, &[-5.0], &mut m, &hp);
        assert!((p[0] - (2.0 * 0.95 - 0.1)).abs() < 1e-15);
        assert!((m[0] - 0.94).abs() < 1e-15);
    }
}
