//! [`Sgd`]: stochastic gradient descent with optional momentum, Nesterov momentum, dampening and
//! L2 weight decay (PyTorch's `SGD`); its update rule [`sgd_update`].

use kerosene_autograd::Var;
use kerosene_tensor::Element;
use serde::{Deserialize, Serialize};

use crate::config::OptimizerConfig;
use crate::error::{OptimError, Result, check_lr, check_momentum, check_weight_decay, ok};
use crate::optimizer::{impl_optimizer, setter};
use crate::state::{Core, Kernel, Layout};
use crate::subnormal::{GRAD_MIN, STATE_MIN, or_zero};

/// The hyper-parameters of [`Sgd`]. `Default` is Keras' `SGD()`: `lr = 0.01` and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SgdParams {
    /// The learning rate.
    pub lr: f64,
    /// The momentum factor (0: none).
    pub momentum: f64,
    /// Dampening of the momentum: the gradient enters the buffer with weight `1 - dampening`.
    pub dampening: f64,
    /// L2 penalty: `weight_decay * p` is added to the gradient.
    pub weight_decay: f64,
    /// Nesterov momentum (needs `momentum > 0` and `dampening == 0`).
    pub nesterov: bool,
}

impl Default for SgdParams {
    fn default() -> SgdParams {
        SgdParams { lr: 0.01, momentum: 0.0, dampening: 0.0, weight_decay: 0.0, nesterov: false }
    }
}

impl SgdParams {
    /// Checks the ranges, with PyTorch's messages.
    pub fn validate(&self) -> Result<()> {
        check_lr(self.lr)?;
        check_momentum(self.momentum)?;
        check_weight_decay(self.weight_decay)?;
        if self.nesterov && (self.momentum <= 0.0 || self.dampening != 0.0) {
            return Err(OptimError::InvalidHyperParameter(
                "Nesterov momentum requires a momentum and zero dampening".into(),
            ));
        }
        Ok(())
    }
}

/// One SGD update of a parameter `p` with gradient `g`, in place (PyTorch's `SGD`):
///
/// ```text
/// d = g + weight_decay * p
/// if momentum != 0:
///     b = d                                   on the first step (step == 1)
///     b = momentum * b + (1 - dampening) * d  afterwards
///     d = d + momentum * b  if nesterov, else  d = b
/// p = p - lr * d
/// ```
///
/// `momentum_buffer` is required when `hp.momentum != 0` and ignored otherwise; `step` counts
/// this parameter's updates including this one.
///
/// ```
/// use kerosene_optim::{SgdParams, sgd_update};
///
/// let hp = SgdParams { lr: 0.1, momentum: 0.9, ..SgdParams::default() };
/// let (mut p, mut b) = (vec![1.0f64], vec![0.0]);
/// sgd_update(&mut p, &[2.0], Some(&mut b), &hp, 1); // b = 2, p = 1 - 0.2
/// sgd_update(&mut p, &[2.0], Some(&mut b), &hp, 2); // b = 3.8, p = 0.8 - 0.38
/// assert!((p[0] - 0.42).abs() < 1e-12 && (b[0] - 3.8).abs() < 1e-12);
/// ```
///
/// # Panics
/// If the slices differ in length, or `hp.momentum != 0` and there is no buffer.
#[inline(always)]
pub fn sgd_update<E: Element>(p: &mut [E], g: &[E], momentum_buffer: Option<&mut [E]>, hp: &SgdParams, step: u64) {
    assert_eq!(p.len(), g.len(), "sgd_update: parameter and gradient lengths differ");
    let lr = E::of(hp.lr);
    let wd = E::of(hp.weight_decay);
    let decay = hp.weight_decay != 0.0;
    if hp.momentum == 0.0 {
        for (p, &g) in p.iter_mut().zip(g) {
            let d = if decay { g + wd * *p } else { g };
            *p -= lr * d;
        }
        return;
    }
    let buf = momentum_buffer.expect("sgd_update: momentum != 0 needs a momentum buffer");
    assert_eq!(p.len(), buf.len(), "sgd_update: parameter and buffer lengths differ");
    let mu = E::of(hp.momentum);
    let keep = E::of(1.0 - hp.dampening);
    let first = step <= 1;
    let (gmin, smin) = (E::of(GRAD_MIN), E::of(STATE_MIN));
    for ((p, &g), b) in p.iter_mut().zip(g).zip(buf.iter_mut()) {
        let d = or_zero(if decay { g + wd * *p } else { g }, gmin);
        *b = or_zero(if first { d } else { *b * mu + keep * d }, smin);
        let d = if hp.nesterov { d + mu * *b } else { *b };
        *p -= lr * d;
    }
}

