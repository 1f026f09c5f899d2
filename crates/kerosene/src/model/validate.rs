//! Up-front validation of user data against the model: every problem is an `Err` with a
//! message that says what was expected and what arrived, before the first batch runs.

use kerosene_losses::Loss;
use kerosene_tensor::Tensor;

use super::sequential::Sequential;
use crate::error::{Error, Result};

pub(crate) fn check_batch_size(batch_size: usize) -> Result<()> {
    if batch_size == 0 {
        return Err(Error::Config("batch_size must be at least 1, got 0".into()));
    }
    Ok(())
}

pub(crate) fn check_x(x: &Tensor) -> Result<()> {
    if x.ndim() == 0 {
        return Err(Error::Data("x must have a sample axis, got a scalar".into()));
    }
    if x.shape()[0] == 0 {
        return Err(Error::Data(format!("x is empty: shape {:?} has no samples", x.shape())));
    }
    Ok(())
}

pub(crate) fn check_xy(x: &Tensor, y: &Tensor) -> Result<()> {
    check_x(x)?;
    if y.ndim() == 0 {
        return Err(Error::Data("y must have a sample axis, got a scalar".into()));
    }
    if x.shape()[0] != y.shape()[0] {
        return Err(Error::Data(format!("x has {} samples, y has {}", x.shape()[0], y.shape()[0])));
    }
    if !x.all_finite() {
        return Err(Error::Data("x contains NaN or infinite values".into()));
    }
    Ok(())
}

/// Checks `y` against the model's per-sample output shape and the loss.
pub(crate) fn check_targets(model: &Sequential, y: &Tensor, loss: Loss) -> Result<()> {
    let out = model.output_shape().expect("checked after build");
    let last = model.layers.last().expect("built model has layers");
    let per = &y.shape()[1..];
    if !y.all_finite() {
        return Err(Error::Data("y contains NaN or infinite values".into()));
    }
    if loss.is_sparse() {
        let classes = *out.last().unwrap_or(&1);
        let lead = &out[..out.len().saturating_sub(1)];
        let fits = per == lead || (per.len() == lead.len() + 1 && per.last() == Some(&1) && &per[..lead.len()] == lead);
        if !fits {
            let hint = if per == out.as_slice() { " (one-hot labels? use categorical_crossentropy)" } else { "" };
            return Err(Error::Data(format!(
                "{} expects integer labels of per-sample shape {lead:?} for the output of layer \"{}\" (per-sample shape {out:?}); y has per-sample shape {per:?}{hint}",
                loss.name(),
                last.name()
            )));
        }
        for (i, v) in y.to_vec_f64().into_iter().enumerate() {
            if !(v >= 0.0 && v.fract() == 0.0 && (v as usize) < classes) {
                return Err(Error::Data(format!(
                    "y: label {v} at index {i} is out of range for the output layer \"{}\" with {classes} units (labels must be whole numbers in 0..{classes})",
                    last.name()
                )));
            }
        }
        return Ok(());
    }
    let fits = per == out.as_slice() || (out.last() == Some(&1) && per == &out[..out.len() - 1]);
    if !fits {
        let hint = if loss.is_categorical() && per.len() + 1 == out.len() {
            " (integer labels? use sparse_categorical_crossentropy)"
        } else {
            ""
        };
        return Err(Error::Data(format!(
            "{} expects targets of per-sample shape {out:?} (the output of layer \"{}\"); y has per-sample shape {per:?}{hint}",
            loss.name(),
            last.name()
        )));
    }
    Ok(())
}
