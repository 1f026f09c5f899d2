//! [`binary_cross_entropy`]: `-(t ln p + (1 - t) ln(1 - p))`, from probabilities or logits.
//!
//! From logits `z` it is computed as `max(z, 0) - z t + ln(1 + e^-|z|)`, which never overflows.
//! From probabilities, `p` is clipped to `[1e-7, 1 - 1e-7]` first (Keras' epsilon), so `p = 0`
//! or `p = 1` give finite values.

use kerosene_autograd::Var;
use kerosene_tensor::Tensor;

use crate::error::Result;
use crate::reduction::Reduction;
use crate::target::{AsTarget, cast, mean_last, same_shape};

/// Keras' `epsilon()`: how far probabilities are kept from 0 and 1.
pub const EPSILON: f64 = 1e-7;

/// Binary cross-entropy, per sample the mean over the last axis.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_losses::{Reduction, binary_cross_entropy};
/// use kerosene_tensor::Tensor;
/// let p = Var::new(Tensor::from_vec(vec![0.0f32, 1.0, 0.5], &[3, 1]));
/// let t = Tensor::from_vec(vec![0.0f32, 1.0, 1.0], &[3, 1]);
/// let l = binary_cross_entropy(&p, &t, false, Reduction::None).unwrap().value().to_vec::<f32>();
/// assert!(l[0] < 1e-6 && l[1] < 1e-6 && (l[2] - 0.6931).abs() < 1e-4); // finite at 0 and 1
/// ```
///
/// # Errors
/// If the shapes differ.
pub fn binary_cross_entropy(
    pred: &Var,
    target: &impl AsTarget,
    from_logits: bool,
    reduction: Reduction,
) -> Result<Var> {
    binary_cross_entropy_weighted(pred, target, from_logits, None, reduction)
}

/// [`binary_cross_entropy`] with per-sample weights.
pub fn binary_cross_entropy_weighted(
    pred: &Var,
    target: &impl AsTarget,
    from_logits: bool,
    weights: Option<&Tensor>,
    reduction: Reduction,
) -> Result<Var> {
    let t = cast(pred, same_shape("binary_crossentropy", pred, &target.as_target())?);
    let l = if from_logits {
        let z = pred;
        z.relu().sub(&z.mul(&t)).add(&z.abs().neg().exp().ln_1p())
    } else {
        let p = pred.clamp(EPSILON, 1.0 - EPSILON);
        t.mul(&p.ln()).add(&t.rsub_scalar(1.0).mul(&p.rsub_scalar(1.0).ln())).neg()
    };
    reduction.apply("binary_crossentropy", mean_last(l), weights)
}
