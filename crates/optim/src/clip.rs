//! Gradient clipping: the free functions [`clip_grad_norm`] and [`clip_grad_value`] (PyTorch's
//! `clip_grad_norm_` / `clip_grad_value_`), and the optimizer option [`Clip`] (Keras'
//! `global_clipnorm` / `clipnorm` / `clipvalue`).

use kerosene_autograd::Var;
use kerosene_tensor::{DType, Element, Tensor};
use serde::{Deserialize, Serialize};

use crate::error::{OptimError, Result, non_negative};

/// Gradient clipping applied by an optimizer at the start of every
/// [`step`](crate::Optimizer::step), before any update. The clipped gradients are written back
/// into the parameters' [`grad`](Var::grad), as the free functions do.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_optim::{Clip, Optimizer, Sgd};
/// use kerosene_tensor::Tensor;
///
/// let w = Var::param(Tensor::from_vec(vec![0.0f64, 0.0], &[2]));
/// let mut opt = Sgd::new(vec![w.clone()], 1.0).clip(Clip::GlobalNorm(1.0));
/// w.set_grad(Some(Tensor::from_vec(vec![3.0f64, 4.0], &[2]))); // norm 5
/// opt.step();
/// // The gradient was scaled by 1 / (5 + 1e-6) before the update w -= 1.0 * g.
/// assert!((w.value().to_vec::<f64>()[0] + 0.6).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Clip {
    /// Scales all gradients together so that their global L2 norm is at most the value:
    /// [`clip_grad_norm`] (PyTorch's `clip_grad_norm_`, Keras' `global_clipnorm`).
    GlobalNorm(f64),
    /// Scales each parameter's gradient on its own so that its L2 norm is at most the value
    /// (Keras' `clipnorm`: `g * c / ||g||` when `||g|| > c`).
    Norm(f64),
    /// Clamps every gradient element to `[-c, c]`: [`clip_grad_value`] (Keras' `clipvalue`).
    Value(f64),
}

impl Clip {
    /// The threshold of any variant.
    pub fn threshold(&self) -> f64 {
        match *self {
            Clip::GlobalNorm(c) | Clip::Norm(c) | Clip::Value(c) => c,
        }
    }

    /// Checks that the threshold is non-negative and not NaN.
    pub fn validate(&self) -> Result<()> {
        let c = self.threshold();
        if c >= 0.0 { Ok(()) } else { Err(OptimError::InvalidHyperParameter(format!("Invalid clip value: {c:?}"))) }
    }

    /// Clips the gradients of `params` in place.
    pub fn apply(&self, params: &[Var]) {
        match *self {
            Clip::GlobalNorm(c) => {
                clip_grad_norm(params, c);
            }
            Clip::Norm(c) => {
                for p in params {
                    if let Some(g) = p.grad() {
                        let norm = sum_of_squares(&g).sqrt();
                        if norm > c {
                            scale_grad(p, g, c / norm);
                        }
                    }
                }
            }
            Clip::Value(c) => clip_grad_value(params, c),
        }
    }
}

/// Scales the gradients of `params` together so that their global L2 norm is at most
/// `max_norm`, and returns the norm before clipping (PyTorch's `clip_grad_norm_` with
/// `norm_type = 2`).
///
/// The norm is accumulated in `f64` over every gradient; parameters without a gradient are
/// skipped. When `norm > max_norm` every gradient is multiplied by `max_norm / (norm + 1e-6)`,
/// as PyTorch does. A non-finite norm is returned as is and, as in PyTorch, poisons the gradients (they are
/// scaled by 0 or NaN).
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_optim::clip_grad_norm;
/// use kerosene_tensor::Tensor;
///
/// let a = Var::param(Tensor::zeros(&[2]));
/// let b = Var::param(Tensor::zeros(&[1]));
/// a.set_grad(Some(Tensor::from_vec(vec![3.0f32, 0.0], &[2])));
/// b.set_grad(Some(Tensor::from_vec(vec![4.0f32], &[1])));
/// let norm = clip_grad_norm(&[a.clone(), b.clone()], 1.0);
/// assert!((norm - 5.0).abs() < 1e-6);
/// assert!((b.grad().unwrap().to_vec::<f32>()[0] - 0.8).abs() < 1e-6);
/// ```
///
/// # Panics
/// If `max_norm` is negative or NaN.
#[track_caller]
pub fn clip_grad_norm(params: &[Var], max_norm: f64) -> f64 {
    if !non_negative(max_norm) {
        panic!("clip_grad_norm: max_norm must be non-negative, got {max_norm:?}");
    }
    let grads: Vec<(usize, Tensor)> = params.iter().enumerate().filter_map(|(i, p)| p.grad().map(|g| (i, g))).collect();
    let norm = grads.iter().map(|(_, g)| sum_of_squares(g)).sum::<f64>().sqrt();
    let coef = max_norm / (norm + 1e-6);
    if coef < 1.0 || norm.is_nan() {
        for (i, g) in grads {
            scale_grad(&params[i], g, coef);
        }
    }
    norm
}

