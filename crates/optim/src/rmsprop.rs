//! [`RmsProp`]: RMSprop with optional momentum, centering and L2 weight decay (PyTorch's
//! `RMSprop`); its update rule [`rmsprop_update`].

use kerosene_autograd::Var;
use kerosene_tensor::Element;
use serde::{Deserialize, Serialize};

use crate::config::OptimizerConfig;
use crate::error::{Result, check_eps, check_lr, check_momentum, check_non_negative, check_weight_decay, ok};
use crate::optimizer::{impl_optimizer, setter};
use crate::state::{Core, Kernel, Layout};
use crate::subnormal::{GRAD_MIN, STATE_MIN, or_zero};

/// The hyper-parameters of [`RmsProp`].
///
/// `Default` is Keras' `RMSprop()`: `lr = 0.001`, `alpha` (Keras' `rho`) `= 0.9`, `eps = 1e-7`.
/// (PyTorch's defaults are `alpha = 0.99`, `eps = 1e-8`; [`RmsProp::new`] uses those.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RmsPropParams {
    /// The learning rate.
    pub lr: f64,
    /// Decay of the running average of squared gradients (Keras' `rho`).
    pub alpha: f64,
    /// Added to the denominator for numerical stability.
    pub eps: f64,
    /// L2 penalty: `weight_decay * p` is added to the gradient.
    pub weight_decay: f64,
    /// Momentum factor (0: none).
    pub momentum: f64,
    /// Divide by the estimated variance (`E[g^2] - E[g]^2`) instead of `E[g^2]`.
    pub centered: bool,
}

impl Default for RmsPropParams {
    fn default() -> RmsPropParams {
        RmsPropParams { lr: 0.001, alpha: 0.9, eps: 1e-7, weight_decay: 0.0, momentum: 0.0, centered: false }
    }
}

impl RmsPropParams {
    /// Checks the ranges, with PyTorch's messages.
    pub fn validate(&self) -> Result<()> {
        check_lr(self.lr)?;
        check_eps(self.eps)?;
        check_momentum(self.momentum)?;
        check_weight_decay(self.weight_decay)?;
        check_non_negative("alpha", self.alpha)
    }
}

/// One RMSprop update of a parameter `p` with gradient `g`, in one pass, as PyTorch's `RMSprop`:
///
/// ```text
/// g = g + weight_decay * p
/// s = alpha * s + (1 - alpha) * g^2                    (square_avg)
/// a = alpha * a + (1 - alpha) * g                      (grad_avg, centered only)
/// d = sqrt(s - a^2) + eps  if centered, else  sqrt(s) + eps
/// b = momentum * b + g / d;  p = p - lr * b            (momentum > 0)
/// p = p - lr * g / d                                   (otherwise)
/// ```
///
/// `grad_avg` is used only when `hp.centered`, `momentum_buffer` only when `hp.momentum > 0`.
///
/// ```
/// use kerosene_optim::{RmsPropParams, rmsprop_update};
///
/// // First step: s = 0.01 * 4 = 0.04, p = 1 - 0.01 * 2 / (0.2 + 1e-8)
/// let hp = RmsPropParams { lr: 0.01, alpha: 0.99, eps: 1e-8, ..RmsPropParams::default() };
/// let (mut p, mut s) = (vec![1.0f64], vec![0.0]);
/// rmsprop_update(&mut p, &[2.0], &mut s, None, None, &hp);
/// assert!((p[0] - (1.0 - 0.01 * 2.0 / (0.2 + 1e-8))).abs() < 1e-12);
/// ```
///
/// # Panics
/// If the slices differ in length, or a buffer the options need is `None`.
#[inline(always)]
pub fn rmsprop_update<E: Element>(
    p: &mut [E],
    g: &[E],
    square_avg: &mut [E],
    grad_avg: Option<&mut [E]>,
    momentum_buffer: Option<&mut [E]>,
    hp: &RmsPropParams,
) {
    let n = p.len();
    assert!(g.len() == n && square_avg.len() == n, "rmsprop_update: slices differ in length");
    let mut grad_avg = if hp.centered {
        let a = grad_avg.expect("rmsprop_update: centered needs a grad_avg buffer");
        assert_eq!(a.len(), n, "rmsprop_update: slices differ in length");
        Some(a)
    } else {
        None
    };
    let mut momentum_buffer = if hp.momentum > 0.0 {
        let b = momentum_buffer.expect("rmsprop_update: momentum needs a momentum buffer");
        assert_eq!(b.len(), n, "rmsprop_update: slices differ in length");
        Some(b)
    } else {
        None
    };
    let (lr, alpha, oma, eps) = (E::of(hp.lr), E::of(hp.alpha), E::of(1.0 - hp.alpha), E::of(hp.eps));
    let (wd, decay, mu) = (E::of(hp.weight_decay), hp.weight_decay != 0.0, E::of(hp.momentum));
    let (gmin, smin) = (E::of(GRAD_MIN), E::of(STATE_MIN));
    for i in 0..n {
        let gi = or_zero(if decay { g[i] + wd * p[i] } else { g[i] }, gmin);
        let s = or_zero(square_avg[i] * alpha + oma * (gi * gi), smin);
        square_avg[i] = s;
        let avg = match grad_avg.as_deref_mut() {
            Some(a) => {
                a[i] = or_zero(a[i] + oma * (gi - a[i]), smin);
                (s - a[i] * a[i]).sqrt()
            }
            None => s.sqrt(),
        } + eps;
        match momentum_buffer.as_deref_mut() {
            Some(b) => {
                b[i] = or_zero(b[i] * mu + gi / avg, smin);
                p[i] -= lr * b[i];
            }
            None => p[i] -= lr * (gi / avg),
        }
    }
}

