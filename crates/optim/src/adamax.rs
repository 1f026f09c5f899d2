//! [`Adamax`]: Adam with the infinity norm (PyTorch's `Adamax`); its update rule [`adamax_update`].

use kerosene_autograd::Var;
use kerosene_tensor::Element;
use serde::{Deserialize, Serialize};

use crate::config::OptimizerConfig;
use crate::error::{Result, check_beta, check_eps, check_lr, check_weight_decay, ok};
use crate::optimizer::{impl_optimizer, setter};
use crate::state::{Core, Kernel, Layout};
use crate::subnormal::{GRAD_MIN, STATE_MIN, or_zero};

/// The hyper-parameters of [`Adamax`].
///
/// `Default` is Keras' `Adamax()`: `lr = 0.001`, `betas = (0.9, 0.999)`, `eps = 1e-7`.
/// (PyTorch's defaults are `lr = 0.002`, `eps = 1e-8`.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdamaxParams {
    /// The learning rate.
    pub lr: f64,
    /// Decay of the first-moment estimate.
    pub beta1: f64,
    /// Decay of the infinity norm.
    pub beta2: f64,
    /// Added to `|g|` in the infinity norm for numerical stability.
    pub eps: f64,
    /// L2 penalty: `weight_decay * p` is added to the gradient.
    pub weight_decay: f64,
}

impl Default for AdamaxParams {
    fn default() -> AdamaxParams {
        AdamaxParams { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-7, weight_decay: 0.0 }
    }
}

impl AdamaxParams {
    /// Checks the ranges, with PyTorch's messages.
    pub fn validate(&self) -> Result<()> {
        check_lr(self.lr)?;
        check_eps(self.eps)?;
        check_beta(0, self.beta1)?;
        check_beta(1, self.beta2)?;
        check_weight_decay(self.weight_decay)
    }
}

/// One Adamax update of a parameter `p` with gradient `g`, in one pass, as PyTorch's `Adamax`:
///
/// ```text
/// g = g + weight_decay * p
/// m = beta1 * m + (1 - beta1) * g
/// u = max(beta2 * u, |g| + eps)
/// p = p - lr / (1 - beta1^t) * m / u
/// ```
///
/// (Keras puts `eps` in the denominator instead: `m / (u + eps)` with `u = max(beta2 u, |g|)`.)
///
/// ```
/// use kerosene_optim::{AdamaxParams, adamax_update};
///
/// // First step: m = 0.1 g, u = |g| + eps, so p moves by lr * g / (|g| + eps).
/// let hp = AdamaxParams { lr: 0.1, eps: 0.0, ..AdamaxParams::default() };
/// let (mut p, mut m, mut u) = (vec![1.0f64], vec![0.0], vec![0.0]);
/// adamax_update(&mut p, &[-4.0], &mut m, &mut u, &hp, 1);
/// assert!((p[0] - 1.1).abs() < 1e-12);
/// ```
///
/// # Panics
/// If the slices differ in length.
#[inline(always)]
pub fn adamax_update<E: Element>(p: &mut [E], g: &[E], m: &mut [E], u: &mut [E], hp: &AdamaxParams, step: u64) {
    let n = p.len();
    assert!(g.len() == n && m.len() == n && u.len() == n, "adamax_update: slices differ in length");
    let clr = E::of(hp.lr / (1.0 - hp.beta1.powf(step as f64)));
    let (omb1, b2, eps) = (E::of(1.0 - hp.beta1), E::of(hp.beta2), E::of(hp.eps));
    let (wd, decay) = (E::of(hp.weight_decay), hp.weight_decay != 0.0);
    let (gmin, smin) = (E::of(GRAD_MIN), E::of(STATE_MIN));
    for (((p, &g), m), u) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(u.iter_mut()) {
        let g = or_zero(if decay { g + wd * *p } else { g }, gmin);
        *m = or_zero(*m + omb1 * (g - *m), smin);
        let a = g.abs() + eps;
        let decayed = *u * b2;
        *u = if decayed > a { decayed } else { a };
        *p -= clr * (*m / *u);
    }
}

impl Kernel for AdamaxParams {
    fn layout(&self) -> Layout {
        Layout { step: true, scalars: &[], buffers: &["exp_avg", "exp_inf"] }
    }

    #[inline(always)]
    fn update<E: Element>(&self, p: &mut [E], g: &[E], bufs: &mut [&mut [E]], _scalars: &mut [f64], step: u64) {
        let [m, u] = bufs else { unreachable!("adamax keeps two buffers") };
        adamax_update(p, g, m, u, self, step);
    }
}

