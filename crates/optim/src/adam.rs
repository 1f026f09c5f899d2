//! [`Adam`]: adaptive moment estimation with optional AMSGrad and L2 weight decay (PyTorch's
//! `Adam`); its fused update rule [`adam_update`], shared with [`AdamW`](crate::AdamW).

use kerosene_autograd::Var;
use kerosene_tensor::Element;
use serde::{Deserialize, Serialize};

use crate::config::OptimizerConfig;
use crate::error::{Result, check_beta, check_eps, check_lr, check_weight_decay, ok};
use crate::optimizer::{impl_optimizer, setter};
use crate::state::{Core, Kernel, Layout};
use crate::subnormal::{GRAD_MIN, STATE_MIN, or_zero};

/// The hyper-parameters of [`Adam`] and [`AdamW`](crate::AdamW).
///
/// `Default` is Keras' `Adam()`: `lr = 0.001`, `betas = (0.9, 0.999)`, **`eps = 1e-7`**, no weight
/// decay. (PyTorch's default `eps` is `1e-8`; [`Adam::new`] uses that one.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdamParams {
    /// The learning rate.
    pub lr: f64,
    /// Decay of the first-moment (mean) estimate.
    pub beta1: f64,
    /// Decay of the second-moment (uncentered variance) estimate.
    pub beta2: f64,
    /// Added to the denominator for numerical stability.
    pub eps: f64,
    /// Weight decay: an L2 penalty added to the gradient, or with `decoupled_weight_decay` a
    /// shrink `p *= 1 - lr * weight_decay` (AdamW).
    pub weight_decay: f64,
    /// Use the running maximum of the second moment (AMSGrad).
    pub amsgrad: bool,
    /// Decoupled weight decay (AdamW) instead of an L2 penalty.
    pub decoupled_weight_decay: bool,
}

impl Default for AdamParams {
    fn default() -> AdamParams {
        AdamParams {
            lr: 0.001,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-7,
            weight_decay: 0.0,
            amsgrad: false,
            decoupled_weight_decay: false,
        }
    }
}

impl AdamParams {
    /// Checks the ranges, with PyTorch's messages.
    pub fn validate(&self) -> Result<()> {
        check_lr(self.lr)?;
        check_eps(self.eps)?;
        check_beta(0, self.beta1)?;
        check_beta(1, self.beta2)?;
        check_weight_decay(self.weight_decay)
    }
}