impl Kernel for RmsPropParams {
    fn layout(&self) -> Layout {
        let buffers: &'static [&'static str] = match (self.momentum > 0.0, self.centered) {
            (false, false) => &["square_avg"],
            (true, false) => &["square_avg", "momentum_buffer"],
            (false, true) => &["square_avg", "grad_avg"],
            (true, true) => &["square_avg", "momentum_buffer", "grad_avg"],
        };
        Layout { step: false, scalars: &[], buffers }
    }

    #[inline(always)]
    fn update<E: Element>(&self, p: &mut [E], g: &[E], bufs: &mut [&mut [E]], _scalars: &mut [f64], _step: u64) {
        match (bufs, self.momentum > 0.0) {
            ([s], _) => rmsprop_update(p, g, s, None, None, self),
            ([s, b], true) => rmsprop_update(p, g, s, None, Some(b), self),
            ([s, a], false) => rmsprop_update(p, g, s, Some(a), None, self),
            ([s, b, a], _) => rmsprop_update(p, g, s, Some(a), Some(b), self),
            _ => unreachable!("rmsprop keeps one to three buffers"),
        }
    }
}

/// RMSprop (Hinton) as PyTorch's `RMSprop` computes it, with optional
/// [`momentum`](RmsProp::momentum), [`centered`](RmsProp::centered) variance and L2
/// [`weight_decay`](RmsProp::weight_decay); see [`rmsprop_update`]. State per parameter:
/// `"{i}.square_avg"` (plus `"{i}.momentum_buffer"`, `"{i}.grad_avg"`).
///
/// Two sets of defaults:
/// - [`RmsProp::new(params, lr)`](RmsProp::new) follows PyTorch: `alpha = 0.99`, `eps = 1e-8`.
/// - [`RmsProp::default()`](RmsProp::default) (and `OptimizerConfig::from_name("rmsprop")`)
///   follows Keras: `lr = 0.001`, `alpha` (`rho`) `= 0.9`, `eps = 1e-7`, no parameters yet.
///
/// The update is PyTorch's (`eps` added to the square root); Keras adds `eps` under the root.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_optim::{Optimizer, RmsProp};
/// use kerosene_tensor::Tensor;
///
/// let w = Var::param(Tensor::from_vec(vec![1.0f64], &[1]));
/// let mut opt = RmsProp::new(vec![w.clone()], 0.01).centered(true).momentum(0.9);
/// w.set_grad(Some(Tensor::from_vec(vec![2.0f64], &[1])));
/// opt.step();
/// // s = 0.04, a = 0.02, d = sqrt(0.04 - 0.0004) + 1e-8, b = 2 / d, w = 1 - 0.01 b
/// let d = (0.04f64 - 0.0004).sqrt() + 1e-8;
/// assert!((w.item() - (1.0 - 0.01 * 2.0 / d)).abs() < 1e-12);
/// ```
pub struct RmsProp {
    core: Core,
    hyper: RmsPropParams,
}

impl RmsProp {
    /// RMSprop over `params` with learning rate `lr` and PyTorch's defaults: `alpha = 0.99`,
    /// `eps = 1e-8`, no momentum, not centered.
    ///
    /// # Panics
    /// If `lr` is negative or NaN (`Invalid learning rate: -0.1`). See [`RmsProp::try_new`].
    #[track_caller]
    pub fn new(params: Vec<Var>, lr: f64) -> RmsProp {
        ok(RmsProp::try_new(params, lr))
    }

