//! [`NAdam`]: Adam with Nesterov momentum (Dozat, 2016; PyTorch's `NAdam`); its update rule
//! [`nadam_update`].

use kerosene_autograd::Var;
use kerosene_tensor::Element;
use serde::{Deserialize, Serialize};

use crate::config::OptimizerConfig;
use crate::error::{Result, check_beta, check_eps, check_lr, check_non_negative, check_weight_decay, ok};
use crate::optimizer::{impl_optimizer, setter};
use crate::state::{Core, Kernel, Layout};
use crate::subnormal::{GRAD_MIN, STATE_MIN, or_zero};

/// The hyper-parameters of [`NAdam`].
///
/// `Default` is Keras' `Nadam()`: `lr = 0.001`, `betas = (0.9, 0.999)`, `eps = 1e-7`, and the
/// momentum schedule's `momentum_decay = 0.004` of both frameworks. (PyTorch's defaults are
/// `lr = 0.002`, `eps = 1e-8`.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NAdamParams {
    /// The learning rate.
    pub lr: f64,
    /// Decay of the first-moment estimate (the top of the momentum schedule).
    pub beta1: f64,
    /// Decay of the second-moment estimate.
    pub beta2: f64,
    /// Added to the denominator for numerical stability.
    pub eps: f64,
    /// L2 penalty: `weight_decay * p` is added to the gradient.
    pub weight_decay: f64,
    /// The rate of the momentum schedule `mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))`.
    pub momentum_decay: f64,
}

impl Default for NAdamParams {
    fn default() -> NAdamParams {
        NAdamParams { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-7, weight_decay: 0.0, momentum_decay: 4e-3 }
    }
}

impl NAdamParams {
    /// Checks the ranges, with PyTorch's messages.
    pub fn validate(&self) -> Result<()> {
        check_lr(self.lr)?;
        check_eps(self.eps)?;
        check_beta(0, self.beta1)?;
        check_beta(1, self.beta2)?;
        check_weight_decay(self.weight_decay)?;
        check_non_negative("momentum_decay", self.momentum_decay)
    }
}

/// One NAdam update of a parameter `p` with gradient `g`, in one pass, as PyTorch's `NAdam`:
///
/// ```text
/// g = g + weight_decay * p
/// mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay)),  mu_{t+1} likewise
/// mu_product = mu_product * mu_t                          (starts at 1; per-parameter state)
/// m = beta1 * m + (1 - beta1) * g
/// v = beta2 * v + (1 - beta2) * g^2
/// d = sqrt(v / (1 - beta2^t)) + eps
/// p = p - lr * (1 - mu_t) / (1 - mu_product) * g / d
///       - lr * mu_{t+1} / (1 - mu_product * mu_{t+1}) * m / d
/// ```
///
/// ```
/// use kerosene_optim::{NAdamParams, nadam_update};
///
/// let hp = NAdamParams { lr: 0.1, eps: 1e-8, ..NAdamParams::default() };
/// let (mut p, mut m, mut v, mut mu_product) = (vec![1.0f64], vec![0.0], vec![0.0], 1.0);
/// nadam_update(&mut p, &[1.0], &mut m, &mut v, &mut mu_product, &hp, 1);
/// let mu1 = 0.9 * (1.0 - 0.5 * 0.96f64.powf(0.004));
/// assert!((mu_product - mu1).abs() < 1e-15);
/// assert!(p[0] < 1.0 && p[0] > 0.89);
/// ```
///
/// # Panics
/// If the slices differ in length.
#[inline(always)]
pub fn nadam_update<E: Element>(
    p: &mut [E],
    g: &[E],
    m: &mut [E],
    v: &mut [E],
    mu_product: &mut f64,
    hp: &NAdamParams,
    step: u64,
) {
    let n = p.len();
    assert!(g.len() == n && m.len() == n && v.len() == n, "nadam_update: slices differ in length");
    let t = step as f64;
    let bc2 = E::of(1.0 - hp.beta2.powf(t));
    let mu = hp.beta1 * (1.0 - 0.5 * 0.96f64.powf(t * hp.momentum_decay));
    let mu_next = hp.beta1 * (1.0 - 0.5 * 0.96f64.powf((t + 1.0) * hp.momentum_decay));
    *mu_product *= mu;
    let c_grad = E::of(hp.lr * (1.0 - mu) / (1.0 - *mu_product));
    let c_avg = E::of(hp.lr * mu_next / (1.0 - *mu_product * mu_next));
    let (omb1, b2, omb2, eps) = (E::of(1.0 - hp.beta1), E::of(hp.beta2), E::of(1.0 - hp.beta2), E::of(hp.eps));
    let (wd, decay) = (E::of(hp.weight_decay), hp.weight_decay != 0.0);
    let (gmin, smin) = (E::of(GRAD_MIN), E::of(STATE_MIN));
    for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        let g = or_zero(if decay { g + wd * *p } else { g }, gmin);
        *m = or_zero(*m + omb1 * (g - *m), smin);
        *v = or_zero(*v * b2 + omb2 * (g * g), smin);
        let d = (*v / bc2).sqrt() + eps;
        *p -= c_grad * (g / d);
        *p -= c_avg * (*m / d);
    }
}

impl Kernel for NAdamParams {
    fn layout(&self) -> Layout {
        Layout { step: true, scalars: &[("mu_product", 1.0)], buffers: &["exp_avg", "exp_avg_sq"] }
    }

