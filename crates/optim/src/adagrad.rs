//! [`Adagrad`]: per-coordinate learning rates from the sum of squared gradients (PyTorch's
//! `Adagrad`); its update rule [`adagrad_update`].

use kerosene_autograd::Var;
use kerosene_tensor::Element;
use serde::{Deserialize, Serialize};

use crate::config::OptimizerConfig;
use crate::error::{Result, check_eps, check_lr, check_non_negative, check_weight_decay, ok};
use crate::optimizer::{impl_optimizer, setter};
use crate::state::{Core, Kernel, Layout};

/// The hyper-parameters of [`Adagrad`].
///
/// `Default` is Keras' `Adagrad()`: `lr = 0.001`, `initial_accumulator_value = 0.1`, `eps = 1e-7`.
/// (PyTorch's defaults are `initial_accumulator_value = 0`, `eps = 1e-10`; [`Adagrad::new`] uses
/// those.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdagradParams {
    /// The learning rate.
    pub lr: f64,
    /// Learning-rate decay: step `t` uses `lr / (1 + (t - 1) * lr_decay)`.
    pub lr_decay: f64,
    /// L2 penalty: `weight_decay * p` is added to the gradient.
    pub weight_decay: f64,
    /// The starting value of the sum of squared gradients.
    pub initial_accumulator_value: f64,
    /// Added to the denominator for numerical stability.
    pub eps: f64,
}

impl Default for AdagradParams {
    fn default() -> AdagradParams {
        AdagradParams { lr: 0.001, lr_decay: 0.0, weight_decay: 0.0, initial_accumulator_value: 0.1, eps: 1e-7 }
    }
}

impl AdagradParams {
    /// Checks the ranges, with PyTorch's messages.
    pub fn validate(&self) -> Result<()> {
        check_lr(self.lr)?;
        check_non_negative("lr_decay", self.lr_decay)?;
        check_weight_decay(self.weight_decay)?;
        check_non_negative("initial_accumulator_value", self.initial_accumulator_value)?;
        check_eps(self.eps)
    }
}

/// One Adagrad update of a parameter `p` with gradient `g`, in one pass, as PyTorch's `Adagrad`:
///
/// ```text
/// g = g + weight_decay * p
/// s = s + g^2                                  (sum, starts at initial_accumulator_value)
/// p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)
/// ```
///
/// `step` is `t`, this parameter's update count including this one.
///
/// ```
/// use kerosene_optim::{AdagradParams, adagrad_update};
///
/// let hp = AdagradParams { lr: 0.1, initial_accumulator_value: 0.0, eps: 0.0, ..AdagradParams::default() };
/// let (mut p, mut s) = (vec![1.0f64], vec![0.0]);
/// adagrad_update(&mut p, &[3.0], &mut s, &hp, 1); // s = 9, p = 1 - 0.1 * 3 / 3
/// adagrad_update(&mut p, &[4.0], &mut s, &hp, 2); // s = 25, p = 0.9 - 0.1 * 4 / 5
/// assert!((p[0] - 0.82).abs() < 1e-12);
/// ```
///
/// # Panics
/// If the slices differ in length.
#[inline(always)]
pub fn adagrad_update<E: Element>(p: &mut [E], g: &[E], sum: &mut [E], hp: &AdagradParams, step: u64) {
    assert!(g.len() == p.len() && sum.len() == p.len(), "adagrad_update: slices differ in length");
    let clr = E::of(hp.lr / (1.0 + (step as f64 - 1.0) * hp.lr_decay));
    let (wd, decay, eps) = (E::of(hp.weight_decay), hp.weight_decay != 0.0, E::of(hp.eps));
    for ((p, &g), s) in p.iter_mut().zip(g).zip(sum.iter_mut()) {
        let g = if decay { g + wd * *p } else { g };
        *s += g * g;
        *p -= clr * (g / (s.sqrt() + eps));
    }
}

impl Kernel for AdagradParams {
    fn layout(&self) -> Layout {
        Layout { step: true, scalars: &[], buffers: &["sum"] }
    }

    fn initial(&self, _name: &str) -> f64 {
        self.initial_accumulator_value
    }

    #[inline(always)]
    fn update<E: Element>(&self, p: &mut [E], g: &[E], bufs: &mut [&mut [E]], _scalars: &mut [f64], step: u64) {
        let [sum] = bufs else { unreachable!("adagrad keeps one buffer") };
        adagrad_update(p, g, sum, self, step);
    }
}

/// Adagrad (Duchi et al., 2011) as PyTorch's `Adagrad` computes it, with optional
/// [`lr_decay`](Adagrad::lr_decay) and L2 [`weight_decay`](Adagrad::weight_decay); see
/// [`adagrad_update`]. State per parameter: `"{i}.step"`, `"{i}.sum"`.
///
/// Two sets of defaults:
/// - [`Adagrad::new(params, lr)`](Adagrad::new) follows PyTorch: `initial_accumulator_value = 0`,
///   `eps = 1e-10`.
/// - [`Adagrad::default()`](Adagrad::default) (and `OptimizerConfig::from_name("adagrad")`)
///   follows Keras: `lr = 0.001`, `initial_accumulator_value = 0.1`, `eps = 1e-7`, no parameters
///   yet.
///
/// The update is PyTorch's (`eps` added to the square root); Keras adds `eps` under the root.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_optim::{Adagrad, Optimizer};
/// use kerosene_tensor::Tensor;
///
/// let w = Var::param(Tensor::from_vec(vec![1.0f64], &[1]));
/// let mut opt = Adagrad::new(vec![w.clone()], 0.1).initial_accumulator_value(7.0).eps(0.0);
/// w.set_grad(Some(Tensor::from_vec(vec![3.0f64], &[1])));
/// opt.step(); // sum = 7 + 9 = 16, w = 1 - 0.1 * 3 / 4
/// assert!((w.item() - 0.925).abs() < 1e-12);
/// ```
pub struct Adagrad {
    core: Core,
    hyper: AdagradParams,
}