    /// [`RmsProp::new`] returning an error instead of panicking.
    pub fn try_new(params: Vec<Var>, lr: f64) -> Result<RmsProp> {
        RmsProp::from_hyper(params, RmsPropParams { lr, alpha: 0.99, eps: 1e-8, ..RmsPropParams::default() })
    }

    /// An optimizer with all hyper-parameters given (checked).
    pub fn from_hyper(params: Vec<Var>, hyper: RmsPropParams) -> Result<RmsProp> {
        hyper.validate()?;
        Ok(RmsProp { core: Core::new(params, hyper.lr), hyper })
    }

    /// The hyper-parameters, with the current learning rate.
    pub fn hyper(&self) -> RmsPropParams {
        RmsPropParams { lr: self.core.learning_rate(), ..self.hyper }
    }

    setter!(
        /// The decay of the running average of squared gradients (PyTorch's `alpha`, default 0.99;
        /// Keras' `rho`, default 0.9).
        ///
        /// # Panics
        /// If negative or NaN (`Invalid alpha value: ...`).
        alpha, try_alpha, alpha: f64
    );

    setter!(
        /// The term added to the denominator (PyTorch default `1e-8`, Keras `1e-7`).
        ///
        /// # Panics
        /// If negative or NaN (`Invalid epsilon value: ...`).
        eps, try_eps, eps: f64
    );

    setter!(
        /// The momentum factor (default 0).
        ///
        /// # Panics
        /// If negative or NaN (`Invalid momentum value: ...`).
        momentum, try_momentum, momentum: f64
    );

    setter!(
        /// L2 weight decay (default 0).
        ///
        /// # Panics
        /// If negative or NaN (`Invalid weight_decay value: ...`).
        weight_decay, try_weight_decay, weight_decay: f64
    );

    /// Centered RMSprop: normalize by the estimated variance of the gradient (default off).
    pub fn centered(mut self, centered: bool) -> RmsProp {
        self.hyper.centered = centered;
        self
    }

    fn kernel(&self) -> RmsPropParams {
        self.hyper()
    }

    fn make_config(&self) -> OptimizerConfig {
        OptimizerConfig::RmsProp {
            hyper: RmsPropParams { lr: self.core.config_lr(), ..self.hyper },
            schedule: self.core.schedule_config(),
            clip: self.core.clip,
        }
    }
}

impl Default for RmsProp {
    /// Keras' `RMSprop()`: `lr = 0.001`, `rho = 0.9`, `eps = 1e-7`, no parameters yet.
    fn default() -> RmsProp {
        ok(RmsProp::from_hyper(Vec::new(), RmsPropParams::default()))
    }
}

impl_optimizer!(RmsProp, RmsPropParams);

#[cfg(test)]
mod tests {
    use super::*;

    // Centered, first step, g = 2, alpha = 0.5: s = 2, a = 1, d = sqrt(2 - 1) + 0 = 1; p = 1 - 0.1 * 2.
    #[test]
    fn centered_first_step() {
        let hp = RmsPropParams { lr: 0.1, alpha: 0.5, eps: 0.0, centered: true, ..RmsPropParams::default() };
        let (mut p, mut s, mut a) = (vec![1.0f64], vec![0.0], vec![0.0]);
        rmsprop_update(&mut p, &[2.0], &mut s, Some(&mut a), None, &hp);
        assert_eq!((s[0], a[0]), (2.0, 1.0));
        assert!((p[0] - 0.8).abs() < 1e-15);
    }

    // Momentum, two steps with g = 1, alpha = 0: s = 1, d = 1; b1 = 1, p = -0.1; b2 = 0.5 + 1, p = -0.25.
    #[test]
    fn momentum_accumulates_normalized_gradients() {
        let hp = RmsPropParams { lr: 0.1, alpha: 0.0, eps: 0.0, momentum: 0.5, ..RmsPropParams::default() };
        let (mut p, mut s, mut b) = (vec![0.0f64], vec![0.0], vec![0.0]);
        rmsprop_update(&mut p, &[1.0], &mut s, None, Some(&mut b), &hp);
        rmsprop_update(&mut p, &[1.0], &mut s, None, Some(&mut b), &hp);
        assert_eq!(b[0], 1.5);
        assert!((p[0] + 0.25).abs() < 1e-15);
    }
}
