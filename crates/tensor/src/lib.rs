//! # kerosene-tensor
//!
//! N-dimensional arrays of `f32` (for training) and `f64` (for gradient checks), the bottom of
//! the Kerosene stack. No gradients here: that is `kerosene-autograd`'s job.
//!
//! A tour:
//! - **[`Tensor`]**: shared, copy-on-write storage with a runtime [`DType`]; `clone` is O(1).
//! - **Constructors** ([`create`](Tensor::zeros)): `zeros`, `ones`, `full`, `from_vec`, `arange`,
//!   `linspace`, `eye`, `scalar`; seeded random tensors and the Glorot / He / LeCun
//!   initializer ranges from a [`Rng`].
//! - **Shape operations**: `reshape`, `transpose` / `permute` / `t`, `slice` (with step),
//!   `select`, `concat`, `stack`, `split`, `chunk`, `squeeze` / `unsqueeze`, `broadcast_to`.
//!   Transposes and slices are views that share storage.
//! - **Elementwise**: unary maps (`exp`, `ln`, `tanh`, `sigmoid`, `relu`, `gelu`, ...), binary
//!   ops with NumPy broadcasting (`add`, `mul`, `pow`, `maximum`, comparisons), scalar variants,
//!   and the `+ - * /` operators on references.
//! - **Reductions**: `sum`, `mean`, `max`, `min`, `argmax`, `argmin`, `var` over any axes with
//!   `keepdims`, and stable `softmax` / `log_softmax` / `logsumexp`; [`Tensor::sum_to_shape`]
//!   undoes a broadcast.
//! - **matmul**: 2-D, batched with broadcast batch axes, matrix-vector; strided operands go to
//!   the GEMM in [`gemm`] without copies.
//! - **Indexing**: `index_select`, `gather`, their adjoints `index_add` / `scatter_add`,
//!   `one_hot`; NHWC `im2col` / `col2im` for convolutions ([`Window2d`]).
//!
//! Errors: every operation that can fail has a panicking math-style form, documented under
//! `# Panics`, and a `try_` twin returning [`TensorError`]; both share one check, and the message
//! names the operation and the shapes.
//!
//! ```
//! use kerosene_tensor::{Rng, Tensor};
//!
//! let mut rng = Rng::new(42);
//! let x = Tensor::randn(&[32, 784], &mut rng);
//! let w = Tensor::glorot_uniform(&[784, 64], (784, 64), &mut rng);
//! let b = Tensor::zeros(&[64]);
//! let h = x.matmul(&w).add(&b).relu();
//! assert_eq!(h.shape(), &[32, 64]);
//! assert!(h.min_all().item() >= 0.0);
//!
//! let p = h.softmax(-1);
//! assert!((p.sum(&[-1], false).to_vec::<f32>()[0] - 1.0).abs() < 1e-5);
//!
//! let err = x.try_matmul(&w.t()).unwrap_err();
//! assert_eq!(err.to_string(), "matmul: inner dimensions differ: lhs [32, 784], rhs [64, 784] (784 != 64)");
//! ```
//!
//! Threads: large elementwise operations, im2col and GEMMs run on rayon's pool; below measured
//! thresholds ([`PAR_ELEMENTWISE_MIN`], [`gemm::PAR_GEMM_MIN_FLOPS`]) they stay on the calling
//! thread. Results do not depend on the number of threads.
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod conv;
mod create;
mod dtype;
mod elementwise;
mod error;
pub mod gemm;
mod index;
mod layout;
mod matmul;
pub mod memory;
mod random;
mod reduce;
mod serde_impl;
pub mod simd;
mod tensor;
pub mod threads;

pub use conv::{Padding, Window2d};
pub use create::shape_len;
pub use dtype::{DType, Element};
pub use elementwise::PAR_ELEMENTWISE_MIN;
pub use error::{Result, Shape, TensorError};
pub use index::{indices_in_range, unravel};
pub use layout::{broadcast_shapes, normalize_axes, normalize_axis};
pub use random::{FanMode, Rng, TRUNCATED_NORMAL_STD, keras_fans};
pub use reduce::softmax_row;
pub use tensor::Tensor;

/// Re-export of the ndarray version used for [`Tensor::view`] and friends.
pub use ndarray;