/// One Adam update of a parameter `p` with gradient `g`, in a single fused pass over `p`, `g`
/// and the moments `m`, `v` (and `max_v` with AMSGrad), as PyTorch's `Adam` computes it:
///
/// ```text
/// g = g + weight_decay * p                      (L2; with decoupled_weight_decay instead:
///                                                p = p * (1 - lr * weight_decay))
/// m = beta1 * m + (1 - beta1) * g               (computed as m + (1 - beta1) (g - m))
/// v = beta2 * v + (1 - beta2) * g^2
/// max_v = max(max_v, v), used in place of v     (AMSGrad)
/// p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
/// ```
///
/// `step` is `t`, this parameter's update count including this one (1 on its first update).
/// `max_v` is used only with `hp.amsgrad`.
///
/// ```
/// use kerosene_optim::{AdamParams, adam_update};
///
/// // First step: m = 0.1 g, v = 0.001 g^2, so m / (1 - 0.9) = g and sqrt(v / (1 - 0.999)) = |g|:
/// // the step is lr * sign(g) (up to eps).
/// let hp = AdamParams { lr: 0.1, eps: 0.0, ..AdamParams::default() };
/// let (mut p, mut m, mut v) = (vec![1.0f64, 1.0], vec![0.0; 2], vec![0.0; 2]);
/// adam_update(&mut p, &[3.0, -0.5], &mut m, &mut v, None, &hp, 1);
/// assert!((p[0] - 0.9).abs() < 1e-12 && (p[1] - 1.1).abs() < 1e-12);
/// ```
///
/// # Panics
/// If the slices differ in length, or `hp.amsgrad` is on and `max_v` is `None`.
#[inline(always)]
pub fn adam_update<E: Element>(
    p: &mut [E],
    g: &[E],
    m: &mut [E],
    v: &mut [E],
    max_v: Option<&mut [E]>,
    hp: &AdamParams,
    step: u64,
) {
    let n = p.len();
    assert!(g.len() == n && m.len() == n && v.len() == n, "adam_update: slices differ in length");
    let t = step as f64;
    let step_size = E::of(hp.lr / (1.0 - hp.beta1.powf(t)));
    // Multiplying by 1 / sqrt(1 - beta2^t) instead of dividing by it (PyTorch divides) saves a
    // division per element and changes the result by at most one rounding.
    let inv_bc2_sqrt = E::of(1.0 / (1.0 - hp.beta2.powf(t)).sqrt());
    let (b2, omb1, omb2) = (E::of(hp.beta2), E::of(1.0 - hp.beta1), E::of(1.0 - hp.beta2));
    let eps = E::of(hp.eps);
    let wd = E::of(hp.weight_decay);
    let l2 = hp.weight_decay != 0.0 && !hp.decoupled_weight_decay;
    let decoupled = hp.weight_decay != 0.0 && hp.decoupled_weight_decay;
    let shrink = E::of(1.0 - hp.lr * hp.weight_decay);

    // The part shared by both loops: weight decay and the moments. Returns the gradient used.
    // Gradients and moments too small to matter are zero, so that no value goes subnormal
    // (see `subnormal`).
    let (gmin, smin) = (E::of(GRAD_MIN), E::of(STATE_MIN));
    let moments = |p: &mut E, g: E, m: &mut E, v: &mut E| {
        let g = or_zero(if l2 { g + wd * *p } else { g }, gmin);
        if decoupled {
            *p *= shrink;
        }
        *m = or_zero(*m + omb1 * (g - *m), smin);
        *v = or_zero(*v * b2 + omb2 * (g * g), smin);
    };
    if hp.amsgrad {
        let max_v = max_v.expect("adam_update: amsgrad needs a max_v buffer");
        assert_eq!(max_v.len(), n, "adam_update: slices differ in length");
        for ((((p, &g), m), v), mv) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()).zip(max_v.iter_mut()) {
            moments(p, g, m, v);
            if *v > *mv {
                *mv = *v;
            }
            let denom = mv.sqrt() * inv_bc2_sqrt + eps;
            *p -= step_size * (*m / denom);
        }
    } else {
        for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
            moments(p, g, m, v);
            let denom = v.sqrt() * inv_bc2_sqrt + eps;
            *p -= step_size * (*m / denom);
        }
    }
}