impl Adagrad {
    /// Adagrad over `params` with learning rate `lr` and PyTorch's defaults: no decay,
    /// `initial_accumulator_value = 0`, `eps = 1e-10`.
    ///
    /// # Panics
    /// If `lr` is negative or NaN (`Invalid learning rate: -0.1`). See [`Adagrad::try_new`].
    #[track_caller]
    pub fn new(params: Vec<Var>, lr: f64) -> Adagrad {
        ok(Adagrad::try_new(params, lr))
    }

    /// [`Adagrad::new`] returning an error instead of panicking.
    pub fn try_new(params: Vec<Var>, lr: f64) -> Result<Adagrad> {
        let hyper = AdagradParams { lr, initial_accumulator_value: 0.0, eps: 1e-10, ..AdagradParams::default() };
        Adagrad::from_hyper(params, hyper)
    }

    /// An optimizer with all hyper-parameters given (checked).
    pub fn from_hyper(params: Vec<Var>, hyper: AdagradParams) -> Result<Adagrad> {
        hyper.validate()?;
        Ok(Adagrad { core: Core::new(params, hyper.lr), hyper })
    }

    /// The hyper-parameters, with the current learning rate.
    pub fn hyper(&self) -> AdagradParams {
        AdagradParams { lr: self.core.learning_rate(), ..self.hyper }
    }

    setter!(
        /// The starting value of the sum of squared gradients (PyTorch default 0, Keras 0.1). It
        /// applies to state created after the call.
        ///
        /// # Panics
        /// If negative or NaN (`Invalid initial_accumulator_value value: ...`).
        initial_accumulator_value, try_initial_accumulator_value, initial_accumulator_value: f64
    );

    setter!(
        /// The term added to the denominator (PyTorch default `1e-10`, Keras `1e-7`).
        ///
        /// # Panics
        /// If negative or NaN (`Invalid epsilon value: ...`).
        eps, try_eps, eps: f64
    );

    setter!(
        /// Learning-rate decay (default 0): step `t` uses `lr / (1 + (t - 1) * lr_decay)`.
        ///
        /// # Panics
        /// If negative or NaN (`Invalid lr_decay value: ...`).
        lr_decay, try_lr_decay, lr_decay: f64
    );

    setter!(
        /// L2 weight decay (default 0).
        ///
        /// # Panics
        /// If negative or NaN (`Invalid weight_decay value: ...`).
        weight_decay, try_weight_decay, weight_decay: f64
    );

    fn kernel(&self) -> AdagradParams {
        self.hyper()
    }

    fn make_config(&self) -> OptimizerConfig {
        OptimizerConfig::Adagrad {
            hyper: AdagradParams { lr: self.core.config_lr(), ..self.hyper },
            schedule: self.core.schedule_config(),
            clip: self.core.clip,
        }
    }
}

impl Default for Adagrad {
    /// Keras' `Adagrad()`: `lr = 0.001`, `initial_accumulator_value = 0.1`, `eps = 1e-7`, no
    /// parameters yet.
    fn default() -> Adagrad {
        ok(Adagrad::from_hyper(Vec::new(), AdagradParams::default()))
    }
}

impl_optimizer!(Adagrad, AdagradParams);

#[cfg(test)]
mod tests {
    use super::*;

    // lr_decay 1: step 3 uses lr / 3. s = 0 + 4 = 4, p = 0 - (0.3 / 3) * 2 / 2 = -0.1.
    #[test]
    fn lr_decay_divides_by_one_plus_decayed_steps() {
        let hp = AdagradParams { lr: 0.3, lr_decay: 1.0, initial_accumulator_value: 0.0, eps: 0.0, weight_decay: 0.0 };
        let (mut p, mut s) = (vec![0.0f64], vec![0.0]);
        adagrad_update(&mut p, &[2.0], &mut s, &hp, 3);
        assert!((p[0] + 0.1).abs() < 1e-15);
    }

    // Weight decay 0.5 at p = 2 turns g = 0 into 1: s = 1, p = 2 - 0.1 * 1 / 1.
    #[test]
    fn weight_decay_is_an_l2_term() {
        let hp = AdagradParams { lr: 0.1, weight_decay: 0.5, initial_accumulator_value: 0.0, eps: 0.0, lr_decay: 0.0 };
        let (mut p, mut s) = (vec![2.0f32], vec![0.0f32]);
        adagrad_update(&mut p, &[0.0], &mut s, &hp, 1);
        assert_eq!((p[0], s[0]), (1.9, 1.0));
    }
}