/// Clamps every gradient element of `params` to `[-clip, clip]` (PyTorch's `clip_grad_value_`).
/// Parameters without a gradient are skipped.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_optim::clip_grad_value;
/// use kerosene_tensor::Tensor;
///
/// let w = Var::param(Tensor::zeros(&[3]));
/// w.set_grad(Some(Tensor::from_vec(vec![-2.0f32, 0.5, 3.0], &[3])));
/// clip_grad_value(&[w.clone()], 1.0);
/// assert_eq!(w.grad().unwrap().to_vec::<f32>(), vec![-1.0, 0.5, 1.0]);
/// ```
///
/// # Panics
/// If `clip` is negative or NaN.
#[track_caller]
pub fn clip_grad_value(params: &[Var], clip: f64) {
    if !non_negative(clip) {
        panic!("clip_grad_value: clip must be non-negative, got {clip:?}");
    }
    for p in params {
        if let Some(g) = p.grad() {
            let max = match g.dtype() {
                DType::F32 => max_abs::<f32>(&g),
                DType::F64 => max_abs::<f64>(&g),
            };
            if max.is_nan() || max > clip {
                drop(g);
                let mut g = p.take_grad().expect("grad present").into_unique();
                match g.dtype() {
                    DType::F32 => clamp_slice(g.as_slice_mut::<f32>().expect("unique, contiguous"), clip as f32),
                    DType::F64 => clamp_slice(g.as_slice_mut::<f64>().expect("unique, contiguous"), clip),
                }
                p.set_grad(Some(g));
            }
        }
    }
}

/// The largest absolute element, in `f64` (NaN if any element is NaN).
fn max_abs<E: Element>(t: &Tensor) -> f64 {
    t.view::<E>().iter().fold(0.0f64, |m, &v| {
        let a = v.f64().abs();
        if a.is_nan() || a > m { a } else { m }
    })
}

fn clamp_slice<E: Element>(g: &mut [E], c: E) {
    for v in g {
        // `max`/`min` would turn NaN into a bound; keep NaN as PyTorch's clamp does.
        if *v > c {
            *v = c;
        } else if *v < -c {
            *v = -c;
        }
    }
}

/// The sum of squared elements, accumulated in `f64`.
pub(crate) fn sum_of_squares(t: &Tensor) -> f64 {
    fn typed<E: Element>(t: &Tensor) -> f64 {
        t.view::<E>().iter().map(|&v| v.f64() * v.f64()).sum()
    }
    match t.dtype() {
        DType::F32 => typed::<f32>(t),
        DType::F64 => typed::<f64>(t),
    }
}

/// Multiplies the gradient of `p` by `s` in place. `g` is the caller's handle to that gradient; it
/// is dropped before writing so that the storage is not copied needlessly.
fn scale_grad(p: &Var, g: Tensor, s: f64) {
    drop(g);
    let mut g = p.take_grad().expect("grad present").into_unique();
    match g.dtype() {
        DType::F32 => {
            let s = s as f32;
            g.as_slice_mut::<f32>().expect("unique, contiguous").iter_mut().for_each(|v| *v *= s);
        }
        DType::F64 => g.as_slice_mut::<f64>().expect("unique, contiguous").iter_mut().for_each(|v| *v *= s),
    }
    p.set_grad(Some(g));
}