impl Kernel for AdamParams {
    fn layout(&self) -> Layout {
        let buffers: &'static [&'static str] =
            if self.amsgrad { &["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] } else { &["exp_avg", "exp_avg_sq"] };
        Layout { step: true, scalars: &[], buffers }
    }

    #[inline(always)]
    fn update<E: Element>(&self, p: &mut [E], g: &[E], bufs: &mut [&mut [E]], _scalars: &mut [f64], step: u64) {
        match bufs {
            [m, v] => adam_update(p, g, m, v, None, self, step),
            [m, v, max_v] => adam_update(p, g, m, v, Some(max_v), self, step),
            _ => unreachable!("adam keeps two or three buffers"),
        }
    }
}

/// Adam (Kingma & Ba, 2015) as PyTorch's `Adam` computes it, with optional
/// [`amsgrad`](Adam::amsgrad) and L2 [`weight_decay`](Adam::weight_decay); see [`adam_update`].
/// State per parameter: `"{i}.step"`, `"{i}.exp_avg"`, `"{i}.exp_avg_sq"` (and
/// `"{i}.max_exp_avg_sq"` with AMSGrad).
///
/// Two sets of defaults:
/// - [`Adam::new(params, lr)`](Adam::new) follows PyTorch: `betas = (0.9, 0.999)`, `eps = 1e-8`.
/// - [`Adam::default()`](Adam::default) (and `OptimizerConfig::from_name("adam")`) follows Keras:
///   `lr = 0.001`, `betas = (0.9, 0.999)`, `eps = 1e-7`, and no parameters yet.
///
/// The update is PyTorch's (`eps` added to `sqrt(v_hat)`); Keras adds `eps` to `sqrt(v)` before
/// the bias correction, which differs by the tiny factor `sqrt(1 - beta2^t)` on `eps`.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_optim::{Adam, Optimizer};
/// use kerosene_tensor::Tensor;
///
/// let w = Var::param(Tensor::from_vec(vec![1.0f64, -2.0], &[2]));
/// let mut opt = Adam::new(vec![w.clone()], 0.1).betas(0.9, 0.99).amsgrad(true);
/// w.square().sum_all().backward();
/// opt.step();
/// // The first Adam step moves every coordinate by about lr against the gradient's sign.
/// let v = w.value().to_vec::<f64>();
/// assert!((v[0] - 0.9).abs() < 1e-6 && (v[1] + 1.9).abs() < 1e-6);
/// assert_eq!(opt.state_dict().len(), 2 + 4); // step, lr, 0.step, 0.exp_avg, 0.exp_avg_sq, 0.max_exp_avg_sq
/// ```
pub struct Adam {
    core: Core,
    hyper: AdamParams,
}

impl Adam {
    /// Adam over `params` with learning rate `lr` and PyTorch's defaults: `betas = (0.9, 0.999)`,
    /// `eps = 1e-8`, no weight decay.
    ///
    /// # Panics
    /// If `lr` is negative or NaN (`Invalid learning rate: -0.1`). See [`Adam::try_new`].
    #[track_caller]
    pub fn new(params: Vec<Var>, lr: f64) -> Adam {
        ok(Adam::try_new(params, lr))
    }

    /// [`Adam::new`] returning an error instead of panicking.
    pub fn try_new(params: Vec<Var>, lr: f64) -> Result<Adam> {
        Adam::from_hyper(params, AdamParams { lr, eps: 1e-8, ..AdamParams::default() })
    }

    /// An optimizer with all hyper-parameters given (checked).
    pub fn from_hyper(params: Vec<Var>, hyper: AdamParams) -> Result<Adam> {
        hyper.validate()?;
        Ok(Adam { core: Core::new(params, hyper.lr), hyper })
    }

    /// The hyper-parameters, with the current learning rate.
    pub fn hyper(&self) -> AdamParams {
        AdamParams { lr: self.core.learning_rate(), ..self.hyper }
    }

    /// The decay rates of the moment estimates (default `(0.9, 0.999)`).
    ///
    /// # Panics
    /// If either is outside `[0, 1)` (`Invalid beta parameter at index 1: 1.0`).
    #[track_caller]
    pub fn betas(self, beta1: f64, beta2: f64) -> Adam {
        ok(self.try_betas(beta1, beta2))
    }

    /// [`Adam::betas`] returning an error instead of panicking.
    pub fn try_betas(self, beta1: f64, beta2: f64) -> Result<Adam> {
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
        /// Weight decay (default 0): an L2 penalty `weight_decay * p` added to the gradient, as
        /// PyTorch's `Adam`; see [`AdamW`](crate::AdamW) or
        /// [`decoupled_weight_decay`](Adam::decoupled_weight_decay) for the decoupled form.
        ///
        /// # Panics
        /// If negative or NaN (`Invalid weight_decay value: ...`).
        weight_decay, try_weight_decay, weight_decay: f64
    );

    /// AMSGrad: divide by the running maximum of the second moment (default off).
    pub fn amsgrad(mut self, amsgrad: bool) -> Adam {
        self.hyper.amsgrad = amsgrad;
        self
    }

    /// Decoupled weight decay, `p *= 1 - lr * weight_decay`, instead of the L2 penalty (PyTorch's
    /// `Adam(decoupled_weight_decay=True)`, which is AdamW).
    pub fn decoupled_weight_decay(mut self, decoupled: bool) -> Adam {
        self.hyper.decoupled_weight_decay = decoupled;
        self
    }

    fn kernel(&self) -> AdamParams {
        self.hyper()
    }