    #[inline(always)]
    fn update<E: Element>(&self, p: &mut [E], g: &[E], bufs: &mut [&mut [E]], scalars: &mut [f64], step: u64) {
        let ([m, v], [mu_product]) = (bufs, scalars) else { unreachable!("nadam keeps two buffers and one scalar") };
        nadam_update(p, g, m, v, mu_product, self, step);
    }
}

/// NAdam: Adam with Nesterov momentum and a warming momentum schedule, as PyTorch's `NAdam`
/// computes it; see [`nadam_update`]. State per parameter: `"{i}.step"`, `"{i}.mu_product"`,
/// `"{i}.exp_avg"`, `"{i}.exp_avg_sq"`.
///
/// [`NAdam::new(params, lr)`](NAdam::new) uses PyTorch's `betas = (0.9, 0.999)`, `eps = 1e-8`;
/// [`NAdam::default()`](NAdam::default) (and `OptimizerConfig::from_name("nadam")`) uses Keras'
/// `lr = 0.001`, `eps = 1e-7`.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_optim::{NAdam, Optimizer};
/// use kerosene_tensor::Tensor;
///
/// let w = Var::param(Tensor::scalar(5.0));
/// let mut opt = NAdam::new(vec![w.clone()], 0.2);
/// for _ in 0..200 {
///     opt.zero_grad();
///     w.square().backward();
///     opt.step();
/// }
/// assert!(w.item().abs() < 0.1);
/// ```
pub struct NAdam {
    core: Core,
    hyper: NAdamParams,
}

impl NAdam {
    /// NAdam over `params` with learning rate `lr` (PyTorch's default is 0.002) and PyTorch's
    /// `betas = (0.9, 0.999)`, `eps = 1e-8`, `momentum_decay = 0.004`.
    ///
    /// # Panics
    /// If `lr` is negative or NaN (`Invalid learning rate: -0.1`). See [`NAdam::try_new`].
    #[track_caller]
    pub fn new(params: Vec<Var>, lr: f64) -> NAdam {
        ok(NAdam::try_new(params, lr))
    }

    /// [`NAdam::new`] returning an error instead of panicking.
    pub fn try_new(params: Vec<Var>, lr: f64) -> Result<NAdam> {
        NAdam::from_hyper(params, NAdamParams { lr, eps: 1e-8, ..NAdamParams::default() })
    }

    /// An optimizer with all hyper-parameters given (checked).
    pub fn from_hyper(params: Vec<Var>, hyper: NAdamParams) -> Result<NAdam> {
        hyper.validate()?;
        Ok(NAdam { core: Core::new(params, hyper.lr), hyper })
    }

    /// The hyper-parameters, with the current learning rate.
    pub fn hyper(&self) -> NAdamParams {
        NAdamParams { lr: self.core.learning_rate(), ..self.hyper }
    }

    /// The decay rates (default `(0.9, 0.999)`).
    ///
    /// # Panics
    /// If either is outside `[0, 1)` (`Invalid beta parameter at index 0: ...`).
    #[track_caller]
    pub fn betas(self, beta1: f64, beta2: f64) -> NAdam {
        ok(self.try_betas(beta1, beta2))
    }

    /// [`NAdam::betas`] returning an error instead of panicking.
    pub fn try_betas(self, beta1: f64, beta2: f64) -> Result<NAdam> {
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
        /// L2 weight decay (default 0).
        ///
        /// # Panics
        /// If negative or NaN (`Invalid weight_decay value: ...`).
        weight_decay, try_weight_decay, weight_decay: f64
    );

    setter!(
        /// The rate of the momentum schedule (default 0.004).
        ///
        /// # Panics
        /// If negative or NaN (`Invalid momentum_decay value: ...`).
        momentum_decay, try_momentum_decay, momentum_decay: f64
    );

    fn kernel(&self) -> NAdamParams {
        self.hyper()
    }

    fn make_config(&self) -> OptimizerConfig {
        OptimizerConfig::NAdam {
            hyper: NAdamParams { lr: self.core.config_lr(), ..self.hyper },
            schedule: self.core.schedule_config(),
            clip: self.core.clip,
        }
    }
}

impl Default for NAdam {
    /// Keras' `Nadam()`: `lr = 0.001`, `betas = (0.9, 0.999)`, `eps = 1e-7`, no parameters yet.
    fn default() -> NAdam {
        ok(NAdam::from_hyper(Vec::new(), NAdamParams::default()))
    }
}

impl_optimizer!(NAdam, NAdamParams);

#[cfg(test)]
mod tests {
    use super::*;

    // Step 1, g = 2, eps = 0: m = 0.2, v = 0.004, d = sqrt(0.004 / 0.001) = 2;
    // p = -lr (1 - mu1) / (1 - mu1) * 2 / 2 - lr mu2 / (1 - mu1 mu2) * 0.2 / 2 = -lr - lr mu2 0.1 / (1 - mu1 mu2).
    #[test]
    fn first_step_by_hand() {
        let hp = NAdamParams { lr: 0.1, eps: 0.0, ..NAdamParams::default() };
        let (mut p, mut m, mut v, mut prod) = (vec![0.0f64], vec![0.0], vec![0.0], 1.0);
        nadam_update(&mut p, &[2.0], &mut m, &mut v, &mut prod, &hp, 1);
        let mu1 = 0.9 * (1.0 - 0.5 * 0.96f64.powf(0.004));
        let mu2 = 0.9 * (1.0 - 0.5 * 0.96f64.powf(0.008));
        let expected = -0.1 - 0.1 * mu2 * 0.1 / (1.0 - mu1 * mu2);
        assert!((p[0] - expected).abs() < 1e-14, "{} vs {expected}", p[0]);
    }
}
