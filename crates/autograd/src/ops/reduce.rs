//! Reductions: `sum`, `mean`, `max`, `min` over axes (with `keepdims`), and over all elements.
//!
//! - `sum`: the gradient is `g` broadcast back over the reduced axes.
//! - `mean`: the same, divided by the number of reduced elements.
//! - `max` / `min`: `g` goes to the elements equal to the extreme; ties share it evenly
//!   (PyTorch's `amax` convention), so the gradient is the same whatever the order of ties.

use kerosene_tensor::{Tensor, normalize_axes};

use crate::Var;

/// The gradient of a reduction with `keepdims = false`, reshaped so that it broadcasts
/// against the input again.
fn keep_shape(g: &Tensor, in_shape: &[usize], axes: &[usize]) -> Tensor {
    let shape: Vec<usize> = in_shape.iter().enumerate().map(|(i, &d)| if axes.contains(&i) { 1 } else { d }).collect();
    g.reshape_to(&shape)
}

impl Var {
    /// Sum over `axes` (negative allowed).
    ///
    /// # Panics
    /// If an axis is out of range or repeated.
    #[track_caller]
    pub fn sum(&self, axes: &[isize], keepdims: bool) -> Var {
        let x = self.value();
        let ax = normalize_axes("sum", axes, x.shape()).unwrap_or_else(|e| panic!("{e}"));
        let y = x.sum(axes, keepdims);
        let shape = x.shape().to_vec();
        Var::from_op("sum", y, &[self], move |g, _| vec![Some(keep_shape(g, &shape, &ax).broadcast_to(&shape))])
    }

    /// Sum of all elements (a 0-dimensional result).
    pub fn sum_all(&self) -> Var {
        let x = self.value();
        let shape = x.shape().to_vec();
        Var::from_op("sum_all", x.sum_all(), &[self], move |g, _| {
            vec![Some(Tensor::full_dtype(&shape, g.item(), g.dtype()))]
        })
    }

    /// Mean over `axes`.
    #[track_caller]
    pub fn mean(&self, axes: &[isize], keepdims: bool) -> Var {
        let ax = normalize_axes("mean", axes, self.shape()).unwrap_or_else(|e| panic!("{e}"));
        let n: usize = ax.iter().map(|&a| self.shape()[a]).product();
        self.sum(axes, keepdims).mul_scalar(1.0 / n as f64)
    }

    /// Mean of all elements.
    pub fn mean_all(&self) -> Var {
        self.sum_all().mul_scalar(1.0 / self.len() as f64)
    }

    /// Maximum over `axes`; tied maxima share the gradient evenly.
    #[track_caller]
    pub fn max(&self, axes: &[isize], keepdims: bool) -> Var {
        extreme(self, axes, keepdims, true)
    }

    /// Minimum over `axes`; tied minima share the gradient evenly.
    #[track_caller]
    pub fn min(&self, axes: &[isize], keepdims: bool) -> Var {
        extreme(self, axes, keepdims, false)
    }

    /// Population variance over `axes`, composed from `mean` and `square`.
    #[track_caller]
    pub fn var(&self, axes: &[isize], keepdims: bool) -> Var {
        let m = self.mean(axes, true);
        self.sub(&m).square().mean(axes, keepdims)
    }
}

#[track_caller]
fn extreme(v: &Var, axes: &[isize], keepdims: bool, max: bool) -> Var {
    let x = v.value();
    let ax = normalize_axes("max", axes, x.shape()).unwrap_or_else(|e| panic!("{e}"));
    let yk = if max { x.max(axes, true) } else { x.min(axes, true) };
    let y = if keepdims { yk.clone() } else { yk.reshape_to(&reduced(x.shape(), &ax)) };
    let shape = x.shape().to_vec();
    let axes_i: Vec<isize> = ax.iter().map(|&a| a as isize).collect();
    Var::from_op(if max { "max" } else { "min" }, y, &[v], move |g, _| {
        let mask = x.eq_elem(&yk);
        let count = mask.sum(&axes_i, true);
        let gk = keep_shape(g, &shape, &ax);
        vec![Some(mask.mul(&gk.div(&count)))]
    })
}

fn reduced(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    shape.iter().enumerate().filter(|(i, _)| !axes.contains(i)).map(|(_, &d)| d).collect()
}