    fn make_config(&self) -> OptimizerConfig {
        OptimizerConfig::Adam {
            hyper: AdamParams { lr: self.core.config_lr(), ..self.hyper },
            schedule: self.core.schedule_config(),
            clip: self.core.clip,
        }
    }
}

impl Default for Adam {
    /// Keras' `Adam()`: `lr = 0.001`, `betas = (0.9, 0.999)`, `eps = 1e-7`, no parameters yet.
    fn default() -> Adam {
        ok(Adam::from_hyper(Vec::new(), AdamParams::default()))
    }
}

impl_optimizer!(Adam, AdamParams);

#[cfg(test)]
mod tests {
    use super::*;

    fn hp() -> AdamParams {
        AdamParams { lr: 0.1, eps: 1e-8, ..AdamParams::default() }
    }

    // Step 1 with g = 2: m = 0.2, v = 0.004; m_hat = 2, sqrt(v)/sqrt(0.001) = 2;
    // p = 1 - 0.1 * 2 / (2 + 1e-8).
    #[test]
    fn first_step_by_hand() {
        let (mut p, mut m, mut v) = (vec![1.0f64], vec![0.0], vec![0.0]);
        adam_update(&mut p, &[2.0], &mut m, &mut v, None, &hp(), 1);
        assert!((m[0] - 0.2).abs() < 1e-15 && (v[0] - 0.004).abs() < 1e-15);
        assert!((p[0] - (1.0 - 0.1 * 2.0 / (2.0 + 1e-8))).abs() < 1e-14);
    }

    // Step 2 with g = 1 after g = 2: m = 0.18 + 0.1 = 0.28, v = 0.003996 + 0.001 = 0.004996;
    // p -= 0.1 / 0.19 * 0.28 / (sqrt(0.004996) / sqrt(0.001999) + 1e-8).
    #[test]
    fn second_step_by_hand() {
        let (mut p, mut m, mut v) = (vec![0.0f64], vec![0.2], vec![0.004]);
        adam_update(&mut p, &[1.0], &mut m, &mut v, None, &hp(), 2);
        let expected = -0.1 / 0.19 * 0.28 / ((0.004996f64).sqrt() / (0.001999f64).sqrt() + 1e-8);
        assert!((p[0] - expected).abs() < 1e-12, "{} vs {expected}", p[0]);
    }

    // With v falling below its maximum, AMSGrad divides by the maximum.
    #[test]
    fn amsgrad_uses_the_maximum() {
        let hp = AdamParams { amsgrad: true, beta2: 0.5, ..hp() };
        let (mut p, mut m, mut v, mut mv) = (vec![0.0f64], vec![0.0], vec![4.0], vec![4.0]);
        adam_update(&mut p, &[0.0], &mut m, &mut v, Some(&mut mv), &hp, 3);
        assert_eq!((v[0], mv[0]), (2.0, 4.0));
        let (mut p2, mut m2, mut v2) = (vec![0.0f64], vec![1.0], vec![4.0]);
        let mut mv2 = vec![4.0];
        adam_update(&mut p2, &[0.0], &mut m2, &mut v2, Some(&mut mv2), &hp, 3);
        // m = 0.9, step = 0.1 / (1 - 0.729) * 0.9 / (2 / sqrt(0.875) + 1e-8)
        let expected = -0.1 / (1.0 - 0.729) * 0.9 / (2.0 / 0.875f64.sqrt() + 1e-8);
        assert!((p2[0] - expected).abs() < 1e-12);
    }

    // Decoupled: p = 2 * (1 - 0.1 * 0.5) = 1.9, then the usual first step of about -lr.
    #[test]
    fn decoupled_weight_decay_shrinks_first() {
        let hp = AdamParams { weight_decay: 0.5, decoupled_weight_decay: true, ..hp() };
        let (mut p, mut m, mut v) = (vec![2.0f32], vec![0.0], vec![0.0]);
        adam_update(&mut p, &[1.0], &mut m, &mut v, None, &hp, 1);
        assert!((p[0] - 1.8).abs() < 1e-6);
    }
}
