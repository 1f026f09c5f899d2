//! # kerosene-losses
//!
//! Loss functions over `kerosene-autograd` variables, with Keras' semantics: a loss per sample
//! (the mean over the last axis for regression losses), optional sample weights, then a
//! [`Reduction`] (mean by default).
//!
//! | function | Keras name | targets |
//! | --- | --- | --- |
//! | [`mse`], [`mae`], [`huber`] | `mse`, `mae`, `huber` | values, same shape |
//! | [`binary_cross_entropy`] | `binary_crossentropy` | 0 / 1 (or soft), probabilities or logits |
//! | [`categorical_cross_entropy`] | `categorical_crossentropy` | one-hot, probabilities or logits |
//! | [`sparse_categorical_cross_entropy`], [`cross_entropy`] | `sparse_categorical_crossentropy` | class indices |
//! | [`kl_divergence`] | `kl_divergence` | distributions |
//!
//! Stability: cross-entropies from logits use log-sum-exp (the sparse one is the fused
//! log-softmax + NLL primitive); from probabilities, values are clipped to `[1e-7, 1 - 1e-7]`,
//! so probabilities of exactly 0 or 1 give finite losses and gradients. A label out of range
//! is an error that names it and its index, never a NaN.
//!
//! ```
//! use kerosene_autograd::Var;
//! use kerosene_losses::{Loss, Reduction, cross_entropy};
//! use kerosene_tensor::Tensor;
//!
//! let logits = Var::param(Tensor::from_vec(vec![2.0f32, 0.5, -1.0, 0.1, 0.2, 3.0], &[2, 3]));
//! let y = Tensor::from_vec(vec![0.0f32, 2.0], &[2]);
//! let loss = cross_entropy(&logits, &y);   // PyTorch style
//! loss.backward();
//! assert_eq!(logits.grad().unwrap().shape(), &[2, 3]);
//!
//! // Keras style, by name; a bad label is an error, not a NaN:
//! let l = Loss::from_name("sparse_categorical_crossentropy").unwrap().from_logits();
//! let bad = Tensor::from_vec(vec![0.0f32, 3.0], &[2]);
//! let err = l.compute(&logits, &bad, None, Reduction::Mean).unwrap_err();
//! assert_eq!(err.to_string(), "sparse_categorical_crossentropy: label 3 at index 1 is out of range for 3 classes (0..3)");
//! ```
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod binary_cross_entropy;
mod cross_entropy;
mod error;
mod loss;
mod reduction;
mod regression;
mod target;

pub use binary_cross_entropy::{EPSILON, binary_cross_entropy, binary_cross_entropy_weighted};
pub use cross_entropy::{
    categorical_cross_entropy, cross_entropy, kl_divergence, sparse_categorical_cross_entropy, try_cross_entropy,
};
pub use error::{LossError, Result};
pub use loss::Loss;
pub use reduction::Reduction;
pub use regression::{huber, huber_weighted, mae, mae_weighted, mse, mse_weighted};
pub use target::AsTarget;
