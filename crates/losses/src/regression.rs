//! Regression losses: [`mse`], [`mae`], [`huber`]. Each is the mean over the last axis per
//! sample (Keras), then the [`Reduction`].
//!
//! - MSE: `(p - t)²`
//! - MAE: `|p - t|`
//! - Huber(δ): `½ e²` where `|e| <= δ`, else `δ (|e| - ½ δ)`, with `e = p - t`

use kerosene_autograd::Var;
use kerosene_tensor::Tensor;

use crate::error::Result;
use crate::reduction::Reduction;
use crate::target::{AsTarget, cast, mean_last, same_shape};

/// Mean squared error.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_losses::{Reduction, mse};
/// use kerosene_tensor::Tensor;
/// let p = Var::new(Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]));
/// let t = Tensor::from_vec(vec![1.0f32, 0.0, 3.0, 1.0], &[2, 2]);
/// // per sample: (0 + 4) / 2 = 2 and (0 + 9) / 2 = 4.5; mean 3.25
/// assert_eq!(mse(&p, &t, Reduction::Mean).unwrap().item(), 3.25);
/// ```
///
/// # Errors
/// If the shapes differ (beyond a missing final length-1 axis on the target).
pub fn mse(pred: &Var, target: &impl AsTarget, reduction: Reduction) -> Result<Var> {
    mse_weighted(pred, target, None, reduction)
}

/// [`mse`] with per-sample weights.
pub fn mse_weighted(pred: &Var, target: &impl AsTarget, weights: Option<&Tensor>, reduction: Reduction) -> Result<Var> {
    let t = cast(pred, same_shape("mse", pred, &target.as_target())?);
    reduction.apply("mse", mean_last(pred.sub(&t).square()), weights)
}

/// Mean absolute error.
///
/// # Errors
/// If the shapes differ.
pub fn mae(pred: &Var, target: &impl AsTarget, reduction: Reduction) -> Result<Var> {
    mae_weighted(pred, target, None, reduction)
}

/// [`mae`] with per-sample weights.
pub fn mae_weighted(pred: &Var, target: &impl AsTarget, weights: Option<&Tensor>, reduction: Reduction) -> Result<Var> {
    let t = cast(pred, same_shape("mae", pred, &target.as_target())?);
    reduction.apply("mae", mean_last(pred.sub(&t).abs()), weights)
}

/// Huber loss with threshold `delta` (Keras default 1.0).
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_losses::{Reduction, huber};
/// use kerosene_tensor::Tensor;
/// let p = Var::new(Tensor::from_vec(vec![0.5f32, 3.0], &[2]));
/// let t = Tensor::from_vec(vec![0.0f32, 0.0], &[2]);
/// // 0.5 * 0.25 = 0.125 and 1 * (3 - 0.5) = 2.5
/// assert_eq!(huber(&p, &t, 1.0, Reduction::None).unwrap().value().to_vec::<f32>(), vec![0.125, 2.5]);
/// ```
///
/// # Errors
/// If the shapes differ.
pub fn huber(pred: &Var, target: &impl AsTarget, delta: f64, reduction: Reduction) -> Result<Var> {
    huber_weighted(pred, target, delta, None, reduction)
}

/// [`huber`] with per-sample weights.
pub fn huber_weighted(
    pred: &Var,
    target: &impl AsTarget,
    delta: f64,
    weights: Option<&Tensor>,
    reduction: Reduction,
) -> Result<Var> {
    let t = cast(pred, same_shape("huber", pred, &target.as_target())?);
    let a = pred.sub(&t).abs();
    // With q = min(|e|, δ): ½ q² + δ (|e| - q) equals both branches and is differentiable.
    let q = a.clamp(0.0, delta);
    let l = q.square().mul_scalar(0.5).add(&a.sub(&q).mul_scalar(delta));
    reduction.apply("huber", mean_last(l), weights)
}