impl Kernel for SgdParams {
    fn layout(&self) -> Layout {
        let buffers: &'static [&'static str] = if self.momentum != 0.0 { &["momentum_buffer"] } else { &[] };
        Layout { step: false, scalars: &[], buffers }
    }

    #[inline(always)]
    fn update<E: Element>(&self, p: &mut [E], g: &[E], bufs: &mut [&mut [E]], _scalars: &mut [f64], step: u64) {
        match bufs {
            [] => sgd_update(p, g, None, self, step),
            [b] => sgd_update(p, g, Some(b), self, step),
            _ => unreachable!("sgd keeps at most one buffer"),
        }
    }
}

/// Stochastic gradient descent, PyTorch's `SGD`: plain gradient descent `p -= lr * g` with the
/// defaults, plus optional [`momentum`](Sgd::momentum), [`nesterov`](Sgd::nesterov),
/// [`dampening`](Sgd::dampening) and L2 [`weight_decay`](Sgd::weight_decay). See
/// [`sgd_update`] for the rule; the momentum buffer (`"{i}.momentum_buffer"` in the state dict)
/// starts as the first gradient, as in PyTorch.
///
/// [`Sgd::default`] is Keras' `SGD()`: `lr = 0.01`, no parameters yet.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_optim::{Optimizer, Sgd};
/// use kerosene_tensor::Tensor;
///
/// let w = Var::param(Tensor::from_vec(vec![1.0f32, -2.0], &[2]));
/// let mut opt = Sgd::new(vec![w.clone()], 0.1).momentum(0.9).nesterov(true);
/// let loss = w.square().sum_all(); // grad = 2w
/// loss.backward();
/// opt.step();
/// // b = g = [2, -4]; d = g + 0.9 b = [3.8, -7.6]; w -= 0.1 d
/// let w1 = w.value().to_vec::<f32>();
/// assert!((w1[0] - 0.62).abs() < 1e-6 && (w1[1] + 1.24).abs() < 1e-6);
/// ```
pub struct Sgd {
    core: Core,
    hyper: SgdParams,
}

impl Sgd {
    /// Plain gradient descent over `params` with learning rate `lr` (PyTorch's `SGD(params, lr)`).
    ///
    /// # Panics
    /// If `lr` is negative or NaN (`Invalid learning rate: -0.1`). See [`Sgd::try_new`].
    #[track_caller]
    pub fn new(params: Vec<Var>, lr: f64) -> Sgd {
        ok(Sgd::try_new(params, lr))
    }

    /// [`Sgd::new`] returning an error instead of panicking.
    pub fn try_new(params: Vec<Var>, lr: f64) -> Result<Sgd> {
        Sgd::from_hyper(params, SgdParams { lr, ..SgdParams::default() })
    }

    /// An optimizer with all hyper-parameters given (checked).
    pub fn from_hyper(params: Vec<Var>, hyper: SgdParams) -> Result<Sgd> {
        hyper.validate()?;
        Ok(Sgd { core: Core::new(params, hyper.lr), hyper })
    }

