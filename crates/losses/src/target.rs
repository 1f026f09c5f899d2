//! [`AsTarget`]: losses take targets as a `Tensor` or a `Var`; and the shape rules for them.

use kerosene_autograd::Var;
use kerosene_tensor::Tensor;

use crate::error::{LossError, Result};

/// Something a loss accepts as its target: a [`Tensor`] (a constant) or a [`Var`].
pub trait AsTarget {
    /// The target as a variable (constants become graph constants).
    fn as_target(&self) -> Var;
}

impl AsTarget for Var {
    fn as_target(&self) -> Var {
        self.clone()
    }
}

impl AsTarget for Tensor {
    fn as_target(&self) -> Var {
        Var::new(self.clone())
    }
}

/// The target reshaped to the prediction's shape: equal shapes pass; a target missing a final
/// length-1 axis (`[N]` for predictions `[N, 1]`, as Keras allows) gets it; anything else errors.
pub(crate) fn same_shape(loss: &'static str, pred: &Var, target: &Var) -> Result<Var> {
    if pred.shape() == target.shape() {
        return Ok(target.clone());
    }
    if pred.shape().last() == Some(&1) && target.shape() == &pred.shape()[..pred.ndim() - 1] {
        return Ok(target.unsqueeze(-1));
    }
    Err(LossError::Shape {
        loss,
        message: "targets must have the predictions' shape".into(),
        pred: pred.shape().to_vec(),
        target: target.shape().to_vec(),
    })
}

/// Converts a target to the prediction's element type (f64 gradient checks use f32 labels too).
pub(crate) fn cast(pred: &Var, target: Var) -> Var {
    if target.dtype() == pred.dtype() { target } else { Var::new(target.value().to_dtype(pred.dtype())) }
}

/// Per-sample losses: the mean over the last axis (Keras reduces regression losses this way);
/// 1-D predictions are already one value per sample.
pub(crate) fn mean_last(v: Var) -> Var {
    if v.ndim() < 2 { v } else { v.mean(&[-1], false) }
}
