//! # kerosene-autograd
//!
//! Define-by-run reverse-mode automatic differentiation over `kerosene-tensor`, like PyTorch's
//! autograd.
//!
//! - [`Var`] is a tensor in a graph: a leaf that requires grad ([`Var::param`]), a constant
//!   ([`Var::new`]), or the result of an op. Ops record their backward as they run.
//! - [`Var::backward`] sweeps the graph in reverse, accumulates gradients into leaves
//!   ([`Var::grad`]; a leaf used twice gets both contributions), and frees the graph.
//!   [`Var::backward_with`] takes a seed gradient and `retain_graph`.
//! - [`no_grad`] turns recording off (inference, metrics); [`Var::detach`] cuts a value loose.
//! - Every op's forward and backward live side by side in one file of `ops/`; fused primitives
//!   ([`Var::dense`] / [`Var::linear`] with a [`FusedActivation`], [`Var::log_softmax_nll`]) pay
//!   for themselves on the hot path.
//! - Convolutions on channels-last images: [`Var::conv2d`] / [`Var::conv1d`] (im2col + one GEMM,
//!   bias and a [`FusedActivation`] fused), [`Var::max_pool2d`], [`Var::avg_pool2d`] and the global
//!   pools.
//! - [`gradcheck`] compares any function's backward with finite differences in `f64`; the
//!   test suite runs it over every op. Users can check their own ops built with [`Var::from_op`].
//!
//! ```
//! use kerosene_autograd::{FusedActivation, Var, no_grad};
//! use kerosene_tensor::{Rng, Tensor};
//!
//! let mut rng = Rng::new(0);
//! let w = Var::param(Tensor::glorot_uniform(&[4, 3], (4, 3), &mut rng));
//! let b = Var::param(Tensor::zeros(&[3]));
//! let x = Var::new(Tensor::randn(&[8, 4], &mut rng));
//! let y = Tensor::from_vec(vec![0.0f32, 1.0, 2.0, 0.0, 1.0, 2.0, 0.0, 1.0], &[8]);
//!
//! let loss = x.dense(&w, Some(&b), FusedActivation::Identity).log_softmax_nll(&y).unwrap().mean_all();
//! loss.backward();
//! assert_eq!(w.grad().unwrap().shape(), &[4, 3]);
//!
//! // Inference records nothing:
//! let logits = no_grad(|| x.dense(&w, Some(&b), FusedActivation::Identity));
//! assert!(!logits.requires_grad());
//! ```
//!
//! Gradients are first order: backward computes with tensors, not `Var`s, so a gradient cannot
//! itself be differentiated.
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod backward;
mod error;
mod gradcheck;
mod graph;
mod no_grad;
mod ops;
mod var;

pub use error::{AutogradError, Result};
pub use gradcheck::{Tolerances, gradcheck, gradcheck_with_params};
pub use graph::BackwardFn;
pub use no_grad::{NoGradGuard, is_grad_enabled, no_grad};
pub use ops::{FusedActivation, RecurrentSequence, RnnConfig, RnnParams};
pub use var::{Var, live_vars};