    /// The hyper-parameters, with the current learning rate.
    pub fn hyper(&self) -> SgdParams {
        SgdParams { lr: self.core.learning_rate(), ..self.hyper }
    }

    setter!(
        /// The momentum factor (PyTorch's `momentum`, default 0).
        ///
        /// # Panics
        /// If negative or NaN (`Invalid momentum value: ...`), or 0 with Nesterov on.
        momentum, try_momentum, momentum: f64
    );

    setter!(
        /// Nesterov momentum. Set [`momentum`](Sgd::momentum) first.
        ///
        /// # Panics
        /// If turned on without momentum or with dampening
        /// (`Nesterov momentum requires a momentum and zero dampening`).
        nesterov, try_nesterov, nesterov: bool
    );

    setter!(
        /// Dampening of the momentum (default 0).
        ///
        /// # Panics
        /// If non-zero with Nesterov on.
        dampening, try_dampening, dampening: f64
    );

    setter!(
        /// L2 weight decay (default 0): `weight_decay * p` is added to the gradient.
        ///
        /// # Panics
        /// If negative or NaN (`Invalid weight_decay value: ...`).
        weight_decay, try_weight_decay, weight_decay: f64
    );

    fn kernel(&self) -> SgdParams {
        self.hyper()
    }

    fn make_config(&self) -> OptimizerConfig {
        OptimizerConfig::Sgd {
            hyper: SgdParams { lr: self.core.config_lr(), ..self.hyper },
            schedule: self.core.schedule_config(),
            clip: self.core.clip,
        }
    }
}

impl Default for Sgd {
    /// Keras' `SGD()`: `lr = 0.01`, no momentum, no parameters yet.
    fn default() -> Sgd {
        ok(Sgd::from_hyper(Vec::new(), SgdParams::default()))
    }
}

impl_optimizer!(Sgd, SgdParams);

#[cfg(test)]
mod tests {
    use super::*;

    // p = 1, g = 2 throughout (the gradient does not depend on p here).
    #[test]
    fn plain_step_is_p_minus_lr_g() {
        let hp = SgdParams { lr: 0.1, ..SgdParams::default() };
        let mut p = vec![1.0f64, -1.0];
        sgd_update(&mut p, &[2.0, -4.0], None, &hp, 1);
        assert_eq!(p, vec![0.8, -0.6]);
    }

    // b1 = g = 2 (first step ignores dampening); p1 = 1 - 0.1 * 2 = 0.8
    // b2 = 0.9 * 2 + 0.5 * 2 = 2.8;               p2 = 0.8 - 0.28 = 0.52
    #[test]
    fn dampening_is_skipped_on_the_first_step() {
        let hp = SgdParams { lr: 0.1, momentum: 0.9, dampening: 0.5, ..SgdParams::default() };
        let (mut p, mut b) = (vec![1.0f64], vec![123.0]);
        sgd_update(&mut p, &[2.0], Some(&mut b), &hp, 1);
        assert_eq!((p[0], b[0]), (0.8, 2.0));
        sgd_update(&mut p, &[2.0], Some(&mut b), &hp, 2);
        assert!((b[0] - 2.8).abs() < 1e-15 && (p[0] - 0.52).abs() < 1e-15);
    }

    // d = g + wd p = 2 + 0.5 * 1 = 2.5; nesterov: d + 0.9 * b = 2.5 + 2.25 = 4.75; p = 1 - 0.475
    #[test]
    fn nesterov_with_weight_decay() {
        let hp = SgdParams { lr: 0.1, momentum: 0.9, weight_decay: 0.5, nesterov: true, ..SgdParams::default() };
        let (mut p, mut b) = (vec![1.0f32], vec![0.0f32]);
        sgd_update(&mut p, &[2.0], Some(&mut b), &hp, 1);
        assert_eq!(b[0], 2.5);
        assert!((p[0] - 0.525).abs() < 1e-7);
    }
}
