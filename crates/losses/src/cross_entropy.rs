//! Multi-class cross-entropy:
//! - [`cross_entropy`] (PyTorch's name) / [`sparse_categorical_cross_entropy`]: integer class
//!   labels; from logits it is the fused log-softmax + NLL primitive.
//! - [`categorical_cross_entropy`]: one-hot (or soft) targets, `-Σ t ln p` over the last axis.
//! - [`kl_divergence`]: `Σ t ln(t / p)` over the last axis.
//!
//! From probabilities, `p` is clipped to `[1e-7, 1 - 1e-7]` (Keras), so 0 and 1 stay finite;
//! from logits, the log-softmax is computed stably whatever their size.

use kerosene_autograd::Var;
use kerosene_tensor::{Tensor, TensorError};

use crate::binary_cross_entropy::EPSILON;
use crate::error::{LossError, Result};
use crate::reduction::Reduction;
use crate::target::{AsTarget, cast, same_shape};

/// Checks labels against the class count; the error names the first bad label and its index.
fn check_labels(loss: &'static str, labels: &Tensor, classes: usize) -> Result<()> {
    for (i, v) in labels.to_vec_f64().into_iter().enumerate() {
        if !(v.is_finite() && v >= 0.0 && v.fract() == 0.0 && (v as usize) < classes) {
            return Err(LossError::Label { loss, label: v, index: i, classes });
        }
    }
    Ok(())
}

/// Labels of shape `[..]` for predictions `[.., C]`; `[.., 1]` is accepted and squeezed (Keras).
fn sparse_labels(loss: &'static str, pred: &Var, labels: &Tensor) -> Result<Tensor> {
    let lead = &pred.shape()[..pred.ndim().saturating_sub(1)];
    if pred.ndim() >= 1 && labels.shape() == lead {
        return Ok(labels.clone());
    }
    if labels.ndim() == lead.len() + 1 && labels.shape().last() == Some(&1) && &labels.shape()[..lead.len()] == lead {
        return Ok(labels.squeeze(Some(-1)));
    }
    Err(LossError::Shape {
        loss,
        message: "labels must have the predictions' shape without the class axis".into(),
        pred: pred.shape().to_vec(),
        target: labels.shape().to_vec(),
    })
}

/// PyTorch's `F.cross_entropy`: mean cross-entropy of `logits [.., C]` against class indices
/// `labels [..]`.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_losses::cross_entropy;
/// use kerosene_tensor::Tensor;
/// let logits = Var::new(Tensor::from_vec(vec![0.0f32, 0.0, 0.0, 0.0], &[2, 2]));
/// let y = Tensor::from_vec(vec![0.0f32, 1.0], &[2]);
/// assert!((cross_entropy(&logits, &y).item() - 2f64.ln()).abs() < 1e-6);
/// ```
///
/// # Panics
/// On a label out of range or a shape mismatch; [`try_cross_entropy`] returns the error instead.
#[track_caller]
pub fn cross_entropy(logits: &Var, labels: &Tensor) -> Var {
    try_cross_entropy(logits, labels).unwrap_or_else(|e| panic!("{e}"))
}

/// Fallible [`cross_entropy`].
pub fn try_cross_entropy(logits: &Var, labels: &Tensor) -> Result<Var> {
    sparse_categorical_cross_entropy(logits, labels, true, None, Reduction::Mean)
}

/// Keras' sparse categorical cross-entropy: predictions `[.., C]` (logits if `from_logits`,
/// else probabilities) against integer labels `[..]` (or `[.., 1]`).
///
/// # Errors
/// If the shapes do not fit, or a label is not a whole number in `0..C` (naming the label and
/// its index).
pub fn sparse_categorical_cross_entropy(
    pred: &Var,
    labels: &Tensor,
    from_logits: bool,
    weights: Option<&Tensor>,
    reduction: Reduction,
) -> Result<Var> {
    const NAME: &str = "sparse_categorical_crossentropy";
    let labels = sparse_labels(NAME, pred, labels)?;
    let classes = *pred.shape().last().unwrap_or(&0);
    check_labels(NAME, &labels, classes)?;
    let labels = labels.to_dtype(pred.dtype());
    let losses = if from_logits {
        pred.log_softmax_nll(&labels).map_err(|e: TensorError| LossError::Tensor(e))?
    } else {
        let p = pred.clamp(EPSILON, 1.0 - EPSILON);
        p.gather(-1, &labels.unsqueeze(-1)).squeeze(Some(-1)).ln().neg()
    };
    reduction.apply(NAME, losses, weights)
}

/// Keras' categorical cross-entropy: predictions `[.., C]` against one-hot (or soft) targets of
/// the same shape.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_losses::{Reduction, categorical_cross_entropy};
/// use kerosene_tensor::Tensor;
/// let p = Var::new(Tensor::from_vec(vec![0.25f32, 0.75], &[1, 2]));
/// let t = Tensor::from_vec(vec![0.0f32, 1.0], &[1, 2]);
/// let l = categorical_cross_entropy(&p, &t, false, None, Reduction::Mean).unwrap();
/// assert!((l.item() + 0.75f64.ln()).abs() < 1e-6);
/// ```
///
/// # Errors
/// If the shapes differ.
pub fn categorical_cross_entropy(
    pred: &Var,
    target: &impl AsTarget,
    from_logits: bool,
    weights: Option<&Tensor>,
    reduction: Reduction,
) -> Result<Var> {
    const NAME: &str = "categorical_crossentropy";
    let t = cast(pred, same_shape(NAME, pred, &target.as_target())?);
    let logp = if from_logits {
        pred.log_softmax(-1)
    } else {
        // Keras renormalizes probabilities over the class axis, then clips.
        let p = pred.div(&pred.sum(&[-1], true));
        p.clamp(EPSILON, 1.0 - EPSILON).ln()
    };
    reduction.apply(NAME, t.mul(&logp).sum(&[-1], false).neg(), weights)
}

/// Kullback-Leibler divergence `Σ t ln(t / p)` over the last axis, with `t` and `p` clipped to
/// `[1e-7, 1]` (Keras).
///
/// # Errors
/// If the shapes differ.
pub fn kl_divergence(
    pred: &Var,
    target: &impl AsTarget,
    weights: Option<&Tensor>,
    reduction: Reduction,
) -> Result<Var> {
    const NAME: &str = "kl_divergence";
    let t = cast(pred, same_shape(NAME, pred, &target.as_target())?);
    let tc = t.clamp(EPSILON, 1.0);
    let pc = pred.clamp(EPSILON, 1.0);
    reduction.apply(NAME, tc.mul(&tc.ln().sub(&pc.ln())).sum(&[-1], false), weights)
}