/// Adamax (Kingma & Ba, 2015, section 7), a variant of Adam based on the infinity norm, as
/// PyTorch's `Adamax` computes it; see [`adamax_update`]. State per parameter: `"{i}.step"`,
/// `"{i}.exp_avg"`, `"{i}.exp_inf"`.
///
/// [`Adamax::new(params, lr)`](Adamax::new) uses PyTorch's `betas = (0.9, 0.999)`, `eps = 1e-8`;
/// [`Adamax::default()`](Adamax::default) (and `OptimizerConfig::from_name("adamax")`) uses
/// Keras' `lr = 0.001`, `eps = 1e-7`.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_optim::{Adamax, Optimizer};
/// use kerosene_tensor::Tensor;
///
/// let w = Var::param(Tensor::from_vec(vec![1.0f64, 2.0], &[2]));
/// let mut opt = Adamax::new(vec![w.clone()], 0.1);
/// w.square().sum_all().backward();
/// opt.step();
/// let v = w.value().to_vec::<f64>();
/// assert!((v[0] - 0.9).abs() < 1e-7 && (v[1] - 1.9).abs() < 1e-7);
/// ```
pub struct Adamax {
    core: Core,
    hyper: AdamaxParams,
}

impl Adamax {
    /// Adamax over `params` with learning rate `lr` (PyTorch's default is 0.002) and PyTorch's
    /// `betas = (0.9, 0.999)`, `eps = 1e-8`.
    ///
    /// # Panics
    /// If `lr` is negative or NaN (`Invalid learning rate: -0.1`). See [`Adamax::try_new`].
    #[track_caller]
    pub fn new(params: Vec<Var>, lr: f64) -> Adamax {
        ok(Adamax::try_new(params, lr))
    }

    /// [`Adamax::new`] returning an error instead of panicking.
    pub fn try_new(params: Vec<Var>, lr: f64) -> Result<Adamax> {
        Adamax::from_hyper(params, AdamaxParams { lr, eps: 1e-8, ..AdamaxParams::default() })
    }

    /// An optimizer with all hyper-parameters given (checked).
    pub fn from_hyper(params: Vec<Var>, hyper: AdamaxParams) -> Result<Adamax> {
        hyper.validate()?;
        Ok(Adamax { core: Core::new(params, hyper.lr), hyper })
    }

    /// The hyper-parameters, with the current learning rate.
    pub fn hyper(&self) -> AdamaxParams {
        AdamaxParams { lr: self.core.learning_rate(), ..self.hyper }
    }

    /// The decay rates (default `(0.9, 0.999)`).
    ///
    /// # Panics
    /// If either is outside `[0, 1)` (`Invalid beta parameter at index 0: ...`).
    #[track_caller]
    pub fn betas(self, beta1: f64, beta2: f64) -> Adamax {
        ok(self.try_betas(beta1, beta2))
    }

    /// [`Adamax::betas`] returning an error instead of panicking.
    pub fn try_betas(self, beta1: f64, beta2: f64) -> Result<Adamax> {
        self.try_with(|h| (h.beta1, h.beta2) = (beta1, beta2))
    }

    setter!(
        /// The term added to `|g|` (PyTorch default `1e-8`, Keras `1e-7`).
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

    fn kernel(&self) -> AdamaxParams {
        self.hyper()
    }

    fn make_config(&self) -> OptimizerConfig {
        OptimizerConfig::Adamax {
            hyper: AdamaxParams { lr: self.core.config_lr(), ..self.hyper },
            schedule: self.core.schedule_config(),
            clip: self.core.clip,
        }
    }
}

impl Default for Adamax {
    /// Keras' `Adamax()`: `lr = 0.001`, `betas = (0.9, 0.999)`, `eps = 1e-7`, no parameters yet.
    fn default() -> Adamax {
        ok(Adamax::from_hyper(Vec::new(), AdamaxParams::default()))
    }
}

impl_optimizer!(Adamax, AdamaxParams);

#[cfg(test)]
mod tests {
    use super::*;

    // Step 2, beta2 = 0.5: u = max(0.5 * 4, |1| + 0) = 2; m = 0.9 * 0.4 + 0.1 * 1 = 0.46;
    // p = 0 - 0.1 / 0.19 * 0.46 / 2.
    #[test]
    fn infinity_norm_decays_then_takes_the_max() {
        let hp = AdamaxParams { lr: 0.1, beta2: 0.5, eps: 0.0, ..AdamaxParams::default() };
        let (mut p, mut m, mut u) = (vec![0.0f64], vec![0.4], vec![4.0]);
        adamax_update(&mut p, &[1.0], &mut m, &mut u, &hp, 2);
        assert_eq!(u[0], 2.0);
        assert!((m[0] - 0.46).abs() < 1e-15);
        assert!((p[0] + 0.1 / 0.19 * 0.46 / 2.0).abs() < 1e-14);
    }
}
